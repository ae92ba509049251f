#!/bin/sh
# prov_poll.sh: a profile change reaches a polling client within one poll; a
# change waits while a call is active; a config that breaks SIP registration is
# rolled back to the last-known-good; a provd restart loses nothing.
. tests/integration/lib/prov_common.sh

start_provd S
ctl S POST /v1/admin/profiles '{"name":"room","template":"sip.server = ${sip.server}\nroom = ${serial}\n"}' >/dev/null ||
	fail "profile"
ctl S POST /v1/admin/overrides '{"scope":"global","key":"sip.server","value":"sip1.example.org"}' >/dev/null || fail "var"
ctl S POST /v1/admin/devices '{"serial":"r1","profile":"room"}' >/dev/null || fail "approve"
touch "$W/incall"; rm -f "$W/incall"
start_agent r1 S --in-call-file "$W/incall" --unregistered-file "$W/unreg" \
	--fail-apply-file "$W/failapply"
wait_for 20 grep -q "sip1.example.org" "$W/r1/terminal.conf" || fail "first config"
wait_for 10 status_ge r1 not_modified 1 || fail "no 304 poll"
ok "provisioned, then polling with ETag (304)"

# profile change within one poll
p0=$(status r1 polls)
ctl S POST /v1/admin/overrides '{"scope":"profile:room","key":"sip.server","value":"sip2.example.org"}' >/dev/null ||
	fail "change"
wait_for 10 grep -q "sip2.example.org" "$W/r1/terminal.conf" || fail "change not applied"
p1=$(status r1 polls)
[ $((p1 - p0)) -le 2 ] || fail "change took $((p1 - p0)) polls"
ok "profile change applied after $((p1 - p0)) poll(s)"

# settled A: A configs applied and the registration verdict is in (one status
# snapshot holds both, so it was written after the verdict)
settled() { status_is r1 applied "$1" && status_is r1 state poll; }

# deferred during a call
wait_for 10 settled 2 || fail "not settled after the change"
touch "$W/incall"
ctl S POST /v1/admin/overrides '{"scope":"profile:room","key":"sip.server","value":"sip3.example.org"}' >/dev/null ||
	fail "change"
wait_for 10 status_is r1 state defer || fail "not deferred during the call"
sleep 2
grep -q "sip3.example.org" "$W/r1/terminal.conf" && fail "applied during a call"
grep -q "sip2.example.org" "$W/r1/terminal.conf" || fail "config damaged during deferral"
rm -f "$W/incall"
wait_for 10 grep -q "sip3.example.org" "$W/r1/terminal.conf" || fail "not applied after the call"
ok "change deferred during the call, applied after it"

# a config under which SIP registration fails: rollback to the last-known-good
wait_for 10 settled 3 || fail "not settled after the call"
touch "$W/unreg"
ctl S POST /v1/admin/overrides '{"scope":"profile:room","key":"sip.server","value":"broken.example.org"}' >/dev/null ||
	fail "change"
wait_for 15 status_ge r1 rollbacks 1 || fail "no rollback"
grep -q "sip3.example.org" "$W/r1/terminal.conf" || fail "last-known-good not restored"
rm -f "$W/unreg"
sleep 3
grep -q "sip3.example.org" "$W/r1/terminal.conf" || fail "the rolled-back config came back"
ctl S POST /v1/admin/overrides '{"scope":"profile:room","key":"sip.server","value":"sip4.example.org"}' >/dev/null ||
	fail "change"
wait_for 10 grep -q "sip4.example.org" "$W/r1/terminal.conf" || fail "next good config not applied"
ok "failed registration rolled back to the last-known-good; next change applied"

# the daemon refuses a configuration outright: rolled back too
wait_for 10 settled 5 || fail "not settled after sip4"
touch "$W/failapply"
rb=$(status r1 rollbacks)
ctl S POST /v1/admin/overrides '{"scope":"profile:room","key":"sip.server","value":"refused.example.org"}' >/dev/null ||
	fail "change"
wait_for 15 status_ge r1 rollbacks $((rb + 1)) || fail "refused config not rolled back"
grep -q "sip4.example.org" "$W/r1/terminal.conf" || fail "last-known-good not restored after refusal"
rm -f "$W/failapply"
ok "config refused by the daemon rolled back"

# provd killed hard and restarted on the same state: nothing acknowledged is lost
ctl S POST /v1/admin/directory '{"name":"Board room","uri":"sip:board@example.org"}' >/dev/null || fail "dir"
ctl S GET /v1/admin/devices > "$W/before.json"
kill -9 "$PROVD_PID_S"; wait "$PROVD_PID_S" 2>/dev/null
PORT_FIXED=$(cat "$W/S/provd.port") start_provd S
ctl S GET /v1/admin/devices > "$W/after.json"
grep -q '"serial":"r1".*"profile":"room".*"state":"enrolled"' "$W/after.json" || fail "device lost"
ctl S GET /v1/admin/overrides | grep -q "refused.example.org" || fail "override lost"
ctl S GET /v1/admin/directory | grep -q "sip:board@example.org" || fail "directory lost"
n=$(status r1 polls); e=$(status r1 errors)
wait_for 15 status_ge r1 polls $((n + 3)) || fail "device not polling after restart"
# the restart itself may cost a failed poll or two, the polls after it must succeed
e2=$(status r1 errors); n2=$(status r1 polls)
wait_for 15 status_ge r1 polls $((n2 + 2)) || fail "device not polling"
[ "$(status r1 errors)" = "$e2" ] || fail "polls fail after the restart"
grep -q "sip4.example.org" "$W/r1/terminal.conf" || fail "config changed by the restart"
C="curl -s --cacert $W/S/ca.pem --cert $W/r1/device.crt --key $W/r1/device.key"
$C "$URL_S/v1/directory" | grep -q '"uri":"sip:board@example.org"' || fail "directory not served"
ok "provd restart (SIGKILL): devices, overrides, directory and certificates intact"
exit 0
