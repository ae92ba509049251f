#!/bin/sh
# bridge bench: rakwon-bridge under rakwon-bridgeload (simulated sites sending
# pre-encoded SRTP Opus + H.264 over TLS-signalled calls, loopback). Meetings
# of growing size: the largest held without loss or late packets on this
# machine (no loss, at most 0.5% late: on a shared 2-core machine strictly
# zero late packets is not reached even by 4 sites), packets sent by the
# bridge per CPU-second (SRTP in and out), and the added forwarding latency
# of video (p50/p99) twice: as the load generator sees it (its send stamp
# to its receipt: includes its own scheduling delays) and inside the bridge
# (kernel receive time to the send of the packet's last copy, from the
# bridge's log). Figures are printed, never asserted. BENCH_SECS: measured
# seconds per size (default 5). Every site sends Opus (every site a tone,
# then only 4 talking and the others DTX silence); 4 sites send video (the
# bridge forwards one of them to all). The load generator (one thread doing
# every site's SRTP) shares the same 2 cores; its CPU time is printed next
# to the bridge's. The bridge's meeting runs on two threads: forwarding
# (receive, SRTP, video fan-out) and mixing (decode, mix, encode, audio
# out), fed by a lock-free ring, so forwarding never waits for the mixer.
BIN=${RAKWON_BIN:-build/bin}
SECS=${BENCH_SECS:-5}
SIZES=${BRIDGE_SIZES:-"8 16 32 64 128 192 256"}
W=$(mktemp -d /tmp/rakwon-bench-XXXXXX)
BPID=""
trap '[ -n "$BPID" ] && kill $BPID 2>/dev/null; rm -rf "$W"' EXIT
[ -x "$BIN/rakwon-bridgeload" ] || { echo "rakwon-bridgeload missing"; exit 0; }
mkdir -p "$W/pki"; "$BIN/rakwon-certgen" "$W/pki" bridge load > /dev/null || { echo "certgen failed"; exit 0; }
printf '1001 | Bench | | | 1000\n' > "$W/meetings"
series() { # TALKERS TITLE
	talkers=$1; echo "$2"
	best=0; best_line=""
	for n in $SIZES; do
		one_size "$n" "$talkers"
		echo "  $line"
		case "$line" in
		CLEAN*) best=$n; best_line=$line ;;
		LOSS*|FAILED*) break ;;
		esac
	done
	echo "  largest meeting without loss and with at most 0.5% late packets (audio gap > 60 ms,"
	echo "  video forwarded > 50 ms after it was sent): $best sites"
	[ -n "$best_line" ] && echo "    at that size: ${best_line#CLEAN }"
}
one_size() { # N TALKERS -> $line
	n=$1
	"$BIN/rakwon-bridge" --meetings "$W/meetings" --set sip_udp=127.0.0.1:25700 \
		--set sip_tls=127.0.0.1:25701 --set "tls_cert=$W/pki/bridge.pem" \
		--set "tls_key=$W/pki/bridge.key" --set "tls_ca=$W/pki/ca.pem" \
		--set encryption=required --set sip_invite_rate=2000 --set sip_invite_burst=2000 \
		--set join_rate=2000 --set rtp_timeout_ms=30000 > "$W/bridge.log" 2>&1 &
	BPID=$!
	sleep 0.5
	"$BIN/rakwon-bridgeload" --uri "sips:1001@127.0.0.1:25701" --tls --ca "$W/pki/ca.pem" \
		--cert "$W/pki/load.pem" --key "$W/pki/load.key" --video-senders 4 --talkers "$2" \
		-n "$n" --duration "$SECS" --warmup 3 --bridge-pid $BPID > "$W/r.json" 2> "$W/load.err"
	# the bridge logs its own latency figure when the meeting empties
	i=0; while [ $i -lt 30 ] && ! grep -q "forwarding latency" "$W/bridge.log"; do sleep 0.1; i=$((i + 1)); done
	kill $BPID 2>/dev/null; wait $BPID 2>/dev/null; BPID=""
	line=$(python3 - "$W/r.json" "$SECS" "$W/bridge.log" <<'PY'
import json, re, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception:
    print("FAILED"); sys.exit(0)
m = re.search(r"p50 (\d+) us, p99 (\d+) us", open(sys.argv[3], errors="replace").read())
inside = " (inside the bridge p50 %.2f ms p99 %.2f ms)" % (int(m.group(1)) / 1e3, int(m.group(2)) / 1e3) if m else ""
secs = float(sys.argv[2])
pk = d["audio_rx"] + d["video_rx"]
cpu = d["bridge_cpu_s"]
late = d["audio_late"] + d["video_late"]
clean = d["connected"] == d["participants"] and d["audio_lost"] + d["video_lost"] == 0 \
    and late <= 0.005 * max(pk, 1) and d["srtp_fail"] == 0
if d["connected"] != d["participants"] or d["audio_lost"] + d["video_lost"] > 0:
    verdict = "LOSS"
else:
    verdict = "CLEAN" if clean else "LATE"
print("%s %d sites: %d/%d up, out %.0f pkt/s, bridge CPU %.0f%% -> %.0f pkt per CPU-second; "
      "lost %d+%d, late %d+%d (audio+video); video forwarding latency p50 %.2f ms p99 %.2f ms%s; "
      "load generator CPU %.1f s in all"
      % (verdict, d["participants"], d["connected"], d["participants"],
         pk / secs, 100 * cpu / secs, pk / cpu if cpu > 0 else 0, d["audio_lost"],
         d["video_lost"], d["audio_late"], d["video_late"], d["lat_p50_us"] / 1000.0,
         d["lat_p99_us"] / 1000.0, inside, d["load_cpu_s"]))
PY
)
}
series 1000 "every site talking (a tone), 4 sending video:"
series 4 "4 sites talking, the others listening (Opus DTX), 4 sending video:"
echo "(2-core machine shared with other work: late packets come from scheduling delays as"
echo " much as from the bridge; the load generator's own CPU time is printed per size)"
exit 0
