#!/bin/sh
# media_loopback: two media sessions in separate processes on loopback,
# 720p30 test pattern plus a speech WAV, 30 s, SRTP (AES_CM_128_HMAC_SHA1_80).
# (a sends, b receives.) Asserts: >= 99 % of the frames sent are decoded; decoded frames match the
# source (PSNR >= 35 dB at 2 Mbit/s; frame counters read back in order);
# audio arrives intact (correlation with the source); A/V skew <= 40 ms.
. tests/lib/common.sh
DUR=${MEDIA_SECS:-30}
speech_wav "$W/speech.wav" en+m3 "This is room one of the national network. \
The presiding site opens the meeting. Factories, hospitals and schools are \
joining now. Please keep your microphones muted until you are given the floor."
sdp_pair "$W" 43000 43100 AES_CM_128_HMAC_SHA1_80
# one direction is measured: a sends, b receives (RTCP flows both ways)
sed -i '/^m=/a a=sendonly' "$W/a.sdp"
sed -i '/^m=/a a=recvonly' "$W/b.sdp"
"$BIN/rakwon-media" --local "$W/b.sdp" --remote "$W/a.sdp" --duration $((DUR + 2)) \
	--check-testsrc --frame-log "$W/b.flog" --audsink wav --audsink-args "path=$W/b.wav" \
	--vidsink null --stats "$W/b.json" --cname b 2> "$W/b.err" &
PIDS="$PIDS $!"
media_ready "$W/b.err"
"$BIN/rakwon-media" --local "$W/a.sdp" --remote "$W/b.sdp" --duration "$DUR" --vbitrate 2000 ${MEDIA_SENDER_ARGS:-} \
	--audsrc wav --audsrc-args "path=$W/speech.wav" --frame-log "$W/a.flog" \
	--stats "$W/a.json" --cname a 2> "$W/a.err" || fail "sender exited with $?"
wait
"$BIN/rakwon-avcheck" video "$W/b.flog" > "$W/v.json" || fail "video analysis"
"$BIN/rakwon-avcheck" audio "$W/speech.wav" "$W/b.wav" "$DUR" > "$W/au.json" || fail "audio analysis"
note "sender: $(cat "$W/a.json")"
note "receiver: $(cat "$W/b.json")"
note "video: $(cat "$W/v.json")"
note "audio: $(cat "$W/au.json")"
check "frames sent (>= 20 fps on average)" "a['video']['frames_sent'] >= 20 * $DUR" a="$W/a.json"
check "decoded >= 99% of frames sent" "b['video']['frames_decoded'] >= 0.99 * a['video']['frames_sent']" a="$W/a.json" b="$W/b.json"
check "every rendered frame carries a readable stamp, in order" "v['stamps'] == v['frames'] and v['seq_errors'] == 0" v="$W/v.json"
check "PSNR >= 35 dB (average over the call)" "v['psnr_avg'] >= 35" v="$W/v.json"
check "SRTP: nothing failed authentication" "b['video']['srtp_auth_fail'] == 0 and b['audio']['srtp_auth_fail'] == 0" b="$W/b.json"
# Thresholds from measurements: Opus at 64 kbit/s keeps the waveform (median
# 0.95 on a quiet machine); a broken path scores about 0.05. Jitter-buffer
# adaptation (a concealed or dropped frame) spoils the 1 s segment it falls
# in, so up to 20 % of the segments may be below 0.8.
check "audio intact: median segment correlation >= 0.9, >= 80 % of segments >= 0.8" "au['segments'] >= $DUR // 3 and au['median_corr'] >= 0.9 and au['frac_good'] >= 0.8" au="$W/au.json"
check "A/V skew <= 40 ms" "abs(b['video']['av_skew_ms']) <= 40" b="$W/b.json"
check "RTCP receiver reports reach the sender (round trip measured)" "a['video']['rtt_ms'] >= 0 and a['audio']['rtt_ms'] >= 0" a="$W/a.json"
