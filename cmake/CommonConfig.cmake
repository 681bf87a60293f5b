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

