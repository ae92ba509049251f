#!/bin/sh
# run.sh: the lab's guest side. Loads the virtual devices, runs our guest programs (host-built,
# started with the host's loader from the read-only host root) and writes RESULT lines to
# /mnt/out/results.txt, per-test logs to /mnt/out/<test>.log.
H=/mnt/host
OUT=/mnt/out
R=$OUT/results.txt
BIN=$H$LAB_BIN
DATA=$H$LAB_REPO/tests/lab/data
# alsa-lib reads its configuration even for hw: devices; take the host's
export ALSA_CONFIG_DIR=$H/usr/share/alsa
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$H$LAB_REPO/tests/lab/lsan.supp
up() { cut -d' ' -f1 /proc/uptime; }
# hostrun PROG ARGS: a host program, with the host's dynamic loader and libraries (a script,
# so that timeout(1) can run it)
cat >/tmp/hostrun <<EOS
#!/bin/sh
p=\$1
shift
case \$p in $H/*) ;; *) p=$H\$p ;; esac
exec $H/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 \\
	--library-path $H/usr/local/lib:$H/lib/x86_64-linux-gnu:$H/usr/lib/x86_64-linux-gnu "\$p" "\$@"
EOS
chmod +x /tmp/hostrun
HR=/tmp/hostrun

load_modules() {
	rc=0
	# vivid-000: webcam input (discrete sizes, the "USB camera" used for the vanish test)
	# vivid-001: HDMI input (DV timings: real 720p30) plus an HDMI output, which gives two CEC
	#            adapters on one emulated bus: vid-cap0 (the TV side) and vid-out0 (a source)
	# vivid-002: a second webcam (the far end's camera in the terminal call test)
	# multiplanar=1 is the single-planar API, as UVC uses
	# (the image's init has already loaded vivid with the same options from hw.conf)
	modprobe vivid n_devs=3 node_types=0x1,0x101,0x1 num_inputs=1,1,1 input_types=0x0,0x3,0x0 \
		num_outputs=1,1,1 output_types=0x0,0x1,0x0 multiplanar=1,1,1 || rc=1
	modprobe vkms enable_writeback=1 enable_overlay=1 enable_cursor=1 || rc=1
	modprobe snd-aloop index=0 id=Loopback pcm_substreams=2 || rc=1
	modprobe snd-dummy index=1 id=Dummy || rc=1
	modprobe evdev || rc=1
	modprobe uinput || rc=1
	# vicodec: FWHT stateful encoder + decoder; multiplanar=1 is the API real M2M codecs use
	modprobe vicodec multiplanar=1 || echo "vicodec not loaded"
	return $rc
}

result() { # name status detail
	echo "RESULT $1 $2 $3" | tee -a $R
}
want() { # x-NAME: harness self-checks, run only when named
	case "$LAB_TESTS,$1" in all,x-*) return 1 ;; esac
	[ "$LAB_TESTS" = all ] && return 0
	case ",$LAB_TESTS," in *",$1,"*) return 0 ;; esac
	return 1
}
# t NAME SECONDS CMD...: run a test with a deadline; exit 0 PASS, 77 SKIP, else FAIL. The
# program's last "## ..." line is the detail. A test still running at its deadline is killed;
# one stuck in the kernel (D state, unkillable) is left behind with its kernel stack and the
# blocked-task dump in the log, and the run goes on with the next test.
t() {
	n=$1 tmo=$(($2 * ${LAB_SLOW:-1}))
	shift 2
	want "$n" || return 0
	t0=$(up)
	"$@" >"$OUT/$n.log" 2>&1 &
	pid=$!
	end=$(awk -v a="$t0" -v d="$tmo" 'BEGIN{print a + d}')
	while [ -d /proc/$pid ] && awk -v u="$(up)" -v e="$end" 'BEGIN{exit !(u < e)}'; do
		sleep 0.2
	done
	hung=
	if [ -d /proc/$pid ]; then
		kill -TERM $pid 2>/dev/null
		sleep 1
		kill -KILL $pid 2>/dev/null
		sleep 1
		if [ -d /proc/$pid ] && ! grep -q '^State:.*Z' /proc/$pid/status 2>/dev/null; then
			hung=1
			{
				echo "--- still there after SIGKILL: $(grep '^State' /proc/$pid/status)"
				cat /proc/$pid/stack 2>/dev/null
				echo w >/proc/sysrq-trigger
				dmesg | tail -n 60
			} >>"$OUT/$n.log" 2>&1
		fi
		rc=124
	else
		wait $pid
		rc=$?
	fi
	dt=$(awk -v a="$t0" -v b="$(up)" 'BEGIN{printf "%.1f", b-a}')
	det=$(grep '^## ' "$OUT/$n.log" | tail -n1 | cut -c4-)
	case $rc in
	0) st=PASS ;;
	77) st=SKIP ;;
	124) st=FAIL det="timeout after ${tmo}s${hung:+ (stuck in the kernel)}; $det" ;;
	*) st=FAIL det="exit $rc; $det" ;;
	esac
	result "$n" $st "(${dt}s) $det"
	[ $st = FAIL ] && tail -n 12 "$OUT/$n.log" | sed "s/^/  [$n] /"
}

: >$R
# a test stuck in the kernel shows up on the console (loglevel=4) after 30 s, not 120 s
echo 30 >/proc/sys/kernel/hung_task_timeout_secs 2>/dev/null
t0=$(up)
load_modules >$OUT/modules.log 2>&1 || { result modules FAIL "see modules.log"; }
dt=$(awk -v a="$t0" -v b="$(up)" 'BEGIN{printf "%.1f", b-a}')
[ -n "${LAB_LOAD_ONLY:-}" ] && { cat $OUT/modules.log; return 0 2>/dev/null || exit 0; }
{
	ls -l /dev/video* /dev/dri/ /dev/snd/ /dev/cec* /dev/uinput
	for n in /sys/class/video4linux/*/name /sys/class/cec/*/name; do [ -e "$n" ] && echo "$n: $(cat $n)"; done
	cat /proc/asound/cards
} >>$OUT/modules.log 2>&1
echo "LAB-MODULES loaded in ${dt}s"

t v4l2-capture 60 $HR $BIN/lab_v4l2 capture vivid-001-vid-cap
t v4l2-vanish 60 $HR $BIN/lab_v4l2 vanish vivid-000-vid-cap vivid.0
t kms-writeback 60 $HR $BIN/lab_kms writeback
t kms-flips 60 $HR $BIN/lab_kms flips
t kms-hotplug 60 $HR $BIN/lab_kms hotplug
t selfview 60 $HR $BIN/lab_selfview vivid-001-vid-cap
t alsa-tone 60 $HR $BIN/lab_alsa tone
t alsa-xrun 60 $HR $BIN/lab_alsa xrun
t alsa-mixer 30 $HR $BIN/lab_alsa mixer
t input-keys 60 $HR $BIN/lab_input $DATA/keymap
t cec-wake 60 $HR $BIN/lab_cec
t m2m-fwht 60 $HR $BIN/lab_m2m
t call 90 sh $H$LAB_REPO/tests/lab/guest/call.sh $BIN $HR $OUT
t tcall 360 sh $H$LAB_REPO/tests/lab/guest/tcall.sh $BIN $HR $OUT
t tremote 90 sh $H$LAB_REPO/tests/lab/guest/tremote.sh $BIN $HR $OUT $H$LAB_REPO/rootfs/etc/rakwon-terminal/keymap
t aec 90 $HR $BIN/lab_aec 12
# the deadline itself: must come out FAIL (timeout) after 2 s, not hang the run
t x-deadline 2 sleep 30

dmesg >$OUT/dmesg.txt
grep -E 'MemTotal|MemAvailable' /proc/meminfo >$OUT/meminfo.txt
