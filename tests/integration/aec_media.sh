#!/bin/sh
# aec_media: room audio in the media path. A terminal-side rakwon-media plays what it receives
# into a simulated room (fake "room" sink -> delay + reverberation -> fake "room" microphone,
# drivers/fake/room.c) and sends its microphone to a far end that plays far-end speech and
# records what it hears. Twice at the same time: without processing (the far end hears its own
# echo) and with --aec --ns. Asserts: the echo the far end hears is >= 30 dB weaker with the
# canceller (ERLE of the whole send path: reference ring, apm, Opus, jitter buffer), measured
# after 3 s (measured 55-57 dB on a loaded machine); the canceller found the delay; and a
# near-end talker still gets through
# (a third pair: double talk, the far end hears the near-end talker at her level).
. tests/lib/common.sh
B=${RAKWON_BUILD:-build}
DUR=${AEC_MEDIA_SECS:-14}
command -v sox >/dev/null || skip "sox missing (make deps)"
command -v espeak-ng >/dev/null || skip "espeak-ng missing (make deps)"
sh tools/roomsim/speech.sh "$W/speech" >/dev/null || fail "speech"
ROOM="delay_ms=70,rt60_ms=300,echo_db=-6,noise_dbfs=-70"
n=0
for run in off on dt; do
	pa=$((44000 + n * 200)); pb=$((pa + 100)); n=$((n + 1))
	mkdir -p "$W/$run"
	sdp_pair "$W/$run" $pa $pb
	for f in a b; do sed -i '/^m=video/,$d' "$W/$run/$f.sdp"; done
	# b: the far end (plays far-end speech, records what it hears)
	"$BIN/rakwon-media" --local "$W/$run/b.sdp" --remote "$W/$run/a.sdp" --duration $((DUR + 1)) \
		--audsrc wav --audsrc-args "path=$W/speech/far.wav" --audsink wav \
		--audsink-args "path=$W/$run/heard.wav" --stats "$W/$run/b.json" --cname b \
		2> "$W/$run/b.err" &
	PIDS="$PIDS $!"
	sleep 0.5   # the far end records first: the near end is late in what it heard
	args=""; near=""
	[ $run = off ] || args="--aec --ns"
	[ $run = dt ] && near=",path=$W/speech/near.wav,near_at_ms=4000"
	# a: the room terminal
	"$BIN/rakwon-media" --local "$W/$run/a.sdp" --remote "$W/$run/b.sdp" --duration "$DUR" \
		--audsrc room --audsrc-args "room=$run,$ROOM$near" --audsink room \
		--audsink-args "room=$run" $args --stats "$W/$run/a.json" --cname a \
		--log info 2> "$W/$run/a.err" &
	PIDS="$PIDS $!"
done
wait
PIDS=""
for run in off on dt; do
	[ -s "$W/$run/heard.wav" ] || fail "$run: the far end heard nothing"
done
"$BIN/rakwon-roomsim" erle "$W/off/heard.wav" "$W/on/heard.wav" 3 > "$W/erle.json" || fail "erle analysis"
note "echo heard by the far end: $(cat "$W/erle.json")"
note "room terminal (aec on): $(cat "$W/on/a.json")"
check "the echo the far end hears is there without processing (> -45 dBFS)" "e['off_dbfs'] > -45" e="$W/erle.json"
check "ERLE of the send path >= 30 dB with --aec --ns" "e['erle_db'] >= 30" e="$W/erle.json"
check "the canceller found a delay" "a['audio']['aec_delay_ms'] >= 0" a="$W/on/a.json"
# double talk: the near-end talker (added at 4 s of the microphone's time) reaches the far end
# unmuted: per second of near-end speech the far end hears it within 4 dB of its clean level
# (a chain that mutes or ducks the near end in double talk falls 10-40 dB), and its waveform
# still correlates (median segment correlation >= 0.5; 0.93 on a quiet machine: the far end's
# jitter buffer stretching time under load spoils single segments, while apm's own output,
# dumped on the terminal, keeps 0.98-0.998 per second against the clean near end)
sox "$W/speech/near.wav" "$W/nearpad.wav" pad 4 2>/dev/null || fail "sox"
"$BIN/rakwon-avcheck" audio "$W/nearpad.wav" "$W/dt/heard.wav" > "$W/dt.json" || fail "dt analysis"
note "double talk, near end as heard: $(cat "$W/dt.json")"
/usr/bin/python3 - "$W/nearpad.wav" "$W/dt/heard.wav" "$W/dt.json" > "$W/dtlev.json" <<'PY' || fail "dt levels"
import array, json, math, sys, wave
def rd(p):
    w = wave.open(p); a = array.array('h'); a.frombytes(w.readframes(w.getnframes())); return a
near, heard = rd(sys.argv[1]), rd(sys.argv[2])
lag = int(json.load(open(sys.argv[3]))['lag_ms'] * 48)
lv = lambda x: 10 * math.log10(sum(v * v for v in x) / max(len(x), 1) / 32768.0 ** 2 + 1e-12)
ok = n = 0
for s in range(5, len(near) // 48000):
    c = near[s * 48000:(s + 1) * 48000]; h = heard[s * 48000 + lag:(s + 1) * 48000 + lag]
    if len(h) < 48000 or lv(c) < -40: continue
    n += 1; ok += abs(lv(h) - lv(c)) <= 4
print(json.dumps({"seconds": n, "within_4db": ok}))
PY
note "double talk, near-end level kept: $(cat "$W/dtlev.json")"
check "double talk: near end unmuted (>= 80 % of its seconds within 4 dB of the clean level)" "l['seconds'] >= 6 and l['within_4db'] >= 0.8 * l['seconds']" l="$W/dtlev.json"
check "double talk: near end waveform kept (median segment correlation >= 0.5)" "d['segments'] >= 6 and d['median_corr'] >= 0.5" d="$W/dt.json"
