# bridge.sh: start and drive rakwon-bridge (sourced after common.sh and terminal.sh).
# bridge_start SIPPORT MEETINGS-TEXT [--set key=value]...
bridge_start() {
	bp=$1; printf '%s\n' "$2" > "$W/meetings"; shift 2
	"${BRIDGE_BIN:-$BIN}/rakwon-bridge" --meetings "$W/meetings" --set "sip_udp=127.0.0.1:$bp" \
		--set "ctrl_socket=$W/bridge.sock" "$@" > "$W/bridge.log" 2>&1 &
	PIDS="$PIDS $!"
	i=0; while [ ! -S "$W/bridge.sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ -S "$W/bridge.sock" ] || { cat "$W/bridge.log"; fail "bridge did not start"; }
}
# brc COMMAND [key=value]...: a bridge control call (meeting numbers: meeting:='"1001"')
brc() { "$BIN/rakwonctl" -s "$W/bridge.sock" "$@"; }
# roster MEETING > file
roster() { brc roster "meeting:=\"$1\""; }
# part_id MEETING URI-SUBSTRING: the participant id of a site
part_id() {
	roster "$1" > "$W/ro.json" || fail "roster"
	json "$W/ro.json" "[p['id'] for p in d['participants'] if '$2' in p['uri']][0]"
}
# tones NAME SECS: the levels of 300/500/700/900 Hz in the last SECS of NAME's received audio
tones() { python3 tests/lib/tones.py "$W/$1.wav" "$2" 300 500 700 900 > "$W/$1.tones.json"; }
# heard "desc" NAME "present freqs" "absent freqs" over the last 1.5 s:
# present: >= -45 dBFS (the tones are sent at -20; margin for playout gaps on
# a loaded machine) and 15 dB over the floor between the tones; absent:
# < -55 dBFS, or else < -40 dBFS and 20 dB under the weakest present tone.
# (A site hearing itself through a wrong mix is at the others' level; the
# codec distortion of the three other tones has intermodulation products
# exactly on the fourth (2*500-300 = 300+900-500 = 700 Hz), and
# likewise for the other tones, at -40..-55 dBFS.)
heard() {
	desc=$1; n=$2; pres=$3; abs=$4
	tones "$n" 1.5
	expr="True"
	weakest="0"
	for f in $pres; do
		expr="$expr and t['$f'] >= -45 and t['$f'] >= t['floor'] + 15"
		weakest="min($weakest, t['$f'])"
	done
	for f in $abs; do expr="$expr and (t['$f'] < -55 or (t['$f'] < -40 and t['$f'] < $weakest - 20))"; done
	check "$desc ($(cat "$W/$n.tones.json"))" "$expr" t="$W/$n.tones.json"
}
