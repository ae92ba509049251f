#!/bin/sh
# ui_remote: a call driven only by remote-control keys (the input driver's
# FIFO twin, through the shipped keymap): room A picks room B in the
# directory and calls, B answers with OK, A mutes and unmutes, switches the
# layout to side by side and its composed screen shows B's video (the test
# pattern's burnt-in stamp read back from A's screenshot), A hangs up with
# the hang-up key, both screens go back home. Then the dial pad: digits +
# call key.
. tests/lib/common.sh
. tests/lib/terminal.sh
KM=rootfs/etc/rakwon-terminal/keymap
term_start a 16260 52000 -s media.encryption=off -s dev.remote=fifo -s "dev.remote_args=path=$W/a.keys" \
	-s ui.keymap=$KM -s "directory=Room B <sip:b@127.0.0.1:16270>" -s ui.test_time=09:41 \
	-s ui.controls_hide_s=0
term_start b 16270 53000 -s media.encryption=off -s dev.remote=fifo -s "dev.remote_args=path=$W/b.keys" \
	-s ui.keymap=$KM -s ui.test_time=09:41
# key NAME KEY...: press keys on the room's remote (one line per key)
key() { n=$1; shift; for k in "$@"; do echo "$k"; done > "$W/$n.keys"; }
wait_ui() { rc "$1" wait "ui.screen=$2" "${3:-10}" || { rc "$1" status; fail "$1: screen never became $2"; }; }
wait_status() { # NAME PYEXPR-on-d
	i=0; while [ $i -lt 50 ]; do rc "$1" status > "$W/s.json"; [ "$(json "$W/s.json" "$2")" = True ] && return 0; sleep 0.2; i=$((i + 1)); done
	cat "$W/s.json"; fail "$1: never $2"
}
wait_ui a home
wait_ui b home

# --- directory entry + call key; B answers with OK
key a KEY_RIGHT KEY_PHONE
wait_state b ringing_in
wait_ui b incoming
note "A: Directory tab, call key: B rings and shows the incoming call screen"
key b KEY_OK
wait_state a connected
wait_state b connected
wait_ui a in_call
wait_ui b in_call
wait_frames a 10 || fail "no video decoded at A"
note "B answered with OK; both screens in call"

# --- mute and unmute from the remote
key a KEY_MUTE
wait_status a "d['microphone_muted']"
key a KEY_MUTE
wait_status a "not d['microphone_muted']"
note "mute key: microphone muted, then unmuted"

# --- layout: focus on the Layout button, OK: pip -> side by side
key a KEY_RIGHT KEY_RIGHT KEY_RIGHT KEY_OK
wait_status a "d['layout'] == 'side_by_side' and d['ui']['layout'] == 'side_by_side'"
wait_frames a 30 || fail "video stopped at A"
ok=0
for i in 1 2 3 4 5; do
	rm -f "$W/a.png"
	rc a screenshot "path=$W/a.png" > /dev/null || fail "screenshot"
	j=0; while [ ! -f "$W/a.png" ] && [ $j -lt 50 ]; do sleep 0.1; j=$((j + 1)); done
	[ -f "$W/a.png" ] || fail "no screenshot written"
	# the far-end tile of the side-by-side layout at 1280x720: (8,182) 628x354
	if "$BIN/rakwon-uicheck" stamp "$W/a.png" 8,182,628,354 640 360 > "$W/stamp.json"; then ok=1; break; fi
	sleep 0.5
done
[ $ok = 1 ] || fail "A's composed screen does not show B's test pattern (kept $W/a.png)"
note "A's composed screen shows B's video: stamp $(cat "$W/stamp.json") read in the far-end tile"
"$BIN/rakwon-uicheck" stamp "$W/a.png" 0,0,640,360 640 360 > /dev/null 2>&1 && fail "stamp check cannot fail (read where no video is)"

# --- hang up by key
key a KEY_STOP
wait_state a idle
wait_state b idle
wait_ui a home
wait_ui b home
note "hang-up key: both idle, both screens home"

# --- dial pad: digits go to the keypad, the call key dials sip:<digits>@<our domain>
key a KEY_1 KEY_2 KEY_3 KEY_PHONE
i=0; while ! grep -q 'remote: dial {"uri":"sip:123@127.0.0.1' "$W/a.log" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
grep -q 'remote: dial {"uri":"sip:123@127.0.0.1' "$W/a.log" || fail "keypad digits did not dial sip:123@127.0.0.1"
wait_state a idle 15
note "keypad: digits 123 + call dialled sip:123@127.0.0.1 (nobody there: call failed, A idle)"
rc a status > "$W/s.json"
check "A counted the remote's keys, none unknown" "s['ui']['keys'] >= 13 and s['ui']['keys_unknown'] == 0" s="$W/s.json"
