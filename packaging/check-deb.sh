#!/usr/bin/env bash
# ctest package_deb: `cpack -G DEB` of BUILD_DIR into a temporary directory, then checks the package: the file
# list (both executables in /usr/bin, desktop entry, metainfo, icon; nothing outside /usr), the control fields
# (Depends computed by dpkg-shlibdeps), and the binaries extracted with dpkg-deb -x resolve their libraries and
# answer --help. Exit 77 (skipped) when cpack or dpkg-deb is missing.
set -euo pipefail
BUILD_DIR="${1:?usage: check-deb.sh BUILD_DIR}"
APP_ID=io.github.layerslayer.Layerslayer
for tool in cpack dpkg-deb dpkg-shlibdeps; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "package_deb: $tool is missing: skipped"
        exit 77
    fi
done
tmp="$(mktemp -d "${TMPDIR:-/tmp}/ll-deb-test.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # check DESCRIPTION COMMAND...
    local what="$1"; shift
    if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fail=1; fi
}

start=$(date +%s)
if ! cpack -G DEB -B "$tmp/out" --config "$BUILD_DIR/CPackConfig.cmake" >"$tmp/cpack.log" 2>&1; then
    cat "$tmp/cpack.log"
    echo "FAIL: cpack -G DEB"
    exit 1
fi
debs=("$tmp"/out/*.deb)
check "cpack made exactly one .deb" test "${#debs[@]}" -eq 1 -a -f "${debs[0]}"
deb="${debs[0]}"
echo "package: $(basename "$deb"), $(stat -c %s "$deb") bytes, cpack took $(($(date +%s) - start)) s"

dpkg-deb -c "$deb" | awk '{print $NF}' >"$tmp/files"
has() { grep -qx "$1" "$tmp/files"; }
check "usr/bin/layerslayer" has ./usr/bin/layerslayer
check "usr/bin/layerslayer-cli" has ./usr/bin/layerslayer-cli
check "desktop entry" has "./usr/share/applications/$APP_ID.desktop"
check "AppStream metainfo" has "./usr/share/metainfo/$APP_ID.metainfo.xml"
check "scalable icon" has "./usr/share/icons/hicolor/scalable/apps/$APP_ID.svg"
check "nothing outside /usr" test -z "$(grep -v -e '^\./$' -e '^\./usr/' "$tmp/files" || true)"
check "no static libraries or headers shipped" test -z "$(grep -e '\.a$' -e '\.h$' -e '/include/' "$tmp/files" || true)"

depends="$(dpkg-deb -f "$deb" Depends)"
echo "Depends: $depends"
sed -e 's/ ([^)]*)//g' -e 's/, /\n/g' <<<"$depends" >"$tmp/depends"
for lib in libc6 libstdc++6 libqt6core6 libqt6network6 libqt6widgets6 libqt6svg6 libisal2 libzstd1 libssl3 zlib1g; do
    check "Depends names $lib" grep -qxF "$lib" "$tmp/depends"
done
check "Package: layerslayer" test "$(dpkg-deb -f "$deb" Package)" = layerslayer
check "Architecture is this machine's" test "$(dpkg-deb -f "$deb" Architecture)" = "$(dpkg --print-architecture)"

dpkg-deb -x "$deb" "$tmp/root"
for exe in layerslayer layerslayer-cli; do
    check "$exe is stripped" sh -c "! file -b '$tmp/root/usr/bin/$exe' | grep -q 'not stripped'"
    check "$exe: every library resolves" sh -c "! ldd '$tmp/root/usr/bin/$exe' | grep -q 'not found'"
done
check "layerslayer-cli --help from the package" sh -c "'$tmp/root/usr/bin/layerslayer-cli' --help >'$tmp/help' 2>&1"
check "  ... prints the usage" grep -q -- "--target-image" "$tmp/help"
check "layerslayer --help from the package" \
    sh -c "QT_QPA_PLATFORM=offscreen '$tmp/root/usr/bin/layerslayer' --help >'$tmp/guihelp' 2>&1"
check "  ... prints the usage" grep -q -- "--target" "$tmp/guihelp"
if command -v desktop-file-validate >/dev/null 2>&1; then
    check "installed desktop entry validates" \
        desktop-file-validate "$tmp/root/usr/share/applications/$APP_ID.desktop"
fi
exit "$fail"
