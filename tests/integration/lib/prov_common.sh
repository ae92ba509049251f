# prov_common.sh: helpers for the tests/integration/prov_*.sh scripts (sourced).
# Starts rakwon-provd and rakwon-provagent instances in a scratch directory and
# kills exactly the processes it started (by pid) on exit.
set -u
BIN=${RAKWON_BIN:-$(pwd)/build/bin}
for b in rakwon-provd rakwon-provctl rakwon-provagent; do
	[ -x "$BIN/$b" ] || { echo "$BIN/$b not built"; exit 77; }
done
W=$(mktemp -d /tmp/rakwon-prov-XXXXXX)
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	sleep 0.3
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	if [ "${KEEP:-0}" = 1 ]; then echo "kept $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in "$W"/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 15 "$f"; }; done; exit 1; }
ok() { echo "ok: $*"; }

# wait_for SECONDS CMD...: true once CMD succeeds
wait_for() {
	t=$1; shift
	i=0
	while [ $i -lt $((t * 10)) ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

# start_provd NAME [key=value...]: sets URL_<NAME>, and PROVD_PID_<NAME>
start_provd() {
	n=$1; shift
	mkdir -p "$W/$n"
	rm -f "$W/$n/provd.port"
	"$BIN/rakwon-provd" state_dir="$W/$n" port="${PORT_FIXED:-0}" server_name=127.0.0.1 \
		poll_interval=1 "$@" >> "$W/$n.log" 2>&1 &
	pid=$!
	PIDS="$PIDS $pid"
	eval "PROVD_PID_$n=$pid"
	wait_for 20 test -s "$W/$n/provd.port" || fail "provd $n did not start"
	eval "URL_$n=https://127.0.0.1:$(cat "$W/$n/provd.port")"
}

# ctl NAME METHOD PATH [JSON]: admin CLI against provd NAME
ctl() {
	n=$1; shift
	eval "u=\$URL_$n"
	"$BIN/rakwon-provctl" --url "$u" --ca "$W/$n/ca.pem" --token-file "$W/$n/admin.token" "$@"
}

# start_agent NAME SERVER [agent options...]: sets AGENT_PID_<NAME>; files in $W/<NAME>/
start_agent() {
	n=$1; s=$2; shift 2
	mkdir -p "$W/$n"
	eval "u=\$URL_$s"
	"$BIN/rakwon-provagent" --url "$u" --state "$W/$n" --config "$W/$n/terminal.conf" \
		--serial "$n" --poll 1 --backoff-max 2 "$@" >> "$W/$n.log" 2>&1 &
	pid=$!
	PIDS="$PIDS $pid"
	eval "AGENT_PID_$(echo "$n" | tr -c 'A-Za-z0-9_\n' '_')=$pid"
}

stop_pid() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; return 0; }

# status NAME KEY: a value from the agent's status file
status() { sed -n "s/^$2=//p" "$W/$1/agent.status" 2>/dev/null; }
status_is() { [ "$(status "$1" "$2")" = "$3" ]; }
status_ge() { v=$(status "$1" "$2"); [ -n "$v" ] && [ "$v" -ge "$3" ]; }
status_has() { status "$1" "$2" | grep -q -- "$3"; }
