#!/bin/sh
# api_coverage: every command of the terminal's control API, its status tree
# and its events, exercised by two terminals in one scripted scenario
# (tests/integration/lib/api_coverage.py): the registry is read at run time
# ("help") and the test fails when a registered command was not called or an
# event emitted by app/terminal was not seen; config validation errors;
# malformed JSON answered with an error on a connection that survives; the
# user role (HTTPS) cannot change admin settings; media_timeout while the far
# end is stopped (SIGSTOP, about 10 s); reboot (admin only) stops the
# terminal and runs sys.reboot_cmd (here a harmless command writing a file;
# the API cannot change it).
. tests/lib/common.sh
. tests/lib/terminal.sh
PW="us-$$-secret"
printf 'panel:user:%s\n' "$("$BIN/rakwon-paneldemo" --hash "$PW" 2000)" > "$W/creds"
term_start a 17660 46000 -s media.encryption=off -s ctrl.https_port=17600 -s "ctrl.credentials=$W/creds" \
	-s "directory=Room B <sip:b@127.0.0.1:17670>" -s ui.test_time=09:41 \
	-s "sys.reboot_cmd=echo rebooted-by-api > $W/rebooted"
term_start b 17670 46200 -s media.encryption=off
BPID=${PIDS##* }
timeout 120 /usr/bin/python3 tests/integration/lib/api_coverage.py "$W" "$W/a.sock" "$W/b.sock" 17600 \
	panel "$PW" sip:b@127.0.0.1:17670 "$BPID" || fail "api coverage (logs in $W)"
