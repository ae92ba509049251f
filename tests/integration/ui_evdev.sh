#!/bin/sh
# ui_evdev: the real remote-control path: a uinput device (a "remote" made by
# the kernel) appears under /dev/input while the terminal runs, is picked up
# by drivers/input (inotify + evdev), and its key presses move the on-screen
# UI through the shipped keymap. Needs /dev/uinput (root); skipped otherwise.
. tests/lib/common.sh
. tests/lib/terminal.sh
[ -w /dev/uinput ] || skip "no writable /dev/uinput on this host"
[ -d /dev/input ] || skip "no /dev/input (no udev here)"
term_start a 16560 58000 -s dev.remote=evdev -s dev.remote_args=dir=/dev/input \
	-s ui.keymap=rootfs/etc/rakwon-terminal/keymap -s "directory=B <sip:b@127.0.0.1:16570>"
/usr/bin/python3 - "$W/go" > "$W/uinput.log" 2>&1 <<'PY' &
import fcntl, os, struct, sys, time
UI_SET_EVBIT, UI_SET_KEYBIT, UI_DEV_SETUP, UI_DEV_CREATE, UI_DEV_DESTROY = 0x40045564, 0x40045565, 0x405c5503, 0x5501, 0x5502
EV_SYN, EV_KEY, KEY_RIGHT, KEY_DOWN = 0, 1, 106, 108
fd = os.open("/dev/uinput", os.O_WRONLY | os.O_NONBLOCK)
fcntl.ioctl(fd, UI_SET_EVBIT, EV_KEY)
for k in (KEY_RIGHT, KEY_DOWN):
    fcntl.ioctl(fd, UI_SET_KEYBIT, k)
fcntl.ioctl(fd, UI_DEV_SETUP, struct.pack("HHHH80sI", 3, 0x1234, 0x5678, 1, b"rakwon test remote", 0))
fcntl.ioctl(fd, UI_DEV_CREATE)
for _ in range(100):
    if os.path.exists(sys.argv[1]):
        break
    time.sleep(0.1)
def ev(t, c, v):
    os.write(fd, struct.pack("llHHi", 0, 0, t, c, v))
for k in (KEY_RIGHT,):
    ev(EV_KEY, k, 1); ev(EV_SYN, 0, 0); ev(EV_KEY, k, 0); ev(EV_SYN, 0, 0)
time.sleep(1)
fcntl.ioctl(fd, UI_DEV_DESTROY)
PY
PIDS="$PIDS $!"
i=0; while [ $i -lt 50 ]; do
	n=$(status_of a "d['ui'].get('remote_devices', 0)" 2>/dev/null); [ "${n:-0}" -ge 1 ] 2>/dev/null && break
	sleep 0.1; i=$((i + 1))
done
[ "${n:-0}" -ge 1 ] 2>/dev/null || skip "the uinput device did not appear in /dev/input (no udev?)"
touch "$W/go"
i=0; while [ $i -lt 50 ]; do
	k=$(status_of a "d['ui']['keys']"); [ "$k" -ge 1 ] 2>/dev/null && break
	sleep 0.1; i=$((i + 1))
done
[ "$k" -ge 1 ] 2>/dev/null || fail "the evdev key did not reach the terminal"
note "uinput KEY_RIGHT reached the UI through evdev and the keymap"
