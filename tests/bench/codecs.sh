#!/bin/sh
# codecs.sh: software codec cost per frame (x264 presets, lavc decode) on the test pattern.
# Prints figures only; run by tests/bench/run.sh with RAKWON_BIN set.
BIN=${RAKWON_BIN:-build/bin}
[ -x "$BIN/rakwon-codecbench" ] || { echo "rakwon-codecbench not built, skipping"; exit 0; }
for preset in superfast veryfast; do
	"$BIN/rakwon-codecbench" -s 1280x720 -b 2000 -n 300 -p "$preset"
	"$BIN/rakwon-codecbench" -s 1920x1080 -b 4000 -n 150 -p "$preset"
done
