#!/bin/sh
# media bench: per-stage video latency p50/p95 (capture -> encoded -> sent ->
# received -> decoded -> sink) and CPU per stream for 720p30 and 1080p30,
# against the equivalent GStreamer pipeline (x264enc tune=zerolatency +
# rtph264pay -> udpsrc + rtph264depay + avdec_h264), measured in the same run
# with the same stamped test pattern and the same stamp reader. Loopback.
# Figures are printed, never asserted.
BIN=${RAKWON_BIN:-build/bin}
SECS=${BENCH_SECS:-10}
W=$(mktemp -d /tmp/rakwon-bench-XXXXXX)
trap 'rm -rf "$W"' EXIT
cpu_of() { # pid -> "utime+stime" seconds
	awk '{print ($14 + $15) / 100}' "/proc/$1/stat" 2>/dev/null || echo 0
}
video_sdp() { # file port ssrc
	cat > "$1" <<EOS
v=0
o=- 1 1 IN IP4 127.0.0.1
s=bench
c=IN IP4 127.0.0.1
t=0 0
m=video $2 RTP/AVPF 96
a=rtpmap:96 H264/90000
a=fmtp:96 packetization-mode=1
a=rtcp-fb:96 nack
a=rtcp-fb:96 nack pli
a=ssrc:$3 cname:bench
EOS
}
video_sdp "$W/a.sdp" 48000 1111
video_sdp "$W/b.sdp" 48100 2222
sed -i 's/^m=video.*/&\na=recvonly/' "$W/b.sdp"
sed -i 's/^m=video.*/&\na=sendonly/' "$W/a.sdp"
command -v gst-launch-1.0 >/dev/null || echo "GStreamer missing: only our figures"
printf '%-9s %-10s %8s %8s %8s %8s %8s | %9s %9s | %7s %7s\n' size pipeline "enc p50" "send" "net+asm" "decode" "sink" "e2e p50" "e2e p95" "tx cpu%" "rx cpu%"
for size in 1280x720 1920x1080; do
	w=${size%x*}; h=${size#*x}
	kbps=2000; [ $w = 1920 ] && kbps=4000
	# --- ours ---
	"$BIN/rakwon-media" --local "$W/b.sdp" --remote "$W/a.sdp" --duration $((SECS + 2)) \
		--frame-log "$W/rx.log" --vidsink null --stats "$W/rx.json" 2>/dev/null &
	R=$!
	sleep 0.3
	"$BIN/rakwon-media" --local "$W/a.sdp" --remote "$W/b.sdp" --duration $SECS --size $size \
		--fps 30 --vbitrate $kbps --frame-log "$W/tx.log" --stats "$W/tx.json" 2>/dev/null &
	T=$!
	sleep $((SECS - 1)); tc=$(cpu_of $T); rc=$(cpu_of $R)
	wait
	/usr/bin/python3 - "$W/tx.log" "$W/rx.log" "$size" "$tc" "$rc" "$SECS" > "$W/ours.txt" <<'PY'
import sys
tx = {}; rows = []
for l in open(sys.argv[1]):
    f = dict(x.split("=") for x in l.split()[1:])
    tx[int(f["seq"])] = f
for l in open(sys.argv[2]):
    f = dict(x.split("=") for x in l.split()[1:])
    s = int(f["seq"])
    if s in tx and int(f["cap"]):
        t = tx[s]
        rows.append([(int(t["enc"]) - int(t["cap"])) / 1e3, (int(t["sent"]) - int(t["enc"])) / 1e3,
                     (int(f["recv"]) - int(t["sent"])) / 1e3, (int(f["dec"]) - int(f["recv"])) / 1e3,
                     (int(f["render"]) - int(f["dec"])) / 1e3, (int(f["dec"]) - int(f["cap"])) / 1e3])
def pct(i, p):
    v = sorted(r[i] for r in rows); return v[min(len(v) - 1, int(len(v) * p))] if v else 0
secs = float(sys.argv[6]) - 1
print("%-9s %-10s %8.1f %8.1f %8.1f %8.1f %8.1f | %9.1f %9.1f | %7.1f %7.1f" % (sys.argv[3], "rakwon",
      pct(0, .5), pct(1, .5), pct(2, .5), pct(3, .5), pct(4, .5), pct(5, .5), pct(5, .95),
      100 * float(sys.argv[4]) / secs, 100 * float(sys.argv[5]) / secs))
print("E2E %s %.2f %.2f" % (sys.argv[3], pct(5, .5), 100 * (float(sys.argv[4]) + float(sys.argv[5])) / secs))
PY
	grep -v ^E2E "$W/ours.txt"
	command -v gst-launch-1.0 >/dev/null || continue
	# --- GStreamer: same source through a pipe, same stamp reader ---
	fs=$((w * h * 3 / 2))
	( gst-launch-1.0 -q udpsrc address=127.0.0.1 port=48200 \
		caps="application/x-rtp,media=(string)video,clock-rate=(int)90000,encoding-name=(string)H264,payload=(int)96" \
		! rtph264depay ! avdec_h264 ! video/x-raw,format=I420 ! fdsink fd=1 sync=false 2>/dev/null \
		| "$BIN/rakwon-rawvideo" read $size > "$W/gst_rx.txt" ) &
	sleep 1
	GR=$(pgrep -n -f "udpsrc address=127.0.0.1 port=48200")
	( "$BIN/rakwon-rawvideo" gen $size 30 $SECS | gst-launch-1.0 -q fdsrc fd=0 blocksize=$fs \
		! rawvideoparse width=$w height=$h format=i420 framerate=30/1 \
		! x264enc tune=zerolatency speed-preset=superfast bitrate=$kbps key-int-max=300 \
		! video/x-h264,profile=constrained-baseline \
		! rtph264pay pt=96 mtu=1200 config-interval=-1 aggregate-mode=zero-latency \
		! udpsink host=127.0.0.1 port=48200 sync=false 2>/dev/null ) &
	sleep 1
	GT=$(pgrep -n -f "fdsrc fd=0 blocksize=$fs")
	sleep $((SECS - 2)); gtc=$(cpu_of "$GT"); grc=$(cpu_of "$GR")
	sleep 2; kill "$GR" 2>/dev/null; wait
	/usr/bin/python3 - "$W/gst_rx.txt" "$size" "$gtc" "$grc" "$SECS" "$W/ours.txt" <<'PY'
import sys
lat = sorted((int(l.split()[2]) - int(l.split()[1])) / 1e3 for l in open(sys.argv[1]) if len(l.split()) == 3)
if not lat:
    print("%-9s %-10s no frames decoded" % (sys.argv[2], "gstreamer")); sys.exit()
p = lambda q: lat[min(len(lat) - 1, int(len(lat) * q))]
secs = float(sys.argv[5]) - 2
cpu = 100 * (float(sys.argv[3]) + float(sys.argv[4])) / secs
print("%-9s %-10s %8s %8s %8s %8s %8s | %9.1f %9.1f | %7.1f %7.1f" % (sys.argv[2], "gstreamer",
      "-", "-", "-", "-", "-", p(.5), p(.95), 100 * float(sys.argv[3]) / secs, 100 * float(sys.argv[4]) / secs))
for l in open(sys.argv[6]):
    if l.startswith("E2E"):
        _, size, e2e, ocpu = l.split()
        print("%-9s ratio rakwon/gstreamer: latency p50 %.2fx, CPU %.2fx (goal: <= 0.6x latency at <= 1x CPU)"
              % (size, float(e2e) / p(.5), float(ocpu) / cpu if cpu else 0))
PY
done
echo "(ms; e2e = capture -> decoded; GStreamer's figure includes its source and sink pipes;"
echo " CPU in % of one core, sender and receiver processes; our sender CPU includes drawing the pattern,"
echo " GStreamer's excludes the pattern generator process)"
