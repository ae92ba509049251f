#!/bin/sh
# terminal_registrar: terminals register to a SIP registrar with digest
# authentication (MD5, then SHA-256 per RFC 8760) and call each other by
# address of record through it (UDP; then TLS with SRTP). A wrong password
# is refused and the terminal says so in its status.
. tests/lib/common.sh
. tests/lib/terminal.sh
mkdir -p "$W/pki"; "$BIN/rakwon-certgen" "$W/pki" a b c d e bs reg > /dev/null || fail "certgen"
registrar() { # PORT ALG
	"$BIN/rakwon-sipregistrar" --udp 127.0.0.1:$1 --tcp 127.0.0.1:$1 --tls 127.0.0.1:$(($1 + 1)) \
		--cert "$W/pki/reg.pem" --key "$W/pki/reg.key" --ca "$W/pki/ca.pem" --alg $2 \
		--user a:secret-a --user b:secret-b --user c:secret-c --time-limit 120 > "$W/reg$1.out" 2> "$W/reg$1.err" &
	PIDS="$PIDS $!"
	i=0; while ! grep -q READY "$W/reg$1.out" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	grep -q READY "$W/reg$1.out" || fail "registrar did not start: $(cat "$W/reg$1.err")"
}
# --- 1. MD5 digest over UDP, plain media
registrar 17000 md5
term_start a 17060 40000 -s sip.registrar=127.0.0.1:17000 -s sip.password=secret-a -s media.encryption=off \
	-s sip.aor=sip:a@127.0.0.1
term_start b 17070 40100 -s sip.registrar=127.0.0.1:17000 -s sip.password=secret-b -s media.encryption=off \
	-s sip.aor=sip:b@127.0.0.1 -s call.auto_answer=on -s call.auto_answer_delay_ms=200
term_start c 17080 40200 -s sip.registrar=127.0.0.1:17000 -s sip.password=wrong -s sip.aor=sip:c@127.0.0.1
rc a wait registration.registered=true 10 || fail "a did not register (md5)"
rc b wait registration.registered=true 10 || fail "b did not register (md5)"
grep -q "REG a " "$W/reg17000.out" && grep -q "REG b " "$W/reg17000.out" || fail "registrar has no bindings"
sleep 2
status_of c "['registration']['registered']" | grep -q False || fail "c registered with a wrong password"
status_of c "['registration']['code']" > "$W/code"; note "wrong password: registration refused with $(cat "$W/code")"
grep -q "REG c " "$W/reg17000.out" && fail "registrar bound c despite the wrong password"
rc a dial uri=sip:b@127.0.0.1:17000 > /dev/null || fail "dial by AOR"
wait_state a connected 10
wait_state b connected 10
wait_frames a 10 || fail "no video through the proxied call"
rc b hangup > /dev/null
wait_state a idle
note "md5/udp: registered, called b by AOR through the proxy, media flowed"
kill $PIDS 2>/dev/null; wait 2>/dev/null; PIDS=""
rm -f "$W"/*.sock
# --- 2. SHA-256 digest over TLS, SRTP required
registrar 17100 sha256
term_start a 17160 40300 -s sip.registrar=127.0.0.1:17101 -s sip.transport=tls -s sip.password=secret-a \
	-s sip.aor=sip:a@127.0.0.1
term_start b 17170 40400 -s sip.registrar=127.0.0.1:17101 -s sip.transport=tls -s sip.password=secret-b \
	-s sip.aor=sip:b@127.0.0.1 -s call.auto_answer=on -s call.auto_answer_delay_ms=200
rc a wait registration.registered=true 10 || fail "a did not register (sha-256, tls)"
rc b wait registration.registered=true 10 || fail "b did not register (sha-256, tls)"
rc a dial uri=sips:b@127.0.0.1:17101 > /dev/null || fail "dial by AOR over tls"
wait_state a connected 10
wait_frames a 10 || fail "no video through the proxied tls call"
rc a status > "$W/s.json"
check "sha-256/tls: registered, call through the proxy encrypted, media decoded" "s['registration']['registered'] and s['call']['encrypted'] and s['call']['media']['video']['frames_decoded'] > 10" s="$W/s.json"
rc a hangup > /dev/null
wait_state b idle
