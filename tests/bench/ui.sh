#!/bin/sh
# ui.sh BUILD: cost of the on-screen UI during a call: two terminals in a
# 640x360 call for SECS seconds; room A composes its screen (1280x720, far
# end + self view + UI at ui.fps) into a Y4M display sink (/dev/null), and
# once more with the UI off (far end straight to a null sink). Prints the
# compositor's time per frame (p50/p95, from the status) and A's CPU. First,
# the latency from a key press to the frame showing its effect.
B=${1:-build}
BIN=$(cd "$B/bin" && pwd)
SECS=${UI_BENCH_SECS:-10}
W=$(mktemp -d /tmp/rakwon-uibench-XXXXXX)
PIDS=""
trap 'for p in $PIDS; do kill $p 2>/dev/null; done; wait 2>/dev/null; rm -rf "$W"' EXIT
term() { # NAME PORT RTP [-s k=v]...
	n=$1; p=$2; r=$3; shift 3
	"$BIN/rakwon-terminal" -s "room.name=Room $n" -s "sip.aor=sip:$n@127.0.0.1:$p" -s sip.udp_port=$p \
		-s sip.tcp_port=$p -s sip.tls_port=0 -s "ctrl.socket=$W/$n.sock" -s media.rtp_port_min=$r \
		-s media.encryption=off -s video.width=640 -s video.height=360 -s video.bitrate_kbps=800 \
		-s dev.remote=none -s log.level=warn "$@" > "$W/$n.log" 2>&1 &
	PIDS="$PIDS $!"
	eval "PID_$n=$!"
	i=0; while [ ! -S "$W/$n.sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
}
rc() { n=$1; shift; "$BIN/rakwonctl" -s "$W/$n.sock" "$@"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
run() { # LABEL [-s k=v]... for A
	label=$1; shift
	term a 16660 59000 "$@"
	term b 16670 60000 -s ui.enabled=no
	rc a dial uri=sip:b@127.0.0.1:16670 > /dev/null
	rc b wait call.state=ringing_in 10 > /dev/null && rc b answer > /dev/null
	rc a wait call.state=connected 10 > /dev/null || { echo "ui bench: call failed"; return; }
	sleep 2
	c0=$(cpu_ticks "$PID_a"); t0=$(date +%s.%N)
	sleep "$SECS"
	c1=$(cpu_ticks "$PID_a"); t1=$(date +%s.%N)
	rc a status > "$W/st.json"
	hz=$(getconf CLK_TCK)
	/usr/bin/python3 - "$W/st.json" "$label" "$c0" "$c1" "$t0" "$t1" "$hz" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); label = sys.argv[2]
c0, c1, t0, t1, hz = int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7])
cpu = 100.0 * (c1 - c0) / hz / (t1 - t0)
u = d.get("ui", {})
if u.get("enabled"):
    print(f"  {label:<28} compose p50 {u['compose_ms_p50']:6.2f} ms  p95 {u['compose_ms_p95']:6.2f} ms  "
          f"frames {u['frames']:5d}  terminal CPU {cpu:5.1f} %")
else:
    print(f"  {label:<28} {'':>42}  terminal CPU {cpu:5.1f} %")
PY
	rc a hangup > /dev/null
	for p in $PIDS; do kill $p 2>/dev/null; done; wait 2>/dev/null; PIDS=""
	rm -f "$W"/*.sock
}
keylat() { # LABEL [-s k=v]...: remote keys on the home screen -> frame on the display sink
	label=$1; shift
	term a 16660 59000 "$@"
	i=0; while [ $i -lt 40 ]; do
		rc a key action=$([ $((i % 2)) = 0 ] && echo right || echo left) > /dev/null
		sleep 0.15; i=$((i + 1))
	done
	sleep 0.5
	rc a status > "$W/st.json"
	/usr/bin/python3 - "$W/st.json" "$label" <<'PY'
import json, sys
u = json.load(open(sys.argv[1]))["ui"]
print(f"  {sys.argv[2]:<28} key -> screen p50 {u['update_ms_p50']:6.2f} ms  p95 {u['update_ms_p95']:6.2f} ms  "
      f"(compose p50 {u['compose_ms_p50']:.2f} ms, {u['frames']} frames)")
PY
	for p in $PIDS; do kill $p 2>/dev/null; done; wait 2>/dev/null; PIDS=""
	rm -f "$W"/*.sock
}
echo "== key press (control API key command) to the updated screen on the display sink, home screen, 40 keys"
keylat "UI 1280x720, 15 fps" -s dev.display=y4m -s "dev.display_args=path=/dev/null" -s ui.fps=15
keylat "UI 1920x1080, 30 fps" -s dev.display=y4m -s "dev.display_args=path=/dev/null" -s ui.fps=30 \
	-s ui.width=1920 -s ui.height=1080
echo "== on-screen UI in a call (640x360 video, 1280x720 screen, ${SECS} s, CPU of room A's whole terminal)"
run "UI on, 15 fps" -s dev.display=y4m -s "dev.display_args=path=/dev/null" -s ui.fps=15
run "UI on, 30 fps" -s dev.display=y4m -s "dev.display_args=path=/dev/null" -s ui.fps=30
run "UI off (far end to null sink)" -s ui.enabled=no
