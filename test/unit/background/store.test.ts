import { MEMORY_BUDGET, STORE_BUDGET, Store, packChunk, unpackChunk } from "../../../src/background/store";
import { diagnose } from "../../../src/core/diagnose";
import type { Entry } from "../../../src/shared/protocol";
import { FakeBrowser } from "../../fakes/browser";
import { exchange, response } from "../../fixtures/exchange";
import { noise } from "../../fixtures/noise";

function entry(id: string, page = 0, start = 0): Entry {
  return {
    exchange: exchange({ id, url: `https://api.example/${id}`, method: "GET", credentials: "unknown", headers: {}, hops: [] }),
    diagnosis: { id, blocked: false } as Entry["diagnosis"],
    page, start, frameId: 0, type: "xmlhttprequest", annotated: false,
  };
}

const ids = (list: Entry[]) => list.map((e) => e.exchange.id);

/** A stored chunk's entries, inflated (the fake keeps each value as JSON). */
function chunkAt(w: FakeBrowser, key: string): any[] {
  return JSON.parse(unpackChunk(JSON.parse(w.session.data.get(key)!)) as string);
}

describe("store", () => {
  test("keeps the newest `limit` entries, drops the oldest first and counts them", async () => {
    const w = new FakeBrowser();
    const s = new Store(w.session, { limit: 5, chunkSize: 2 });
    for (let i = 0; i < 12; i++) s.add(1, entry(`e${i}`));
    expect(ids(await s.entries(1))).toEqual(["e7", "e8", "e9", "e10", "e11"]);
    expect(s.meta(1).dropped).toBe(7);
    await s.flush();
    // Whole dropped chunks are deleted from storage; the rest reads back the same.
    expect(w.session.keys("cl:c:1:")).toEqual(["cl:c:1:3", "cl:c:1:4", "cl:c:1:5"]);
    const again = new Store(w.session, { limit: 5, chunkSize: 2 });
    await again.load();
    expect(ids(await again.entries(1))).toEqual(["e7", "e8", "e9", "e10", "e11"]);
    expect(again.meta(1).dropped).toBe(7);
  });

  test("a new life never rewrites an older chunk from a partial list, and refuses duplicates", async () => {
    const w = new FakeBrowser();
    const s1 = new Store(w.session, { chunkSize: 4 });
    s1.add(1, entry("a"));
    s1.add(1, entry("b"));
    await s1.flush();
    const s2 = new Store(w.session, { chunkSize: 4 });
    await s2.load();
    expect(s2.add(1, entry("b"))).toBe(false);
    s2.add(1, entry("c"));
    await s2.flush();
    expect((chunkAt(w, "cl:c:1:0")).map((e: Entry) => e.exchange.id)).toEqual(["a", "b"]);
    expect((chunkAt(w, "cl:c:1:1")).map((e: Entry) => e.exchange.id)).toEqual(["c"]);
    const s3 = new Store(w.session, { chunkSize: 4 });
    await s3.load();
    expect(ids(await s3.entries(1))).toEqual(["a", "b", "c"]);
  });

  test("writes go out in small batches, one at a time", async () => {
    const w = new FakeBrowser();
    const s = new Store(w.session, { chunkSize: 10 });
    for (let i = 0; i < 30; i++) s.add(1, entry(`e${i}`));
    await s.flush();
    expect(w.session.writes).toBe(1);
    s.add(1, entry("late"));
    await s.flush();
    expect(w.session.writes).toBe(2);
    // Only the open chunk and the index were in the second write.
    expect(w.session.keys("cl:c:1:")).toHaveLength(4);
  });

  test("a failed write keeps memory intact and leaves storage consistent", async () => {
    const w = new FakeBrowser();
    const errors: unknown[] = [];
    const s = new Store(w.session, { onError: (e) => errors.push(e) });
    s.add(1, entry("a"));
    await s.flush();
    w.session.fail = true;
    s.add(1, entry("b"));
    await s.flush();
    expect(errors).toHaveLength(1);
    expect(ids(await s.entries(1))).toEqual(["a", "b"]);
    const other = new Store(w.session);
    await other.load();
    expect(ids(await other.entries(1))).toEqual(["a"]);
  });

  test("removeTab deletes every key of the tab", async () => {
    const w = new FakeBrowser();
    const s = new Store(w.session, { chunkSize: 1 });
    s.add(1, entry("a"));
    s.add(1, entry("b"));
    s.add(2, entry("c"));
    await s.flush();
    s.removeTab(1);
    await s.flush();
    expect(w.session.keys("cl:")).toEqual(["cl:c:2:0", "cl:i:2", "cl:tabs"]);
    expect(JSON.parse(w.session.data.get("cl:tabs")!)).toEqual([2]);
  });

  test("stores entries without their diagnosis and derives it again on reading", async () => {
    const w = new FakeBrowser();
    const ex = exchange({ id: "b", method: "GET", headers: {}, preflight: null, response: response(200, {}) });
    const judged = diagnose(ex);
    expect(judged.blocked).toBe(true);
    const s = new Store(w.session, { chunkSize: 4 });
    s.add(1, { exchange: ex, diagnosis: judged, page: 0, start: 5, end: 9, frameId: 0, type: "fetch", annotated: true });
    await s.flush();
    const stored = (chunkAt(w, "cl:c:1:0"));
    expect(stored).toEqual([{ exchange: ex, page: 0, start: 5, end: 9, frameId: 0, type: "fetch", annotated: true }]);
    const again = new Store(w.session, { chunkSize: 4 });
    await again.load();
    const [e] = await again.entries(1);
    expect(e!.diagnosis).toEqual(judged);
    expect(e!.annotated).toBe(true);
  });

  test("a diagnosis read back is derived when first read, once, and is sent like a stored one", async () => {
    const w = new FakeBrowser();
    const ex = exchange({ id: "c", method: "GET", headers: {}, preflight: null, response: response(200, {}) });
    const s = new Store(w.session, { chunkSize: 4 });
    s.add(1, { exchange: ex, diagnosis: diagnose(ex), page: 0, start: 5, end: 9, frameId: 0, type: "fetch", annotated: false });
    await s.flush();
    const again = new Store(w.session, { chunkSize: 4 });
    await again.load();
    const [e] = await again.entries(1);
    // Not judged yet: an accessor, not a value.
    expect(typeof Object.getOwnPropertyDescriptor(e!, "diagnosis")!.get).toBe("function");
    const first = e!.diagnosis;
    expect(first).toEqual(diagnose(ex));
    expect(e!.diagnosis).toBe(first);
    // What a port sends (JSON, or a structured clone) carries it as a value.
    expect(JSON.parse(JSON.stringify(e)).diagnosis).toEqual(diagnose(ex));
    expect(structuredClone(e)!.diagnosis).toEqual(diagnose(ex));
    expect({ ...e! }.diagnosis).toEqual(diagnose(ex));
  });

  test("a stored exchange diagnose() cannot judge is kept and says so, not thrown at the panel", async () => {
    const w = new FakeBrowser();
    const s = new Store(w.session, { chunkSize: 4 });
    s.add(1, entry("a"));
    await s.flush();
    const chunk = (chunkAt(w, "cl:c:1:0"));
    chunk[0].exchange.hops = [null];
    w.session.data.set("cl:c:1:0", JSON.stringify(JSON.stringify(chunk)));
    const again = new Store(w.session, { chunkSize: 4 });
    await again.load();
    const [e] = await again.entries(1);
    expect(() => JSON.stringify(e)).not.toThrow();
    expect(e!.diagnosis).toMatchObject({ id: "a", blocked: false, code: null });
    expect(e!.diagnosis.message).toMatch(/^CORS Lens could not judge this stored exchange again \(/);
  });

  test("an unreadable stored entry is skipped, the rest of its chunk kept", async () => {
    const w = new FakeBrowser();
    const s = new Store(w.session, { chunkSize: 4 });
    s.add(1, entry("a"));
    s.add(1, entry("b"));
    await s.flush();
    const chunk = (chunkAt(w, "cl:c:1:0"));
    chunk[0].exchange = null;
    w.session.data.set("cl:c:1:0", JSON.stringify(JSON.stringify(chunk)));
    const again = new Store(w.session, { chunkSize: 4 });
    await again.load();
    expect(ids(await again.entries(1))).toEqual(["b"]);
  });

  test("over the byte budget, the oldest chunk of the tabs over an equal share goes first, counted as dropped", async () => {
    // Room for five chunks of two (each chunk the same size: ids of the same length).
    const probe = new Store(new FakeBrowser().session, { chunkSize: 2, deflate: false });
    probe.add(1, entry("x0"));
    probe.add(1, entry("x1"));
    await probe.flush();
    const budget = probe.bytes() * 5 + 10;
    const w = new FakeBrowser();
    const s = new Store(w.session, { chunkSize: 2, budget, deflate: false });
    // Tab 1 first, then tabs 2 and 3 interleaved: tab 1's chunks are the oldest.
    let t = 0;
    for (let i = 0; i < 6; i++) s.add(1, entry(`a${i}`, 0, t++));
    for (let i = 0; i < 6; i++) {
      s.add(2, entry(`b${i}`, 0, t++));
      s.add(3, entry(`c${i}`, 0, t++));
    }
    await s.flush();
    const chunkBytes = w.session.keys("cl:c:").reduce((n, k) => n + k.length + JSON.parse(w.session.data.get(k)!).length, 0);
    expect(s.bytes()).toBe(chunkBytes);
    expect(s.bytes()).toBeLessThanOrEqual(budget);
    const kept = [1, 2, 3].map((tab) => s.meta(tab).dropped);
    // 5 of the 9 chunks fit (a share is 5/3): tab 1's first two, then tab 2's first, then tab 3's
    // first (older than tab 2's second; tab 1 is under its share by then).
    expect(ids(await s.entries(1))).toEqual(["a4", "a5"]);
    expect(kept).toEqual([4, 2, 2]);
    expect(ids(await s.entries(2))).toEqual(["b2", "b3", "b4", "b5"]);
    expect(ids(await s.entries(3))).toEqual(["c2", "c3", "c4", "c5"]);
    // What a new worker life reads is what this one holds.
    const again = new Store(w.session, { chunkSize: 2, budget, deflate: false });
    await again.load();
    expect(ids(await again.entries(2))).toEqual(["b2", "b3", "b4", "b5"]);
    expect([1, 2, 3].map((tab) => again.meta(tab).dropped)).toEqual([4, 2, 2]);
  });

  test("three busy tabs never reach Chrome's 10 MiB storage.session quota", async () => {
    const w = new FakeBrowser();
    const errors: unknown[] = [];
    const s = new Store(w.session, { onError: (e) => errors.push(e) });
    // ~1.4 KB per entry: a 1,000-byte response header deflate cannot shrink, on top of the fixture's exchange.
    const big = (id: string, start: number): Entry => {
      const e = entry(id, 0, start);
      e.exchange.hops = [{ url: e.exchange.request.url, preflight: null, response: response(200, { "x-pad": noise(1000, start) }) }];
      return e;
    };
    let t = 0;
    for (let round = 0; round < 40; round++) {
      for (const tab of [1, 2, 3]) for (let i = 0; i < 100; i++) s.add(tab, big(`${tab}-${round}-${i}`, t++));
      await s.flush();
    }
    expect(errors).toEqual([]);
    expect(s.bytes()).toBeLessThanOrEqual(STORE_BUDGET);
    expect(w.session.bytesInUse()).toBeLessThanOrEqual(w.session.quota);
    const counts = await Promise.all([1, 2, 3].map(async (tab) => (await s.entries(tab)).length + s.meta(tab).dropped));
    expect(counts).toEqual([4000, 4000, 4000]);
    // Every tab keeps its newest entries, and about the same number (they ran side by side).
    for (const tab of [1, 2, 3]) expect(ids(await s.entries(tab)).at(-1)).toBe(`${tab}-39-99`);
    const kept = await Promise.all([1, 2, 3].map(async (tab) => (await s.entries(tab)).length));
    expect(Math.max(...kept) - Math.min(...kept)).toBeLessThanOrEqual(50);
  });

  test("without the budget the same traffic fails in storage (the check above can fail)", async () => {
    const w = new FakeBrowser();
    const errors: unknown[] = [];
    const s = new Store(w.session, { budget: Infinity, memoryBudget: Infinity, onError: (e) => errors.push(e) });
    for (let i = 0; i < 12_000; i++) {
      const e = entry(`e${i}`, 0, i);
      e.exchange.hops = [{ url: e.exchange.request.url, preflight: null, response: response(200, { "x-pad": noise(1000, i) }) }];
      s.add(1 + (i % 3), e);
    }
    await s.flush();
    expect(String(errors[0])).toMatch(/quota/);
  });

  test("a quiet tab keeps its entries while a busy one fills the store (here the memory budget binds: its chunks deflate)", async () => {
    const w = new FakeBrowser();
    const s = new Store(w.session, { memoryBudget: 200_000 });
    let t = 0;
    for (let i = 0; i < 100; i++) s.add(1, entry(`a${i}`, 0, t++));
    for (let i = 0; i < 20; i++) s.add(2, entry(`q${i}`, 0, t++));
    for (let i = 100; i < 2000; i++) s.add(1, entry(`a${i}`, 0, t++));
    await s.flush();
    expect(s.rawBytes()).toBeLessThanOrEqual(200_000);
    expect(s.bytes()).toBeLessThan(s.rawBytes() / 3);
    expect(ids(await s.entries(2))).toHaveLength(20);
    expect(s.meta(2).dropped).toBe(0);
    expect(s.meta(1).dropped).toBeGreaterThan(100);
    expect(ids(await s.entries(1)).at(-1)).toBe("a1999");
  });

  test("chunks are stored deflated and read back the same; a chunk of plain JSON (an earlier build's) still reads", async () => {
    const w = new FakeBrowser();
    const s = new Store(w.session, { chunkSize: 50 });
    for (let i = 0; i < 120; i++) s.add(1, entry(`e${i}`, 0, i));
    await s.flush();
    const stored = JSON.parse(w.session.data.get("cl:c:1:0")!) as string;
    expect(stored.startsWith("z:")).toBe(true);
    const json = JSON.stringify(chunkAt(w, "cl:c:1:0"));
    expect(stored.length).toBeLessThan(json.length / 4);
    // The open chunk (20 of 50) is rewritten while it fills: plain JSON until it is full.
    expect((JSON.parse(w.session.data.get("cl:c:1:2")!) as string).startsWith("[")).toBe(true);
    for (let i = 120; i < 150; i++) s.add(1, entry(`e${i}`, 0, i));
    await s.flush();
    expect((JSON.parse(w.session.data.get("cl:c:1:2")!) as string).startsWith("z:")).toBe(true);
    // An earlier build's chunk: plain JSON.
    w.session.data.set("cl:c:1:1", JSON.stringify(JSON.stringify(chunkAt(w, "cl:c:1:1"))));
    // A chunk that does not inflate is unreadable, not thrown: its entries are skipped.
    w.session.data.set("cl:c:1:2", JSON.stringify("z:AAAA"));
    const again = new Store(w.session, { chunkSize: 50 });
    await again.load();
    expect(ids(await again.entries(1))).toEqual(Array.from({ length: 100 }, (_, i) => `e${i}`));
    expect(again.meta(1).dropped).toBe(0);
    expect(unpackChunk("z:not base64!")).toBeNull();
    // Deflating that makes it no smaller stores it as it is.
    expect(packChunk("[]")).toBe("[]");
  });

  test("the memory budget bounds the entries held even where stored bytes are small, and a new life reads what this one holds", async () => {
    const w = new FakeBrowser();
    const s = new Store(w.session, { memoryBudget: 100_000, chunkSize: 25 });
    for (let i = 0; i < 3000; i++) s.add(1 + (i % 3), entry(`e${i}`, 0, i));
    await s.flush();
    expect(s.rawBytes()).toBeLessThanOrEqual(100_000);
    expect(s.bytes()).toBeLessThan(25_000);
    const held = await Promise.all([1, 2, 3].map(async (tab) => ids(await s.entries(tab))));
    for (const [k, tab] of [1, 2, 3].entries()) expect(held[k]!.length + s.meta(tab).dropped).toBe(1000);
    expect(Math.max(...held.map((h) => h.length)) - Math.min(...held.map((h) => h.length))).toBeLessThanOrEqual(25);
    const again = new Store(w.session, { memoryBudget: 100_000, chunkSize: 25 });
    await again.load();
    expect(await Promise.all([1, 2, 3].map(async (tab) => ids(await again.entries(tab))))).toEqual(held);
    expect(MEMORY_BUDGET).toBeGreaterThan(STORE_BUDGET);
  });
});
