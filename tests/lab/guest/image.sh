#!/bin/sh
# image.sh: the lab's image boot (lab.mode=image): /init has started rakwon-terminal exactly as on
# the box (the image's own binaries, libraries and generated terminal.conf); this script watches
# it from beside: the control socket appears, the image's rakwonctl gets an answer, the board's
# configuration is in force, and the first frame reaches vkms (the CRTC goes active with a
# framebuffer on a plane: debugfs state). Times are guest uptime, i.e. from kernel start.
# With a UI in the build (config key ui.enabled = yes) a frame on screen is required; without,
# the idle terminal draws nothing and that is reported. RESULT lines go to /mnt/out/results.txt.
OUT=/mnt/out
R=$OUT/results.txt
up() { cut -d' ' -f1 /proc/uptime; }
T0=$(up)
result() { echo "RESULT $1 $2 $3" | tee -a $R; }
ST=/sys/kernel/debug/dri/0/state
# frame_on: the CRTC is active and a plane scans out a framebuffer; prints the fb's size
frame_on() {
	awk '/^crtc\[/{c=1} /^plane\[/{c=0} c&&/active=1/{on=1}
	     /^plane\[/{p=1} p&&/fb=[1-9]/{fb=1} fb&&/size=/{sz=$1; fb=0}
	     END{if (on && sz) {print sz; exit 0} exit 1}' $ST 2>/dev/null
}
i=0
while [ ! -S /run/rakwon-terminal.sock ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
t_sock=$(up)
fail=""
[ -S /run/rakwon-terminal.sock ] || fail="no control socket after 30 s"
t_ans=""
if [ -z "$fail" ]; then
	i=0
	while [ $i -lt 100 ] && ! rakwonctl status > /tmp/status 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
	t_ans=$(up)
	grep -q '"state": "idle"' /tmp/status || fail="status does not answer idle: $(head -c 200 /tmp/status)"
fi
if [ -z "$fail" ]; then
	grep -q '"room": "Lab Room"' /tmp/status || fail="the board's terminal.room.name is not in force"
	cam=$(rakwonctl config_get key=dev.camera 2>&1)
	echo "$cam" | grep -q v4l2 || fail="dev.camera from hw.conf not in force: $cam"
fi
ui=$(rakwonctl config_get key=ui.enabled 2>/dev/null)
t_frame="" size=""
# up to 40 s for the first frame (a UI build must draw; without one, nothing comes)
i=0
while [ -z "$fail" ] && [ $i -lt 400 ]; do
	size=$(frame_on) && { t_frame=$(up); break; }
	case $ui in *true*|*yes*) ;; *) [ $i -ge 50 ] && break ;; esac
	sleep 0.1; i=$((i + 1))
done
pid1=$(pidof rakwon-terminal)
sleep 1
pid2=$(pidof rakwon-terminal)
if [ -z "$fail" ] && { [ -z "$pid1" ] || [ "$pid1" != "$pid2" ]; }; then
	fail="the terminal died or restarted (pid $pid1 -> $pid2)"
fi
# what the terminal showed: it is stopped (init starts it again) and its display, closing,
# writes the writeback readback; the screen must have content, not be black
shown=""
if [ -z "$fail" ] && [ -n "$t_frame" ]; then
	kill -TERM $pid2
	i=0
	while [ ! -s $OUT/image-wb.ppm ] && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
	sleep 1
	HR=/mnt/host/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
	LP=/mnt/host/lib/x86_64-linux-gnu:/mnt/host/usr/lib/x86_64-linux-gnu
	if $HR --library-path $LP /mnt/host$LAB_BIN/lab_callcheck --screen $OUT/image-wb.ppm > /tmp/screen.out 2>&1; then
		shown=$(grep '^## ' /tmp/screen.out | cut -c4-)
	else
		fail="the first screen read back is empty or missing: $(tail -n 2 /tmp/screen.out | tr '\n' ' ')"
	fi
fi
cp /run/rakwon-terminal.log $OUT/image-terminal.log 2>/dev/null
cat $ST > $OUT/image-drm-state.txt 2>/dev/null
{
	echo "FIGURE image_terminal_socket_s $t_sock"
	echo "FIGURE image_terminal_answers_s ${t_ans:-none}"
	echo "FIGURE image_first_frame_s ${t_frame:-none} ${size}"
} > $OUT/image-figures.txt
if [ -n "$fail" ]; then
	result image FAIL "$fail"
	tail -n 15 /run/rakwon-terminal.log
elif [ -n "$t_frame" ]; then
	result image PASS "(kernel start ->) terminal socket ${t_sock}s, answers ${t_ans}s, first frame on vkms ${t_frame}s ($size; readback: $shown)"
else
	case $ui in
	*true*|*yes*) result image FAIL "ui.enabled, yet no frame on vkms within 40 s (socket ${t_sock}s)" ;;
	*) result image PASS "(kernel start ->) terminal socket ${t_sock}s, answers ${t_ans}s; no frame: this build has no UI (idle terminal draws nothing)" ;;
	esac
fi
