#!/bin/sh
# ui_display_mode: the composed screen follows the display's mode. A display
# sink that reports its mode at open (kms does; here the png sink's twin of
# it, args mode=WxH) gets frames composed at that size, not ui.width x
# ui.height (status ui.width/height, the frames on the display and the
# screenshots all have the mode's size, and they are drawn, not blank); a
# sink without a mode, or a mode the renderer cannot draw, keeps ui.width x
# ui.height. (The kms driver's side is proven in the QEMU lab.)
. tests/lib/common.sh
. tests/lib/terminal.sh
# pngsize FILE: "W H" of a PNG, and "drawn" when its mean colour is not black
# (the dark theme's background and text) or "blank"
pngsize() {
	wh=$(/usr/bin/python3 -c "import struct,sys; b=open(sys.argv[1],'rb').read(24); assert b[:8]==b'\\x89PNG\\r\\n\\x1a\\n'; print(*struct.unpack('>II', b[16:24]))" "$1") || { echo "not-a-png"; return; }
	m=$("$BIN/rakwon-uicheck" mean "$1" "0,0,$(echo "$wh" | tr ' ' ',')") || { echo "unreadable"; return; }
	echo "$wh $(echo "$m" | /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print('drawn' if d['r']+d['g']+d['b'] > 30 else 'blank')")"
}
# shot NAME: a screenshot by the control API, its "W H drawn|blank"
shot() {
	rm -f "$W/$1-shot.png"
	rc "$1" screenshot "path=$W/$1-shot.png" > /dev/null || fail "screenshot $1"
	i=0; while [ ! -f "$W/$1-shot.png" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ -f "$W/$1-shot.png" ] || fail "no screenshot from $1"
	pngsize "$W/$1-shot.png"
}
# expect NAME W H: status, the display's own frame and a screenshot are WxH
expect() {
	rc "$1" status > "$W/$1.json"
	check "$1: status ui.width x ui.height = $2x$3" "s['ui']['width'] == $2 and s['ui']['height'] == $3" s="$W/$1.json"
	i=0; while [ ! -f "$W/$1-disp.png" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ -f "$W/$1-disp.png" ] || fail "$1: nothing on the display"
	got=$(pngsize "$W/$1-disp.png"); [ "$got" = "$2 $3 drawn" ] || fail "$1: display frame is $got, want $2 $3 drawn"
	got=$(shot "$1"); [ "$got" = "$2 $3 drawn" ] || fail "$1: screenshot is $got, want $2 $3 drawn"
	note "$1: display and screenshot $got"
}
term_start a 17860 48000 -s dev.display=png -s "dev.display_args=path=$W/a-disp.png,every=1,mode=1920x1080"
term_start b 17870 48200 -s dev.display=png -s "dev.display_args=path=$W/b-disp.png,every=1,mode=640x480"
term_start c 17880 48400 -s dev.display=png -s "dev.display_args=path=$W/c-disp.png,every=1"
term_start d 17890 48600 -s dev.display=png -s "dev.display_args=path=$W/d-disp.png,every=1,mode=160x120"
expect a 1920 1080
grep -q "on-screen UI on png 1920x1080 (the display's mode" "$W/a.log" || fail "a did not log the display's mode"
expect b 640 480
expect c 1280 720
expect d 1280 720
note "modes 1920x1080 and 640x480 composed at their size; no mode, or one too small to draw: ui.width x ui.height"
