#!/bin/sh
# api.sh BUILD: the control API of a real rakwon-terminal under 200 clients:
# 200 WebSocket clients over HTTPS (TLS, the terminal's certificate) log in and
# subscribe; each sends `status` ROUNDS times in turn (all clients at once),
# and the JSON-RPC round trip is timed at the client (p50/p99); then one
# client changes the volume and the time until every client has the event is
# measured (event fan-out). Prints figures; asserts nothing. The clients are
# Python threads on the same 2 cores, so the figures include their own cost.
B=${1:-build}
export RAKWON_BIN="$(cd "$B/bin" && pwd)"
. tests/lib/common.sh
. tests/lib/terminal.sh
PW="bench-$$-secret"
printf 'operator:user:%s\n' "$("$BIN/rakwon-paneldemo" --hash "$PW" 2000)" > "$W/creds"
term_start a 18960 43400 -s media.encryption=off -s ctrl.https_port=18900 -s "ctrl.credentials=$W/creds"
grep -q "web panel\|https" "$W/a.log" || note "(no https line in the log)"
T0=$(awk '{print $14 + $15}' /proc/$(pgrep -n -f "sip.aor=sip:a@127.0.0.1:18960")/stat)
/usr/bin/python3 - "$W" 18900 operator "$PW" "${API_CLIENTS:-200}" "${API_ROUNDS:-20}" <<'PY'
import base64, ssl, sys, threading, time
sys.path.insert(0, "tests/integration/lib")
work, port, user, pw, n, rounds = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
sys.argv = [sys.argv[0], work]
import ws_test
ctx = ssl._create_unverified_context()   # loopback bench: the terminal's test certificate
hdr = {"Authorization": "Basic " + base64.b64encode(("%s:%s" % (user, pw)).encode()).decode()}
clients = []
t = time.monotonic()
for i in range(n):
    w = ws_test.WS(port, hdr, tls=ctx)
    if w.status != 101 or "error" in (w.call("subscribe") or {"error": 1}):
        print("client %d: login/subscribe failed (status %d)" % (i, w.status)); sys.exit(1)
    clients.append(w)
print("  %d clients logged in over wss and subscribed in %.2f s" % (n, time.monotonic() - t))
lat = []; lock = threading.Lock(); errs = [0]
start = threading.Barrier(n + 1)
def worker(w):
    mine = []
    start.wait()
    for _ in range(rounds):
        t0 = time.monotonic()
        r = w.call("status")
        mine.append((time.monotonic() - t0) * 1000)
        if not r or "error" in r:
            errs[0] += 1
    with lock:
        lat.extend(mine)
th = [threading.Thread(target=worker, args=(w,)) for w in clients]
for x in th: x.start()
start.wait(); t = time.monotonic()
for x in th: x.join()
dt = time.monotonic() - t
lat.sort()
pc = lambda p: lat[min(len(lat) - 1, int(len(lat) * p))]
print("  FIGURE status round trip, %d clients x %d: p50 %.1f ms, p99 %.1f ms, %d requests/s, %d errors"
      % (n, rounds, pc(0.50), pc(0.99), len(lat) / dt, errs[0]))
# event fan-out: one command, every subscriber gets the event
got = [None] * n
def waiter(i, w):
    while True:
        e = w.recv_json(20)
        if e is None or "_close" in e:
            return
        if e.get("method") == "event" and e["params"].get("event") == "volume":
            got[i] = time.monotonic(); return
th = [threading.Thread(target=waiter, args=(i, w)) for i, w in enumerate(clients[1:], 1)]
for x in th: x.start()
t = time.monotonic()
clients[0].call("volume", {"level": 42})
got[0] = time.monotonic()
for x in th: x.join(25)
d = sorted((g - t) * 1000 for g in got if g)
print("  FIGURE volume event reached %d/%d subscribers: p50 %.1f ms, last %.1f ms" % (len(d), n, d[len(d) // 2], d[-1]))
for w in clients: w.close()
PY
T1=$(awk '{print $14 + $15}' /proc/$(pgrep -n -f "sip.aor=sip:a@127.0.0.1:18960")/stat)
note "FIGURE terminal CPU for the whole run: $(( (T1 - T0) * 10 )) ms"
