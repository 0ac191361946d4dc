#!/usr/bin/env node
// What CORS Lens costs a page: 2,000 credentialed cross-origin fetches (50 in flight, after a
// warm-up burst of 100), timed in the page's own JavaScript (performance.now()), in headless
// Chromium, per arm, as ratios against a no-extension baseline measured in the same run.
// See docs/performance.md for what the arms mean and how to read the table.
//
// Usage: node bench/page-cost.mjs [--ext DIR] [--before DIR] [--rounds 7] [--arms A,A2,B,C,D] [--experiments] [--profile]
//          [--requests 2000] [--concurrency 50] [--warmup 100] [--out bench/results-page.json]
//   --ext DIR      the built Chrome extension (default: $CORS_LENS_DIST/chrome, else dist/chrome);
//                  build one with: node scripts/build.mjs --target chrome --no-cli --out bench/tmp/dist
//   --before DIR   another build (e.g. of the previous commit) for arms B0 and C0 (added to the default
//                  arms): before/after in the same run, under the same load
//   --experiments  adds the diagnostic arms (variants of the built extension, see ARMS)
//   --profile      a CPU profile of the page's main thread in every run: self time per script file
//   --out -        print only, write no JSON
// Chromium: $CORS_LENS_CHROMIUM or /usr/lib/chromium/chromium.
import { createServer } from "node:http";
import { cpus, loadavg, tmpdir } from "node:os";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { execFileSync } from "node:child_process";
import puppeteer from "puppeteer-core";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const argv = process.argv.slice(2);
const opt = (name, dflt) => (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1] : dflt);
const CHROMIUM = process.env.CORS_LENS_CHROMIUM ?? "/usr/lib/chromium/chromium";
const EXT = resolve(opt("ext", join(process.env.CORS_LENS_DIST ? resolve(process.env.CORS_LENS_DIST) : join(root, "dist"), "chrome")));
const ROUNDS = Number(opt("rounds", 7));
const N = Number(opt("requests", 2000));
const CONC = Number(opt("concurrency", 50));
const WARMUP = Number(opt("warmup", 100));
const OUT = opt("out", join(root, "bench/results-page.json"));
const BEFORE = opt("before", null) && resolve(opt("before", null));
const PROFILE = argv.includes("--profile");

/** A CDP Profiler profile's self time (ms) per script file: hook.js, the page, V8's "(program)", "(garbage collector)", … */
function selfTimeByFile(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const out = {};
  const dt = profile.timeDeltas ?? [];
  for (let i = 0; i < profile.samples.length; i++) {
    const n = byId.get(profile.samples[i]);
    const url = n?.callFrame.url ?? "";
    const key = url ? url.replace(/^chrome-extension:\/\/[^/]+\//, "ext:").replace(/^https?:\/\/[^/]+\/.*$/, "page") : (n?.callFrame.functionName || "(native)");
    out[key] = (out[key] ?? 0) + (dt[i + 1] ?? 0) / 1000;
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, +v.toFixed(1)]).sort((a, b) => b[1] - a[1]));
}

// Each arm: which extension build (null: none), the page's host, and what else is on.
//   ext "full"     the build as is
//   ext "nocs"     the build without its content scripts (no page hook, no relay)
//   ext "hookonly" the build with hook.js (MAIN world) but without relay.js: the page hook's
//                  per-call work (stack capture, JSON, CustomEvent) without runtime.sendMessage
//   ext "bare-wr"  not CORS Lens: an empty MV3 service worker, "webRequest" + <all_urls>, no listener
//   ext "bare"     the same without "webRequest"
//   ext "bare-errors" "bare-wr" plus CORS Lens's one idle listener (onErrorOccurred, fetch-like types, no extraHeaders)
//   ext "before"   the --before build as is
//   ext "beforehook" the build with the --before build's hook.js: the page hook's share of a difference
//   ext "bare-listeners"  "bare-wr" plus the 8 listeners CORS Lens had up to d3a0130 (extraHeaders)
//                  with no-op handlers; "-noextra" without extraHeaders; "6" without onResponseStarted
//                  and onBeforeSendHeaders (CORS Lens's set since: 4 events per plain request); "5" only
//                  onSendHeaders, onHeadersReceived, onBeforeRedirect, onCompleted, onErrorOccurred (3)
//   host "test"    the page on app.test (a default dev site: always captured), the API on api.test
//   panel          panel.html?tabId=N open in a second tab for the page's tab (as a DevTools panel)
//   otherWatched   an app.test page open in a second tab (captured), the measured page not
//   network        a CDP session on the page with Network.enable, counting its events
const ARMS = {
  A: { label: "A  no extension", ext: null, host: "app" },
  A2: { label: "A' no extension (A/A)", ext: null, host: "app" },
  B: { label: "B  CORS Lens idle", ext: "full", host: "app" },
  C: { label: "C  CORS Lens capturing (*.test site)", ext: "full", host: "test" },
  D: { label: "D  DevTools network recording", ext: null, host: "app", network: true },
  // --before DIR
  B0: { label: "B0 idle, --before build", ext: "before", host: "app", before: true },
  C0: { label: "C0 capturing, --before build", ext: "before", host: "test", before: true },
  Bk: { label: "x  idle, --before build's hook.js", ext: "beforehook", host: "app", before: true, experiment: true },
  // --experiments (diagnostic; "x" in the table)
  Cp: { label: "x  capturing, panel tab open", ext: "full", host: "app", panel: true, experiment: true },
  Bn: { label: "x  idle, no content scripts", ext: "nocs", host: "app", experiment: true },
  Bh: { label: "x  idle, hook only (no relay)", ext: "hookonly", host: "app", experiment: true },
  Bw: { label: "x  idle tab, another tab captured", ext: "full", host: "app", otherWatched: true, experiment: true },
  Cn: { label: "x  capturing, no content scripts", ext: "nocs", host: "test", experiment: true },
  Xl: { label: "x  8 no-op listeners (extraHeaders)", ext: "bare-listeners", host: "app", experiment: true },
  Xn: { label: "x  8 no-op listeners, no extraHeaders", ext: "bare-listeners-noextra", host: "app", experiment: true },
  X6: { label: "x  6 no-op listeners (extraHeaders)", ext: "bare-listeners6", host: "app", experiment: true },
  X5: { label: "x  5 no-op listeners (extraHeaders)", ext: "bare-listeners5", host: "app", experiment: true },
  Xw: { label: "x  empty extension, webRequest perm.", ext: "bare-wr", host: "app", experiment: true },
  Xe: { label: "x  empty extension, no webRequest", ext: "bare", host: "app", experiment: true },
  Xr: { label: "x  empty extension, one onErrorOccurred listener", ext: "bare-errors", host: "app", experiment: true },
};
const armIds = opt("arms", null)?.split(",")
  ?? Object.keys(ARMS).filter((k) => (!ARMS[k].experiment || argv.includes("--experiments")) && (!ARMS[k].before || BEFORE));
for (const id of armIds) if (!ARMS[id]) throw new Error(`unknown arm ${id} (${Object.keys(ARMS).join(", ")})`);
if (!armIds.includes("A")) throw new Error("arm A (the baseline) is required");
if (armIds.some((id) => ARMS[id].before) && !(BEFORE && existsSync(join(BEFORE, "manifest.json")))) {
  throw new Error("arms B0/C0 need --before DIR (a built Chrome extension)");
}

if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (set CORS_LENS_CHROMIUM)`);
const needsExt = armIds.some((id) => ARMS[id].ext);
if (needsExt && !existsSync(join(EXT, "manifest.json"))) {
  throw new Error(`no built extension at ${EXT}: node scripts/build.mjs --target chrome --no-cli --out bench/tmp/dist`);
}

// ---- extension variants (copies in a temp dir; the build itself is never touched) ----

const work = mkdtempSync(join(tmpdir(), "cors-lens-bench-"));
const extDirs = { full: EXT, before: BEFORE };
function variant(kind) {
  if (extDirs[kind]) return extDirs[kind];
  const dir = join(work, `ext-${kind}`);
  if (kind.startsWith("bare")) {
    // Not CORS Lens: a minimal MV3 extension, with or without "webRequest" and listeners.
    mkdirSync(dir);
    writeFileSync(join(dir, "sw.js"), BARE_SW[kind]);
    writeFileSync(join(dir, "manifest.json"), JSON.stringify({
      manifest_version: 3, name: `bench ${kind}`, version: "1.0", background: { service_worker: "sw.js" },
      permissions: kind === "bare" ? [] : ["webRequest"], host_permissions: ["<all_urls>"],
    }));
    return (extDirs[kind] = dir);
  }
  cpSync(EXT, dir, { recursive: true });
  const m = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
  // No page scripts at all: neither declared nor registrable (a build that registers them on demand needs "scripting").
  if (kind === "nocs") {
    delete m.content_scripts;
    m.permissions = m.permissions.filter((x) => x !== "scripting");
  }
  if (kind === "hookonly") {
    if (!m.content_scripts) throw new Error("arm Bh needs a build that declares its content scripts in the manifest (this one registers them on demand)");
    m.content_scripts = m.content_scripts.filter((c) => !c.js.includes("relay.js"));
  }
  if (kind === "beforehook") cpSync(join(BEFORE, "hook.js"), join(dir, "hook.js"));
  writeFileSync(join(dir, "manifest.json"), JSON.stringify(m, null, 2));
  return (extDirs[kind] = dir);
}

// CORS Lens's listener set (src/platform/browser.ts: 8 events, same extraInfoSpec, extraHeaders
// where the event takes it) with handlers that do nothing, on all URLs: webRequest's own cost.
// Variants: without extraHeaders, and only the 5 events a record strictly needs (3 per request).
const LISTENER_SPECS = { onBeforeRequest: [], onBeforeSendHeaders: ["requestHeaders"], onSendHeaders: ["requestHeaders"],
  onHeadersReceived: ["responseHeaders"], onBeforeRedirect: ["responseHeaders"], onResponseStarted: ["responseHeaders"],
  onCompleted: ["responseHeaders"], onErrorOccurred: [] };
const FIVE = ["onSendHeaders", "onHeadersReceived", "onBeforeRedirect", "onCompleted", "onErrorOccurred"];
const SIX = Object.keys(LISTENER_SPECS).filter((e) => e !== "onResponseStarted" && e !== "onBeforeSendHeaders");
const bareListeners = (events, extraHeaders) => `const wr = chrome.webRequest;
const specs = ${JSON.stringify(Object.fromEntries(events.map((e) => [e, LISTENER_SPECS[e]])))};
let n = 0;
for (const [name, spec] of Object.entries(specs)) {
  const extra = ${extraHeaders} ? wr[name.replace(/^on/, "On") + "Options"]?.EXTRA_HEADERS : undefined;
  wr[name].addListener(() => { n++; }, { urls: ["<all_urls>"] }, extra ? [...spec, extra] : spec);
}
`;
const BARE_SW = {
  "bare": "// empty\n",
  "bare-wr": "// empty\n",
  // CORS Lens's idle listener (src/platform/background.ts onRequestError), alone.
  "bare-errors": 'chrome.webRequest.onErrorOccurred.addListener(() => {}, { urls: ["<all_urls>"], types: ["xmlhttprequest", "other"] });\n',
  "bare-listeners": bareListeners(Object.keys(LISTENER_SPECS), true),
  "bare-listeners-noextra": bareListeners(Object.keys(LISTENER_SPECS), false),
  "bare-listeners6": bareListeners(SIX, true),
  "bare-listeners5": bareListeners(FIVE, true),
};

// ---- the server: the page on app.example / app.test, the API on api.example / api.test ----

let served = 0;
const PAGE = `<!doctype html><meta charset="utf-8"><title>page-cost</title>
<script>
// n credentialed cross-origin fetches, conc in flight; each reads its body.
async function pool(api, n, conc, state) {
  let next = 0, ok = 0, bad = 0;
  async function worker() {
    while (next < n) {
      next++;
      try {
        const r = await fetch(api + "/n?i=" + state.i++, { credentials: "include" });
        await r.text();
        if (r.status === 200) ok++; else bad++;
      } catch { bad++; }
    }
  }
  await Promise.all(Array.from({ length: conc }, worker));
  return { ok, bad };
}
window.bench = async ({ api, n, conc, warmup }) => {
  const state = { i: 0 };
  const w = await pool(api, warmup, conc, state);
  const t0 = performance.now();
  const r = await pool(api, n, conc, state);
  const ms = performance.now() - t0;
  return { ms, ok: r.ok, bad: r.bad + w.bad };
};
</script><p>page-cost bench</p>`;

const server = createServer((req, res) => {
  const host = (req.headers.host ?? "").split(":")[0];
  const url = new URL(req.url ?? "/", "http://x");
  if (host.startsWith("app.") && url.pathname === "/") {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
    res.end(PAGE);
    return;
  }
  if (host.startsWith("api.") && url.pathname === "/n") {
    served++;
    const tld = host.slice(4);
    res.writeHead(200, {
      "content-type": "application/json",
      "cache-control": "no-store",
      "access-control-allow-origin": `http://app.${tld}:${PORT}`,
      "access-control-allow-credentials": "true",
      vary: "Origin",
    });
    res.end(`{"i":${Number(url.searchParams.get("i"))}}`);
    return;
  }
  res.writeHead(404, { "content-type": "text/plain" });
  res.end("not found");
});
server.keepAliveTimeout = 60_000;
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const PORT = server.address().port;
const origins = (arm) => {
  const tld = arm.host === "test" ? "test" : "example";
  return { page: `http://app.${tld}:${PORT}/`, api: `http://api.${tld}:${PORT}` };
};

// ---- CPU time by process, from /proc (Linux; empty elsewhere) ----
// Where the time goes: the browser process (webRequest dispatch runs on its UI thread), the
// network service, the extension's process (its service worker), the renderers (the page, and
// the panel when open), the rest (GPU, zygotes), and this node process (the server).

const TICK = 100; // USER_HZ
function procTable() {
  const out = new Map();
  let pids = [];
  try { pids = readdirSync("/proc").filter((d) => /^\d+$/.test(d)); } catch { return out; }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      out.set(Number(pid), { ppid: Number(rest[1]), cpu: (Number(rest[11]) + Number(rest[12])) / TICK, cmd });
    } catch { /* gone */ }
  }
  return out;
}
function cpuByGroup(rootPid) {
  const t = procTable();
  const groups = { browser: 0, network: 0, extension: 0, renderers: 0, other: 0 };
  const inTree = (pid) => { for (let p = pid, n = 0; p > 1 && n < 10; p = t.get(p)?.ppid ?? 0, n++) if (p === rootPid) return true; return false; };
  for (const [pid, p] of t) {
    if (!inTree(pid)) continue;
    const g = pid === rootPid ? "browser"
      : p.cmd.includes("NetworkService") ? "network"
      : p.cmd.includes("--type=renderer") ? (p.cmd.includes("--extension-process") ? "extension" : "renderers")
      : "other";
    groups[g] += p.cpu;
  }
  const self = process.cpuUsage();
  groups.server = (self.user + self.system) / 1e6;
  return groups;
}
const cpuDelta = (a, b) => Object.fromEntries(Object.keys(a).map((k) => [k, +(b[k] - a[k]).toFixed(2)]));

// ---- one arm, once, in a fresh browser ----

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function launch(extDir) {
  const userDataDir = mkdtempSync(join(work, "profile-"));
  const args = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    `--user-data-dir=${userDataDir}`, "--host-resolver-rules=MAP * 127.0.0.1", "--no-proxy-server",
    "--disable-features=HttpsUpgrades,HttpsFirstBalancedModeAutoEnable",
  ];
  if (extDir) args.push(`--load-extension=${extDir}`, `--disable-extensions-except=${extDir}`);
  args.push("about:blank");
  // networkEnabled: false, or puppeteer itself sends Network.enable to every page it attaches to,
  // which is arm D's condition (DevTools recording) in every arm.
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM, ignoreDefaultArgs: true, pipe: true, args,
    networkEnabled: false, issuesEnabled: false, defaultViewport: null, protocolTimeout: 120_000,
  });
  return { browser, userDataDir };
}

/** One HELLO over a fresh port from an extension page: the background's snapshot for the tab. */
function snapshotIn(ctl, tabId) {
  return ctl.evaluate((id) => new Promise((done) => {
    const port = chrome.runtime.connect({ name: "cors-lens/panel" });
    const t = setTimeout(() => { port.disconnect(); done(null); }, 5000);
    port.onMessage.addListener((m) => {
      if (m && m.type === "SNAPSHOT") {
        clearTimeout(t);
        port.disconnect();
        // reports: the page hook's reports the background got for the page (builds after d3a0130).
        // (A paged snapshot says how many entries are still to come: `more`.)
        const entries = m.entries.length + (m.more ?? 0);
        done(typeof m.reports === "number" ? { entries, reports: m.reports } : { entries });
      }
    });
    port.onDisconnect.addListener(() => { clearTimeout(t); done(null); });
    port.postMessage({ type: "HELLO", tabId: id });
  }), tabId);
}

async function runArm(id) {
  const arm = ARMS[id];
  const extDir = arm.ext ? variant(arm.ext) : null;
  const { browser, userDataDir } = await launch(extDir);
  try {
    let extensionId = null;
    if (extDir) {
      const sw = await browser.waitForTarget(
        (t) => t.type() === "service_worker" && t.url().startsWith("chrome-extension://"), { timeout: 15000 });
      extensionId = new URL(sw.url()).host;
      // The target appears before the worker's script has run: a navigation now can beat the
      // worker's first listeners (a fresh install has no lazy listeners yet) and go unseen.
      await sleep(1500);
    }
    const page = (await browser.pages())[0] ?? (await browser.newPage());
    let events = 0;
    if (arm.network) {
      const cdp = await page.createCDPSession();
      for (const e of ["Network.requestWillBeSent", "Network.responseReceived", "Network.loadingFinished"]) cdp.on(e, () => events++);
      await cdp.send("Network.enable");
    }
    const { page: pageUrl, api } = origins(arm);
    if (arm.otherWatched) {
      const other = await browser.newPage();
      await other.goto(origins({ host: "test" }).page, { waitUntil: "load" });
      await sleep(500); // its listener set exists before the measured page commits
    }
    await page.goto(pageUrl, { waitUntil: "load" });

    let ctl = null;
    let tabId = null;
    const ctlUrl = extensionId && `chrome-extension://${extensionId}/panel.html`;
    const findTab = async () => {
      // panel.html without ?tabId opens no port (no capture side effects): a page with the tabs API.
      ctl ??= await browser.newPage();
      if (!ctl.url().startsWith(ctlUrl)) await ctl.goto(ctlUrl);
      tabId = await ctl.evaluate(async (u) => (await chrome.tabs.query({})).find((t) => t.url === u)?.id ?? -1, page.url());
      if (tabId < 0) throw new Error(`no tab for ${page.url()}`);
    };
    if (arm.panel) {
      await findTab();
      await ctl.goto(`${ctlUrl}?tabId=${tabId}`); // the CORS panel for the page's tab, in a tab
    }
    await page.bringToFront();
    await sleep(700); // let start-up (worker, bridge, listener registration) settle
    const before = served;
    const pid = browser.process()?.pid;
    const cpu0 = pid ? cpuByGroup(pid) : null;
    // --profile: a sampling CPU profile of the page's main thread over the measured burst (Profiler
    // domain only: no Network.enable), summed by self time per script file. A diagnostic: it slows
    // every arm alike, so read its split, not its wall time.
    let prof = null;
    if (PROFILE) {
      prof = await page.createCDPSession();
      await prof.send("Profiler.enable");
      await prof.send("Profiler.setSamplingInterval", { interval: 100 });
      await prof.send("Profiler.start");
    }
    const r = await page.evaluate((a) => window.bench(a), { api, n: N, conc: CONC, warmup: WARMUP });
    const cpu = pid ? cpuDelta(cpu0, cpuByGroup(pid)) : null;
    let selfMs = null;
    if (prof) {
      const { profile } = await prof.send("Profiler.stop");
      selfMs = selfTimeByFile(profile);
      await prof.detach().catch(() => {});
    }
    if (r.ok !== N || r.bad !== 0 || served - before !== N + WARMUP) {
      throw new Error(`arm ${id}: ok ${r.ok}, bad ${r.bad}, served ${served - before}`);
    }
    const load = loadavg()[0];
    let check = null;
    let ok = true;
    if (extensionId && !arm.ext.startsWith("bare")) {
      // The background's view of the measured tab: captured arms hold its requests (the store
      // keeps the last 2,000), idle arms none. A miss (e.g. a navigation the worker never saw)
      // means the arm did not run its condition: the caller runs it again.
      await sleep(300);
      await findTab();
      check = await snapshotIn(ctl, tabId);
      const captured = arm.host === "test" || arm.panel;
      ok = check !== null && (captured ? check.entries >= 0.95 * Math.min(N + WARMUP, 2000) : check.entries === 0);
    }
    if (arm.network) {
      check = { cdpEvents: events };
      ok = events >= 3 * N;
    }
    return { ms: r.ms, check, ok, load, cpu, selfMs };
  } finally {
    await browser.close().catch(() => {});
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

// ---- rounds ----

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
const f = (x, d = 0) => x.toFixed(d);

const version = execFileSync(CHROMIUM, ["--version"], { encoding: "utf8" }).trim();
let commit = "unknown";
try {
  commit = execFileSync("git", ["-C", root, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  if (execFileSync("git", ["-C", root, "status", "--porcelain", "--", "src"], { encoding: "utf8" }).trim()) commit += "+dirty-src";
} catch { /* not a checkout */ }
console.log(`${version}, ${cpus().length} cores, node ${process.version}, commit ${commit}`);
console.log(`${N} fetches, ${CONC} in flight, warm-up ${WARMUP}; ${ROUNDS} rounds of [${armIds.join(" ")}]; extension ${needsExt ? EXT : "-"}`);

const ms = Object.fromEntries(armIds.map((id) => [id, []]));
const checks = Object.fromEntries(armIds.map((id) => [id, []]));
const loads = [];
/** --profile: each run's self time per script file, by arm. */
const profiles = {};
const cpus_ = Object.fromEntries(armIds.map((id) => [id, []]));
const started = Date.now();
try {
  // One untimed run first: the first browser start of a run pays cold caches (seen: 2–3× slower).
  await runArm("A");
  for (let round = 0; round < ROUNDS; round++) {
    const order = armIds.map((_, i) => armIds[(i + round) % armIds.length]);
    const line = [];
    for (const id of order) {
      let r;
      for (let attempt = 0; ; attempt++) {
        r = await runArm(id);
        if (r.ok) break;
        if (attempt >= 2) throw new Error(`arm ${id} did not run its condition: ${JSON.stringify(r.check)}`);
        console.log(`  ${id}: check failed (${JSON.stringify(r.check)}), running it again`);
      }
      ms[id].push(r.ms);
      cpus_[id].push(r.cpu);
      if (r.selfMs) (profiles[id] ??= []).push(r.selfMs);
      if (r.check) checks[id].push(r.check);
      loads.push(r.load);
      line.push(`${id} ${f(r.ms)}`);
    }
    console.log(`round ${round + 1}: ${line.join(", ")} ms  (${f((Date.now() - started) / 1000)} s, load ${f(loadavg()[0], 1)})`);
  }
} finally {
  server.close();
  server.closeAllConnections?.();
  rmSync(work, { recursive: true, force: true });
}

/** CPU seconds of all the browser's processes (the server excluded). */
const browserCpu = (c) => c.browser + c.network + c.extension + c.renderers + c.other;

// ratio: the arm's median over A's median. paired: the median over rounds of the arm's time over
// A's time in the same round (the two agree when the noise is even; paired follows slow drift).
// 95% confidence intervals over the rounds (Student's t: rounds are few, and each is a pair run in
// the same minute of the machine's load): for wall time, of the geometric mean of the per-round ratio
// to A (a t-interval on the log ratios); for CPU, of the mean per-round difference to A in ms per
// request. The A/A arm's interval is what "no difference" looks like in this run.
const T95 = [12.71, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];
function tInterval(xs) {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, low: mean, high: mean };
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const h = (T95[n - 2] ?? 1.96) * sd / Math.sqrt(n);
  return { mean, low: mean - h, high: mean + h };
}
// null with one round: no interval to give.
function ratioCi(id) {
  if (ms[id].length < 2) return null;
  const t = tInterval(ms[id].map((x, i) => Math.log(x / ms.A[i])));
  return [Math.exp(t.mean), Math.exp(t.low), Math.exp(t.high)].map((x) => +x.toFixed(3));
}
function cpuCi(id) {
  if (!cpus_[id][0] || !cpus_.A[0] || cpus_[id].length < 2) return null;
  const t = tInterval(cpus_[id].map((c, i) => (browserCpu(c) - browserCpu(cpus_.A[i])) * 1000 / (N + WARMUP)));
  return [t.mean, t.low, t.high].map((x) => +x.toFixed(3));
}

const a = median(ms.A);
const rows = armIds.map((id) => {
  const m = median(ms[id]);
  return {
    arm: id, label: ARMS[id].label, medianMs: Math.round(m), ratio: +(m / a).toFixed(3),
    paired: +median(ms[id].map((x, i) => x / ms.A[i])).toFixed(3),
    addedMsPerRequest: +((m - a) / N).toFixed(4),
    perRound: ms[id].map((x) => Math.round(x)),
    perRoundRatio: ms[id].map((x, i) => +(x / ms.A[i]).toFixed(3)),
    // [geometric mean, 95% CI low, high] of the per-round ratio to A; [mean, low, high] of the added
    // browser CPU ms per request, per round against A's.
    pairedCi: ratioCi(id),
    cpuCi: cpuCi(id),
    // CPU seconds per process group during the page's run (warm-up included), median over rounds.
    cpuTotal: cpus_[id][0] ? +median(cpus_[id].map(browserCpu)).toFixed(2) : null,
    cpuSeconds: cpus_[id][0] ? Object.fromEntries(Object.keys(cpus_[id][0]).map((k) => [k, +median(cpus_[id].map((c) => c[k])).toFixed(2)])) : null,
    // What the arm's runs showed (the extension's entries for the tab, or D's CDP events).
    check: checks[id].length ? summarize(checks[id]) : null,
  };
});
function summarize(cs) {
  const out = {};
  for (const k of Object.keys(cs[0])) {
    const v = cs.map((c) => c[k]);
    out[k] = Math.min(...v) === Math.max(...v) ? v[0] : `${Math.min(...v)}–${Math.max(...v)}`;
  }
  return out;
}
const aa = ms.A2 ? ms.A2.map((x, i) => x / ms.A[i]) : null;

console.log("");
console.log(`${"arm".padEnd(40)} ${"median ms".padStart(9)} ${"× A".padStart(6)} ${"paired".padStart(6)} ${"+ms/req".padStart(8)}  per-round ×A`);
for (const r of rows) {
  console.log(`${r.label.padEnd(40)} ${String(r.medianMs).padStart(9)} ${f(r.ratio, 2).padStart(6)} ${f(r.paired, 2).padStart(6)} ${f(r.addedMsPerRequest, 2).padStart(8)}  ${r.perRoundRatio.map((x) => f(x, 2)).join(" ")}`);
}
console.log("");
const a0 = rows.find((r) => r.arm === "A").cpuTotal;
console.log(`CPU seconds during the run (median): ${"arm".padEnd(4)} ${Object.keys(rows.find((r) => r.cpuSeconds)?.cpuSeconds ?? {}).map((k) => k.padStart(9)).join(" ")} ${"browser total".padStart(13)} ${"+CPU ms/req".padStart(11)}`);
for (const r of rows) {
  if (r.cpuSeconds) console.log(`${"".padEnd(36)} ${r.arm.padEnd(4)} ${Object.values(r.cpuSeconds).map((v) => f(v, 2).padStart(9)).join(" ")} ${f(r.cpuTotal, 2).padStart(13)} ${f((r.cpuTotal - a0) * 1000 / (N + WARMUP), 2).padStart(11)}`);
}
if (aa) console.log(`A/A spread (A'/A per round): ${f(Math.min(...aa), 2)}–${f(Math.max(...aa), 2)}`);
console.log("");
console.log(`95% confidence intervals over ${ROUNDS} rounds: ${"arm".padEnd(4)} ${"× A (geo. mean of pairs)".padStart(26)} ${"+browser CPU ms/req".padStart(24)}`);
for (const r of rows) {
  if (r.arm === "A") continue;
  const p = r.pairedCi;
  const c = r.cpuCi;
  console.log(`${"".padEnd(46)} ${r.arm.padEnd(4)} ${(p ? `${f(p[0], 2)} [${f(p[1], 2)}, ${f(p[2], 2)}]` : "one round: none").padStart(26)} ${(c ? `${f(c[0], 2)} [${f(c[1], 2)}, ${f(c[2], 2)}]` : "-").padStart(24)}`);
}
if (PROFILE) {
  // The page's main thread, self time in ms per script file (median over the arm's runs).
  const keys = [...new Set(Object.values(profiles).flatMap((ps) => ps.flatMap((p) => Object.keys(p))))];
  const med = (id, k) => median(profiles[id].map((p) => p[k] ?? 0));
  const top = keys.filter((k) => Object.keys(profiles).some((id) => med(id, k) >= 5))
    .sort((a, b) => Math.max(...Object.keys(profiles).map((id) => med(id, b))) - Math.max(...Object.keys(profiles).map((id) => med(id, a))));
  console.log(`page main thread, self ms (median): ${top.map((k) => k.slice(0, 22).padStart(22)).join(" ")}`);
  for (const id of Object.keys(profiles)) console.log(`${"".padEnd(34)} ${id.padEnd(4)} ${top.map((k) => f(med(id, k), 1).padStart(22)).join(" ")}`);
}
console.log(`load average (1 min) at the end of each run: ${f(Math.min(...loads), 1)}–${f(Math.max(...loads), 1)}, median ${f(median(loads), 1)}`);
for (const r of rows) if (r.check) console.log(`check ${r.arm}: ${JSON.stringify(r.check)}`);

if (OUT !== "-") {
  const result = {
    bench: "page-cost",
    date: new Date().toISOString(),
    machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? null, chromium: version, node: process.version },
    commit,
    builds: { ext: needsExt ? EXT : null, before: BEFORE },
    workload: { requests: N, concurrency: CONC, warmup: WARMUP, rounds: ROUNDS, order: "rotating, fresh browser per arm per round" },
    arms: rows,
    loadAverage1m: { min: +Math.min(...loads).toFixed(1), median: +median(loads).toFixed(1), max: +Math.max(...loads).toFixed(1) },
    aaSpread: aa ? [+Math.min(...aa).toFixed(3), +Math.max(...aa).toFixed(3)] : null,
  };
  // Indented, with each array of numbers on one line.
  const text = JSON.stringify(result, null, 2).replace(/\[\s*([-\d.,\s]+?)\s*\]/g, (_, xs) => `[${xs.split(/,\s*/).join(", ")}]`);
  writeFileSync(OUT, text + "\n");
  console.log(`wrote ${OUT}`);
}
