#!/bin/sh
# prov_pg.sh: rakwon-provd on PostgreSQL: migrations, enrollment, a change
# reaching the device, constraint errors, and a hard restart losing nothing.
# Runs a private PostgreSQL cluster on a unix socket in the scratch directory.
. tests/integration/lib/prov_common.sh

PGBIN=$(pg_config --bindir 2>/dev/null)
[ -n "$PGBIN" ] && [ -x "$PGBIN/initdb" ] && [ -x "$PGBIN/pg_ctl" ] || { echo "PostgreSQL server binaries not installed"; exit 77; }
[ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1 && { echo "no postgres user to run the server as"; exit 77; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
chmod 711 "$W"
mkdir -p "$W/pg" "$W/pgsock"
[ "$(id -u)" = 0 ] && chown postgres "$W/pg" "$W/pgsock"
as_pg "$PGBIN/initdb" -D "$W/pg" -A trust -U postgres >"$W/initdb.log" 2>&1 || fail "initdb"
pg_stop() { as_pg "$PGBIN/pg_ctl" -D "$W/pg" stop -m immediate >/dev/null 2>&1; }
trap 'pg_stop; cleanup' EXIT
as_pg "$PGBIN/pg_ctl" -D "$W/pg" -l "$W/pg/server.log" -w -t 30 \
	-o "-k $W/pgsock -c listen_addresses= -p 5432" start >/dev/null 2>&1 ||
	{ cat "$W/pg/server.log" 2>/dev/null | tail -5; fail "postgres did not start"; }
DB="host=$W/pgsock port=5432 dbname=postgres user=postgres"

start_provd S database="$DB"
grep -q "migrated to schema version 2" "$W/S.log" || fail "no migrations on PostgreSQL"
[ -f "$W/S/provd.db" ] && fail "SQLite used instead of PostgreSQL"
ok "provd on PostgreSQL, schema migrated"

ctl S POST /v1/admin/profiles '{"name":"room","template":"sip.server = ${sip.server}\nuser = ${serial}\n"}' >/dev/null ||
	fail "profile"
ctl S POST /v1/admin/overrides '{"scope":"global","key":"sip.server","value":"pg1.example.org"}' >/dev/null || fail "var"
TOK=$(ctl S POST /v1/admin/tokens '{"serial":"pg-1","profile":"room"}' | sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p')
[ -n "$TOK" ] || fail "token"
start_agent pg-1 S --token "$TOK"
wait_for 20 grep -q "pg1.example.org" "$W/pg-1/terminal.conf" || fail "enrollment/config on PostgreSQL"
start_agent pg-2 S --token "$TOK"
wait_for 15 status_has pg-2 error "HTTP 403" || fail "token reused on PostgreSQL"
ok "token enrollment (single use) and rendered config"

ctl S POST /v1/admin/overrides '{"scope":"device:pg-1","key":"sip.server","value":"pg2.example.org"}' >/dev/null ||
	fail "override"
wait_for 10 grep -q "pg2.example.org" "$W/pg-1/terminal.conf" || fail "change not applied"
head -c 1000 /dev/urandom > "$W/fw.img"
ctl S POST /v1/admin/firmware "{\"version\":\"9.9\",\"path\":\"$W/fw.img\",\"signature\":\"AAAA\"}" >/dev/null ||
	fail "firmware"
out=$(ctl S POST /v1/admin/firmware "{\"version\":\"9.9\",\"path\":\"$W/fw.img\",\"signature\":\"AAAA\"}" 2>&1) &&
	fail "duplicate release accepted"
echo "$out" | grep -q "firmware version exists" || fail "duplicate not reported as a conflict: $out"
ok "change reaches the device; unique constraint -> 409"

kill -9 "$PROVD_PID_S"; wait "$PROVD_PID_S" 2>/dev/null
PORT_FIXED=$(cat "$W/S/provd.port") start_provd S database="$DB"
ctl S GET /v1/admin/devices | grep -q '"serial":"pg-1".*"state":"enrolled"' || fail "device lost"
ctl S GET /v1/admin/overrides | grep -q "pg2.example.org" || fail "override lost"
ctl S GET /v1/admin/firmware | grep -q '"version":"9.9"' || fail "release lost"
n=$(status pg-1 polls)
wait_for 15 status_ge pg-1 polls $((n + 2)) || fail "device not served after restart"
ctl S POST /v1/admin/devices/pg-1/revoke >/dev/null || fail "revoke"
wait_for 15 status_is pg-1 state revoked || fail "revocation on PostgreSQL"
ok "restart keeps everything; revocation works"
exit 0
