#!/bin/sh
# bridge_ten: the 10-site meeting of issue 7 on rakwon-bridge, loopback.
# Eight rakwon-terminal sites (fake devices: a tone of its own per site and
# a test pattern of its own size, 15 fps), one baresip (TLS, SDES-SRTP
# mandatory, 440 Hz) and a chair terminal (joins with the chair PIN). The
# bridge mixes 5 speakers, so the audio is checked in two rounds of five
# talkers (the others muted by the chair): every one of the 10 receivers
# hears the round's talkers but itself (Goertzel on the received audio,
# baresip's included). Then the chair (its operator console, the bridge
# control API) leaves one site talking: everybody, baresip too (its
# snapshot), sees the active speaker's video; it mutes a site (its tone
# leaves the mixes), switches the broadcast site (receivers decode that
# site's size), turns lecture mode on (the chair alone heard and seen),
# drops a site (its terminal goes idle) and ends the meeting (every
# terminal idle, baresip's call closed).
# The sites (terminals, tools) run the non-sanitized binaries (build/bin,
# which `make check` builds): ten media pipelines under ASan do not fit 2
# cores; the bridge, the program under test, runs sanitized ($RAKWON_BIN).
# RAKWON_TEN_BIN overrides the sites' binaries.
. tests/lib/common.sh
BRIDGE_BIN=$BIN
if [ -n "${RAKWON_TEN_BIN:-}" ]; then
	BIN=$RAKWON_TEN_BIN
elif [ -x "$(pwd)/build/bin/rakwon-bridge" ] && [ -x "$(pwd)/build/bin/rakwon-terminal" ]; then
	BIN=$(pwd)/build/bin
fi
. tests/lib/terminal.sh
. tests/lib/baresip.sh
. tests/lib/bridge.sh
command -v sox > /dev/null || skip "sox missing (make deps)"
BP=25600
SITES="s1 s2 s3 s4 s5 s6 s7 s8"
# name:tone:size (sizes all distinct, none 352 wide like baresip's)
SPEC="s1:300:320x180 s2:500:336x190 s3:700:368x208 s4:900:384x216 s5:1100:400x226 \
s6:1300:416x234 s7:1500:432x244 s8:1700:448x252 ch:1900:464x262"
ALLF="300 440 500 700 900 1100 1300 1500 1700 1900"
mkdir -p "$W/pki"
"$BIN/rakwon-certgen" "$W/pki" $SITES ch bs bridge > /dev/null || fail "certgen"
bridge_start $BP "1001 | Ministry meeting | | 9999 | 20" --set "sip_tls=127.0.0.1:$((BP + 1))" \
	--set "tls_cert=$W/pki/bridge.pem" --set "tls_key=$W/pki/bridge.key" \
	--set "tls_ca=$W/pki/ca.pem" --set speakers=5 --set switch_hold_ms=500 \
	--set sip_invite_rate=50 --set sip_invite_burst=50 --set join_rate=50
k=0
for s in $SPEC; do
	n=${s%%:*}; r=${s#*:}; f=${r%%:*}; sz=${r#*:}
	# the chair joins over TLS with SRTP (the bridge's GCM fast path out),
	# the sites over UDP without
	enc=off; [ $n = ch ] && enc=required
	term_start $n $((25610 + k * 10)) $((22000 + k * 100)) -s media.encryption=$enc \
		-s dev.microphone_args=freq=$f -s dev.speaker=wav -s "dev.speaker_args=path=$W/$n.wav" \
		-s video.width=${sz%x*} -s video.height=${sz#*x} -s video.fps=15 \
		-s video.bitrate_kbps=200
	eval "tone_$n=$f; width_$n=${sz%x*}"
	k=$((k + 1))
done
tone_bs=440
"$BIN/rakwonctl" -s "$W/bridge.sock" watch 150 > "$W/events" &
PIDS="$PIDS $!"
rc ch dial "uri=sips:1001@127.0.0.1:$((BP + 1));pin=9999" > /dev/null || fail "chair dial"
for n in $SITES; do rc $n dial "uri=sip:1001@127.0.0.1:$BP" > /dev/null || fail "$n dial"; done
# baresip's microphone: 440 Hz for the whole test, at the sites' level
mkdir -p "$W/bs"
sox -n -r 48000 -c 2 -b 16 "$W/bs/tone.wav" synth 200 sine 440 vol 0.1 2>/dev/null || fail "sox"
bs_start bs 5680 "$W/bs" "sip:1001@127.0.0.1:$((BP + 1));transport=tls" 150
for n in ch $SITES; do wait_state $n connected 20; done
i=0; while [ $i -lt 100 ]; do
	roster 1001 > "$W/r0.json"; [ "$(json "$W/r0.json" "len(d['participants'])")" = 10 ] && break
	sleep 0.2; i=$((i + 1))
done
check "10 participants in, ch alone is the chair, baresip's media encrypted" \
	"len(r['participants']) == 10 and [p['chair'] for p in r['participants'] if 'sip:ch@' in p['uri']] == [True] and sum(p['chair'] for p in r['participants']) == 1" r="$W/r0.json"
grep -q "AES_CM_128_HMAC_SHA1_80\|AEAD_AES_128_GCM" "$W/bs/baresip.log" || fail "baresip did not use SRTP"
rc ch status > "$W/ch0.json"
check "the chair's call is encrypted (TLS, SRTP)" "s['call']['encrypted']" s="$W/ch0.json"
idof() { part_id 1001 "sip:$1@"; }
id_bs=$(part_id 1001 "sip:bs@")
for n in ch $SITES; do eval "id_$n=$(idof $n)"; done
# the WAV a receiver's audio is in (baresip: its decoded dump)
wav_of() {
	if [ "$1" = bs ]; then ls "$W/bs"/dump-*-dec.wav 2>/dev/null | head -1; else echo "$W/$1.wav"; fi
}
# hears "desc" NAME "present names" "absent names": over the last 1.5 s of
# what NAME received; retried for up to 10 s (a loaded machine plays out
# late: the file may still end with the audio before the change)
hears() {
	desc=$1; n=$2; pres=""; abs=""
	for p in $3; do eval "pres=\"\$pres \$tone_$p\""; done
	for p in $4; do eval "abs=\"\$abs \$tone_$p\""; done
	expr="True"; weakest="0"
	for f in $pres; do
		expr="$expr and t['$f'] >= -45 and t['$f'] >= t['floor'] + 12"
		weakest="min($weakest, t['$f'])"
	done
	for f in $abs; do expr="$expr and (t['$f'] < -55 or (t['$f'] < -40 and t['$f'] < $weakest - 20))"; done
	tries=0
	while :; do
		f=$(wav_of $n); [ -n "$f" ] || fail "$n: no received audio file"
		python3 tests/lib/tones.py "$f" 1.5 $ALLF > "$W/$n.tones.json"
		python3 -c "import json,sys; t=json.load(open(sys.argv[1])); sys.exit(0 if $expr else 1)" \
			"$W/$n.tones.json" && break
		tries=$((tries + 1)); [ $tries -ge 10 ] && break
		sleep 1
	done
	check "$desc ($(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(' '.join('%s:%s' % (k, v) for k, v in d.items() if k not in ('samples',)))" "$W/$n.tones.json"))" "$expr" t="$W/$n.tones.json"
}
only_talking() { # names...: mute everyone else
	brc mute_all "meeting:=\"1001\"" except_chair=false > /dev/null || fail "mute_all"
	for t in "$@"; do
		eval "i=\$id_$t"
		brc mute "meeting:=\"1001\"" id=$i mute=false > /dev/null || fail "unmute $t"
	done
}
# --- audio: two rounds of five talkers, all ten receivers checked
round() { # talkers...
	only_talking "$@"
	sleep 4
	for n in ch $SITES bs; do
		pres=""; abs=""
		for t in "$@"; do if [ $t = $n ]; then abs=$t; else pres="$pres $t"; fi; done
		hears "$n hears$pres${abs:+, not itself}" $n "$pres" "$abs"
	done
}
round s1 s2 s3 s4 ch
round s5 s6 s7 s8 bs
# --- video follows the active speaker: only s3 talks
only_talking s3
sleep 4
roster 1001 > "$W/rs.json"
check "s3 is the active speaker and the video source" "r['speaker'] == $id_s3 and r['video_source'] == $id_s3" r="$W/rs.json"
for n in ch $SITES; do
	[ $n = s3 ] && continue
	v=$(status_of $n "['call']['media']['video']['width']")
	[ "$v" = "$width_s3" ] || fail "$n does not see the speaker s3's video (width $v)"
done
bs_ctl 5680 snapshot_recv "$W/bs/rx1.png" > /dev/null || fail "baresip snapshot"
sleep 1
png_size() { python3 -c "import struct,sys; d=open(sys.argv[1],'rb').read(24); print('%dx%d' % struct.unpack('>II', d[16:24]))" "$1"; }
[ -s "$W/bs/rx1.png" ] || fail "baresip decoded no video"
[ "$(png_size "$W/bs/rx1.png")" = "${width_s3}x208" ] || fail "baresip does not see s3 ($(png_size "$W/bs/rx1.png"))"
note "active speaker s3: the 8 other terminals decode ${width_s3} wide, baresip's snapshot is $(png_size "$W/bs/rx1.png")"
# --- the chair mutes a site: s2 and s4 talk, then s2 is muted
only_talking s2 s4
sleep 3
hears "s1 hears s2 s4" s1 "s2 s4" ""
brc mute "meeting:=\"1001\"" id=$id_s2 > /dev/null || fail "mute s2"
sleep 3
hears "chair muted s2: s1 hears s4 alone" s1 "s4" "s2"
hears "chair muted s2: bs hears s4 alone" bs "s4" "s2"
hears "chair muted s2: s2 still hears s4" s2 "s4" ""
roster 1001 > "$W/rm.json"
check "roster: s2 muted" "[p['muted'] for p in r['participants'] if p['id'] == $id_s2] == [True]" r="$W/rm.json"
# --- the chair switches the broadcast site to s6, then s7
for b in s6 s7; do
	eval "i=\$id_$b; w=\$width_$b"
	brc broadcast "meeting:=\"1001\"" id=$i > /dev/null || fail "broadcast $b"
	sleep 3
	for n in ch s1 s5 s8; do
		v=$(status_of $n "['call']['media']['video']['width']")
		[ "$v" = "$w" ] || fail "$n does not see the broadcast site $b (width $v)"
	done
	note "broadcast $b: ch s1 s5 s8 decode $w wide"
done
bs_ctl 5680 snapshot_recv "$W/bs/rx2.png" > /dev/null || fail "baresip snapshot"
sleep 1
[ "$(png_size "$W/bs/rx2.png")" = "${width_s7}x244" ] || fail "baresip does not see the broadcast s7 ($(png_size "$W/bs/rx2.png"))"
# --- lecture mode: the presiding site (the chair) alone is heard and seen
brc mute_all "meeting:=\"1001\"" mute=false except_chair=false > /dev/null || fail "unmute all"
brc lecture "meeting:=\"1001\"" on=true > /dev/null || fail "lecture on"
sleep 4
roster 1001 > "$W/rl.json"
check "lecture: the chair is broadcast, every other site muted" "r['lecture'] and r['broadcast'] == $id_ch and all(p['muted'] for p in r['participants'] if p['id'] != $id_ch)" r="$W/rl.json"
hears "lecture: s1 hears the chair alone" s1 "ch" "s2 s3 s4 s5 s6 s7 s8 bs"
hears "lecture: bs hears the chair alone" bs "ch" "s1 s2 s3 s4 s5 s6 s7 s8"
rc ch status > "$W/ch1.json"
check "the chair decoded SRTP audio and video from the bridge without authentication failures" "s['call']['media']['audio']['packets_recv'] > 500 and s['call']['media']['video']['frames_decoded'] > 100 and s['call']['media']['video']['srtp_auth_fail'] == 0 and s['call']['media']['audio'].get('srtp_auth_fail', 0) == 0" s="$W/ch1.json"
for n in s1 s4 s8; do
	v=$(status_of $n "['call']['media']['video']['width']")
	[ "$v" = "$width_ch" ] || fail "lecture: $n does not see the chair (width $v)"
done
note "lecture: s1 s4 s8 decode the chair's ${width_ch} wide pattern"
# --- the chair drops a site
brc drop "meeting:=\"1001\"" id=$id_s8 > /dev/null || fail "drop"
wait_state s8 idle
roster 1001 > "$W/rd.json"
check "s8 dropped: 9 left" "len(r['participants']) == 9 and $id_s8 not in [p['id'] for p in r['participants']]" r="$W/rd.json"
# --- the chair ends the meeting
closed() { grep -c "session closed\|CALL_CLOSED" "$W/bs/baresip.log"; }
c0=$(closed)
brc end "meeting:=\"1001\"" > /dev/null || fail "end"
for n in ch s1 s2 s3 s4 s5 s6 s7; do wait_state $n idle; done
i=0; while [ $i -lt 50 ] && [ "$(closed)" -le "$c0" ]; do sleep 0.2; i=$((i + 1)); done
[ "$(closed)" -gt "$c0" ] || fail "baresip's call was not closed by the end of the meeting"
roster 1001 > "$W/re.json"
check "meeting ended: nobody left" "len(r['participants']) == 0" r="$W/re.json"
grep -q '"speaker"' "$W/events" && grep -q '"roster"' "$W/events" || fail "no roster/speaker events to subscribers"
note "sites: $BIN; bridge: $BRIDGE_BIN"
