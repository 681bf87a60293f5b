#!/usr/bin/env bash
# Manual end-to-end check of drag-to-save (XDND, text/uri-list) under Xvfb. Not part of ctest: it needs X,
# xdotool, ImageMagick and optionally pcmanfm, and it is timing-dependent. See tests/manual/README.md.
#
#   tests/manual/drag-check.sh [--targets "qt pcmanfm"] [--app PATH] [--slow-ms N] [--hover S] [--keep]
#
# Starts the registry harness, a private Xvfb, the GUI on lab/app:1.0, a Qt drop target (drop_target.cpp, built
# here with g++) and pcmanfm; drives real drags with xdotool (mousedown on a file-tree row, mousemove in steps,
# mouseup over the target) and compares what landed with the sha256 in fixtures.json. Prints PASS/FAIL per case.
# --slow-ms N: blob requests go through the harness fault proxy, each answered N ms late (set after the
# listing), so staging happens while the target waits (Qt targets give up after 5 s).
# --hover S: seconds the pointer rests over the target before the button is released (default 1).
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
APP=${LL_GUI:-$REPO/build/app/layerslayer}
TARGETS="qt pcmanfm"
SLOW_MS=0
HOVER_S=1
KEEP=0
while [ $# -gt 0 ]; do
    case "$1" in
    --targets) TARGETS=$2; shift 2 ;;
    --app) APP=$2; shift 2 ;;
    --slow-ms) SLOW_MS=$2; shift 2 ;;
    --hover) HOVER_S=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h | --help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

for tool in Xvfb xdotool import convert g++ pkg-config python3 curl; do
    command -v "$tool" >/dev/null || { echo "FAIL: $tool not found (apt-get install -y xvfb xdotool imagemagick)"; exit 2; }
done
[ -x "$APP" ] || { echo "FAIL: GUI binary not found: $APP (build it, or pass --app)"; exit 2; }
if [[ " $TARGETS " == *" pcmanfm "* ]] && ! command -v pcmanfm >/dev/null; then
    echo "note: pcmanfm not installed, skipping its cases (apt-get install -y pcmanfm)"
    TARGETS=${TARGETS//pcmanfm/}
fi

WORK=$(mktemp -d /tmp/ll-drag-check.XXXXXX)
SHOTS=$WORK/shots
mkdir -p "$SHOTS" "$WORK/tmp" "$WORK/xdg/config" "$WORK/xdg/cache" "$WORK/xdg/data" "$WORK/xdg/run"
chmod 700 "$WORK/xdg/run"
PIDS=()
HARNESS_UP=0

cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null
    done
    sleep 0.5
    for pid in "${PIDS[@]}"; do
        kill -9 "$pid" 2>/dev/null
    done
    [ "$HARNESS_UP" = 1 ] && python3 "$REPO/tests/support/harness.py" stop --state-dir "$WORK/harness" >/dev/null 2>&1
    if [ "$KEEP" = 1 ]; then
        echo "kept: $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "[drag-check] $*"; }

# --- the Qt drop target -------------------------------------------------------------------------------------
log "building drop_target"
# shellcheck disable=SC2046
g++ -std=c++17 -O1 -fPIC -Wall -Wextra $(pkg-config --cflags Qt6Widgets) "$REPO/tests/manual/drop_target.cpp" \
    -o "$WORK/drop_target" $(pkg-config --libs Qt6Widgets) || { echo "FAIL: drop_target did not build"; exit 1; }

# --- registry -------------------------------------------------------------------------------------------------
log "starting the registry harness"
python3 "$REPO/tests/support/harness.py" start --state-dir "$WORK/harness" >"$WORK/harness.log" 2>&1 ||
    { cat "$WORK/harness.log"; echo "FAIL: harness did not start"; exit 1; }
HARNESS_UP=1
STATE=$WORK/harness/state.json
FIXTURES=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["fixtures"])' "$STATE")
if [ "$SLOW_MS" -gt 0 ]; then
    HOST=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["proxy"])' "$STATE")
else
    HOST=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["anon"])' "$STATE")
fi

# expected <image path> -> sha256 of the merged file, from fixtures.json
expected() {
    python3 - "$FIXTURES" "$1" <<'EOF'
import json, sys
rec = json.load(open(sys.argv[1]))["fixtures"]["lab/app:1.0"]
for e in rec["merged"]:
    if e["path"] == sys.argv[2]:
        print(e.get("sha256") or ("link:" + e.get("link", "")) if e["type"] != "dir" else "dir")
        break
EOF
}

# --- X server -------------------------------------------------------------------------------------------------
exec 5>"$WORK/display"
Xvfb -displayfd 5 -screen 0 1920x1080x24 -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
PIDS+=($!)
exec 5>&-
for _ in $(seq 50); do
    [ -s "$WORK/display" ] && break
    sleep 0.1
done
[ -s "$WORK/display" ] || { echo "FAIL: Xvfb did not start"; exit 1; }
DISPLAY=:$(head -1 "$WORK/display")
export DISPLAY
log "Xvfb on $DISPLAY"

# A fresh profile: no restored window layout, staging directory below $WORK/tmp.
export XDG_CONFIG_HOME=$WORK/xdg/config XDG_CACHE_HOME=$WORK/xdg/cache XDG_DATA_HOME=$WORK/xdg/data
export XDG_RUNTIME_DIR=$WORK/xdg/run TMPDIR=$WORK/tmp HOME=$WORK/xdg

shot() { import -window root "$SHOTS/$1.png" 2>/dev/null; }
# alive <pid>: running and not a zombie
alive() { [ -r "/proc/$1/status" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status"; }

# --- the GUI --------------------------------------------------------------------------------------------------
log "starting $APP -t $HOST/lab/app:1.0"
QT_LOGGING_RULES="ll.ui*=true;ll.extract=true${DRAG_CHECK_LOG:+;$DRAG_CHECK_LOG}" "$APP" -t "$HOST/lab/app:1.0" >"$WORK/app.log" 2>&1 &
APP_PID=$!
PIDS+=("$APP_PID")
for _ in $(seq 300); do
    grep -q "filter index" "$WORK/app.log" && break
    sleep 0.1
done
grep -q "filter index" "$WORK/app.log" || { shot no-listing; echo "FAIL: the image was not listed (see $WORK/app.log)"; KEEP=1; exit 1; }
sleep 1
if [ "$SLOW_MS" -gt 0 ]; then
    curl -s -X POST -H 'Content-Type: application/json' \
        -d "{\"clear\": true, \"faults\": [{\"type\": \"slow\", \"path\": \"/blobs/\", \"count\": 0, \"latency_ms\": $SLOW_MS}]}" \
        "http://$HOST/__control" >/dev/null
    log "blob requests now answered $SLOW_MS ms late"
fi

# --- drop targets ---------------------------------------------------------------------------------------------
# The GUI takes 1440x900 at 0,0 (no window manager); the targets sit to its right.
QT_DEST=$WORK/qt-drop
QT_RECT=(1480 60 420 420)
if [[ " $TARGETS " == *" qt "* ]]; then
    "$WORK/drop_target" "$QT_DEST" "${QT_RECT[@]}" >"$WORK/drop_target.log" 2>&1 &
    PIDS+=($!)
fi
PC_DEST=$WORK/pcmanfm-drop
PC_RECT=(1480 520 420 480)
if [[ " $TARGETS " == *" pcmanfm "* ]]; then
    mkdir -p "$PC_DEST"
    pcmanfm --no-desktop "$PC_DEST" >"$WORK/pcmanfm.log" 2>&1 &
    PC_PID=$!
    PIDS+=("$PC_PID")
    PC_WIN=$(timeout 20 xdotool search --sync --onlyvisible --pid "$PC_PID" 2>/dev/null | head -1)
    [ -n "$PC_WIN" ] || { echo "FAIL: no pcmanfm window"; exit 1; }
    xdotool windowmove "$PC_WIN" "${PC_RECT[0]}" "${PC_RECT[1]}" windowsize "$PC_WIN" "${PC_RECT[2]}" "${PC_RECT[3]}"
fi
sleep 2

# selectRow <image path>: focuses the file tree, walks the path with keyboard search, prints the row's y.
TREE_X=600      # inside the Name column of the file tree (default layout, 1440x900 window)
TREE_FIRST_Y=114 # first row of the tree
selectRow() {
    local path=$1 part
    local -a parts
    IFS=/ read -r -a parts <<<"$path"
    xdotool mousemove "$TREE_X" "$TREE_FIRST_Y" click 1
    sleep 0.6
    for ((i = 0; i < ${#parts[@]}; i++)); do
        part=${parts[$i]}
        xdotool type --delay 60 "$part"
        sleep 0.7 # let the view's keyboard-search prefix expire
        if ((i + 1 < ${#parts[@]})); then
            xdotool key Right
            sleep 0.5
        fi
    done
    shot "select-${path//\//_}"
    # The selected row is the run of highlight-blue pixels in the Name column.
    convert "$SHOTS/select-${path//\//_}.png" -crop "1x700+$TREE_X+90" txt:- | python3 -c '
import re, sys
ys = []
for line in sys.stdin:
    m = re.match(r"0,(\d+): \((\d+),(\d+),(\d+)", line)
    if m:
        y, r, g, b = map(int, m.groups())
        if b > 150 and r < 100 and b - r > 90:
            ys.append(y)
print(90 + (ys[0] + ys[-1]) // 2 if ys and ys[-1] - ys[0] < 30 else "")
'
}

# drag <y> <x> <y>: a real drag from (TREE_X, y) to (x, y), in steps, hovering over the target.
drag() {
    local fromY=$1 toX=$2 toY=$3 i
    xdotool mousemove "$TREE_X" "$fromY"
    sleep 0.3
    xdotool mousedown 1
    for i in $(seq 1 16); do
        xdotool mousemove $((TREE_X + (toX - TREE_X) * i / 16)) $((fromY + (toY - fromY) * i / 16))
        sleep 0.08
    done
    sleep "$HOVER_S" # pcmanfm asks for the data while hovering
    xdotool mousemove $((toX + 3)) $((toY + 3))
    sleep 0.3
    shot "hover-$CASE"
    xdotool mouseup 1
}

# compareTree <dest> <image path>: every merged entry under the path vs. what landed under dest/<basename>.
compareTree() {
    python3 - "$FIXTURES" "$1" "$2" <<'EOF'
import hashlib, json, os, sys
rec = json.load(open(sys.argv[1]))["fixtures"]["lab/app:1.0"]
dest, top = sys.argv[2], sys.argv[3]
base = os.path.join(dest, os.path.basename(top))
bad = 0
for e in rec["merged"]:
    p = e["path"]
    if not p.startswith(top + "/"):
        continue
    local = os.path.join(base, p[len(top) + 1:])
    if e["type"] == "file":
        got = hashlib.sha256(open(local, "rb").read()).hexdigest() if os.path.isfile(local) else "missing"
        ok = got == e["sha256"]
        print("  %-4s %-22s sha256 expected %s got %s" % ("ok" if ok else "BAD", p, e["sha256"][:16], got[:16]))
    elif e["type"] == "symlink":
        got = os.readlink(local) if os.path.islink(local) else "missing"
        ok = got == e["link"]
        print("  %-4s %-22s link expected %s got %s" % ("ok" if ok else "BAD", p, e["link"], got))
    else:
        ok = os.path.isdir(local)
        print("  %-4s %-22s %s" % ("ok" if ok else "BAD", p, e["type"]))
    bad += not ok
extra = sorted(set(os.listdir(base)) - {e["path"][len(top) + 1:].split("/")[0] for e in rec["merged"]
                                         if e["path"].startswith(top + "/")}) if os.path.isdir(base) else []
for x in extra:
    print("  BAD  unexpected %s/%s" % (top, x))
sys.exit(1 if bad or extra or not os.path.isdir(base) else 0)
EOF
}

RESULTS=()
FAILED=0
WAIT_S=$((20 + SLOW_MS * 8 / 1000))

# runCase <name> <image path> <target: qt|pcmanfm>
runCase() {
    CASE=$1
    local path=$2 target=$3 dest x y y0 want got deadline
    if [ "$target" = qt ]; then
        dest=$QT_DEST
        x=$((QT_RECT[0] + QT_RECT[2] / 2)) y=$((QT_RECT[1] + QT_RECT[3] / 2))
    else
        dest=$PC_DEST
        x=$((PC_RECT[0] + PC_RECT[2] / 2)) y=$((PC_RECT[1] + PC_RECT[3] / 2))
    fi
    log "case $CASE: drag $path onto $target"
    y0=$(selectRow "$path")
    if [ -z "$y0" ]; then
        RESULTS+=("FAIL $CASE: could not find the selected row of $path (see $SHOTS/select-*.png)")
        FAILED=1
        KEEP=1
        return
    fi
    drag "$y0" "$x" "$y"
    want=$(expected "$path")
    local name=${path##*/}
    deadline=$((SECONDS + WAIT_S))
    got=missing
    while [ $SECONDS -lt $deadline ]; do
        alive "$APP_PID" || break
        if [ "$want" = dir ]; then
            [ -d "$dest/$name" ] && sleep 1 && break
        elif [ -f "$dest/$name" ]; then
            got=$(sha256sum "$dest/$name" | cut -d' ' -f1)
            [ "$got" = "$want" ] && break
        fi
        sleep 0.5
    done
    sleep 0.5
    shot "after-$CASE"
    if ! alive "$APP_PID"; then
        RESULTS+=("FAIL $CASE: the GUI died during the drag (see $WORK/app.log)")
        FAILED=1
        KEEP=1
        return
    fi
    if [ "$want" = dir ]; then
        if compareTree "$dest" "$path"; then
            RESULTS+=("PASS $CASE: directory $path landed in $target with every file's sha256 right")
        else
            RESULTS+=("FAIL $CASE: directory $path in $target differs (listing above)")
            FAILED=1
        fi
    elif [ "$got" = "$want" ]; then
        RESULTS+=("PASS $CASE: $path -> $target: sha256 expected $want got $got")
    else
        RESULTS+=("FAIL $CASE: $path -> $target: sha256 expected $want got $got")
        FAILED=1
    fi
}

if [[ " $TARGETS " == *" qt "* ]]; then
    runCase qt-file etc/passwd qt
    sed 's/^/  drop_target: /' "$WORK/drop_target.log" | grep -v XDG_RUNTIME
fi
if [[ " $TARGETS " == *" pcmanfm "* ]]; then
    runCase pcmanfm-file etc/os-release pcmanfm
    runCase pcmanfm-dir etc pcmanfm
fi
grep -E "staged|deleted while staging|failed" "$WORK/app.log" | sed 's/^/  app: /'

echo
for r in "${RESULTS[@]}"; do
    echo "$r"
done
[ ${#RESULTS[@]} -gt 0 ] || { echo "FAIL: no case ran"; FAILED=1; }
if [ "$FAILED" = 0 ]; then
    echo "PASS: drag-to-save ($(echo "$TARGETS" | xargs), slow-ms $SLOW_MS, hover $HOVER_S s)"
else
    KEEP=1
    echo "FAIL: drag-to-save ($(echo "$TARGETS" | xargs), slow-ms $SLOW_MS, hover $HOVER_S s); screenshots and logs in $WORK"
fi
[ "$KEEP" = 1 ] && echo "screenshots: $SHOTS"
exit $FAILED
