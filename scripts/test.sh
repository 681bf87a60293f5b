#!/usr/bin/env bash
# ./scripts/test.sh: set up (packages, build), then run the whole suite with ctest, including the
# integration tests against a real docker-registry that the suite starts on 127.0.0.1.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/setup.sh"
BUILD_DIR="${LL_BUILD_DIR:-$ROOT/build}"
cd "$BUILD_DIR"
ctest --output-on-failure --timeout 600 "$@"
