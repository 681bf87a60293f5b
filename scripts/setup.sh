#!/usr/bin/env bash
# Shared set-up for run.sh and test.sh: installs the Debian packages the build and the tests need
# (when missing), then configures and builds into build/. Safe to run repeatedly: when every package is
# installed it makes no apt call at all (offline runs work).
#   scripts/setup.sh --check   only lists the packages that are missing (exit 1 if any), installs nothing
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${LL_BUILD_DIR:-$ROOT/build}"

PACKAGES=(
    build-essential cmake ninja-build pkg-config ccache
    qt6-base-dev qt6-base-dev-tools qt6-svg-dev libgl-dev
    zlib1g-dev libzstd-dev libisal-dev libssl-dev zstd isal
    python3 python3-cryptography
    libarchive-tools busybox pigz
    docker-registry skopeo apache2-utils curl
    golang-1.19-go golang-github-containerd-stargz-snapshotter-dev
    xvfb xauth imagemagick
    appstream desktop-file-utils file
)

# Real package names only: dpkg-query never reports a virtual name (e.g. libqt6svg6-dev) as installed,
# which would make every run call apt-get.
missing=()
for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
if [ "${1:-}" = "--check" ]; then
    if ((${#missing[@]})); then
        echo "setup: missing ${missing[*]}" >&2
        exit 1
    fi
    exit 0
fi
if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}" >&2
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The Debian registry package starts a system service on :5000; the tests start their own.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet docker-registry 2>/dev/null; then
    systemctl stop docker-registry 2>/dev/null || true
fi

GENERATOR=()
if command -v ninja >/dev/null 2>&1; then GENERATOR=(-G Ninja); fi
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
    cmake -S "$ROOT" -B "$BUILD_DIR" "${GENERATOR[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo ${LL_CMAKE_ARGS:-}
fi
cmake --build "$BUILD_DIR" --parallel "$(nproc)"
