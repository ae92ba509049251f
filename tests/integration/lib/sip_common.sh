# sip_common.sh: helpers for the SIP integration tests (sourced): a scratch
# dir, a registrar on loopback ports, test UAs, waiting for event lines.
set -u
BIN=${RAKWON_BIN:-build/bin}
W=$(mktemp -d /tmp/rakwon-sip-XXXXXX)
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	[ "${KEEP:-0}" = 1 ] || rm -rf "$W"
}
trap cleanup EXIT INT TERM
fail() { echo "FAIL: $*"; for f in "$W"/*.out; do echo "--- $f"; tail -n 20 "$f"; done; exit 1; }
ok() { echo "ok: $*"; }
skip() { echo "$*"; exit 77; }
# wait_for SECS CMD...: poll CMD every 0.1 s
wait_for() {
	n=$(($1 * 10)); shift
	while [ $n -gt 0 ]; do "$@" && return 0; sleep 0.1; n=$((n - 1)); done
	return 1
}
has() { grep -q "$2" "$W/$1.out" 2>/dev/null; }
count() { grep -c "$2" "$W/$1.out" 2>/dev/null || true; }
# a free-ish port base for this run (each registrar takes P and P+1)
PBASE=$((24000 + ($$ % 400) * 20))
# start_reg NAME PORT [args]: registrar with UDP+TCP on PORT, TLS on PORT+1
start_reg() {
	n=$1; p=$2; shift 2
	[ -f "$W/ca.pem" ] || "$BIN/rakwon-sipregistrar" --gen-pki "$W" || fail "gen-pki"
	"$BIN/rakwon-sipregistrar" --udp 127.0.0.1:$p --tcp 127.0.0.1:$p --tls 127.0.0.1:$((p + 1)) \
		--cert "$W/srv.pem" --key "$W/srv.key" --ca "$W/ca.pem" --time-limit 50 "$@" \
		> "$W/$n.out" 2>&1 &
	PIDS="$PIDS $!"
	wait_for 5 has "$n" READY || fail "registrar $n did not start"
}
# start_ua NAME [args]: a rakwon-sipua in the background
start_ua() {
	n=$1; shift
	"$BIN/rakwon-sipua" --ca "$W/ca.pem" --time-limit 30 "$@" > "$W/$n.out" 2>&1 &
	PIDS="$PIDS $!"
	eval "PID_$n=$!"
}
# wait_exit NAME SECS: the UA process ends by itself
wait_exit() {
	wait_for "$2" has "$1" "^EXIT" || fail "$1 did not finish"
}
