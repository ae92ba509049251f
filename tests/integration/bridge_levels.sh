#!/bin/sh
# bridge_levels: RFC 6464 client-to-mixer audio levels between a real terminal
# and the bridge, negotiated by SDP (a=extmap ssrc-audio-level). Terminal a runs
# room audio processing (audio.agc: its levels come from the processed frames)
# and so sends the level in every audio packet; terminal b processes nothing
# and sends none. The bridge's roster counts the packets whose level it read.
. tests/lib/common.sh
. tests/lib/terminal.sh
. tests/lib/bridge.sh
BP=25900
bridge_start $BP "1001 | Levels | | | 10" --set encryption=off
term_start a 25910 21900 -s media.encryption=off -s audio.agc=on -s dev.microphone_args=freq=300 \
	-s video.width=320 -s video.height=180 -s video.bitrate_kbps=200
term_start b 25920 22000 -s media.encryption=off -s dev.microphone_args=freq=500 \
	-s video.width=320 -s video.height=180 -s video.bitrate_kbps=200
for n in a b; do rc $n dial "uri=sip:1001@127.0.0.1:$BP" > /dev/null || fail "$n dial"; done
for n in a b; do wait_state $n connected; done
i=0
while [ $i -lt 50 ]; do
	roster 1001 > "$W/r.json"
	v=$(json "$W/r.json" "[p['levels_rx'] for p in d['participants'] if 'sip:a@' in p['uri']][0]" 2>/dev/null)
	[ "${v:-0}" -gt 50 ] 2>/dev/null && break
	sleep 0.2; i=$((i + 1))
done
note "roster: $(json "$W/r.json" "[(p['uri'], p['audio_rx'], p['levels_rx'], p['level_db']) for p in d['participants']]")"
check "a's audio packets carry the level the bridge reads (RFC 6464, negotiated)" \
	"[p['levels_rx'] for p in r['participants'] if 'sip:a@' in p['uri']][0] > 50" r="$W/r.json"
check "b (no audio processing) sends no level; the bridge measures it" \
	"[p['levels_rx'] for p in r['participants'] if 'sip:b@' in p['uri']][0] == 0 and [p['audio_rx'] for p in r['participants'] if 'sip:b@' in p['uri']][0] > 0" r="$W/r.json"
for n in a b; do rc $n hangup > /dev/null; done
