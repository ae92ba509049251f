#!/bin/sh
# prov_enroll.sh: enrollment with a one-time token, without one (refused), with a
# wrong or reused token (refused), by approved serial+MAC; CA pinned on first contact.
. tests/integration/lib/prov_common.sh

start_provd S
# not approved, no token: refused, no certificate
start_agent nobody S
wait_for 15 status_has nobody error "HTTP 403" || fail "unapproved device not refused"
[ -f "$W/nobody/device.crt" ] && fail "unapproved device got a certificate"
ok "enrollment without token or approval refused"
# wrong token
start_agent wrongtok S --token 0123456789abcdef0123456789abcdef
wait_for 15 status_has wrongtok error "invalid, used or expired" || fail "wrong token not refused"
[ -f "$W/wrongtok/device.crt" ] && fail "wrong token got a certificate"
ok "wrong token refused"
# a token bound to dev-a
TOK=$(ctl S POST /v1/admin/tokens '{"serial":"dev-a"}' | sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p')
[ -n "$TOK" ] || fail "no token created"
start_agent dev-a S --token "$TOK"
wait_for 20 grep -q "device.serial = dev-a" "$W/dev-a/terminal.conf" || fail "dev-a not provisioned"
[ -f "$W/dev-a/ca.pem" ] || fail "CA not pinned"
cmp -s "$W/dev-a/ca.pem" "$W/S/ca.pem" || fail "pinned CA differs from the server CA"
ok "token enrollment, CA pinned, config applied"
# the same token again (another serial, and the same serial on a fresh device)
start_agent dev-b S --token "$TOK"
wait_for 15 status_has dev-b error "HTTP 403" || fail "reused token not refused"
ok "token is single-use and bound to its serial"
# approved serial + MAC
ctl S POST /v1/admin/devices '{"serial":"dev-c","mac":"02:00:00:00:00:0c"}' >/dev/null || fail "approve"
ctl S POST /v1/admin/devices '{"serial":"dev-d","mac":"02:00:00:00:00:0d"}' >/dev/null || fail "approve"
start_agent dev-c S --mac 02:00:00:00:00:0c
start_agent dev-d S --mac 02:00:00:00:00:ff
wait_for 20 grep -q "device.serial = dev-c" "$W/dev-c/terminal.conf" || fail "approved dev-c not provisioned"
wait_for 15 status_has dev-d error "HTTP 403" || fail "MAC mismatch not refused"
[ -f "$W/dev-d/device.crt" ] && fail "MAC mismatch got a certificate"
ok "approved serial enrolls; wrong MAC refused"
ctl S GET /v1/admin/devices | grep -q '"serial":"dev-a".*"state":"enrolled"' || fail "dev-a not listed as enrolled"
curl -s --cacert "$W/S/ca.pem" "$URL_S/metrics" | grep -q 'rakwon_provd_enrollments_total{result="ok"} 2' ||
	fail "metrics do not count 2 enrollments"
ctl S GET '/v1/admin/audit?limit=50' | grep -q '"action":"enroll.denied"' || fail "denials not audited"
ok "metrics and audit"
exit 0
