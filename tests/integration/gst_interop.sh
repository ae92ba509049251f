#!/bin/sh
# gst_interop: GStreamer (software we did not write) on the other end.
#   1. GStreamer receives our RTP stream (H.264 mode 1 + Opus) and decodes
#      every frame and the audio; plain and SRTP with an SDES key.
#   2. Our receiver decodes GStreamer's x264enc + opusenc RTP stream; plain and
#      SRTP with an SDES key.
. tests/lib/common.sh
. tests/lib/gst.sh
SECS=6
for mode in plain srtp; do
	suite=""; [ $mode = srtp ] && suite=AES_CM_128_HMAC_SHA1_80
	d="$W/$mode"; mkdir -p "$d"
	# --- 1. we send, GStreamer receives ---
	sdp_pair "$d" 46000 46100 $suite
	sed -i 's/^a=rtcp-fb.*//; /^$/d' "$d/b.sdp"   # GStreamer's side: no feedback
	gst_recv "$d/a.sdp" 46102 46100 $((SECS + 4)) "$d" $( [ $mode = srtp ] && echo srtp) &
	G=$!
	sleep 1.5
	"$BIN/rakwon-media" --local "$d/a.sdp" --remote "$d/b.sdp" --duration $SECS --size 640x360 \
		--fps 30 --vbitrate 1000 --audsrc tone --stats "$d/a.json" 2> "$d/a.err" || fail "$mode: our sender failed"
	wait $G
	sent=$(json "$d/a.json" "d['video']['frames_sent']")
	got=$(y4m_frames "$d/rx.y4m")
	secs=$(wav_secs "$d/rx.wav")
	note "$mode: we sent $sent frames; GStreamer decoded $got frames and $secs s of audio"
	[ "$got" -ge "$sent" ] && [ "$sent" -ge $((SECS * 25)) ] || fail "$mode: GStreamer decoded $got of $sent frames"
	/usr/bin/python3 -c "import sys; sys.exit(0 if float('$secs') >= $SECS - 0.5 else 1)" || fail "$mode: GStreamer decoded only $secs s of audio"
	# --- 2. GStreamer sends, we receive ---
	sdp_pair "$d" 47000 47100 $suite
	sed -i '/^m=/a a=recvonly' "$d/a.sdp"    # we only receive
	# GStreamer's side sends with its own SSRCs (gst_send): say so in its SDP
	sed -i 's/^a=ssrc-group.*//; s/^a=ssrc:52222 /a=ssrc:287454020 /; s/^a=ssrc:51111 /a=ssrc:1432778632 /; /^$/d' "$d/b.sdp"
	"$BIN/rakwon-media" --local "$d/a.sdp" --remote "$d/b.sdp" --duration $((SECS + 3)) \
		--vidsink y4m --vidsink-args "path=$d/ours.y4m" --audsink wav --audsink-args "path=$d/ours.wav" \
		--stats "$d/r.json" 2> "$d/r.err" &
	R=$!
	media_ready "$d/r.err"
	if [ $mode = srtp ]; then
		gst_send 47002 47000 $SECS "$(sdp_key "$d/b.sdp" video)" "$(sdp_key "$d/b.sdp" audio)" > "$d/gst-send.log" 2>&1
	else
		gst_send 47002 47000 $SECS > "$d/gst-send.log" 2>&1
	fi
	wait $R
	dec=$(json "$d/r.json" "d['video']['frames_decoded']")
	apk=$(json "$d/r.json" "d['audio']['packets_recv']")
	auth=$(json "$d/r.json" "d['video']['srtp_auth_fail'] + d['audio']['srtp_auth_fail']")
	note "$mode: GStreamer sent $((SECS * 30)) frames; we decoded $dec frames and $apk audio packets (auth failures: $auth)"
	[ "$dec" -ge $((SECS * 30)) ] || fail "$mode: we decoded $dec of $((SECS * 30)) frames"
	[ "$apk" -ge $((SECS * 50 - 5)) ] || fail "$mode: we received $apk of $((SECS * 50)) audio packets"
	[ "$auth" = 0 ] || fail "$mode: SRTP authentication failures"
	note "ok $mode both directions"
done
