#!/bin/sh
# rtp.sh: per-packet cost of the RTP transport (header decode, RTCP parse, SRTP per suite,
# retransmission history, NACK generator). Prints figures only.
BIN=${RAKWON_BIN:-build/bin}
[ -x "$BIN/rakwon-rtpbench" ] || { echo "rakwon-rtpbench not built, skipping"; exit 0; }
"$BIN/rakwon-rtpbench" 200000
