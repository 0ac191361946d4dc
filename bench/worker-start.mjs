#!/usr/bin/env node
// The background script's start-up cost: compile + run the bundled background.js in a fresh V8
// context with a stub `chrome` namespace, as a woken MV3 worker does on every wake-up. Compares two
// builds alternately in one process and prints each median and their ratio (a benchmark: it never fails).
//   node bench/worker-start.mjs A/background.js B/background.js [--rounds N]
// Used to decide whether webextension-polyfill earns its place (docs/architecture.md, "The browser seam").
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import vm from "node:vm";

const argv = process.argv.slice(2);
const files = argv.filter((a) => !a.startsWith("--") && !/^\d+$/.test(a));
const rounds = argv.includes("--rounds") ? Number(argv[argv.indexOf("--rounds") + 1]) : 300;
if (files.length !== 2) {
  console.error("usage: node bench/worker-start.mjs A/background.js B/background.js [--rounds N]");
  process.exit(2);
}

const event = () => ({ addListener() {}, removeListener() {}, hasListener: () => false });
const area = () => ({ get: async () => ({}), set: async () => {}, remove: async () => {} });
function stubChrome() {
  const wrEvents = ["onBeforeRequest", "onBeforeSendHeaders", "onSendHeaders", "onHeadersReceived", "onBeforeRedirect", "onResponseStarted", "onCompleted", "onErrorOccurred"];
  const webRequest = Object.fromEntries(wrEvents.map((n) => [n, event()]));
  webRequest.OnBeforeSendHeadersOptions = { EXTRA_HEADERS: "extraHeaders" };
  return {
    runtime: { id: "abcdefghijklmnopabcdefghijklmnop", getURL: (p) => `chrome-extension://abcdefghijklmnopabcdefghijklmnop${p}`,
      onConnect: event(), onMessage: event(), onInstalled: event(), sendMessage: async () => undefined, getManifest: () => ({ manifest_version: 3 }) },
    storage: { local: area(), session: area(), onChanged: event() },
    tabs: { get: async () => ({}), reload: async () => {}, sendMessage: async () => {}, onRemoved: event(), onUpdated: event(), query: async () => [] },
    action: { setBadgeText: async () => {}, setBadgeBackgroundColor: async () => {}, setTitle: async () => {} },
    webNavigation: { onBeforeNavigate: event(), onCommitted: event() },
    webRequest,
  };
}

const arms = files.map((f) => ({ file: f, code: readFileSync(f, "utf8"), times: [] }));
for (let i = 0; i < rounds; i++) {
  for (const arm of i % 2 ? [...arms].reverse() : arms) {
    const ctx = vm.createContext({ chrome: stubChrome(), console: { warn() {}, log() {} }, setTimeout, clearTimeout, URL, Date, Promise });
    const t0 = performance.now();
    new vm.Script(arm.code, { filename: arm.file }).runInContext(ctx);
    arm.times.push(performance.now() - t0);
  }
}
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
for (const a of arms) console.log(`${a.file}: ${a.code.length} bytes, median start ${median(a.times).toFixed(3)} ms over ${rounds} runs`);
console.log(`ratio B/A: ${(median(arms[1].times) / median(arms[0].times)).toFixed(2)} (bytes ${(arms[1].code.length / arms[0].code.length).toFixed(2)})`);
