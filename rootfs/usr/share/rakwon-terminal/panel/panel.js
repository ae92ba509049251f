// panel.js: the web touch panel's logic: login, JSON-RPC over the terminal's WebSocket, live call state from events.
"use strict";

const $ = (id) => document.getElementById(id);
const STATE_TEXT = {
	idle: "Idle", dialing: "Dialing\u2026", ringing_out: "Ringing\u2026", ringing_in: "Incoming call",
	connected: "Connected", held: "On hold", ending: "Ending\u2026",
};

const st = {
	ws: null, nextId: 1, pending: new Map(), token: sessionStorage.getItem("rakwon.token"),
	state: "idle", remote: "", mic: false, cam: false, retry: 0, closedByUser: false,
};

function wsUrl() {
	return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/api/ws";
}

function call(method, params) {
	return new Promise((resolve, reject) => {
		if (!st.ws || st.ws.readyState !== WebSocket.OPEN) {
			reject(new Error("not connected"));
			return;
		}
		const id = st.nextId++;
		st.pending.set(id, { resolve, reject });
		const msg = { jsonrpc: "2.0", id, method };
		if (params !== undefined)
			msg.params = params;
		st.ws.send(JSON.stringify(msg));
	});
}

function toast(text) {
	const t = $("toast");
	t.textContent = text;
	t.classList.remove("hidden");
	clearTimeout(toast.timer);
	toast.timer = setTimeout(() => t.classList.add("hidden"), 4000);
}

async function run(method, params) {
	try {
		return await call(method, params);
	} catch (e) {
		toast(method + ": " + e.message);
		return null;
	}
}

function onMessage(ev) {
	let m;
	try {
		m = JSON.parse(ev.data);
	} catch (e) {
		return;
	}
	if (m.method === "event" && m.params) {
		onEvent(m.params.event, m.params.data || {});
		return;
	}
	const p = st.pending.get(m.id);
	if (!p)
		return;
	st.pending.delete(m.id);
	if (m.error)
		p.reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
	else
		p.resolve(m.result);
}

function onEvent(name, d) {
	switch (name) {
	case "call_state":
		st.state = d.state;
		if (d.remote !== undefined)
			st.remote = d.remote;
		render();
		break;
	case "incoming_call":
		st.remote = d.display || d.remote || "";
		render();
		break;
	case "call_ended":
		toast("Call ended" + (d.reason ? ": " + d.reason : ""));
		break;
	case "mute":
		if (d.microphone !== undefined)
			st.mic = d.microphone;
		if (d.camera !== undefined)
			st.cam = d.camera;
		render();
		break;
	case "volume":
		$("volume").value = d.level;
		$("vol-val").textContent = d.level;
		break;
	case "layout":
		document.querySelectorAll("#layouts button").forEach((b) =>
			b.classList.toggle("active", b.dataset.layout === d.layout));
		break;
	default:
		break;
	}
}

function render() {
	const s = st.state, inCall = s !== "idle";
	$("call-chip").dataset.state = s;
	$("call-state").textContent = STATE_TEXT[s] || s;
	$("remote").textContent = inCall ? (st.remote || "Unknown") : "No call";
	$("call-detail").textContent = inCall ? STATE_TEXT[s] || s : "Choose a contact or dial an address";
	$("answer").classList.toggle("hidden", s !== "ringing_in");
	$("reject").classList.toggle("hidden", s !== "ringing_in");
	$("hangup").classList.toggle("hidden", s === "ringing_in");
	$("hangup").disabled = !inCall;
	$("hold").disabled = s !== "connected" && s !== "held";
	$("hold").textContent = s === "held" ? "Resume" : "Hold";
	$("hold").setAttribute("aria-pressed", String(s === "held"));
	$("mute-mic").setAttribute("aria-pressed", String(st.mic));
	$("mute-mic").textContent = st.mic ? "Unmute microphone" : "Mute microphone";
	$("mute-cam").setAttribute("aria-pressed", String(st.cam));
	$("mute-cam").textContent = st.cam ? "Start camera" : "Stop camera";
	$("dial-btn").textContent = s === "connected" ? "Send tones" : "Call";
}

function initials(name) {
	const s = (name || "?").replace(/^sips?:/, "");
	return s.charAt(0).toUpperCase();
}

async function loadDirectory() {
	const list = $("directory");
	list.textContent = "";
	let dir = null;
	try {
		dir = await call("directory");
	} catch (e) {
		dir = null;
	}
	$("dir-empty").classList.toggle("hidden", !!(dir && dir.length));
	(dir || []).forEach((e) => {
		const li = document.createElement("li");
		const b = document.createElement("button");
		const av = document.createElement("span");
		const txt = document.createElement("span");
		const nm = document.createElement("div");
		const uri = document.createElement("div");
		av.className = "avatar";
		av.textContent = initials(e.name || e.uri);
		nm.className = "name";
		nm.textContent = e.name || e.uri;
		uri.className = "uri";
		uri.textContent = e.uri;
		txt.append(nm, uri);
		b.append(av, txt);
		b.dataset.uri = e.uri;
		b.addEventListener("click", () => dial(e.uri));
		li.append(b);
		list.append(li);
	});
}

async function dial(uri) {
	if (!uri)
		return;
	if (st.state === "connected") {
		await run("dtmf", { digits: uri.replace(/[^0-9*#A-D]/g, "") });
		return;
	}
	st.remote = uri;
	await run("dial", { uri });
}

async function afterLogin(res) {
	st.token = res.token;
	sessionStorage.setItem("rakwon.token", res.token);
	$("role").textContent = res.user ? res.user + " (" + res.role + ")" : res.role;
	$("login").classList.add("hidden");
	$("main").classList.remove("hidden");
	await run("subscribe");
	const s = await run("status");
	if (s) {
		st.state = s.state || "idle";
		st.remote = s.remote || "";
		st.mic = !!s.microphone;
		st.cam = !!s.camera;
		if (typeof s.volume === "number") {
			$("volume").value = s.volume;
			$("vol-val").textContent = s.volume;
		}
		if (s.room)
			$("room").textContent = s.room;
	}
	render();
	await loadDirectory();
}

function connect(creds) {
	return new Promise((resolve, reject) => {
		const ws = new WebSocket(wsUrl());
		st.ws = ws;
		ws.onmessage = onMessage;
		ws.onopen = async () => {
			$("conn").textContent = "online";
			$("conn").classList.add("online");
			st.retry = 0;
			try {
				const res = await call("login", creds);
				await afterLogin(res);
				resolve(res);
			} catch (e) {
				reject(e);
			}
		};
		ws.onclose = () => {
			$("conn").textContent = "offline";
			$("conn").classList.remove("online");
			st.pending.forEach((p) => p.reject(new Error("connection lost")));
			st.pending.clear();
			if (st.closedByUser || !st.token || $("main").classList.contains("hidden")) {
				reject(new Error("connection closed"));
				return;
			}
			// reconnect with the session token, backing off up to 10 s
			st.retry = Math.min(st.retry + 1, 10);
			setTimeout(() => connect({ token: st.token }).catch(() => {}), st.retry * 1000);
		};
	});
}

function showLogin(msg) {
	$("main").classList.add("hidden");
	$("login").classList.remove("hidden");
	$("login-error").textContent = msg || "";
}

function setup() {
	$("login-form").addEventListener("submit", async (ev) => {
		ev.preventDefault();
		$("login-error").textContent = "";
		st.closedByUser = false;
		if (st.ws)
			st.ws.close();
		try {
			await connect({ user: $("user").value, password: $("password").value });
			$("password").value = "";
		} catch (e) {
			$("login-error").textContent = e.code === -32002 ?
				"Too many failed attempts. Try again in a minute." :
				e.code === -32003 ? "Wrong user name or password." : "Cannot reach the room system.";
			st.closedByUser = true;
			if (st.ws)
				st.ws.close();
		}
	});
	$("logout").addEventListener("click", () => {
		st.closedByUser = true;
		sessionStorage.removeItem("rakwon.token");
		st.token = null;
		if (st.ws) {
			try {
				st.ws.send(JSON.stringify({ jsonrpc: "2.0", method: "logout" }));
			} catch (e) { /* closing anyway */ }
			st.ws.close();
		}
		showLogin();
	});
	document.querySelectorAll(".tab").forEach((t) => t.addEventListener("click", () => {
		document.querySelectorAll(".tab").forEach((x) => x.classList.toggle("active", x === t));
		$("tab-directory").classList.toggle("hidden", t.dataset.tab !== "directory");
		$("tab-keypad").classList.toggle("hidden", t.dataset.tab !== "keypad");
	}));
	"123456789*0#".split("").forEach((k) => {
		const b = document.createElement("button");
		b.textContent = k;
		b.addEventListener("click", () => {
			if (st.state === "connected")
				run("dtmf", { digits: k });
			else
				$("dial-input").value += k;
		});
		$("keypad").append(b);
	});
	$("dial-btn").addEventListener("click", () => dial($("dial-input").value.trim()));
	$("answer").addEventListener("click", () => run("answer"));
	$("reject").addEventListener("click", () => run("reject"));
	$("hangup").addEventListener("click", () => run("hangup"));
	$("hold").addEventListener("click", () => run(st.state === "held" ? "resume" : "hold"));
	$("mute-mic").addEventListener("click", () => run("mute", { microphone: !st.mic }));
	$("mute-cam").addEventListener("click", () => run("mute", { camera: !st.cam }));
	const setVol = (v) => {
		v = Math.max(0, Math.min(100, v));
		$("volume").value = v;
		$("vol-val").textContent = v;
		run("volume", { level: v });
	};
	$("volume").addEventListener("change", () => setVol(Number($("volume").value)));
	$("vol-up").addEventListener("click", () => setVol(Number($("volume").value) + 5));
	$("vol-down").addEventListener("click", () => setVol(Number($("volume").value) - 5));
	document.querySelectorAll("#layouts button").forEach((b) =>
		b.addEventListener("click", () => run("layout", { layout: b.dataset.layout })));
	for (let i = 1; i <= 6; i++) {
		const b = document.createElement("button");
		b.textContent = String(i);
		b.title = "Camera preset " + i;
		b.addEventListener("click", () => run("camera_preset", { preset: i }));
		$("presets").append(b);
	}
	render();
	if (st.token)
		connect({ token: st.token }).catch(() => showLogin());
}

setup();
