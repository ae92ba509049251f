#!/bin/sh
# aec_level: the RFC 6464 client-to-mixer audio level a terminal sends with room audio processing
# (rakwon-media --aec --ns --audio-level-ext 3): a plain UDP listener takes the far end's place
# and reads every audio packet's header extension. Asserts: every packet carries element 3 of a
# one-byte (0xBEDE) block; talk comes out voiced (V bit) at a speech level (10..45 -dBov); the
# 2 s pauses (speech, then silence, looped) come out unvoiced and at least 20 dB lower.
. tests/lib/common.sh
command -v sox >/dev/null || skip "sox missing (make deps)"
command -v espeak-ng >/dev/null || skip "espeak-ng missing (make deps)"
sh tools/roomsim/speech.sh "$W/speech" >/dev/null || fail "speech"
sox "$W/speech/near.wav" "$W/talk.wav" trim 0 4 pad 0 2 2>/dev/null || fail "sox"
sdp_pair "$W" 44800 44900
for f in a b; do sed -i '/^m=video/,$d' "$W/$f.sdp"; done
/usr/bin/python3 - 44900 9 > "$W/levels.json" <<'PY' &
import json, socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.settimeout(float(sys.argv[2]))
n = ext = 0
voiced, unvoiced = [], []
try:
    while True:
        p = s.recv(2048)
        if len(p) < 12 or p[0] >> 6 != 2:
            continue
        n += 1
        if not p[0] & 0x10:
            continue
        cc = p[0] & 15
        off = 12 + 4 * cc
        prof, ln = struct.unpack("!HH", p[off:off + 4])
        body = p[off + 4:off + 4 + 4 * ln]
        if prof != 0xBEDE:
            continue
        i = 0
        while i < len(body):
            b = body[i]
            if b == 0:
                i += 1
                continue
            eid, l = b >> 4, (b & 15) + 1
            if eid == 3 and l == 1:
                ext += 1
                v = body[i + 1]
                (voiced if v & 0x80 else unvoiced).append(v & 0x7f)
            i += 1 + l
except socket.timeout:
    pass
med = lambda x: sorted(x)[len(x) // 2] if x else -1
print(json.dumps({"packets": n, "with_level": ext, "voiced": len(voiced), "unvoiced": len(unvoiced),
                  "voiced_median": med(voiced), "unvoiced_median": med(unvoiced)}))
PY
PIDS="$PIDS $!"
sleep 0.5
"$BIN/rakwon-media" --local "$W/a.sdp" --remote "$W/b.sdp" --duration 8 --audsrc wav \
	--audsrc-args "path=$W/talk.wav" --aec --ns --audio-level-ext 3 --stats "$W/a.json" \
	2> "$W/a.err" || fail "sender exited with $?"
wait
PIDS=""
note "levels received: $(cat "$W/levels.json")"
check "every audio packet carries the level element" "l['packets'] >= 300 and l['with_level'] == l['packets']" l="$W/levels.json"
check "talk is voiced at a speech level (median 10..45 -dBov)" "l['voiced'] >= 100 and 10 <= l['voiced_median'] <= 45" l="$W/levels.json"
check "pauses are unvoiced and >= 20 dB lower" "l['unvoiced'] >= 30 and l['unvoiced_median'] >= l['voiced_median'] + 20" l="$W/levels.json"
