// Export HAR / Export report / Copy as curl / Copy as fetch, in headless Chromium with the built
// extension against the lab. The panel's files are caught as real downloads (CDP
// Browser.setDownloadBehavior) and read back by the core reader and the built CLI; the curl commands
// on the clipboard are run against the lab, and the lab checks it received what the browser sent.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as acorn from "acorn";
import type { CDPSession, Page } from "puppeteer-core";
import { diagnose } from "../../src/core/diagnose";
import { readHar } from "../../src/core/har";
import type { Diagnosis, Hop } from "../../src/core/types";
import type { Entry } from "../../src/shared/protocol";
import { startLab, type Lab, type LabLogEntry } from "../lab/server";
import { launchWithExtension, recordVerdicts, snapshot, tabIdOf, waitFor, type CdpVerdict, type ExtensionSession } from "./extension";

const CLI = resolve(process.env.CORS_LENS_DIST ?? resolve(__dirname, "../../dist"), "cli/cors-lens.cjs");
const SECRET = "Bearer e2e-s3cret";

let lab: Lab;
let s: ExtensionSession;
let APP: string;
let app: Page;
let tabId: number;
let verdicts: CdpVerdict[];
let finished: Set<string>;
let panel: Page;
let browserCdp: CDPSession;
let downloads: string;

interface Scenario { name: string; key: string; url: string; path: string; method: string; headers: Record<string, string>; blocked: boolean }
const RUN = Date.now().toString(36);
const scenarios: Scenario[] = [];
const byName = (name: string) => scenarios.find((x) => x.name === name)!;

function define(name: string, req: { method: string; headers?: Record<string, string> }, blocked: boolean, hops: (url: string, key: string) => Hop[]): void {
  const key = `${name}-${RUN}`;
  const url = lab.hopUrl(key, 0);
  lab.register(key, { hops: hops(url, key) });
  scenarios.push({ name, key, url, path: new URL(url).pathname, method: req.method, headers: req.headers ?? {}, blocked });
}

const allow = () => ({ "access-control-allow-origin": APP, "access-control-allow-credentials": "true", vary: "Origin" });

function defineAll(): void {
  // A failing preflight: no Access-Control-Allow-Credentials on the OPTIONS answer.
  define("fail-preflight", { method: "PUT", headers: { "x-trace": "1", authorization: SECRET } }, true, (url) => [
    { url, preflight: { status: 204, headers: { "access-control-allow-origin": APP, "access-control-allow-methods": "PUT",
      "access-control-allow-headers": "x-trace, authorization" } }, response: { status: 200, headers: allow() } }]);
  // A passing credentialed request with a secret header.
  define("ok-credentialed", { method: "PUT", headers: { "x-trace": "2", authorization: SECRET } }, false, (url) => [
    { url, preflight: { status: 204, headers: { ...allow(), "access-control-allow-methods": "PUT", "access-control-allow-headers": "x-trace, authorization" } },
      response: { status: 200, headers: allow() } }]);
  // A redirect whose second hop lacks Access-Control-Allow-Origin.
  define("redirect", { method: "GET" }, true, (url, key) => [
    { url, preflight: null, response: { status: 302, headers: { ...allow(), location: lab.hopUrl(key, 1) } } },
    { url: lab.hopUrl(key, 1), preflight: null, response: { status: 200, headers: { "access-control-allow-credentials": "true" } } }]);
}

async function request(sc: Scenario): Promise<string> {
  return app.evaluate((url: string, method: string, headers: Record<string, string>) =>
    fetch(url, { method, headers, credentials: "include" }).then((r) => `ok ${r.status}`, (e: Error) => `error ${e.name}`),
  sc.url, sc.method, sc.headers);
}

// ---- Panel helpers (as in panel.test.ts) ----

async function clickButton(p: Page, name: string): Promise<void> {
  const button = await p.waitForSelector(`::-p-aria([name="${name}"][role="button"])`);
  await button!.click();
}

async function selectRow(p: Page, path: string): Promise<void> {
  await p.bringToFront();
  const index = await p.$$eval(".grid-rows > [role=row]", (els, want) => {
    const r = els.find((el) => el.querySelector(".c-url .path")?.textContent === want);
    return r ? Number(r.getAttribute("aria-rowindex")) - 2 : -1;
  }, path);
  if (index < 0) throw new Error(`no row for ${path}`);
  await p.click(`#cl-row-${index}`);
  await p.waitForFunction((want: string) => document.querySelector(".detail-title")?.textContent?.includes(want), {}, path);
}

async function setReveal(p: Page, on: boolean): Promise<void> {
  const pressed = await p.$eval('::-p-aria([name="Reveal secrets"][role="button"]), ::-p-aria([name="Hide secrets"][role="button"])',
    (b) => b.getAttribute("aria-pressed") === "true").catch(() => null);
  if (pressed === null) throw new Error("no reveal button");
  if (pressed !== on) await clickButton(p, on ? "Reveal secrets" : "Hide secrets");
  await p.waitForSelector(`::-p-aria([name="${on ? "Hide secrets" : "Reveal secrets"}"][role="button"])`);
}

/** Clicks a copy button and returns what landed on the clipboard. */
async function copy(p: Page, button: string): Promise<string> {
  await p.bringToFront();
  const sentinel = `sentinel-${Math.random()}`;
  await p.evaluate((t: string) => navigator.clipboard.writeText(t), sentinel);
  await clickButton(p, button);
  await p.waitForFunction(() => document.querySelector(".copy-status")?.textContent === "Copied", { timeout: 10000 });
  const text = await p.evaluate(() => navigator.clipboard.readText());
  expect(text).not.toBe(sentinel);
  return text;
}

/** Clicks an export button and returns the file the browser saved. */
async function download(p: Page, button: string, ext: string): Promise<{ name: string; text: string }> {
  const before = new Set(readdirSync(downloads));
  await p.bringToFront();
  await clickButton(p, button);
  // Chromium may create the file under its final name before the bytes are in (seen: an empty file
  // read under load): wait until it holds a whole JSON document.
  const complete = (f: string): string | null => {
    const text = readFileSync(join(downloads, f), "utf8");
    try {
      JSON.parse(text);
      return text;
    } catch {
      return null;
    }
  };
  const found = await waitFor(`a complete ${ext} download`, async () => {
    const f = readdirSync(downloads).find((x) => !before.has(x) && x.endsWith(ext));
    const text = f ? complete(f) : null;
    return f && text !== null ? { name: f, text } : null;
  }, 20000);
  return found;
}

type Verdict = Pick<Diagnosis, "blocked" | "stage" | "hop" | "code" | "failedParameter">;
const verdict = (d: Diagnosis): Verdict => ({ blocked: d.blocked, stage: d.stage, hop: d.hop, code: d.code, failedParameter: d.failedParameter });

/** What the panel shows for each scenario (the background's entries, which the panel renders), by URL. */
async function panelVerdicts(): Promise<Map<string, Verdict>> {
  const snap = await snapshot(s.control, tabId);
  const out = new Map<string, Verdict>();
  for (const e of snap.entries as Entry[]) out.set(e.exchange.request.url, verdict(e.diagnosis));
  return out;
}

function runCli(file: string): { code: number | null; out: Diagnosis[] } {
  const r = spawnSync(process.execPath, [CLI, "explain", file, "--json"], { encoding: "utf8" });
  if (r.status === 2) throw new Error(`cors-lens failed: ${r.stderr}`);
  return { code: r.status, out: JSON.parse(r.stdout) as Diagnosis[] };
}

const hv = (e: LabLogEntry, name: string): string | null => {
  const values = e.headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
  return values.length ? values.join(", ") : null;
};

/**
 * Runs a copied curl script with the lab's host names resolved to loopback; returns the lab's new log
 * entries. Asynchronous: the lab runs in this process and must keep answering.
 */
async function runCurl(script: string, key: string): Promise<LabLogEntry[]> {
  const before = lab.log(key).length;
  const resolveArgs = ["api.example", "other.example"].map((h) => `--resolve ${h}:${lab.port}:127.0.0.1`).join(" ");
  const child = spawn("bash", ["-c", `curl() { command curl -sS --max-time 30 ${resolveArgs} "$@"; }\n${script}`]);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const status = await new Promise<number | null>((res) => child.on("close", res));
  if (status !== 0) throw new Error(`curl script failed (${status}): ${stderr}\n${script}`);
  expect(stdout).toMatch(/^HTTP\/1\.1 \d{3}/m); // -i: the status line and headers are shown
  return lab.log(key).slice(before);
}

// ---- Set-up ----

beforeAll(async () => {
  downloads = mkdtempSync(join(tmpdir(), "cors-lens-export-"));
  lab = await startLab();
  s = await launchWithExtension();
  APP = lab.origin("app.example");
  defineAll();

  browserCdp = await s.browser.target().createCDPSession();
  await browserCdp.send("Browser.grantPermissions", {
    origin: `chrome-extension://${s.extensionId}`,
    permissions: ["clipboardReadWrite", "clipboardSanitizedWrite"],
  });
  // The panel's <a download> saves here, without a prompt.
  await browserCdp.send("Browser.setDownloadBehavior", { behavior: "allow", downloadPath: downloads });

  app = await s.browser.newPage();
  await app.goto(`${APP}/page.html?export=${RUN}`);
  tabId = await tabIdOf(s.control, app);
  ({ verdicts, finished } = await recordVerdicts(app));

  panel = await s.browser.newPage();
  await panel.setViewport({ width: 1280, height: 800 });
  await panel.goto(`chrome-extension://${s.extensionId}/panel.html?tabId=${tabId}`);
  await panel.waitForSelector('[role="grid"]');
  await waitFor("full capture", async () => (await snapshot(s.control, tabId)).captureLevel === "full");

  const seen: string[] = [];
  for (const sc of scenarios) seen.push(await request(sc));
  expect(seen).toEqual(scenarios.map((sc) => (sc.blocked ? "error TypeError" : "ok 200")));
  await waitFor("Chromium's verdicts", async () => scenarios.every((sc) => finished.has(sc.url) || verdicts.some((v) => v.url === sc.url)));
  // Every exchange complete in the background, with its verdict.
  await waitFor("the panel's verdicts", async () => {
    const v = await panelVerdicts();
    return scenarios.every((sc) => v.get(sc.url)?.blocked === sc.blocked && (!sc.blocked || v.get(sc.url)?.code));
  }, 20000);
  await panel.waitForFunction((n: number) => document.querySelectorAll(".grid-rows > [role=row]").length >= n, { timeout: 20000 }, scenarios.length);
}, 120000);

afterAll(async () => {
  await browserCdp?.detach().catch(() => {});
  await s?.cleanup();
  await lab?.close();
  if (downloads) rmSync(downloads, { recursive: true, force: true });
});

// ---- Tests ----

describe("export and reproduce, in Chromium", () => {
  test("the panel's verdicts are Chromium's (the base the exports are compared with)", async () => {
    const v = await panelVerdicts();
    for (const sc of scenarios) {
      const cdp = verdicts.find((x) => x.url === sc.url);
      expect({ name: sc.name, code: v.get(sc.url)!.code }).toEqual({ name: sc.name, code: cdp?.corsError ?? null });
    }
    expect(v.get(byName("fail-preflight").url)).toMatchObject({ stage: "preflight", code: "PreflightInvalidAllowCredentials" });
    expect(v.get(byName("redirect").url)).toMatchObject({ stage: "actual", hop: 1, code: "MissingAllowOriginHeader" });
  });

  test("Export HAR: a Chrome-style HAR that the core reader and the CLI diagnose exactly as the panel did; secrets masked", async () => {
    const { name, text } = await download(panel, "Export HAR", ".har");
    expect(name).toMatch(/^cors-lens-.*\.har$/);
    expect(text).not.toContain("e2e-s3cret");
    const doc = JSON.parse(text);
    const entries = doc.log.entries as Array<Record<string, any>>;
    // The preflights are their own entries, in Chrome's style; the redirect is two entries.
    expect(entries.filter((e) => e._resourceType === "preflight").map((e) => e.request.url).sort())
      .toEqual([byName("fail-preflight").url, byName("ok-credentialed").url].sort());
    const redirect = entries.filter((e) => e.request.url.includes(byName("redirect").key));
    expect(redirect.map((e) => [e.response.status, e.response.redirectURL])).toEqual([[302, lab.hopUrl(byName("redirect").key, 1)], [200, ""]]);
    const auth = entries.flatMap((e) => e.request.headers).filter((h: { name: string }) => h.name === "authorization");
    expect(auth.length).toBeGreaterThan(0);
    for (const h of auth) expect(h.value).toBe("[masked]");

    const panelV = await panelVerdicts();
    const read = readHar(doc);
    if (!read.ok) throw new Error(read.error);
    const fromHar = new Map(read.value.map((ex) => [ex.request.url, verdict(diagnose(ex))]));
    for (const sc of scenarios) expect({ name: sc.name, v: fromHar.get(sc.url) }).toEqual({ name: sc.name, v: panelV.get(sc.url) });

    const cli = runCli(join(downloads, name));
    expect(cli.code).toBe(1);
    expect(cli.out.map(verdict)).toEqual(read.value.map((ex) => verdict(diagnose(ex))));
  });

  test("Export report: versioned JSON of the panel's diagnoses; `cors-lens explain` reads it to the same verdicts", async () => {
    const { name, text } = await download(panel, "Export report", ".json");
    expect(text).not.toContain("e2e-s3cret");
    const doc = JSON.parse(text);
    expect(doc).toMatchObject({ format: "cors-lens-report", version: 1 });
    const panelV = await panelVerdicts();
    for (const sc of scenarios) {
      const item = doc.items.find((it: { exchange: { request: { url: string } } }) => it.exchange.request.url === sc.url);
      expect({ name: sc.name, v: verdict(item.diagnosis) }).toEqual({ name: sc.name, v: panelV.get(sc.url) });
    }
    const cli = runCli(join(downloads, name));
    expect(cli.out.map(verdict)).toEqual(doc.items.map((it: { diagnosis: Diagnosis }) => verdict(it.diagnosis)));
  });

  test("after Reveal secrets, the export carries the secret values", async () => {
    await selectRow(panel, byName("ok-credentialed").path);
    await setReveal(panel, true);
    try {
      const har = await download(panel, "Export HAR", ".har");
      expect(har.text).toContain(SECRET);
      const report = await download(panel, "Export report", ".json");
      expect(report.text).toContain(SECRET);
    } finally {
      await setReveal(panel, false);
    }
  });

  test("Copy as curl replays the preflight and the request: the lab receives the browser's Origin, method and ACR headers", async () => {
    for (const sc of scenarios) {
      await selectRow(panel, sc.path);
      const script = await copy(panel, "Copy as curl");
      if (sc.headers.authorization) {
        expect(script).toContain("authorization: [masked]");
        expect(script).not.toContain("e2e-s3cret");
      }
      const browserSent = lab.log(sc.key).filter((e) => e.hop === 0);
      const got = await runCurl(script, sc.key);
      const pick = (e: LabLogEntry | undefined) => e && ({
        method: e.method, target: e.target, preflight: e.preflight, origin: hv(e, "origin"),
        acrm: hv(e, "access-control-request-method"), acrh: hv(e, "access-control-request-headers"), xToken: hv(e, "x-trace"),
      });
      // The browser's preflight, as it was; then the actual request (which the browser never sent
      // when its preflight failed: then it is checked against what the page asked for).
      expect(got.map((e) => e.preflight)).toEqual(browserSent.some((e) => e.preflight) ? [true, false] : [false]);
      expect({ name: sc.name, pre: pick(got.find((e) => e.preflight)) }).toEqual({ name: sc.name, pre: pick(browserSent.find((e) => e.preflight)) });
      const actual = got.find((e) => !e.preflight)!;
      const browserActual = browserSent.find((e) => !e.preflight);
      if (browserActual) expect({ name: sc.name, actual: pick(actual) }).toEqual({ name: sc.name, actual: pick(browserActual) });
      // When the preflight failed the actual request never left and webRequest showed none of its
      // headers: the values come from the page hook, so the replay carries the script's own.
      expect(pick(actual)).toMatchObject({ method: sc.method, origin: APP, target: new URL(sc.url).pathname,
        xToken: sc.headers["x-trace"] === undefined ? null : sc.headers["x-trace"] });
      if (sc.name === "redirect") expect(script).toMatch(/followed 1 redirect.*hop 1 of 2/);
    }
  });

  test("Copy as curl after Reveal secrets sends the secret the page sent", async () => {
    const sc = byName("ok-credentialed");
    await selectRow(panel, sc.path);
    await setReveal(panel, true);
    try {
      const script = await copy(panel, "Copy as curl");
      expect(script).toContain(`authorization: ${SECRET}`);
      const got = await runCurl(script, sc.key);
      const actual = got.find((e) => !e.preflight)!;
      expect(hv(actual, "authorization")).toBe(SECRET);
      const browserActual = lab.log(sc.key).find((e) => !e.preflight)!;
      expect(hv(actual, "authorization")).toBe(hv(browserActual, "authorization"));
    } finally {
      await setReveal(panel, false);
    }
  });

  test("Copy as fetch: DevTools' shape, parses with acorn, and run in the page it sends the same request", async () => {
    const sc = byName("ok-credentialed");
    await selectRow(panel, sc.path);
    const masked = await copy(panel, "Copy as fetch");
    expect(masked).toContain('"authorization": "[masked]"');
    await setReveal(panel, true);
    let text: string;
    try {
      text = await copy(panel, "Copy as fetch");
    } finally {
      await setReveal(panel, false);
    }
    const ast = acorn.parse(text, { ecmaVersion: 2022 }) as unknown as { body: Array<{ type: string; expression: { callee: { name: string } } }> };
    expect(ast.body).toHaveLength(1);
    expect(ast.body[0]!.expression.callee.name).toBe("fetch");
    const before = lab.log(sc.key).length;
    const result = await app.evaluate(`(${text.trim().replace(/;$/, "")}).then((r) => "ok " + r.status, (e) => "error " + e.name)`);
    expect(result).toBe("ok 200");
    const actual = lab.log(sc.key).slice(before).find((e) => !e.preflight)!;
    const browserActual = lab.log(sc.key).find((e) => !e.preflight)!;
    for (const name of ["origin", "x-trace", "authorization"]) expect(hv(actual, name)).toBe(hv(browserActual, name));
    expect(actual.method).toBe(browserActual.method);
  });
});
