// panel_terminal.js: Playwright drives the web panel of a running rakwon-terminal: log in,
// call a directory entry, see the far end ring and answer, screenshot, hang up.
"use strict";
const path = require("path");
const fs = require("fs");
const os = require("os");

const npmDir = process.env.NPM_PREFIX || "build/npm";
const { chromium } = require(path.resolve(npmDir, "node_modules", "playwright-core"));
const [url, user, password, uri, shot] = process.argv.slice(2);

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
		ignoreHTTPSErrors: true,   /* the terminal's certificate is from the test CA */
	});
	try {
		const page = ctx.pages()[0] || await ctx.newPage();
		const errors = [];
		page.on("pageerror", (e) => errors.push(String(e)));
		await page.goto(url, { waitUntil: "load" });
		await page.fill("#user", user);
		await page.fill("#password", password);
		await page.click("#login-btn");
		await page.waitForSelector("#main:not(.hidden)", { timeout: 15000 });
		await page.waitForSelector("#directory button[data-uri=\"" + uri + "\"]", { timeout: 15000 });
		console.log("ok   logged in to the terminal; the provisioned directory is shown");
		await page.click("#directory button[data-uri=\"" + uri + "\"]");
		await page.waitForSelector("#call-chip[data-state=\"ringing_out\"]", { timeout: 15000 });
		console.log("ok   the far end rings (event from the terminal)");
		await page.waitForSelector("#call-chip[data-state=\"connected\"]", { timeout: 20000 });
		console.log("ok   the far end answered: connected");
		await page.screenshot({ path: shot });
		console.log("ok   screenshot " + shot);
		await page.click("#hangup");
		await page.waitForSelector("#call-chip[data-state=\"idle\"]", { timeout: 15000 });
		console.log("ok   hung up from the panel");
		if (errors.length)
			fail("page errors: " + errors.join("; "));
	} catch (e) {
		fail(String(e));
	} finally {
		await ctx.close();
	}
})();
