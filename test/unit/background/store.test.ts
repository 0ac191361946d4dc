import { Store } from "../../../src/background/store";
import type { Entry } from "../../../src/shared/protocol";
import { FakeBrowser } from "../../fakes/browser";
import { exchange } from "../../fixtures/exchange";

function entry(id: string, page = 0): Entry {
  return {
    exchange: exchange({ id, url: `https://api.example/${id}`, method: "GET", credentials: "unknown", headers: {}, hops: [] }),
    diagnosis: { id, blocked: false } as Entry["diagnosis"],
    page, start: 0, frameId: 0, type: "xmlhttprequest", annotated: false,
  };
}

const ids = (list: Entry[]) => list.map((e) => e.exchange.id);

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
    expect(JSON.parse(JSON.parse(w.session.data.get("cl:c:1:0")!)).map((e: Entry) => e.exchange.id)).toEqual(["a", "b"]);
    expect(JSON.parse(JSON.parse(w.session.data.get("cl:c:1:1")!)).map((e: Entry) => e.exchange.id)).toEqual(["c"]);
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
});
