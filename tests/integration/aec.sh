#!/bin/sh
# aec.sh: the acceptance list of the room audio chain on the room simulator (rakwon-roomsim check):
# single talk at RT60 0.2/0.5/0.8 x delay 30/120/250 ms, double talk, echo path change, +-100 ppm drift.
BIN=${RAKWON_BIN:-build/bin}
B=${RAKWON_BUILD:-build}
for t in espeak-ng sox; do
	command -v $t >/dev/null 2>&1 || { echo "$t is not installed (make deps)"; exit 77; }
done
[ -x "$BIN/rakwon-roomsim" ] || { echo "no $BIN/rakwon-roomsim"; exit 1; }
sh tools/roomsim/speech.sh "$B/aec-speech" || exit 1
exec "$BIN/rakwon-roomsim" check --far "$B/aec-speech/far.wav" --near "$B/aec-speech/near.wav"
