// panel_test.js: Playwright (playwright-core + Debian chromium) drives the web panel: login, dial from the directory, live call state.
"use strict";
const path = require("path");
const fs = require("fs");
const os = require("os");

const npmDir = process.env.NPM_PREFIX || "build/npm";
const { chromium } = require(path.resolve(npmDir, "node_modules", "playwright-core"));
const url = process.argv[2];
const user = process.argv[3];
const password = process.argv[4];
const shot = process.argv[5];
const adminPassword = process.argv[6];

function fail(msg) {
	console.log("FAIL: " + msg);
	process.exit(1);
}

(async () => {
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), "rakwon-chromium-"));
	const ctx = await chromium.launchPersistentContext(profile, {
		executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
		headless: true,
		args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		       "--disable-component-update", "--disable-sync", "--no-first-run"],
		viewport: { width: 1280, height: 800 },
	});
	const errors = [];
	const external = [];
	try {
		const page = ctx.pages()[0] || await ctx.newPage();
		page.on("pageerror", (e) => errors.push(String(e)));
		page.on("request", (r) => {
			if (!r.url().startsWith(url.replace(/\/$/, "")) && !r.url().startsWith(url.replace(/^http/, "ws").replace(/\/$/, "")))
				external.push(r.url());
		});
		await page.goto(url, { waitUntil: "load" });

		// a wrong password is refused with a message
		await page.fill("#user", user);
		await page.fill("#password", "not-the-password");
		await page.click("#login-btn");
		await page.waitForFunction(() => document.querySelector("#login-error").textContent.length > 0,
			null, { timeout: 10000 });
		const msg = await page.textContent("#login-error");
		if (!/wrong/i.test(msg))
			fail("wrong password message: " + msg);
		console.log("ok   wrong password refused: \"" + msg + "\"");

		await page.fill("#password", password);
		await page.click("#login-btn");
		await page.waitForSelector("#main:not(.hidden)", { timeout: 10000 });
		await page.waitForSelector("#directory button", { timeout: 10000 });
		const n = await page.locator("#directory button").count();
		console.log("ok   logged in; directory shows " + n + " entries");

		// dial a directory entry; the fake terminal's events drive the state
		await page.click("#directory button[data-uri=\"sip:lab@busan.example.kr\"]");
		await page.waitForSelector("#call-chip[data-state=\"ringing_out\"]", { timeout: 10000 });
		console.log("ok   ringing state arrived by event");
		await page.waitForSelector("#call-chip[data-state=\"connected\"]", { timeout: 10000 });
		const remote = await page.textContent("#remote");
		if (!remote.includes("sip:lab@busan.example.kr"))
			fail("remote shown: " + remote);
		console.log("ok   connected state arrived by event (remote " + remote + ")");

		// mute goes to the terminal and comes back as an event
		await page.click("#mute-mic");
		await page.waitForSelector("#mute-mic[aria-pressed=\"true\"]", { timeout: 10000 });
		console.log("ok   mute reflected from the mute event");
		await page.click("#layouts button[data-layout=\"gallery3x3\"]");
		await page.waitForSelector("#layouts button.active[data-layout=\"gallery3x3\"]", { timeout: 10000 });
		await page.screenshot({ path: shot });
		console.log("ok   screenshot " + shot);

		// Korean, and back
		await page.click("#main .lang-btn");
		const ko = await page.textContent("#hangup");
		const koState = await page.textContent("#call-state");
		if (ko !== "\uc885\ub8cc" || koState !== "\ud1b5\ud654 \uc911")
			fail("korean labels: " + ko + " / " + koState);
		await page.screenshot({ path: shot.replace(/\.png$/, "_ko.png") });
		await page.click("#main .lang-btn");
		if (await page.textContent("#hangup") !== "Hang up")
			fail("back to english");
		console.log("ok   language switch: Korean labels, then English again");

		await page.click("#hangup");
		await page.waitForSelector("#call-chip[data-state=\"idle\"]", { timeout: 10000 });
		console.log("ok   hang up -> idle");

		// an incoming call (started by an admin connection) shows Answer
		if (adminPassword) {
			const r = await page.evaluate(async (pw) => new Promise((resolve) => {
				const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") +
					location.host + "/api/ws");
				ws.onopen = () => ws.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "login",
					params: { user: "admin", password: pw } }));
				ws.onmessage = (ev) => {
					const m = JSON.parse(ev.data);
					if (m.id === 1)
						ws.send(JSON.stringify({ jsonrpc: "2.0", id: 2, method: "incoming",
							params: { remote: "sip:helpdesk@example.kr" } }));
					else if (m.id === 2) {
						ws.close();
						resolve(m.error ? m.error.message : "ok");
					}
				};
			}), adminPassword);
			if (r !== "ok")
				fail("incoming: " + r);
			await page.waitForSelector("#answer:not(.hidden)", { timeout: 10000 });
			const from = await page.textContent("#remote");
			if (!from.includes("helpdesk"))
				fail("incoming caller shown: " + from);
			await page.click("#answer");
			await page.waitForSelector("#call-chip[data-state=\"connected\"]", { timeout: 10000 });
			await page.click("#hangup");
			await page.waitForSelector("#call-chip[data-state=\"idle\"]", { timeout: 10000 });
			console.log("ok   incoming call: Answer shown, answered, hung up");
		}
		if (errors.length)
			fail("page errors: " + errors.join("; "));
		if (external.length)
			fail("requests outside the terminal: " + external.join(", "));
		console.log("ok   no script errors, no external requests");
	} finally {
		await ctx.close();
		fs.rmSync(profile, { recursive: true, force: true });
	}
})().catch((e) => fail(e.stack || String(e)));
