#!/bin/sh
# prov_terminals: provisioning end to end on loopback: rakwon-provd, a SIP
# registrar and three terminals with fake devices. Each terminal enrolls with
# a one-time token, receives its room name, SIP account and directory,
# registers; one calls another from the provisioned directory. A change
# reaches a device within a poll; a device in a call defers it until the call
# ends; a configuration under which registration fails is rolled back.
. tests/lib/common.sh
. tests/lib/terminal.sh
for b in rakwon-provd rakwon-provctl rakwon-sipregistrar; do [ -x "$BIN/$b" ] || fail "$b not built"; done
wait_for() { t=$1; shift; i=0; while [ $i -lt $((t * 10)) ]; do "$@" > /dev/null 2>&1 && return 0; sleep 0.1; i=$((i + 1)); done; return 1; }
mkdir -p "$W/S"
"$BIN/rakwon-provd" state_dir="$W/S" port=0 server_name=127.0.0.1 poll_interval=1 > "$W/provd.log" 2>&1 &
PIDS="$PIDS $!"
wait_for 20 test -s "$W/S/provd.port" || fail "provd did not start"
URL=https://127.0.0.1:$(cat "$W/S/provd.port")
adm() { "$BIN/rakwon-provctl" --url "$URL" --ca "$W/S/ca.pem" --token-file "$W/S/admin.token" "$@"; }
"$BIN/rakwon-sipregistrar" --udp 127.0.0.1:18500 --alg sha256 --user ra:pw-a --user rb:pw-b --user rc:pw-c \
	--time-limit 200 > "$W/reg.out" 2> "$W/reg.err" &
PIDS="$PIDS $!"
wait_for 5 grep -q READY "$W/reg.out" || fail "registrar did not start"
TPL='room.name = ${room}\nsip.aor = sip:${serial}@127.0.0.1\nsip.password = ${sippw}\nsip.registrar = 127.0.0.1:18500\ndirectory = Room A <sip:ra@127.0.0.1:18500>, Room B <sip:rb@127.0.0.1:18500>, Room C <sip:rc@127.0.0.1:18500>\n'
adm POST /v1/admin/profiles "{\"name\":\"room\",\"template\":\"$TPL\"}" > /dev/null || fail "profile"
for d in a b c; do
	up=$(echo $d | tr a-z A-Z)
	adm POST /v1/admin/devices "{\"serial\":\"r$d\",\"profile\":\"room\"}" > /dev/null || fail "device r$d"
	adm POST /v1/admin/overrides "{\"scope\":\"device:r$d\",\"key\":\"room\",\"value\":\"Room $up\"}" > /dev/null || fail "override"
	adm POST /v1/admin/overrides "{\"scope\":\"device:r$d\",\"key\":\"sippw\",\"value\":\"pw-$d\"}" > /dev/null || fail "override"
	tok=$(adm POST /v1/admin/tokens "{\"serial\":\"r$d\"}" | sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p')
	[ -n "$tok" ] || fail "no token for r$d"
	port=$((18560 + 10 * $(printf '%d' "'$d" | awk '{print $1 - 97}')))
	aa=off; [ $d = b ] && aa=on
	term_start r$d $port $((41000 + 200 * $(printf '%d' "'$d" | awk '{print $1 - 97}'))) \
		-s media.encryption=off -s "state.dir=$W/r$d-state" -s "prov.server=$URL" -s prov.serial=r$d \
		-s "prov.token=$tok" -s "prov.ca=$W/S/ca.pem" -s prov.poll_s=1 -s call.auto_answer=$aa \
		-s call.auto_answer_delay_ms=200
done
for d in a b c; do
	up=$(echo $d | tr a-z A-Z)
	rc r$d wait registration.registered=true 30 || { rc r$d status; tail -20 "$W/r$d.log"; fail "r$d was not provisioned and registered"; }
	rc r$d wait "room=Room $up" 5 || fail "r$d has no provisioned room name"
done
grep -q "r[abc].*enrolled\|enroll" "$W/provd.log" || true
note "three terminals enrolled with tokens, provisioned (room, SIP account) and registered"
rc ra directory > "$W/dir.json"
uri=$(json "$W/dir.json" "[e['uri'] for e in d if e['name'] == 'Room B'][0]") || fail "no Room B in the provisioned directory"
rc ra dial "uri=$uri" > /dev/null || fail "dial from the directory"
wait_state ra connected 10
wait_state rb connected 10
note "Room A called Room B from the provisioned directory ($uri)"
# a change for a device in a call waits for the end of the call
rc rc watch 60 > "$W/rc.events" &
PIDS="$PIDS $!"
sleep 0.3
adm POST /v1/admin/overrides '{"scope":"device:ra","key":"room","value":"Room A2"}' > /dev/null
adm POST /v1/admin/overrides '{"scope":"device:rc","key":"room","value":"Room C2"}' > /dev/null
rc rc wait "room=Room C2" 5 || fail "idle device rc did not get the change within a few polls"
sleep 2
rc ra wait "room=Room A" 1 || fail "ra applied a change during its call"
rc ra hangup > /dev/null
wait_state ra idle
rc ra wait "room=Room A2" 10 || fail "ra did not apply the deferred change after the call"
rc ra wait registration.registered=true 10 || fail "ra not registered after the change"
note "change reached idle rc within seconds; ra deferred it until its call ended"
# the control API's events of provisioning, as a panel subscribed to rc saw them
for e in '"event":"provisioning"' '"event":"config_applied"' '"event":"registration".*"registered":true'; do
	wait_for 10 grep -q "$e" "$W/rc.events" || fail "rc sent no $e event (events: $(cat "$W/rc.events"))"
done
note "events at rc: provisioning, config_applied, registration (registered)"
# a configuration under which SIP registration fails is rolled back
adm POST /v1/admin/overrides '{"scope":"device:rc","key":"sippw","value":"wrong"}' > /dev/null
wait_for 60 grep -q "rolled back\|rollback" "$W/rc.log" || { tail -30 "$W/rc.log"; fail "no rollback of a configuration that cannot register"; }
rc rc wait registration.registered=true 20 || fail "rc did not come back registered with the last-known-good"
grep -q "sip.password = pw-c" "$W/rc-state/provisioned.conf" || fail "last-known-good not restored on disk"
note "configuration with a wrong SIP password: registration failed, rolled back, registered again"
