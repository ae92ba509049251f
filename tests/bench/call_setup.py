#!/usr/bin/python3
"""call_setup.py: call setup time, ours vs baresip, in one run (loopback).

ours:    rakwonctl-equivalent JSON-RPC on terminal A's socket: t0 = dial sent,
         t1 = A's "call_state connected" event, t2 = A's "first_video" event
         (first far-end frame decoded and rendered).
baresip: ctrl_tcp of baresip X: t0 = /dial sent, t1 = CALL_ESTABLISHED,
         t2 = CALL_RTPESTAB (first RTP received; baresip has no decoded-frame
         event, so this measures less than ours).
usage: call_setup.py A_SOCK URI_B BS_CTRL_PORT BS_URI N
"""
import json, socket, sys, time

def pct(v, p):
    v = sorted(v); return v[min(len(v) - 1, int(len(v) * p))] if v else float("nan")

def ours(sock, uri, n):
    s = socket.socket(socket.AF_UNIX); s.connect(sock); f = s.makefile("rw")
    def call(method, params=None, i=[0]):
        i[0] += 1
        f.write(json.dumps({"jsonrpc": "2.0", "method": method, "params": params or {}, "id": i[0]}) + "\n"); f.flush()
    call("subscribe")
    res = []
    for k in range(n):
        t0 = time.monotonic(); t1 = t2 = None
        call("dial", {"uri": uri})
        end = t0 + 10
        while time.monotonic() < end and t2 is None:
            m = json.loads(f.readline())
            if m.get("method") == "event":
                e = m["params"]["event"]; d = m["params"]["data"]
                if e == "call_state" and d.get("state") == "connected" and t1 is None:
                    t1 = time.monotonic()
                if e == "first_video":
                    t2 = time.monotonic()
        call("hangup")
        end = time.monotonic() + 5
        while time.monotonic() < end:
            m = json.loads(f.readline())
            if m.get("method") == "event" and m["params"]["event"] == "call_state" and m["params"]["data"]["state"] == "idle":
                break
        if t1 and t2:
            res.append(((t1 - t0) * 1e3, (t2 - t0) * 1e3))
        time.sleep(0.3)
    return res

def bs(port, uri, n):
    s = socket.create_connection(("127.0.0.1", port)); s.settimeout(0.2); buf = b""
    def send(cmd, params=""):
        m = json.dumps({"command": cmd, "params": params, "token": "x"}).encode()
        s.sendall(b"%d:%s," % (len(m), m))
    def events():
        nonlocal buf
        try:
            buf += s.recv(65536)
        except socket.timeout:
            pass
        out = []
        while b":" in buf:
            ln, rest = buf.split(b":", 1)
            ln = int(ln)
            if len(rest) < ln + 1:
                break
            out.append(json.loads(rest[:ln])); buf = rest[ln + 1:]
        return out
    res = []
    for k in range(n):
        t0 = time.monotonic(); t1 = t2 = None
        send("dial", uri)
        end = t0 + 10
        while time.monotonic() < end and t2 is None:
            for e in events():
                if e.get("type") == "CALL_ESTABLISHED" and t1 is None:
                    t1 = time.monotonic()
                if e.get("type") == "CALL_RTPESTAB" and t2 is None:
                    t2 = time.monotonic()
        send("hangup")
        end = time.monotonic() + 2
        while time.monotonic() < end:
            if any(e.get("type") == "CALL_CLOSED" for e in events()):
                break
        if t1 and t2:
            res.append(((t1 - t0) * 1e3, (t2 - t0) * 1e3))
        time.sleep(0.3)
    return res

a_sock, uri_b, bs_port, bs_uri, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
r1 = ours(a_sock, uri_b, n)
r2 = bs(bs_port, bs_uri, n) if bs_port else []
print("%-10s %6s | %14s %14s | %22s" % ("call setup", "calls", "answered p50", "p95", "first media p50 / p95"))
for name, r, what in (("rakwon", r1, "first decoded frame"), ("baresip", r2, "first RTP received")):
    if not r:
        print("%-10s no complete calls" % name); continue
    print("%-10s %6d | %11.1f ms %11.1f ms | %8.1f / %6.1f ms (%s)" % (name, len(r), pct([x[0] for x in r], .5),
          pct([x[0] for x in r], .95), pct([x[1] for x in r], .5), pct([x[1] for x in r], .95), what))
if r1 and r2:
    print("ratio rakwon/baresip: answered %.2fx, first media %.2fx (ours measures a decoded frame, baresip only first RTP)"
          % (pct([x[0] for x in r1], .5) / pct([x[0] for x in r2], .5), pct([x[1] for x in r1], .5) / pct([x[1] for x in r2], .5)))
