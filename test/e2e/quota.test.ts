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

type Tab = { page: Page; tab: number };
const sorted = (snap: SnapshotMessage) => ids(snap).sort((a, b) => a - b);

/**
 * Three watched tabs under full capture; `run` gets them; they are closed after it. In it, `fill`
 * sends `n` requests from tab 0, then from tabs 1 and 2 side by side, and resolves with the tabs'
 * snapshots once every request is either kept or counted as dropped and the store's 250 ms write is done.
 */
async function withBusyTabs(label: string, run: (tabs: Tab[], fill: (url: string, n: number) => Promise<SnapshotMessage[]>) => Promise<void>): Promise<void> {
  const tabs: Tab[] = [];
  for (let t = 0; t < 3; t++) {
    const page = await env.s.browser.newPage();
    await page.goto(`${env.app}/page.html?${label}=${t}`);
    const tab = await tabIdOf(env.s.control, page);
    await watch(env.s.control, tab);
    tabs.push({ page, tab });
  }
  const all = () => Promise.all(tabs.map((t) => snapshot(env.s.control, t.tab)));
  try {
    await waitFor("full capture", async () => (await all()).every((x) => x.captureLevel === "full"));
    await run(tabs, async (url, n) => {
      expect(await send(tabs[0]!.page, url, 0, n)).toBe(n);
      expect(await Promise.all([send(tabs[1]!.page, url, 0, n), send(tabs[2]!.page, url, 0, n)])).toEqual([n, n]);
      const snaps = await waitFor("every request stored or dropped", async () => {
        const x = await all();
        return x.every((y) => y.entries.length + y.dropped === n) ? x : null;
      }, 30000);
      await new Promise((r) => setTimeout(r, 1000));
      return snaps;
    });
  } finally {
    for (const t of tabs) {
      await unwatch(env.s.control, t.tab);
      await t.page.close();
    }
  }
}

/**
 * Each tab keeps its newest requests. The store's order is the order of completion, which within one
 * batch of 50 is the network's; batches run one after another, so no kept request may come from an
 * earlier batch than a dropped one.
 */
function expectNewestKept(snaps: SnapshotMessage[], n: number): void {
  for (const x of snaps) {
    const kept = ids(x);
    const dropped = Array.from({ length: n }, (_, i) => i).filter((i) => !kept.includes(i));
    expect(new Set(kept).size).toBe(kept.length);
    expect(kept).toContain(n - 1);
    if (dropped.length) expect(Math.floor(Math.max(...dropped) / 50)).toBeLessThanOrEqual(Math.floor(Math.min(...kept) / 50));
  }
}

/** A worker stop, then the same entries and dropped counts from the new life. */
async function expectSameAfterStop(tabs: Tab[], before: SnapshotMessage[]): Promise<void> {
  expect(await stopWorker(env.s.browser, env.s.extensionId)).toBe(true);
  const after = await Promise.all(tabs.map((t) => snapshot(env.s.control, t.tab)));
  expect(after.map(sorted)).toEqual(before.map(sorted));
  expect(after.map((x) => x.dropped)).toEqual(before.map((x) => x.dropped));
}

/** Tab 1 busy again with `k` more requests from `from`: its snapshot once all are stored or dropped. */
async function busyAgain(tab: Tab, url: string, from: number, k: number): Promise<SnapshotMessage> {
  expect(await send(tab.page, url, from, k)).toBe(k);
  const later = await waitFor("the second round stored or dropped", async () => {
    const x = await snapshot(env.s.control, tab.tab);
    return x.entries.length + x.dropped === from + k ? x : null;
  }, 30000);
  await new Promise((r) => setTimeout(r, 1000));
  expect(ids(later)).toContain(from + k - 1);
  return later;
}

test("three busy tabs past the quota, then a worker stop: under the quota, oldest dropped first, each tab its share, nothing shown lost", async () => {
  const key = `quota-${Date.now().toString(36)}`;
  env.lab.route(`/${key}`, (req) => ({ status: 200, body: "ok",
    headers: { "access-control-allow-origin": "*", "x-pad": noise(3000, Number(new URL(req.target, "http://x").searchParams.get("i"))) } }));
  const url = `${env.lab.origin("api.example")}/${key}`;
  await withBusyTabs("quota", async (tabs, fill) => {
    const before = await fill(url, N);
    const use = await bytesInUse();
    console.log(`quota: ${use.used} of ${use.quota} bytes in use; kept ${before.map((x) => x.entries.length).join("/")}, dropped ${before.map((x) => x.dropped).join("/")}`);
    expect(use.used).toBeLessThanOrEqual(use.quota);
    // More than the quota was made: something had to go, from every tab over its share (all three
    // here), so each keeps about a third.
    expect(before.reduce((n, x) => n + x.dropped, 0)).toBeGreaterThan(0);
    for (const x of before) expect(x.entries.length).toBeGreaterThan(N / 2 - 100);
    expectNewestKept(before, N);
    // The worker stops (its memory goes): the new life brings back what the panel showed, and goes
    // on under the quota.
    await expectSameAfterStop(tabs, before);
    const later = await busyAgain(tabs[1]!, url, N, 400);
    expect((await bytesInUse()).used).toBeLessThanOrEqual(use.quota);
    expect(await stopWorker(env.s.browser, env.s.extensionId)).toBe(true);
    expect(sorted(await snapshot(env.s.control, tabs[1]!.tab))).toEqual(sorted(later));
  });
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
  await withBusyTabs("memory", async (tabs, fill) => {
    const before = await fill(url, M);
    const use = await bytesInUse();
    const held = await heldInMemory();
    console.log(`memory budget: ${held.raw} of ${MEMORY_BUDGET} bytes of JSON held, ${use.used} bytes stored; kept ${before.map((x) => x.entries.length).join("/")}, dropped ${before.map((x) => x.dropped).join("/")}`);
    // The memory budget is what evicted: the stored bytes are far under theirs, the JSON at its own.
    expect(use.used).toBeLessThan(STORE_BUDGET / 2);
    expect(held.raw).toBeLessThanOrEqual(MEMORY_BUDGET);
    expect(held.raw).toBeGreaterThan(MEMORY_BUDGET * 0.8);
    expect(before.reduce((n, x) => n + x.dropped, 0)).toBeGreaterThan(0);
    for (const x of before) expect(x.entries.length).toBeGreaterThan(M / 2);
    expectNewestKept(before, M);
    // A new worker life brings back the same entries and goes on under the same bound.
    await expectSameAfterStop(tabs, before);
    await busyAgain(tabs[1]!, url, M, 400);
    expect((await heldInMemory()).raw).toBeLessThanOrEqual(MEMORY_BUDGET);
  });
}, 240000);
