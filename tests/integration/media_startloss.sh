#!/bin/sh
# media_startloss: the first datagram of every stream is lost (for video: the
# packet carrying SPS/PPS, so the first IDR cannot be decoded) and so is the
# sender's first RTCP packet (the relay cannot return feedback before it).
# The receiver must notice that its decoder fails, keep asking for a keyframe
# (PLI) until one arrives, and show video within a second or so, not at the
# next periodic keyframe. No other loss.
. tests/lib/common.sh
DUR=${MEDIA_SECS:-8}
sdp_pair "$W" 45400 45500
sed -i '/^m=/a a=sendonly' "$W/a.sdp"
sed -i '/^m=/a a=recvonly' "$W/b.sdp"
sed -e 's/^m=audio 45400/m=audio 45600/; s/^m=video 45402/m=video 45602/' "$W/a.sdp" > "$W/a_via_relay.sdp"
sed -e 's/^m=audio 45500/m=audio 45600/; s/^m=video 45502/m=video 45602/' "$W/b.sdp" > "$W/b_via_relay.sdp"
"$BIN/rakwon-udprelay" --listen 45600 --to 45500 --listen 45601 --to 45501 \
	--listen 45602 --to 45502 --listen 45603 --to 45503 \
	--drop-first 1 --duration $((DUR + 4)) > "$W/relay.json" 2> "$W/relay.err" &
PIDS="$PIDS $!"
sleep 0.3
"$BIN/rakwon-media" --local "$W/b.sdp" --remote "$W/a_via_relay.sdp" --duration $((DUR + 2)) \
	--check-testsrc --frame-log "$W/b.flog" --stats "$W/b.json" --cname b 2> "$W/b.err" &
PIDS="$PIDS $!"
sleep 0.3
"$BIN/rakwon-media" --local "$W/a.sdp" --remote "$W/b_via_relay.sdp" --duration "$DUR" \
	--frame-log "$W/a.flog" --stats "$W/a.json" --cname a 2> "$W/a.err" || fail "sender exited with $?"
wait
note "relay: $(cat "$W/relay.json")"
note "receiver video: $(json "$W/b.json" 'd["video"]')"
note "sender video: $(json "$W/a.json" 'd["video"]')"
check "the relay dropped the first datagram of each of the 4 flows" "r['dropped'] == 4" r="$W/relay.json"
check "the receiver asked for a keyframe and the sender got the request" \
	"b['video']['plis_sent'] > 0 and a['video']['plis_recv'] > 0" a="$W/a.json" b="$W/b.json"
check "the sender answered with a keyframe before its periodic one" \
	"a['video']['keyframes_sent'] >= 2" a="$W/a.json"
# the periodic keyframe comes after 5 s: without recovery at most ~(DUR-5)/DUR
check "most frames rendered (>= 75 %)" "b['video']['frames_decoded'] >= 0.75 * a['video']['frames_sent']" a="$W/a.json" b="$W/b.json"
