#!/bin/sh
# prov_security.sh: unknown and revoked certificates refused; a device only ever
# gets its own configuration; admin API needs the token; path traversal,
# oversized bodies and malformed JSON refused with a clear error, nothing stored.
. tests/integration/lib/prov_common.sh
command -v curl >/dev/null || { echo "curl missing"; exit 77; }
command -v openssl >/dev/null || { echo "openssl missing"; exit 77; }

start_provd S
ctl S POST /v1/admin/profiles '{"name":"room","template":"sip.user = ${serial}\nsip.password = ${sip.password}\n"}' >/dev/null ||
	fail "profile"
for d in dev-a dev-b; do
	ctl S POST /v1/admin/devices "{\"serial\":\"$d\",\"profile\":\"room\"}" >/dev/null || fail "approve $d"
	ctl S POST /v1/admin/overrides "{\"scope\":\"device:$d\",\"key\":\"sip.password\",\"value\":\"secret-of-$d\"}" >/dev/null ||
		fail "override $d"
	start_agent $d S
done
wait_for 20 grep -q "secret-of-dev-a" "$W/dev-a/terminal.conf" || fail "dev-a config"
wait_for 20 grep -q "secret-of-dev-b" "$W/dev-b/terminal.conf" || fail "dev-b config"
grep -q "secret-of-dev-b" "$W/dev-a/terminal.conf" && fail "dev-a holds dev-b's secret"
ok "each device got its own configuration"

C="curl -s --cacert $W/S/ca.pem"
A="--cert $W/dev-a/device.crt --key $W/dev-a/device.key"
# dev-a's certificate, asking for dev-b in every way it could
for q in "/v1/config?serial=dev-b" "/v1/config?device=dev-b"; do
	$C $A "$URL_S$q" | grep -q "secret-of-dev-b" && fail "dev-a read dev-b via $q"
done
$C $A -H "X-Serial: dev-b" "$URL_S/v1/config" | grep -q "secret-of-dev-a" || fail "dev-a config over curl"
code=$($C $A -o /dev/null -w '%{http_code}' "$URL_S/v1/admin/devices/dev-b/config")
[ "$code" = 401 ] || fail "device cert reached the admin API ($code)"
code=$($C -o /dev/null -w '%{http_code}' -H "Authorization: Bearer wrong-token-wrong-token" "$URL_S/v1/admin/devices")
[ "$code" = 401 ] || fail "wrong admin token accepted ($code)"
ok "no cross-device reads; admin API needs the token"

# a certificate from our own CA that provd never issued (unknown serial)
openssl ecparam -name prime256v1 -genkey -noout -out "$W/rogue.key" 2>/dev/null
openssl req -new -key "$W/rogue.key" -subj "/CN=dev-a" -out "$W/rogue.csr" 2>/dev/null
openssl x509 -req -in "$W/rogue.csr" -CA "$W/S/ca.pem" -CAkey "$W/S/ca.key" -set_serial 4242 \
	-days 1 -out "$W/rogue.crt" 2>/dev/null || fail "openssl signing"
out=$($C --cert "$W/rogue.crt" --key "$W/rogue.key" "$URL_S/v1/config")
echo "$out" | grep -q "unknown or revoked certificate" || fail "unknown certificate not refused: $out"
# a certificate from another CA: refused in the TLS handshake
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=dev-a" \
	-keyout "$W/other.key" -out "$W/other.crt" -days 1 2>/dev/null
code=$($C --cert "$W/other.crt" --key "$W/other.key" -o /dev/null -w '%{http_code}' "$URL_S/v1/config")
[ "$code" = 000 ] || fail "certificate from a foreign CA got HTTP $code"
ok "unknown and foreign certificates refused"

# revocation: dev-b is refused from its next poll on
ctl S POST /v1/admin/devices/dev-b/revoke >/dev/null || fail "revoke"
wait_for 15 status_is dev-b state revoked || fail "revoked dev-b not refused"
out=$($C --cert "$W/dev-b/device.crt" --key "$W/dev-b/device.key" "$URL_S/v1/config")
echo "$out" | grep -q "unknown or revoked certificate" || fail "revoked cert still served: $out"
TOK=$(ctl S POST /v1/admin/tokens '{"serial":"dev-b"}' | sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p')
out=$($C -d "{\"serial\":\"dev-b\",\"token\":\"$TOK\",\"csr\":\"x\"}" "$URL_S/v1/enroll")
echo "$out" | grep -q "device is revoked" || fail "revoked device re-enrolled: $out"
ok "revoked device refused (poll and re-enrollment)"

# re-approval: after a factory reset (new key) the device enrolls again; the
# old certificate stays refused
cp "$W/dev-b/device.crt" "$W/old-b.crt"; cp "$W/dev-b/device.key" "$W/old-b.key"
stop_pid "$AGENT_PID_dev_b"
rm -f "$W/dev-b/device.crt" "$W/dev-b/device.key" "$W/dev-b/agent.status" "$W/dev-b/terminal.conf" \
	"$W/dev-b/config.etag"
ctl S POST /v1/admin/devices '{"serial":"dev-b","reapprove":true}' >/dev/null || fail "reapprove"
start_agent dev-b S
wait_for 20 status_is dev-b state poll || fail "re-approved dev-b did not enroll"
wait_for 10 grep -q "secret-of-dev-b" "$W/dev-b/terminal.conf" || fail "re-approved dev-b has no config"
out=$($C --cert "$W/old-b.crt" --key "$W/old-b.key" "$URL_S/v1/config")
echo "$out" | grep -q "unknown or revoked certificate" || fail "old certificate accepted again: $out"
ok "re-approved device enrolls with a new key; the old certificate stays refused"

# path traversal
for p in "/v1/firmware/../admin/devices" "/v1/firmware/%2e%2e/admin/devices" "/v1//config" "/v1/config%00"; do
	out=$($C $A --path-as-is -w ' %{http_code}' "$URL_S$p")
	case "$out" in *"invalid request path"*400) ;; *) fail "traversal $p: $out";; esac
done
ok "path traversal refused with 400"

# oversized body: 413, nothing stored
T="-H @$W/auth.hdr"
printf 'Authorization: Bearer %s\n' "$(cat "$W/S/admin.token")" > "$W/auth.hdr"
head -c 300000 /dev/zero | tr '\0' 'x' | sed 's/^/{"name":"big","template":"/; s/$/"}/' > "$W/big.json"
out=$($C $T -w ' %{http_code}' --data-binary @"$W/big.json" "$URL_S/v1/admin/profiles")
case "$out" in *"request body too large"*413) ;; *) fail "oversized body: $out";; esac
ctl S GET /v1/admin/profiles | grep -q '"name":"big"' && fail "oversized profile stored"
ok "oversized body refused with 413, nothing stored"

# malformed JSON: 400 with position, nothing stored
out=$($C $T -w ' %{http_code}' -d '{"name":"bad","template":"x" "y"}' "$URL_S/v1/admin/profiles")
case "$out" in *'invalid JSON: 1:30: expected'*400) ;; *) fail "malformed JSON: $out";; esac
out=$($C $T -w ' %{http_code}' -d '{"name":"bad","name":"x","template":"t"}' "$URL_S/v1/admin/profiles")
case "$out" in *"duplicate key"*400) ;; *) fail "duplicate key: $out";; esac
out=$($C $T -w ' %{http_code}' -d '{"name":"bad","template":"x = ${unterminated"}' "$URL_S/v1/admin/profiles")
case "$out" in *"template: byte 4"*422) ;; *) fail "bad template: $out";; esac
out=$($C $T -w ' %{http_code}' -d '{"scope":"global","key":"k","value":"a\nb = injected"}' "$URL_S/v1/admin/overrides")
case "$out" in *"one line"*422) ;; *) fail "multi-line override: $out";; esac
out=$($C -w ' %{http_code}' -d '{"serial":"../../etc","csr":"x","token":"t"}' "$URL_S/v1/enroll")
case "$out" in *400) ;; *) fail "bad serial: $out";; esac
ctl S GET /v1/admin/profiles | grep -q '"name":"bad"' && fail "malformed profile stored"
ctl S GET /v1/admin/overrides | grep -q 'injected' && fail "multi-line override stored"
ok "malformed JSON, bad templates and bad values refused, nothing stored"
exit 0
