// npm start: the demo lab (test/lab/demo.ts) on a fixed port, and a browser with CORS Lens loaded,
// DevTools open, and the demo page at http://app.test:PORT/ (`.test` is always captured).
//
//   node scripts/start.mjs [--port 8790]          Chromium (a fresh profile in a temp dir)
//   node scripts/start.mjs --firefox [--port N]   Firefox through web-ext (dist/firefox)
//   node scripts/start.mjs --headless [--port N]  headless Chromium: clicks every demo button and
//                                                 prints what CORS Lens diagnosed (exit 1 on a mismatch)
// Without a display (Linux with neither $DISPLAY nor $WAYLAND_DISPLAY) it checks that the lab
// starts, says what to run instead, and exits 0.
// The extension must be built first (npm start runs scripts/build.mjs); $CORS_LENS_DIST is honoured
// as by the build. $CORS_LENS_CHROMIUM / $CORS_LENS_FIREFOX choose the browser binaries.
import { spawn } from "node:child_process";
import { accessSync, constants, existsSync, mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

const USAGE = `Usage: node scripts/start.mjs [--firefox | --headless] [--port N] [--verbose]
  (default)    Chromium with CORS Lens, DevTools open on the demo page
  --firefox    Firefox (web-ext run) with CORS Lens and the demo page
  --headless   headless Chromium: click every demo button, print the diagnoses
  --port N     the demo's port (default 8790; with --headless any free port)
  --verbose    show the browser's own output`;

let opts;
try {
  opts = parseArgs({
    options: {
      firefox: { type: "boolean", default: false },
      headless: { type: "boolean", default: false },
      port: { type: "string" },
      verbose: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  }).values;
} catch (err) {
  console.error(`start: ${err.message}\n${USAGE}`);
  process.exit(2);
}
if (opts.help) {
  console.log(USAGE);
  process.exit(0);
}
const portArg = opts.port === undefined ? null : Number(opts.port);
if (portArg !== null && !(Number.isInteger(portArg) && portArg >= 0 && portArg < 65536)) {
  console.error(`start: --port must be a port number, not ${JSON.stringify(opts.port)}`);
  process.exit(2);
}
if (opts.firefox && opts.headless) {
  console.error("start: --headless runs Chromium only (drop --firefox).");
  process.exit(2);
}

const dist = process.env.CORS_LENS_DIST ? resolve(process.cwd(), process.env.CORS_LENS_DIST) : join(root, "dist");
const target = opts.firefox ? "firefox" : "chrome";
const extensionDir = join(dist, target);

function fail(message) {
  console.error(`start: ${message}`);
  process.exit(1);
}

/** test/lab/demo.ts (and the lab it imports), bundled by esbuild and imported from memory. */
async function loadDemo() {
  const { build } = await import("esbuild");
  const out = await build({
    entryPoints: [join(root, "test/lab/demo.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    write: false,
    logLevel: "warning",
  });
  const code = out.outputFiles[0].text;
  return import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`);
}

async function startDemoOn(demoModule, port) {
  try {
    return await demoModule.startDemo({ port });
  } catch (err) {
    if (err && err.code === "EADDRINUSE") {
      fail(`port ${port} is in use (another "npm start"?). Stop it, or pass another port: npm start -- --port 8791`);
    }
    throw err;
  }
}

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(names) {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    for (const name of names) if (dir && executable(join(dir, name))) return join(dir, name);
  }
  return null;
}

function findChromium() {
  if (process.env.CORS_LENS_CHROMIUM) return process.env.CORS_LENS_CHROMIUM;
  const known = {
    linux: ["/usr/lib/chromium/chromium"],
    darwin: ["/Applications/Chromium.app/Contents/MacOS/Chromium", "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"],
    win32: [
      join(process.env.LOCALAPPDATA ?? "", "Chromium/Application/chrome.exe"),
      join(process.env.PROGRAMFILES ?? "C:/Program Files", "Google/Chrome/Application/chrome.exe"),
    ],
  }[process.platform] ?? [];
  return known.find((p) => existsSync(p)) ?? onPath(["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]);
}

function findFirefox() {
  if (process.env.CORS_LENS_FIREFOX) return process.env.CORS_LENS_FIREFOX;
  const known = {
    linux: ["/usr/bin/firefox-esr", "/usr/bin/firefox"],
    darwin: ["/Applications/Firefox.app/Contents/MacOS/firefox"],
    win32: [join(process.env.PROGRAMFILES ?? "C:/Program Files", "Mozilla Firefox/firefox.exe")],
  }[process.platform] ?? [];
  return known.find((p) => existsSync(p)) ?? onPath(["firefox-esr", "firefox"]);
}

function hasDisplay() {
  if (process.platform === "darwin" || process.platform === "win32") return true;
  return Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

/** Flags shared by the windowed and the headless Chromium. */
function chromiumArgs(profile) {
  return [
    `--user-data-dir=${profile}`,
    "--no-first-run",
    "--no-default-browser-check",
    `--load-extension=${extensionDir}`,
    `--disable-extensions-except=${extensionDir}`,
    "--host-resolver-rules=MAP *.test 127.0.0.1",
    // Branded Chrome 137+ ignores --load-extension without the first; the others keep http://*.test on http.
    "--disable-features=DisableLoadExtensionCommandLineSwitch,HttpsUpgrades,HttpsFirstBalancedModeAutoEnable",
  ];
}

/** GET a path from the demo through its public port, as a browser with the host mapping would. */
function get(port, host, path) {
  return new Promise((done, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers: { host: `${host}:${port}` } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (body += c));
      res.on("end", () => done({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.setTimeout(5000, () => req.destroy(new Error("timed out")));
    req.end();
  });
}

/** Proves the demo answers: the index page and one scenario, through the public port. */
async function checkDemo(demo) {
  const index = await get(demo.port, "app.test", "/");
  if (index.status !== 200 || !index.body.includes("CORS Lens demo")) throw new Error(`the demo page answered ${index.status}`);
  const first = new URL(demo.cases[0].request.url);
  const hop = await get(demo.port, first.hostname, first.pathname);
  if (hop.status !== 200) throw new Error(`${first.pathname} answered ${hop.status}`);
}

function removeProfile(dir) {
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

// ---- No display ----

async function noDisplay(demoModule) {
  let demo;
  let note = "";
  try {
    demo = await demoModule.startDemo({ port: portArg ?? demoModule.DEMO_PORT });
  } catch (err) {
    if (!(err && err.code === "EADDRINUSE")) throw err;
    demo = await demoModule.startDemo({ port: 0 });
    note = ` (port ${portArg ?? demoModule.DEMO_PORT} is in use, so checked on ${demo.port})`;
  }
  try {
    await checkDemo(demo);
  } finally {
    await demo.close();
  }
  const firefox = opts.firefox ? findFirefox() : null;
  const firefoxLine = !opts.firefox ? "" : firefox && existsSync(firefox)
    ? `Firefox is installed (${firefox}); with a display, npm run start:firefox opens it.\n`
    : "Firefox is NOT installed (no /usr/bin/firefox-esr): apt-get install firefox-esr, or set CORS_LENS_FIREFOX.\n";
  console.log(`CORS Lens: no display here ($DISPLAY and $WAYLAND_DISPLAY are unset), so no browser window can open.
The demo lab starts and answers${note}: ${demo.cases.length} cases on ${demo.url}
${firefoxLine}
Instead, run:
  npm start -- --headless   the demo in headless Chromium: clicks every button and prints what CORS Lens diagnosed
  npm test                  type check, build, and every test suite (headless Chromium)
  npm run examples          the cors-lens CLI on the example HAR and JSON files`);
}

// ---- Windowed Chromium ----

async function runChromium(demoModule) {
  const bin = findChromium();
  if (!bin || !existsSync(bin)) fail("no Chromium found. Install Debian's \"chromium\" package or set CORS_LENS_CHROMIUM to a Chromium binary.");
  const demo = await startDemoOn(demoModule, portArg ?? demoModule.DEMO_PORT);
  const profile = mkdtempSync(join(tmpdir(), "cors-lens-start-"));
  const args = [...chromiumArgs(profile), "--auto-open-devtools-for-tabs", ...(isRoot ? ["--no-sandbox"] : []), demo.url];
  console.log(`CORS Lens demo: ${demo.url}
Chromium opens it with DevTools: choose the CORS tab (it may be behind ») and click the demo's buttons.
Close the browser or press Ctrl+C to stop.`);
  const child = spawn(bin, args, { stdio: ["ignore", opts.verbose ? "inherit" : "ignore", opts.verbose ? "inherit" : "ignore"] });
  await waitForChild(child, demo, profile, "Chromium");
}

// ---- Firefox (web-ext) ----

async function runFirefox(demoModule) {
  const bin = findFirefox();
  if (!bin || !existsSync(bin)) {
    fail("Firefox is not installed: no /usr/bin/firefox-esr (or firefox on PATH). Install it (apt-get install firefox-esr) or set CORS_LENS_FIREFOX.");
  }
  const webExt = join(root, "node_modules/.bin", process.platform === "win32" ? "web-ext.cmd" : "web-ext");
  if (!existsSync(webExt)) fail("web-ext is missing from node_modules: run npm install.");
  const demo = await startDemoOn(demoModule, portArg ?? demoModule.DEMO_PORT);
  const args = [
    "run", "-t", "firefox-desktop", `--firefox=${bin}`, "--source-dir", extensionDir, "--start-url", demo.url,
    // Firefox has no host-resolver rules: these names resolve to localhost instead.
    `--pref=network.dns.localDomains=${demoModule.DEMO_HOSTS.join(",")}`,
    "--pref=dom.security.https_first=false",
    "--arg=-devtools",
    "--no-input",
  ];
  if (opts.verbose) args.push("--verbose");
  console.log(`CORS Lens demo: ${demo.url}
Firefox opens it (web-ext, a temporary profile) with DevTools: choose the CORS tab and click the demo's buttons.
Close the browser or press Ctrl+C to stop.`);
  const child = spawn(webExt, args, { stdio: ["ignore", "inherit", "inherit"] });
  await waitForChild(child, demo, null, "web-ext");
}

/** Runs until the browser exits (or Ctrl+C), then stops the lab and removes the profile. */
function waitForChild(child, demo, profile, name) {
  return new Promise((done) => {
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    const finish = async (code) => {
      await demo.close();
      if (profile) removeProfile(profile);
      done(code);
    };
    child.on("error", (err) => {
      console.error(`start: could not run ${name}: ${err.message}`);
      void finish(1).then(() => process.exit(1));
    });
    child.on("exit", (code) => {
      void finish(code ?? 0).then(() => process.exit(stopping ? 0 : code ?? 0));
    });
  });
}

// ---- Headless: click every button, print what CORS Lens recorded ----

async function runHeadless(demoModule) {
  const bin = findChromium();
  if (!bin || !existsSync(bin)) fail("no Chromium found. Install Debian's \"chromium\" package or set CORS_LENS_CHROMIUM to a Chromium binary.");
  const { default: puppeteer } = await import("puppeteer-core");
  const demo = await startDemoOn(demoModule, portArg ?? 0);
  const profile = mkdtempSync(join(tmpdir(), "cors-lens-start-"));
  let browser;
  try {
    browser = await puppeteer.launch({
      executablePath: bin,
      ignoreDefaultArgs: true,
      pipe: true,
      args: ["--headless=new", "--no-sandbox", "--disable-gpu", ...chromiumArgs(profile), "about:blank"],
    });
    const worker = await browser.waitForTarget(
      (t) => t.type() === "service_worker" && t.url().startsWith("chrome-extension://"), { timeout: 15000 });
    const extensionId = new URL(worker.url()).host;
    console.log(`CORS Lens demo in headless ${await browser.version()} (${bin}): ${demo.cases.length} cases on ${demo.url}\n`);

    const page = await browser.newPage();
    await page.goto(demo.url);
    // Chromium's own verdict for each request (CDP), printed beside CORS Lens's.
    const chromium = await chromiumVerdicts(page);
    const seen = {};
    for (const c of demo.cases) {
      await page.click(`[data-case="${c.id}"]`);
      await page.waitForSelector(`#case-${c.id}[data-state="done"]`, { timeout: 10000 });
      seen[c.id] = await page.$eval(`#case-${c.id} output`, (el) => el.textContent);
    }

    // The extension's record, read through the panel's own protocol from an extension page.
    const control = await browser.newPage();
    await control.goto(`chrome-extension://${extensionId}/panel.html?tabId=2147483647`);
    const tabId = await control.evaluate(async (url) => (await chrome.tabs.query({})).find((t) => t.url === url)?.id ?? -1, demo.url);
    if (tabId < 0) throw new Error("the demo tab is not visible to the extension");
    const settled = (snap) => demo.cases.every((c) => snap.entries.some((e) => e.exchange.request.url === c.request.url &&
      (c.expect === null ? !e.diagnosis.blocked : e.diagnosis.code !== null)));
    let snap = null;
    for (const end = Date.now() + 10000; Date.now() < end;) {
      snap = await snapshotOf(control, tabId);
      if (snap && settled(snap)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    if (!snap) throw new Error("the extension did not answer the panel protocol");

    let agree = 0;
    for (const c of demo.cases) {
      const entry = snap.entries.filter((e) => e.exchange.request.url === c.request.url).at(-1);
      const d = entry?.diagnosis;
      const code = d ? d.code : undefined;
      const verdict = chromium.get(c.request.url) ?? null;
      const ok = d !== undefined && (c.expect === null ? !d.blocked : d.blocked && code === c.expect) && verdict === c.expect;
      if (ok) agree++;
      console.log(`${ok ? "✓" : "✗"} ${c.label}`);
      console.log(`    ${c.request.method} ${c.request.url}`);
      console.log(`    page: ${seen[c.id]}`);
      if (!d) {
        console.log("    CORS Lens: not recorded");
      } else if (d.blocked) {
        const where = d.stage === "preflight" ? "the preflight" : d.stage === "redirect" ? "a redirect" : d.stage === "actual" ? "the response" : d.stage ?? "?";
        // Hops are named as everywhere else (src/core/hops.ts): "hop 2 of 3", counting from 1.
        const hops = entry?.exchange.hops.length ?? 1;
        console.log(`    CORS Lens: blocked at ${where}${hops > 1 ? ` (hop ${(d.hop ?? 0) + 1} of ${hops})` : ""}: ${d.code ?? "unknown"}${d.firefox ? ` (Firefox: ${d.firefox})` : ""}`);
        if (d.header) console.log(`    ${d.header}: received ${d.received === null ? "nothing (missing)" : JSON.stringify(d.received)}, expected ${JSON.stringify(d.expected)}`);
        console.log(`    ${d.message}`);
      } else {
        console.log(`    CORS Lens: passes${d.warnings?.length ? ` with ${d.warnings.length} warning(s): ${d.warnings.map((w) => w.code).join(", ")}` : ""}`);
      }
      console.log(`    Chromium (CDP): ${verdict ?? "passes"}`);
      if (!ok) console.log(`    expected: ${c.expect ?? "passes"}`);
      console.log("");
    }
    console.log(`${agree}/${demo.cases.length} cases diagnosed as expected; ${snap.entries.filter((e) => e.diagnosis.blocked).length} blocked in the panel's list for this tab.`);
    return agree === demo.cases.length ? 0 : 1;
  } finally {
    await browser?.close().catch(() => {});
    await demo.close();
    removeProfile(profile);
  }
}

/** url -> Chromium's CorsError for each failed request of the page (Network.loadingFailed.corsErrorStatus). */
async function chromiumVerdicts(page) {
  const session = await page.createCDPSession();
  const urls = new Map();
  const verdicts = new Map();
  session.on("Network.requestWillBeSent", (e) => {
    if (e.type !== "Preflight" && !urls.has(e.requestId)) urls.set(e.requestId, e.request.url);
  });
  session.on("Network.loadingFailed", (e) => {
    const url = urls.get(e.requestId);
    if (url) verdicts.set(url, e.corsErrorStatus?.corsError ?? `not CORS: ${e.errorText}`);
  });
  await session.send("Network.enable");
  return verdicts;
}

/** One HELLO over a panel port: the background's SNAPSHOT for the tab, or null. */
function snapshotOf(control, tabId) {
  return control.evaluate((id) => new Promise((done) => {
    let port;
    try {
      port = chrome.runtime.connect({ name: "cors-lens/panel" });
    } catch {
      done(null);
      return;
    }
    const timer = setTimeout(() => { port.disconnect(); done(null); }, 3000);
    port.onMessage.addListener((m) => {
      if (m && m.type === "SNAPSHOT") { clearTimeout(timer); port.disconnect(); done(m); }
    });
    port.onDisconnect.addListener(() => { clearTimeout(timer); done(null); });
    port.postMessage({ type: "HELLO", tabId: id });
  }), tabId);
}

// ---- Main ----

if (!existsSync(join(extensionDir, "manifest.json"))) {
  fail(`${extensionDir} is missing: build it first with "node scripts/build.mjs" (npm start does).`);
}
const demoModule = await loadDemo();
if (opts.headless) {
  process.exit(await runHeadless(demoModule));
} else if (!hasDisplay()) {
  await noDisplay(demoModule);
  process.exit(0);
} else if (opts.firefox) {
  await runFirefox(demoModule);
} else {
  await runChromium(demoModule);
}
