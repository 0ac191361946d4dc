// storage.session's quota in real Chromium: three busy tabs fill the store past what Chrome's 10 MiB
// (QUOTA_BYTES) can hold, then the worker is stopped. The store must keep under the quota (a set()
// past it stores nothing: every later exchange would be lost at the next stop), evict the oldest
// entries first among the tabs over an equal share, count them as dropped, and bring back after the stop exactly what it
// showed before it (src/background/store.ts).
import type { Page } from "puppeteer-core";
import type { SnapshotMessage } from "../../src/shared/protocol";
import { noise } from "../fixtures/noise";
import { labWithExtension, snapshot, stopWorker, tabIdOf, unwatch, waitFor, watch } from "./extension";

/** The storage.session calls made inside the control page (an extension page). */
declare const chrome: { storage: { session: { getBytesInUse(keys: null): Promise<number>; QUOTA_BYTES: number } } };

const env = labWithExtension();

/**
 * Requests per tab; each exchange is about 3.5 KB stored (a 3,000-byte response header of its own,
 * which deflating the chunks cannot shrink): 3 × 1,200 ≈ 12 MB.
 */
const N = 1200;

/** `n` credentialed-free GETs, 50 at a time, each to its own URL (?i=); resolves when all settled. */
function send(page: Page, url: string, from: number, n: number): Promise<number> {
  return page.evaluate(async (u: string, a: number, k: number) => {
    let ok = 0;
    for (let i = a; i < a + k; i += 50) {
      const batch = [];
      for (let j = i; j < Math.min(a + k, i + 50); j++) batch.push(fetch(`${u}?i=${j}`).then((r) => { if (r.ok) ok++; }, () => {}));
      await Promise.all(batch);
    }
    return ok;
  }, url, from, n);
}

const ids = (snap: SnapshotMessage) => snap.entries.map((e) => Number(new URL(e.exchange.request.url).searchParams.get("i")));
const bytesInUse = () => env.s.control.evaluate(async () => ({
  used: await chrome.storage.session.getBytesInUse(null), quota: chrome.storage.session.QUOTA_BYTES,
}));

test("three busy tabs past the quota, then a worker stop: under the quota, oldest dropped first, each tab its share, nothing shown lost", async () => {
  const key = `quota-${Date.now().toString(36)}`;
  env.lab.route(`/${key}`, (req) => ({ status: 200, body: "ok",
    headers: { "access-control-allow-origin": "*", "x-pad": noise(3000, Number(new URL(req.target, "http://x").searchParams.get("i"))) } }));
  const url = `${env.lab.origin("api.example")}/${key}`;
  const tabs: Array<{ page: Page; tab: number }> = [];
  for (let t = 0; t < 3; t++) {
    const page = await env.s.browser.newPage();
    await page.goto(`${env.app}/page.html?quota=${t}`);
    const tab = await tabIdOf(env.s.control, page);
    await watch(env.s.control, tab);
    tabs.push({ page, tab });
  }
  try {
    await waitFor("full capture", async () => (await Promise.all(tabs.map((t) => snapshot(env.s.control, t.tab)))).every((x) => x.captureLevel === "full"));
    // Tab 0 first, then tabs 1 and 2 side by side.
    expect(await send(tabs[0]!.page, url, 0, N)).toBe(N);
    expect(await Promise.all([send(tabs[1]!.page, url, 0, N), send(tabs[2]!.page, url, 0, N)])).toEqual([N, N]);
    const all = () => Promise.all(tabs.map((t) => snapshot(env.s.control, t.tab)));
    // Every request either kept or counted as dropped, and the store's 250 ms write done.
    const before = await waitFor("every request stored or dropped", async () => {
      const snaps = await all();
      return snaps.every((x) => x.entries.length + x.dropped === N) ? snaps : null;
    }, 30000);
    await new Promise((r) => setTimeout(r, 1000));
    const use = await bytesInUse();
    console.log(`quota: ${use.used} of ${use.quota} bytes in use; kept ${before.map((x) => x.entries.length).join("/")}, dropped ${before.map((x) => x.dropped).join("/")}`);
    expect(use.used).toBeLessThanOrEqual(use.quota);
    // More than the quota was made: something had to go, from every tab over its share (all three
    // here), so each keeps about a third.
    expect(before.reduce((n, x) => n + x.dropped, 0)).toBeGreaterThan(0);
    for (const x of before) expect(x.entries.length).toBeGreaterThan(N / 2 - 100);
    // Each tab keeps its newest requests. The store's order is the order of completion, which within
    // one batch of 50 is the network's; batches run one after another, so no kept request may come
    // from an earlier batch than a dropped one.
    for (const x of before) {
      const kept = ids(x);
      const dropped = Array.from({ length: N }, (_, i) => i).filter((i) => !kept.includes(i));
      expect(new Set(kept).size).toBe(kept.length);
      expect(kept).toContain(N - 1);
      expect(Math.floor(Math.max(...dropped) / 50)).toBeLessThanOrEqual(Math.floor(Math.min(...kept) / 50));
    }

    // The worker stops (its memory goes): the new life brings back what the panel showed.
    expect(await stopWorker(env.s.browser, env.s.extensionId)).toBe(true);
    const after = await all();
    expect(after.map((x) => ids(x).sort((a, b) => a - b))).toEqual(before.map((x) => ids(x).sort((a, b) => a - b)));
    expect(after.map((x) => x.dropped)).toEqual(before.map((x) => x.dropped));

    // And the new life goes on under the quota: tab 1 busy again.
    expect(await send(tabs[1]!.page, url, N, 400)).toBe(400);
    const later = await waitFor("the second round stored or dropped", async () => {
      const x = await snapshot(env.s.control, tabs[1]!.tab);
      return x.entries.length + x.dropped === N + 400 ? x : null;
    }, 30000);
    await new Promise((r) => setTimeout(r, 1000));
    expect(ids(later)).toContain(N + 399);
    expect((await bytesInUse()).used).toBeLessThanOrEqual(use.quota);
    expect(await stopWorker(env.s.browser, env.s.extensionId)).toBe(true);
    expect(ids(await snapshot(env.s.control, tabs[1]!.tab)).sort((a, b) => a - b)).toEqual(ids(later).sort((a, b) => a - b));
  } finally {
    for (const t of tabs) {
      await unwatch(env.s.control, t.tab);
      await t.page.close();
    }
  }
}, 240000);
