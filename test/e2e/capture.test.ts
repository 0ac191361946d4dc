// The built extension in headless Chromium against the lab: what the background holds for each
// request must match Chromium's own verdict (CDP Network.loadingFailed.corsErrorStatus).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Page } from "puppeteer-core";
import type { Hop } from "../../src/core/types";
import type { Entry, SnapshotMessage } from "../../src/shared/protocol";
import { startLab, type Lab } from "../lab/server";
import {
  badge, launchWithExtension, recordVerdicts, snapshot, stopWorker, tabIdOf, unwatch, waitFor, watch, type CdpVerdict, type ExtensionSession,
} from "./extension";

let lab: Lab;
let s: ExtensionSession;
let APP: string;
let nonce = 0;

beforeAll(async () => {
  lab = await startLab();
  s = await launchWithExtension();
  APP = lab.origin("app.example");
}, 60000);

afterAll(async () => {
  await s?.cleanup();
  await lab?.close();
});

/** Registers a scenario under a fresh key and returns its first URL. */
function scenario(name: string, hops: (url: (hop: number, host?: string) => string) => Hop[]): string {
  const key = `${name}-${++nonce}-${Date.now().toString(36)}`;
  const url = (hop: number, host = "api.example") => lab.hopUrl(key, hop, host);
  lab.register(key, { hops: hops(url) });
  return url(0);
}

const ok = (h: Record<string, string> = {}) => ({ status: 200, headers: { "access-control-allow-origin": APP, "access-control-allow-credentials": "true", vary: "Origin", ...h } });
const okPreflight = (h: Record<string, string> = {}) => ({ status: 204, headers: {
  "access-control-allow-origin": APP, "access-control-allow-credentials": "true",
  "access-control-allow-methods": "PUT", "access-control-allow-headers": "x-token", ...h } });


async function labPage(): Promise<{ page: Page; tabId: number; verdicts: CdpVerdict[]; finished: Set<string> }> {
  const page = await s.browser.newPage();
  await page.goto(`${APP}/page.html?t=${++nonce}`);
  const tabId = await tabIdOf(s.control, page);
  const { verdicts, finished } = await recordVerdicts(page);
  return { page, tabId, verdicts, finished };
}

type Call = { url: string; api?: "fetch" | "xhr"; method?: string; credentials?: RequestCredentials; headers?: Record<string, string> };

/** Runs calls in the page (through the hooked fetch/XHR) and returns what JavaScript saw. */
async function run(page: Page, calls: Call[]): Promise<string[]> {
  return page.evaluate((cs: Call[]) => Promise.all(cs.map((c) => {
    if (c.api === "xhr") {
      return new Promise<string>((done) => {
        const x = new XMLHttpRequest();
        x.open(c.method ?? "GET", c.url);
        x.withCredentials = c.credentials === "include";
        for (const [k, v] of Object.entries(c.headers ?? {})) x.setRequestHeader(k, v);
        x.onloadend = () => done(x.status ? `ok ${x.status}` : "error");
        x.send();
      });
    }
    return fetch(c.url, { method: c.method ?? "GET", credentials: c.credentials ?? "same-origin", headers: c.headers ?? {} })
      .then((r) => `ok ${r.status}`, (e: Error) => `error ${e.name}`);
  })), calls);
}

function byUrl(snap: SnapshotMessage, url: string): Entry[] {
  return snap.entries.filter((e) => e.exchange.request.url === url);
}

async function settled(tabId: number, urls: string[], count = urls.length): Promise<SnapshotMessage> {
  let seen = 0;
  try {
    return await waitFor(`${count} exchanges for ${urls.length} URLs`, async () => {
      const snap = await snapshot(s.control, tabId);
      seen = urls.reduce((a, u) => a + byUrl(snap, u).length, 0);
      return seen >= count ? snap : null;
    });
  } catch (e) {
    throw new Error(`${(e as Error).message} (found ${seen})`);
  }
}

/** The background's diagnosis must be Chromium's: code, failed parameter and blocked. */
function expectAgreesWithChromium(entry: Entry, verdicts: CdpVerdict[], finished: Set<string>): void {
  const url = entry.exchange.request.url;
  const v = verdicts.find((x) => x.url === url);
  const browser = v ? { blocked: v.corsError !== null, code: v.corsError, failedParameter: v.failedParameter } : { blocked: false, code: null, failedParameter: null };
  if (!v) expect(finished.has(url)).toBe(true);
  const d = entry.diagnosis;
  expect({ url, blocked: d.blocked, code: d.code, failedParameter: d.failedParameter }).toEqual({ url, ...browser });
}

describe("capture in Chromium with the built extension", () => {
  test("every lab request is recorded, correlated and diagnosed as Chromium decides; the badge counts the blocked", async () => {
    const { page, tabId, verdicts, finished } = await labPage();
    await watch(s.control, tabId);
    await waitFor("full capture", async () => (await snapshot(s.control, tabId)).captureLevel === "full");

    const simple = scenario("simple", (u) => [{ url: u(0), preflight: null, response: { status: 200, headers: { "access-control-allow-origin": "*" } } }]);
    const wildcard = scenario("wildcard", (u) => [{ url: u(0), preflight: null, response: ok({ "access-control-allow-origin": "*" }) }]);
    const noAcac = scenario("pre-noacac", (u) => [{ url: u(0), preflight: { status: 204, headers: {
      "access-control-allow-origin": APP, "access-control-allow-methods": "PUT", "access-control-allow-headers": "x-token" } }, response: ok() }]);
    const xhr = scenario("xhr-noacac", (u) => [{ url: u(0), preflight: null, response: { status: 200, headers: { "access-control-allow-origin": APP } } }]);
    const cached = scenario("cached", (u) => [{ url: u(0), preflight: okPreflight({ "access-control-max-age": "600" }), response: ok() }]);
    const crossRedirect = scenario("redirect-x", (u): Hop[] => [
      { url: u(0), preflight: null, response: { status: 302, headers: { ...ok().headers, location: u(1, "other.example") } } },
      { url: u(1, "other.example"), preflight: null, response: ok() },
    ]);
    const sameRedirect = scenario("redirect-same", (u): Hop[] => [
      { url: u(0), preflight: null, response: { status: 307, headers: { "access-control-allow-origin": "*", location: u(1) } } },
      { url: u(1), preflight: null, response: { status: 200, headers: { "access-control-allow-origin": "*" } } },
    ]);
    const concurrent = scenario("concurrent", (u) => [{ url: u(0), preflight: okPreflight({ "access-control-max-age": "0" }), response: ok() }]);

    const put = { method: "PUT", credentials: "include" as const, headers: { "x-token": "1" } };
    const seen = await run(page, [
      { url: simple },
      { url: wildcard, credentials: "include" },
      { url: noAcac, ...put },
      { url: xhr, api: "xhr", credentials: "include" },
      { url: cached, ...put },
      { url: crossRedirect, credentials: "include" },
      { url: sameRedirect },
      { url: concurrent, ...put }, { url: concurrent, ...put }, { url: concurrent, ...put },
    ]);
    expect(seen).toEqual(["ok 200", "error TypeError", "error TypeError", "error", "ok 200", "error TypeError", "ok 200", "ok 200", "ok 200", "ok 200"]);
    // The same request again within Max-Age: Chromium answers the preflight from its cache.
    expect(await run(page, [{ url: cached, ...put }])).toEqual(["ok 200"]);

    const all = [simple, wildcard, noAcac, xhr, cached, crossRedirect, sameRedirect, concurrent];
    const snap = await settled(tabId, all, all.length + 2 + 1);

    await waitFor("Chromium's verdicts", async () => all.every((u) => finished.has(u) || verdicts.some((v) => v.url === u)));
    for (const url of all) for (const e of byUrl(snap, url)) expectAgreesWithChromium(e, verdicts, finished);

    const one = (url: string) => {
      const list = byUrl(snap, url);
      expect(list).toHaveLength(1);
      return list[0]!;
    };
    // The preflight is tied to its request; the credentials mode comes from the page hook (not inferred).
    expect(one(noAcac).exchange.hops[0]!.preflight?.status).toBe(204);
    expect(one(noAcac).diagnosis).toMatchObject({ stage: "preflight", code: "PreflightInvalidAllowCredentials",
      header: "access-control-allow-credentials", credentials: { mode: "include" } });
    expect(one(wildcard).diagnosis).toMatchObject({ stage: "actual", credentials: { mode: "include" } });
    expect(one(xhr).diagnosis).toMatchObject({ code: "InvalidAllowCredentials", credentials: { mode: "include" } });
    expect(one(simple).diagnosis.blocked).toBe(false);
    // One exchange over both hops of a redirect; Origin is null after the cross-origin hop.
    expect(one(crossRedirect).exchange.hops).toHaveLength(2);
    expect(one(crossRedirect).diagnosis).toMatchObject({ stage: "actual", hop: 1, code: "AllowOriginMismatch", expected: "null" });
    expect(one(sameRedirect).exchange.hops).toHaveLength(2);
    // Preflight cache: the second identical request went out without an OPTIONS, and says so.
    const twice = byUrl(snap, cached);
    expect(twice).toHaveLength(2);
    expect(twice.map((e) => !!e.exchange.hops[0]!.preflight)).toEqual([true, false]);
    expect(twice[1]!.exchange.hops[0]!.preflightCached).toBe(true);
    // …and whose cached answer it was, with each browser's lifetime for its Max-Age.
    expect(twice[0]!.diagnosis.preflightCache).toBeUndefined();
    expect(twice[1]!.diagnosis.preflightCache).toEqual({ hop: 0, from: twice[0]!.exchange.id, maxAge: "600",
      lifetimes: { chrome: 600, firefox: 600, safari: 600 }, atMost: false });
    // Concurrent identical requests: three exchanges, each with its own preflight.
    const three = byUrl(snap, concurrent);
    expect(three).toHaveLength(3);
    expect(three.every((e) => e.exchange.hops[0]!.preflight?.status === 204 && !e.diagnosis.blocked)).toBe(true);

    const blocked = snap.entries.filter((e) => e.diagnosis.blocked).length;
    expect(blocked).toBe(4);
    const b = await badge(s.control, tabId);
    expect(b.text).toBe(String(blocked));
    expect(b.title).toMatch(/GET|PUT/);
    await unwatch(s.control, tabId);
    await page.close();
  });

  test("the CORS error hides a server error: a 401 preflight, a 500 and a 404 without CORS headers, by fetch and XHR", async () => {
    const { page, tabId, verdicts, finished } = await labPage();
    await watch(s.control, tabId);
    await waitFor("full capture", async () => (await snapshot(s.control, tabId)).captureLevel === "full");
    const auth = scenario("pre-401", (u) => [{ url: u(0), preflight: { status: 401, headers: { "www-authenticate": "Bearer" } }, response: ok() }]);
    const crash = scenario("get-500", (u) => [{ url: u(0), preflight: null, response: { status: 500, headers: { "content-type": "text/html" } } }]);
    const route = scenario("xhr-404", (u) => [{ url: u(0), preflight: null, response: { status: 404, headers: {} } }]);
    // An error that went through the CORS layer (it has the headers, wrongly) is not a hidden server error.
    const cors = scenario("get-500-cors", (u) => [{ url: u(0), preflight: null, response: { status: 500, headers: { "access-control-allow-origin": "*" } } }]);
    const seen = await run(page, [
      { url: auth, method: "PUT", credentials: "include", headers: { "x-token": "1" } },
      { url: crash, credentials: "include" },
      { url: route, api: "xhr", credentials: "include" },
      { url: cors, credentials: "include" },
    ]);
    expect(seen).toEqual(["error TypeError", "error TypeError", "error", "error TypeError"]);
    const all = [auth, crash, route, cors];
    const snap = await settled(tabId, all);
    await waitFor("Chromium's verdicts", async () => all.every((u) => finished.has(u) || verdicts.some((v) => v.url === u)));
    for (const url of all) for (const e of byUrl(snap, url)) expectAgreesWithChromium(e, verdicts, finished);
    const d = (url: string) => byUrl(snap, url)[0]!.diagnosis;
    expect(d(auth)).toMatchObject({ code: "PreflightMissingAllowOriginHeader", serverError: { stage: "preflight", hop: 0, status: 401 } });
    expect(d(auth).message).toMatch(/^The server answered the preflight \(OPTIONS\) with 401 Unauthorized and no CORS headers: the CORS error hides an authentication error\./);
    expect(d(crash)).toMatchObject({ code: "MissingAllowOriginHeader", serverError: { stage: "actual", hop: 0, status: 500 } });
    expect(d(route)).toMatchObject({ code: "MissingAllowOriginHeader", serverError: { stage: "actual", hop: 0, status: 404 } });
    expect(d(cors).blocked).toBe(true);
    expect(d(cors).serverError).toBeUndefined();
    await unwatch(s.control, tabId);
    await page.close();
  });

  test("requests from an iframe and a dedicated worker are captured for the tab", async () => {
    const { page, tabId, verdicts, finished } = await labPage();
    await watch(s.control, tabId);
    await waitFor("full capture", async () => (await snapshot(s.control, tabId)).captureLevel === "full");
    const fromFrame = scenario("iframe", (u) => [{ url: u(0), preflight: null, response: { status: 200, headers: {} } }]);
    const fromWorker = scenario("worker", (u) => [{ url: u(0), preflight: null, response: ok({ "access-control-allow-origin": "*" }) }]);
    await page.evaluate((src: string) => new Promise((done) => {
      const f = document.createElement("iframe");
      f.src = src;
      f.onload = done;
      document.body.appendChild(f);
    }), `${APP}/page.html?frame=1`);
    const frame = page.frames().find((f) => f.url().includes("frame=1"))!;
    expect(await frame.evaluate((u: string) => fetch(u).then(() => "ok", (e: Error) => e.name), fromFrame)).toBe("TypeError");
    expect(await page.evaluate((u: string) => new Promise((done) => {
      const code = `fetch(${JSON.stringify(u)}, { credentials: "include" }).then(() => postMessage("ok"), (e) => postMessage(e.name));`;
      const w = new Worker(URL.createObjectURL(new Blob([code], { type: "text/javascript" })));
      w.onmessage = (e) => done(e.data);
    }), fromWorker)).toBe("TypeError");

    const snap = await settled(tabId, [fromFrame, fromWorker]);
    await waitFor("Chromium's verdict", async () => verdicts.some((v) => v.url === fromFrame));
    const frameEntry = byUrl(snap, fromFrame)[0]!;
    expect(frameEntry.frameId).not.toBe(0);
    expect(frameEntry.diagnosis.code).toBe("MissingAllowOriginHeader");
    expectAgreesWithChromium(frameEntry, verdicts, finished);
    const workerEntry = byUrl(snap, fromWorker)[0]!;
    // No page hook in a worker: the credentials mode is inferred from the browser's verdict.
    expect(workerEntry.diagnosis).toMatchObject({ code: "WildcardOriginNotAllowed", credentials: { mode: "include", inferred: true } });
    await unwatch(s.control, tabId);
    await page.close();
  });

  // What a stop guarantees, right after traffic or in the middle of it (Chrome then restarts the
  // worker for the in-flight requests' events), whether the worker comes back for a snapshot, for
  // the panel's reconnect or for the page's next requests: everything recorded before it survives,
  // once; capture resumes at once (the next round is recorded in full, also when it is what wakes
  // the worker: the start-up bridge in capture.ts, Chromium 156); the badge agrees with the store.
  // Requests in flight across a stop are recorded at most once.
  test("stopping the service worker repeatedly, after traffic and in the middle of it, loses and duplicates nothing recorded, capture resumes, the badge stays right", async () => {
    // Slow responses (the lab answers at once), to stop the worker while requests are in flight.
    const slow = createServer((req, res) => {
      const q = new URL(req.url ?? "/", "http://x").searchParams;
      const headers: Record<string, string> = { "access-control-allow-origin": APP, connection: "close" };
      if (q.get("ok")) Object.assign(headers, { "access-control-allow-credentials": "true", vary: "Origin" });
      setTimeout(() => { res.writeHead(200, headers); res.end("x"); }, Number(q.get("d")));
    });
    await new Promise<void>((r) => slow.listen(0, "127.0.0.1", () => r()));
    const slowPort = (slow.address() as AddressInfo).port;
    const { page, tabId } = await labPage();
    try {
      await watch(s.control, tabId);
      await waitFor("full capture", async () => (await snapshot(s.control, tabId)).captureLevel === "full");
      // Credentialed; odd ones lack Access-Control-Allow-Credentials: blocked.
      const batch = (round: number, delay: number) => Array.from({ length: 8 }, (_, i) =>
        `http://api.example:${slowPort}/kill/${round}-${i}-${++nonce}?d=${delay}${i % 2 ? "" : "&ok=1"}`);
      const send = async (urls: string[]) => expect(await run(page, urls.map((url) => ({ url, credentials: "include" as const })))).toHaveLength(8);
      // A blocked exchange is committed after the correlator's 1.5 s wait for a late preflight.
      const recorded = async (what: string, urls: string[]) => {
        let seen = 0;
        try {
          return await waitFor(what, async () => {
            const snap = await snapshot(s.control, tabId);
            seen = urls.filter((u) => byUrl(snap, u).length === 1).length;
            return seen === urls.length ? snap : null;
          }, 4000);
        } catch (e) {
          throw new Error(`${(e as Error).message} (${seen} of ${urls.length})`);
        }
      };

      const stops = [
        ["after", "snapshot"], ["mid", "snapshot"], ["after", "traffic"], ["mid", "traffic"],
        ["after", "panel"], ["mid", "panel"], ["after", "traffic"],
      ] as const;
      let urls = batch(0, 0);
      await send(urls);
      await recorded("the first round", urls);
      const inFlight: string[] = [];
      for (const [round, [when, wake]] of stops.entries()) {
        let sending: Promise<void> | null = null;
        if (when === "mid") {
          const slowUrls = batch(round + 1, 800);
          inFlight.push(...slowUrls);
          sending = send(slowUrls);
          await new Promise((r) => setTimeout(r, 200));
        }
        const before = (await snapshot(s.control, tabId)).entries.map((e) => e.exchange.id);
        expect(await stopWorker(s.browser, s.extensionId)).toBe(true);
        await sending;
        // The worker comes back for a snapshot, for the panel's reconnect, or for the next round.
        if (wake === "snapshot") await waitFor("the panel back", async () => (await snapshot(s.control, tabId)).captureLevel === "full");
        if (wake === "panel") await new Promise((r) => setTimeout(r, 1000));
        urls = batch(round + 100, 0);
        await send(urls);
        const snap = await recorded(`round ${round} after a stop ${when} traffic (${wake})`, urls);
        const ids = snap.entries.map((e) => e.exchange.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(before.filter((id) => !ids.includes(id))).toEqual([]);
        expect(inFlight.filter((u) => byUrl(snap, u).length > 1)).toEqual([]);
        // The badge counts recorded blocks plus the page hook's failures that capture missed.
        const n = snap.entries.filter((e) => e.diagnosis.blocked).length + snap.suspected;
        expect((await badge(s.control, tabId)).text).toBe(n ? String(n) : "");
      }
    } finally {
      await unwatch(s.control, tabId);
      await page.close();
      slow.close();
    }
  });

  test("forged, oversized and malformed page messages change nothing", async () => {
    const { page, tabId } = await labPage();
    await watch(s.control, tabId);
    await waitFor("full capture", async () => (await snapshot(s.control, tabId)).captureLevel === "full");
    const good = scenario("forged-target", (u) => [{ url: u(0), preflight: null, response: { status: 200, headers: { "access-control-allow-origin": "*" } } }]);
    expect(await run(page, [{ url: good }])).toEqual(["ok 200"]);
    const before = await settled(tabId, [good]);
    const beforeBadge = await badge(s.control, tabId);
    await page.evaluate((u: string) => {
      const fire = (detail: unknown) => document.dispatchEvent(new CustomEvent("cors-lens:call", { detail }));
      const base = { api: "fetch", url: u, method: "GET", credentials: "include", mode: "cors", initiator: "x.js:1:1", time: Date.now() };
      for (let i = 0; i < 2000; i++) {
        fire(JSON.stringify({ ...base, outcome: "rejected-typeerror" }));       // claims the good request failed
        fire(JSON.stringify({ ...base, url: `https://evil.example/${i}`, outcome: "rejected-typeerror" }));
        fire("x".repeat(100000));                                                // oversized
        fire("{not json");                                                        // malformed
        fire({ object: "not a string" });                                         // wrong type
      }
    }, good);
    // Unmatched reports are held 5 s before they count as missed: wait past that.
    await new Promise((r) => setTimeout(r, 6000));
    const after = await snapshot(s.control, tabId);
    expect(after.entries.map((e) => [e.exchange.id, e.diagnosis.blocked])).toEqual(before.entries.map((e) => [e.exchange.id, e.diagnosis.blocked]));
    expect(after.entries.some((e) => e.diagnosis.blocked)).toBe(false);
    expect((await badge(s.control, tabId)).text).toBe(beforeBadge.text);
    // The page still works exactly as before.
    expect(await run(page, [{ url: good }])).toEqual(["ok 200"]);
    await unwatch(s.control, tabId);
    await page.close();
  });

  // The relay's gating (src/content/relay-core.ts): below full capture a runtime message per call
  // was CORS Lens's whole idle cost, so an idle tab's relay forwards only the calls that failed;
  // a captured tab's (a panel open, or an always-captured site) every call. Counted by the
  // background (the SNAPSHOT's `reports`), read after the traffic: a snapshot's port is a panel.
  test("an idle tab has no page hook; a hooked one's relay sends only failures; a watched tab's and an always-captured site's send every call", async () => {
    const okUrl = scenario("gate-ok", (u) => [{ url: u(0), preflight: null, response: { status: 200, headers: { "access-control-allow-origin": "*" } } }]);
    const badUrl = scenario("gate-bad", (u) => [{ url: u(0), preflight: null, response: ok({ "access-control-allow-origin": "*" }) }]);
    const traffic = (n: number): Call[] => [
      ...Array.from({ length: n }, () => ({ url: okUrl })),
      { url: badUrl, credentials: "include" as const }, { url: badUrl, api: "xhr" as const, credentials: "include" as const },
    ];
    const reportsOf = async (tabId: number, atLeast: number) => {
      let seen = -1;
      try {
        return await waitFor(`${atLeast} reports`, async () => {
          seen = (await snapshot(s.control, tabId)).reports ?? -1;
          return seen >= atLeast ? seen : null;
        });
      } catch (e) {
        throw new Error(`${(e as Error).message} (saw ${seen})`);
      }
    };

    // Idle (app.example is no dev site, no panel): 30 good calls and 2 failures, 2 reports. First the
    // page tries to switch its relay to full capture itself: the level comes only from the extension.
    const idle = await labPage();
    await idle.page.evaluate(() => {
      const forged = { type: "cors-lens/capture-state", full: true, stamp: Number.MAX_SAFE_INTEGER };
      document.dispatchEvent(new CustomEvent("cors-lens:call", { detail: JSON.stringify(forged) }));
      document.dispatchEvent(new CustomEvent("cors-lens:call", { detail: forged }));
      window.postMessage(forged, "*");
    });
    // The page hook's own events (what the relay reads): counted in the page, as a page could.
    const hookEvents = async () => idle.page.evaluate(() => (window as unknown as { hookEvents: number }).hookEvents);
    await idle.page.evaluate(() => {
      (window as unknown as { hookEvents: number }).hookEvents = 0;
      document.addEventListener("cors-lens:call", () => { (window as unknown as { hookEvents: number }).hookEvents++; });
    });
    // No page hook at all in a tab nobody watches (Chrome registers it only where a capture reads it:
    // src/background/hooks.ts); the badge counts Chromium's own errors instead (engine.ts countError).
    expect(await idle.page.evaluate(() => "__corsLensHooked" in window)).toBe(false);
    const seen = await run(idle.page, traffic(30));
    expect(seen.slice(-2)).toEqual(["error TypeError", "error"]);
    await new Promise((r) => setTimeout(r, 1000)); // a report would be sent within ~50 ms
    expect(await hookEvents()).toBe(0);
    const idleSnap = await snapshot(s.control, idle.tabId);
    expect(idleSnap.reports).toBe(0);
    expect(idleSnap.suspected).toBe(2);
    expect(idleSnap.entries).toEqual([]);
    // The snapshot's port held the tab for a moment, and that put the hook into its document
    // (injected, as when a panel opens). Now at the "count" level again: successes cost no event,
    // the first call of the document (so that the relay asks) and the 2 failures do.
    await waitFor("the hook injected", async () => idle.page.evaluate(() => "__corsLensHooked" in window));
    await run(idle.page, traffic(30));
    expect(await hookEvents()).toBeLessThanOrEqual(1 + 2);
    await new Promise((r) => setTimeout(r, 1000));
    // The relay forwards failures at this level; Chromium's errors already counted them, once.
    const counted = await snapshot(s.control, idle.tabId);
    expect(counted.reports).toBe(2);
    expect(counted.suspected).toBe(4);

    // The same page once a panel watches it (the background pushes the change to the page): all 32.
    await watch(s.control, idle.tabId);
    await waitFor("full capture", async () => (await snapshot(s.control, idle.tabId)).captureLevel === "full");
    await new Promise((r) => setTimeout(r, 500));
    await run(idle.page, traffic(30));
    expect(await reportsOf(idle.tabId, 2 + 32)).toBe(2 + 32);
    // Closed again: failures only.
    await unwatch(s.control, idle.tabId);
    await new Promise((r) => setTimeout(r, 500));
    await run(idle.page, traffic(30));
    await new Promise((r) => setTimeout(r, 1000));
    expect((await snapshot(s.control, idle.tabId)).reports).toBe(2 + 32 + 2);
    await idle.page.close();

    // A page that loads in an already-captured tab (app.test: a default dev site) asks at start: all 32.
    const page = await s.browser.newPage();
    await page.goto(`${lab.origin("app.test")}/page.html?t=${++nonce}`);
    const tabId = await tabIdOf(s.control, page);
    await run(page, traffic(30));
    expect(await reportsOf(tabId, 32)).toBe(32);
    await page.close();
  });

  test("tabs nobody watches have no page hook, and their badges count what Chromium blocked: fetch, a preflight, XHR, EventSource, a same-origin call redirected away; not a refused connection", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", () => r()));
    const refusedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const tabs = [await labPage(), await labPage()];
    const plan = (i: number) => {
      const wildcard = scenario(`idle-wild${i}`, (u) => [{ url: u(0), preflight: null, response: ok({ "access-control-allow-origin": "*" }) }]);
      const preflight = scenario(`idle-pre${i}`, (u) => [{ url: u(0), preflight: { status: 204, headers: {
        "access-control-allow-origin": APP, "access-control-allow-methods": "PUT", "access-control-allow-headers": "x-token" } }, response: ok() }]);
      const xhr = scenario(`idle-xhr${i}`, (u) => [{ url: u(0), preflight: null, response: { status: 200, headers: { "access-control-allow-origin": APP } } }]);
      const es = scenario(`idle-es${i}`, (u) => [{ url: u(0), preflight: null, response: { status: 200, headers: { "content-type": "text/event-stream" } } }]);
      const away = scenario(`idle-away${i}`, (u): Hop[] => [
        { url: u(0, "app.example"), preflight: null, response: { status: 302, headers: { location: u(1) } } },
        { url: u(1), preflight: null, response: { status: 200, headers: {} } },
      ]);
      const good = scenario(`idle-good${i}`, (u) => [{ url: u(0), preflight: null, response: ok() }]);
      return { wildcard, preflight, xhr, es, away, good };
    };
    const plans = tabs.map((_, i) => plan(i));
    // Both tabs at once.
    const seen = await Promise.all(tabs.map(async ({ page }, i) => {
      const p = plans[i]!;
      const calls = await run(page, [
        { url: p.wildcard, credentials: "include" },
        { url: p.preflight, method: "PUT", credentials: "include", headers: { "x-token": "1" } },
        { url: p.xhr, api: "xhr", credentials: "include" },
        { url: p.away },
        { url: p.good, credentials: "include" },
        { url: `http://api.example:${refusedPort}/refused`, credentials: "include" },
      ]);
      const es = await page.evaluate((u: string) => new Promise<string>((done) => {
        const e = new EventSource(u, { withCredentials: true });
        e.onerror = () => { e.close(); done("error"); };
        e.onopen = () => { e.close(); done("open"); };
      }), p.es);
      return [...calls, es];
    }));
    for (const x of seen) expect(x).toEqual(["error TypeError", "error TypeError", "error", "error TypeError", "ok 200", "error TypeError", "error"]);
    for (const [i, { page, tabId, verdicts }] of tabs.entries()) {
      expect(await page.evaluate(() => "__corsLensHooked" in window)).toBe(false);
      const p = plans[i]!;
      // Chromium's own verdicts: five CORS errors, and the refused connection is not one.
      await waitFor("Chromium's verdicts", async () => verdicts.length >= 6);
      const cors = verdicts.filter((v) => v.corsError !== null).map((v) => v.url).sort();
      expect(cors).toEqual([p.wildcard, p.preflight, p.xhr, p.es, p.away].sort());
      expect(verdicts.find((v) => v.url.includes("/refused"))).toMatchObject({ corsError: null, errorText: "net::ERR_CONNECTION_REFUSED" });
      const b = await waitFor("the badge", async () => { const x = await badge(s.control, tabId); return x.text === String(cors.length) ? x : null; });
      expect(b.title).toBe(`${cors.length} cross-origin requests rejected; open the CORS panel to diagnose`);
    }
    // Counted, not captured: nothing was recorded for these tabs.
    for (const { page, tabId } of tabs) {
      const snap = await snapshot(s.control, tabId);
      expect(snap.entries).toEqual([]);
      expect(snap.suspected).toBe(5);
      await page.close();
    }
  });

  test("'always capture' on a site that is not a dev default registers the hook for its new pages, and nowhere else, with no port open", async () => {
    const site = "other.example";
    const set = (on: boolean) => s.control.evaluate((m: { site: string; on: boolean }) => new Promise<void>((done) => {
      const c = (globalThis as unknown as { chrome: { runtime: { connect(o: object): { postMessage(m: unknown): void; disconnect(): void; onMessage: { addListener(f: (m: { type?: string }) => void): void } } } } }).chrome;
      const port = c.runtime.connect({ name: "cors-lens/panel" });
      port.onMessage.addListener((x) => {
        if (x?.type !== "SNAPSHOT") return;
        port.postMessage({ type: "SET_ALWAYS_CAPTURE", site: m.site, on: m.on });
        setTimeout(() => { port.disconnect(); done(); }, 300);
      });
      port.postMessage({ type: "HELLO", tabId: 999999 });
    }), { site, on });
    const registered = () => s.control.evaluate(async () => {
      const c = (globalThis as unknown as { chrome: { scripting: { getRegisteredContentScripts(): Promise<Array<{ id: string; matches?: string[] }>> } } }).chrome;
      return (await c.scripting.getRegisteredContentScripts()).map((x) => [x.id, ...(x.matches ?? [])].join(" "));
    });
    await set(true);
    try {
      // The port closed: the registration narrows back to the always-captured sites, now with this one.
      const scripts = await waitFor("the site registered, and not every page", async () => {
        const r = await registered();
        return r.length === 2 && r.every((x) => x.includes(`*://${site}/*`) && !x.includes("<all_urls>")) ? r : null;
      });
      expect(scripts.map((x) => x.split(" ")[0]).sort()).toEqual(["cors-lens-hook", "cors-lens-relay"]);
      const on = await s.browser.newPage();
      // No port is open and nothing was injected: only the registration can have put it there.
      await on.goto(`${lab.origin(site)}/page.html?t=${++nonce}`);
      expect(await on.evaluate(() => "__corsLensHooked" in window)).toBe(true);
      const off = await s.browser.newPage();
      await off.goto(`${APP}/page.html?t=${++nonce}`);
      expect(await off.evaluate(() => "__corsLensHooked" in window)).toBe(false);
      await on.close();
      await off.close();
    } finally {
      await set(false);
    }
    await waitFor("the site unregistered", async () => (await registered()).every((x) => !x.includes(`*://${site}/*`)));
  });

  test("a tab nobody watches costs no capture; opening a panel reports what was missed", async () => {
    const { page, tabId } = await labPage();
    const failing = scenario("unwatched", (u) => [{ url: u(0), preflight: null, response: ok({ "access-control-allow-origin": "*" }) }]);
    expect(await run(page, [{ url: failing, credentials: "include" }])).toEqual(["error TypeError"]);
    await new Promise((r) => setTimeout(r, 500));
    const snap = await snapshot(s.control, tabId);
    expect(byUrl(snap, failing)).toHaveLength(0);
    expect(snap.suspected + snap.missed).toBeGreaterThanOrEqual(1);
    await unwatch(s.control, tabId);
    await page.close();
  });
});
