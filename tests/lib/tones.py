#!/usr/bin/python3
# tones.py: level (dBFS) of given frequencies in the last SECS seconds of a
# 16-bit PCM WAV that may still be growing (the header's sizes are ignored).
#   tones.py FILE SECS F1 [F2...]  -> JSON {"F1": dB, ..., "rms": dB, "floor": dB}
# "floor" is the highest level at the midpoints between consecutive given
# frequencies and 100 Hz above the last: what gaps and codec artifacts
# spread over the spectrum, to compare an absent tone against.
# Goertzel per frequency over the Hann-windowed segment (low leakage from
# the other tones and from playout gaps); the level is that of a sine of
# the measured amplitude (a full-scale sine is 0 dBFS, -3 dB RMS).
import json, math, struct, sys

path, secs = sys.argv[1], float(sys.argv[2])
freqs = [int(f) for f in sys.argv[3:]]
data = open(path, "rb").read()
hdr = data[:44]
rate = struct.unpack("<I", hdr[24:28])[0] if len(hdr) == 44 else 48000
ch = struct.unpack("<H", hdr[22:24])[0] if len(hdr) == 44 else 1
pcm = data[44:]
frame = 2 * ch
n = min(int(secs * rate), len(pcm) // frame)
pcm = pcm[len(pcm) // frame * frame - n * frame: len(pcm) // frame * frame]
x = struct.unpack("<%dh" % (n * ch), pcm)[::ch]
x = [v * (0.5 - 0.5 * math.cos(2 * math.pi * i / (n - 1))) for i, v in enumerate(x)] if n > 1 else x
out = {"samples": n}
if n == 0:
    print(json.dumps(out))
    sys.exit(0)
def level(f):
    w = 2 * math.pi * f / rate
    c = 2 * math.cos(w)
    s1 = s2 = 0.0
    for v in x:
        s0 = v + c * s1 - s2
        s2, s1 = s1, s0
    power = s1 * s1 + s2 * s2 - c * s1 * s2
    amp = 4 * math.sqrt(max(power, 0)) / n / 32768.0   # Hann: coherent gain 1/2
    return round(20 * math.log10(amp), 1) if amp > 1e-9 else -180.0

for f in freqs:
    out[str(f)] = level(f)
mids = [(a + b) // 2 for a, b in zip(freqs, freqs[1:])] + [freqs[-1] + 100]
out["floor"] = max(level(f) for f in mids)
rms = math.sqrt(sum(v * v for v in x) / n / 0.375) / 32768.0   # Hann power gain 3/8
out["rms"] = round(20 * math.log10(rms), 1) if rms > 1e-9 else -180.0
print(json.dumps(out))
