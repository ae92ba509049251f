#!/bin/sh
# prov_firmware.sh: signed firmware releases. A broken signature is refused at
# upload (provd with the signer's key) and by the device (provd without it),
# and nothing is installed; staged rollout by percentage; provd killed in the
# middle of a download -> the device retries with backoff and completes.
. tests/integration/lib/prov_common.sh

CTL="$BIN/rakwon-provctl"
$CTL keygen "$W/fw.key" "$W/fw.pub" || fail "keygen"
$CTL keygen "$W/evil.key" "$W/evil.pub" || fail "keygen"
head -c 3000000 /dev/urandom > "$W/fw-2.0.img"
SIG=$($CTL fw-sign "$W/fw.key" "$W/fw-2.0.img") || fail "sign"
BAD=$($CTL fw-sign "$W/evil.key" "$W/fw-2.0.img") || fail "sign"
$CTL fw-verify "$W/fw.pub" "$W/fw-2.0.img" "$SIG" >/dev/null || fail "fw-verify good"
$CTL fw-verify "$W/fw.pub" "$W/fw-2.0.img" "$BAD" >/dev/null && fail "fw-verify accepted a bad signature"

# provd A checks signatures at upload; paces downloads (so the kill below lands mid-way)
start_provd A firmware_pubkey="$W/fw.pub" fw_rate_kbps=1500
out=$(ctl A POST /v1/admin/firmware "{\"version\":\"2.0\",\"path\":\"$W/fw-2.0.img\",\"signature\":\"$BAD\",\"rollout_pct\":100}" 2>&1) &&
	fail "bad signature accepted at upload"
echo "$out" | grep -q "signature does not verify" || fail "upload error unclear: $out"
ctl A GET /v1/admin/firmware | grep -q '"2.0"' && fail "refused release stored"
ok "broken signature refused at upload, nothing stored"

ctl A POST /v1/admin/firmware "{\"version\":\"2.0\",\"path\":\"$W/fw-2.0.img\",\"signature\":\"$SIG\",\"rollout_pct\":0}" >/dev/null ||
	fail "upload"
ctl A POST /v1/admin/devices '{"serial":"f1"}' >/dev/null || fail "approve"
mkdir -p "$W/fwout"
start_agent f1 A --version 1.0 --fw-pubkey "$W/fw.pub" --fw-dir "$W/fwout"
wait_for 20 status_ge f1 not_modified 3 || fail "f1 not polling"
[ -f "$W/f1/firmware.part" ] || [ -f "$W/fwout/2.0.img" ] && fail "0% rollout reached the device"
ok "rollout 0%: not offered"
ctl A POST /v1/admin/firmware/2.0/rollout '{"pct":100}' >/dev/null || fail "rollout"
# kill provd while the (paced, ~2 s) download runs
wait_for 20 sh -c "[ -s '$W/f1/firmware.part' ]" || fail "download did not start"
kill -9 "$PROVD_PID_A"; wait "$PROVD_PID_A" 2>/dev/null
wait_for 10 status_has f1 error "download failed" || fail "interrupted download not noticed"
[ -f "$W/fwout/2.0.img" ] && fail "installed from an interrupted download"
ok "provd killed mid-download: device noticed, nothing installed"
PORT_FIXED=$(cat "$W/A/provd.port") start_provd A firmware_pubkey="$W/fw.pub" fw_rate_kbps=1500
wait_for 40 test -f "$W/fwout/2.0.img" || fail "download not completed after restart"
cmp -s "$W/fwout/2.0.img" "$W/fw-2.0.img" || fail "installed image differs"
wait_for 5 status_is f1 fw_installed 1 || fail "fw_installed counter"
grep -q "firmware 2.0: resuming at byte" "$W/f1.log" || fail "download restarted instead of resuming"
ok "retried with backoff, resumed (Range) and completed; image verified and installed"

# provd B does not check signatures: the device must refuse a bad one itself
start_provd B
ctl B POST /v1/admin/firmware "{\"version\":\"3.0\",\"path\":\"$W/fw-2.0.img\",\"signature\":\"$BAD\",\"rollout_pct\":100}" >/dev/null ||
	fail "upload to B"
ctl B POST /v1/admin/devices '{"serial":"f2"}' >/dev/null || fail "approve"
mkdir -p "$W/fwout2"
start_agent f2 B --version 1.0 --fw-pubkey "$W/fw.pub" --fw-dir "$W/fwout2"
wait_for 30 status_ge f2 fw_rejected 1 || fail "bad signature not refused by the device"
sleep 2
[ -z "$(ls "$W/fwout2")" ] || fail "something was installed"
[ -f "$W/f2/firmware.img" ] && fail "rejected image kept"
status_is f2 fw_rejected 1 || fail "rejected image fetched again"
ok "device refused the badly signed image and installed nothing"
exit 0
