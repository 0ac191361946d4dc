// A hostile page and a hostile server against the built extension in headless Chromium (issue 5):
// - the page cannot tell the extension is there (the same scripted probe in a browser without it),
//   and its forged relay messages change nothing for itself or another tab;
// - 10,000 requests in a burst: the background answers, the store keeps its bound and counts the
//   dropped, the extension process's memory stays bounded, other tabs are untouched;
// - hostile header values (markup, quotes, template syntax, obs-fold, control bytes, non-ASCII, 64 KB,
//   500 headers) are text in the panel, and every stack's copied fix stays valid code;
// - the worker stopped 10 times under continuous traffic from two tabs loses and duplicates nothing.
// State is read through the panel port from an extension page (never by attaching to the worker).
import { readdirSync, readFileSync } from "node:fs";
import type { Page } from "puppeteer-core";
import { generate, STACKS } from "../../src/core/fix/index";
import type { Stack } from "../../src/core/types";
import type { Entry, SnapshotMessage } from "../../src/shared/protocol";
import { HOOK_EVENT } from "../../src/content/hook-protocol";
import { HOSTILE_REQUEST, HOSTILE_VALUES, PAGE_PROBE, registerHostileServer, registerProbe, startBurstServer, type HostileCase } from "../lab/hostile";
import { startLab, type Lab } from "../lab/server";
import { balanced, checkPython, hasPython, NGINX, nginxTest, parseJs, parseTs, scanLiterals, type Lang } from "../unit/fix/helpers/checkers";
import { launchChromium, type LaunchedChromium } from "./browser";
import { badge, launchWithExtension, recordVerdicts, snapshot, stopWorker, tabIdOf, unwatch, waitFor, watch, type ExtensionSession } from "./extension";

let lab: Lab;
let s: ExtensionSession;
let APP: string;
let nonce = 0;
const RUN = Date.now().toString(36);

beforeAll(async () => {
  lab = await startLab();
  s = await launchWithExtension();
  APP = lab.origin("app.example");
  registerProbe(lab, APP);
}, 60000);

afterAll(async () => {
  await s?.cleanup();
  await lab?.close();
});

// ---- helpers ----


async function labPage(host = "app.example"): Promise<{ page: Page; tabId: number }> {
  const page = await s.browser.newPage();
  await page.goto(`${lab.origin(host)}/page.html?t=${++nonce}`);
  return { page, tabId: await tabIdOf(s.control, page) };
}

/**
 * A page loaded while a panel watches its tab: the hook registered for every page then runs at
 * document_start, before any page script (the hook injected into an already loaded page, when a
 * panel opens, comes after the page's scripts: capture.test.ts covers it).
 */
async function watchedPage(): Promise<{ page: Page; tabId: number }> {
  const p = await labPage();
  await watch(s.control, p.tabId);
  await waitFor("full capture", async () => (await snapshot(s.control, p.tabId)).captureLevel === "full");
  await p.page.reload();
  return p;
}

/** A scenario under a fresh key: allowed (credentials too) or blocked (a wildcard with credentials). */
function endpoint(name: string, blocked: boolean, host = "api.example", origin = APP): string {
  const key = `${name}-${RUN}-${++nonce}`;
  const url = lab.hopUrl(key, 0, host);
  const headers: Record<string, string> = blocked ? { "access-control-allow-origin": "*" }
    : { "access-control-allow-origin": origin, "access-control-allow-credentials": "true", vary: "Origin" };
  lab.register(key, { hops: [{ url, preflight: null, response: { status: 200, headers } }] });
  return url;
}

/** Credentialed fetches from the page, all at once; what the page saw. */
function fetchAll(page: Page, urls: string[]): Promise<string[]> {
  return page.evaluate((us: string[]) => Promise.all(us.map((u) =>
    fetch(u, { credentials: "include" }).then((r) => `ok ${r.status}`, (e: Error) => `error ${e.name}`))), urls);
}

const byUrl = (snap: SnapshotMessage, url: string): Entry[] => snap.entries.filter((e) => e.exchange.request.url === url);

/** Waits until every URL has exactly one entry; returns the snapshot. */
async function recorded(tabId: number, urls: string[], ms = 15000): Promise<SnapshotMessage> {
  let seen = 0;
  try {
    return await waitFor(`${urls.length} exchanges`, async () => {
      const snap = await snapshot(s.control, tabId);
      seen = urls.filter((u) => byUrl(snap, u).length === 1).length;
      return seen === urls.length ? snap : null;
    }, ms);
  } catch (e) {
    throw new Error(`${(e as Error).message} (${seen} of ${urls.length})`);
  }
}

/** The badge must be what the store says: blocked plus suspected. Waits for it to settle. */
async function expectBadgeAgrees(tabId: number): Promise<string> {
  let last = { text: "", want: "" };
  try {
    await waitFor("the badge to agree with the store", async () => {
      const snap = await snapshot(s.control, tabId);
      const n = snap.entries.filter((e) => e.diagnosis.blocked).length + snap.suspected;
      last = { text: (await badge(s.control, tabId)).text, want: n ? String(n) : "" };
      return last.text === last.want;
    }, 8000);
  } catch {
    expect(last.text).toBe(last.want);
  }
  return last.text;
}

/** Resident memory (KB) of the extension's renderer process(es): the worker and the extension pages live there. */
function extensionRssKb(): { pids: number[]; kb: number } {
  const root = s.browser.process()?.pid;
  if (!root) throw new Error("no browser process");
  const parent = new Map<number, number>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch { /* gone */ }
  }
  const descends = (pid: number): boolean => {
    for (let p = parent.get(pid), n = 0; p !== undefined && n < 10; p = parent.get(p), n++) if (p === root) return true;
    return false;
  };
  const pids: number[] = [];
  let kb = 0;
  for (const pid of parent.keys()) {
    if (!descends(pid)) continue;
    let cmd = "";
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    } catch { continue; }
    if (!cmd.includes("--extension-process")) continue;
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    if (m) {
      pids.push(pid);
      kb += Number(m[1]);
    }
  }
  return { pids, kb };
}

// ---- 1. the page cannot tell ----

/** What a page observes in PAGE_PROBE, plus how many hook reports it could hear. */
async function probe(page: Page): Promise<{ result: Record<string, unknown>; reports: number }> {
  await page.evaluate((ev: string) => {
    const w = window as unknown as { __reports: number };
    w.__reports = 0;
    document.addEventListener(ev, () => { w.__reports++; }, true);
  }, HOOK_EVENT);
  const result = await page.evaluate(`(${PAGE_PROBE})(${JSON.stringify(lab.origin("api.example"))})`) as Record<string, unknown>;
  // The same probe in an about:blank frame whose fetch, XHR open/send and EventSource the parent
  // replaced with its own wrappers the moment the frame existed (as close to "before the hook" as a
  // page can get: a page's own scripts never run before a document_start content script).
  const framed = await page.evaluate(`(() => {
    const f = document.createElement("iframe");
    document.body.appendChild(f);
    const w = f.contentWindow;
    const log = [];
    const of = w.fetch, oo = w.XMLHttpRequest.prototype.open, os = w.XMLHttpRequest.prototype.send;
    w.fetch = function fetch(i, init) { log.push("parent fetch"); return of.apply(this, arguments); };
    w.XMLHttpRequest.prototype.open = function open() { log.push("parent open"); return oo.apply(this, arguments); };
    w.XMLHttpRequest.prototype.send = function send() { log.push("parent send"); return os.apply(this, arguments); };
    return w.eval("(" + ${JSON.stringify(PAGE_PROBE)} + ")")(${JSON.stringify(lab.origin("api.example"))}).then((r) => ({ ...r, parentLog: log.length }));
  })()`) as Record<string, unknown>;
  const reports = await page.evaluate(() => (window as unknown as { __reports: number }).__reports);
  return { result: { ...result, framed }, reports };
}

/** Known, unavoidable differences, taken out before comparing (each is asserted on its own below). */
function comparable(r: Record<string, unknown>): Record<string, unknown> {
  const out = { ...r };
  if (out.framed) {
    // Known limit: a frame's Function.prototype.toString knows only its own realm's wrappers, and the
    // frame's probe reaches the parent's toString through the parent's fetch wrapper. Cross-realm
    // toString of a wrapper shows "function () { [native code] }" (V8's text for any Proxy).
    const { "fetch.toString.toString": _crossRealm, ...rest } = out.framed as Record<string, unknown>;
    out.framed = comparable(rest);
  }
  // A stack captured while the hook's wrapper is on the call stack shows that wrapper's frame (any JS
  // wrapper does): the page's own frames must be the same.
  for (const [k, v] of Object.entries(out)) {
    if (Array.isArray(v) && k.includes("stack")) out[k] = v.filter((f) => !String(f).includes("chrome-extension://"));
  }
  // Chromium reads error stacks at times of its own (the page's Error.prepareStackTrace ran 0 or 3
  // times without any extension): compared is the count during the page's synchronous calls
  // ("prepareStackTraceDuringCalls"), not this total.
  const patched = out["patched counts"] as Record<string, number> | undefined;
  if (patched) {
    const { prepareStackTrace: _chromiumsOwn, ...rest } = patched;
    out["patched counts"] = rest;
  }
  // The hook's non-enumerable double-injection guard on window (not in Object.keys, not in for…in).
  out.windowKeys = (out.windowKeys as string[]).filter((k) => k !== "__corsLensHooked");
  return out;
}

describe("a hostile page", () => {
  test("cannot tell the extension is there: identities, names, lengths, source text, errors, getter reads, its own wrappers and results are those of a browser without it", async () => {
    let plain: LaunchedChromium | null = null;
    try {
      plain = await launchChromium();
      const without = await plain.browser.newPage();
      await without.goto(`${APP}/page.html?probe=${RUN}`);
      const a = await probe(without);

      const { page, tabId } = await watchedPage();
      const b = await probe(page);
      // The hook really ran in the second browser (it reported), and not in the first.
      expect(a.reports).toBe(0);
      expect(b.reports).toBeGreaterThan(10);
      expect(comparable(b.result)).toEqual(comparable(a.result));
      expect(b.result.windowKeys).toEqual(["__corsLensHooked"]);
      expect((a.result.framed as Record<string, unknown>).parentLog).toBeGreaterThan(10);
      expect(b.result.windowKeyCount).toBe(a.result.windowKeyCount);
      // The probe went through the lab: the requests happened, some blocked, in both browsers.
      expect((a.result.sequence as unknown[][]).map((x) => x[0])).toEqual(["ok", "blocked", "preflight", "ok-post", "xhr-blocked"]);
      expect(a.result["fetch getters"]).toBe(200);
      expect(a.result["fetch throwing getter"]).toBe("throws RangeError RangeError: first read");
      // And the extension captured the probe's cross-origin requests for the tab.
      const snap = await snapshot(s.control, tabId);
      expect(snap.entries.length).toBeGreaterThan(10);
      await unwatch(s.control, tabId);
      await page.close();
    } finally {
      await plain?.cleanup();
    }
  });

  test("forged, oversized, malformed and booby-trapped relay messages change nothing for it or another tab; the extension's messaging is out of its reach", async () => {
    const other = await watchedPage();
    const { page, tabId } = await watchedPage();
    const good = endpoint("forge-good", false);
    const bad = endpoint("forge-bad", true);
    expect(await fetchAll(page, [good, bad])).toEqual(["ok 200", "error TypeError"]);
    const before = await recorded(tabId, [good, bad]);
    const otherUrls = Array.from({ length: 12 }, (_, i) => endpoint(`forge-other-${i}`, i % 3 === 0));

    // The extension's own messaging is not reachable from the page (no externally_connectable).
    const reach = await page.evaluate(async (id: string) => {
      const c = (window as unknown as { chrome?: { runtime?: { sendMessage?: (...a: unknown[]) => unknown; connect?: (...a: unknown[]) => unknown } } }).chrome;
      const out: string[] = [`runtime ${typeof c?.runtime}`];
      try {
        out.push(`sendMessage ${String(await (c?.runtime?.sendMessage?.(id, { type: "HELLO", tabId: 1 }) as Promise<unknown> | undefined))}`);
      } catch (e) {
        out.push(`sendMessage throws ${(e as Error).name}`);
      }
      return out;
    }, s.extensionId);
    expect(reach[0]).toBe("runtime undefined");

    // The flood, while the other tab makes real requests.
    const flood = page.evaluate(({ ev, victim, url, otherUrls }) => {
      const fire = (detail: unknown, t: EventTarget = document) => t.dispatchEvent(new CustomEvent(ev, { detail }));
      const base = { api: "fetch", method: "GET", credentials: "include", mode: "cors", initiator: "x.js:1:1", time: Date.now() };
      const trap = { get url() { throw new Error("trap"); }, toString() { throw new Error("trap"); }, toJSON() { throw new Error("trap"); } };
      const proxy = new Proxy({}, { get() { throw new Error("trap"); }, ownKeys() { throw new Error("trap"); } });
      let sent = 0;
      for (let i = 0; i < 4000; i++) {
        // Valid-looking reports about the other tab's URLs, this tab's, the extension's, and nowhere.
        fire(JSON.stringify({ ...base, url: otherUrls[i % otherUrls.length], outcome: "rejected-typeerror" }));
        fire(JSON.stringify({ ...base, url, outcome: i % 2 ? "resolved" : "rejected", status: 200, credentials: "omit" }));
        fire(JSON.stringify({ ...base, url: `chrome-extension://${victim}/panel.html`, outcome: "rejected-typeerror" }));
        fire(JSON.stringify({ ...base, url: `https://x.example/${"%3Cimg%20src%3Dx%3E".repeat(100)}`, outcome: "error", initiator: "<img src=x onerror=alert(1)>" }));
        fire(JSON.stringify({ ...base, url: `https://x.example/${i}`, outcome: "rejected-typeerror", status: -1 }));
        fire(JSON.stringify({ ...base, url: `https://x.example/${i}`, outcome: "rejected-typeerror", time: "now", api: "websocket" }));
        fire(JSON.stringify({ ...base, url: `https://x.example/${i}`, method: "GET BAD", outcome: "resolved" }));
        fire(JSON.stringify({ ...base, url: `https://x.example/${i}`, __proto__: { outcome: "resolved" } }));
        fire(`[${JSON.stringify({ ...base, url, outcome: "resolved" })}]`);
        fire("x".repeat(i % 50 === 0 ? 2_000_000 : 5000));
        fire("{not json");
        fire(null);
        fire(trap);
        fire(proxy);
        fire(JSON.stringify({ ...base, url, outcome: "resolved" }), window);
        sent += 15;
      }
      return sent;
    }, { ev: HOOK_EVENT, victim: s.extensionId, url: good, otherUrls });
    const otherSeen = await fetchAll(other.page, otherUrls);
    expect(await flood).toBe(60000);
    expect(otherSeen).toEqual(otherUrls.map((_, i) => (i % 3 === 0 ? "error TypeError" : "ok 200")));

    // Unmatched reports are held 5 s before they count as missed: wait past that.
    await new Promise((r) => setTimeout(r, 6000));
    const after = await snapshot(s.control, tabId);
    expect(after.entries.map((e) => [e.exchange.id, e.exchange.request.url, e.diagnosis.blocked, e.diagnosis.code]))
      .toEqual(before.entries.map((e) => [e.exchange.id, e.exchange.request.url, e.diagnosis.blocked, e.diagnosis.code]));
    expect(after.suspected).toBe(before.suspected);
    await expectBadgeAgrees(tabId);
    // The other tab: its own twelve requests, each once, as Chromium decided, with the page's real
    // credentials mode; nothing the flood claimed about its URLs.
    const o = await recorded(other.tabId, otherUrls);
    expect(o.entries).toHaveLength(12);
    expect(o.entries.map((e) => [e.exchange.request.url, e.diagnosis.blocked]).sort())
      .toEqual(otherUrls.map((u, i) => [u, i % 3 === 0]).sort());
    expect(o.suspected).toBe(0);
    expect(await expectBadgeAgrees(other.tabId)).toBe("4");
    // The page still works exactly as before, and a fresh request is captured in full.
    const again = endpoint("forge-after", true);
    expect(await fetchAll(page, [again])).toEqual(["error TypeError"]);
    const last = await recorded(tabId, [again]);
    expect(byUrl(last, again)[0]!.diagnosis).toMatchObject({ blocked: true, code: "WildcardOriginNotAllowed" });
    for (const p of [other, { page, tabId }]) {
      await unwatch(s.control, p.tabId);
      await p.page.close();
    }
  });
});

// ---- 2. a burst of 10,000 requests ----

describe("a burst of 10,000 requests", () => {
  test("the background keeps answering, the store keeps its bound and counts the dropped, memory stays bounded, other tabs are untouched", async () => {
    const N = 10000;
    const LIMIT = 10_000;
    const a = await watchedPage();
    const b = await watchedPage();
    const c = await labPage("other.example");
    // Eight hosts (Chromium opens six connections per host) on a keep-alive server; every tenth blocked.
    const server = await startBurstServer(APP);
    // A failed expectation must still close the keep-alive server: an open one keeps jest from exiting.
    try {
      const urls = Array.from({ length: N }, (_, i) => `http://h${i % 8}.api.example:${server.port}/${i % 10 === 0 ? "blocked" : "ok"}?i=${i}`);
      const rssBefore = extensionRssKb();
      expect(rssBefore.pids.length).toBeGreaterThan(0);

      const started = Date.now();
      const burst = a.page.evaluate(async (us: string[]) => {
        const counts: Record<string, number> = {};
        let next = 0;
        const worker = async () => {
          while (next < us.length) {
            const u = us[next++]!;
            const seen = await fetch(u, { credentials: "include" }).then((r) => `ok ${r.status}`, (e: Error) => `error ${e.name}`);
            counts[seen] = (counts[seen] ?? 0) + 1;
          }
        };
        await Promise.all(Array.from({ length: 96 }, worker));
        return counts;
      }, urls);
      // In the middle of it: the background answers, another watched tab is captured in full, an
      // unwatched tab gets nothing.
      const midSnap = await waitFor("the burst under way", async () => {
        const x = await snapshot(s.control, a.tabId);
        return x.entries.length + x.dropped > 500 ? x : null;
      }, 60000);
      expect(midSnap.entries.length).toBeLessThanOrEqual(LIMIT);
      const bUrls = Array.from({ length: 20 }, (_, i) => endpoint(`burst-b-${i}`, i % 4 === 0));
      const cUrls = Array.from({ length: 10 }, (_, i) => endpoint(`burst-c-${i}`, false, "api.example", lab.origin("other.example")));
      const [bSeen, cSeen] = await Promise.all([fetchAll(b.page, bUrls), fetchAll(c.page, cUrls)]);
      expect(bSeen).toEqual(bUrls.map((_, i) => (i % 4 === 0 ? "error TypeError" : "ok 200")));
      expect(cSeen).toEqual(cUrls.map(() => "ok 200"));
      expect(await burst).toEqual({ "ok 200": N - N / 10, "error TypeError": N / 10 });
      const burstMs = Date.now() - started;

      // Every request is either held or counted as dropped; the tab holds exactly its bound, the newest.
      let snap: SnapshotMessage | null = null;
      try {
        snap = await waitFor("10,000 exchanges accounted for", async () => {
          const x = await snapshot(s.control, a.tabId);
          snap = x;
          return x.entries.length + x.dropped >= N ? x : null;
        }, 30000);
      } catch (e) {
        throw new Error(`${(e as Error).message}: ${snap ? `${(snap as SnapshotMessage).entries.length} held + ${(snap as SnapshotMessage).dropped} dropped` : "no snapshot"}`);
      }
      const accountedMs = Date.now() - started;
      // The store's bounds: 10,000 per tab and 8 MiB stored over all tabs (store.ts); the bytes bind first.
      expect(snap.entries.length).toBeLessThanOrEqual(LIMIT);
      expect(snap.entries.length).toBeGreaterThan(2000);
      expect(snap.dropped).toBe(N - snap.entries.length);
      const ids = snap.entries.map((e) => e.exchange.id);
      expect(new Set(ids).size).toBe(ids.length);
      const held = snap.entries.map((e) => Number(new URL(e.exchange.request.url).searchParams.get("i")));
      expect(held.every((i) => i >= 0 && i < N)).toBe(true);
      expect(new Set(held).size).toBe(snap.entries.length);
      // Each held exchange has Chromium's verdict: the wildcard ones blocked, the others not.
      for (const e of snap.entries) {
        const i = Number(new URL(e.exchange.request.url).searchParams.get("i"));
        expect([i, e.diagnosis.blocked, e.diagnosis.code]).toEqual([i, i % 10 === 0, i % 10 === 0 ? "WildcardOriginNotAllowed" : null]);
      }
      // The badge counts every blocked request of the page, also those no longer held: 1,000.
      expect((await badge(s.control, a.tabId)).text).toBe("999+");

      // The other watched tab: its twenty, once each, right; its badge counts its five.
      const bSnap = await recorded(b.tabId, bUrls);
      expect(bSnap.entries).toHaveLength(20);
      expect(bSnap.dropped).toBe(0);
      expect(bSnap.entries.map((e) => [e.exchange.request.url, e.diagnosis.blocked]).sort()).toEqual(bUrls.map((u, i) => [u, i % 4 === 0]).sort());
      expect(await expectBadgeAgrees(b.tabId)).toBe("5");
      // The unwatched tab: nothing recorded, nothing on its badge.
      const cSnap = await snapshot(s.control, c.tabId);
      expect(cSnap.entries).toHaveLength(0);
      expect(cSnap.dropped).toBe(0);
      expect((await badge(s.control, c.tabId)).text).toBe("");

      // Memory: the extension process's resident set (worker + extension pages), read from /proc.
      const rssAfter = extensionRssKb();
      const snapBytes = JSON.stringify(snap).length;
      console.log(`burst: ${N} requests in ${burstMs} ms, all accounted for at ${accountedMs} ms; extension process RSS ${Math.round(rssBefore.kb / 1024)} MB before, ` +
        `${Math.round(rssAfter.kb / 1024)} MB after (pids ${rssAfter.pids.join(",")}); snapshot ${Math.round(snapBytes / 1024)} KB for ${snap.entries.length} entries`);
      expect(rssAfter.kb - rssBefore.kb).toBeLessThan(200 * 1024);
      expect(snapBytes).toBeLessThan(LIMIT * 8 * 1024);
      expect(server.count()).toBe(N);
    } finally {
      for (const p of [a, b]) await unwatch(s.control, p.tabId).catch(() => {});
      for (const p of [a, b, c]) await p.page.close().catch(() => {});
      await server.close();
    }
  }, 300000);
});

// ---- 3. a hostile server ----

/** Source text outside double-quoted strings (config files). */
const outsideQuotes = (code: string) => code.replace(/"[^"\n]*"/g, '""');
const MARK = /zz/i;

describe("a hostile server", () => {
  test("its header values are text in the panel (no element, no dialog, nothing run) and every stack's copied fix stays valid code", async () => {
    const cases = registerHostileServer(lab, APP);
    const { page, tabId } = await labPage();
    const { verdicts } = await recordVerdicts(page);
    const EVIL = lab.origin("evil.example");
    const cdp = await s.browser.target().createCDPSession();
    await cdp.send("Browser.grantPermissions", { origin: `chrome-extension://${s.extensionId}`, permissions: ["clipboardReadWrite", "clipboardSanitizedWrite"] });
    const panel = await s.browser.newPage();
    const dialogs: string[] = [];
    panel.on("dialog", (d) => { dialogs.push(d.message()); void d.dismiss(); });
    const panelErrors: string[] = [];
    panel.on("pageerror", (e) => panelErrors.push(String(e)));
    panel.on("console", (m) => { if (m.type() === "error") panelErrors.push(m.text()); });
    await panel.setViewport({ width: 1280, height: 900 });
    await panel.goto(`chrome-extension://${s.extensionId}/panel.html?tabId=${tabId}`);
    await panel.waitForSelector('[role="grid"]');
    await waitFor("full capture", async () => (await snapshot(s.control, tabId)).captureLevel === "full");
    try {
      const seen: Record<string, string> = {};
      for (const c of cases) {
        const init = c.name === "fix"
          ? { method: HOSTILE_REQUEST.method, headers: Object.fromEntries(HOSTILE_REQUEST.headers.map((h) => [h, "1"])) }
          : {};
        seen[c.name] = await page.evaluate((u: string, i: RequestInit) => fetch(u, { ...i, credentials: "include" })
          .then((r) => `ok ${r.status}`, (e: Error) => `error ${e.name}`), `${EVIL}${c.path}`, init);
      }
      // Every one is blocked (Chromium's verdict), none is a network error: Chromium took the headers.
      expect(seen).toEqual(Object.fromEntries(cases.map((c) => [c.name, "error TypeError"])));
      const urls = cases.map((c) => `${EVIL}${c.path}`);
      const snap = await recorded(tabId, urls, 20000);
      // The diagnosis is Chromium's own verdict for each, however hostile the headers.
      await waitFor("Chromium's verdicts", async () => urls.every((u) => verdicts.some((v) => v.url === u)));
      for (const u of urls) {
        const d = byUrl(snap, u)[0]!.diagnosis;
        const v = verdicts.find((x) => x.url === u)!;
        expect({ u, code: d.code, failedParameter: d.failedParameter }).toEqual({ u, code: v.corsError, failedParameter: v.failedParameter });
      }

      /** The recorded response (or preflight) headers of a case: what the panel must show as text. */
      const recordOf = (c: HostileCase) => {
        const e = byUrl(snap, `${EVIL}${c.path}`)[0]!;
        const hop = e.exchange.hops[0]!;
        return { entry: e, headers: (c.name === "fix" ? hop.preflight : hop.response)?.headers ?? {} };
      };
      // Header names that are Object.prototype members are plain headers (src/background/records.ts).
      const proto = recordOf(cases.find((c) => c.name === "protonames")!).headers;
      expect(Object.getOwnPropertyDescriptor(proto, "constructor")?.value).toBe(HOSTILE_VALUES.markup);
      expect(Object.getOwnPropertyDescriptor(proto, "__proto__")?.value).toBe('{"polluted":1}');
      for (const c of cases) {
        const { headers } = recordOf(c);
        const all = Object.entries(headers).flatMap(([n, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${n}: ${x}`)).join("\n");
        expect({ name: c.name, has: all.includes(c.marker) }).toEqual({ name: c.name, has: true });
      }
      // obs-fold: Chromium joins the continuation lines (with a space); 500 headers all arrive.
      expect(String(recordOf(cases.find((c) => c.name === "obsfold")!).headers["x-hostile"])).toMatch(/first <img src=x onerror=alert\(1\)>\s+second\s+third/);
      // What is recorded is bounded (src/background/records.ts HEADER_LIMITS: 200 lines, 8,192 characters a value).
      expect(Object.keys(recordOf(cases.find((c) => c.name === "many")!).headers).filter((n) => n.startsWith("x-many-"))).toHaveLength(199);
      expect(String(recordOf(cases.find((c) => c.name === "long")!).headers["x-hostile"])).toBe(HOSTILE_VALUES.long.slice(0, 8192));

      for (const c of cases) {
        const path = c.path;
        try {
          await panel.waitForFunction((p: string) => [...document.querySelectorAll(".grid-rows > [role=row] .c-url .path")].some((x) => x.textContent === p), { timeout: 15000 }, path);
        } catch (e) {
          const rows = await panel.$$eval(".grid-rows > [role=row] .c-url .path", (els) => els.map((x) => x.textContent));
          throw new Error(`no row for ${path} in the panel: ${JSON.stringify(rows)}; panel errors: ${JSON.stringify(panelErrors)}`);
        }
        const index = await panel.$$eval(".grid-rows > [role=row]", (rows, p) => {
          const r = rows.find((x) => x.querySelector(".c-url .path")?.textContent === p);
          return r ? Number(r.getAttribute("aria-rowindex")) - 2 : -1;
        }, path);
        await panel.click(`#cl-row-${index}`);
        await panel.waitForFunction((p: string) => document.querySelector(".detail-title")?.textContent?.includes(p), {}, path);
        // Expand every cut value, then compare every header cell with the recorded value.
        for (let i = 0; i < 4 && await panel.$("button.link"); i++) {
          await panel.$$eval("button.link", (bs) => bs.filter((b) => b.textContent?.startsWith("Show all")).forEach((b) => (b as HTMLButtonElement).click()));
        }
        const cells = await panel.evaluate((fix: boolean) => {
          const tables = [...document.querySelectorAll('section[aria-labelledby="sec-headers"] table.headers')];
          const t = tables.find((x) => x.querySelector("caption")?.textContent?.startsWith(fix ? "Preflight" : "Response"));
          return [...(t?.querySelectorAll("tr") ?? [])].map((tr) => [
            [...(tr.querySelector("th")?.childNodes ?? [])].filter((n) => n.nodeType === 3).map((n) => n.textContent).join(""),
            tr.querySelector("td")?.textContent ?? "",
          ]);
        }, c.name === "fix");
        const want = Object.entries(recordOf(c).headers).flatMap(([n, v]) => (Array.isArray(v) ? v : [v]).map((x) => [n, String(x)]));
        expect({ name: c.name, cells }).toEqual({ name: c.name, cells: want });
        // Nothing became an element, ran, or opened a dialog.
        const dom = await panel.evaluate(() => ({
          img: document.querySelectorAll("img, svg image, iframe, object, embed").length,
          svgFromServer: [...document.querySelectorAll("svg")].filter((x) => x.hasAttribute("onload")).length,
          scripts: [...document.querySelectorAll("script")].map((x) => x.getAttribute("src")),
          handlers: [...document.querySelectorAll("*")].filter((el) => [...el.attributes].some((a) => a.name.startsWith("on"))).length,
          pwned: (window as unknown as { __pwned?: number }).__pwned ?? null,
          title: document.title,
        }));
        expect({ name: c.name, dom }).toEqual({ name: c.name, dom: { img: 0, svgFromServer: 0, scripts: ["panel.js"], handlers: 0, pwned: null, title: "CORS Lens" } });
      }
      expect(dialogs).toEqual([]);

      // The fix for the hostile preflight, for every stack: the clipboard holds exactly the shown
      // snippet, which is the generator's, and which parses in its language with the "zz"-marked
      // method and header names inside string literals only (or dropped, in config files).
      // (Fresh: the page hook's report of the credentials mode may have updated the entry since.)
      const fix = await waitFor("the fix entry with the page's credentials mode", async () => {
        const e = byUrl(await snapshot(s.control, tabId), `${EVIL}/hostile/fix`)[0];
        return e && e.diagnosis.credentials.mode === "include" && !e.diagnosis.credentials.inferred ? e : null;
      });
      expect(fix.exchange.request.method).toBe(HOSTILE_REQUEST.method);
      await panel.click(`#cl-row-${await panel.$$eval(".grid-rows > [role=row]", (rows) => {
        const r = rows.find((x) => x.querySelector(".c-url .path")?.textContent === "/hostile/fix");
        return r ? Number(r.getAttribute("aria-rowindex")) - 2 : -1;
      })}`);
      await panel.waitForFunction(() => document.querySelector(".detail-title")?.textContent?.includes("/hostile/fix"));
      const copied: Array<{ stack: Stack; language: string; code: string }> = [];
      for (const info of STACKS) {
        await panel.select('select[aria-label="Server stack"]', info.id);
        await panel.waitForFunction((id: string) => (document.querySelector('select[aria-label="Server stack"]') as HTMLSelectElement | null)?.value === id, {}, info.id);
        const sentinel = `sentinel-${Math.random()}`;
        await panel.bringToFront();
        await panel.evaluate((t: string) => navigator.clipboard.writeText(t), sentinel);
        const shown = await panel.$eval(".fix-server pre.code", (el) => el.textContent ?? "");
        await (await panel.waitForSelector('::-p-aria([name="Copy fix"][role="button"])'))!.click();
        await panel.waitForFunction(() => document.querySelector(".copy-status")?.textContent === "Copied", { timeout: 5000 });
        const code = await panel.evaluate(() => navigator.clipboard.readText());
        expect({ stack: info.id, code }).toEqual({ stack: info.id, code: shown });
        expect({ stack: info.id, code }).toEqual({ stack: info.id, code: generate(info.id, fix.diagnosis, fix.exchange).code });
        copied.push({ stack: info.id, language: info.language, code });
      }
      const python = copied.filter((x) => x.language === "python");
      const pyResults = hasPython() ? checkPython(python.map((x) => x.code)) : [];
      for (const { stack, language, code } of copied) {
        const where = { stack, code };
        // Nothing the server sent reaches any snippet.
        expect({ ...where, server: /onerror|alert\(|constructor\.constructor|<img|<svg/.test(code) }).toEqual({ ...where, server: false });
        if (language === "javascript" || language === "typescript") {
          const scan = language === "javascript" ? parseJs(code) : parseTs(code);
          expect({ ...where, leaked: scan.nonString.filter((t) => MARK.test(t)) }).toEqual({ ...where, leaked: [] });
          expect(scan.strings.some((x) => x.includes(HOSTILE_REQUEST.method))).toBe(true);
        } else if (language === "python") {
          const r = pyResults[python.findIndex((x) => x.stack === stack)];
          if (r) {
            expect({ ...where, ok: r.ok, error: r.error }).toEqual({ ...where, ok: true, error: undefined });
            expect(r.nonString.filter((t) => MARK.test(t))).toEqual([]);
          }
        } else if (["go", "csharp", "ruby", "java"].includes(language)) {
          const scan = scanLiterals(code, language as Lang);
          expect({ ...where, skeleton: MARK.test(scan.skeleton), balanced: balanced(scan.skeleton) }).toEqual({ ...where, skeleton: false, balanced: true });
        } else {
          // nginx, Apache, Caddy: hostile values are dropped or quoted, never bare.
          expect({ ...where, bare: MARK.test(outsideQuotes(code)) }).toEqual({ ...where, bare: false });
          if (language === "nginx" && NGINX) expect(nginxTest(code)).toMatchObject({ ok: true });
        }
      }
      expect(dialogs).toEqual([]);
    } finally {
      await cdp.detach().catch(() => {});
      await panel.close();
      await page.close();
    }
  });
});

// ---- 4. the worker stopped under load ----

describe("the service worker stopped under load", () => {
  test("stopped 10 times while two tabs keep sending: nothing a snapshot showed is lost, nothing older than the write window is lost, nothing is recorded twice, the badges agree with the store", async () => {
    const server = await startBurstServer(APP);
    const tabs = [await watchedPage(), await watchedPage()];
    /** Starts a request loop in the page: 4 credentialed requests at a time, every fourth blocked. */
    const start = (page: Page, tag: string) => page.evaluate((base: string, t: string) => {
      const w = window as unknown as { __stop: boolean; __sent: string[]; __done: Array<[string, string]>; __loop: Promise<void> };
      w.__stop = false;
      w.__sent = [];
      w.__done = [];
      let i = 0;
      w.__loop = (async () => {
        while (!w.__stop) {
          const batch = Array.from({ length: 4 }, () => {
            const n = i++;
            const u = `${base}/${n % 4 === 0 ? "blocked" : "ok"}?tab=${t}&i=${n}&d=150`;
            w.__sent.push(u);
            return fetch(u, { credentials: "include" }).then((r) => `ok ${r.status}`, (e: Error) => `error ${e.name}`).then((x) => { w.__done.push([u, x]); });
          });
          // (Paced by the server's 150 ms: a background tab's timers are throttled to 1 s.)
          await Promise.all(batch);
        }
      })();
    }, `http://api.example:${server.port}`, tag);
    await Promise.all(tabs.map((t, i) => start(t.page, `t${i}`)));
    try {
      /** Exchange ids per tab seen in any snapshot before a stop: all must survive. */
      const seen = tabs.map(() => new Map<string, string>());
      let stops = 0;
      for (let round = 0; round < 10; round++) {
        await new Promise((r) => setTimeout(r, 3000));
        for (const [k, t] of tabs.entries()) {
          const snap = await snapshot(s.control, t.tabId);
          for (const e of snap.entries) seen[k]!.set(e.exchange.id, e.exchange.request.url);
        }
        if (await stopWorker(s.browser, s.extensionId)) stops++;
      }
      expect(stops).toBe(10);
      await Promise.all(tabs.map((t) => t.page.evaluate(async () => {
        const w = window as unknown as { __stop: boolean; __loop: Promise<void> };
        w.__stop = true;
        await w.__loop;
      })));
      // Blocked exchanges are committed after the correlator's wait for a late preflight.
      await new Promise((r) => setTimeout(r, 2500));
      const figures: string[] = [];
      const vanishedAll: number[] = [];
      for (const [k, t] of tabs.entries()) {
        const done = await t.page.evaluate(() => (window as unknown as { __done: Array<[string, string]> }).__done);
        const snap = await snapshot(s.control, t.tabId);
        expect(snap.dropped).toBe(0);
        const ids = snap.entries.map((e) => e.exchange.id);
        expect(new Set(ids).size).toBe(ids.length);
        const urls = snap.entries.map((e) => e.exchange.request.url);
        expect(urls.filter((u, i) => urls.indexOf(u) !== i)).toEqual([]);
        const lost = [...seen[k]!].filter(([id]) => !ids.includes(id)).map(([, url]) => url);
        expect({ tab: k, lost }).toEqual({ tab: k, lost: [] });
        // Nor anything the open panel was sent (EXCHANGE_ADDED) before a stop.
        const { list, died } = await s.control.evaluate((id: number) => {
          const w = window as unknown as { __shown: Record<number, Array<[string, number, number]>>; __died: number[] };
          return { list: w.__shown[id] ?? [], died: w.__died };
        }, t.tabId);
        const shownAt = new Map(list.map(([id, at, life]) => [id, { at, life }]));
        const shown = [...shownAt.keys()];
        // Shown live, then gone: how long before the worker life that sent it ended?
        const vanished = shown.filter((id) => !ids.includes(id)).map((id) => {
          const { at, life } = shownAt.get(id)!;
          return died[life] ? died[life]! - at : Infinity;
        });
        // A stop under load is a crash: what the dying life had not written yet (the store gathers
        // writes for writeDelayMs, 250 ms, plus the write itself) may be gone, but nothing older than
        // 1 s. Each stop comes 3 s after the last.
        vanishedAll.push(...vanished);
        expect({ tab: k, olderThanTheWriteWindow: vanished.filter((ms) => ms > 1000) }).toEqual({ tab: k, olderThanTheWriteWindow: [] });
        // What is held is right: each URL is one the page sent, with the verdict the page saw.
        const outcome = new Map(done);
        for (const e of snap.entries) {
          const u = e.exchange.request.url;
          expect({ u, saw: outcome.get(u), blocked: e.diagnosis.blocked }).toEqual({ u, saw: u.includes("/blocked") ? "error TypeError" : "ok 200", blocked: u.includes("/blocked") });
        }
        await expectBadgeAgrees(t.tabId);
        figures.push(`tab ${k}: ${done.length} requests, ${snap.entries.length} recorded, ${seen[k]!.size} in snapshots before stops, ${shown.length} shown live`);
      }
      console.log(`10 worker stops under load: ${figures.join("; ")}; shown live then lost: ${vanishedAll.length} (shown ${JSON.stringify(vanishedAll)} ms before a stop)`);
    } finally {
      for (const t of tabs) {
        await t.page.evaluate(() => { (window as unknown as { __stop: boolean }).__stop = true; }).catch(() => {});
        await unwatch(s.control, t.tabId);
        await t.page.close();
      }
      await server.close();
    }
  }, 180000);
});
