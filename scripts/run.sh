#!/usr/bin/env bash
# ./scripts/run.sh [IMAGE]: set up (packages, build) and launch the Layerslayer GUI.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/setup.sh"
BUILD_DIR="${LL_BUILD_DIR:-$ROOT/build}"
if [ $# -ge 1 ]; then
    exec "$BUILD_DIR/app/layerslayer" -t "$1" "${@:2}"
fi
exec "$BUILD_DIR/app/layerslayer"
