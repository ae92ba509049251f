#!/bin/sh
# bridge_cascade: two rakwon-bridges link so that one meeting spans both.
# The central bridge C hosts meeting 1001 with sites c1 (300 Hz, 320x180)
# and c2 (500 Hz, 384x216); the provincial bridge P hosts meeting 2001
# whose uplink is C's 1001 (SIP over TLS, SRTP on the trunk; the sites are
# plain UDP), with sites p1 (700 Hz, 448x252) and p2 (900 Hz, 512x288). Asserted: P dials C when its first site joins (the trunk is a
# participant of both, marked trunk, with the cascade path); audio crosses
# both ways (each site hears the three others and not itself: N-1 mixes
# across the trunk, no echo); video of an active speaker crosses both ways
# (only p2 talking: c1 and c2 decode p2's size; only c1 talking: p1 and p2
# decode c1's size); a misconfigured loop (C's meeting 1002 uplinks to P's
# 2002 which uplinks to C's 1002) is refused with 482 and not redialled;
# P hangs up the trunk when its last site leaves.
. tests/lib/common.sh
. tests/lib/terminal.sh
BC=27800; BPV=27820
# bridge_at NAME PORT MEETINGS [--set ...]
bridge_at() {
	n=$1; bp=$2; printf '%s\n' "$3" > "$W/$n.meetings"; shift 3
	"$BIN/rakwon-bridge" --meetings "$W/$n.meetings" --set "sip_udp=127.0.0.1:$bp" \
		--set "sip_tls=127.0.0.1:$((bp + 1))" --set "tls_cert=$W/pki/$n.pem" \
		--set "tls_key=$W/pki/$n.key" --set "tls_ca=$W/pki/ca.pem" \
		--set "ctrl_socket=$W/$n.sock" --set "bridge_id=$n" --set encryption=preferred \
		--set speakers=4 --set switch_hold_ms=500 "$@" > "$W/$n.log" 2>&1 &
	PIDS="$PIDS $!"
	i=0; while [ ! -S "$W/$n.sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ -S "$W/$n.sock" ] || { cat "$W/$n.log"; fail "bridge $n did not start"; }
}
bc() { b=$1; shift; "$BIN/rakwonctl" -s "$W/$b.sock" "$@"; }
roster_of() { bc $1 roster "meeting:=\"$2\"" > "$W/$1.$2.json" || fail "roster $1 $2"; }
pid_of() { roster_of $1 $2; json "$W/$1.$2.json" "[p['id'] for p in d['participants'] if '$3' in p['uri']][0]"; }
mkdir -p "$W/pki"
"$BIN/rakwon-certgen" "$W/pki" central province c1 c2 p1 p2 > /dev/null || fail "certgen"
bridge_at central $BC "1001 | National | | 9999 | 20
1002 | Loop test | | | 5 | sip:2002@127.0.0.1:$BPV"
bridge_at province $BPV "2001 | Province | | 8888 | 20 | sips:1001@127.0.0.1:$((BC + 1))
2002 | Loop test | | | 5 | sip:1002@127.0.0.1:$BC"
k=0
for s in c1:300:320x180 c2:500:384x216 p1:700:448x252 p2:900:512x288; do
	n=${s%%:*}; r=${s#*:}; f=${r%%:*}; sz=${r#*:}
	term_start $n $((27830 + k * 10)) $((27000 + k * 100)) -s media.encryption=off \
		-s dev.microphone_args=freq=$f -s dev.speaker=wav -s "dev.speaker_args=path=$W/$n.wav" \
		-s video.width=${sz%x*} -s video.height=${sz#*x} -s video.fps=15 -s video.bitrate_kbps=200
	eval "w_$n=${sz%x*}"
	k=$((k + 1))
done
for n in c1 c2; do rc $n dial "uri=sip:1001@127.0.0.1:$BC" > /dev/null || fail "$n dial"; done
for n in p1 p2; do rc $n dial "uri=sip:2001@127.0.0.1:$BPV" > /dev/null || fail "$n dial"; done
for n in c1 c2 p1 p2; do wait_state $n connected 20; done
i=0; while [ $i -lt 100 ]; do
	roster_of central 1001
	[ "$(json "$W/central.1001.json" "len(d['participants'])")" = 3 ] && break
	sleep 0.2; i=$((i + 1))
done
roster_of province 2001
check "central: c1, c2 and a trunk from the province (path 'province', SRTP)" \
	"len(c['participants']) == 3 and [(p['cascade_path'], p['srtp']) for p in c['participants'] if p['trunk']] == [('province', True)]" \
	c="$W/central.1001.json"
check "province: p1, p2 and its uplink, up (SRTP)" \
	"len(p['participants']) == 3 and p['uplink_state'] == 'up' and [(x['cascade_path'], x['srtp']) for x in p['participants'] if x['trunk']] == [('(uplink)', True)]" \
	p="$W/province.2001.json"
# heard NAME "present" "absent": tones over the last 1.5 s, retried up to 10 s
heard() {
	n=$1; pres=$2; abs=$3; expr="True"; weakest=0
	for f in $pres; do expr="$expr and t['$f'] >= -45 and t['$f'] >= t['floor'] + 12"; weakest="min($weakest, t['$f'])"; done
	for f in $abs; do expr="$expr and (t['$f'] < -55 or (t['$f'] < -40 and t['$f'] < $weakest - 20))"; done
	tries=0
	while :; do
		python3 tests/lib/tones.py "$W/$n.wav" 1.5 300 500 700 900 > "$W/$n.tones.json"
		python3 -c "import json,sys; t=json.load(open(sys.argv[1])); sys.exit(0 if $expr else 1)" \
			"$W/$n.tones.json" && break
		tries=$((tries + 1)); [ $tries -ge 10 ] && break
		sleep 1
	done
	check "$n hears '$pres' and not '$abs' ($(cat "$W/$n.tones.json"))" "$expr" t="$W/$n.tones.json"
}
sleep 3
heard c1 "500 700 900" "300"
heard c2 "300 700 900" "500"
heard p1 "300 500 900" "700"
heard p2 "300 500 700" "900"
note "audio crosses the trunk both ways, nobody hears itself"
# --- video: only p2 talks; the central sites see it through the trunk
idc1=$(pid_of central 1001 sip:c1@); idc2=$(pid_of central 1001 sip:c2@)
idp1=$(pid_of province 2001 sip:p1@); idp2=$(pid_of province 2001 sip:p2@)
bc central mute "meeting:=\"1001\"" id=$idc1 > /dev/null || fail "mute c1"
bc central mute "meeting:=\"1001\"" id=$idc2 > /dev/null || fail "mute c2"
bc province mute "meeting:=\"2001\"" id=$idp1 > /dev/null || fail "mute p1"
wait_width() { # NAME WIDTH: the decoded width becomes WIDTH within 15 s
	i=0
	while [ $i -lt 75 ]; do
		v=$(status_of $1 "['call']['media']['video']['width']")
		[ "$v" = "$2" ] && return 0
		sleep 0.2; i=$((i + 1))
	done
	fail "$1 decodes width $v, not $2"
}
for n in c1 c2 p1; do wait_width $n $w_p2; done
heard c1 "900" "300 500 700"
note "only p2 talks: c1, c2 (central) and p1 decode p2's $w_p2 wide pattern"
# --- and the other way: only c1 talks
bc province mute "meeting:=\"2001\"" id=$idp2 > /dev/null || fail "mute p2"
bc central mute "meeting:=\"1001\"" id=$idc1 mute=false > /dev/null || fail "unmute c1"
for n in p1 p2 c2; do wait_width $n $w_c1; done
heard p1 "300" "500 700 900"
note "only c1 talks: p1, p2 (province) and c2 decode c1's $w_c1 wide pattern"
# --- a loop is refused: C 1002 -> P 2002 -> C 1002
rc c2 hangup > /dev/null; wait_state c2 idle
rc c2 dial "uri=sip:1002@127.0.0.1:$BC" > /dev/null || fail "c2 dial 1002"
wait_state c2 connected 20
i=0; while [ $i -lt 100 ]; do
	roster_of province 2002
	case "$(json "$W/province.2002.json" "d.get('uplink_state', '')")" in refused*) break;; esac
	sleep 0.2; i=$((i + 1))
done
sleep 6     # longer than the redial period: a refused loop stays refused
roster_of province 2002
roster_of central 1002
check "loop C1002 -> P2002 -> C1002: P's uplink refused with 482 (its path names C), not redialled" \
	"p['uplink_state'] == 'refused: loop (482)' and len(p['participants']) == 1 and c['uplink_state'] == 'up' and len(c['participants']) == 2" \
	c="$W/central.1002.json" p="$W/province.2002.json"
[ "$(grep -c "trunk from .* refused (482)" "$W/central.log")" = 1 ] || fail "C did not refuse exactly one looping trunk"
# --- the province's last site leaves: the trunk goes
rc p1 hangup > /dev/null; rc p2 hangup > /dev/null
wait_state p1 idle; wait_state p2 idle
i=0; while [ $i -lt 50 ]; do
	roster_of central 1001
	[ "$(json "$W/central.1001.json" "len(d['participants'])")" = 1 ] && break
	sleep 0.2; i=$((i + 1))
done
check "no site left in the province: its trunk left the central meeting" "len(c['participants']) == 1" c="$W/central.1001.json"
