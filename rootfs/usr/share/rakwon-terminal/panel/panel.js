// panel.js: the web touch panel's logic: login, JSON-RPC over the terminal's WebSocket, live call state from events.
"use strict";

const $ = (id) => document.getElementById(id);
// every user-visible string, English and Korean
const STRINGS = {
	en: {
		lang_other: "\ud55c\uad6d\uc5b4", signin_hint: "Sign in to control this room", user: "User",
		password: "Password", signin: "Sign in", signout: "Sign out", directory: "Directory",
		keypad: "Keypad", dir_empty: "No directory entries", dial_ph: "Number or address",
		answer: "Answer", decline: "Decline", hangup: "Hang up", volume: "Volume", layout: "Layout",
		camera: "Camera", lay_full: "Speaker", lay_side: "Side", no_call: "No call",
		choose: "Choose a contact or dial an address", unknown: "Unknown",
		mute_mic: "Mute microphone", unmute_mic: "Unmute microphone", stop_cam: "Stop camera",
		start_cam: "Start camera", hold: "Hold", resume: "Resume", call: "Call",
		send_tones: "Send tones", call_ended: "Call ended", online: "online", offline: "offline",
		err_wrong: "Wrong user name or password.",
		err_limited: "Too many failed attempts. Try again in a minute.",
		err_unreachable: "Cannot reach the room system.", preset: "Camera preset",
		st_idle: "Idle", st_dialing: "Dialing\u2026", st_ringing_out: "Ringing\u2026",
		st_ringing_in: "Incoming call", st_connected: "Connected", st_held: "On hold",
		st_ending: "Ending\u2026",
	},
	ko: {
		lang_other: "English", signin_hint: "\ud68c\uc758\uc2e4\uc744 \uc81c\uc5b4\ud558\ub824\uba74 \ub85c\uadf8\uc778\ud558\uc138\uc694",
		user: "\uc0ac\uc6a9\uc790", password: "\ube44\ubc00\ubc88\ud638", signin: "\ub85c\uadf8\uc778",
		signout: "\ub85c\uadf8\uc544\uc6c3", directory: "\uc8fc\uc18c\ub85d", keypad: "\ud0a4\ud328\ub4dc",
		dir_empty: "\ud56d\ubaa9 \uc5c6\uc74c", dial_ph: "\ubc88\ud638 \ub610\ub294 \uc8fc\uc18c",
		answer: "\ubc1b\uae30", decline: "\uac70\uc808", hangup: "\uc885\ub8cc", volume: "\uc74c\ub7c9",
		layout: "\ud654\uba74 \ubc30\uce58", camera: "\uce74\uba54\ub77c", lay_full: "\ubc1c\ud45c\uc790",
		lay_side: "\ub098\ub780\ud788", no_call: "\ud1b5\ud654 \uc5c6\uc74c",
		choose: "\uc5f0\ub77d\ucc98\ub97c \uc120\ud0dd\ud558\uac70\ub098 \uc8fc\uc18c\ub97c \uc785\ub825\ud558\uc138\uc694",
		unknown: "\uc54c \uc218 \uc5c6\uc74c", mute_mic: "\ub9c8\uc774\ud06c \uc74c\uc18c\uac70",
		unmute_mic: "\ub9c8\uc774\ud06c \ucf1c\uae30", stop_cam: "\uce74\uba54\ub77c \ub044\uae30",
		start_cam: "\uce74\uba54\ub77c \ucf1c\uae30", hold: "\ubcf4\ub958", resume: "\uc7ac\uac1c",
		call: "\ud1b5\ud654", send_tones: "\ud1a4 \ubcf4\ub0b4\uae30", call_ended: "\ud1b5\ud654 \uc885\ub8cc",
		online: "\uc5f0\uacb0\ub428", offline: "\uc5f0\uacb0 \ub04a\uae40",
		err_wrong: "\uc0ac\uc6a9\uc790 \uc774\ub984 \ub610\ub294 \ube44\ubc00\ubc88\ud638\uac00 \ud2c0\ub838\uc2b5\ub2c8\ub2e4.",
		err_limited: "\uc2e4\ud328\uac00 \ub108\ubb34 \ub9ce\uc2b5\ub2c8\ub2e4. 1\ubd84 \ud6c4 \ub2e4\uc2dc \uc2dc\ub3c4\ud558\uc138\uc694.",
		err_unreachable: "\ud68c\uc758\uc2e4 \uc2dc\uc2a4\ud15c\uc5d0 \uc5f0\uacb0\ud560 \uc218 \uc5c6\uc2b5\ub2c8\ub2e4.",
		preset: "\uce74\uba54\ub77c \ud504\ub9ac\uc14b", st_idle: "\ub300\uae30", st_dialing: "\uc804\ud654 \uac70\ub294 \uc911\u2026",
		st_ringing_out: "\uc2e0\ud638 \uac00\ub294 \uc911\u2026", st_ringing_in: "\uc218\uc2e0 \uc804\ud654",
		st_connected: "\ud1b5\ud654 \uc911", st_held: "\ubcf4\ub958 \uc911", st_ending: "\uc885\ub8cc \uc911\u2026",
	},
};
let lang = localStorage.getItem("rakwon.lang") === "ko" ? "ko" : "en";
const t = (k) => STRINGS[lang][k] || STRINGS.en[k] || k;
const stateText = (s) => STRINGS[lang]["st_" + s] || s;

function applyLang() {
	document.documentElement.lang = lang;
	document.querySelectorAll("[data-i18n]").forEach((e) => { e.textContent = t(e.dataset.i18n); });
	document.querySelectorAll("[data-i18n-ph]").forEach((e) => { e.placeholder = t(e.dataset.i18nPh); });
	document.querySelectorAll(".lang-btn").forEach((e) => { e.textContent = t("lang_other"); });
	const c = $("conn");
	c.textContent = c.classList.contains("online") ? t("online") : t("offline");
	render();
}

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
		toast(t("call_ended") + (d.reason ? ": " + d.reason : ""));
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
	$("call-state").textContent = stateText(s);
	$("remote").textContent = inCall ? (st.remote || t("unknown")) : t("no_call");
	$("call-detail").textContent = inCall ? stateText(s) : t("choose");
	$("answer").classList.toggle("hidden", s !== "ringing_in");
	$("reject").classList.toggle("hidden", s !== "ringing_in");
	$("hangup").classList.toggle("hidden", s === "ringing_in");
	$("hangup").disabled = !inCall;
	$("hold").disabled = s !== "connected" && s !== "held";
	$("hold").textContent = s === "held" ? t("resume") : t("hold");
	$("hold").setAttribute("aria-pressed", String(s === "held"));
	$("mute-mic").setAttribute("aria-pressed", String(st.mic));
	$("mute-mic").textContent = st.mic ? t("unmute_mic") : t("mute_mic");
	$("mute-cam").setAttribute("aria-pressed", String(st.cam));
	$("mute-cam").textContent = st.cam ? t("start_cam") : t("stop_cam");
	$("dial-btn").textContent = s === "connected" ? t("send_tones") : t("call");
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
			$("conn").classList.add("online");
			$("conn").textContent = t("online");
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
			$("conn").classList.remove("online");
			$("conn").textContent = t("offline");
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
			$("login-error").textContent = e.code === -32002 ? t("err_limited") :
				e.code === -32003 ? t("err_wrong") : t("err_unreachable");
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
		b.title = t("preset") + " " + i;
		b.addEventListener("click", () => run("camera_preset", { preset: i }));
		$("presets").append(b);
	}
	document.querySelectorAll(".lang-btn").forEach((b) => b.addEventListener("click", () => {
		lang = lang === "ko" ? "en" : "ko";
		localStorage.setItem("rakwon.lang", lang);
		applyLang();
	}));
	applyLang();
	if (st.token)
		connect({ token: st.token }).catch(() => showLogin());
}

setup();
