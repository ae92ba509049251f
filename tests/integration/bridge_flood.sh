#!/bin/sh
# bridge_flood: join floods and meeting size on rakwon-bridge: 24 simulated
# sites (rakwon-bridgeload) call one meeting at ~100 calls/s; the bridge
# admits only what its per-meeting join rate allows (join_rate=2: a burst of
# 4, then 2/s) and refuses the rest with 503; a meeting limited to 3 sites
# refuses the 4th with 486. The admitted sites get their mixes and the
# broadcast video (plain RTP: UDP signalling), checked by packet counts; the
# receiving sites drop 5% of the video and NACK it: the bridge retransmits
# from its per-source history.
. tests/lib/common.sh
. tests/lib/bridge.sh
BP=25800
bridge_start $BP "1001 | Flood | | | 100
2002 | Small | | | 3" --set join_rate=2 --set sip_invite_rate=1000 --set sip_invite_burst=1000
"$BIN/rakwon-bridgeload" --uri "sip:1001@127.0.0.1:$BP" -n 24 --duration 2 --warmup 1 \
	--video-senders 2 > "$W/flood.json" 2> "$W/flood.err"
n503=$(grep -c " 503 " "$W/flood.err")
note "flood: $(cat "$W/flood.json")"
note "flood: $n503 calls refused with 503"
check "join flood: only a burst of about 4 admitted, the rest refused" "4 <= d['connected'] <= 8" d="$W/flood.json"
[ "$n503" -ge 16 ] || fail "expected >= 16 refusals with 503, got $n503"
roster 1001 > "$W/r.json"
check "roster empty again after the load generator hung up" "len(r['participants']) == 0" r="$W/r.json"
"$BIN/rakwon-bridgeload" --uri "sip:2002@127.0.0.1:$BP" -n 4 --duration 3 --warmup 1 \
	--video-senders 1 --nack-test 5 > "$W/small.json" 2> "$W/small.err"
note "small: $(cat "$W/small.json")"
grep -q " 486 " "$W/small.err" || fail "4th site of a 3-site meeting not refused with 486 ($(cat "$W/small.err"))"
check "3-site meeting: 3 connected, mixes and video flow, no audio lost" "d['connected'] == 3 and d['audio_rx'] > 3 * 40 * 2 and d['video_rx'] > 50 and d['audio_lost'] == 0" d="$W/small.json"
check "NACK: the bridge retransmits >= 80% of the video packets the sites dropped and NACKed" "d['nacked'] >= 3 and d['rtx_recovered'] >= 0.8 * d['nacked']" d="$W/small.json"
