// npm run package: the store packages, built and checked.
//
//   dist/packages/cors-lens-chrome-<version>.zip   Chrome Web Store upload (or drag onto chrome://extensions)
//   dist/packages/cors-lens-firefox-<version>.xpi  unsigned, ready for AMO to sign (or about:debugging →
//                                                  "Load Temporary Add-on")
//
// Both are written by `web-ext build` from a fresh build (scripts/build.mjs) of dist/chrome and
// dist/firefox; the version is package.json's. Then the packages themselves are checked:
//   - every manifest version equals package.json's; the description fits the Chrome Web Store (≤ 132
//     characters); every file the manifest names is in the zip; the icons are PNGs of their size;
//   - `web-ext lint` (AMO's addons-linter) on the .xpi: 0 errors, 0 warnings, 0 notices;
//   - the Chrome zip, unzipped to a temporary directory, loads in headless Chromium: its service
//     worker starts and chrome.runtime.getManifest().version in it is package.json's.
// Any failure exits 1. docs/packaging.md says how to publish them.
//
// Usage: node scripts/package.mjs [--dist DIR] [--no-build] [--no-check] [--report FILE]
//   --dist DIR     build into DIR (DIR/chrome, DIR/firefox, DIR/packages); default $CORS_LENS_DIST or dist
//   --no-build     package what DIR already holds
//   --no-check     write the packages only
//   --report FILE  also write what was checked as JSON (test/e2e/package.test.ts reads it)
// Chromium: $CORS_LENS_CHROMIUM or /usr/lib/chromium/chromium.
import { execFile, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import JSZip from "jszip";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const opt = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const distArg = opt("--dist") ?? process.env.CORS_LENS_DIST;
const dist = distArg ? resolve(process.cwd(), distArg) : join(root, "dist");
const artifactsDir = join(dist, "packages");
const reportFile = opt("--report");
const CHROMIUM = process.env.CORS_LENS_CHROMIUM ?? "/usr/lib/chromium/chromium";
const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

const problems = [];
const fail = (msg) => problems.push(msg);

// ---- Build and package ----

if (!args.includes("--no-build")) {
  const b = spawnSync(process.execPath, [join(root, "scripts/build.mjs"), "--no-cli", "--out", dist], { stdio: "inherit" });
  if (b.status !== 0) {
    console.error("package: the build failed");
    process.exit(1);
  }
}

const { default: webExt } = await import("web-ext");
rmSync(artifactsDir, { recursive: true, force: true }); // only this version's packages in it
const packages = {};
for (const [target, ext] of [["chrome", "zip"], ["firefox", "xpi"]]) {
  const sourceDir = join(dist, target);
  if (!existsSync(join(sourceDir, "manifest.json"))) {
    console.error(`package: ${sourceDir} has no manifest.json (build it, or drop --no-build)`);
    process.exit(1);
  }
  const { extensionPath } = await webExt.cmd.build(
    { sourceDir, artifactsDir, overwriteDest: true, filename: `cors-lens-${target}-${version}.${ext}` },
    { showReadyMessage: false },
  );
  packages[target] = { path: extensionPath, bytes: statSync(extensionPath).size };
  console.log(`package: ${extensionPath} (${(packages[target].bytes / 1024).toFixed(0)} KiB)`);
}

if (args.includes("--no-check")) process.exit(0);

// ---- The packages' contents ----

/** The files of a zip archive: name -> contents (directories left out). JSZip checks the CRCs. */
async function readZip(buf) {
  const zip = await JSZip.loadAsync(buf, { checkCRC32: true });
  const out = new Map();
  for (const f of Object.values(zip.files)) if (!f.dir) out.set(f.name, await f.async("nodebuffer"));
  return out;
}

/** Writes readZip's entries under dir, refusing names that would land outside it. */
function extractZip(entries, dir) {
  for (const [name, data] of entries) {
    const rel = normalize(name);
    if (isAbsolute(rel) || rel === ".." || rel.startsWith(`..${sep}`)) throw new Error(`zip entry outside the archive: ${name}`);
    const file = join(dir, rel);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, data);
  }
}

/** Width and height of a PNG from its IHDR chunk, or null when the bytes are not a PNG. */
function pngSize(buf) {
  const sig = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  if (buf.length < 24 || !buf.subarray(0, 8).equals(sig) || buf.toString("latin1", 12, 16) !== "IHDR") return null;
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

/** Every file a manifest refers to. */
function manifestFiles(m) {
  const files = new Set();
  const add = (f) => typeof f === "string" && files.add(f.replace(/^\//, ""));
  Object.values(m.icons ?? {}).forEach(add);
  Object.values(m.action?.default_icon ?? {}).forEach(add);
  add(m.background?.service_worker);
  (m.background?.scripts ?? []).forEach(add);
  add(m.devtools_page);
  add(m.options_ui?.page);
  add(m.action?.default_popup);
  for (const cs of m.content_scripts ?? []) [...(cs.js ?? []), ...(cs.css ?? [])].forEach(add);
  return [...files];
}

const REQUIRED_ICONS = ["16", "32", "48", "128"];
const entriesOf = {};
for (const [target, p] of Object.entries(packages)) {
  const entries = await readZip(readFileSync(p.path));
  entriesOf[target] = entries;
  p.files = [...entries.keys()].sort();
  const raw = entries.get("manifest.json");
  if (!raw) { fail(`${target}: no manifest.json at the root of the package`); continue; }
  const m = JSON.parse(raw.toString("utf8"));
  p.manifest = { name: m.name, version: m.version, description: m.description, permissions: m.permissions, content_scripts: m.content_scripts };
  if (m.version !== version) fail(`${target}: manifest version ${m.version}, package.json says ${version}`);
  if (typeof m.description !== "string" || !m.description) fail(`${target}: the manifest has no description`);
  else if (m.description.length > 132) fail(`${target}: description is ${m.description.length} characters (the Chrome Web Store takes 132)`);
  if (typeof m.name !== "string" || m.name.length > 75) fail(`${target}: name missing or over 75 characters`);
  for (const f of manifestFiles(m)) if (!entries.has(f)) fail(`${target}: the manifest names ${f}, which is not in the package`);
  for (const size of REQUIRED_ICONS) {
    const file = m.icons?.[size];
    if (!file) { fail(`${target}: no ${size}px icon in the manifest`); continue; }
    const data = entries.get(file);
    const dim = data && pngSize(data);
    if (data && (!dim || dim.width !== Number(size) || dim.height !== Number(size))) {
      fail(`${target}: ${file} is not a ${size}×${size} PNG (${dim ? `${dim.width}×${dim.height}` : "not a PNG"})`);
    }
  }
  for (const f of p.files) if (/\.map$|(^|\/)\.|\.tsx?$/.test(f)) fail(`${target}: unexpected file in the package: ${f}`);
}

// ---- AMO's linter on the .xpi ----

function webExtLint(file) {
  const bin = join(root, "node_modules/web-ext/bin/web-ext.js");
  return new Promise((done, reject) => {
    execFile(process.execPath, [bin, "lint", "--source-dir", file, "--output", "json", "--no-config-discovery"],
      { cwd: root, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, NO_UPDATE_NOTIFIER: "1" } },
      (err, stdout, stderr) => {
        // web-ext exits non-zero when the linter reports errors; the JSON is on stdout either way.
        try {
          done(JSON.parse(stdout.slice(stdout.indexOf("{"))));
        } catch {
          reject(new Error(`web-ext lint gave no JSON (${err?.message ?? "exit 0"}):\n${stdout}\n${stderr}`));
        }
      });
  });
}

const lintReport = await webExtLint(packages.firefox.path);
const lint = {
  ...lintReport.summary,
  messages: [...lintReport.errors, ...lintReport.warnings, ...lintReport.notices]
    .map((m) => `${m._type ?? ""} ${m.code} ${m.file ?? ""}${m.line ? `:${m.line}:${m.column ?? 0}` : ""}: ${m.message}`.trim()),
};
console.log(`package: web-ext lint ${packages.firefox.path}: ${lint.errors} errors, ${lint.warnings} warnings, ${lint.notices} notices`);
for (const m of lint.messages) console.log(`  ${m}`);
if (lint.errors || lint.warnings || lint.notices) fail(`firefox: web-ext lint reported ${lint.errors}/${lint.warnings}/${lint.notices} errors/warnings/notices`);

// ---- The Chrome zip in headless Chromium ----

async function loadInChromium(zipEntries) {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install chromium, or set CORS_LENS_CHROMIUM)`);
  const { default: puppeteer } = await import("puppeteer-core");
  const tmp = mkdtempSync(join(tmpdir(), "cors-lens-package-"));
  const extDir = join(tmp, "extension");
  const profile = join(tmp, "profile");
  mkdirSync(profile);
  extractZip(zipEntries, extDir);
  let browser;
  try {
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      ignoreDefaultArgs: true,
      pipe: true,
      args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", `--user-data-dir=${profile}`,
        `--load-extension=${extDir}`, `--disable-extensions-except=${extDir}`, "about:blank"],
    });
    const target = await browser.waitForTarget(
      (t) => t.type() === "service_worker" && t.url().startsWith("chrome-extension://"), { timeout: 30000 });
    const worker = await target.worker();
    // Attached as it starts, the worker can be evaluated in before its extension bindings exist
    // (`chrome` undefined: seen in a clean-clone CI run at 1381782): ask again until they do.
    let manifest = null;
    for (let i = 0; i < 50 && !manifest; i++) {
      manifest = await worker.evaluate(() => {
        const m = globalThis.chrome?.runtime?.getManifest?.();
        return m ? { name: m.name, version: m.version } : null;
      });
      if (!manifest) await new Promise((r) => setTimeout(r, 100));
    }
    if (!manifest) throw new Error("the service worker has no chrome.runtime after 5 s");
    return { extensionId: new URL(target.url()).host, worker: new URL(target.url()).pathname.slice(1), ...manifest, chromium: await browser.version() };
  } finally {
    await browser?.close().catch(() => {});
    rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
  }
}

let chromeLoad;
try {
  chromeLoad = await loadInChromium(entriesOf.chrome);
  console.log(`package: ${packages.chrome.path} loads in ${chromeLoad.chromium}: extension ${chromeLoad.extensionId}, ` +
    `service worker ${chromeLoad.worker}, version ${chromeLoad.version}`);
  if (chromeLoad.version !== version) fail(`chrome: the loaded extension reports version ${chromeLoad.version}, package.json says ${version}`);
} catch (e) {
  chromeLoad = { error: e instanceof Error ? e.message : String(e) };
  fail(`chrome: the zip did not load in headless Chromium: ${chromeLoad.error}`);
}

if (reportFile) {
  writeFileSync(resolve(process.cwd(), reportFile), JSON.stringify({ version, packages, lint, chromeLoad, problems }, null, 2) + "\n");
}
if (problems.length) {
  for (const p of problems) console.error(`package: FAIL ${p}`);
  process.exit(1);
}
console.log(`package: ok, cors-lens ${version} packages in ${artifactsDir}`);
