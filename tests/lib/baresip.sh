# baresip.sh: a headless baresip 1.0.0 peer for interop tests (sourced after
# common.sh). TLS with our test CA, SDES-SRTP mandatory, Opus + H.264.
command -v baresip > /dev/null || skip "baresip missing (make deps)"
# bs_start NAME PORT OUTDIR [DIAL_URI] [SECS]: UDP/TCP on PORT, TLS on PORT+1, ctrl on PORT+10000
bs_start() {
	n=$1; p=$2; o=$3; dial=${4:-}; secs=${5:-40}
	mkdir -p "$o/conf"
	[ -f "$o/tone.wav" ] || sox -n -r 48000 -c 2 -b 16 "$o/tone.wav" synth 30 sine 440 vol 0.5 2>/dev/null
	cat "$W/pki/$n.key" "$W/pki/$n.pem" > "$o/conf/cert.pem"
	cat > "$o/conf/config" <<EOC
poll_method		epoll
sip_listen		127.0.0.1:$p
sip_certificate		$o/conf/cert.pem
sip_cafile		$W/pki/ca.pem
net_interface		127.0.0.1
call_max_calls		4
audio_player		alsa,null
audio_source		aufile,$o/tone.wav
audio_alert		alsa,null
ausrc_srate		48000
ausrc_channels		2
video_size		352x288
video_bitrate		512000
video_fps		25.00
rtp_ports		$((p * 2 % 20000 + 30000))-$((p * 2 % 20000 + 30099))
rtcp_mux		no
jitter_buffer_delay	5-10
rtp_stats		yes
module_path		/usr/lib/baresip/modules
module			opus.so
module			aufile.so
module			alsa.so
module			sndfile.so
module			srtp.so
module			avcodec.so
module			fakevideo.so
module_tmp		uuid.so
module_tmp		account.so
module_app		menu.so
module_app		ctrl_tcp.so
module_app		snapshot.so
ctrl_tcp_listen		127.0.0.1:$((p + 10000))
statmode_default	off
snd_path		$o
avcodec_h264enc		libx264
avcodec_h264dec		h264
video_source		fakevideo,nil
video_display		fakevideo,nil
EOC
	echo "<sip:$n@127.0.0.1:$p;transport=tls>;regint=0;answermode=auto;audio_codecs=opus/48000/2;mediaenc=srtp-mand" > "$o/conf/accounts"
	set -- -4 -f "$o/conf" -t "$secs" -s
	[ -n "$dial" ] && set -- "$@" -e "/dial $dial"
	timeout -k 2 $((secs + 5)) baresip "$@" > "$o/baresip.log" 2>&1 < /dev/null &
	PIDS="$PIDS $!"
}
# bs_ctl PORT COMMAND [ARGS]: one ctrl_tcp command (netstring JSON), prints the response
bs_ctl() {
	/usr/bin/python3 - "$@" <<'PY'
import json, socket, sys, time
port = int(sys.argv[1]) + 10000; cmd = sys.argv[2]; params = " ".join(sys.argv[3:])
s = None
for _ in range(50):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=2); break
    except OSError:
        time.sleep(0.2)
if s is None:
    sys.exit("bs_ctl: no baresip ctrl on %d" % port)
m = json.dumps({"command": cmd, "params": params, "token": "t1"}).encode()
s.sendall(b"%d:%s," % (len(m), m))
buf = b""; end = time.time() + 5
while time.time() < end:
    try:
        d = s.recv(65536)
    except socket.timeout:
        break
    if not d:
        break
    buf += d
    while b":" in buf:
        n, rest = buf.split(b":", 1)
        n = int(n)
        if len(rest) < n + 1:
            break
        msg = json.loads(rest[:n]); buf = rest[n + 1:]
        if msg.get("response"):
            print(msg.get("data", "")); sys.exit(0 if msg.get("ok") else 1)
sys.exit(1)
PY
}
