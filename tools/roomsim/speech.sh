#!/bin/sh
# speech.sh DIR: makes DIR/far.wav and DIR/near.wav (48 kHz mono 16-bit), two different
# espeak-ng voices, for the room simulator; kept as a cache (only made when missing).
set -eu
D=$1
mkdir -p "$D"
if [ ! -s "$D/far.wav" ] || [ ! -s "$D/near.wav" ]; then
	espeak-ng -v en+m3 -s 160 -w "$D/far22.wav" "Good morning everyone. Let us start with the \
quarterly figures for the northern region. Sales grew by eight percent, mostly thanks to the new \
service contracts. The second item is the move to the new office, which is planned for March. \
We still need a decision on the furniture budget. Finally, please send me your travel plans \
before Friday."
	espeak-ng -v en+f2 -s 150 -w "$D/near22.wav" "Yes, I can hear you well. Could you repeat \
the last number? I think the budget for the furniture is too small. We should compare three \
offers first. And what about the parking places for visitors? Thank you, that answers my question."
	sox "$D/far22.wav" -r 48000 -b 16 -c 1 "$D/far.wav"
	sox "$D/near22.wav" -r 48000 -b 16 -c 1 "$D/near.wav"
	rm -f "$D/far22.wav" "$D/near22.wav"
fi
