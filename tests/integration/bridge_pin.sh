#!/bin/sh
# bridge_pin: meeting access on rakwon-bridge: unknown meeting 404; PIN in
# the URI (;pin=) right and wrong; PIN by DTMF after answer (the site gets
# no media until then); chair PIN; TLS signalling with SDES-SRTP media (the
# bridge only sends keys over TLS); the bridge's RTCP reports give the sites
# their round-trip time; wrong PINs rate limited per source.
. tests/lib/common.sh
. tests/lib/terminal.sh
. tests/lib/bridge.sh
BP=25500
# --- configuration: generated default in sync, errors as file:line
"$BIN/rakwon-bridge" --print-default-config > "$W/gen.conf" || fail "conf generation"
cmp -s "$W/gen.conf" rootfs/etc/rakwon-bridge/bridge.conf || \
	fail "rootfs/etc/rakwon-bridge/bridge.conf is stale: regenerate with rakwon-bridge --print-default-config"
printf '1001 | ok | | | 10\n1002 | bad | 12a | | 10\n' > "$W/bad.meetings"
out=$("$BIN/rakwon-bridge" -c "$W/gen.conf" --meetings "$W/bad.meetings" 2>&1) && fail "bad meetings file accepted"
echo "$out" | grep -q "bad.meetings:2: bad PIN" || fail "unclear error: $out"
out=$("$BIN/rakwon-bridge" --meetings rootfs/etc/rakwon-bridge/meetings --set speakers=99 2>&1) && fail "bad value accepted"
echo "$out" | grep -q "speakers" || fail "unclear error: $out"
note "config: generated default in sync; meetings and value errors refused clearly"
mkdir -p "$W/pki"; "$BIN/rakwon-certgen" "$W/pki" a b c d bridge > /dev/null || fail "certgen"
bridge_start $BP "1001 | Open | | | 10
2002 | Board | 1234 | 9999 | 10" --set "sip_tls=127.0.0.1:$((BP + 1))" \
	--set "tls_cert=$W/pki/bridge.pem" --set "tls_key=$W/pki/bridge.key" --set "tls_ca=$W/pki/ca.pem" --set encryption=preferred \
	--set pin_fail_max=3
term_start a 25510 21800 -s media.encryption=required -s dev.microphone_args=freq=300 \
	-s dev.speaker=wav -s "dev.speaker_args=path=$W/a.wav" -s video.bitrate_kbps=200
term_start b 25520 21900 -s media.encryption=required -s dev.microphone_args=freq=500 \
	-s dev.speaker=wav -s "dev.speaker_args=path=$W/b.wav" -s video.bitrate_kbps=200
term_start c 25530 22000 -s media.encryption=off
# --- unknown meeting
rc c dial "uri=sip:3003@127.0.0.1:$BP" > /dev/null
wait_state c idle
grep -q "404" "$W/c.log" || fail "unknown meeting not refused with 404"
note "unknown meeting: 404"
# --- PIN in the URI over TLS, SRTP
rc a dial "uri=sips:2002@127.0.0.1:$((BP + 1));pin=9999" > /dev/null || fail "a dial"
wait_state a connected
rc a status > "$W/a.json"
check "a: signalled over TLS, media encrypted (SDES-SRTP)" "s['call']['encrypted'] and s['call']['signalling_tls']" s="$W/a.json"
# --- no PIN: answered, but nothing flows until the DTMF PIN
rc b dial "uri=sips:2002@127.0.0.1:$((BP + 1))" > /dev/null || fail "b dial"
wait_state b connected
sleep 2
roster 2002 > "$W/r1.json"
check "b waits for its PIN, a is the chair" "[p['state'] for p in r['participants'] if 'sip:b@' in p['uri']] == ['pin'] and [p['chair'] for p in r['participants'] if 'sip:a@' in p['uri']] == [True]" r="$W/r1.json"
status_of b "['call']['media']['audio']['packets_recv']" > "$W/n"
[ "$(cat "$W/n")" = 0 ] || fail "b received $(cat "$W/n") audio packets before giving the PIN"
rc b dtmf digits=1234# > /dev/null || fail "dtmf"
i=0; while [ $i -lt 50 ]; do
	roster 2002 > "$W/r2.json"
	[ "$(json "$W/r2.json" "[p['state'] for p in d['participants'] if 'sip:b@' in p['uri']]")" = "['in']" ] && break
	sleep 0.1; i=$((i + 1))
done
check "b admitted after the DTMF PIN (RFC 4733)" "[p['state'] for p in r['participants'] if 'sip:b@' in p['uri']] == ['in']" r="$W/r2.json"
sleep 3
heard "b hears the chair a (SRTP both ways)" b "300" "500"
heard "a hears b" a "500" "300"
rc a status > "$W/a2.json"
check "the bridge's RTCP reports reach a (round trip measured, audio and video)" "s['call']['media']['audio']['rtt_ms'] >= 0 and s['call']['media']['video']['rtt_ms'] >= 0" s="$W/a2.json"
check "no SRTP authentication failures at the bridge" "all(p['srtp_auth_fail'] == 0 and p['audio_rx'] > 50 for p in r['participants'])" r="$W/r2.json"
# --- plain RTP over UDP to a meeting without PIN
rc c dial "uri=sip:1001@127.0.0.1:$BP" > /dev/null || fail "c dial"
wait_state c connected
rc c status > "$W/c.json"
check "c: UDP call, plain RTP (no SDES keys over UDP)" "not s['call']['encrypted']" s="$W/c.json"
rc c hangup > /dev/null
wait_state c idle
# --- wrong PIN in the URI, then the source is blocked for a minute
: > "$W/c.log.mark"
for t in 1 2 3; do
	rc c dial "uri=sip:2002@127.0.0.1:$BP;pin=4321" > /dev/null
	wait_state c idle
done
n403=$(grep -c "403" "$W/c.log")
[ "$n403" -ge 3 ] || fail "wrong PINs not refused with 403 ($n403)"
rc c dial "uri=sip:2002@127.0.0.1:$BP;pin=1234" > /dev/null
wait_state c idle
grep -q "Too Many Wrong PINs" "$W/bridge.log" "$W/c.log" || note "(reason phrase not logged by the terminal)"
roster 2002 > "$W/r3.json"
check "after 3 wrong PINs even the right PIN is refused from that address" "not any('sip:c@' in p['uri'] for p in r['participants'])" r="$W/r3.json"
grep -c "wrong PIN from" "$W/bridge.log" > "$W/n"
[ "$(cat "$W/n")" -ge 3 ] || fail "wrong PINs not counted"
note "wrong PIN: 403, then the source is refused (rate limit)"
brc end "meeting:=\"2002\"" > /dev/null
wait_state a idle
wait_state b idle
