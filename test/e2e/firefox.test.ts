// The built Firefox extension (dist/firefox, or $CORS_LENS_DIST/firefox): AMO's linter, then a
// smoke test in headless firefox-esr against the lab. See docs/firefox.md for what Firefox reports.
//
// Firefox is driven by puppeteer-core over WebDriver BiDi (helpers/firefox.ts): the add-on is
// installed as a temporary add-on (webExtension.install); lab pages are opened in tabs, and Firefox's
// own CORS reason is read from their console (log.entryAdded). Extension pages (started with
// --remote-allow-system-access, the only way BiDi navigates to moz-extension://) evaluate code with
// `browser.*`: the add-on's manifest.json as a driver tab (probe listeners, tabs, badge, the
// background page's window), and panel.html?tabId=N, whose runtime port gives the record the way
// the panel reads it: HELLO → SNAPSHOT. Errors from the add-on's documents come from Firefox's output.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Page } from "puppeteer-core";
import type { Entry, SnapshotMessage } from "../../src/shared/protocol";
import { MSG, PORT_NAME } from "../../src/shared/protocol";
import { startLab, type Lab } from "../lab/server";
import { waitFor } from "./extension";
import {
  corsMessages, corsReason, evalJson, extensionProblems, launchFirefox, openExtensionPage, openPage,
  type ConsoleMessage, type Firefox,
} from "./helpers/firefox";

const ROOT = resolve(__dirname, "../..");
const DIST_FIREFOX = resolve(process.env.CORS_LENS_DIST ?? join(ROOT, "dist"), "firefox");
const ADDON_ID = "cors-lens@cors-lens.dev";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Pinned with the extensions.webextensions.uuids pref, so the moz-extension:// host is known. */
const UUID = "5f1c2a8e-7b3d-4e6f-9a0b-c0de1e75c0de";
const EXT_ORIGIN = `moz-extension://${UUID}`;

function requireDist(): void {
  if (!existsSync(join(DIST_FIREFOX, "manifest.json"))) {
    throw new Error(`${DIST_FIREFOX} is missing: run "npm run build" first (npm test does), ` +
      `or "CORS_LENS_DIST=/tmp/x node scripts/build.mjs --target firefox --no-cli" with the same CORS_LENS_DIST.`);
  }
}

// ---------------------------------------------------------------------------------------------
// 1. AMO's linter (addons-linter through web-ext) on the built directory.

interface LintMessage { code: string; message: string; description?: string; file?: string; line?: number; column?: number }
interface LintReport {
  summary: { errors: number; warnings: number; notices: number };
  errors: LintMessage[];
  warnings: LintMessage[];
  notices: LintMessage[];
}

function webExtLint(dir: string): Promise<LintReport> {
  const bin = join(ROOT, "node_modules/web-ext/bin/web-ext.js");
  return new Promise((done, fail) => {
    execFile(process.execPath, [bin, "lint", "--source-dir", dir, "--output", "json", "--no-config-discovery"],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, NO_UPDATE_NOTIFIER: "1" } },
      (err, stdout, stderr) => {
        // web-ext exits non-zero when the linter reports errors; the JSON is on stdout either way.
        const start = stdout.indexOf("{");
        try {
          done(JSON.parse(stdout.slice(start)) as LintReport);
        } catch {
          fail(new Error(`web-ext lint gave no JSON (${err?.message ?? "exit 0"}):\n${stdout}\n${stderr}`));
        }
      });
  });
}

describe("web-ext lint (dist/firefox)", () => {
  it("reports 0 errors, 0 warnings, 0 notices", async () => {
    requireDist();
    const report = await webExtLint(DIST_FIREFOX);
    const all = [...report.errors, ...report.warnings, ...report.notices]
      .map((m) => `${m.code} ${m.file ?? ""}${m.line ? `:${m.line}:${m.column ?? 0}` : ""}: ${m.description ?? m.message}`);
    expect(all).toEqual([]);
    expect(report.summary).toEqual({ errors: 0, warnings: 0, notices: 0 });
  }, 60000);
});

// ---------------------------------------------------------------------------------------------
// 2. The smoke test.

interface ProbeEvent { event: string; method: string; url: string; statusCode: number | null; error: string | null; tabId: number }

describe("Firefox: the background captures a cross-origin request", () => {
  let lab: Lab;
  let ff: Firefox;
  /**
   * An extension tab that runs no code of ours (the add-on's manifest.json, shown as text) but has
   * `browser.*`: it holds the probe listeners and asks tabs, action and the background page.
   */
  let driver: Page;
  const panels = new Map<number, Page>();
  let nonce = 0;
  const PAGE = () => lab.origin("localhost");

  beforeAll(async () => {
    requireDist();
    lab = await startLab();
    // A page that makes one fetch at load and puts the outcome in its title.
    lab.route("/ff/fetch.html", (req) => {
      const q = new URL(req.target, "http://lab").searchParams;
      const call = JSON.stringify({ url: q.get("u") ?? "", init: JSON.parse(q.get("init") ?? "{}") as unknown }).replace(/</g, "\\u003c");
      return {
        status: 200,
        headers: [["Content-Type", "text/html; charset=utf-8"], ["Cache-Control", "no-store"]],
        body: `<!doctype html><meta charset=utf-8><title>pending</title><script>const c = ${call};
fetch(c.url, c.init).then((r) => { document.title = "resolved " + r.status; }, (e) => { document.title = "rejected " + e.name; });</script>`,
      };
    });
    ff = await launchFirefox({ extension: { path: DIST_FIREFOX, id: ADDON_ID, uuid: UUID } });
    driver = await openExtensionPage(ff, `${EXT_ORIGIN}/manifest.json`);
    // Our own webRequest listeners, in an extension page: what Firefox reports, next to what the
    // extension made of it. (No extraInfoSpec argument: Firefox's onErrorOccurred takes none.)
    await evalJson(driver, `(() => {
      globalThis.__probe ??= [];
      for (const name of ["onBeforeRequest", "onSendHeaders", "onHeadersReceived", "onBeforeRedirect", "onCompleted", "onErrorOccurred"]) {
        browser.webRequest[name].addListener((d) => {
          if (d.url.includes("/s/")) __probe.push({ event: name, method: d.method, url: d.url, statusCode: d.statusCode ?? null, error: d.error ?? null, tabId: d.tabId });
        }, { urls: ["<all_urls>"] });
      }
      return true;
    })()`);
  }, 60000);

  afterAll(async () => {
    await ff?.close();
    await lab?.close();
  });

  /** Registers hops under a fresh key; returns the first hop's URL on the API origin. */
  function scenario(name: string, hops: Array<{ preflight?: { status: number; headers: Record<string, string> } | null; response: { status: number; headers: Record<string, string> } | null }>): string {
    const key = `ff-${name}-${++nonce}-${Date.now().toString(36)}`;
    lab.register(key, { hops: hops.map((h, i) => ({ url: lab.hopUrl(key, i, "127.0.0.1"), preflight: h.preflight ?? null, response: h.response })) });
    return lab.hopUrl(key, 0, "127.0.0.1");
  }

  /** Opens the lab page in a new tab, its console collected (BiDi); waits until its fetch settled. */
  async function runFetch(url: string, init: RequestInit): Promise<{ tabId: number; outcome: string; messages: ConsoleMessage[] }> {
    const pageUrl = `${PAGE()}/ff/fetch.html?u=${encodeURIComponent(url)}&init=${encodeURIComponent(JSON.stringify(init))}`;
    const { page, messages } = await openPage(ff, pageUrl, { until: `/^(resolved|rejected) /.test(document.title)` });
    const outcome = await page.title();
    const tabId = await waitFor(`the tab of ${pageUrl}`, () =>
      evalJson<number | null>(driver, `browser.tabs.query({}).then((ts) => ts.find((t) => t.url === ${JSON.stringify(pageUrl)})?.id ?? null)`));
    return { tabId, outcome, messages };
  }

  /** Firefox's own reason for blocking `url`, from the page's console. */
  function firefoxReason(messages: ConsoleMessage[], url: string): Promise<string> {
    return waitFor(`Firefox's console reason for ${url}`, async () => (await corsReason(messages, url))?.key);
  }

  /** A panel.html?tabId=N tab (one per tab). */
  async function openPanel(tabId: number): Promise<Page> {
    let panel = panels.get(tabId);
    if (!panel) {
      panel = await openExtensionPage(ff, `${EXT_ORIGIN}/panel.html?tabId=${tabId}`);
      panels.set(tabId, panel);
    }
    return panel;
  }

  /** HELLO over a fresh runtime port from the panel page: the background's SNAPSHOT for the tab. */
  function snapshot(panel: Page, tabId: number): Promise<SnapshotMessage> {
    return evalJson<SnapshotMessage>(panel, `new Promise((done, fail) => {
      const port = browser.runtime.connect({ name: ${JSON.stringify(PORT_NAME)} });
      const t = setTimeout(() => { port.disconnect(); fail(new Error("no SNAPSHOT")); }, 3000);
      let snap = null;
      port.onMessage.addListener((m) => {
        if (m && m.type === ${JSON.stringify(MSG.SNAPSHOT)}) snap = m;
        else if (m && m.type === ${JSON.stringify(MSG.SNAPSHOT_MORE)} && snap) snap.entries.push(...m.entries);
        else return;
        if (m.more) { port.postMessage({ type: ${JSON.stringify(MSG.SNAPSHOT_NEXT)} }); return; }
        clearTimeout(t); port.disconnect(); done({ ...snap, more: undefined });
      });
      port.onDisconnect.addListener(() => { clearTimeout(t); fail(new Error("port closed")); });
      port.postMessage({ type: ${JSON.stringify(MSG.HELLO)}, tabId: ${tabId} });
    })`);
  }

  async function entryFor(tabId: number, url: string): Promise<{ entry: Entry; panel: Page }> {
    const panel = await openPanel(tabId);
    const entry = await waitFor(`the extension's record of ${url}`, async () =>
      (await snapshot(panel, tabId)).entries.find((e) => e.exchange.request.url === url));
    return { entry, panel };
  }

  async function probe(url: string): Promise<ProbeEvent[]> {
    const all = await evalJson<ProbeEvent[]>(driver, "globalThis.__probe");
    return all.filter((e) => e.url === url);
  }

  it("starts the background page under the pinned moz-extension host", async () => {
    // Asked of the background page's own globals (runtime.getBackgroundPage gives its window).
    const info = await evalJson<{ url: string; ready: string; base: string; webRequest: boolean; session: boolean }>(driver,
      `browser.runtime.getBackgroundPage().then((bg) => ({ url: bg.location.href, ready: bg.document.readyState,
        base: bg.browser.runtime.getURL("/"), webRequest: typeof bg.browser.webRequest?.onErrorOccurred?.addListener === "function", session: !!bg.browser.storage.session }))`);
    expect(info).toEqual({ url: `${EXT_ORIGIN}/_generated_background_page.html`, ready: "complete", base: `${EXT_ORIGIN}/`, webRequest: true, session: true });
    // Installed as a temporary add-on ("development"), and enabled.
    const self = await evalJson<{ id: string; enabled: boolean; installType: string }>(driver, `browser.management.getSelf()`);
    expect(self).toMatchObject({ id: ADDON_ID, enabled: true, installType: "development" });
  });

  // ACAO: * on a credentialed request: Firefox blocks it in the content process, while webRequest
  // (in the parent) reports the response as completed. See docs/firefox.md.
  let simple: { tabId: number; url: string; reason: string } | null = null;

  it("records a failing credentialed fetch from localhost to 127.0.0.1, readable through the panel port", async () => {
    const url = scenario("star", [{ response: { status: 200, headers: { "access-control-allow-origin": "*" } } }]);
    const { tabId, outcome, messages } = await runFetch(url, { credentials: "include" });
    expect(outcome).toBe("rejected TypeError");
    const reason = await firefoxReason(messages, url);
    expect(reason).toBe("CORSNotSupportingCredentials");
    simple = { tabId, url, reason };
    const { entry, panel } = await entryFor(tabId, url);
    expect(entry.exchange.request).toMatchObject({ url, method: "GET", origin: PAGE() });
    expect(entry.exchange.request.sentHeaders?.origin).toBe(PAGE());
    expect(entry.exchange.hops).toHaveLength(1);
    expect(entry.exchange.hops[0]!.response).toMatchObject({ status: 200, headers: { "access-control-allow-origin": "*" } });
    // The panel itself (Preact, built with the HTML sinks removed) renders the row.
    const text = await waitFor("the panel row", async () => {
      const t = await evalJson<string>(panel, "document.body.textContent");
      return t.includes(new URL(url).pathname) ? t : null;
    });
    expect(text).toContain(new URL(url).pathname);
    // The detail is a chunk of its own, an ES module loaded by import() (src/panel/lazy-detail.ts): it
    // loads in Firefox's extension page too.
    const path = new URL(url).pathname;
    const detail = await waitFor("the panel's detail", () => evalJson<string | null>(panel, `(() => {
      const row = [...document.querySelectorAll("[role=row]")].find((r) => r.textContent.includes(${JSON.stringify(path)}));
      if (row && !document.querySelector(".detail")) row.click();
      return document.querySelector('[aria-label="Request detail"]')?.textContent ?? null;
    })()`));
    expect(detail).toContain(path);
  }, 30000);

  it("Firefox: a CORS failure on the response itself ends in onCompleted, with no onErrorOccurred", async () => {
    if (!simple) throw new Error("depends on the previous test");
    const events = await probe(simple.url);
    expect(events.map((e) => e.event)).toEqual(["onBeforeRequest", "onSendHeaders", "onHeadersReceived", "onCompleted"]);
    expect(events.find((e) => e.event === "onCompleted")?.statusCode).toBe(200);
  });

  // Firefox completes a request it blocks on the response, so completion proves nothing there
  // (Platform.blocksAreErrors): the page hook's report of the rejection, with the headers, decides.
  it("that simple-request failure is diagnosed as blocked (WildcardOriginNotAllowed) from the page hook's report, with Firefox's own reason", async () => {
    if (!simple) throw new Error("depends on the previous test");
    const end = Date.now() + 10000;
    let entry = (await entryFor(simple.tabId, simple.url)).entry;
    while (!entry.diagnosis.blocked && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 200));
      entry = (await entryFor(simple.tabId, simple.url)).entry;
    }
    expect(entry.diagnosis).toMatchObject({ blocked: true, code: "WildcardOriginNotAllowed", credentials: { mode: "include" } });
    expect(entry.diagnosis.firefox).toBe(simple.reason);
  }, 20000);

  it("diagnoses a failing credentialed preflight (Firefox: NS_ERROR_DOM_BAD_URI on both requests), with Firefox's own reason", async () => {
    const url = scenario("preflight", [{
      preflight: { status: 204, headers: { "access-control-allow-origin": PAGE(), "access-control-allow-methods": "PUT", "access-control-allow-headers": "x-token" } },
      response: { status: 200, headers: { "access-control-allow-origin": PAGE(), "access-control-allow-credentials": "true" } },
    }]);
    const { tabId, outcome, messages } = await runFetch(url, { method: "PUT", credentials: "include", headers: { "x-token": "1" } });
    expect(outcome).toBe("rejected TypeError");
    const reason = await firefoxReason(messages, url);
    expect(reason).toBe("CORSMissingAllowCredentials");
    const { entry } = await entryFor(tabId, url);
    expect(entry.exchange.request).toMatchObject({ url, method: "PUT", origin: PAGE() });
    expect(entry.exchange.hops[0]!.preflight?.status).toBe(204);
    expect(entry.exchange.browserError).toBe("NS_ERROR_DOM_BAD_URI");
    expect(entry.diagnosis).toMatchObject({ blocked: true, stage: "preflight", header: "access-control-allow-credentials", firefox: reason });
    const errors = (await probe(url)).filter((e) => e.event === "onErrorOccurred").map((e) => `${e.method} ${e.error}`);
    expect(errors.sort()).toEqual(["OPTIONS NS_ERROR_DOM_BAD_URI", "PUT NS_ERROR_DOM_BAD_URI"]);
    const badge = await evalJson<string>(driver, `browser.action.getBadgeText({ tabId: ${tabId} })`);
    expect(badge).toBe("1");
  }, 30000);

  // The relay forwards a call that did not fail only once the background says the tab is under full
  // capture (src/content/relay-core.ts). The page's fetch runs at load, before that answer: the
  // relay holds the report and sends it when the answer (localhost: always captured) comes.
  it("a call that succeeded at load in a captured tab still reaches the background (the relay's capture query)", async () => {
    const url = scenario("relay-ok", [{ response: { status: 200, headers: { "access-control-allow-origin": "*" } } }]);
    const { tabId, outcome, messages } = await runFetch(url, {});
    expect(outcome).toBe("resolved 200");
    const panel = await openPanel(tabId);
    const snap = await waitFor("the relay's report", async () => {
      const s = await snapshot(panel, tabId);
      return (s.reports ?? 0) >= 1 && s.entries.some((e) => e.exchange.request.url === url && e.annotated) ? s : null;
    });
    expect(snap.reports).toBe(1);
    expect(snap.entries.find((e) => e.exchange.request.url === url)?.diagnosis.blocked).toBe(false);
    // Firefox let it through: no CORS message for it.
    expect(await corsMessages(messages)).toEqual([]);
  }, 30000);

  it("logged no errors from the extension's documents", async () => {
    await sleep(200);
    expect(extensionProblems(ff)).toEqual([]);
  });
});
