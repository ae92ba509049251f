#!/bin/sh
# ui_standby: the room goes to standby after ui.standby_s without a call or
# a key (standby screen, "standby" event; CEC Standby when an adapter is
# there - none on a CI host, so it is logged and skipped), wakes on any
# remote key and on an incoming call (incoming call screen), never sleeps
# during a call, and the standby/wake commands do the same by API. In the
# call the control bar hides after ui.controls_hide_s and a key brings it back.
. tests/lib/common.sh
. tests/lib/terminal.sh
term_start a 16460 56000 -s media.encryption=off -s dev.remote=fifo -s "dev.remote_args=path=$W/a.keys" \
	-s ui.keymap=rootfs/etc/rakwon-terminal/keymap -s ui.standby_s=2 -s dev.cec=auto -s ui.controls_hide_s=2
term_start b 16470 57000 -s media.encryption=off -s dev.remote=none
rc a watch 60 > "$W/a.events" &
PIDS="$PIDS $!"
key() { n=$1; shift; for k in "$@"; do echo "$k"; done > "$W/$n.keys"; }
wait_ui() { rc "$1" wait "ui.screen=$2" "${3:-10}" || { rc "$1" status; fail "$1: screen never became $2"; }; }
grep -q "no HDMI-CEC" "$W/a.log" && note "no CEC adapter on this host: CEC messages skipped (logged)"

rc a wait standby=true 10 || fail "no standby after the idle timeout"
wait_ui a standby
grep -q '"event":"standby".*"active":true' "$W/a.events" || fail "no standby event: $(cat "$W/a.events")"
note "idle 2 s: standby screen and event"

key a KEY_DOWN
rc a wait standby=false 5 || fail "a key did not wake the room"
wait_ui a home
note "a key woke the room (home screen)"

rc a wait standby=true 10 || fail "no second standby"
rc b dial uri=sip:a@127.0.0.1:16460 > /dev/null || fail "dial"
wait_state a ringing_in
rc a wait standby=false 5 || fail "an incoming call did not wake the room"
wait_ui a incoming
note "incoming call woke the room onto the incoming call screen"
key a KEY_OK
wait_state a connected
sleep 3
rc a status > "$W/s.json"
check "no standby during a call (3 s > ui.standby_s)" "not s['standby'] and s['ui']['screen'] == 'in_call'" s="$W/s.json"
check "the control bar hid after ui.controls_hide_s without a key" "s['ui']['controls_hidden']" s="$W/s.json"
f0=$(json "$W/s.json" "d['ui']['focus']")
key a KEY_RIGHT
rc a wait ui.controls_hidden=false 5 || fail "a key did not bring the control bar back"
rc a status > "$W/s.json"
check "the key that brought the bar back did not move the focus" "s['ui']['focus'] == $f0" s="$W/s.json"
out=$(rc a standby 2>&1) && fail "standby accepted during a call"
echo "$out" | grep -q "not during a call" || fail "unclear refusal: $out"
rc a hangup > /dev/null
wait_state a idle
rc a config_set key=ui.standby_s 'value:="0"' > /dev/null
rc a standby > /dev/null || fail "standby command"
rc a wait ui.screen=standby 5 || fail "standby command: no standby screen"
rc a wake > /dev/null || fail "wake command"
rc a wait ui.screen=home 5 || fail "wake command: not home"
note "standby and wake commands; refused during a call"
out=$(rc a camera_preset preset=1 action=store 2>&1) && fail "a preset was stored on a camera without PTZ"
echo "$out" | grep -q "no pan/tilt/zoom" || fail "unclear refusal: $out"
out=$(rc a camera_preset preset=2 2>&1) && fail "a preset was recalled on a camera without PTZ"
note "camera presets refused: $out"
