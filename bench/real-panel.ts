// B4r: the real panel, fed by the real background through the real port. The built extension in
// headless Chromium; a page on a site that is not a dev default (shop.example) makes `n`
// credentialed cross-origin fetches (every tenth blocked: a wildcard with credentials) while a port
// holds its tab (full capture, as an open panel does); then panel.html?tabId=N is opened in a tab of
// its own, as the e2e tests do, `rounds` times for that tab and for a tab of 100 (the baseline).
//   first row   navigation start → the first frame after the list has a row (performance.now() in
//               the panel page: its time origin is the navigation's start)
//   all in      → the frame after the toolbar counts every held exchange, with none left to load
// Both with the worker alive (the panel opened right after the traffic) and after a worker stop
// (the new life reads the tab's chunks back from storage.session).
import type { Page } from "puppeteer-core";
import { startBurstServer } from "../test/lab/hostile";
import { startLab } from "../test/lab/server";
import { launchChromium } from "../test/e2e/browser";
import { snapshot, stopWorker, tabIdOf, unwatch, waitFor, watch } from "../test/e2e/extension";
import { median } from "./stats";

export interface RealPanelArm {
  /** Requests the tab made. */
  sent: number;
  /** Exchanges the store held for it (the per-tab bound, or the byte budget, binds first). */
  held: number;
  dropped: number;
  worker: "alive" | "restarted";
  firstRowMs: number;
  allInMs: number;
  /** Medians, ms from navigation start: the panel script run (DOMContentLoaded), its port opened, the first SNAPSHOT received. */
  marks: Record<string, number>;
  samples: { firstRowMs: number[]; allInMs: number[] };
}

export interface RealPanelResult {
  bench: "B4r";
  chromium: string;
  rounds: number;
  arms: RealPanelArm[];
  checks: string[];
}

/** `n` credentialed fetches, 96 at a time, over 8 API hosts (Chromium opens 6 connections per host). */
function traffic(page: Page, port: number, tag: string, n: number): Promise<number> {
  return page.evaluate(async (p: number, t: string, k: number) => {
    let next = 0;
    let settled = 0;
    const worker = async () => {
      while (next < k) {
        const i = next++;
        const url = `http://h${i % 8}.api.example:${p}/${i % 10 === 0 ? "blocked" : "ok"}?t=${t}&i=${i}`;
        await fetch(url, { credentials: "include" }).then(() => {}, () => {});
        settled++;
      }
    };
    await Promise.all(Array.from({ length: 96 }, worker));
    return settled;
  }, port, tag, n);
}

/** Opens the real panel for `tabId` and times it from navigation start. */
async function openPanel(browser: import("puppeteer-core").Browser, extensionId: string, tabId: number, held: number): Promise<{ firstRowMs: number; allInMs: number; marks: Record<string, number>; rows: number; counts: string }> {
  const p = await browser.newPage();
  await p.setViewport({ width: 1280, height: 800 });
  // All in: the toolbar counts every held exchange ("2,000 requests · …") and loads no more.
  await p.evaluateOnNewDocument((total: string) => {
    const w = window as unknown as { __firstRow?: number; __allIn?: number; __marks: Record<string, number> };
    // Where the time goes: the panel script run, its port opened, the first SNAPSHOT received, the
    // first row in the DOM (then the frame that paints it).
    w.__marks = {};
    const mark = (k: string) => { w.__marks[k] ??= performance.now(); };
    document.addEventListener("DOMContentLoaded", () => mark("scriptDone"));
    const rt = (globalThis as unknown as { chrome?: { runtime?: { connect?: (...a: unknown[]) => { onMessage: { addListener(f: (m: { type?: string }) => void): void } } } } }).chrome?.runtime;
    const connect = rt?.connect;
    if (rt && connect) {
      rt.connect = (...args: unknown[]) => {
        mark("connect");
        const port = connect.apply(rt, args);
        port.onMessage.addListener((m) => { if (m?.type === "SNAPSHOT") mark("snapshot"); });
        return port;
      };
    }
    // After the frame: a task queued from requestAnimationFrame runs once the frame is produced.
    const afterFrame = (f: () => void) => requestAnimationFrame(() => setTimeout(f, 0));
    const check = () => {
      const bar = document.querySelector("[data-testid=counts]")?.textContent ?? "";
      if (w.__firstRow === undefined && document.querySelector("[role=row].row:not(.head)")) {
        mark("rowInDom");
        w.__firstRow = -1;
        afterFrame(() => { w.__firstRow = performance.now(); });
      }
      if (w.__firstRow !== undefined && w.__allIn === undefined && bar.startsWith(`${total} request`) && !bar.includes("more…")) {
        w.__allIn = -1;
        afterFrame(() => { w.__allIn = performance.now(); });
      }
    };
    new MutationObserver(check).observe(document, { childList: true, subtree: true, characterData: true });
  }, held.toLocaleString("en-US"));
  await p.goto(`chrome-extension://${extensionId}/panel.html?tabId=${tabId}`);
  await p.waitForFunction(() => {
    const w = window as unknown as { __firstRow?: number; __allIn?: number };
    return (w.__firstRow ?? -1) > 0 && (w.__allIn ?? -1) > 0;
  }, { timeout: 60_000, polling: 50 });
  const got = await p.evaluate(() => {
    const w = window as unknown as { __firstRow: number; __allIn: number };
    const marks = (window as unknown as { __marks: Record<string, number> }).__marks;
    // The page as loaded (Navigation Timing; chrome-extension: subresources have no Resource Timing).
    const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming | undefined;
    if (nav) marks.htmlLoaded = nav.responseEnd;
    return { firstRowMs: w.__firstRow, allInMs: w.__allIn, marks, rows: document.querySelectorAll("[role=row].row:not(.head)").length,
      counts: (document.querySelector("[data-testid=counts]")?.textContent ?? "").replace(/\s+/g, " ").slice(0, 200) };
  });
  await p.close();
  return got;
}

export async function runRealPanel(opts: { extensionDir: string; n: number; rounds: number }): Promise<RealPanelResult> {
  // The lab serves the page; the burst server (keep-alive) answers the API, allowing the page's origin.
  const lab = await startLab();
  const app = lab.origin("shop.example");
  const api = await startBurstServer(app);
  const launched = await launchChromium({ extensionDir: opts.extensionDir });
  const checks: string[] = [];
  try {
    const { browser } = launched;
    const sw = await browser.waitForTarget((t) => t.type() === "service_worker" && t.url().startsWith("chrome-extension://"), { timeout: 15000 });
    const extensionId = new URL(sw.url()).host;
    const control = await browser.newPage();
    await control.goto(`chrome-extension://${extensionId}/options.html`); // opens no port (hooks.ts)
    const tabs: Array<{ sent: number; tabId: number; held: number; dropped: number }> = [];
    for (const sent of [100, opts.n]) {
      const page = await browser.newPage();
      await page.goto(`${app}/page.html?n=${sent}`);
      const tabId = await tabIdOf(control, page);
      await watch(control, tabId);
      await waitFor("full capture", async () => (await snapshot(control, tabId)).captureLevel === "full");
      const settled = await traffic(page, api.port, String(sent), sent);
      if (settled !== sent) throw new Error(`B4r: ${settled} of ${sent} fetches settled`);
      const snap = await waitFor(`${sent} exchanges stored or dropped`, async () => {
        const x = await snapshot(control, tabId);
        return x.entries.length + x.dropped >= sent ? x : null;
      }, 120_000);
      await unwatch(control, tabId);
      tabs.push({ sent, tabId, held: snap.entries.length, dropped: snap.dropped });
    }
    const arms: RealPanelArm[] = [];
    for (const worker of ["alive", "restarted"] as const) {
      const per = new Map<number, { first: number[]; all: number[]; marks: Array<Record<string, number>> }>(tabs.map((t) => [t.tabId, { first: [], all: [], marks: [] }]));
      for (let r = 0; r < opts.rounds; r++) {
        for (const t of r % 2 ? [...tabs].reverse() : tabs) {
          if (worker === "restarted" && !(await stopWorker(browser, extensionId))) throw new Error("B4r: no worker to stop");
          const m = await openPanel(browser, extensionId, t.tabId, t.held);
          per.get(t.tabId)!.first.push(m.firstRowMs);
          per.get(t.tabId)!.all.push(m.allInMs);
          if (r === 0) checks.push(`${t.sent} sent, worker ${worker}: ${m.rows} rows in the DOM, toolbar "${m.counts}"`);
          per.get(t.tabId)!.marks.push(m.marks);
        }
      }
      for (const t of tabs) {
        const a = per.get(t.tabId)!;
        arms.push({ sent: t.sent, held: t.held, dropped: t.dropped, worker, firstRowMs: median(a.first), allInMs: median(a.all),
          marks: Object.fromEntries(["htmlLoaded", "scriptDone", "connect", "snapshot", "rowInDom"].map((k) => [k, median(a.marks.map((x) => x[k] ?? NaN))])),
          samples: { firstRowMs: a.first, allInMs: a.all } });
      }
    }
    return { bench: "B4r", chromium: await browser.version(), rounds: opts.rounds, arms, checks };
  } finally {
    await launched.cleanup();
    await api.close();
    await lab.close();
  }
}
