#!/bin/sh
# sip.sh: SIP call setup figures (rakwon-sipbench): 200 and 500 concurrent calls
# between two UAs over loopback UDP and TCP, one re-INVITE each, BYE.
B=${RAKWON_BIN:-build/bin}
[ -x "$B/rakwon-sipbench" ] || { echo "rakwon-sipbench not built"; exit 0; }
"$B/rakwon-sipbench" -n 200 -t udp
"$B/rakwon-sipbench" -n 200 -t tcp
"$B/rakwon-sipbench" -n 500 -t tcp
