#!/bin/sh
# media_badinput: a live session keeps working while a hostile peer sends
# garbage to its ports: truncated and malformed RTP/RTCP, broken FU-A
# sequences, packets with our own SSRC (collision), packets encrypted with a
# wrong SRTP key, replays. Everything is dropped and counted; no crash; the
# real far end's video keeps being decoded.
. tests/lib/common.sh
DUR=10
for mode in plain srtp; do
	d="$W/$mode"; mkdir -p "$d"
	suite=""; [ $mode = srtp ] && suite=AES_CM_128_HMAC_SHA1_80
	base=$([ $mode = plain ] && echo 49000 || echo 49200)
	sdp_pair "$d" $base $((base + 100)) $suite
	"$BIN/rakwon-media" --local "$d/b.sdp" --remote "$d/a.sdp" --duration $((DUR + 2)) \
		--size 640x360 --vbitrate 800 --stats "$d/b.json" 2> "$d/b.err" &
	B=$!
	media_ready "$d/b.err"
	"$BIN/rakwon-media" --local "$d/a.sdp" --remote "$d/b.sdp" --duration $DUR --size 640x360 \
		--vbitrate 800 --stats "$d/a.json" 2> "$d/a.err" &
	A=$!
	sleep 1
	/usr/bin/python3 - "$((base + 100))" "$mode" <<'PY'
import os, random, socket, struct, sys, time
base = int(sys.argv[1]); srtp = sys.argv[2] == "srtp"
aport, vport = base, base + 2
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
rnd = random.Random(42)
def rtp(pt, seq, ts, ssrc, payload, marker=0, extra=b""):
    return struct.pack("!BBHII", 0x80, (marker << 7) | pt, seq & 0xffff, ts, ssrc) + extra + payload
def send(port, b):
    s.sendto(b, ("127.0.0.1", port))
end = time.time() + 6
n = 0
while time.time() < end:
    for port in (vport, vport + 1, aport, aport + 1):
        send(port, os.urandom(rnd.randrange(0, 1400)))            # garbage
        send(port, bytes([0x80]))                                  # truncated
        send(port, rtp(96, n, n * 3000, 0xdead, b"")[:11])         # short header
        send(port, struct.pack("!BBHII", 0x8f, 96, n, 0, 1) + b"\0" * 8)  # CSRC count past the end
        send(port, struct.pack("!BBHII", 0xa0, 96, n, 0, 1) + b"\x01\x02\xff")  # padding > len
        send(port, bytes([0x80, 200, 0xff, 0xff]) + os.urandom(20))  # RTCP SR, length lies
    # broken FU-A runs: start without end, end without start, middle only
    ssrc = 0x5eed
    send(vport, rtp(96, 1000 + n, 777, ssrc, bytes([0x7c, 0x85]) + os.urandom(900)))
    send(vport, rtp(96, 1002 + n, 777, ssrc, bytes([0x7c, 0x45]) + os.urandom(900), 1))
    send(vport, rtp(96, 1004 + n, 778, ssrc, bytes([0x7c, 0x05]) + os.urandom(900), 1))
    send(vport, rtp(96, 1006 + n, 779, ssrc, bytes([0x78]) + os.urandom(5), 1))  # STAP-A cut short
    # SSRC collision: packets claiming the receiver's own SSRC (b: 52222 / 51111)
    send(vport, rtp(96, n, n, 52222, bytes([0x65]) + os.urandom(50)))
    send(aport, rtp(111, n, n, 51111, os.urandom(40)))
    n += 1
    time.sleep(0.005)
print("hostile packets sent:", n * 30)
PY
	wait $A || fail "$mode: sender died"
	wait $B || fail "$mode: receiver died (exit $?)"
	note "$mode receiver: $(cat "$d/b.json")"
	check "$mode: malformed input counted" "b['video']['malformed'] + b['video']['srtp_auth_fail'] > 1000 and b['audio']['malformed'] + b['audio']['srtp_auth_fail'] > 1000" b="$d/b.json"
	check "$mode: real video still decoded (>= 90 % of frames sent)" "b['video']['frames_decoded'] >= 0.9 * a['video']['frames_sent']" a="$d/a.json" b="$d/b.json"
	if [ $mode = plain ]; then
		check "plain: SSRC collision detected" "b['video']['ssrc_collisions'] > 0 and b['audio']['ssrc_collisions'] > 0" b="$d/b.json"
	else
		check "srtp: forged packets failed authentication, none were decoded as media" "b['video']['srtp_auth_fail'] > 1000 and b['video']['ssrc_collisions'] == 0" b="$d/b.json"
	fi
done
