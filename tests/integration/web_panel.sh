#!/bin/sh
# web_panel.sh: the web touch panel in headless Chromium (Playwright): login, dial a directory entry,
# ringing/connected state by WebSocket events, mute, layout, hang up; saves a screenshot.
set -u
BIN=${RAKWON_BIN:-build/bin}
BUILD=${RAKWON_BUILD:-build}
[ -x "$BIN/rakwon-paneldemo" ] || { echo "rakwon-paneldemo not built"; exit 77; }
[ -x /usr/bin/chromium ] || { echo "chromium not installed (tools/deps.sh installs it)"; exit 77; }
command -v node >/dev/null || { echo "node not installed"; exit 77; }
if ! sh tests/web/install_playwright.sh build/npm >/dev/null 2>&1; then
	echo "cannot install playwright-core from npm"
	exit 77
fi
W=$(mktemp -d /tmp/rakwon-panel.XXXXXX)
PID=""
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
PW="panel-test-$$"
APW="panel-admin-$$"
printf 'operator:user:%s\nadmin:admin:%s\n' "$("$BIN/rakwon-paneldemo" --hash "$PW" 2000)" \
	"$("$BIN/rakwon-paneldemo" --hash "$APW" 2000)" > "$W/creds"
"$BIN/rakwon-paneldemo" --creds "$W/creds" --port 0 \
	--static rootfs/usr/share/rakwon-terminal/panel > "$W/out" 2> "$W/log" &
PID=$!
for _ in $(seq 50); do
	grep -q '^port ' "$W/out" 2>/dev/null && break
	sleep 0.1
done
PORT=$(sed -n 's/^port //p' "$W/out")
[ -n "$PORT" ] || { echo "FAIL: server did not start"; cat "$W/log"; exit 1; }
mkdir -p "$BUILD"
SHOT="$BUILD/web_panel.png"
timeout 90 node tests/web/panel_test.js "http://127.0.0.1:$PORT/" operator "$PW" "$SHOT" "$APW"
rc=$?
kill "$PID"
wait "$PID"
src=$?
PID=""
if [ $src != 0 ]; then
	echo "FAIL: server exit status $src"
	tail -30 "$W/log"
	exit 1
fi
if grep -q -e "$PW" -e "$APW" "$W/log"; then
	echo "FAIL: password in the server log"
	exit 1
fi
[ $rc = 0 ] || { echo "--- server log"; tail -20 "$W/log"; }
exit $rc
