#!/bin/sh
# call.sh LABBIN HOSTRUN OUT: a call on real devices inside the guest: a sending
# rakwon-media captures vivid's HDMI input (V4L2), encodes H.264 and sends RTP
# over loopback; a receiving rakwon-media decodes and shows it on vkms (KMS).
# The receiver's display is read back through writeback at the end and
# compared with the camera by lab_callcheck.
BIN=$1; HR=$2; OUT=$3
M=$BIN/../bin/rakwon-media
W=/tmp/call; mkdir -p $W
# the guest boots without networking: loopback is enough for the call
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up
sdp() { # file port ssrc dir
	printf 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=call\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=video %s RTP/AVPF 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1\r\na=rtcp-fb:96 nack\r\na=rtcp-fb:96 nack pli\r\na=ssrc:%s cname:lab\r\na=%s\r\n' "$2" "$3" "$4" > "$1"
}
sdp $W/a.sdp 46000 1111 sendonly
sdp $W/b.sdp 46100 2222 recvonly
$HR $M --local $W/b.sdp --remote $W/a.sdp --duration 16 --vidsink kms \
	--vidsink-args mode=1280x720,readback=$OUT/call-wb.ppm --stats $OUT/call-b.json 2> $OUT/call-b.err &
B=$!
sleep 1
$HR $M --local $W/a.sdp --remote $W/b.sdp --duration 12 --vidsrc v4l2 \
	--vidsrc-args name=vivid-001-vid-cap,prefer=NV12,latest=1 --size 1280x720 --fps 30 \
	--vbitrate 1500 --stats $OUT/call-a.json 2> $OUT/call-a.err
wait $B
sent=$(sed -n 's/.*"video":{[^}]*"frames_sent":\([0-9]*\).*/\1/p' $OUT/call-a.json)
dec=$(sed -n 's/.*"video":{[^}]*"frames_decoded":\([0-9]*\).*/\1/p' $OUT/call-b.json)
echo "frames sent $sent, decoded $dec"
[ "${dec:-0}" -ge 10 ] || { echo "## only ${dec:-0} frames decoded of ${sent:-0} sent"; exit 1; }
exec $HR $BIN/lab_callcheck $OUT/call-wb.ppm vivid-001-vid-cap
