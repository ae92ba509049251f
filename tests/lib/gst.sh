# gst.sh: GStreamer peers for interop tests (sourced after common.sh).
command -v gst-launch-1.0 >/dev/null || skip "gst-launch-1.0 missing (make deps)"
# b64 key||salt -> hex for srtpenc/srtpdec
key_hex() { echo -n "$1" | base64 -d | od -An -v -tx1 | tr -d ' \n'; }
# key of the first a=crypto line of a media type in an SDP file
sdp_key() { awk -v m="$2" '/^m=/{cur=$1} cur=="m="m && /^a=crypto:/{sub(/.*inline:/,""); sub(/[| ].*/,""); print; exit}' "$1"; }
sdp_port() { awk -v m="$2" '$1=="m="m{print $2; exit}' "$1"; }
sdp_ssrc() { awk -v m="$2" '/^m=/{cur=$1} cur=="m="m && /^a=ssrc:/{sub(/^a=ssrc:/,""); print $1; exit}' "$1"; }
SRTP_PARAMS="srtp-cipher=(string)aes-128-icm,srtp-auth=(string)hmac-sha1-80,srtcp-cipher=(string)aes-128-icm,srtcp-auth=(string)hmac-sha1-80"

# gst_recv SDP_OF_SENDER VPORT APORT SECS OUTDIR [srtp]: receive H.264 + Opus,
# decode to OUTDIR/rx.y4m and OUTDIR/rx.wav
gst_recv() {
	sdp=$1; vp=$2; ap=$3; secs=$4; out=$5; srtp=${6:-}
	vs=$(sdp_ssrc "$sdp" video); as=$(sdp_ssrc "$sdp" audio)
	if [ -n "$srtp" ]; then
		vk=$(key_hex "$(sdp_key "$sdp" video)"); ak=$(key_hex "$(sdp_key "$sdp" audio)")
		vcaps="application/x-srtp,media=(string)video,clock-rate=(int)90000,encoding-name=(string)H264,payload=(int)96,ssrc=(uint)$vs,srtp-key=(buffer)$vk,$SRTP_PARAMS"
		acaps="application/x-srtp,media=(string)audio,clock-rate=(int)48000,encoding-name=(string)OPUS,payload=(int)111,ssrc=(uint)$as,srtp-key=(buffer)$ak,$SRTP_PARAMS"
		vdec="srtpdec !"; adec="srtpdec !"
	else
		vcaps="application/x-rtp,media=(string)video,clock-rate=(int)90000,encoding-name=(string)H264,payload=(int)96"
		acaps="application/x-rtp,media=(string)audio,clock-rate=(int)48000,encoding-name=(string)OPUS,payload=(int)111"
		vdec=""; adec=""
	fi
	timeout --foreground -s INT -k 5 "$secs" gst-launch-1.0 -e -q \
		udpsrc address=127.0.0.1 port="$vp" caps="$vcaps" ! $vdec rtpjitterbuffer latency=200 \
		! rtph264depay ! h264parse ! avdec_h264 direct-rendering=false ! videoconvert \
		! video/x-raw,format=I420 ! y4menc ! filesink location="$out/rx.y4m" \
		udpsrc address=127.0.0.1 port="$ap" caps="$acaps" ! $adec rtpjitterbuffer latency=200 \
		! rtpopusdepay ! opusdec ! audioconvert ! audioresample ! audio/x-raw,rate=48000,channels=1 \
		! wavenc ! filesink location="$out/rx.wav" > "$out/gst-recv.log" 2>&1
}

# gst_send VPORT APORT SECS [b64key-video b64key-audio]: x264enc + opusenc, RTP
# (packetization-mode 1, STAP-A + FU-A), PT 96/111, SSRCs 0x11223344/0x55667788
gst_send() {
	vp=$1; ap=$2; secs=$3; vkey=${4:-}; akey=${5:-}
	nv=$((secs * 30)); na=$((secs * 50))
	if [ -n "$vkey" ]; then
		venc="! srtpenc key=$(key_hex "$vkey") rtp-cipher=aes-128-icm rtp-auth=hmac-sha1-80 rtcp-cipher=aes-128-icm rtcp-auth=hmac-sha1-80"
		aenc="! srtpenc key=$(key_hex "$akey") rtp-cipher=aes-128-icm rtp-auth=hmac-sha1-80 rtcp-cipher=aes-128-icm rtcp-auth=hmac-sha1-80"
	else
		venc=""; aenc=""
	fi
	timeout --foreground -s INT -k 5 $((secs + 5)) gst-launch-1.0 -e -q \
		videotestsrc num-buffers=$nv pattern=ball is-live=true ! video/x-raw,width=640,height=360,framerate=30/1 \
		! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 bitrate=1000 \
		! video/x-h264,profile=constrained-baseline \
		! rtph264pay pt=96 ssrc=287454020 config-interval=-1 mtu=1200 aggregate-mode=zero-latency \
		$venc ! udpsink host=127.0.0.1 port="$vp" \
		audiotestsrc num-buffers=$na freq=440 samplesperbuffer=960 is-live=true \
		! audio/x-raw,rate=48000,channels=1 ! opusenc bitrate=32000 frame-size=20 \
		! rtpopuspay pt=111 ssrc=1432778632 $aenc ! udpsink host=127.0.0.1 port="$ap"
}
# frames in a y4m file
y4m_frames() { /usr/bin/python3 -c "
import sys
d=open(sys.argv[1],'rb').read(); print(d.count(b'FRAME'))" "$1" 2>/dev/null || echo 0; }
# seconds of audio in a wav file
wav_secs() { soxi -D "$1" 2>/dev/null || echo 0; }
