#!/bin/sh
# sip bench: SIP messages parsed per second per core (ours vs libre, the
# parser baresip uses, on baresip's own INVITE and 200 OK), and call setup
# time p50/p95 (ours: terminal to terminal; baresip calling baresip), both
# over TLS with SDES-SRTP, in the same run. Printed, never asserted.
. tests/lib/common.sh
SAMPLES="../shared/interop/samples/baresip-srtp-mand-INVITE.txt ../shared/interop/samples/baresip-srtp-mand-200.txt"
[ -f ../shared/interop/samples/baresip-srtp-mand-INVITE.txt ] || SAMPLES=$(ls tests/fuzz/corpus/fuzz_sip_msg/* | head -4)
ours=$("$BIN/rakwon-sipparse" $SAMPLES --secs 2)
echo "SIP parse  rakwon:  $ours"
if cc -O2 -DHAVE_INTTYPES_H -DHAVE_STDBOOL_H -o "$W/libreparse" tests/bench/sip_libre_parse.c \
	-I/usr/include/re -lre 2>/dev/null; then
	theirs=$("$W/libreparse" $SAMPLES --secs 2)
	echo "SIP parse  libre:   $theirs"
	/usr/bin/python3 -c "import json,sys; a=json.loads(sys.argv[1]); b=json.loads(sys.argv[2]); print('SIP parse ratio rakwon/libre: %.2fx messages per second per core' % (a['msgs_per_s']/b['msgs_per_s']))" "$ours" "$theirs"
else
	echo "SIP parse  libre:   (libre-dev missing)"
fi
. tests/lib/terminal.sh
term_start a 16160 38000 -s media.encryption=required
term_start b 16170 39000 -s media.encryption=required -s call.auto_answer=on -s call.auto_answer_delay_ms=0
BSPORT=0
if command -v baresip > /dev/null; then
	. tests/lib/baresip.sh
	bs_start bs 5480 "$W/bsx" "" 120
	# a second baresip as the callee, auto-answering
	cp "$W/pki/bs.pem" "$W/pki/bsy.pem"; cp "$W/pki/bs.key" "$W/pki/bsy.key"
	bs_start bsy 5490 "$W/bsy" "" 120
	BSPORT=15480
	sleep 2
fi
/usr/bin/python3 tests/bench/call_setup.py "$W/a.sock" sips:b@127.0.0.1:16171 $BSPORT bsy@127.0.0.1:5491 ${BENCH_CALLS:-10}
# concurrent call setup, re-INVITE and teardown rates of the SIP stack alone
"$BIN/rakwon-sipbench" -n 200 -t udp
"$BIN/rakwon-sipbench" -n 200 -t tcp
