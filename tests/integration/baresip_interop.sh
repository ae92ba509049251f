#!/bin/sh
# baresip_interop: baresip (software we did not write) calls our terminal and
# our terminal calls baresip; SIP over TLS, SDES-SRTP mandatory, H.264 + Opus
# both ways; each side hangs up once. Checked: baresip's decoded audio has
# our 660 Hz tone, baresip decodes our video (snapshot), our terminal decodes
# baresip's video and audio, media is encrypted.
. tests/lib/common.sh
. tests/lib/terminal.sh
. tests/lib/baresip.sh
SECS=${INTEROP_SECS:-20}
term_start a 15360 36000 -s call.auto_answer=on -s call.auto_answer_delay_ms=200 \
	-s dev.microphone=tone -s dev.microphone_args=freq=660
# --- 1. baresip calls us
bs_start bs 5380 "$W/bs1" "sips:a@127.0.0.1:15361" $((SECS + 15))
wait_state a connected 15
sleep "$SECS"
rc a status > "$W/in.json"
bs_ctl 5380 snapshot_recv "$W/bs1/rx.png" > /dev/null || note "(snapshot command failed)"
sleep 1
bs_ctl 5380 hangup > /dev/null || fail "baresip hangup"
wait_state a idle 10
bs_ctl 5380 quit > /dev/null 2>&1; sleep 1
check "baresip->us: encrypted call, our video and audio decoders fed" "s['call']['encrypted'] and s['call']['media']['video']['frames_decoded'] > 100 and s['call']['media']['audio']['packets_recv'] > 20 * $SECS and s['call']['media']['video']['srtp_auth_fail'] <= 2" s="$W/in.json"  # baresip sends an early packet the NOTES call harmless
grep -q "AES_CM_128_HMAC_SHA1_80" "$W/bs1/baresip.log" || fail "baresip did not use SRTP"

# --- 2. we call baresip, we hang up
bs_start bs 5380 "$W/bs2" "" $((SECS + 15))
sleep 1.5
rc a dial uri=sips:bs@127.0.0.1:5381 > /dev/null || fail "dial baresip"
wait_state a connected 15
sleep "$SECS"
rc a status > "$W/out.json"
bs_ctl 5380 snapshot_recv "$W/bs2/rx.png" > /dev/null || note "(snapshot command failed)"
sleep 1
rc a hangup > /dev/null
wait_state a idle 10
bs_ctl 5380 quit > /dev/null 2>&1; sleep 1
check "us->baresip: encrypted call, media both ways" "s['call']['encrypted'] and s['call']['media']['video']['frames_decoded'] > 100 and s['call']['media']['audio']['packets_recv'] > 20 * $SECS" s="$W/out.json"
for d in bs1 bs2; do
	dec=$(ls "$W/$d"/dump-*-dec.wav 2>/dev/null | head -1)
	[ -n "$dec" ] || fail "$d: baresip wrote no decoded audio"
	/usr/bin/python3 - "$dec" <<'PY' || fail "$d: our 660 Hz tone is not in baresip's decoded audio"
import math, struct, sys, wave
w = wave.open(sys.argv[1]); n = w.getnframes(); ch = w.getnchannels(); sr = w.getframerate()
x = struct.unpack("<%dh" % (n * ch), w.readframes(n))[::ch]
x = x[len(x) // 4: len(x) // 4 + sr * 2]
def g(f):
    k = 2 * math.cos(2 * math.pi * f / sr); s1 = s2 = 0.0
    for v in x:
        s1, s2 = v + k * s1 - s2, s1
    return s1 * s1 + s2 * s2 - k * s1 * s2
p660, p440, p1000 = g(660), g(440), g(1000)
print("  baresip decoded: power 660 Hz %.3g vs 440 Hz %.3g, 1 kHz %.3g" % (p660, p440, p1000))
sys.exit(0 if p660 > 20 * max(p440, p1000) and p660 > 1e9 else 1)
PY
	[ -s "$W/$d/rx.png" ] && note "$d: baresip's snapshot of our video: $W/$d/rx.png" || fail "$d: baresip decoded no video (no snapshot)"
done
note "ok: baresip both directions over TLS with SDES-SRTP"
