#!/bin/sh
# h264_gst_interop.sh: our RFC 6184 packetizer/assembler against GStreamer's rtph264pay/depay.
#   1. x264enc output packetized by rtph264pay (aggregate-mode zero-latency:
#      STAP-A + FU-A; and none: single NAL units + FU-A) comes out of our
#      assembler byte-identical (NAL units), every frame complete;
#   2. our packetizer's output goes through rtph264depay byte-identical;
#   3. with every 10th packet dropped, frames are dropped and a keyframe asked.
set -u
BIN=${RAKWON_BIN:-build/bin}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
field() { sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p" "$1"; }

command -v gst-launch-1.0 >/dev/null || { echo "gst-launch-1.0 not installed"; exit 77; }
for e in x264enc rtph264pay rtph264depay rtpstreampay rtpstreamdepay; do
	gst-inspect-1.0 "$e" >/dev/null 2>&1 || { echo "GStreamer element $e missing"; exit 77; }
done
[ -x "$BIN/rakwon-h264rtp" ] || fail "$BIN/rakwon-h264rtp not built"

N=60
gst-launch-1.0 -q videotestsrc num-buffers=$N pattern=ball \
	! video/x-raw,width=640,height=360,framerate=30/1 \
	! x264enc key-int-max=20 tune=zerolatency speed-preset=ultrafast bitrate=1500 \
	! video/x-h264,stream-format=byte-stream,profile=baseline ! tee name=t \
	t. ! queue ! filesink location="$T/ref.h264" \
	t. ! queue ! rtph264pay mtu=600 aggregate-mode=zero-latency ! rtpstreampay \
		! filesink location="$T/zl.rtps" \
	t. ! queue ! rtph264pay mtu=1200 aggregate-mode=none ! rtpstreampay \
		! filesink location="$T/none.rtps" || fail "gst encode/payload pipeline"
"$BIN/rakwon-h264rtp" norm "$T/ref.h264" "$T/ref.n" || fail "norm"

for m in zl none; do
	"$BIN/rakwon-h264rtp" depay "$T/$m.h264" "$T/$m.rtps" > "$T/$m.json" || fail "depay $m"
	echo "gst $m -> rakwon: $(cat "$T/$m.json")"
	[ "$(field "$T/$m.json" frames_complete)" = $N ] || fail "$m: not $N frames complete"
	[ "$(field "$T/$m.json" frames_dropped)" = 0 ] || fail "$m: frames dropped"
	[ "$(field "$T/$m.json" malformed)" = 0 ] || fail "$m: malformed packets"
	[ "$(field "$T/$m.json" idr)" = 3 ] || fail "$m: not 3 IDR frames"
	cmp -s "$T/ref.n" "$T/$m.h264" || fail "$m: reassembled stream differs from the encoder's"
done

"$BIN/rakwon-h264rtp" pay --mtu 700 "$T/ref.h264" "$T/ours.rtps" > "$T/pay.json" || fail "pay"
echo "rakwon pay: $(cat "$T/pay.json")"
[ "$(field "$T/pay.json" access_units)" = $N ] || fail "pay: not $N access units"
gst-launch-1.0 -q filesrc location="$T/ours.rtps" \
	! 'application/x-rtp-stream,media=video,clock-rate=90000,encoding-name=H264,payload=96' \
	! rtpstreamdepay ! rtph264depay ! video/x-h264,stream-format=byte-stream \
	! filesink location="$T/gst.h264" || fail "gst depayload pipeline"
"$BIN/rakwon-h264rtp" norm "$T/gst.h264" "$T/gst.n" || fail "norm"
cmp -s "$T/ref.n" "$T/gst.n" || fail "rtph264depay output differs from the encoder's"
echo "rakwon -> gst rtph264depay: identical"

"$BIN/rakwon-h264rtp" depay --drop-every 10 "$T/lossy.h264" "$T/zl.rtps" > "$T/lossy.json" || fail "depay lossy"
echo "gst zl, every 10th packet dropped -> rakwon: $(cat "$T/lossy.json")"
[ "$(field "$T/lossy.json" frames_dropped)" -gt 0 ] || fail "lossy: no frame dropped"
[ "$(field "$T/lossy.json" keyframe_requests)" -gt 0 ] || fail "lossy: no keyframe request"
[ "$(field "$T/lossy.json" frames_complete)" -lt $N ] || fail "lossy: all frames complete"
echo "ok"
