#!/bin/sh
# conf_generated: the shipped default configuration is exactly what the
# configuration table generates, loads back without error, and a broken file
# is refused with "file:line: message".
. tests/lib/common.sh
"$BIN/rakwon-terminal" --print-default-config > "$W/gen.conf" || fail "generation failed"
cmp -s "$W/gen.conf" rootfs/etc/rakwon-terminal/terminal.conf || \
	fail "rootfs/etc/rakwon-terminal/terminal.conf is stale: regenerate with rakwon-terminal --print-default-config"
"$BIN/rakwon-terminal" -c "$W/gen.conf" --print-config > /dev/null || fail "generated file does not load"
printf 'room.name = A\nvideo.fps = 500\n' > "$W/bad.conf"
out=$("$BIN/rakwon-terminal" -c "$W/bad.conf" --print-config 2>&1) && fail "bad file accepted"
echo "$out" | grep -q "bad.conf:2: video.fps: 500 is out of range" || fail "unclear error: $out"
printf 'sip.password = hunter2\n' > "$W/secret.conf"
"$BIN/rakwon-terminal" -c "$W/secret.conf" --print-config | grep -q hunter2 && fail "secret printed"
note "ok: generated config in sync, errors as file:line, secrets masked"
