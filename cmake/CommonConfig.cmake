# One INTERFACE target carries the language standard, warnings and Qt safety defines.
add_library(ll_options INTERFACE)
target_compile_features(ll_options INTERFACE cxx_std_17)
target_compile_options(ll_options INTERFACE -Wall -Wextra -pedantic)
target_compile_definitions(ll_options INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CONTEXTLESS_CONNECT
    QT_NO_FOREACH
    QT_NO_URL_CAST_FROM_STRING
    QT_USE_QSTRINGBUILDER)
if(LL_SANITIZE)
    target_compile_options(ll_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer)
    target_link_options(ll_options INTERFACE -fsanitize=address,undefined)
endif()


# clang-format over the project's C++ sources: `format` rewrites, `format-check` fails on a difference.
find_program(LL_CLANG_FORMAT clang-format)
if(LL_CLANG_FORMAT)
    file(GLOB_RECURSE LL_FORMAT_SOURCES CONFIGURE_DEPENDS
        ${PROJECT_SOURCE_DIR}/core/*.cpp ${PROJECT_SOURCE_DIR}/core/*.h
        ${PROJECT_SOURCE_DIR}/ui/*.cpp ${PROJECT_SOURCE_DIR}/ui/*.h
        ${PROJECT_SOURCE_DIR}/app/*.cpp ${PROJECT_SOURCE_DIR}/app/*.h
        ${PROJECT_SOURCE_DIR}/tests/*.cpp ${PROJECT_SOURCE_DIR}/tests/*.h
        ${PROJECT_SOURCE_DIR}/bench/*.cpp)
    add_custom_target(format COMMAND ${LL_CLANG_FORMAT} -i ${LL_FORMAT_SOURCES} VERBATIM)
    add_custom_target(format-check COMMAND ${LL_CLANG_FORMAT} --dry-run --Werror ${LL_FORMAT_SOURCES} VERBATIM)
endif()
