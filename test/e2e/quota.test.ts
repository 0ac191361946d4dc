// storage.session's quota in real Chromium: three busy tabs fill the store past what Chrome's 10 MiB
// (QUOTA_BYTES) can hold, then the worker is stopped. The store must keep under the quota (a set()
// past it stores nothing: every later exchange would be lost at the next stop), evict the oldest
// entries first among the tabs over an equal share, count them as dropped, and bring back after the stop exactly what it
// showed before it (src/background/store.ts). The second test does the same with values that deflate
// well, so that what binds is the budget of JSON held in memory (MEMORY_BUDGET), not the stored bytes.
import type { Page } from "puppeteer-core";
import type { SnapshotMessage } from "../../src/shared/protocol";
import { noise } from "../fixtures/noise";
import { MEMORY_BUDGET, STORE_BUDGET } from "../../src/background/store";
import { labWithExtension, snapshot, stopWorker, tabIdOf, unwatch, waitFor, watch } from "./extension";

/** The storage.session calls made inside the control page (an extension page). */
declare const chrome: { storage: { session: { getBytesInUse(keys: null): Promise<number>; get(keys: null): Promise<Record<string, unknown>>; QUOTA_BYTES: number } } };

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

/**
 * What the store holds in memory, read from its tab indexes in storage.session: the sum of their
 * chunks' JSON sizes (ChunkRef.r, the figure MEMORY_BUDGET bounds), and how many indexes hold chunks.
 */
const heldInMemory = () => env.s.control.evaluate(async () => {
  let raw = 0;
  let tabs = 0;
  for (const v of Object.values(await chrome.storage.session.get(null))) {
    const x = v as { v?: unknown; chunks?: Array<{ r?: number; b?: number }> } | null;
    if (typeof x !== "object" || x === null || x.v !== 1 || !Array.isArray(x.chunks)) continue;
    if (x.chunks.length) tabs++;
    for (const c of x.chunks) raw += c.r ?? c.b ?? 0;
  }
  return { raw, tabs };
});

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

test("three busy tabs past the memory budget with values that deflate well: the memory budget binds (not the byte budget), oldest first, each tab its share, kept across a worker stop", async () => {
  // Tabs closed by the test above are gone from the store (its chunks and its share).
  await waitFor("no tab's chunks left from the last test", async () => (await heldInMemory()).tabs === 0 || null, 10000);
  const key = `memory-${Date.now().toString(36)}`;
  // 3,000 bytes of a value of its own per request that deflate shrinks ~20-fold (words repeated, as
  // long cookies, CSP or feature-policy headers are): stored bytes stay far under STORE_BUDGET while
  // their JSON in memory passes MEMORY_BUDGET.
  const words = "access-control-allow-headers content-type authorization x-requested-with ";
  env.lab.route(`/${key}`, (req) => ({ status: 200, body: "ok",
    headers: { "access-control-allow-origin": "*", "x-pad": `${new URL(req.target, "http://x").searchParams.get("i")} ${words.repeat(40)}`.slice(0, 3000) } }));
  const url = `${env.lab.origin("api.example")}/${key}`;
  const M = 1400; // 3 × 1,400 exchanges of ~3.5 KB JSON ≈ 14.7 MB > MEMORY_BUDGET (12 MiB)
  const tabs: Array<{ page: Page; tab: number }> = [];
  for (let t = 0; t < 3; t++) {
    const page = await env.s.browser.newPage();
    await page.goto(`${env.app}/page.html?memory=${t}`);
    const tab = await tabIdOf(env.s.control, page);
    await watch(env.s.control, tab);
    tabs.push({ page, tab });
  }
  try {
    await waitFor("full capture", async () => (await Promise.all(tabs.map((t) => snapshot(env.s.control, t.tab)))).every((x) => x.captureLevel === "full"));
    expect(await send(tabs[0]!.page, url, 0, M)).toBe(M);
    expect(await Promise.all([send(tabs[1]!.page, url, 0, M), send(tabs[2]!.page, url, 0, M)])).toEqual([M, M]);
    const all = () => Promise.all(tabs.map((t) => snapshot(env.s.control, t.tab)));
    const before = await waitFor("every request stored or dropped", async () => {
      const snaps = await all();
      return snaps.every((x) => x.entries.length + x.dropped === M) ? snaps : null;
    }, 30000);
    await new Promise((r) => setTimeout(r, 1000));
    const use = await bytesInUse();
    const held = await heldInMemory();
    console.log(`memory budget: ${held.raw} of ${MEMORY_BUDGET} bytes of JSON held, ${use.used} bytes stored; kept ${before.map((x) => x.entries.length).join("/")}, dropped ${before.map((x) => x.dropped).join("/")}`);
    // The memory budget is what evicted: the stored bytes are far under theirs, the JSON at its own.
    expect(use.used).toBeLessThan(STORE_BUDGET / 2);
    expect(held.raw).toBeLessThanOrEqual(MEMORY_BUDGET);
    expect(held.raw).toBeGreaterThan(MEMORY_BUDGET * 0.8);
    expect(before.reduce((n, x) => n + x.dropped, 0)).toBeGreaterThan(0);
    for (const x of before) expect(x.entries.length).toBeGreaterThan(M / 2);
    for (const x of before) {
      const kept = ids(x);
      const dropped = Array.from({ length: M }, (_, i) => i).filter((i) => !kept.includes(i));
      expect(kept).toContain(M - 1);
      if (dropped.length) expect(Math.floor(Math.max(...dropped) / 50)).toBeLessThanOrEqual(Math.floor(Math.min(...kept) / 50));
    }

    // A new worker life brings back the same entries and goes on under the same bound.
    expect(await stopWorker(env.s.browser, env.s.extensionId)).toBe(true);
    const after = await all();
    expect(after.map((x) => ids(x).sort((a, b) => a - b))).toEqual(before.map((x) => ids(x).sort((a, b) => a - b)));
    expect(await send(tabs[1]!.page, url, M, 400)).toBe(400);
    const later = await waitFor("the second round stored or dropped", async () => {
      const x = await snapshot(env.s.control, tabs[1]!.tab);
      return x.entries.length + x.dropped === M + 400 ? x : null;
    }, 30000);
    await new Promise((r) => setTimeout(r, 1000));
    expect(ids(later)).toContain(M + 399);
    expect((await heldInMemory()).raw).toBeLessThanOrEqual(MEMORY_BUDGET);
  } finally {
    for (const t of tabs) {
      await unwatch(env.s.control, t.tab);
      await t.page.close();
    }
  }
}, 240000);
