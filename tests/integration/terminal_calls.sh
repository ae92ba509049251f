#!/bin/sh
# terminal_calls: two (three) terminals on loopback call each other directly:
# UDP, TCP and TLS with SDES-SRTP; video and audio both ways; hold/resume by
# re-INVITE; hang-up from either side; CANCEL before answer; 486 when busy;
# DTMF received; the encryption policy refuses what it must.
. tests/lib/common.sh
. tests/lib/terminal.sh
term_start a 15160 32000 -s media.encryption=off
term_start b 15170 33000 -s media.encryption=off -s call.auto_answer=on -s call.auto_answer_delay_ms=300
term_start c 15180 34000 -s media.encryption=off
rc b watch 60 > "$W/b.events" &
PIDS="$PIDS $!"

# --- 1. UDP: media both ways, DTMF, hold/resume, hang-up by the callee
rc a dial uri=sip:b@127.0.0.1:15170 > /dev/null || fail "dial over udp"
wait_state a connected
wait_state b connected
sleep 3
status_of b "['call']['media']['video']['frames_decoded']" > "$W/n"; vb=$(cat "$W/n")
status_of a "['call']['media']['video']['frames_decoded']" > "$W/n"; va=$(cat "$W/n")
note "udp: frames decoded a=$va b=$vb"
[ "$va" -gt 20 ] && [ "$vb" -gt 20 ] || fail "video does not flow both ways (a=$va b=$vb)"
status_of b "['call']['media']['audio']['packets_recv']" > "$W/n"; [ "$(cat "$W/n")" -gt 50 ] || fail "no audio at b"
rc a dtmf digits=159# > /dev/null || fail "dtmf"
sleep 1.5
for d in 1 5 9 '#'; do
	grep -q "\"digit\":\"$d\"" "$W/b.events" || fail "DTMF $d not received (events: $(cat "$W/b.events"))"
done
note "udp: DTMF 159# received as RFC 4733 events"
rc a hold > /dev/null || fail "hold"
wait_state a held
wait_state b held
status_of b "['call']['held_remote']" | grep -q True || fail "b does not see the remote hold"
rc a resume > /dev/null || fail "resume"
wait_state a connected
wait_state b connected
note "udp: hold and resume by re-INVITE"
# --- busy: c calls b while b is in a call
rc c dial uri=sip:b@127.0.0.1:15170 > /dev/null || fail "dial c->b"
wait_state c idle
rc c history > "$W/h.json"
grep -q '"answered": false' "$W/h.json" || fail "c's call to busy b should be unanswered"
grep -q '486' "$W/c.log" || fail "486 Busy Here not seen by c"
note "busy: third party got 486"
rc b hangup > /dev/null || fail "hangup by callee"
wait_state a idle
wait_state b idle
note "udp: callee hung up"

# --- 2. TCP, caller hangs up
rc a dial "uri=sip:b@127.0.0.1:15170;transport=tcp" > /dev/null || fail "dial over tcp"
wait_state a connected
sleep 2
status_of a "['call']['media']['video']['frames_decoded']" > "$W/n"; [ "$(cat "$W/n")" -gt 10 ] || fail "no video over the tcp call"
rc a hangup > /dev/null
wait_state b idle
note "tcp: call up, media, caller hung up"

# --- 3. CANCEL before answer
rc b config_set key=call.auto_answer value=off > /dev/null
rc a dial uri=sip:b@127.0.0.1:15170 > /dev/null
wait_state b ringing_in
rc a hangup > /dev/null
wait_state b idle
wait_state a idle
grep -q '"code":487' "$W/b.events" || fail "b did not see 487 Request Terminated after CANCEL"
note "cancel: b stopped ringing with 487"

# --- 4. TLS + SDES-SRTP, encryption required on both sides
rc a config_set key=media.encryption value=required > /dev/null
rc b config_set key=media.encryption value=required > /dev/null
rc b config_set key=call.auto_answer value=on > /dev/null
out=$(rc a dial uri=sip:b@127.0.0.1:15170 2>&1) && fail "encryption required, yet a plain (UDP) call was placed"
echo "$out" | grep -q "not TLS" || fail "unclear refusal: $out"
rc a dial uri=sips:b@127.0.0.1:15171 > /dev/null || fail "dial over tls"
wait_state a connected
wait_state b connected
sleep 2
rc b status > "$W/tls.json"
check "tls: call encrypted (SRTP) and signalled over TLS" "s['call']['encrypted'] and s['call']['signalling_tls']" s="$W/tls.json"
check "tls: SRTP media decoded, nothing failed authentication" "s['call']['media']['video']['frames_decoded'] > 10 and s['call']['media']['video']['srtp_auth_fail'] == 0 and s['call']['media']['audio']['packets_recv'] > 20" s="$W/tls.json"
rc a hangup > /dev/null
wait_state b idle
# --- 5. b requires encryption, c offers plain over TLS: 488
rc c dial uri=sips:b@127.0.0.1:15171 > /dev/null || fail "dial c->b tls"
wait_state c idle
grep -q "488" "$W/c.log" || fail "b should refuse a call without SRTP with 488"
note "policy: required refuses plain media with 488; encrypted call shows encrypted=true"
rc a history > "$W/ha.json"
check "history kept" "len(h) >= 4" h="$W/ha.json"
