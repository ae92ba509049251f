#!/bin/sh
# ctrl_ws.sh: the WebSocket control API (tp_ws) against rakwon-paneldemo: handshake, logins and roles,
# malformed input, fragmentation, 200 concurrent subscribers, rate limit, no secrets in logs.
set -u
BIN=${RAKWON_BIN:-build/bin}
[ -x "$BIN/rakwon-paneldemo" ] || { echo "rakwon-paneldemo not built"; exit 77; }
command -v python3 >/dev/null || { echo "python3 missing"; exit 77; }
W=$(mktemp -d /tmp/rakwon-ctrlws.XXXXXX)
trap 'rm -rf "$W"' EXIT
RAKWON_BIN=$BIN python3 tests/integration/lib/ws_test.py "$W"
