#!/bin/sh
# sip_registrar.sh: two rakwon-sipua processes and rakwon-sipregistrar on
# loopback: REGISTER with digest (MD5, SHA-256), calls by AOR through the
# proxy over UDP, TCP and TLS with INFO DTMF, hold/resume, BYE from either
# side, CANCEL before answer, 486 busy, unregister on shutdown.
. tests/integration/lib/sip_common.sh
[ -x "$BIN/rakwon-sipregistrar" ] && [ -x "$BIN/rakwon-sipua" ] || skip "tools not built"

P=$PBASE
start_reg R1 $P --user alice:sa --user bob:sb --alg md5
start_reg R2 $((P + 2)) --user alice:sa --user bob:sb --alg sha256

# call_case NAME REGPORT TRANSPORT: bob answers, alice calls by AOR
call_case() {
	c=$1; rp=$2; tp=$3
	case $tp in
	udp) L="--udp 127.0.0.1:0"; REG="sip:127.0.0.1:$rp";;
	tcp) L="--tcp 127.0.0.1:0"; REG="sip:127.0.0.1:$rp;transport=tcp";;
	tls) L="--tls 127.0.0.1:0 --cert $W/srv.pem --key $W/srv.key"; REG="sips:127.0.0.1:$((rp + 1))";;
	esac
	start_ua ${c}b --aor sip:bob@127.0.0.1 --password sb --registrar "$REG" $L --answer --calls 1
	wait_for 5 has ${c}b "^REGISTERED 200" || fail "$c: bob not registered"
	start_ua ${c}a --aor sip:alice@127.0.0.1 --display "Alice $c" --password sa --registrar "$REG" \
		--proxy "$REG" $L --call "sip:bob@127.0.0.1:$rp" --info 59 --hold --hangup-after 200
	wait_exit ${c}a 15
	wait_exit ${c}b 10
	has ${c}a "^REGISTERED 200" || fail "$c: alice not registered"
	has ${c}a "^PROGRESS 180" || fail "$c: no 180"
	TPU=$(echo $tp | tr a-z A-Z)
	has ${c}a "^ESTABLISHED $TPU" || fail "$c: alice not established over $TPU"
	has ${c}b "^INCOMING sip:alice@127.0.0.1 \"Alice $c\"" || fail "$c: bob saw no caller display name"
	has ${c}b "^INFO application/dtmf-relay Signal=5|Duration=160|" || fail "$c: DTMF 5 not delivered"
	has ${c}b "^INFO application/dtmf-relay Signal=9|" || fail "$c: DTMF 9 not delivered"
	has ${c}b "^OFFER 1 sendonly" || fail "$c: hold not offered"
	has ${c}b "^OFFER 2 sendrecv" || fail "$c: resume not offered"
	[ "$(count ${c}a '^REINVITE 200')" = 2 ] || fail "$c: hold/resume not both answered"
	has ${c}a "^ENDED 0 Local hangup" || fail "$c: alice did not hang up"
	has ${c}b "^ENDED 200 Remote hangup" || fail "$c: bob did not see the BYE"
	has ${c}b "^UNREGISTERED" || fail "$c: bob did not unregister"
	ok "$c: register + call over $tp (dtmf, hold/resume, bye)"
}
call_case md5udp $P udp
grep -q "REG bob .* UDP" "$W/R1.out" || fail "R1 has no UDP binding"
grep -q "UNREG bob" "$W/R1.out" || fail "R1 saw no unregister"
call_case sha256tcp $((P + 2)) tcp
grep -q "REG bob .* TCP" "$W/R2.out" || fail "R2 has no TCP binding"
call_case tls $P tls
grep -q "REG bob .* TLS" "$W/R1.out" || fail "R1 has no TLS binding"

# BYE from the callee, CANCEL before answer, 486 busy (UDP, SHA-256)
REG="sip:127.0.0.1:$((P + 2))"
start_ua byeb --aor sip:bob@127.0.0.1 --password sb --registrar "$REG" --udp 127.0.0.1:0 \
	--answer --hangup-after 300 --calls 1
wait_for 5 has byeb "^REGISTERED 200" || fail "bob not registered"
start_ua byea --aor sip:alice@127.0.0.1 --password sa --proxy "$REG" --udp 127.0.0.1:0 \
	--call "sip:bob@127.0.0.1:$((P + 2))"
wait_exit byea 10
has byea "^ENDED 200 Remote hangup" || fail "callee BYE not seen by caller"
wait_exit byeb 10
ok "BYE from the callee"

start_ua canb --aor sip:bob@127.0.0.1 --password sb --registrar "$REG" --udp 127.0.0.1:0 \
	--ring --calls 1
wait_for 5 has canb "^REGISTERED 200" || fail "bob not registered"
start_ua cana --aor sip:alice@127.0.0.1 --proxy "$REG" --udp 127.0.0.1:0 \
	--call "sip:bob@127.0.0.1:$((P + 2))" --cancel-after 200
wait_exit cana 10
has cana "^PROGRESS 180" || fail "no ringing before cancel"
has cana "^ENDED 487" || fail "caller did not get 487 after CANCEL"
wait_exit canb 10
has canb "^ENDED 487 Cancelled" || fail "callee did not see the CANCEL"
ok "CANCEL before answer through the proxy"

start_ua busyb --aor sip:bob@127.0.0.1 --password sb --registrar "$REG" --udp 127.0.0.1:0 \
	--reject 486 --calls 1
wait_for 5 has busyb "^REGISTERED 200" || fail "bob not registered"
start_ua busya --aor sip:alice@127.0.0.1 --proxy "$REG" --udp 127.0.0.1:0 \
	--call "sip:bob@127.0.0.1:$((P + 2))"
wait_exit busya 10
has busya "^ENDED 486" || fail "caller did not get 486"
wait_exit busyb 10
ok "486 busy through the proxy"

# wrong password: REGISTER fails with 403 (MD5 registrar)
start_ua badpw --aor sip:bob@127.0.0.1 --password nope --registrar "sip:127.0.0.1:$P" \
	--udp 127.0.0.1:0 --time-limit 3
wait_for 5 has badpw "^REGISTERED 40[13]" || fail "wrong password not refused"
ok "wrong password refused"
# unknown AOR: 404
start_ua nobody --aor sip:alice@127.0.0.1 --proxy "sip:127.0.0.1:$P" --udp 127.0.0.1:0 \
	--call "sip:carol@127.0.0.1:$P"
wait_exit nobody 10
has nobody "^ENDED 404" || fail "unknown user not 404"
ok "unregistered AOR gets 404"
exit 0
