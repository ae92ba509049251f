#!/bin/sh
# bridge_meeting: a meeting of four rakwon-terminal sites on rakwon-bridge,
# real SIP calls over UDP on loopback. Each site sends its own tone
# (300/500/700/900 Hz) and a test pattern of its own size; asserts: every
# site hears the three others and not itself (Goertzel on the received WAV),
# the active speaker's video is what the others decode (identified by its
# frame size), the chair chooses the broadcast site and switches it and the switch asks the new source for
# a keyframe, a chair mute removes a tone from the others' mix, malformed
# RTP/RTCP sent to one site's ports disturbs nobody, drop, lock, an RTP
# timeout removes a vanished site, and ending the meeting hangs up all.
. tests/lib/common.sh
. tests/lib/terminal.sh
. tests/lib/bridge.sh
BP=25400
bridge_start $BP "1001 | Weekly review | | 9999 | 10" --set encryption=off --set speakers=4 \
	--set rtp_timeout_ms=3000 --set switch_hold_ms=500
k=0
for s in a:300:320x180 b:500:384x216 c:700:448x252 d:900:512x288; do
	n=${s%%:*}; r=${s#*:}; f=${r%%:*}; sz=${r#*:}
	term_start $n $((25410 + k * 10)) $((21400 + k * 100)) -s media.encryption=off \
		-s dev.microphone_args=freq=$f -s dev.speaker=wav -s "dev.speaker_args=path=$W/$n.wav" \
		-s video.width=${sz%x*} -s video.height=${sz#*x} -s video.bitrate_kbps=300
	eval "pid_$n=$!"
	k=$((k + 1))
done
"$BIN/rakwonctl" -s "$W/bridge.sock" watch 60 > "$W/events" &
PIDS="$PIDS $!"
rc a dial "uri=sip:1001@127.0.0.1:$BP;pin=9999" > /dev/null || fail "a dial"
for n in b c d; do rc $n dial "uri=sip:1001@127.0.0.1:$BP" > /dev/null || fail "$n dial"; done
for n in a b c d; do wait_state $n connected; done
roster 1001 > "$W/r1.json"
check "4 participants in, a is the chair" "len(r['participants']) == 4 and [p['chair'] for p in r['participants'] if 'sip:a@' in p['uri']] == [True]" r="$W/r1.json"
sleep 4
# --- audio: N-1 mixes
heard "a hears b c d, not itself" a "500 700 900" "300"
heard "b hears a c d, not itself" b "300 700 900" "500"
heard "c hears a b d, not itself" c "300 500 900" "700"
heard "d hears a b c, not itself" d "300 500 700" "900"
ida=$(part_id 1001 sip:a@); idb=$(part_id 1001 sip:b@); idc=$(part_id 1001 sip:c@); idd=$(part_id 1001 sip:d@)
# --- video follows the active speaker: only d is left unmuted
brc mute_all "meeting:=\"1001\"" except_chair=false > /dev/null || fail "mute_all"
brc mute "meeting:=\"1001\"" id=$idd mute=false > /dev/null || fail "unmute d"
sleep 3
for n in a b c; do
	status_of $n "['call']['media']['video']['width']" > "$W/n"
	[ "$(cat "$W/n")" = 512 ] || fail "$n does not see the speaker d's video (width $(cat "$W/n"))"
done
roster 1001 > "$W/rs.json"
check "d is the active speaker and the video source" "r['speaker'] == $idd and r['video_source'] == $idd" r="$W/rs.json"
heard "only d talks: a hears d alone" a "900" "300 500 700"
brc mute_all "meeting:=\"1001\"" mute=false except_chair=false > /dev/null || fail "unmute all"
note "voice-activated: a, b, c decode 512x288 (the speaker d's pattern)"
# --- video: the chair picks the broadcast site
brc broadcast "meeting:=\"1001\"" id=$idb > /dev/null || fail "broadcast b"
sleep 2.5
for n in a c d; do
	status_of $n "['call']['media']['video']['width']" > "$W/n"
	[ "$(cat "$W/n")" = 384 ] || fail "$n does not see b's video (width $(cat "$W/n"))"
done
note "broadcast b: a, c, d decode 384x216 (b's pattern)"
status_of a "['call']['media']['video']['frames_decoded']" > "$W/fa0"
brc broadcast "meeting:=\"1001\"" id=$idc > /dev/null || fail "broadcast c"
sleep 2.5
for n in a b d; do
	status_of $n "['call']['media']['video']['width']" > "$W/n"
	[ "$(cat "$W/n")" = 448 ] || fail "$n does not see c's video after the switch (width $(cat "$W/n"))"
done
status_of c "['call']['media']['video']['plis_recv']" > "$W/n"
[ "$(cat "$W/n")" -ge 1 ] || fail "c got no keyframe request on the switch"
status_of a "['call']['media']['video']['frames_decoded']" > "$W/fa1"
[ "$(cat "$W/fa1")" -gt "$(($(cat "$W/fa0") + 20))" ] || fail "a's decoding stalled across the switch"
rc a status > "$W/sa.json"
# frames the terminal itself drops when its decoder falls behind (a loaded
# machine) are not the bridge's doing: only sequence continuity is asserted
check "a: sequence numbers continuous across the switches (nothing lost)" "s['call']['media']['video']['lost'] <= 2 and s['call']['media']['video']['pkts_given_up'] == 0" s="$W/sa.json"
note "a: frames skipped until a keyframe $(json "$W/sa.json" "d['call']['media']['video']['frames_skipped']"), freezes $(json "$W/sa.json" "d['call']['media']['video']['freezes']")"
note "broadcast c: a, b, d decode 448x252; c was asked for a keyframe"
# --- chair mutes c: 700 Hz leaves the others' mixes
brc mute "meeting:=\"1001\"" id=$idc > /dev/null || fail "mute"
sleep 3
heard "c muted: a hears b d only" a "500 900" "300 700"
heard "c muted: b hears a d only" b "300 900" "500 700"
heard "c muted: c still hears a b d" c "300 500 900" "700"
brc mute "meeting:=\"1001\"" id=$idc mute=false > /dev/null || fail "unmute"
# --- malformed RTP/RTCP at d's ports
roster 1001 > "$W/r2.json"
ap=$(json "$W/r2.json" "[p['audio_port'] for p in d['participants'] if p['id'] == $idd][0]")
vp=$(json "$W/r2.json" "[p['video_port'] for p in d['participants'] if p['id'] == $idd][0]")
python3 - "$ap" "$vp" <<'PY'
import os, random, socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
random.seed(7)
for i in range(3000):
    port = int(sys.argv[1 + (i & 1)])
    k = i % 6
    if k == 0: p = os.urandom(random.randint(0, 1400))                       # noise
    elif k == 1: p = bytes([0x80, 111]) + os.urandom(10)                       # header only
    elif k == 2: p = bytes([0x9f, 96]) + os.urandom(30)                        # 15 CSRCs claimed
    elif k == 3: p = bytes([0x90, 111, 0, 1, 0, 0, 0, 1, 1, 2, 3, 4, 0xbe, 0xde, 0xff, 0xff])  # ext past the end
    elif k == 4: p = bytes([0x81, 200, 0xff, 0xff]) + os.urandom(20)           # RTCP length lies
    else: p = bytes([0x81, 206, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2]) + os.urandom(random.randint(0, 8))  # PLI, odd size
    s.sendto(p, ("127.0.0.1", port))
    if i % 100 == 0: time.sleep(0.01)
PY
sleep 3
heard "after malformed packets at d: a still hears b c d" a "500 700 900" "300"
heard "after malformed packets at d: b still hears a c d" b "300 700 900" "500"
roster 1001 > "$W/r3.json"
check "malformed packets counted (or rate-limited) at d, nobody dropped" "len(r['participants']) == 4 and [p['malformed'] + p['foreign'] + p['flood_dropped'] for p in r['participants'] if p['id'] == $idd][0] > 100" r="$W/r3.json"
# --- drop d; lock; a vanished site times out
brc drop "meeting:=\"1001\"" id=$idd > /dev/null || fail "drop"
wait_state d idle
brc lock "meeting:=\"1001\"" > /dev/null || fail "lock"
rc d dial "uri=sip:1001@127.0.0.1:$BP" > /dev/null
wait_state d idle
grep -q "403" "$W/d.log" || fail "locked meeting did not refuse d with 403"
note "d dropped by the chair; locked meeting refused it (403)"
brc lock "meeting:=\"1001\"" lock=false > /dev/null
kill -9 "$pid_b" 2>/dev/null
i=0; while [ $i -lt 80 ]; do
	roster 1001 > "$W/r4.json"; [ "$(json "$W/r4.json" "len(d['participants'])")" = 2 ] && break
	sleep 0.1; i=$((i + 1))
done
check "b vanished without BYE: removed after the RTP timeout" "len(r['participants']) == 2" r="$W/r4.json"
# --- lecture mode: the presiding site (the chair a) alone is heard and seen
brc lecture "meeting:=\"1001\"" on=true > /dev/null || fail "lecture on"
sleep 3
roster 1001 > "$W/r6.json"
check "lecture: c muted, a broadcast" "[p['muted'] for p in r['participants'] if p['id'] == $idc] == [True] and r['broadcast'] == $ida" r="$W/r6.json"
heard "lecture: a hears nobody" a "" "300 700"
heard "lecture: c hears the presiding site a" c "300" "700"
brc lecture "meeting:=\"1001\"" on=false > /dev/null || fail "lecture off"
roster 1001 > "$W/r7.json"
check "lecture off: c unmuted, voice-activated again" "[p['muted'] for p in r['participants'] if p['id'] == $idc] == [False] and r['broadcast'] == 0" r="$W/r7.json"
# --- end
brc end "meeting:=\"1001\"" > /dev/null || fail "end"
wait_state a idle
wait_state c idle
roster 1001 > "$W/r5.json"
check "meeting ended: nobody left" "len(r['participants']) == 0" r="$W/r5.json"
grep -q '"speaker"' "$W/events" && grep -q '"roster"' "$W/events" || fail "no roster/speaker events to subscribers"
note "events: $(grep -c event "$W/events") received by the subscriber"
