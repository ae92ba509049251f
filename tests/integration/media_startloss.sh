#!/bin/sh
# media_startloss: the first datagram of every stream is lost (for video: the
# packet carrying SPS/PPS, so the first IDR cannot be decoded) and so is the
# sender's first RTCP packet (the relay cannot return feedback before it).
# The receiver must notice that its decoder fails, keep asking for a keyframe
# (PLI) until one arrives, and show video within a second or so, not at the
# next periodic keyframe. No other loss.
. tests/lib/common.sh
DUR=${MEDIA_SECS:-8}
relayed_call 45400 "$DUR" --drop-first 1
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
