#!/bin/sh
# sip_baresip.sh: signalling interop with baresip (Debian baresip-core):
# baresip registers to rakwon-sipregistrar with digest auth (MD5: baresip
# 1.0 does not do SHA-256); rakwon-sipua calls it by AOR through the proxy
# over UDP and TCP (hold/resume re-INVITEs, BYE from us), and baresip calls
# rakwon-sipua (BYE from us). SDP is a minimal PCMU offer.
. tests/integration/lib/sip_common.sh
command -v baresip >/dev/null 2>&1 || skip "baresip not installed"
[ -d /usr/lib/baresip/modules ] || skip "baresip modules not found"
[ -x "$BIN/rakwon-sipregistrar" ] && [ -x "$BIN/rakwon-sipua" ] || skip "tools not built"

P=$PBASE
BSP=$((P + 10))      # baresip SIP port (TLS would take +1)
start_reg R $P --user bs:bspw --user alice:sa --alg md5

# bs_conf DIR: a minimal headless baresip configuration on 127.0.0.1
bs_conf() {
	mkdir -p "$1"
	cat > "$1/config" <<CONF
poll_method		epoll
sip_listen		127.0.0.1:$BSP
net_interface		127.0.0.1
audio_player		alsa,null
audio_source		ausine,440
ausrc_srate		48000
ausrc_channels		2
audio_alert		alsa,null
rtp_ports		$((BSP + 100))-$((BSP + 199))
statmode_default	off
module_path		/usr/lib/baresip/modules
module			g711.so
module			ausine.so
module			alsa.so
module_tmp		account.so
module_app		menu.so
CONF
	echo "<sip:bs@127.0.0.1:$P${2:-}>;auth_pass=bspw;regint=60;answermode=auto;audio_codecs=pcmu;mediaenc=" \
		> "$1/accounts"
	: > "$1/contacts"
}
# start_bs NAME SECS URIPARAMS [baresip args]
start_bs() {
	n=$1; secs=$2; up=$3; shift 3
	bs_conf "$W/$n" "$up"
	timeout -k 2 $((secs + 3)) baresip -4 -f "$W/$n" -t "$secs" -s "$@" > "$W/$n.out" 2>&1 < /dev/null &
	BSPID=$!
	PIDS="$PIDS $!"
}

# 1. baresip registers and answers; we call it by AOR and hang up
start_bs bs1 6 ""
BS1=$BSPID
wait_for 8 grep -q "REG bs " "$W/R.out" || fail "baresip did not register (digest MD5)"
ok "baresip registered with digest auth"
start_ua a1 --aor sip:alice@127.0.0.1 --display "Rakwon A" --proxy "sip:127.0.0.1:$P" \
	--udp 127.0.0.1:0 --call "sip:bs@127.0.0.1:$P" --hold --hangup-after 500
wait_exit a1 15
has a1 "^ESTABLISHED UDP" || fail "call to baresip not established"
[ "$(count a1 '^REINVITE 200')" = 2 ] || fail "baresip did not accept hold and resume"
has a1 "^ENDED 0 Local hangup" || fail "no local hangup"
wait_for 5 grep -qi "BYE" "$W/bs1.out" || fail "baresip saw no BYE"
ok "call to baresip by AOR: 200, hold/resume re-INVITEs, BYE"

# 2. the same over TCP: baresip registers over TCP, the proxy reaches it
#    over that flow
wait $BS1 2>/dev/null
start_bs bst 6 ";transport=tcp"
BST=$BSPID
wait_for 8 grep -q "REG bs .* TCP" "$W/R.out" || fail "baresip did not register over TCP"
start_ua at --aor sip:alice@127.0.0.1 --proxy "sip:127.0.0.1:$P;transport=tcp" \
	--tcp 127.0.0.1:0 --call "sip:bs@127.0.0.1:$P;transport=tcp" --hold --hangup-after 500
wait_exit at 15
has at "^ESTABLISHED TCP" || fail "TCP call to baresip not established"
[ "$(count at '^REINVITE 200')" = 2 ] || fail "baresip (TCP) did not accept hold and resume"
has at "^ENDED 0 Local hangup" || fail "no local hangup (TCP)"
ok "call to baresip over TCP through the proxy (its registration flow)"

# 3. baresip calls us (registered at the same registrar)
start_ua a2 --aor sip:alice@127.0.0.1 --password sa --registrar "sip:127.0.0.1:$P" \
	--udp 127.0.0.1:0 --answer --hangup-after 800 --calls 1
wait_for 5 has a2 "^REGISTERED 200" || fail "sipua not registered"
# bst ends by itself (-t, hard timeout): then bs2 can take its port
wait $BST 2>/dev/null
start_bs bs2 8 "" -e "/dial sip:alice@127.0.0.1:$P"
wait_exit a2 12
has a2 "^INCOMING sip:bs@127.0.0.1" || fail "no INVITE from baresip"
has a2 "^ESTABLISHED UDP" || fail "call from baresip not established (no ACK?)"
has a2 "^ENDED 0 Local hangup" || fail "call from baresip did not end with our BYE"
ok "call from baresip through the proxy: answered, ACKed, BYE from us"
exit 0
