#!/bin/sh
# ui_screens: golden screenshots of the real terminal's composed screen
# (compositor worker -> screenshot PNG), compared with tests/ref/ui_terminal/
# by rakwon-uicheck: mean absolute difference < 2 per channel and < 0.5 % of
# pixels off by more than 32, outside masks. Determinism: ui.test_time
# freezes the clock (09:41, no date) and call durations and statistics (0);
# the far end mutes its camera (black video) so only A's own self view moves:
# its picture-in-picture rectangle is masked. RAKWON_UPDATE_GOLDEN=1 rewrites
# the references.
. tests/lib/common.sh
. tests/lib/terminal.sh
REF=tests/ref/ui_terminal
term_start a 16360 54000 -s media.encryption=off -s dev.remote=none -s ui.test_time=09:41 -s ui.controls_hide_s=0 \
	-s "ui.favourites=Room B <sip:b@127.0.0.1:16370>, Lobby <sip:lobby@127.0.0.1:16390>" \
	-s "directory=Seoul HQ <sip:seoul@127.0.0.1:16391>"
term_start b 16370 55000 -s media.encryption=off -s dev.remote=none -s ui.test_time=09:41
wait_ui() { rc "$1" wait "ui.screen=$2" "${3:-10}" || { rc "$1" status; fail "$1: screen never became $2"; }; }
# shot NAME [MASK]...: screenshot of A, compared with (or written to) $REF/NAME.png
shot() {
	name=$1; shift
	rm -f "$W/$name.png"
	rc a screenshot "path=$W/$name.png" > /dev/null || fail "screenshot $name"
	i=0; while [ ! -f "$W/$name.png" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ -f "$W/$name.png" ] || fail "screenshot $name not written"
	if [ "${RAKWON_UPDATE_GOLDEN:-0}" = 1 ]; then
		mkdir -p "$REF"; cp "$W/$name.png" "$REF/$name.png"; note "updated $REF/$name.png"; return
	fi
	[ -f "$REF/$name.png" ] || fail "missing $REF/$name.png (RAKWON_UPDATE_GOLDEN=1 creates it)"
	out=$("$BIN/rakwon-uicheck" compare "$REF/$name.png" "$W/$name.png" "$@") || \
		fail "$name differs from $REF/$name.png: $out (got $W/$name.png)"
	note "$name: $out"
}
PIP=958,386,300,170
wait_ui a home
shot home
rc a config_set key=ui.language value=ko > /dev/null || fail "language ko"
rc a wait ui.language=ko 5 || fail "language not applied"
shot home_ko
rc a config_set key=ui.language value=en > /dev/null
rc a wait ui.language=en 5 || fail "language not back"

rc b dial uri=sip:a@127.0.0.1:16360 > /dev/null || fail "dial"
wait_ui a incoming
shot incoming
rc b mute camera=true > /dev/null
rc a answer > /dev/null || fail "answer"
wait_state a connected
wait_state b connected
wait_frames a 20 || fail "no video at A"
sleep 2  # B's black frames replace the pattern it sent before muting
shot in_call_pip $PIP
for k in right right right right ok; do rc a key action=$k > /dev/null || fail "key $k"; done
rc a wait ui.statistics=true 5 || fail "statistics panel not shown"
shot in_call_stats $PIP
rc a hangup > /dev/null
wait_state a idle
wait_ui a home
rc a standby > /dev/null || fail "standby"
wait_ui a standby
shot standby
