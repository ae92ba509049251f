#!/bin/sh
# prov bench: BENCH_DEVICES (default 10000, as the issue asks; set fewer for a
# quick look) simulated devices enroll (ECDSA key, CSR, full TLS handshake),
# fetch their configuration over mutual TLS, then poll with ETag (304, TLS
# session resumed): provd p50/p99 per phase, CPU of provd, handshakes/s with
# and without resumption; SQLite, then PostgreSQL (private cluster) in the
# same run. Printed, never asserted. Loopback only.
N=${BENCH_DEVICES:-10000}
C=${BENCH_CONC:-64}
BIN=${RAKWON_BIN:-build/bin}
W=$(mktemp -d /tmp/rakwon-provbench-XXXXXX)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; [ -n "${PGUP:-}" ] && as_pg "$PGBIN/pg_ctl" -D "$W/pg" stop -m immediate > /dev/null 2>&1; rm -rf "$W"; }
trap cleanup EXIT
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
run() { # NAME [provd options]
	name=$1; shift
	mkdir -p "$W/$name"
	"$BIN/rakwon-provd" state_dir="$W/$name" port=0 server_name=127.0.0.1 poll_interval=300 "$@" \
		> "$W/$name.log" 2>&1 &
	PID=$!
	i=0; while [ ! -s "$W/$name/provd.port" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
	[ -s "$W/$name/provd.port" ] || { echo "$name: provd did not start:"; tail -3 "$W/$name.log"; return; }
	c0=$(awk '{print $14 + $15}' /proc/$PID/stat); t0=$(date +%s.%N)
	echo "--- provd on $name: $N devices, $C at a time"
	"$BIN/rakwon-provload" --url "https://127.0.0.1:$(cat "$W/$name/provd.port")" --ca "$W/$name/ca.pem" \
		--token-file "$W/$name/admin.token" --devices "$N" --concurrency "$C" --polls "${BENCH_POLLS:-3}" --prefix "$name-"
	c1=$(awk '{print $14 + $15}' /proc/$PID/stat); t1=$(date +%s.%N)
	echo "$name: provd CPU $(echo "($c1 - $c0) / 100" | bc -l | cut -c1-6) s over $(echo "$t1 - $t0" | bc -l | cut -c1-6) s wall"
	kill $PID; wait $PID 2>/dev/null; PID=""
}
run sqlite
PGBIN=$(pg_config --bindir 2>/dev/null)
if [ -n "$PGBIN" ] && [ -x "$PGBIN/initdb" ] && { [ "$(id -u)" != 0 ] || id postgres > /dev/null 2>&1; }; then
	chmod 711 "$W"; mkdir -p "$W/pg" "$W/pgsock"
	[ "$(id -u)" = 0 ] && chown postgres "$W/pg" "$W/pgsock"
	as_pg "$PGBIN/initdb" -D "$W/pg" -A trust -U postgres > "$W/initdb.log" 2>&1 &&
	as_pg "$PGBIN/pg_ctl" -D "$W/pg" -l "$W/pg/server.log" -w -t 30 \
		-o "-k $W/pgsock -c listen_addresses= -p 5432" start > /dev/null 2>&1 && PGUP=1 &&
	run postgresql database="host=$W/pgsock port=5432 dbname=postgres user=postgres"
else
	echo "PostgreSQL server binaries missing: SQLite only"
fi
