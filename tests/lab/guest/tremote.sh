#!/bin/sh
# tremote.sh LABBIN HOSTRUN OUT KEYMAP: the remote control drives a running
# rakwon-terminal on the guest's real input stack. The terminal starts with
# dev.remote=evdev and the shipped keymap; a uinput "remote" appears under
# /dev/input afterwards (found through inotify), and its key presses become
# terminal actions through the same path as the control API:
#   - put in standby (rakwonctl standby), the terminal wakes on KEY_RIGHT;
#   - KEY_VOLUMEUP raises the speaker volume;
#   - the terminal counts the keys and saw the remote come and go.
BIN=$1; HR=$2; OUT=$3; KEYMAP=$4
RB=$BIN/../bin
W=/tmp/tremote
rm -rf $W; mkdir -p $W
PID=""
rc() { $HR $RB/rakwonctl -s $W/a.sock "$@"; }
fail() {
	echo "FAIL: $*"; rc status 2>&1 | head -60
	[ -n "$PID" ] && kill -TERM $PID 2>/dev/null && wait $PID 2>/dev/null
	tail -n 20 $OUT/tremote-a.log; echo "## $*"; exit 1
}
# num PATH: an integer out of the status JSON ("key": N, first match)
num() { rc status | sed -n "s/.*\"$1\": *\([0-9-]*\).*/\1/p" | head -n1; }
$HR $RB/rakwon-terminal --print-default-config | grep -q '^dev.remote' ||
	{ echo "## this terminal build has no remote control"; exit 77; }
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up
$HR $RB/rakwon-terminal -s "room.name=Lab remote" -s "sip.aor=sip:r@127.0.0.1" \
	-s sip.listen=127.0.0.1 -s sip.udp_port=5090 -s sip.tcp_port=5090 -s sip.tls_port=0 \
	-s ctrl.socket=$W/a.sock -s state.dir=$W/a -s dev.display=null \
	-s dev.remote=evdev -s dev.remote_args=dir=/dev/input -s ui.keymap=$KEYMAP \
	-s dev.cec=none -s log.level=info > $OUT/tremote-a.log 2>&1 &
PID=$!
i=0; while [ ! -S $W/a.sock ] && [ $i -lt 300 ]; do sleep 0.2; i=$((i + 1)); done
[ -S $W/a.sock ] || fail "terminal did not start"
rc wait call.state=idle 60 > /dev/null || fail "terminal not idle"
rc standby > /dev/null || fail "standby command"
rc wait standby=true 20 > /dev/null || fail "terminal did not enter standby"
vol0=$(num volume)
# the remote appears 3 s after it is made (time for inotify), then presses its keys
$HR $BIN/lab_input remote 3 KEY_RIGHT KEY_VOLUMEUP KEY_DOWN > $OUT/tremote-remote.log 2>&1 ||
	fail "uinput remote: $(cat $OUT/tremote-remote.log)"
rc wait standby=false 20 > /dev/null || fail "a remote key did not wake the terminal"
vol1=$(num volume); keys=$(num keys)
[ -n "$vol1" ] && [ -n "$vol0" ] && [ "$vol1" -gt "$vol0" ] ||
	fail "KEY_VOLUMEUP did not raise the volume ($vol0 -> $vol1)"
[ -n "$keys" ] && [ "$keys" -ge 3 ] || fail "the terminal counted $keys keys, not 3"
grep -q "leaving standby" $OUT/tremote-a.log || fail "no wake in the terminal's log"
kill -TERM $PID; wait $PID; rcode=$?
[ $rcode -eq 0 ] || fail "terminal exit status $rcode"
echo "## uinput remote under /dev/input: KEY_RIGHT woke the terminal from standby, KEY_VOLUMEUP volume $vol0 -> $vol1, $keys keys counted"
