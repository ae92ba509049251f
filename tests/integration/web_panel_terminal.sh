#!/bin/sh
# web_panel_terminal: the web touch panel of a running terminal in headless
# Chromium (Playwright): log in, call a directory entry, see the far end ring
# and answer (a second terminal), screenshot, hang up.
. tests/lib/common.sh
. tests/lib/terminal.sh
[ -x /usr/bin/chromium ] || skip "chromium not installed (tools/deps.sh installs it)"
command -v node > /dev/null || skip "node not installed"
sh tests/web/install_playwright.sh build/npm > "$W/npm.log" 2>&1 || skip "cannot install playwright-core from npm"
PW="op-$$-secret"
printf 'operator:user:%s\n' "$("$BIN/rakwon-paneldemo" --hash "$PW" 2000)" > "$W/creds"
term_start b 18870 43000 -s media.encryption=off -s call.auto_answer=on -s call.auto_answer_delay_ms=2500
term_start a 18860 43200 -s media.encryption=off -s ctrl.https_port=18800 -s "ctrl.credentials=$W/creds" \
	-s ctrl.panel_dir=rootfs/usr/share/rakwon-terminal/panel \
	-s "directory=Room B <sip:b@127.0.0.1:18870>, Room C <sip:c@127.0.0.1:18880>"
grep -q "web panel" "$W/a.log" || fail "the terminal serves no web panel: $(tail -3 "$W/a.log")"
mkdir -p "${RAKWON_BUILD:-build}"
timeout 90 node tests/web/panel_terminal.js https://127.0.0.1:18800/ operator "$PW" sip:b@127.0.0.1:18870 \
	"${RAKWON_BUILD:-build}/web_panel_terminal.png" || fail "panel test failed"
wait_state b idle 10
