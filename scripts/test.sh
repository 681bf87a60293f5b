#!/usr/bin/env bash
# ./scripts/test.sh: set up (packages, build), then run the whole suite with ctest, including the
# integration tests against a real docker-registry that the suite starts on 127.0.0.1.
# Then the suite once more under AddressSanitizer + UBSan, in a core-only build (LL_BUILD_GUI=OFF, which
# also proves that core, the CLI and their tests build without Qt Widgets). LL_SKIP_SANITIZE=1 skips it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/setup.sh"
BUILD_DIR="${LL_BUILD_DIR:-$ROOT/build}"
(cd "$BUILD_DIR" && ctest --output-on-failure --timeout 600 "$@")

if [ "${LL_SKIP_SANITIZE:-0}" != "1" ]; then
    ASAN_DIR="${LL_ASAN_BUILD_DIR:-$ROOT/build-asan}"
    echo "test.sh: core-only build under ASan+UBSan in $ASAN_DIR" >&2
    if [ ! -f "$ASAN_DIR/CMakeCache.txt" ]; then
        cmake -S "$ROOT" -B "$ASAN_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLL_SANITIZE=ON \
            -DLL_BUILD_GUI=OFF -DLL_BUILD_BENCH=OFF >/dev/null
    fi
    cmake --build "$ASAN_DIR" --parallel "$(nproc)"
    (cd "$ASAN_DIR" && UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ctest --output-on-failure --timeout 900 "$@")
fi
