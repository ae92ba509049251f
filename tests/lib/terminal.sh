# terminal.sh: start and drive rakwon-terminal instances (sourced after common.sh).
# term_start NAME SIPPORT RTPBASE [-s key=value]...: UDP+TCP on SIPPORT, TLS on SIPPORT+1
term_start() {
	n=$1; p=$2; rtp=$3; shift 3
	[ -f "$W/pki/ca.pem" ] || { mkdir -p "$W/pki"; "$BIN/rakwon-certgen" "$W/pki" a b c d > /dev/null || fail "certgen"; }
	[ -f "$W/pki/$n.pem" ] || "$BIN/rakwon-certgen" "$W/pki.$n" "$n" > /dev/null
	"$BIN/rakwon-terminal" -s "room.name=Room $n" -s "sip.aor=sip:$n@127.0.0.1:$p" \
		-s sip.udp_port=$p -s sip.tcp_port=$p -s sip.tls_port=$((p + 1)) \
		-s "sip.tls_ca=$W/pki/ca.pem" -s "sip.tls_cert=$W/pki/$n.pem" -s "sip.tls_key=$W/pki/$n.key" \
		-s "ctrl.socket=$W/$n.sock" -s media.rtp_port_min=$rtp -s video.width=640 -s video.height=360 \
		-s video.bitrate_kbps=800 -s "log.level=${TERM_LOG:-info}" "$@" > "$W/$n.log" 2>&1 &
	PIDS="$PIDS $!"
	i=0; while [ ! -S "$W/$n.sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ -S "$W/$n.sock" ] || { cat "$W/$n.log"; fail "terminal $n did not start"; }
}
rc() { n=$1; shift; "$BIN/rakwonctl" -s "$W/$n.sock" "$@"; }
wait_state() { rc "$1" wait "call.state=$2" "${3:-10}" || { rc "$1" status; fail "$1 never reached $2"; }; }
# jq-like: value of a status path
status_of() { rc "$1" status > "$W/st.json" && json "$W/st.json" "d$2"; }
