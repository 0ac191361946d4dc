// The CORS panel in headless Chromium with the built extension, against the lab: panel.html?tabId=N
// opened in a normal tab (which also turns on full capture for tab N), requests made from a lab page.
// What the panel shows must be what Chromium decided (CDP Network.loadingFailed.corsErrorStatus).
// Screenshots (list, detail and fix; light and dark; 600 and 1280 px) go to test/output/ on every run.
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Page } from "puppeteer-core";
import { diagnose } from "../../src/core/diagnose";
import { readExchange } from "../../src/core/exchange";
import { generate, isStack } from "../../src/core/fix/index";
import type { Hop } from "../../src/core/types";
import type { Entry } from "../../src/shared/protocol";
import { startLab, type Lab } from "../lab/server";
import { launchWithExtension, recordVerdicts, snapshot, tabIdOf, waitFor, type CdpVerdict, type ExtensionSession } from "./extension";

const OUTPUT = resolve(__dirname, "../output");

let lab: Lab;
let s: ExtensionSession;
let APP: string;
/** The lab page that makes the requests, its tab, and Chromium's verdicts for its requests. */
let app: Page;
let tabId: number;
let verdicts: CdpVerdict[];
let finished: Set<string>;
/** panel.html?tabId=N in its own tab. */
let panel: Page;

// ---- Scenarios ----

/** Server values built to break a careless renderer: markup, quotes, entities, a very long value. */
const HOSTILE_ACAO = `<img src=x onerror="document.title='pwned';window.__pwned=1">`;
const HOSTILE_NOTE = `"double" 'single' <script>window.__pwned=2</script> &amp; <b>bold</b> \`tick\``;
const HOSTILE_SERVER = `<b onmouseover="window.__pwned=3">nginx</b> "edge"`;
const HOSTILE_LONG = "L".repeat(4000) + `<i onclick="window.__pwned=4">end</i>`;

interface Scenario {
  name: string;
  url: string;
  path: string;
  method: string;
  headers: Record<string, string>;
  /** Expected row: status label and Chrome's code ("" for none). */
  status: "OK" | "Blocked";
  code: string;
}

const RUN = Date.now().toString(36);
const scenarios: Scenario[] = [];
const byName = (name: string): Scenario => {
  const sc = scenarios.find((x) => x.name === name);
  if (!sc) throw new Error(`no scenario ${name}`);
  return sc;
};

function define(name: string, req: { method: string; headers?: Record<string, string>; host?: string },
  expected: { status: "OK" | "Blocked"; code: string }, hops: (url: string) => Hop[]): void {
  const key = `${name}-${RUN}`;
  const url = lab.hopUrl(key, 0, req.host ?? "api.example");
  lab.register(key, { hops: hops(url) });
  scenarios.push({ name, url, path: new URL(url).pathname, method: req.method, headers: req.headers ?? {}, ...expected });
}

const allow = () => ({ "access-control-allow-origin": APP, "access-control-allow-credentials": "true", vary: "Origin" });

function defineAll(): void {
  define("ok-get", { method: "GET" }, { status: "OK", code: "" }, (url) => [
    { url, preflight: null, response: { status: 200, headers: allow() } }]);
  define("ok-put", { method: "PUT", headers: { "x-token": "1" } }, { status: "OK", code: "" }, (url) => [
    { url, preflight: { status: 204, headers: { ...allow(), "access-control-allow-methods": "PUT", "access-control-allow-headers": "x-token" } },
      response: { status: 200, headers: allow() } }]);
  define("wildcard", { method: "GET" }, { status: "Blocked", code: "WildcardOriginNotAllowed" }, (url) => [
    { url, preflight: null, response: { status: 200, headers: { ...allow(), "access-control-allow-origin": "*" } } }]);
  define("no-acac", { method: "PUT", headers: { "x-token": "1" } }, { status: "Blocked", code: "PreflightInvalidAllowCredentials" }, (url) => [
    { url, preflight: { status: 204, headers: { "access-control-allow-origin": APP, "access-control-allow-methods": "PUT", "access-control-allow-headers": "x-token" } },
      response: { status: 200, headers: allow() } }]);
  define("header", { method: "GET", headers: { "x-token": "1" } }, { status: "Blocked", code: "HeaderDisallowedByPreflightResponse" }, (url) => [
    { url, preflight: { status: 204, headers: { ...allow(), "access-control-allow-methods": "GET", "access-control-allow-headers": "content-type" } },
      response: { status: 200, headers: allow() } }]);
  define("method", { method: "PUT" }, { status: "Blocked", code: "MethodDisallowedByPreflightResponse" }, (url) => [
    { url, preflight: { status: 204, headers: { ...allow(), "access-control-allow-methods": "GET, POST" } },
      response: { status: 200, headers: allow() } }]);
  // Secret-looking headers: masked by name (x-api-key), by value (a Bearer credential), by the user's setting (x-tenant).
  const secretHeaders = "x-api-key, x-tenant, x-upstream";
  define("secrets", { method: "GET", headers: { "X-Api-Key": "sekret-1", "X-Tenant": "acme-corp", "X-Upstream": "Bearer abcdefghijk" } },
    { status: "OK", code: "" }, (url) => [
      { url, preflight: { status: 204, headers: { ...allow(), "access-control-allow-methods": "GET", "access-control-allow-headers": secretHeaders } },
        response: { status: 200, headers: allow() } }]);
  // On its own host, so the stack chosen for api.example in the copy test does not hide the Server guess.
  define("hostile", { method: "GET", host: "evil.example" }, { status: "Blocked", code: "MultipleAllowOriginValues" }, (url) => [
    { url, preflight: null, response: { status: 200, headers: {
      "access-control-allow-origin": HOSTILE_ACAO, "access-control-allow-credentials": "true",
      "x-note": HOSTILE_NOTE, server: HOSTILE_SERVER, "x-long": HOSTILE_LONG } } }]);
}

/** One credentialed request from the lab page, through the hooked fetch; what the page saw. */
async function request(sc: Scenario): Promise<string> {
  return app.evaluate((url: string, method: string, headers: Record<string, string>) =>
    fetch(url, { method, headers, credentials: "include" }).then((r) => `ok ${r.status}`, (e: Error) => `error ${e.name}`),
  sc.url, sc.method, sc.headers);
}

// ---- Reading the panel ----

interface RowView { index: number; status: string; method: string; path: string; host: string; code: string; selected: boolean }

function readRows(p: Page): Promise<RowView[]> {
  return p.$$eval(".grid-rows > [role=row]", (els) => els.map((r) => ({
    index: Number(r.getAttribute("aria-rowindex")) - 2,
    status: r.querySelector(".c-status")?.textContent ?? "",
    method: r.querySelector(".c-method")?.textContent ?? "",
    path: r.querySelector(".c-url .path")?.textContent ?? "",
    host: r.querySelector(".c-url .host")?.textContent ?? "",
    code: r.querySelector(".c-code")?.textContent ?? "",
    selected: r.getAttribute("aria-selected") === "true",
  })).sort((a, b) => a.index - b.index));
}

async function waitForRows(p: Page, n: number): Promise<RowView[]> {
  let rows: RowView[] = [];
  try {
    return await waitFor(`${n} settled rows`, async () => {
      rows = await readRows(p);
      // A row can appear before its exchange completes; wait for every expected code to be there.
      const done = scenarios.every((sc) => rows.some((r) => r.path === sc.path && r.code === sc.code));
      return rows.length >= n && done ? rows : null;
    }, 15000);
  } catch (e) {
    throw new Error(`${(e as Error).message}; the panel shows ${JSON.stringify(rows, null, 1)}`);
  }
}

async function selectRow(p: Page, path: string): Promise<void> {
  const rows = await readRows(p);
  const row = rows.find((r) => r.path === path);
  if (!row) throw new Error(`no row for ${path}`);
  await p.click(`#cl-row-${row.index}`);
  await p.waitForFunction((want: string) => document.querySelector(".detail-title")?.textContent?.includes(want), {}, path);
}

interface DetailView {
  title: string;
  message: string;
  stages: Array<{ title: string; status: string; failing: boolean; current: string | null; flag: string | null }>;
  received: string | null;
  expected: string | null;
  /** Culprit rows of the failing-header table: name, value, whether it is the "missing" row. */
  culprits: Array<{ name: string; value: string; missing: boolean }>;
  failingCaption: string | null;
  /** The request side (method/header disallowed): highlighted items and the key-value lines. */
  marks: string[];
  requestSide: string[];
  /** The request-headers table's culprit row names. */
  requestCulprits: string[];
  facts: Record<string, string>;
  /** The per-browser line ("Chrome ✗ … · Firefox ✗ … · Safari ✗ …"). */
  engines: string;
  sections: string[];
}

function readDetail(p: Page): Promise<DetailView> {
  return p.evaluate(() => {
    const d = document.querySelector('[role="region"][aria-label="Request detail"]');
    if (!d) throw new Error("no detail");
    const text = (el: Element | null | undefined) => (el ? el.textContent ?? "" : "");
    const sec = (id: string) => d.querySelector(`section[aria-labelledby="${id}"]`);
    const failing = sec("sec-failing");
    /** A header cell's name without the screen-reader suffix. */
    const nameOf = (th: Element | null) => (th ? [...th.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join("") : "");
    const facts: Record<string, string> = {};
    const dts = [...(sec("sec-why")?.querySelectorAll("dt") ?? [])];
    for (const dt of dts) facts[text(dt)] = text(dt.nextElementSibling);
    const requestTable = [...(sec("sec-headers")?.querySelectorAll("table.headers") ?? [])]
      .find((t) => text(t.querySelector("caption")) === "Request headers set by the script");
    return {
      title: text(d.querySelector(".detail-title")),
      message: text(d.querySelector(".message")),
      stages: [...d.querySelectorAll(".stage")].map((li) => ({
        title: text(li.querySelector(".stage-title")),
        status: text(li.querySelector(".stage-status")),
        failing: li.classList.contains("failing"),
        current: li.getAttribute("aria-current"),
        flag: li.querySelector(".stage-flag") ? text(li.querySelector(".stage-flag")) : null,
      })),
      received: failing?.querySelector(".received .mono") ? text(failing.querySelector(".received .mono")) : null,
      expected: failing?.querySelector(".expected .mono") ? text(failing.querySelector(".expected .mono")) : null,
      culprits: [...(failing?.querySelectorAll("table.headers tr[data-culprit]") ?? [])].map((tr) => ({
        name: nameOf(tr.querySelector("th")), value: text(tr.querySelector("td")), missing: tr.classList.contains("missing"),
      })),
      failingCaption: failing?.querySelector("table.headers caption") ? text(failing.querySelector("table.headers caption")) : null,
      marks: [...(failing?.querySelectorAll("mark[data-culprit]") ?? [])].map((m) => text(m)),
      requestSide: [...(failing?.querySelectorAll(".request-side .kv") ?? [])].map((k) => text(k)),
      requestCulprits: [...(requestTable?.querySelectorAll("tr[data-culprit] th") ?? [])].map((th) => nameOf(th)),
      facts,
      engines: text(d.querySelector(".engine-line")),
      sections: [...d.querySelectorAll("section h3")].map((h) => text(h)),
    };
  });
}

/** Pre-fills the clipboard so a later read proves the copy happened. */
async function clipboardSentinel(p: Page): Promise<string> {
  const sentinel = `sentinel-${Math.random()}`;
  await p.bringToFront();
  await p.evaluate((t: string) => navigator.clipboard.writeText(t), sentinel);
  return sentinel;
}

async function readClipboard(p: Page): Promise<string> {
  await p.bringToFront();
  return p.evaluate(() => navigator.clipboard.readText());
}

async function clickButton(p: Page, name: string): Promise<void> {
  const button = await p.waitForSelector(`::-p-aria([name="${name}"][role="button"])`);
  await button!.click();
}

async function copyStatus(p: Page, want: string): Promise<string> {
  await p.waitForFunction((w: string) => document.querySelector(".copy-status")?.textContent === w, { timeout: 5000 }, want);
  return p.$eval(".copy-status", (el) => el.textContent ?? "");
}

/** The background's entry for a scenario (what the panel renders). */
async function entryOf(sc: Scenario): Promise<Entry> {
  const snap = await snapshot(s.control, tabId);
  const e = snap.entries.find((x) => x.exchange.request.url === sc.url);
  if (!e) throw new Error(`no entry for ${sc.url}`);
  return e;
}

const verdictOf = (url: string) => verdicts.find((v) => v.url === url) ?? null;

async function openPanel(query = "", viewport = { width: 1280, height: 800 }): Promise<Page> {
  const p = await s.browser.newPage();
  await p.setViewport(viewport);
  await p.goto(`chrome-extension://${s.extensionId}/panel.html?tabId=${tabId}${query}`);
  await p.waitForSelector('[role="grid"]');
  return p;
}

// ---- Set-up: one lab page, one panel, every scenario requested once ----

beforeAll(async () => {
  mkdirSync(OUTPUT, { recursive: true });
  lab = await startLab();
  s = await launchWithExtension();
  APP = lab.origin("app.example");
  defineAll();

  // "Copy fix" and the test's own clipboard reads, as a user's click would be allowed to.
  const cdp = await s.browser.target().createCDPSession();
  // (The override lasts as long as the CDP session that set it: keep it attached.)
  await cdp.send("Browser.grantPermissions", {
    origin: `chrome-extension://${s.extensionId}`,
    permissions: ["clipboardReadWrite", "clipboardSanitizedWrite"],
  });

  app = await s.browser.newPage();
  await app.goto(`${APP}/page.html?panel=${RUN}`);
  tabId = await tabIdOf(s.control, app);
  ({ verdicts, finished } = await recordVerdicts(app));

  panel = await openPanel();
  await waitFor("full capture", async () => (await snapshot(s.control, tabId)).captureLevel === "full");

  // One at a time, so the list's order is the scenarios' order.
  const seen: string[] = [];
  for (const sc of scenarios) seen.push(await request(sc));
  expect(seen).toEqual(scenarios.map((sc) => (sc.status === "OK" ? "ok 200" : "error TypeError")));
  await waitFor("Chromium's verdicts", async () => scenarios.every((sc) => finished.has(sc.url) || verdictOf(sc.url)));
  await waitForRows(panel, scenarios.length);
}, 90000);

afterAll(async () => {
  await s?.cleanup();
  await lab?.close();
});

// ---- Tests ----

describe("the CORS panel in Chromium", () => {
  test("one row per request: method, path, blocked/OK and the code, which is Chromium's own verdict", async () => {
    const rows = await readRows(panel);
    expect(rows.map(({ method, path, status, code }) => ({ method, path, status, code })))
      .toEqual(scenarios.map(({ method, path, status, code }) => ({ method, path, status, code })));
    for (const sc of scenarios) {
      const v = verdictOf(sc.url);
      const row = rows.find((r) => r.path === sc.path)!;
      // Chromium's verdict: a corsError for the blocked, a finished load for the passing.
      if (sc.status === "OK") {
        expect({ url: sc.url, verdict: v }).toEqual({ url: sc.url, verdict: null });
        expect(finished.has(sc.url)).toBe(true);
      } else {
        expect({ url: sc.url, code: row.code }).toEqual({ url: sc.url, code: v?.corsError });
      }
    }
    expect(rows.find((r) => r.path === byName("hostile").path)!.host).toBe(`evil.example:${lab.port}`);
    const counts = await panel.$eval('[data-testid="counts"]', (el) => el.textContent);
    expect(counts).toBe(`${scenarios.length} requests · 5 blocked · 0 dropped`);
  });

  test("wildcard origin with credentials: the response, Access-Control-Allow-Origin: * highlighted", async () => {
    const sc = byName("wildcard");
    await selectRow(panel, sc.path);
    const d = await readDetail(panel);
    expect(d.title).toBe(`GET ${sc.url}`);
    expect(d.stages).toEqual([{ title: "GET request", status: "200", failing: true, current: "step", flag: sc.code }]);
    expect(d.culprits).toEqual([{ name: "access-control-allow-origin", value: "*", missing: false }]);
    expect(d.failingCaption).toBe("Response: 200");
    expect({ received: d.received, expected: d.expected }).toEqual({ received: "*", expected: APP });
    expect(d.facts.Chrome).toBe(verdictOf(sc.url)!.corsError);
    expect(d.facts.Chrome).toBe("WildcardOriginNotAllowed");
    expect(d.facts.Firefox).toBe("CORSNotSupportingCredentials");
    expect(d.engines).toBe("Chrome ✗ WildcardOriginNotAllowed · Firefox ✗ CORSNotSupportingCredentials · " +
      "Safari ✗ Cannot use wildcard in Access-Control-Allow-Origin when credentials flag is true.");
    expect(d.facts.Credentials).toBe("include");
    expect(d.marks).toEqual([]);
    expect(d.sections).toEqual(["Stages", "Failing header", "Explanation", "Fix", "Cookies", "Headers"]);
  });

  test("preflight without Access-Control-Allow-Credentials: the preflight fails, the header shown as missing", async () => {
    const sc = byName("no-acac");
    await selectRow(panel, sc.path);
    const d = await readDetail(panel);
    expect(d.stages).toEqual([
      { title: "Preflight OPTIONS", status: "204", failing: true, current: "step", flag: sc.code },
      { title: "PUT request", status: "not sent", failing: false, current: null, flag: null },
    ]);
    expect(d.culprits).toEqual([{ name: "access-control-allow-credentials", value: "missing", missing: true }]);
    expect(d.failingCaption).toBe("Preflight response: 204");
    expect({ received: d.received, expected: d.expected }).toEqual({ received: "missing", expected: "true" });
    expect(d.facts.Chrome).toBe(verdictOf(sc.url)!.corsError);
    expect(d.facts.Chrome).toBe("PreflightInvalidAllowCredentials");
    expect(d.facts.Firefox).toBe("CORSMissingAllowCredentials");
    // The missing-row's "missing" is an element, not a header value the server sent.
    expect(await panel.$$eval("section[aria-labelledby=sec-failing] tr.missing em.missing-text", (els) => els.length)).toBe(1);
  });

  test("header not allowed by the preflight: x-token highlighted on the request side and in Access-Control-Allow-Headers' row", async () => {
    const sc = byName("header");
    await selectRow(panel, sc.path);
    const d = await readDetail(panel);
    expect(d.stages.map((x) => [x.title, x.status, x.failing])).toEqual([["Preflight OPTIONS", "204", true], ["GET request", "not sent", false]]);
    expect(d.culprits).toEqual([{ name: "access-control-allow-headers", value: "content-type", missing: false }]);
    expect({ received: d.received, expected: d.expected }).toEqual({ received: "content-type", expected: "x-token" });
    expect(d.facts.Chrome).toBe(`${verdictOf(sc.url)!.corsError} (failed parameter: ${verdictOf(sc.url)!.failedParameter})`);
    expect(d.facts.Chrome).toBe("HeaderDisallowedByPreflightResponse (failed parameter: x-token)");
    expect(d.facts.Firefox).toBe("CORSMissingAllowHeaderFromPreflight");
    expect(d.marks).toEqual(["x-token", "x-token"]);
    expect(d.requestSide).toEqual(["access-control-request-headers x-token", "Request header x-token"]);
    expect(d.requestCulprits).toEqual(["x-token"]);
  });

  test("method not allowed by the preflight: PUT highlighted on the request side, Access-Control-Allow-Methods' row", async () => {
    const sc = byName("method");
    await selectRow(panel, sc.path);
    const d = await readDetail(panel);
    expect(d.stages.map((x) => [x.title, x.status, x.failing])).toEqual([["Preflight OPTIONS", "204", true], ["PUT request", "not sent", false]]);
    expect(d.culprits).toEqual([{ name: "access-control-allow-methods", value: "GET, POST", missing: false }]);
    expect({ received: d.received, expected: d.expected }).toEqual({ received: "GET, POST", expected: "PUT" });
    expect(d.facts.Chrome).toBe(`${verdictOf(sc.url)!.corsError} (failed parameter: ${verdictOf(sc.url)!.failedParameter})`);
    expect(d.facts.Chrome).toBe("MethodDisallowedByPreflightResponse (failed parameter: PUT)");
    expect(d.facts.Firefox).toBe("CORSMethodNotFound");
    expect(d.marks).toEqual(["PUT", "PUT"]);
    expect(d.requestSide).toEqual(["Request method PUT", "access-control-request-method PUT"]);
  });

  test("a passing request: OK, no failing stage, no failing header, no fix", async () => {
    const sc = byName("ok-put");
    await selectRow(panel, sc.path);
    const d = await readDetail(panel);
    expect(d.message).toBe("The request passes every CORS check.");
    expect(d.stages.map((x) => [x.title, x.status, x.failing])).toEqual([["Preflight OPTIONS", "204", false], ["PUT request", "200", false]]);
    // A correct exact-origin allow-list is no audit finding; the probe command is offered quietly.
    expect(d.sections).toEqual(["Stages", "Explanation", "Cookies", "Headers"]);
    expect(await panel.$eval("[data-audit=probe] pre", (e) => e.textContent)).toMatch(/^cors-lens probe '.*' --origin '.*' --credentials --audit$/);
    expect(d.facts.Chrome).toBe("—");
  });

  test("Copy fix puts exactly the shown snippet of the chosen stack on the clipboard, and says so", async () => {
    const sc = byName("wildcard");
    await selectRow(panel, sc.path);
    const entry = await entryOf(sc);
    const copyFix = async (stack: string) => {
      expect(await panel.$eval('select[aria-label="Server stack"]', (el) => (el as HTMLSelectElement).value)).toBe(stack);
      const shown = await panel.$eval(".fix-server pre.code", (el) => el.textContent ?? "");
      if (!isStack(stack)) throw new Error(stack);
      expect(shown).toBe(generate(stack, entry.diagnosis, entry.exchange).code);
      const sentinel = await clipboardSentinel(panel);
      await clickButton(panel, "Copy fix");
      expect(await copyStatus(panel, "Copied")).toBe("Copied");
      const copied = await readClipboard(panel);
      expect(copied).not.toBe(sentinel);
      expect(copied).toBe(shown);
      return copied;
    };
    expect(await panel.$eval('[data-testid="stack-reason"]', (el) => el.textContent)).toBe("not chosen yet; pick your server's stack");
    const express = await copyFix("express");
    expect(express).toContain(JSON.stringify(APP).slice(1, -1));
    // Another stack: the snippet changes, the choice is remembered for this server, the copy follows.
    await panel.select('select[aria-label="Server stack"]', "nginx");
    await panel.waitForFunction(() => document.querySelector('[data-testid="stack-reason"]')?.textContent === "your choice for this server");
    const nginx = await copyFix("nginx");
    expect(nginx).not.toBe(express);
    // The confirmation goes away by itself.
    await panel.waitForFunction(() => document.querySelector(".copy-status")?.textContent === "", { timeout: 5000 });
  });

  test("Copy as JSON round-trips through readExchange + diagnose to the same code, for every blocked request", async () => {
    for (const sc of scenarios.filter((x) => x.status === "Blocked")) {
      await selectRow(panel, sc.path);
      const sentinel = await clipboardSentinel(panel);
      await clickButton(panel, "Copy as JSON");
      await copyStatus(panel, "Copied");
      const text = await readClipboard(panel);
      expect(text).not.toBe(sentinel);
      const read = readExchange(JSON.parse(text));
      if (!read.ok) throw new Error(`${sc.name}: ${read.error}`);
      expect(read.value.request.url).toBe(sc.url);
      const d = diagnose(read.value);
      expect({ name: sc.name, code: d.code, failedParameter: d.failedParameter }).toEqual({
        name: sc.name, code: verdictOf(sc.url)!.corsError, failedParameter: verdictOf(sc.url)!.failedParameter });
    }
  });

  test("keyboard: arrows move the selection, Enter opens the detail, Escape closes it, Ctrl+F focuses the filter", async () => {
    await panel.bringToFront();
    // Start from a closed detail.
    if (await panel.$('[aria-label="Request detail"]')) await panel.keyboard.press("Escape");
    await panel.waitForFunction(() => !document.querySelector('[aria-label="Request detail"]'));
    await panel.focus('[role="grid"]');
    const selected = async () => (await readRows(panel)).filter((r) => r.selected).map((r) => r.index);
    await panel.keyboard.press("Home");
    expect(await selected()).toEqual([0]);
    await panel.keyboard.press("ArrowDown");
    await panel.keyboard.press("ArrowDown");
    expect(await selected()).toEqual([2]);
    await panel.keyboard.press("ArrowUp");
    expect(await selected()).toEqual([1]);
    expect(await panel.$eval('[role="grid"]', (g) => g.getAttribute("aria-activedescendant"))).toBe("cl-row-1");
    // Moving does not open the detail; Enter does, on the selected row.
    expect(await panel.$('[aria-label="Request detail"]')).toBeNull();
    await panel.keyboard.press("Enter");
    await panel.waitForSelector('[aria-label="Request detail"]');
    expect((await readDetail(panel)).title).toBe(`${scenarios[1]!.method} ${scenarios[1]!.url}`);
    // With the detail open the arrows still move, and the detail follows.
    await panel.keyboard.press("ArrowDown");
    await panel.waitForFunction((u: string) => document.querySelector(".detail-title")?.textContent?.endsWith(u), {}, scenarios[2]!.url);
    await panel.keyboard.press("Escape");
    await panel.waitForFunction(() => !document.querySelector('[aria-label="Request detail"]'));
    expect(await panel.evaluate(() => document.activeElement?.getAttribute("role"))).toBe("grid");
    expect(await selected()).toEqual([2]);

    await panel.keyboard.down("Control");
    await panel.keyboard.press("f");
    await panel.keyboard.up("Control");
    expect(await panel.evaluate(() => (document.activeElement as HTMLInputElement | null)?.getAttribute("aria-label"))).toBe("Filter");
    await panel.keyboard.type("methoddisallowed");
    await panel.waitForFunction(() => document.querySelectorAll(".grid-rows > [role=row]").length === 1);
    expect((await readRows(panel)).map((r) => r.path)).toEqual([byName("method").path]);
    expect(await panel.$eval('[data-testid="counts"]', (el) => el.textContent)).toBe(`1 / ${scenarios.length} requests · 5 blocked · 0 dropped`);
    // Ctrl+F again selects the filter text, so typing replaces it.
    await panel.focus('[role="grid"]');
    await panel.keyboard.down("Control");
    await panel.keyboard.press("f");
    await panel.keyboard.up("Control");
    await panel.keyboard.press("Backspace");
    await panel.waitForFunction((n: number) => document.querySelectorAll(".grid-rows > [role=row]").length === n, {}, scenarios.length);
  });

  test("hostile server values are shown as text: no injected element, quotes and markup intact, the long value cut then shown whole", async () => {
    const sc = byName("hostile");
    await selectRow(panel, sc.path);
    const d = await readDetail(panel);
    expect(d.facts.Chrome).toBe(`${sc.code} (failed parameter: ${HOSTILE_ACAO})`);
    expect(verdictOf(sc.url)).toMatchObject({ corsError: sc.code, failedParameter: HOSTILE_ACAO });
    expect(d.received).toBe(HOSTILE_ACAO);
    expect(d.culprits).toEqual([{ name: "access-control-allow-origin", value: HOSTILE_ACAO, missing: false }]);
    // The Server header's guess is shown as text too.
    expect(await panel.$eval('[data-testid="stack-reason"]', (el) => el.textContent)).toBe(`guessed from Server: ${HOSTILE_SERVER}`);
    expect(await panel.$eval('select[aria-label="Server stack"]', (el) => (el as HTMLSelectElement).value)).toBe("nginx");

    /** The value cell of a header in the Headers section's response table. */
    const td = (name: string) => panel.evaluateHandle((n: string) => {
      const tables = [...document.querySelectorAll('section[aria-labelledby="sec-headers"] table.headers')];
      const table = tables.find((t) => t.querySelector("caption")?.textContent?.startsWith("Response"));
      const row = [...(table?.querySelectorAll("tr") ?? [])].find((tr) => tr.querySelector("th")?.textContent === n);
      const cell = row?.querySelector("td");
      if (!cell) throw new Error(`no ${n} row in the response headers`);
      return cell;
    }, name);
    const cell = async (name: string) => (await td(name)).evaluate((el) => el.textContent);
    expect(await cell("x-note")).toBe(HOSTILE_NOTE);
    expect(await cell("server")).toBe(HOSTILE_SERVER);
    const long = await cell("x-long");
    expect(long).toBe(`${HOSTILE_LONG.slice(0, 2000)}… Show all ${HOSTILE_LONG.length.toLocaleString("en-US")} characters`);
    // The same value in the failing header's table is cut too; each expands on its own.
    expect(await panel.$$eval("button.link", (bs) => bs.filter((b) => b.textContent?.startsWith("Show all")).length)).toBe(2);
    const more = await (await td("x-long")).$("button");
    if (!more) throw new Error("no Show all button in the Headers section");
    await more.click();
    expect(await cell("x-long")).toBe(HOSTILE_LONG);

    // Nothing the server sent became an element, ran, or changed the page.
    const dom = await panel.evaluate(() => ({
      img: document.querySelectorAll("img").length,
      scripts: [...document.querySelectorAll("script")].map((x) => x.getAttribute("src")),
      injected: document.querySelectorAll("b, i, [onerror], [onclick], [onmouseover]").length,
      pwned: (window as unknown as { __pwned?: number }).__pwned ?? null,
      title: document.title,
    }));
    expect(dom).toEqual({ img: 0, scripts: ["panel.js"], injected: 0, pwned: null, title: "CORS Lens" });
    // A hovered culprit cannot fire anything either.
    await panel.hover('section[aria-labelledby="sec-failing"] tr[data-culprit] td');
    expect(await panel.evaluate(() => (window as unknown as { __pwned?: number }).__pwned ?? null)).toBeNull();
    // The detail body scrolls vertically only: the long value wraps.
    expect(await panel.$eval(".detail-body", (el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    await panel.screenshot({ path: resolve(OUTPUT, "panel-hostile-light-1280.png") as `${string}.png` });
  });

  test("secret headers are masked by name, by value and by the user's options page settings, in the table and in Copy as curl", async () => {
    const sc = byName("secrets");
    const masked = async () => panel.evaluate(() => Object.fromEntries([...document.querySelectorAll("table.headers tr")]
      .map((tr) => [tr.querySelector("th")?.textContent?.trim().toLowerCase() ?? "", tr.querySelector("td")?.classList.contains("masked") ?? false])
      .filter(([n]) => ["x-api-key", "x-tenant", "x-upstream"].includes(n as string))));
    await selectRow(panel, sc.path);
    await waitFor("default masking", async () => JSON.stringify(await masked()) === JSON.stringify({ "x-api-key": true, "x-tenant": false, "x-upstream": true }));
    // The options page, as a user fills it in.
    const opts = await s.browser.newPage();
    await opts.goto(`chrome-extension://${s.extensionId}/options.html`);
    await opts.type("#extra", "X-Tenant\nnot a header name");
    await opts.type("#plain", "x-api-key");
    await opts.click("button[type=submit]");
    await waitFor("saved", async () => /Saved; 1 line/.test(await opts.$eval("#status", (e) => e.textContent ?? "")));
    // The open panel picks the change up (storage.onChanged), without a reload.
    await waitFor("the user's masking", async () => JSON.stringify(await masked()) === JSON.stringify({ "x-api-key": false, "x-tenant": true, "x-upstream": true }));
    await panel.bringToFront(); // the clipboard is the focused page's
    await clipboardSentinel(panel);
    await clickButton(panel, "Copy as curl");
    const curl = await readClipboard(panel);
    expect(curl).toContain("sekret-1");
    expect(curl).not.toContain("acme-corp");
    expect(curl).not.toContain("abcdefghijk");
    // Back to the defaults for the tests after this one (input goes to the page in front).
    await opts.bringToFront();
    await opts.evaluate(() => { (document.getElementById("extra") as HTMLTextAreaElement).value = ""; (document.getElementById("plain") as HTMLTextAreaElement).value = ""; });
    await opts.click("button[type=submit]");
    await waitFor("defaults again", async () => (await masked())["x-api-key"] === true);
    await opts.close();
    await panel.bringToFront();
  });

  test("the list/detail split: dragged with the pointer, and remembered when the panel opens again", async () => {
    const p = await openPanel("", { width: 1280, height: 720 });
    try {
      await waitForRows(p, scenarios.length);
      await selectRow(p, byName("header").path);
      const share = () => p.evaluate(() => document.querySelector(".grid")!.getBoundingClientRect().width / document.querySelector(".main")!.getBoundingClientRect().width);
      const before = await share();
      const sep = (await p.$(".splitter"))!.boundingBox();
      const box = (await sep)!;
      await p.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await p.mouse.down();
      await p.mouse.move(box.x + 250, box.y + box.height / 2, { steps: 5 });
      await p.mouse.up();
      const after = await share();
      expect(after - before).toBeGreaterThan(0.15);
      await p.reload();
      await waitForRows(p, scenarios.length);
      await selectRow(p, byName("header").path);
      expect(Math.abs((await share()) - after)).toBeLessThan(0.02);
    } finally {
      await p.close();
    }
  });

  test("columns: aligned under their headers, hosts whole at 600 px, sorted by a click, resized by a drag, chosen by the header menu, and remembered", async () => {
    /** Each header cell's and each row cell's left and right edges, and whether a host is cut. */
    const geometry = (p: Page) => p.evaluate(() => {
      const edges = (row: Element) => [...row.children].map((c) => { const r = c.getBoundingClientRect(); return [Math.round(r.left), Math.round(r.right)]; });
      const head = edges(document.querySelector(".row.head")!);
      const rows = [...document.querySelectorAll(".grid-rows > [role=row]")];
      return {
        headers: [...document.querySelectorAll("[role=columnheader]")].map((h) => h.textContent?.replace(/ [▲▼]$/, "") ?? ""),
        misaligned: rows.filter((r) => JSON.stringify(edges(r)) !== JSON.stringify(head)).length,
        cutHosts: rows.map((r) => r.querySelector<HTMLElement>(".c-url .host")!).filter((h) => h.scrollWidth > h.clientWidth + 1).map((h) => h.textContent),
        hosts: rows.map((r) => r.querySelector(".c-url .host")!.textContent),
        times: rows.map((r) => r.querySelector(".c-time")?.textContent ?? null),
      };
    });
    for (const width of [600, 1280]) {
      const p = await openPanel("", { width, height: 720 });
      try {
        await waitForRows(p, scenarios.length);
        const g = await geometry(p);
        expect(g.misaligned).toBe(0);
        expect(g.cutHosts).toEqual([]);
        expect(g.hosts).toContain(`evil.example:${lab.port}`);
        if (width === 600) {
          expect(g.headers).toEqual(["Status", "Method", "HTTP", "URL", "CORS error"]);
        } else {
          expect(g.headers).toEqual(["Status", "Method", "HTTP", "URL", "Origin", "Credentials", "Preflight", "CORS error", "Time"]);
          // Time is the background's own record of each request's end: every row has one.
          expect(g.times.every((t) => t !== null && /^\d+ ms$|^\d+\.\d+ s$/.test(t))).toBe(true);
        }
      } finally {
        await p.close();
      }
    }
    const p = await openPanel("", { width: 1280, height: 720 });
    try {
      await waitForRows(p, scenarios.length);
      // Sort by CORS error, descending: the rows read in that order; the page's own order comes back on a third click.
      const codes = async () => (await readRows(p)).map((r) => r.code);
      const capture = await codes();
      await p.click('[role=columnheader].c-code button.sort');
      await p.click('[role=columnheader].c-code button.sort');
      const want = [...capture].sort((a, b) => b.localeCompare(a, "en", { numeric: true }));
      expect(await codes()).toEqual(want);
      // Resize Method by dragging its right edge 60 px with the real mouse.
      const method = () => p.$eval("[role=columnheader].c-method", (el) => Math.round(el.getBoundingClientRect().width));
      const before = await method();
      const edge = (await (await p.$("[role=columnheader].c-method .resizer"))!.boundingBox())!;
      await p.mouse.move(edge.x + edge.width / 2, edge.y + edge.height / 2);
      await p.mouse.down();
      await p.mouse.move(edge.x + edge.width / 2 + 60, edge.y + edge.height / 2, { steps: 6 });
      await p.mouse.up();
      expect(Math.abs((await method()) - (before + 60))).toBeLessThanOrEqual(2);
      // Right-click the header: hide Origin, show Size.
      await p.click("[role=columnheader].c-status", { button: "right" });
      await p.waitForSelector('[role=menu][aria-label="Columns"]');
      const item = async (label: string) => {
        const handles = await p.$$('[role=menu] [role=menuitemcheckbox]');
        for (const h of handles) if ((await h.evaluate((e) => e.textContent))?.endsWith(label)) return h;
        throw new Error(`no menu item ${label}`);
      };
      await (await item("Origin")).click();
      await (await item("Size")).click();
      await p.keyboard.press("Escape");
      expect((await geometry(p)).headers).toEqual(["Status", "Method", "HTTP", "URL", "Credentials", "Preflight", "CORS error", "Time", "Size"]);
      await p.screenshot({ path: resolve(OUTPUT, "panel-columns-light-1280.png") as `${string}.png` });
      // A panel opened later shows the same columns, width and order.
      await p.reload();
      await waitForRows(p, scenarios.length);
      const again = await geometry(p);
      expect(again.headers).toEqual(["Status", "Method", "HTTP", "URL", "Credentials", "Preflight", "CORS error", "Time", "Size"]);
      expect(again.misaligned).toBe(0);
      expect(Math.abs((await method()) - (before + 60))).toBeLessThanOrEqual(2);
      expect(await codes()).toEqual(want);
      expect(await p.$eval("[role=columnheader].c-code", (el) => el.getAttribute("aria-sort"))).toBe("descending");
    } finally {
      // The other tests read the default columns: put them back.
      await p.evaluate((key: string) => (globalThis as unknown as { chrome: { storage: { local: { remove(k: string): Promise<void> } } } }).chrome.storage.local.remove(key), "panel.columns");
      await p.close();
    }
  });

  test("screenshots: list, detail and fix, light and dark, 600 and 1280 px wide (test/output/panel-*.png)", async () => {
    for (const theme of ["light", "dark"] as const) {
      for (const width of [600, 1280]) {
        const p = await openPanel(`&theme=${theme}`, { width, height: 720 });
        try {
          await waitForRows(p, scenarios.length);
          expect(await p.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
          const shot = (what: string) => p.screenshot({ path: resolve(OUTPUT, `panel-${what}-${theme}-${width}.png`) as `${string}.png` });
          // The layout must not overflow sideways at either width.
          const overflow = () => p.evaluate(() => {
            const out: string[] = [];
            // Nor down: the page itself never scrolls (only the list and the detail do).
            const doc = document.documentElement;
            if (doc.scrollHeight > doc.clientHeight + 1) out.push(`document ${doc.scrollHeight} > ${doc.clientHeight}`);
            const top = document.querySelector(".toolbar")?.getBoundingClientRect().top;
            if (top !== 0) out.push(`toolbar top at ${top}`);
            for (const sel of [".app", ".toolbar", ".grid", ".detail-body", ".detail-head"]) {
              const el = document.querySelector(sel);
              if (el && el.scrollWidth > el.clientWidth + 1) out.push(`${sel} ${el.scrollWidth} > ${el.clientWidth}`);
            }
            return out;
          });
          await shot("list");
          expect(await overflow()).toEqual([]);
          // One toolbar row at both widths; at 600 px the secondary controls are behind "⋯".
          const bar = await p.evaluate(() => {
            const t = document.querySelector(".toolbar")!.getBoundingClientRect();
            const more = document.querySelector<HTMLElement>(".toolbar .more")!;
            const preserve = [...document.querySelectorAll<HTMLElement>(".toolbar .toggle")].find((x) => x.textContent?.includes("Preserve log"))!;
            return { height: t.height, more: more.offsetParent !== null, preserve: preserve.offsetParent !== null };
          });
          expect(bar.height).toBeLessThan(36);
          expect([bar.more, bar.preserve]).toEqual(width === 600 ? [true, false] : [false, true]);
          if (width === 600) {
            await p.click(".toolbar .more");
            expect(await p.evaluate(() => [...document.querySelectorAll<HTMLElement>(".toolbar .toggle")]
              .find((x) => x.textContent?.includes("Preserve log"))!.offsetParent !== null)).toBe(true);
            await shot("toolbar-menu");
            await p.click(".toolbar .more");
          }
          await selectRow(p, byName("header").path);
          await shot("detail");
          expect(await overflow()).toEqual([]);
          await p.$eval('section[aria-labelledby="sec-fix"]', (el) => el.scrollIntoView({ block: "start" }));
          // Two frames: a screenshot taken before the scroll is painted shows the old and new content overlapped.
          await p.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
          await shot("fix");
          expect(await overflow()).toEqual([]);
        } finally {
          await p.close();
        }
      }
    }
  });
});
