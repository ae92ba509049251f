#!/bin/sh
# tcall.sh LABBIN HOSTRUN OUT: a real call between two rakwon-terminal processes
# over SIP inside the guest, on the kernel's virtual devices:
#   terminal A: camera vivid-000 (webcam 320x180, 15 fps: TCG), microphone snd-aloop
#               hw:Loopback,1,0 (a beeping 1 kHz tone is played into
#               hw:Loopback,0,0), display vkms (KMS), speaker snd-aloop
#               hw:Loopback,0,1 (recorded from hw:Loopback,1,1)
#   terminal B: camera vivid-002 (a second vivid webcam, another test pattern),
#               microphone a 660 Hz tone (fake), speaker a WAV file
# Both register to rakwon-sipregistrar (digest auth); A dials B by address of
# record through rakwonctl over A's control socket; B is answered through its
# own control socket; both reach "connected"; video and audio flow both ways;
# A hangs up; both are idle. Then: B's camera picture is on A's vkms (writeback
# readback, PSNR against a fresh capture of vivid-002, and NOT A's own camera),
# B's tone came out of A's ALSA speaker, A's microphone tone reached B.
BIN=$1; HR=$2; OUT=$3
RB=$BIN/../bin
W=/tmp/tcall
rm -rf $W; mkdir -p $W/a $W/b
PIDS=""
up() { cut -d' ' -f1 /proc/uptime; }
T0=$(up)
el() { awk -v a="$T0" -v b="$(up)" 'BEGIN{printf "%.1f", b-a}'; }
stop_all() {
	for p in $PIDS; do kill -TERM "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	PIDS=""
}
fail() {
	echo "FAIL at $(el)s: $*"
	for n in a b; do echo "--- status $n"; rc $n status 2>&1 | head -40; done
	stop_all
	for n in a b; do echo "--- log $n"; tail -n 25 $OUT/tcall-$n.log; done
	echo "## $*"
	exit 1
}
# progress also goes to the console (the host's console log shows where a hung guest stopped)
note() { echo "[$(el)s] $*"; echo "tcall: [$(el)s] $*" > /dev/console; }
rc() { n=$1; shift; $HR $RB/rakwonctl -s $W/$n.sock "$@"; }
wait_state() { rc "$1" wait "call.state=$2" "${3:-30}" > /dev/null || fail "$1 never reached $2"; }
# num NAME SECTION KEY: the first integer "KEY" after "SECTION" in NAME's status JSON
num() { rc "$1" status | sed -n "/\"$2\"/,\$p" | sed -n "s/.*\"$3\": *\([0-9]*\).*/\1/p" | head -n1; }
# wait_count NAME SECTION KEY MIN SECS: until the status counter KEY exceeds MIN
wait_count() {
	i=0
	while [ $i -lt $(($5 * 2)) ]; do
		v=$(num "$1" "$2" "$3")
		[ -n "$v" ] && [ "$v" -gt "$4" ] && return 0
		sleep 2; i=$((i + 4))
	done
	return 1
}
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up

# distinct pictures: A's own camera shows colour squares, B's the 75 % colour bars
$HR $BIN/lab_callcheck --pattern vivid-000-vid-cap 4 vivid-002-vid-cap 0 > $W/pattern.out 2>&1 ||
	fail "cannot set the cameras' patterns: $(cat $W/pattern.out)"

$HR $RB/rakwon-sipregistrar --udp 127.0.0.1:5060 --user a:secret-a --user b:secret-b \
	--time-limit 300 > $W/reg.out 2> $OUT/tcall-reg.log &
PIDS="$PIDS $!"
# a terminal with the on-screen UI (ui.enabled) composes its screen; this test checks the far
# end's picture as such, so the UI is off when the build has one
NOUI=""
$HR $RB/rakwon-terminal --print-default-config | grep -q '^ui.enabled' && NOUI="-s ui.enabled=no"
# term NAME PORT RTP [-s k=v]...: start a terminal (wait_sock waits for its control socket)
term() {
	n=$1 p=$2 rtp=$3; shift 3
	$HR $RB/rakwon-terminal -s "room.name=Room $n" -s "sip.aor=sip:$n@127.0.0.1" \
		-s sip.listen=127.0.0.1 -s sip.udp_port=$p -s sip.tcp_port=$p -s sip.tls_port=0 \
		-s sip.registrar=127.0.0.1:5060 -s sip.password=secret-$n -s media.encryption=off \
		-s media.rtp_port_min=$rtp -s ctrl.socket=$W/$n.sock -s state.dir=$W/$n \
		-s video.width=320 -s video.height=180 -s video.fps=10 -s video.bitrate_kbps=300 \
		-s log.level=info $NOUI "$@" > $OUT/tcall-$n.log 2>&1 &
	PIDS="$PIDS $!"
	eval "PID_$n=$!"
}
# cpu PID: user+system clock ticks (1/100 s) used so far
cpu() { awk '{print $14 + $15}' /proc/$1/stat 2>/dev/null || echo 0; }
# wait_sock NAME: until the terminal's control socket is there
wait_sock() {
	i=0; while [ ! -S $W/$1.sock ] && [ $i -lt 300 ]; do sleep 0.2; i=$((i + 1)); done
	[ -S $W/$1.sock ] || fail "terminal $1 did not start"
}
term a 5070 20000 \
	-s dev.camera=v4l2 -s dev.camera_args=name=vivid-000-vid-cap,prefer=YUYV:NV12,latest=1 \
	-s dev.microphone=alsa -s "dev.microphone_args=device=hw:Loopback,1,0,period_ms=10,periods=8" \
	-s dev.display=kms -s "dev.display_args=device=/dev/dri/card0,mode=640x480,readback=$OUT/tcall-a-wb.ppm" \
	-s dev.speaker=alsa -s "dev.speaker_args=device=hw:Loopback,0,1,period_ms=10,periods=8"
term b 5080 21000 \
	-s dev.camera=v4l2 -s dev.camera_args=name=vivid-002-vid-cap,prefer=YUYV:NV12,latest=1 \
	-s dev.microphone=tone -s dev.microphone_args=freq=660,level=-12 \
	-s dev.display=null -s dev.speaker=wav -s dev.speaker_args=path=$W/b-heard.wav
wait_sock a
wait_sock b
note "terminals up"
rc a wait registration.registered=true 30 > /dev/null || fail "a did not register"
rc b wait registration.registered=true 30 > /dev/null || fail "b did not register"
grep -q "REG a " $W/reg.out && grep -q "REG b " $W/reg.out || fail "registrar has no bindings"
note "both registered"

# audio ends: what A's speaker plays is recorded; a tone goes into A's microphone
$HR $BIN/lab_tone listen hw:Loopback,1,1 660 100 > $OUT/tcall-listen.log 2>&1 &
LISTEN=$!
$HR $BIN/lab_tone play hw:Loopback,0,0 1000 100 > $OUT/tcall-play.log 2>&1 &
PLAY=$!

rc a dial uri=sip:b@127.0.0.1:5060 > /dev/null || fail "dial b by AOR"
wait_state b ringing_in
# under TCG the terminal's loop can be busy opening its devices and codecs for
# longer than rakwonctl's 10 s reply timeout: the states below are what counts
rc b answer > $W/answer.out 2>&1 || note "answer: $(cat $W/answer.out) (B busy starting its media)"
wait_state b connected 90
wait_state a connected 90
note "in call"
ca0=$(cpu $PID_a) cb0=$(cpu $PID_b) tc0=$(up)
wait_count a video frames_decoded 10 90 || fail "A did not show B's video (decoded $(num a video frames_decoded))"
wait_count b video frames_decoded 5 60 || fail "B did not get A's video (decoded $(num b video frames_decoded))"
wait_count a audio packets_recv 100 30 || fail "no audio at A"
wait_count b audio packets_recv 100 30 || fail "no audio at B"
note "media both ways"
ca1=$(cpu $PID_a) cb1=$(cpu $PID_b) tc1=$(up)
load=$(awk -v a0=$ca0 -v a1=$ca1 -v b0=$cb0 -v b1=$cb1 -v t0=$tc0 -v t1=$tc1 \
	'BEGIN{printf "A %.0f%% B %.0f%% of one CPU over %.0f s", (a1-a0)/(t1-t0), (b1-b0)/(t1-t0), t1-t0}')
note "terminal CPU in call: $load"
echo "FIGURE tcall_cpu $load" > $OUT/tcall-figures.txt
rc a status > $OUT/tcall-a-status.json
rc b status > $OUT/tcall-b-status.json
# the audio ends stop first: the terminal's ALSA streams then close with no
# process on the other ends of the loopback cables
kill -TERM $LISTEN $PLAY 2>/dev/null
wait $LISTEN; lrc=$?
wait $PLAY
note "audio ends stopped; hanging up"
rc a hangup > /dev/null || fail "hangup"
wait_state a idle
wait_state b idle
note "hung up, both idle"
# the kms sink writes the readback when the display closes: at hang-up, or at
# the latest when the terminal exits
i=0; while [ ! -s $OUT/tcall-a-wb.ppm ] && [ $i -lt 25 ]; do sleep 0.2; i=$((i + 1)); done
note "readback: $(ls -l $OUT/tcall-a-wb.ppm 2>&1)"
stop_all
note "terminals stopped"
cat $OUT/tcall-listen.log
$HR $BIN/lab_tone wav $W/b-heard.wav 1000 > $W/wav.out 2>&1; wrc=$?
cat $W/wav.out
$HR $BIN/lab_callcheck $OUT/tcall-a-wb.ppm vivid-002-vid-cap 320x180 vivid-000-vid-cap > $W/check.out 2>&1
crc=$?
cat $W/check.out
ad=$(sed -n 's/.*"frames_decoded": *\([0-9]*\).*/\1/p' $OUT/tcall-a-status.json | head -n1)
bd=$(sed -n 's/.*"frames_decoded": *\([0-9]*\).*/\1/p' $OUT/tcall-b-status.json | head -n1)
[ $crc = 0 ] || { echo "## B's picture not on A's display: $(grep '^## ' $W/check.out | cut -c4-)"; exit 1; }
[ $lrc = 0 ] || { echo "## B's 660 Hz tone not heard from A's speaker: $(grep '^## ' $OUT/tcall-listen.log | cut -c4-)"; exit 1; }
[ $wrc = 0 ] || { echo "## A's microphone tone not received by B: $(grep '^## ' $W/wav.out | cut -c4-)"; exit 1; }
psnr=$(sed -n 's/.*PSNR \([0-9.]*\) dB;.*/\1/p' $W/check.out | head -n1)
echo "## SIP via registrar, dial/answer/hangup by rakwonctl; A decoded ${ad} B ${bd} frames; B's camera on A's vkms PSNR ${psnr} dB; tones both ways via snd-aloop"
