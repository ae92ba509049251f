#!/bin/sh
# ui_ring: an incoming call rings on the speaker (dev.speaker, here the WAV
# sink): the recording holds the ring tone (1 kHz, in cadence) while the call
# rings, at a level that follows the terminal volume; the ring stops (the
# sink is closed) on reject and when the caller cancels; after answer the
# speaker carries the call (the far end's 440 Hz microphone) and no ring;
# ui.ring = off keeps the speaker silent while ringing.
. tests/lib/common.sh
. tests/lib/terminal.sh
term_start a 17760 47000 -s media.encryption=off
term_start b 17770 47200 -s media.encryption=off -s dev.speaker=wav -s "dev.speaker_args=path=$W/b.wav"
# tone FILE HZ: "AMP FRAC" of the strongest 20 ms window at HZ (AMP of full
# scale, FRAC: that window's share of power at HZ) and "ALL" its median over
# the windows with sound, read from a WAV file (sizes in the header ignored:
# the sink may still be writing)
tone() {
	/usr/bin/python3 - "$1" "$2" <<'PY'
import array, math, sys
raw = open(sys.argv[1], "rb").read()[44:]
raw = raw[:len(raw) // 2 * 2]
x = array.array("h", raw)
f, rate, n = float(sys.argv[2]), 48000, 960
c = 2 * math.cos(2 * math.pi * f / rate)
best, frac_best = 0.0, 0.0
for w in range(0, len(x) - n + 1, n):
    s1 = s2 = 0.0
    pw = 0.0
    for v in x[w:w + n]:
        s1, s2 = v + c * s1 - s2, s1
        pw += v * v
    amp = math.sqrt(max(s1 * s1 + s2 * s2 - c * s1 * s2, 0)) * 2 / n / 32767
    if amp > best:
        best = amp
        frac_best = (amp * 32767) ** 2 / 2 / (pw / n) if pw else 0
print("%.4f %.3f %.2f" % (best, frac_best, len(x) / rate))
PY
}
# wait_wav FILE SECS: until FILE holds SECS seconds of 48 kHz mono
wait_wav() {
	want=$(/usr/bin/python3 -c "print(44 + int($2 * 96000))")
	i=0; while [ "$(stat -c %s "$1" 2>/dev/null || echo 0)" -lt "$want" ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
	[ "$(stat -c %s "$1" 2>/dev/null || echo 0)" -ge "$want" ] || fail "$1 never held $2 s of audio"
}
# closed FILE: the WAV sink was closed (the header's data size was written)
closed() {
	/usr/bin/python3 -c "import os,struct,sys; h=open(sys.argv[1],'rb').read(44); sys.exit(0 if struct.unpack('<I',h[40:44])[0] == os.path.getsize(sys.argv[1]) - 44 > 0 else 1)" "$1"
}

# --- 1. ring, reject
rc a dial uri=sip:b@127.0.0.1:17770 > /dev/null || fail "dial"
wait_state b ringing_in
wait_wav "$W/b.wav" 1.5
set -- $(tone "$W/b.wav" 1000)
note "ringing at volume 70: 1 kHz amplitude $1 of full scale, share of power $2 ($3 s recorded)"
/usr/bin/python3 -c "import sys; sys.exit(0 if $1 > 0.15 and $2 > 0.9 else 1)" || fail "no ring tone while ringing ($*)"
amp70=$1
set -- $(tone "$W/b.wav" 440)
/usr/bin/python3 -c "import sys; sys.exit(0 if $1 < 0.02 else 1)" || fail "440 Hz seen where only the ring plays: tone check is not selective ($*)"
grep -q "ring tone on wav" "$W/b.log" || fail "b did not log its ring tone"
rc b reject > /dev/null || fail "reject"
wait_state b idle
i=0; while ! closed "$W/b.wav" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
closed "$W/b.wav" || fail "the ring did not stop (sink still open) after reject"
note "reject: ring stopped, speaker closed"

# --- 2. volume follows; the caller cancels
wait_state a idle
rc b volume level=35 > /dev/null || fail "volume"
rm -f "$W/b.wav"
rc a dial uri=sip:b@127.0.0.1:17770 > /dev/null || fail "dial 2"
wait_state b ringing_in
wait_wav "$W/b.wav" 1.5
set -- $(tone "$W/b.wav" 1000)
note "ringing at volume 35: 1 kHz amplitude $1"
/usr/bin/python3 -c "import sys; r = $1 / $amp70; sys.exit(0 if 0.4 < r < 0.6 else 1)" || fail "ring level does not follow the volume ($1 vs $amp70 at 70)"
rc a hangup > /dev/null || fail "cancel"
wait_state b idle
i=0; while ! closed "$W/b.wav" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
closed "$W/b.wav" || fail "the ring did not stop after the caller cancelled"
note "volume 35: half the level; caller cancelled: ring stopped"

# --- 3. answer: the speaker carries the call, no ring
wait_state a idle
rc b volume level=70 > /dev/null
rc a dial uri=sip:b@127.0.0.1:17770 > /dev/null || fail "dial 3"
wait_state b ringing_in
wait_wav "$W/b.wav" 0.5
rc b answer > /dev/null || fail "answer"
wait_state b connected
rc b status > "$W/s.json"
# the media session reopened the speaker (a new file): wait for 2 s of call audio
sleep 0.5
wait_wav "$W/b.wav" 2
set -- $(tone "$W/b.wav" 440)
note "in call: far end's 440 Hz at amplitude $1 ($3 s recorded)"
/usr/bin/python3 -c "import sys; sys.exit(0 if $1 > 0.01 else 1)" || fail "no call audio on the speaker after answer ($*)"
set -- $(tone "$W/b.wav" 1000)
/usr/bin/python3 -c "import sys; sys.exit(0 if $1 < 0.02 else 1)" || fail "ring tone still on the speaker after answer ($*)"
note "answered: call audio, no ring (1 kHz amplitude $1)"
rc a hangup > /dev/null
wait_state b idle

# --- 4. ui.ring = off: silence while ringing
rc b config_set key=ui.ring value=no > /dev/null || fail "config_set ui.ring"
wait_state a idle
rm -f "$W/b.wav"
rc a dial uri=sip:b@127.0.0.1:17770 > /dev/null || fail "dial 4"
wait_state b ringing_in
sleep 1
[ -e "$W/b.wav" ] && fail "ui.ring = off, yet the speaker was opened while ringing"
rc a hangup > /dev/null
wait_state b idle
note "ui.ring = off: the speaker stays closed while ringing"
