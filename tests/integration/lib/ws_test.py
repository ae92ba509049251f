#!/usr/bin/env python3
# ws_test.py: tests of the WebSocket control API (app/ctrl/tp_ws.c) against rakwon-paneldemo; stdlib only.
import base64
import hashlib
import json
import os
import selectors
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request

BIN = os.environ.get("RAKWON_BIN", "build/bin")
WORK = sys.argv[1]
N_CLIENTS = int(os.environ.get("WS_CLIENTS", "200"))
PW = {"admin": "Adm1n-Secret!", "integ": "integrator-pass", "user1": "room-user-pw"}


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def ok(msg):
    print("ok   " + msg)


def pbkdf2(pw, it=1000):
    salt = os.urandom(16)
    dk = hashlib.pbkdf2_hmac("sha256", pw.encode(), salt, it, 32)
    return "pbkdf2-sha256$%d$%s$%s" % (it, base64.b64encode(salt).decode(), base64.b64encode(dk).decode())


def sha256h(pw):
    salt = os.urandom(8)
    return "sha256$%s$%s" % (base64.b64encode(salt).decode(), hashlib.sha256(salt + pw.encode()).hexdigest())


class WS:
    def __init__(self, port, headers=None, path="/api/ws", tls=None):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        if tls:
            self.s = tls.wrap_socket(self.s, server_hostname="127.0.0.1")
        self.key = base64.b64encode(os.urandom(16)).decode()
        req = ("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n" % (path, port, self.key))
        for k, v in (headers or {}).items():
            req += "%s: %s\r\n" % (k, v)
        self.s.sendall((req + "\r\n").encode())
        self.events = []
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            d = self.s.recv(4096)
            if not d:
                break
            self.buf += d
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        lines = head.decode("latin1").split("\r\n")
        self.status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 else 0
        self.headers = {l.split(":", 1)[0].lower(): l.split(":", 1)[1].strip() for l in lines[1:] if ":" in l}
        self.id = 0

    def accept_ok(self):
        want = base64.b64encode(hashlib.sha1((self.key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
        return self.headers.get("sec-websocket-accept") == want

    def send_frame(self, op, data, fin=True, mask=True):
        if isinstance(data, str):
            data = data.encode()
        b0 = (0x80 if fin else 0) | op
        n = len(data)
        mbit = 0x80 if mask else 0
        if n < 126:
            h = struct.pack("!BB", b0, mbit | n)
        elif n < 65536:
            h = struct.pack("!BBH", b0, mbit | 126, n)
        else:
            h = struct.pack("!BBQ", b0, mbit | 127, n)
        if mask:
            m = os.urandom(4)
            data = bytes(c ^ m[i & 3] for i, c in enumerate(data))
            h += m
        self.s.sendall(h + data)

    def read_frame(self, timeout=10):
        self.s.settimeout(timeout)
        while True:
            if len(self.buf) >= 2:
                b0, b1 = self.buf[0], self.buf[1]
                n, h = b1 & 0x7f, 2
                if n == 126 and len(self.buf) >= 4:
                    n, h = struct.unpack("!H", self.buf[2:4])[0], 4
                elif n == 127 and len(self.buf) >= 10:
                    n, h = struct.unpack("!Q", self.buf[2:10])[0], 10
                if (b1 & 0x7f) < 126 or h > 2:
                    if b1 & 0x80:
                        fail("server frame is masked")
                    if len(self.buf) >= h + n:
                        payload, self.buf = self.buf[h:h + n], self.buf[h + n:]
                        return b0 & 0x0f, payload
            d = self.s.recv(65536)
            if not d:
                return None, b""
            self.buf += d

    def recv_json(self, timeout=10):
        while True:
            op, p = self.read_frame(timeout)
            if op is None:
                return None
            if op == 1:
                return json.loads(p)
            if op == 8:
                return {"_close": struct.unpack("!H", p[:2])[0] if len(p) >= 2 else 1005}

    def call(self, method, params=None):
        self.id += 1
        msg = {"jsonrpc": "2.0", "id": self.id, "method": method}
        if params is not None:
            msg["params"] = params
        self.send_frame(1, json.dumps(msg))
        while True:
            r = self.recv_json()
            if r is None or "_close" in r or r.get("id") == self.id:
                return r
            if r.get("method") == "event":
                self.events.append(r)

    def close(self):
        self.s.close()


def http(port, method, path, body=None, headers=None):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), data=body, method=method,
                                 headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def basic(user):
    return {"Authorization": "Basic " + base64.b64encode(("%s:%s" % (user, PW[user])).encode()).decode()}


def main():
    creds = os.path.join(WORK, "creds")
    with open(creds, "w") as f:
        f.write("# test credentials\nadmin:admin:%s\ninteg:integrator:%s\nuser1:user:%s\n" %
                (pbkdf2(PW["admin"]), pbkdf2(PW["integ"]), sha256h(PW["user1"])))
    static = os.environ.get("PANEL_DIR", "rootfs/usr/share/rakwon-terminal/panel")
    log = open(os.path.join(WORK, "server.log"), "w")
    srv = subprocess.Popen([os.path.join(BIN, "rakwon-paneldemo"), "--creds", creds, "--port", "0",
                            "--static", static, "--log", "debug"], stdout=subprocess.PIPE, stderr=log,
                           text=True)
    try:
        line = srv.stdout.readline()
        if not line.startswith("port "):
            fail("server did not start: %r" % line)
        port = int(line.split()[1])
        token = run(port)
    finally:
        srv.terminate()
        try:
            rc = srv.wait(20)
        except subprocess.TimeoutExpired:
            srv.kill()
            rc = "hung"
        log.close()
    if rc != 0:
        print(open(os.path.join(WORK, "server.log")).read()[-3000:])
        fail("server exit status %s (sanitizer report above?)" % rc)
    tls_test(creds, static)
    text = open(os.path.join(WORK, "server.log")).read()
    for pw in PW.values():
        if pw in text:
            fail("a password appears in the server log")
    if token in text:
        fail("a session token appears in the server log")
    if "wrongpass" in text:
        fail("a wrong password appears in the server log")
    ok("no secrets in the server log (%d bytes of log)" % len(text))


def tls_test(creds, static):
    exe = os.path.join(BIN, "rakwon-paneldemo")
    # plain HTTP is for loopback tests only
    r = subprocess.run([exe, "--creds", creds, "--port", "0", "--addr", "0.0.0.0"],
                       capture_output=True, text=True, timeout=20)
    if r.returncode == 0 or "port " in r.stdout:
        fail("plain HTTP accepted on a non-loopback address")
    ok("plain HTTP refused on a non-loopback address")
    if not shutil.which("openssl"):
        print("skip TLS part: openssl missing")
        return
    cert, key = os.path.join(WORK, "cert.pem"), os.path.join(WORK, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    log = open(os.path.join(WORK, "server-tls.log"), "w")
    srv = subprocess.Popen([exe, "--creds", creds, "--port", "0", "--static", static, "--cert", cert,
                            "--key", key], stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        line = srv.stdout.readline()
        if not line.startswith("port "):
            fail("TLS server did not start: %r" % line)
        port = int(line.split()[1])
        ctx = ssl.create_default_context(cafile=cert)
        w = WS(port, basic("user1"), tls=ctx)
        if w.status != 101 or not w.accept_ok():
            fail("wss handshake: %d" % w.status)
        if "error" in (w.call("subscribe") or {"error": 1}):
            fail("wss subscribe")
        r = w.call("dial", {"uri": "sip:a@b"})
        if not r or "error" in r:
            fail("wss dial: %r" % r)
        t0 = time.time()
        while not any(e["params"]["data"].get("state") == "connected" for e in w.events) and time.time() - t0 < 10:
            e = w.recv_json()
            if e and e.get("method") == "event":
                w.events.append(e)
        if not any(e["params"]["data"].get("state") == "connected" for e in w.events):
            fail("wss events")
        w.close()
        try:
            ssl.create_default_context().wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=5),
                                                     server_hostname="127.0.0.1").close()
            fail("TLS with an unknown CA verified")
        except ssl.SSLError:
            pass
        ok("wss:// (lib/tls): Basic login, commands and events over TLS")
    finally:
        srv.terminate()
        rc = srv.wait(20)
        log.close()
    if rc != 0:
        print(open(os.path.join(WORK, "server-tls.log")).read()[-3000:])
        fail("TLS server exit status %s" % rc)


def run(port):
    # handshake and unauthenticated access
    w = WS(port)
    if w.status != 101 or not w.accept_ok():
        fail("handshake: status %d, accept %s" % (w.status, w.headers.get("sec-websocket-accept")))
    r = w.call("status")
    if not r or r.get("error", {}).get("code") != -32003:
        fail("status without login: %r" % r)
    ok("handshake (Sec-WebSocket-Accept) and no commands before login")

    # user login over JSON-RPC; user cannot config_set
    r = w.call("login", {"user": "user1", "password": PW["user1"]})
    if not r or r.get("result", {}).get("role") != "user" or len(r["result"].get("token", "")) != 64:
        fail("user login: %r" % r)
    token = r["result"]["token"]
    r = w.call("status")
    if not r or r.get("result", {}).get("state") != "idle":
        fail("status as user: %r" % r)
    r = w.call("config_set", {"key": "ui.language", "value": "ko"})
    if not r or r.get("error", {}).get("code") != -32001:
        fail("user config_set not forbidden: %r" % r)
    r = w.call("config_get", {"key": "ui.language"})
    if not r or r.get("error", {}).get("code") != -32001:
        fail("user config_get not forbidden: %r" % r)
    ok("user role: status works, config_get/config_set forbidden")

    # malformed JSON: an error, and the connection survives
    w.send_frame(1, '{"jsonrpc":"2.0","id":7,"method":')
    r = w.recv_json()
    if not r or r.get("error", {}).get("code") != -32700:
        fail("malformed JSON: %r" % r)
    w.send_frame(1, '{"jsonrpc":"2.0","id":8,"method":"nope"}')
    r = w.recv_json()
    if not r or r.get("error", {}).get("code") != -32601:
        fail("unknown method: %r" % r)
    if (w.call("status") or {}).get("result", {}).get("state") != "idle":
        fail("connection did not survive bad input")
    ok("malformed JSON -> -32700, unknown method -> -32601, connection survives")

    # fragmentation, ping/pong
    msg = json.dumps({"jsonrpc": "2.0", "id": 99, "method": "status"})
    w.send_frame(1, msg[:10], fin=False)
    w.send_frame(9, b"hello")              # control frame between fragments
    w.send_frame(0, msg[10:20], fin=False)
    w.send_frame(0, msg[20:], fin=True)
    op, p = w.read_frame()
    if op != 10 or p != b"hello":
        fail("pong: %r %r" % (op, p))
    r = w.recv_json()
    if not r or r.get("id") != 99 or "result" not in r:
        fail("fragmented message: %r" % r)
    ok("fragmented message reassembled; ping answered with pong between fragments")

    # token reuse on a new connection (query) and Bearer on /api/rpc
    w2 = WS(port, path="/api/ws?token=" + token)
    if w2.status != 101 or (w2.call("status") or {}).get("result", {}).get("state") != "idle":
        fail("token on upgrade")
    w2.close()
    st, body = http(port, "POST", "/api/rpc", json.dumps({"jsonrpc": "2.0", "id": 1, "method": "status"}).encode(),
                    {"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    if st != 200 or json.loads(body).get("result", {}).get("state") != "idle":
        fail("rpc with bearer: %d %r" % (st, body))
    st, _ = http(port, "POST", "/api/rpc", b'{"jsonrpc":"2.0","id":1,"method":"status"}')
    if st != 401:
        fail("rpc without auth: %d" % st)
    ok("session token works on a new WebSocket and on POST /api/rpc; no auth -> 401")

    # protocol errors close with the right code
    for desc, frame, code in (("unmasked frame", (1, "{}", True, False), 1002),
                              ("binary frame", (2, b"\x00\x01", True, True), 1003),
                              ("oversized frame", (1, "x" * 70000, True, True), 1009),
                              ("invalid UTF-8", (1, b"\xff\xfe", True, True), 1007)):
        c = WS(port, basic("user1"))
        c.send_frame(frame[0], frame[1], fin=frame[2], mask=frame[3])
        r = c.recv_json()
        if not r or r.get("_close") != code:
            fail("%s: expected close %d, got %r" % (desc, code, r))
        c.close()
    ok("unmasked -> 1002, binary -> 1003, oversized -> 1009, bad UTF-8 -> 1007")

    # admin via HTTP Basic on the upgrade; integrator can config_get only
    a = WS(port, basic("admin"))
    if a.status != 101:
        fail("admin upgrade: %d" % a.status)
    if "error" in (a.call("config_set", {"key": "ui.language", "value": "ko"}) or {"error": 1}):
        fail("admin config_set")
    i = WS(port, basic("integ"))
    if (i.call("config_get", {"key": "ui.language"}) or {}).get("result") != "ko":
        fail("integrator config_get")
    if (i.call("config_set", {"key": "ui.language", "value": "en"}) or {}).get("error", {}).get("code") != -32001:
        fail("integrator config_set not forbidden")
    i.close()
    ok("admin may config_set; integrator may config_get but not config_set")

    # events: a dial produces call_state events for a subscriber
    if "error" in (w.call("subscribe") or {"error": 1}):
        fail("subscribe")
    r = w.call("dial", {"uri": "sip:lab@busan.example.kr"})
    if not r or "error" in r:
        fail("dial: %r" % r)
    states = [e["params"]["data"]["state"] for e in w.events if e["params"]["event"] == "call_state"]
    t0 = time.time()
    while "connected" not in states and time.time() - t0 < 10:
        e = w.recv_json()
        if e and e.get("method") == "event" and e["params"]["event"] == "call_state":
            states.append(e["params"]["data"]["state"])
    if states[:3] != ["dialing", "ringing_out", "connected"]:
        fail("call states: %r" % states)
    w.call("hangup")
    ok("dial -> call_state events dialing, ringing_out, connected")

    # N concurrent clients all receive the same events
    sel = selectors.DefaultSelector()
    clients = []
    for n in range(N_CLIENTS):
        c = WS(port, path="/api/ws?token=" + token)
        if c.status != 101:
            fail("client %d: upgrade %d" % (n, c.status))
        c.send_frame(1, '{"jsonrpc":"2.0","id":1,"method":"subscribe"}')
        clients.append(c)
    for c in clients:
        r = c.recv_json()
        if not r or r.get("id") != 1 or "result" not in r:
            fail("subscribe reply: %r" % r)
        c.s.setblocking(False)
        c.got = []
        sel.register(c.s, selectors.EVENT_READ, c)
    events = 5
    for seq in range(events):
        r = a.call("emit", {"name": "test_event", "seq": seq})
        if not r or "error" in r:
            fail("emit: %r" % r)
    deadline = time.time() + 30
    done = 0
    while done < len(clients) and time.time() < deadline:
        for key, _ in sel.select(timeout=1):
            c = key.data
            try:
                d = c.s.recv(65536)
            except BlockingIOError:
                continue
            if not d:
                fail("client closed")
            c.buf += d
            while True:
                if len(c.buf) < 2:
                    break
                n = c.buf[1] & 0x7f
                h = 2 if n < 126 else 4
                if n == 126:
                    if len(c.buf) < 4:
                        break
                    n = struct.unpack("!H", c.buf[2:4])[0]
                if len(c.buf) < h + n:
                    break
                p, c.buf = c.buf[h:h + n], c.buf[h + n:]
                if (c.buf is not None) and (p[:1] == b"{"):
                    m = json.loads(p)
                    if m.get("params", {}).get("event") == "test_event":
                        c.got.append(m["params"]["data"]["seq"])
                        if len(c.got) == events:
                            done += 1
    missing = [i for i, c in enumerate(clients) if c.got != list(range(events))]
    if missing:
        fail("%d of %d clients did not get all %d events in order (first: %r)" %
             (len(missing), len(clients), events, clients[missing[0]].got))
    for c in clients:
        c.close()
    ok("%d concurrent WebSocket clients each received the same %d events in order" % (N_CLIENTS, events))

    # static panel
    st, body = http(port, "GET", "/")
    if os.path.isdir(os.environ.get("PANEL_DIR", "rootfs/usr/share/rakwon-terminal/panel")):
        if st != 200 or b"<html" not in body.lower():
            fail("panel index: %d" % st)
        ok("web panel served at /")
    st, _ = http(port, "GET", "/%2e%2e/etc/passwd")
    if st not in (400, 404):
        fail("path traversal: %d" % st)

    # logout ends the session: its token is refused afterwards (one failed login)
    lo = WS(port)
    t2 = (lo.call("login", {"user": "user1", "password": PW["user1"]}) or {}).get("result", {}).get("token")
    lo.call("logout")
    if (lo.call("status") or {}).get("error", {}).get("code") != -32003:
        fail("commands after logout")
    lo.close()
    if WS(port, path="/api/ws?token=%s" % t2).status != 401:
        fail("token still valid after logout")
    ok("logout: connection unauthenticated, token refused afterwards")

    # wrong credentials, then the rate limit (last: it locks 127.0.0.1 out)
    b = WS(port)
    r = b.call("login", {"user": "user1", "password": "wrongpass"})
    if not r or r.get("error", {}).get("code") != -32003:
        fail("wrong password accepted: %r" % r)
    r = b.call("login", {"user": "nobody", "password": "wrongpass"})
    if not r or r.get("error", {}).get("code") != -32003:
        fail("unknown user accepted: %r" % r)
    if (b.call("status") or {}).get("error", {}).get("code") != -32003:
        fail("failed login still gives access")
    bad = WS(port, {"Authorization": "Basic " + base64.b64encode(b"admin:wrongpass").decode()})
    if bad.status != 401:
        fail("wrong Basic credentials: %d" % bad.status)
    st, _ = http(port, "POST", "/api/login", json.dumps({"user": "admin", "password": "wrongpass"}).encode())
    if st != 401:
        fail("POST /api/login wrong: %d" % st)
    ok("wrong credentials rejected (JSON-RPC login, HTTP Basic, POST /api/login)")
    # 5 failures so far from 127.0.0.1 (with the stale token): the limit of 5 is reached
    b.call("login", {"user": "admin", "password": "wrongpass"})
    r = b.call("login", {"user": "admin", "password": PW["admin"]})
    if not r or r.get("error", {}).get("code") != -32002:
        fail("rate limit not applied: %r" % r)
    st, _ = http(port, "POST", "/api/login", json.dumps({"user": "admin", "password": PW["admin"]}).encode())
    if st != 429:
        fail("rate limit on POST /api/login: %d" % st)
    ok("after 5 failed logins per minute: -32002 / HTTP 429, even with the right password")
    # an already logged-in connection keeps working
    if (a.call("status") or {}).get("result", {}).get("state") != "idle":
        fail("admin session broken by rate limit")
    a.close()
    b.close()
    return token


if __name__ == "__main__":
    main()
