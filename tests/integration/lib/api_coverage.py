#!/usr/bin/python3
# api_coverage.py: drives two running terminals (A, B) through every command of
# the control API over the Unix socket (and the user role over HTTPS), checks
# the events and the status tree, and fails when the registry ("help") has a
# command this script did not call or the terminal sources emit an event it
# did not see. Used by tests/integration/api_coverage.sh.
import base64, glob, json, os, re, signal, socket, ssl, sys, threading, time, urllib.request

W, SOCK_A, SOCK_B, HTTPS_PORT, USER, PW, URI_B, PID_B = sys.argv[1:9]
CALLED = set()
# events emitted by app/terminal that this scenario cannot produce, and the test that does
ELSEWHERE = {
    "registration": "prov_terminals.sh (needs a registrar)",
    "config_applied": "prov_terminals.sh (needs a provisioning server)",
    "provisioning": "prov_terminals.sh (needs a provisioning server)",
}


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def ok(msg):
    print("  ok   " + msg)


class Conn:
    """newline-delimited JSON-RPC on the terminal's Unix socket (admin role)"""

    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(path)
        self.s.settimeout(10)
        self.buf = b""
        self.id = 0

    def send_raw(self, data):
        self.s.sendall(data)

    def line(self, timeout=10):
        self.s.settimeout(timeout)
        while b"\n" not in self.buf:
            d = self.s.recv(65536)
            if not d:
                return None
            self.buf += d
        l, self.buf = self.buf.split(b"\n", 1)
        return json.loads(l)

    def rpc(self, method, **params):
        CALLED.add(method)
        self.id += 1
        self.send_raw((json.dumps({"jsonrpc": "2.0", "id": self.id, "method": method,
                                   "params": params}) + "\n").encode())
        while True:
            r = self.line()
            if r is None:
                fail("%s: connection closed" % method)
            if r.get("id") == self.id:
                return r

    def ok(self, method, **params):
        r = self.rpc(method, **params)
        if "result" not in r:
            fail("%s %r: %r" % (method, params, r))
        return r["result"]

    def err(self, method, code, text=None, **params):
        r = self.rpc(method, **params)
        e = r.get("error")
        if not e or e.get("code") != code or (text and text not in e.get("message", "")):
            fail("%s %r: expected error %d (%s), got %r" % (method, params, code, text, r))
        return e["message"]


class Events(threading.Thread):
    """a subscribed connection collecting every event"""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.c = Conn(path)
        if self.c.rpc("subscribe").get("result") is not True:
            fail("subscribe refused")
        self.events = []
        self.lock = threading.Lock()
        self.start()

    def run(self):
        while True:
            try:
                m = self.c.line(timeout=120)
            except (OSError, ValueError):
                return
            if m is None:
                return
            if m.get("method") == "event":
                with self.lock:
                    self.events.append(m["params"])

    def wait(self, name, pred=lambda d: True, secs=15):
        end = time.monotonic() + secs
        while time.monotonic() < end:
            with self.lock:
                for e in self.events:
                    if e.get("event") == name and pred(e.get("data") or {}):
                        return e.get("data") or {}
            time.sleep(0.05)
        with self.lock:
            fail("event %s not seen; got %s" % (name, [e.get("event") for e in self.events]))

    def names(self):
        with self.lock:
            return {e.get("event") for e in self.events}


def wait_status(c, pred, what, secs=15):
    end = time.monotonic() + secs
    while time.monotonic() < end:
        s = c.ok("status")
        if pred(s):
            return s
        time.sleep(0.1)
    fail("never %s: %r" % (what, s))


def user_rpc(method, params=None):
    """one JSON-RPC call with the user role: POST /api/rpc, HTTP Basic, over HTTPS"""
    ctx = ssl.create_default_context(cafile=os.path.join(W, "pki", "ca.pem"))
    ctx.check_hostname = False
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or {}}).encode()
    req = urllib.request.Request("https://127.0.0.1:%s/api/rpc" % HTTPS_PORT, data=body, method="POST",
                                 headers={"Content-Type": "application/json", "Authorization": "Basic " +
                                          base64.b64encode(("%s:%s" % (USER, PW)).encode()).decode()})
    with urllib.request.urlopen(req, timeout=10, context=ctx) as r:
        return json.loads(r.read())


def main():
    a, b = Conn(SOCK_A), Conn(SOCK_B)
    ea, eb = Events(SOCK_A), Events(SOCK_B)
    CALLED.add("subscribe")

    # --- the registry, discovered at run time
    schema = a.ok("help")
    registry = {k["name"] for k in schema}
    if len(registry) < 10 or "dial" not in registry:
        fail("help lists too little: %r" % registry)
    ok("registry (help): %d commands" % len(registry))

    # --- status tree at rest
    s = a.ok("status")
    top = ["room", "aor", "version", "uptime_s", "registration", "microphone_muted", "camera_muted",
           "call", "state", "remote", "microphone", "camera", "volume", "layout", "standby", "ui"]
    missing = [k for k in top if k not in s]
    if missing:
        fail("status lacks %s: %r" % (missing, s))
    if s["state"] != "idle" or s["room"] != "Room a" or not s["aor"].startswith("sip:a@"):
        fail("status at rest: %r" % s)
    for k in ("enabled", "registered", "code"):
        if k not in s["registration"]:
            fail("status.registration lacks %s" % k)
    if not isinstance(s["ui"], dict) or "screen" not in s["ui"]:
        fail("status.ui: %r" % s["ui"])
    ok("status: every top-level path present (%s), registration and ui subtrees" % ", ".join(top))

    # --- configuration: get, set, validation, unknown key, secrets
    if a.ok("config_get", key="room.name")["value"] != "Room a":
        fail("config_get room.name")
    a.err("config_get", -32000, "unknown key", key="no.such.key")
    msg = a.err("config_set", -32000, None, key="call.history_size", value="not-a-number")
    a.err("config_set", -32000, None, key="ui.standby_s", value="999999999")
    a.ok("config_set", key="ui.standby_s", value="0")
    if a.ok("config_get", key="ui.standby_s")["value"] != "0":
        fail("config_set did not change ui.standby_s")
    a.err("config_set", -32602, None, key="ui.standby_s")  # value missing: schema
    ok("config_get/config_set: value changed; invalid value refused (%s); unknown key refused" % msg)

    # --- volume, layout, key, screenshot, directory, history, camera preset
    a.ok("volume", level=35)
    ea.wait("volume", lambda d: d.get("level") == 35)
    a.err("volume", -32602, None, level=101)
    a.ok("layout", layout="side_by_side")
    ea.wait("layout", lambda d: d.get("layout") == "side_by_side")
    a.err("layout", -32602, None, layout="upside_down")
    s = a.ok("status")
    if s["volume"] != 35 or s["layout"] != "side_by_side":
        fail("status after volume/layout: %r" % s)
    a.ok("key", action="right")
    a.err("key", -32000, None, action="no_such_action")
    shot = os.path.join(W, "a.png")
    a.ok("screenshot", path=shot)
    end = time.monotonic() + 10
    while not os.path.exists(shot) and time.monotonic() < end:
        time.sleep(0.1)
    if not os.path.exists(shot) or open(shot, "rb").read(8) != b"\x89PNG\r\n\x1a\n":
        fail("screenshot not written as PNG")
    d = a.ok("directory")
    if d != [{"name": "Room B", "uri": URI_B}]:
        fail("directory: %r" % d)
    if a.ok("history") != []:
        fail("history not empty at start")
    m = a.err("camera_preset", -32000, "no pan/tilt/zoom", preset=1, action="store")
    a.err("camera_preset", -32602, None, preset=17)
    ok("volume/layout (+events, limits), key, screenshot (PNG), directory, history; camera_preset: %s" % m)

    # --- standby / wake
    a.ok("standby")
    ea.wait("standby", lambda d: d.get("active") is True)
    wait_status(a, lambda s: s["standby"] and s["ui"]["screen"] == "standby", "standby")
    a.ok("wake")
    ea.wait("standby", lambda d: d.get("active") is False)
    wait_status(a, lambda s: not s["standby"] and s["ui"]["screen"] == "home", "awake")
    ok("standby/wake: events and screens")

    # --- call 1: A dials B, B rejects
    a.ok("dial", uri=URI_B)
    a.err("dial", -32602, None, uri="x")
    eb.wait("incoming_call")
    wait_status(b, lambda s: s["state"] == "ringing_in", "B ringing")
    b.ok("reject")
    ea.wait("call_ended")
    wait_status(a, lambda s: s["state"] == "idle", "A idle after reject")
    wait_status(b, lambda s: s["state"] == "idle", "B idle after reject")
    b.err("answer", -32000)  # nothing to answer
    ok("dial, incoming_call at B, reject: call_ended at A; answer without a call refused")

    # --- call 2: answered; media, mute, DTMF, hold/resume, hangup
    a.ok("dial", uri=URI_B)
    wait_status(b, lambda s: s["state"] == "ringing_in", "B ringing again")
    b.ok("answer")
    ea.wait("call_state", lambda d: d.get("state") == "connected")
    eb.wait("call_state", lambda d: d.get("state") == "connected")
    ea.wait("first_video", secs=20)
    ea.wait("first_audio", secs=20)
    s = wait_status(a, lambda s: s["call"] and s["call"].get("media", {}).get("video", {})
                    .get("frames_decoded", 0) > 5, "A decoding video", secs=20)
    for k in ("state", "remote", "encrypted", "media"):
        if k not in s["call"]:
            fail("status.call lacks %s: %r" % (k, s["call"]))
    for k in ("audio", "video"):
        if k not in s["call"]["media"]:
            fail("status.call.media lacks %s" % k)
    a.ok("mute", microphone=True, camera=True)
    ea.wait("mute", lambda d: d.get("microphone") is True and d.get("camera") is True)
    s = a.ok("status")
    if not (s["microphone_muted"] and s["camera_muted"]):
        fail("status after mute: %r" % s)
    a.ok("mute", microphone=False, camera=False)
    ea.wait("mute", lambda d: d.get("microphone") is False and d.get("camera") is False)
    a.ok("dtmf", digits="7#")
    eb.wait("dtmf_received", lambda d: d.get("digit") == "7")
    eb.wait("dtmf_received", lambda d: d.get("digit") == "#")
    a.err("dtmf", -32602, None, digits="")
    a.ok("hold")
    wait_status(b, lambda s: s["state"] == "held", "B held")
    a.ok("resume")
    wait_status(b, lambda s: s["state"] == "connected", "B resumed")
    a.err("standby", -32000, "not during a call")
    # the far end freezes (SIGSTOP): after 10 s without media A says so
    os.kill(int(PID_B), signal.SIGSTOP)
    try:
        ea.wait("media_timeout", secs=25)
    finally:
        os.kill(int(PID_B), signal.SIGCONT)
    a.ok("hangup")
    eb.wait("call_ended")
    wait_status(a, lambda s: s["state"] == "idle", "A idle after hangup")
    h = a.ok("history")
    if len(h) != 2 or not h[0]["answered"] or h[1]["answered"]:
        fail("history after two calls: %r" % h)
    ok("answer: connected, first_video/first_audio, status.call.media; mute/unmute (event, status), "
       "dtmf received at B, hold/resume, media_timeout while B was stopped, hangup: call_ended; history has both calls")

    # --- malformed input on the socket: errors, and the connection survives
    a.send_raw(b"{this is not json\n")
    r = a.line()
    if not r or r.get("error", {}).get("code") != -32700:
        fail("malformed JSON: %r" % r)
    a.send_raw(b'{"jsonrpc":"1.0","id":5,"method":"status"}\n')
    r = a.line()
    if not r or r.get("error", {}).get("code") != -32600:
        fail("invalid request: %r" % r)
    a.err("no_such_command", -32601)
    a.err("volume", -32602, None, level="loud")
    if a.ok("status")["state"] != "idle":
        fail("connection did not survive malformed input")
    ok("malformed JSON -32700, bad envelope -32600, unknown method -32601, bad type -32602; "
       "the same connection still answers")

    # --- the user role (HTTPS, Basic): may read, may not change admin settings
    r = user_rpc("status")
    if r.get("result", {}).get("state") != "idle":
        fail("user status: %r" % r)
    r = user_rpc("config_set", {"key": "room.name", "value": "Hacked"})
    if r.get("error", {}).get("code") != -32001:
        fail("user config_set not refused: %r" % r)
    for m, p in (("shutdown", {}), ("reboot", {}), ("screenshot", {"path": "/tmp/x.png"})):
        r = user_rpc(m, p)
        if r.get("error", {}).get("code") != -32001:
            fail("user %s not refused: %r" % (m, r))
    if a.ok("config_get", key="room.name")["value"] != "Room a":
        fail("room.name changed by the user role")
    ok("user role: status allowed; config_set, shutdown, reboot, screenshot refused with -32001; nothing changed")
    m = a.err("config_set", -32000, None, key="sys.reboot_cmd", value="touch /tmp/rakwon-pwned")
    ok("sys.reboot_cmd cannot be changed through the API, not even as admin (%s)" % m)

    # --- shutdown last (admin): B stops
    b.ok("shutdown")
    end = time.monotonic() + 10
    while os.path.exists(SOCK_B) and time.monotonic() < end:
        time.sleep(0.1)
    try:
        Conn(SOCK_B)
        fail("B still answers after shutdown")
    except OSError:
        pass
    ok("shutdown (admin): B stopped")

    # --- reboot (admin): A stops cleanly, then runs sys.reboot_cmd (here: writes a file)
    marker = os.path.join(W, "rebooted")
    if os.path.exists(marker):
        fail("rebooted before the reboot command")
    a.ok("reboot")
    ea.wait("reboot", lambda d: d.get("reason") == "command")
    end = time.monotonic() + 15
    while not os.path.exists(marker) and time.monotonic() < end:
        time.sleep(0.1)
    if not os.path.exists(marker) or "rebooted-by-api" not in open(marker).read():
        fail("reboot: sys.reboot_cmd did not run")
    try:
        Conn(SOCK_A)
        fail("A still answers after reboot")
    except OSError:
        pass
    ok("reboot (admin): reboot event, A stopped and ran sys.reboot_cmd")


    # --- every registered command was called
    left = registry - CALLED
    if left:
        fail("registered command(s) not exercised by this test: %s" % ", ".join(sorted(left)))
    ok("every registered command exercised: %s" % ", ".join(sorted(registry)))

    # --- every event the terminal emits was seen (or is covered elsewhere)
    emitted = set()
    for f in glob.glob("app/terminal/*.c"):
        emitted |= set(re.findall(r'terminal_event\(\s*[^,]+,\s*"([a-z_]+)"', open(f).read()))
    if len(emitted) < 8:
        fail("could not find the terminal's events in app/terminal: %r" % emitted)
    seen = ea.names() | eb.names()
    unseen = emitted - seen - set(ELSEWHERE)
    if unseen:
        fail("event(s) emitted by the terminal but not seen: %s (seen %s)" % (sorted(unseen), sorted(seen)))
    ok("events seen: %s; covered elsewhere: %s" % (", ".join(sorted(seen & emitted)),
                                                 ", ".join(sorted(set(ELSEWHERE) & emitted))))


main()
