#pragma once

#include "common/Error.h"

#include <utility>
#include <variant>

namespace ll {

/**
 * expected<T, Error>-style result (C++17 has no std::expected).
 *   Result<Foo> parse(...);  if (!r) return r.error();  use(*r);
 */
template<typename T> class [[nodiscard]] Result
{
public:
    Result(T value) : m_v(std::in_place_index<0>, std::move(value)) { }
    Result(Error error) : m_v(std::in_place_index<1>, std::move(error)) { }

    bool ok() const { return m_v.index() == 0; }
    explicit operator bool() const { return ok(); }

    T &value() & { return std::get<0>(m_v); }
    const T &value() const & { return std::get<0>(m_v); }
    T &&value() && { return std::get<0>(std::move(m_v)); }
    T &operator*() & { return value(); }
    const T &operator*() const & { return value(); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }

    const Error &error() const { return std::get<1>(m_v); }

private:
    std::variant<T, Error> m_v;
};

/** Result of an operation with no value. */
template<> class [[nodiscard]] Result<void>
{
public:
    Result() = default;
    Result(Error error) : m_error(std::move(error)) { }
    bool ok() const { return !m_error.isError(); }
    explicit operator bool() const { return ok(); }
    const Error &error() const { return m_error; }

private:
    Error m_error;
};

using Status = Result<void>;

} // namespace ll
