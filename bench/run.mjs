#!/usr/bin/env node
// `npm run bench`: B1 classifier, B2 capture, B3 page cost, B4 panel, B5 the CLI end to end, in one table, each figure
// with its ratio to a baseline measured in the same run, its target and met/missed. Writes
// bench/results.json. Benchmarks, not tests: nothing fails on a time (exit 1 only when a bench
// could not run). See docs/performance.md.
//
// Usage: node bench/run.mjs [--only B1,B2,B3,B4,B5] [--quick] [--ext DIR] [--rounds N] [--out FILE] [--trace FILE]
//   --quick   small N (B1 20,000 exchanges, B2 20,000 requests, B3 1 round of 500 requests, B4 2 rounds)
//   --ext     the built Chrome extension for B3 (default bench/tmp/dist/chrome, as `npm run bench` builds it)
//   --rounds  B3's rounds (default 9: the 95% intervals narrow with them)
//   --trace   B4: write a Chrome performance trace of the first 10,000-entry round
// Chromium: $CORS_LENS_CHROMIUM or /usr/lib/chromium/chromium.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { cpus, loadavg, tmpdir } from "node:os";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const argv = process.argv.slice(2);
const opt = (name, dflt) => (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1] : dflt);
const QUICK = argv.includes("--quick");
const ONLY = new Set((opt("only", "B1,B2,B3,B4,B5")).split(",").map((s) => s.trim().toUpperCase()));
const EXT = resolve(opt("ext", join(root, "bench/tmp/dist/chrome")));
const ROUNDS = Number(opt("rounds", QUICK ? 1 : 9));
const OUT = opt("out", join(root, "bench/results.json"));
const CHROMIUM = process.env.CORS_LENS_CHROMIUM ?? "/usr/lib/chromium/chromium";
const tmp = join(root, "bench/tmp");

// ---- build the bench sources (TypeScript) ----
const common = { bundle: true, logLevel: "warning", absWorkingDir: root, jsx: "automatic", jsxImportSource: "preact" };
await Promise.all([
  build({ ...common, entryPoints: ["bench/node.ts"], platform: "node", format: "cjs", outfile: join(tmp, "node.cjs") }),
  build({ ...common, entryPoints: ["bench/panel.ts"], platform: "node", format: "esm", outfile: join(tmp, "panel-driver.mjs"), external: ["puppeteer-core"] }),
  build({ ...common, entryPoints: ["bench/real-panel.ts"], platform: "node", format: "cjs", outfile: join(tmp, "real-panel.cjs"), external: ["puppeteer-core"] }),
  build({ ...common, entryPoints: ["bench/panel-page.tsx"], platform: "browser", format: "iife", outfile: join(tmp, "panel-page.js"), target: "chrome120" }),
]);

function runNode(args) {
  const r = spawnSync(process.execPath, ["--expose-gc", join(tmp, "node.cjs"), ...args], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`node.cjs ${args.join(" ")} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

const results = {
  bench: "cors-lens", date: new Date().toISOString(), quick: QUICK,
  machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? "", node: process.version },
  commit: (() => { try { return spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).stdout.trim(); } catch { return ""; } })(),
  loadAverage1m: { start: loadavg()[0] },
};
const rows = [];
const row = (bench, what, value, unit, baseline, ratio, target, met) => rows.push({ bench, what, value, unit, baseline, ratio, target, met });
const log = (s) => process.stderr.write(s + "\n");

if (ONLY.has("B1")) {
  log("B1 classifier…");
  const r = runNode(["B1", "--n", String(QUICK ? 20_000 : 100_000)]);
  results.B1 = r;
  row("B1", `diagnose, ${r.n.toLocaleString("en-US")} exchanges`, r.diagnoseUs, "µs/exchange",
    `JSON.parse ${r.parseUs.toFixed(2)} µs`, r.ratio, "≤ 2× parse", r.ratio <= 2);
}

if (ONLY.has("B2")) {
  log("B2 capture…");
  const r = runNode(["B2", "--n", String(QUICK ? 20_000 : 100_000)]);
  results.B2 = r;
  row("B2", `capture, ${r.requests.toLocaleString("en-US")} requests (${r.events.toLocaleString("en-US")} events)`, r.eventsPerSec, "events/s",
    `toRecord only ${Math.round(r.baselinePerSec).toLocaleString("en-US")}/s`, r.ratio, "≥ 200,000 events/s", r.eventsPerSec >= 200_000);
  const heaps = r.checkpoints.map((c) => c.heapMB);
  const flat = heaps.length >= 2 && heaps.every((h) => h !== null) ? Math.max(...heaps.slice(1)) - Math.min(...heaps.slice(1)) : null;
  for (const c of r.checkpoints) {
    const last = c === r.checkpoints[r.checkpoints.length - 1];
    row("B2", `retained heap after ${c.requests.toLocaleString("en-US")} requests (${c.stored.toLocaleString("en-US")} stored; storage.session ${c.storageMB.toFixed(1)} MB of 10 apart)`,
      c.heapMB, "MB", "heap before start", null, last ? "≤ 30 MB, flat" : "≤ 30 MB",
      c.heapMB === null ? null : c.heapMB <= 30 && (!last || flat === null || flat <= 0.1 * Math.max(...heaps)));
  }
  const peak = Math.max(...r.checkpoints.map((c) => c.storageMB));
  row("B2", `storage.session at its peak (Chrome's count; ${r.storageErrors} failed writes; stored per tab ${r.storedPerTab.join("/")}, dropped ${r.droppedPerTab.join("/")})`,
    peak, "MB", "QUOTA_BYTES 10 MiB", peak / 10, "< 10 MiB, no failed write", peak < 10 && r.storageErrors === 0);
}

if (ONLY.has("B3")) {
  log(`B3 page cost (bench/page-cost.mjs, ${ROUNDS} rounds)…`);
  if (!existsSync(join(EXT, "manifest.json"))) throw new Error(`B3 needs the built extension at ${EXT} (node scripts/build.mjs --target chrome --no-cli --out bench/tmp/dist)`);
  const dir = mkdtempSync(join(tmpdir(), "cors-lens-b3-"));
  const out = join(dir, "page.json");
  // Xw, an empty extension holding webRequest: the floor any webRequest extension pays (Chromium's proxying).
  const args = [join(root, "bench/page-cost.mjs"), "--ext", EXT, "--rounds", String(ROUNDS), "--arms", "A,A2,B,C,D,Xw", "--out", out];
  if (QUICK) args.push("--requests", "500", "--warmup", "50");
  // Its own report (per round, its tables) goes to stderr: the one table on stdout is this one.
  const r = spawnSync(process.execPath, args, { stdio: ["ignore", 2, "inherit"] });
  if (r.status !== 0) throw new Error(`page-cost.mjs failed (exit ${r.status})`);
  const page = JSON.parse(readFileSync(out, "utf8"));
  rmSync(dir, { recursive: true, force: true });
  results.B3 = page;
  const arm = (id) => page.arms.find((a) => a.arm === id);
  const D = arm("D");
  for (const a of page.arms) {
    let target = "", met = null;
    // Met only when the 95% interval of the paired ratio is under the target (not shown otherwise).
    // With one round (--quick) there is no interval, and nothing is shown met.
    const p = a.pairedCi;
    const signed = (x) => `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(2)}`;
    if (a.arm === "B") { target = "≤ 1.05× A (95% CI)"; met = p ? p[2] <= 1.05 : false; }
    if (a.arm === "C" && D) { target = `≤ D (${D.ratio.toFixed(2)}×)`; met = p && D.pairedCi ? p[0] <= D.pairedCi[0] : a.ratio <= D.ratio; }
    const spread = a.arm === "A2" ? `; A/A spread ${page.aaSpread.map((x) => x.toFixed(2)).join("–")}` : "";
    const interval = p ? `paired ${p[0].toFixed(2)}× [${p[1].toFixed(2)}, ${p[2].toFixed(2)}]${a.cpuCi ? `, ${signed(a.cpuCi[0])} CPU ms/req [${a.cpuCi[1].toFixed(2)}, ${a.cpuCi[2].toFixed(2)}]` : ""}` : "one round: no interval";
    const ci = a.arm === "A" ? "" : ` (${interval}${spread})`;
    row("B3", `${a.label.replace(/\s+/g, " ")}${ci}`, a.addedMsPerRequest, "added ms/request",
      `A ${arm("A").medianMs} ms`, a.ratio, target, met);
  }
}

/** One frame at 60 Hz (16.67 ms), as the table prints it: a step's wall time ends with a frame. */
const FRAME_MS = 16.7;

if (ONLY.has("B4")) {
  log("B4 panel…");
  const { runPanel } = await import(pathToFileURL(join(tmp, "panel-driver.mjs")).href);
  const r = await runPanel({ root, pageJs: join(tmp, "panel-page.js"), chromium: CHROMIUM, rounds: QUICK ? 2 : 5, trace: opt("trace", undefined), sizes: [100, 2000, 10_000] });
  results.B4 = r;
  const [small, big] = [r.arms[0], r.arms[r.arms.length - 1]];
  const base = `${small.n} exchanges`;
  row("B4", `first render, ${big.n.toLocaleString("en-US")} exchanges (a ${big.snapshotMB.toFixed(1)} MB snapshot in pages; the first page's JSON.parse ${big.parseMs.toFixed(1)} ms, validation ~${big.validateMs.toFixed(1)} ms; every page in the list at ${big.loadedMs.toFixed(0)} ms)`, big.firstRenderMs, "ms",
    `${base}: ${small.firstRenderMs.toFixed(1)} ms`, big.firstRenderMs / small.firstRenderMs, "≤ 100 ms", big.firstRenderMs <= 100);
  row("B4", `filter keystroke (median; p95 ${big.keyP95Ms.toFixed(1)} ms)`, big.keyMs, "ms",
    `${base}: ${small.keyMs.toFixed(1)} ms`, big.keyMs / small.keyMs, "≤ 16 ms", big.keyMs <= 16);
  row("B4", `scroll step, 1000 px (median; p95 ${big.scrollP95Ms.toFixed(1)} ms; main thread ${big.scrollTaskMs.toFixed(1)} ms per step)`, big.scrollMs, "ms",
    `${base}: ${small.scrollMs.toFixed(1)} ms`, big.scrollMs / small.scrollMs, "≤ 16.7 ms (a frame)", big.scrollMs <= FRAME_MS);
  row("B4", `wheel step, 100 px (median; main thread ${big.wheelTaskMs.toFixed(1)} ms per step)`, big.wheelMs, "ms",
    `${base}: ${small.wheelMs.toFixed(1)} ms`, big.wheelMs / small.wheelMs, "≤ 16.7 ms (a frame)", big.wheelMs <= FRAME_MS);
}

if (ONLY.has("B4")) {
  // B4r: the real panel page, fed by the real background over the real port (bench/real-panel.ts).
  const n = QUICK ? 2000 : 10_000;
  log(`B4r real panel: ${n.toLocaleString("en-US")} requests in a tab, then panel.html…`);
  const { runRealPanel } = await import(pathToFileURL(join(tmp, "real-panel.cjs")).href);
  const r = await runRealPanel({ extensionDir: EXT, n, rounds: QUICK ? 2 : 5 });
  results.B4r = r;
  for (const worker of ["alive", "restarted"]) {
    const small = r.arms.find((a) => a.worker === worker && a.sent === 100);
    const big = r.arms.find((a) => a.worker === worker && a.sent === n);
    const what = `real panel, first row: ${big.held.toLocaleString("en-US")} exchanges held of ${n.toLocaleString("en-US")} sent (${big.dropped.toLocaleString("en-US")} dropped), worker ${worker}; all in at ${big.allInMs.toFixed(0)} ms`;
    row("B4", what, big.firstRowMs, "ms", `${small.held} exchanges: ${small.firstRowMs.toFixed(0)} ms`, big.firstRowMs / small.firstRowMs, "≤ 100 ms", big.firstRowMs <= 100);
  }
}

if (ONLY.has("B5")) {
  // The CLI end to end against a node process that only reads, parses and re-serializes the same
  // file (JSON.stringify(…, null, 2), as explain --json writes), alternated, median of each.
  const cli = join(root, "bench/tmp/dist/cli/cors-lens.cjs");
  if (!existsSync(cli)) throw new Error(`B5 needs the built CLI at ${cli} (node scripts/build.mjs --cli-only --out bench/tmp/dist)`);
  const n = QUICK ? 20_000 : 100_000;
  log(`B5 CLI: explain --json over ${n.toLocaleString("en-US")} exchanges…`);
  const file = join(tmp, `b5-${n}.json`);
  runNode(["B5-corpus", "--n", String(n), "--out", file]);
  const baseline = ["-e", 'const fs=require("fs");process.stdout.write(JSON.stringify(JSON.parse(fs.readFileSync(process.argv[1],"utf8")),null,2)+"\\n")', file];
  const timed = (args) => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"], maxBuffer: 16 << 20 });
    if (r.status !== 0 && r.status !== 1) throw new Error(`B5: node ${args[0]} exited ${r.status}: ${r.stderr}`);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  const runs = { cli: [], base: [] };
  for (let i = 0; i < (QUICK ? 3 : 5); i++) {
    runs.base.push(timed(baseline));
    runs.cli.push(timed([cli, "explain", file, "--json"]));
  }
  const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
  const r = { n, cliMs: med(runs.cli), baseMs: med(runs.base), runs };
  results.B5 = r;
  rmSync(file, { force: true });
  row("B5", `cors-lens explain --json, ${n.toLocaleString("en-US")} exchanges (runs ${runs.cli.map((x) => x.toFixed(0)).join(", ")} ms)`, r.cliMs, "ms",
    `read + JSON.parse + JSON.stringify + write: ${r.baseMs.toFixed(0)} ms`, r.cliMs / r.baseMs, "≤ 2×", r.cliMs / r.baseMs <= 2);
}

results.loadAverage1m.end = loadavg()[0];
results.rows = rows;

// ---- the table ----
const fmt = (v) => (v === null || v === undefined ? "—" : Math.abs(v) >= 1000 ? Math.round(v).toLocaleString("en-US")
  : Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));
const table = [["bench", "what", "value", "unit", "baseline (same run)", "× baseline", "target", "met"]];
for (const r of rows) {
  table.push([r.bench, r.what, fmt(r.value), r.unit, r.baseline, r.ratio === null ? "—" : `${r.ratio.toFixed(2)}×`, r.target || "—",
    r.met === null ? "—" : r.met ? "met" : "MISSED"]);
}
const widths = table[0].map((_, i) => Math.max(...table.map((t) => String(t[i]).length)));
const line = (t) => "| " + t.map((c, i) => (i === 2 || i === 5 ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i]))).join(" | ") + " |";
console.log(line(table[0]));
console.log("|" + widths.map((w, i) => (i === 2 || i === 5 ? "-".repeat(w + 1) + ":" : "-".repeat(w + 2))).join("|") + "|");
for (const t of table.slice(1)) console.log(line(t));
console.log(`\n${results.machine.cores} cores (${results.machine.cpu}), node ${process.version}, commit ${results.commit}; load average ${results.loadAverage1m.start.toFixed(1)} → ${results.loadAverage1m.end.toFixed(1)}${QUICK ? "; --quick" : ""}`);

if (OUT !== "-") {
  writeFileSync(OUT, JSON.stringify(results, (k, v) => (typeof v === "number" && !Number.isInteger(v) ? Number(v.toPrecision(6)) : v), 2) + "\n");
  console.log(`wrote ${OUT}`);
}
