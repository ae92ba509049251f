#!/bin/sh
# prov_atomic.sh: a process killed while writing the configuration leaves the
# old or the new file intact: fault injection at every step of the client's
# write (temp half-written, before fsync, before rename, before the directory
# fsync), and SIGKILL at random moments of a writer loop.
. tests/integration/lib/prov_common.sh

start_provd S
ctl S POST /v1/admin/profiles '{"name":"p","template":"v = ${v}\npad = ${pad}\n"}' >/dev/null || fail "profile"
PAD=$(head -c 1000 /dev/zero | tr '\0' 'p')
ctl S POST /v1/admin/overrides "{\"scope\":\"global\",\"key\":\"pad\",\"value\":\"$PAD\"}" >/dev/null || fail "pad"
ctl S POST /v1/admin/devices '{"serial":"k1","profile":"p"}' >/dev/null || fail "approve"
v=1
ctl S POST /v1/admin/overrides "{\"scope\":\"global\",\"key\":\"v\",\"value\":\"$v\"}" >/dev/null || fail "v"
start_agent k1 S --exit-after 1
wait_for 20 grep -q "^v = 1$" "$W/k1/terminal.conf" || fail "first config"
wait "$AGENT_PID_k1" 2>/dev/null
expect() { printf 'v = %s\npad = %s\n' "$1" "$PAD"; }
applied=1
for step in 1 2 3 4; do
	old=$applied; v=$((v + 1))
	ctl S POST /v1/admin/overrides "{\"scope\":\"global\",\"key\":\"v\",\"value\":\"$v\"}" >/dev/null || fail "v"
	"$BIN/rakwon-provagent" --url "$URL_S" --state "$W/k1" --config "$W/k1/terminal.conf" \
		--serial k1 --poll 1 --fault-step $step >> "$W/k1.log" 2>&1 &
	pid=$!; PIDS="$PIDS $pid"
	wait $pid; rc=$?
	[ $rc = 99 ] || fail "fault step $step: agent exited $rc, not at the fault"
	got=$(cat "$W/k1/terminal.conf")
	if [ "$got" = "$(expect $old)" ]; then which=old
	elif [ "$got" = "$(expect $v)" ]; then which=new
	else fail "fault step $step: config is neither old nor new"; fi
	case $step in 1|2|3) [ $which = old ] || fail "step $step: expected the old config";;
	4) [ $which = new ] || fail "step 4: expected the new config"; applied=$v;; esac
	ok "killed at write step $step: $which config intact"
done
# and it recovers: the next run applies the current one
start_agent k1 S --exit-after 1
wait_for 20 grep -q "^v = $v$" "$W/k1/terminal.conf" || fail "no recovery after the faults"
ok "recovered after the faults"

# random SIGKILLs of a writer that alternates two 64 KiB contents
F="$W/atomic.conf"
"$BIN/rakwon-provagent" --atomic-loop "$F" --state "$W" --config "$F" --serial x &
pid=$!; PIDS="$PIDS $pid"
wait_for 10 test -s "$F" || fail "writer did not start"
i=0
while [ $i -lt 25 ]; do
	sleep 0.0$(( $(od -An -N1 -tu1 /dev/urandom) % 9 + 1 ))
	kill -9 $pid; wait $pid 2>/dev/null
	n=$(wc -c < "$F"); u=$(tr -d 'A\n' < "$F" | wc -c); w=$(tr -d 'B\n' < "$F" | wc -c)
	[ "$n" = 65535 ] || fail "kill $i: size $n"
	[ "$u" = 0 ] || [ "$w" = 0 ] || fail "kill $i: mixed content"
	"$BIN/rakwon-provagent" --atomic-loop "$F" --state "$W" --config "$F" --serial x &
	pid=$!; PIDS="$PIDS $pid"
	i=$((i + 1))
done
kill -9 $pid
ok "25 random SIGKILLs during rewrites: always one whole version"
exit 0
