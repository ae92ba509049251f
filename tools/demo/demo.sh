#!/bin/sh
# demo.sh BUILD: the README's main command. Two simulated rooms on this
# machine (fake camera: moving test pattern; fake microphone: speech), each a
# real rakwon-terminal. Room A calls Room B over SIP/TLS with SRTP media,
# the call is held and resumed, and after some seconds each room saves what
# it received as a picture. Everything stays on 127.0.0.1.
set -u
B=${1:-build}
BIN=$(cd "$B/bin" && pwd)
OUT=${DEMO_OUT:-$(pwd)/out/demo}
SECS=${DEMO_SECS:-10}
rm -rf "$OUT"; mkdir -p "$OUT/pki"
PIDS=""
trap 'for p in $PIDS; do kill $p 2>/dev/null; done; wait 2>/dev/null' EXIT
say() { printf '%s\n' "demo: $*"; }
"$BIN/rakwon-certgen" "$OUT/pki" room-a room-b > /dev/null || { say "cannot make certificates"; exit 1; }
speech="$OUT/speech-%s.wav"
for r in a b; do
	v=en+m3; [ $r = b ] && v=en+f2
	txt="This is room $r. Good morning from room $r of the national network."
	if command -v espeak-ng > /dev/null && espeak-ng -v $v -s 150 -w "$OUT/raw-$r.wav" "$txt" 2>/dev/null &&
	   sox "$OUT/raw-$r.wav" -r 48000 -c 1 -b 16 "$(printf "$speech" $r)" 2>/dev/null; then
		mic="-s dev.microphone=wav -s dev.microphone_args=path=$(printf "$speech" $r)"
	else
		mic="-s dev.microphone=tone"
	fi
	rm -f "$OUT/raw-$r.wav"
	port=$([ $r = a ] && echo 25060 || echo 25070)
	# shellcheck disable=SC2086
	"$BIN/rakwon-terminal" -s "room.name=Room $(echo $r | tr a-z A-Z)" -s "sip.aor=sip:room-$r@127.0.0.1:$port" \
		-s sip.udp_port=$port -s sip.tcp_port=$port -s sip.tls_port=$((port + 1)) \
		-s "sip.tls_ca=$OUT/pki/ca.pem" -s "sip.tls_cert=$OUT/pki/room-$r.pem" -s "sip.tls_key=$OUT/pki/room-$r.key" \
		-s "ctrl.socket=$OUT/room-$r.sock" -s media.encryption=required \
		-s media.rtp_port_min=$((port + 10000)) $mic \
		-s dev.display=null \
		-s dev.speaker=wav -s "dev.speaker_args=path=$OUT/room-$r-heard.wav" \
		-s call.auto_answer=$([ $r = b ] && echo on || echo off) -s call.auto_answer_delay_ms=1000 \
		> "$OUT/room-$r.log" 2>&1 &
	PIDS="$PIDS $!"
done
ctl() { r=$1; shift; "$BIN/rakwonctl" -s "$OUT/room-$r.sock" "$@"; }
for r in a b; do
	i=0; while [ ! -S "$OUT/room-$r.sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
done
say "Room A (sips:room-a@127.0.0.1:25061) and Room B (sips:room-b@127.0.0.1:25071) are up"
ctl a dial uri=sips:room-b@127.0.0.1:25071 > /dev/null || { say "dial failed"; exit 1; }
say "Room A calls Room B (SIP over TLS, media SRTP); Room B answers automatically"
ctl a wait call.state=connected 15 || { say "the call did not connect; see $OUT/room-*.log"; exit 1; }
say "connected; encrypted: $(ctl a status | grep -m1 '"encrypted"' | tr -d ' ,')"
sleep $((SECS / 2))
ctl a hold > /dev/null && ctl a wait call.state=held 5 && say "Room A holds the call" && sleep 2
ctl a resume > /dev/null && ctl a wait call.state=connected 5 && say "Room A resumes"
sleep $((SECS / 2))
# the rooms' composed screens (on-screen UI over the far end, self view in the corner)
ctl a screenshot "path=$OUT/room-a-received.png" > /dev/null
ctl b screenshot "path=$OUT/room-b-received.png" > /dev/null
sleep 1
ctl a status > "$OUT/room-a-status.json"
ctl b status > "$OUT/room-b-status.json"
ctl a hangup > /dev/null
ctl b wait call.state=idle 5
sleep 1
for p in $PIDS; do kill $p 2>/dev/null; done; wait 2>/dev/null; PIDS=""
/usr/bin/python3 - "$OUT" <<'PY'
import json, sys, os
out = sys.argv[1]
for r in "ab":
    d = json.load(open(f"{out}/room-{r}-status.json"))["call"]
    v, a = d["media"]["video"], d["media"]["audio"]
    print(f"demo: Room {r.upper()} received {v['frames_decoded']} video frames {v['width']}x{v['height']} "
          f"(PSNR n/a, loss {v['lost']}, rtt {v['rtt_ms']:.1f} ms) and {a['packets_recv']} audio packets; "
          f"encrypted={d['encrypted']}")
    png = f"{out}/room-{r}-received.png"
    print(f"demo:   screen of Room {r.upper()} in the call: {png}" + ("" if os.path.exists(png) else " (MISSING)"))
PY
say "logs, statistics and received audio (room-*-heard.wav) are in $OUT"
