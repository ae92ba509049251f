# common.sh: helpers for integration tests (sourced). Loopback only.
# Every test gets a work dir $W (kept on failure), binaries in $BIN.
set -u
BIN=${RAKWON_BIN:-$(pwd)/build/bin}
W=$(mktemp -d /tmp/rakwon-it-XXXXXX)
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	[ "${KEEP:-0}" = 1 ] || [ "${FAILED:-0}" = 1 ] || rm -rf "$W"
}
trap cleanup EXIT
fail() { FAILED=1; echo "FAIL: $*"; echo "(work dir kept: $W)"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
note() { echo "  $*"; }
# json FILE EXPR: evaluate a python expression on the JSON in FILE (as d)
json() { /usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }
# check "description" PYTHON-BOOL-EXPR over named JSON files: check "x" 'a["v"]>1' a=FILE
check() {
	desc=$1; expr=$2; shift 2
	/usr/bin/python3 - "$desc" "$expr" "$@" <<'PY' || fail "$1"
import json, sys
desc, expr = sys.argv[1], sys.argv[2]
env = {}
for kv in sys.argv[3:]:
    k, v = kv.split("=", 1)
    env[k] = json.load(open(v))
ok = eval(expr, {}, env)
print("  %-4s %s" % ("ok" if ok else "FAIL", desc))
sys.exit(0 if ok else 1)
PY
}
# wait_log FILE PATTERN [SECS]: wait until FILE has a line matching PATTERN
# (a process says it is ready); fails the test after SECS (default 20)
wait_log() {
	_i=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		[ $_i -ge $((${3:-20} * 10)) ] && fail "no '$2' in $1 after ${3:-20} s"
		sleep 0.1; _i=$((_i + 1))
	done
}
# rakwon-media prints this when its session runs (sockets bound, threads up)
media_ready() { wait_log "$1" "session started"; }
# relayed_call BASE DUR RELAY-OPTIONS...: a sends (sendonly) 720p30 + audio to b
# (recvonly) through rakwon-udprelay with the given impairments, both directions
# (media and RTCP); ports BASE (a), BASE+100 (b), BASE+200 (relay). Leaves
# $W/{a,b}.json (stats), $W/{a,b}.flog (frame logs), $W/relay.json.
relayed_call() {
	base=$1; dur=$2; shift 2
	sdp_pair "$W" "$base" $((base + 100))
	sed -i '/^m=/a a=sendonly' "$W/a.sdp"
	sed -i '/^m=/a a=recvonly' "$W/b.sdp"
	# b sends through the relay too: its view of a has the relay's ports
	sed -e "s/^m=audio $base/m=audio $((base + 200))/; s/^m=video $((base + 2))/m=video $((base + 202))/" \
		"$W/a.sdp" > "$W/a_via_relay.sdp"
	sed -e "s/^m=audio $((base + 100))/m=audio $((base + 200))/; s/^m=video $((base + 102))/m=video $((base + 202))/" \
		"$W/b.sdp" > "$W/b_via_relay.sdp"
	"$BIN/rakwon-udprelay" --listen $((base + 200)) --to $((base + 100)) \
		--listen $((base + 201)) --to $((base + 101)) \
		--listen $((base + 202)) --to $((base + 102)) \
		--listen $((base + 203)) --to $((base + 103)) \
		"$@" --duration $((dur + 4)) > "$W/relay.json" 2> "$W/relay.err" &
	PIDS="$PIDS $!"
	wait_log "$W/relay.err" ":$((base + 203)) <->"
	"$BIN/rakwon-media" --local "$W/b.sdp" --remote "$W/a_via_relay.sdp" --duration $((dur + 2)) \
		--check-testsrc --frame-log "$W/b.flog" --stats "$W/b.json" --cname b 2> "$W/b.err" &
	PIDS="$PIDS $!"
	media_ready "$W/b.err"
	"$BIN/rakwon-media" --local "$W/a.sdp" --remote "$W/b_via_relay.sdp" --duration "$dur" \
		--frame-log "$W/a.flog" --stats "$W/a.json" --cname a 2> "$W/a.err" ||
		fail "sender exited with $?"
	wait
}
# speech WAV, 48 kHz mono, of about SECS seconds, voice VOICE (cached per run)
speech_wav() { # OUT VOICE TEXT
	out=$1; voice=$2; shift 2
	command -v espeak-ng >/dev/null || skip "espeak-ng missing (make deps)"
	espeak-ng -v "$voice" -s 160 -w "$out.raw.wav" "$*" 2>/dev/null || fail "espeak-ng"
	sox "$out.raw.wav" -r 48000 -c 1 -b 16 "$out" 2>/dev/null || fail "sox"
	rm -f "$out.raw.wav"
}
# two SDP files for a loopback pair: sdp_pair DIR BASEPORT_A BASEPORT_B [crypto-suite]
sdp_pair() {
	d=$1; pa=$2; pb=$3; suite=${4:-}
	for side in a b; do
		if [ $side = a ]; then p=$pa; s=1; else p=$pb; s=5; fi
		prof=RTP/AVPF; cr_a=""; cr_v=""
		if [ -n "$suite" ]; then
			prof=RTP/SAVPF
			ka=$(head -c 30 /dev/urandom | base64); kv=$(head -c 30 /dev/urandom | base64)
			cr_a="a=crypto:1 $suite inline:$ka"; cr_v="a=crypto:1 $suite inline:$kv"
		fi
		cat > "$d/$side.sdp" <<EOS
v=0
o=- 1 1 IN IP4 127.0.0.1
s=$side
c=IN IP4 127.0.0.1
t=0 0
m=audio $p $prof 111
a=rtpmap:111 opus/48000/2
a=fmtp:111 useinbandfec=1
a=ssrc:${s}1111 cname:$side
$cr_a
m=video $((p + 2)) $prof 96 97
a=rtpmap:96 H264/90000
a=fmtp:96 packetization-mode=1;profile-level-id=42e01f
a=rtpmap:97 rtx/90000
a=fmtp:97 apt=96
a=rtcp-fb:96 nack
a=rtcp-fb:96 nack pli
a=ssrc-group:FID ${s}2222 ${s}2223
a=ssrc:${s}2222 cname:$side
$cr_v
EOS
		sed -i '/^$/d' "$d/$side.sdp"
	done
}
