// The background's side of the relay's gating (src/content/relay-core.ts): it answers each
// document's CAPTURE_QUERY, pushes CAPTURE_STATE when a tab enters or leaves full capture, and
// takes the relay's batches. Plus the store's gathered writes.
import { Engine } from "../../../src/background/engine";
import { ANNOTATE_BATCH_MAX, MSG, readCaptureState } from "../../../src/shared/protocol";
import { EXTENSION_ID, FakeBrowser } from "../../fakes/browser";
import { API, openPanel, setup } from "./helpers";

const from = (tabId: number, url: string) => ({ id: EXTENSION_ID, tabId, frameId: 0, url });
const query = (w: FakeBrowser, tabId: number, url: string) => w.message({ type: MSG.CAPTURE_QUERY }, from(tabId, url));
const states = (w: FakeBrowser, tabId: number) =>
  w.tabMessages.filter((m) => m.tabId === tabId).map((m) => readCaptureState(m.message)?.full);

async function started() {
  const w = new FakeBrowser();
  const engine = new Engine(w.platform());
  await engine.start();
  return { w, engine };
}

describe("capture state for the relays", () => {
  test("a document's query is answered with its tab's level", async () => {
    const { w } = await started();
    w.navigate(3, "https://shop.example/");
    w.navigate(4, "http://localhost:5173/"); // a default dev site: always captured
    const a = await query(w, 3, "https://shop.example/");
    const b = await query(w, 4, "http://localhost:5173/");
    expect(readCaptureState(a)).toMatchObject({ full: false });
    expect(readCaptureState(b)).toMatchObject({ full: true });
    expect(readCaptureState(b)!.stamp).toBeGreaterThan(readCaptureState(a)!.stamp);
  });

  test("a query that comes before the persisted state is read is answered after it", async () => {
    const w = new FakeBrowser();
    const engine = new Engine(w.platform());
    const ready = engine.start();
    const answer = query(w, 3, "https://shop.example/");
    expect(answer).toBeInstanceOf(Promise);
    await ready;
    expect(readCaptureState(await answer)).toMatchObject({ full: false });
  });

  test("queries from elsewhere get no answer", async () => {
    const { w } = await started();
    expect(w.message({ type: MSG.CAPTURE_QUERY }, { id: "another-extension", tabId: 3, url: "https://a.example/" })).toBeUndefined();
    expect(w.message({ type: MSG.CAPTURE_QUERY }, { id: EXTENSION_ID, url: "chrome-extension://x/panel.html" })).toBeUndefined();
    expect(w.message({ type: MSG.ANNOTATE, annotations: [] }, from(3, "https://shop.example/"))).toBeUndefined();
  });

  test("opening and closing a panel pushes full, then count, to the tab", async () => {
    const { w, engine } = await started();
    w.navigate(3, "https://shop.example/");
    expect(states(w, 3)).toEqual([]);
    const panel = await openPanel(w, engine, 3);
    expect(states(w, 3)).toEqual([true]);
    panel.disconnect();
    await engine.idle();
    expect(states(w, 3)).toEqual([true, false]);
    const stamps = w.tabMessages.map((m) => readCaptureState(m.message)!.stamp);
    expect(stamps[1]).toBeGreaterThan(stamps[0]!);
  });

  test("navigating into and out of an always-captured site pushes the change", async () => {
    const { w, engine } = await started();
    w.navigate(5, "https://shop.example/");
    w.navigate(5, "http://app.test/");
    w.navigate(5, "https://shop.example/");
    await engine.idle();
    expect(states(w, 5)).toEqual([true, false]);
  });

  test("a new worker life tells the tabs it still captures", async () => {
    const w = new FakeBrowser();
    let engine = new Engine(w.platform());
    await engine.start();
    w.navigate(6, "http://localhost:3000/");
    await engine.idle();
    engine = new Engine(w.platform());
    await engine.start();
    expect(states(w, 6)).toEqual([true, true]);
  });

  test("a batch is read report by report; an oversized one is refused whole", async () => {
    // Firefox, where the hook's rejections count (Chromium counts its own errors: hooks.test.ts).
    const w = new FakeBrowser();
    w.blocksAreErrors = false;
    w.hookOnDemand = false;
    const engine = new Engine(w.platform());
    await engine.start();
    w.navigate(8, "https://shop.example/cart");
    const report = (i: number) => ({ url: `${API}/x${i}`, method: "GET", credentials: "include", mode: "cors",
      outcome: "rejected TypeError", initiator: null, time: w.clock });
    w.message({ type: MSG.ANNOTATE, annotations: [report(1), "junk", report(2), { ...report(3), url: "javascript:1" }] }, from(8, "https://shop.example/cart"));
    w.message({ type: MSG.ANNOTATE, annotations: Array.from({ length: ANNOTATE_BATCH_MAX + 1 }, (_, i) => report(i)) }, from(8, "https://shop.example/cart"));
    w.message({ type: MSG.ANNOTATE, annotations: "not a list" }, from(8, "https://shop.example/cart"));
    await engine.idle();
    expect(w.badgeOf(8).text).toBe("2");
    const panel = await openPanel(w, engine, 8);
    expect(panel.of(MSG.SNAPSHOT)[0]).toMatchObject({ suspected: 2, reports: 2 });
  });
});

describe("the store's writes under capture", () => {
  test("are gathered: many settled requests, few writes, and nothing lost at idle()", async () => {
    const { w, engine, tab } = await setup();
    await engine.idle();
    const before = w.session.writes;
    for (let i = 0; i < 60; i++) {
      tab.request("GET", `${API}/r${i}`).start().send().respond(200, { "Access-Control-Allow-Origin": "*" });
      w.advance(10);
    }
    await engine.idle();
    // 600 ms of traffic with 250 ms gathering: a handful of writes, not one per request.
    expect(w.session.writes - before).toBeLessThanOrEqual(4);
    const engine2 = new Engine(w.platform());
    await engine2.start();
    expect(await engine2.entries(1)).toHaveLength(60);
  });
});
