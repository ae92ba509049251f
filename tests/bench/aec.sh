#!/bin/sh
# aec.sh BUILD: echo canceller benchmark: our chain, speexdsp and webrtc-audio-processing on the
# same simulated rooms, one table (ERLE, convergence, double talk, path change, drift, CPU),
# one row per set of rooms (other impulse responses and noise) and the mean / worst over them.
B=${1:-build}
for t in espeak-ng sox; do
	command -v $t >/dev/null 2>&1 || { echo "aec bench skipped: $t is not installed"; exit 0; }
done
sh tools/roomsim/speech.sh "$B/aec-speech" || exit 1
echo "== AEC: ours vs speexdsp vs webrtc-audio-processing (48 kHz, 10 ms blocks), ${AEC_SETS:-3} sets of rooms"
echo "   ERLE: mean over 9 rooms (RT60 0.2/0.5/0.8 x delay 30/120/250 ms) of far-end single talk after 2 s"
echo "   converge: worst time until every 0.5 s window stays >= 30 dB; DT: double talk, 4 rooms, talker"
echo "   at the echo's level (-30 dBFS); DTquiet: 2 rooms, talker 8 dB under the echo starting after 9 s;"
echo "   clipped: near-end talk starts whose first 100 ms lost > 6 dB; reconv: echo path change (0.5 s is"
echo "   the finest the 0.5 s windows resolve); drift leaks: 1 s windows < 20 dB over 2 x 60 s at"
echo "   +-100 ppm; CPU: thread CPU time per 10 ms block. 'all': mean (converge, reconv: worst; counts: sum)"
"$B/bin/rakwon-roomsim" bench --far "$B/aec-speech/far.wav" --near "$B/aec-speech/near.wav" --sets "${AEC_SETS:-3}"
