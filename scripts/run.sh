#!/usr/bin/env bash
# ./scripts/run.sh [IMAGE [GUI options]]: set up (packages, build) and launch the Layerslayer GUI.
# Without IMAGE, starts (or reuses) the offline demo registry on 127.0.0.1, seeded with sample images built from
# this machine's files (scripts/demo-registry.py), and opens its demo/debian-base:12. LL_NO_DEMO=1 skips the demo.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/setup.sh"
BUILD_DIR="${LL_BUILD_DIR:-$ROOT/build}"
GUI="$BUILD_DIR/app/layerslayer"
if [ $# -ge 1 ]; then
    case "$1" in
        -*) exec "$GUI" "$@" ;;
        *) exec "$GUI" -t "$1" "${@:2}" ;;
    esac
fi
if [ "${LL_NO_DEMO:-0}" != 1 ]; then
    if hostport="$(python3 "$ROOT/scripts/demo-registry.py" start)" && [ -n "$hostport" ]; then
        ref="$hostport/demo/debian-base:12"
        echo "run.sh: no image given: the offline demo registry serves $hostport (demo/debian-base:12," \
             "demo/python:3.11, demo/multi:1.0, built from this machine's files); opening $ref" >&2
        echo "run.sh: the demo registry keeps running in the background; stop it with:" \
             "$ROOT/scripts/demo-registry.py stop" >&2
        exec "$GUI" -t "$ref"
    fi
    echo "run.sh: the demo registry did not start (see above); opening an empty window" >&2
fi
exec "$GUI"
