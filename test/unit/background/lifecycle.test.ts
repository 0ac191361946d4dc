// Worker restarts, tabs, navigation, capture levels and the panel port.
import { Engine } from "../../../src/background/engine";
import { MSG, PORT_NAME } from "../../../src/shared/protocol";
import { FakeBrowser } from "../../fakes/browser";
import { API, APP, ok, openPanel, setup, without } from "./helpers";
import { Tab } from "./traffic";

const noAcac = without(ok.response, "Access-Control-Allow-Credentials");

describe("worker restart", () => {
  test("a new engine over the same storage, mid-traffic: nothing completed lost or duplicated, badge right", async () => {
    const { w, engine, tab } = await setup({ chunkSize: 2 });
    // Life 1: three blocked exchanges complete, one PUT is still in flight (preflight done, actual sent).
    for (const path of ["a", "b", "c"]) tab.request("GET", `${API}/${path}`, { browserHeaders: { Cookie: "s=1" } }).start().send().blocked(200, noAcac);
    const inflight = tab.request("PUT", `${API}/slow`, { headers: { "X-Token": "1" } }).start();
    tab.preflight(inflight, ["x-token"]).start().send().respond(204, ok.preflight);
    inflight.send();
    await engine.idle();
    expect(w.badgeOf(1).text).toBe("3");

    // The worker stops; the next event starts a new life, dispatched right after the top-level run.
    const engine2 = new Engine(w.platform(), { chunkSize: 2 });
    const ready = engine2.start();
    inflight.respond(200, ok.response); // arrives before the state is read: no set listens yet
    await ready;
    tab.request("GET", `${API}/d`, { browserHeaders: { Cookie: "s=1" } }).start().send().blocked(200, noAcac);
    await engine2.idle();

    const entries = await engine2.entries(1);
    // Everything completed survives, once; the request in flight across the restart is not invented.
    expect(entries.map((e) => e.exchange.request.url)).toEqual([`${API}/a`, `${API}/b`, `${API}/c`, `${API}/d`]);
    expect(w.badgeOf(1).text).toBe("4");
    expect(w.badgeOf(1).title).toBe("GET api.example/d: lacks Access-Control-Allow-Credentials: true (+3 more)");

    // A third life reads it all back lazily, once.
    const engine3 = new Engine(w.platform(), { chunkSize: 2 });
    await engine3.start();
    const panel = await openPanel(w, engine3, 1);
    const [snap] = panel.of(MSG.SNAPSHOT);
    expect((snap!.entries as unknown[]).length).toBe(4);
    expect(new Set((snap!.entries as Array<{ exchange: { id: string } }>).map((e) => e.exchange.id)).size).toBe(4);
  });

  test("listeners come back from the persisted state: a panel's tab stays captured until its grace ends", async () => {
    const w = new FakeBrowser();
    const e1 = new Engine(w.platform(), { panelGraceMs: 10_000 });
    await e1.start();
    w.navigate(7, "https://shop.example/");
    await openPanel(w, e1, 7);
    await e1.idle();
    expect(w.current!.filters()).toEqual(expect.arrayContaining([{ tabId: 7 }]));

    const life2 = w.platform();
    const e2 = new Engine(life2, { panelGraceMs: 10_000, startupBridge: true });
    void e2.start();
    // On all URLs only until the state is read (the start-up bridge); then narrowed sets only.
    expect(life2.filters()).toEqual([{}]);
    await e2.idle();
    expect(life2.filters()).toEqual(expect.arrayContaining([{ tabId: 7 }, { types: ["xmlhttprequest", "other"] }]));
    expect(life2.filters()).not.toContainEqual({});
    w.advance(10_000);
    await e2.idle();
    expect(life2.filters()).toEqual([]);
  });

  test("the start-up bridge hands the events that woke the worker to the watched tabs, and only to them", async () => {
    const w = new FakeBrowser();
    const e1 = new Engine(w.platform());
    await e1.start();
    w.navigate(7, "https://shop.example/");
    w.navigate(8, "https://other.example/");
    await openPanel(w, e1, 7);

    // The worker is down; a watched tab's request starts it (the browser delivers its events
    // right after the top-level run), and so does an unwatched tab's that happens meanwhile.
    const e2 = new Engine(w.platform(), { startupBridge: true });
    const ready = e2.start();
    const shop = new Tab(w, 7, "https://shop.example");
    shop.request("GET", `${API}/woke`, { browserHeaders: { Cookie: "s=1" } }).start().send().blocked(200, noAcac);
    const inflight = shop.request("GET", `${API}/slow`).start().send();
    new Tab(w, 8, "https://other.example").request("GET", `${API}/unwatched`).start().send().respond(200, { "Access-Control-Allow-Origin": "*" });
    await ready;
    inflight.respond(200, { "Access-Control-Allow-Origin": "*" });
    await e2.idle();
    w.advance(2000);
    await e2.idle();

    expect((await e2.entries(7)).map((e) => e.exchange.request.url)).toEqual([`${API}/woke`, `${API}/slow`]);
    expect(await e2.entries(8)).toEqual([]);
    expect(w.badgeOf(7).text).toBe("1");
    expect(w.current!.filters()).not.toContainEqual({});
  });

  test("after a restart, another port's HELLO for a panel's tab does not end its capture before the panel is back", async () => {
    const w = new FakeBrowser();
    const e1 = new Engine(w.platform(), { panelGraceMs: 10_000 });
    await e1.start();
    w.navigate(7, "https://shop.example/");
    await openPanel(w, e1, 7);

    const e2 = new Engine(w.platform(), { panelGraceMs: 10_000 });
    await e2.start();
    // A snapshot (or a second panel) says HELLO and goes away before the panel reconnects.
    const other = await openPanel(w, e2, 7);
    other.disconnect();
    await e2.idle();
    expect(w.current!.filters()).toContainEqual({ tabId: 7 });
    new Tab(w, 7, "https://shop.example").request("GET", `${API}/meanwhile`).start().send().respond(200, { "Access-Control-Allow-Origin": "*" });
    await e2.idle();
    expect((await e2.entries(7)).map((e) => e.exchange.request.url)).toEqual([`${API}/meanwhile`]);

    // The panel is back: captured past the grace, until it closes.
    const panel = await openPanel(w, e2, 7);
    w.advance(10_000);
    await e2.idle();
    expect(w.current!.filters()).toContainEqual({ tabId: 7 });
    panel.disconnect();
    await e2.idle();
    expect(w.current!.filters()).toEqual([]);
  });
});

describe("capture levels", () => {
  test("no watched tab, no webRequest listener; a panel turns on full capture for its tab only", async () => {
    const w = new FakeBrowser();
    const engine = new Engine(w.platform());
    await engine.start();
    w.navigate(3, "https://shop.example/");
    expect(w.current!.filters()).toEqual([]);
    expect(engine.captureLevel(3)).toBe("count");
    const panel = await openPanel(w, engine, 3);
    expect(engine.captureLevel(3)).toBe("full");
    expect(w.current!.filters()).toEqual([{ tabId: 3 }, { types: ["xmlhttprequest", "other"] }]);
    const [snap] = panel.of(MSG.SNAPSHOT);
    expect(snap).toMatchObject({ tabId: 3, captureLevel: "full", entries: [], site: "shop.example", alwaysCapture: false });
    panel.disconnect();
    await engine.idle();
    expect(w.current!.filters()).toEqual([]);
  });

  test("dev origins are captured by default, registered when the navigation starts", async () => {
    const w = new FakeBrowser();
    const engine = new Engine(w.platform());
    await engine.start();
    for (const cb of w.current!.navCbs) cb({ tabId: 4, url: "http://app.localhost:5173/", phase: "start" });
    expect(w.current!.filters()).toEqual([{ tabId: 4 }]);
    w.navigate(4, "https://example.com/");
    expect(w.current!.filters()).toEqual([]);
  });

  test("SET_ALWAYS_CAPTURE adds a site and can turn a default off", async () => {
    const w = new FakeBrowser();
    const engine = new Engine(w.platform());
    await engine.start();
    w.navigate(5, "https://staging.shop.example/");
    w.navigate(6, "http://localhost:8080/");
    const panel = await openPanel(w, engine, 5);
    panel.send({ type: MSG.SET_ALWAYS_CAPTURE, site: "*.shop.example", on: true });
    panel.send({ type: MSG.SET_ALWAYS_CAPTURE, site: "localhost", on: false });
    panel.disconnect();
    await engine.idle();
    expect(w.current!.filters()).toEqual([{ tabId: 5 }]);
    expect(JSON.parse(w.local.data.get("cl:sites")!)).toEqual({ on: ["*.shop.example"], off: ["localhost"] });
  });

  test("Firefox, at the count level: the page hook's rejected cross-origin calls are suspected failures (Chromium's are counted from its errors: hooks.test.ts)", async () => {
    const w = new FakeBrowser();
    w.blocksAreErrors = false;
    w.hookOnDemand = false;
    const engine = new Engine(w.platform());
    await engine.start();
    w.navigate(8, "https://shop.example/cart");
    const report = { url: `${API}/x`, method: "GET", credentials: "include", mode: "cors", outcome: "rejected TypeError", initiator: null, time: w.clock };
    w.message({ type: MSG.ANNOTATE, annotations: [report] }, { id: "abcdefghijklmnopabcdefghijklmnop", tabId: 8, frameId: 0, url: "https://shop.example/cart" });
    w.message({ type: MSG.ANNOTATE, annotations: [{ ...report, outcome: "resolved 200" }] }, { id: "abcdefghijklmnopabcdefghijklmnop", tabId: 8, url: "https://shop.example/cart" });
    w.message({ type: MSG.ANNOTATE, annotations: [{ ...report, url: "https://shop.example/api" }] }, { id: "abcdefghijklmnopabcdefghijklmnop", tabId: 8, url: "https://shop.example/cart" });
    // Not from our extension: ignored.
    w.message({ type: MSG.ANNOTATE, annotations: [report] }, { id: "someone-else", tabId: 8, url: "https://shop.example/cart" });
    await engine.idle();
    expect(w.badgeOf(8).text).toBe("1");
    expect(w.badgeOf(8).title).toMatch(/^1 cross-origin request rejected/);
    expect(await engine.entries(8)).toEqual([]);
  });
});

describe("tabs and pages", () => {
  test("closing a tab clears its records, storage keys and listeners", async () => {
    const { w, engine, tab } = await setup();
    tab.request("GET", `${API}/x`).start().send().blocked(200, {});
    await engine.idle();
    expect(w.session.keys("cl:c:1:")).toHaveLength(1);
    w.closeTab(1);
    await engine.idle();
    expect(await engine.entries(1)).toEqual([]);
    expect(w.session.keys("cl:c:1:")).toEqual([]);
    expect(w.session.keys("cl:i:1")).toEqual([]);
    expect(w.current!.filters()).toEqual([]);
  });

  test("a navigation starts a new page, keeps the previous one, clears the badge", async () => {
    const { w, engine, tab } = await setup();
    const panel = await openPanel(w, engine, 1);
    tab.request("GET", `${API}/one`).start().send().blocked(200, {});
    await engine.idle();
    expect(w.badgeOf(1).text).toBe("1");
    w.navigate(1, `${APP}/next`);
    expect(w.badgeOf(1).text).toBe("");
    expect(w.badgeOf(1).title).toBe("CORS Lens");
    tab.request("GET", `${API}/two`).start().send().blocked(200, {});
    w.navigate(1, `${APP}/third`);
    await engine.idle();
    // Without "preserve log", only the previous page stays.
    expect((await engine.entries(1)).map((e) => [e.page, e.exchange.request.url])).toEqual([[2, `${API}/two`]]);
    expect(panel.of(MSG.NAVIGATED).map((m) => m.page)).toEqual([2, 3]);
    expect(panel.of(MSG.EXCHANGE_ADDED)).toHaveLength(2);

    panel.send({ type: MSG.SET_PRESERVE, on: true });
    tab.request("GET", `${API}/three`).start().send().blocked(200, {});
    w.navigate(1, `${APP}/fourth`);
    w.navigate(1, `${APP}/fifth`);
    await engine.idle();
    expect((await engine.entries(1)).map((e) => e.page)).toEqual([2, 3]);
  });

  test("CLEAR empties the tab and tells the panel", async () => {
    const { w, engine, tab } = await setup();
    const panel = await openPanel(w, engine, 1);
    tab.request("GET", `${API}/x`).start().send().blocked(200, {});
    panel.send({ type: MSG.CLEAR });
    await engine.idle();
    expect(await engine.entries(1)).toEqual([]);
    expect(w.badgeOf(1).text).toBe("");
    expect(panel.of(MSG.CLEARED)).toHaveLength(1);
  });

  test("RELOAD_AND_CAPTURE reloads the inspected tab", async () => {
    const { w, engine } = await setup();
    const panel = await openPanel(w, engine, 1);
    panel.send({ type: MSG.RELOAD_AND_CAPTURE });
    await engine.idle();
    expect(w.reloads).toEqual([1]);
  });
});

describe("panel port", () => {
  test("only the extension's own pages may connect, and every message is validated", async () => {
    const { w, engine, tab } = await setup();
    const spy = w.connect(PORT_NAME, "https://evil.example/", "abcdefghijklmnopabcdefghijklmnop"); // a content script
    expect(spy.disconnected).toBe(true);
    const panel = w.connect(PORT_NAME);
    panel.send({ type: MSG.CLEAR }); // before HELLO: ignored
    panel.send({ type: MSG.HELLO, tabId: "1" });
    panel.send({ type: MSG.HELLO, tabId: -5 });
    panel.send("HELLO");
    await engine.idle();
    expect(panel.received).toEqual([]);
    panel.send({ type: MSG.HELLO, tabId: 1 });
    await engine.idle();
    expect(panel.of(MSG.SNAPSHOT)).toHaveLength(1);
    panel.send({ type: MSG.HELLO, tabId: 2 }); // one tab per port
    panel.send({ type: MSG.SET_ALWAYS_CAPTURE, site: "not a host!", on: true });
    tab.request("GET", `${API}/x`).start().send().respond(200, { "Access-Control-Allow-Origin": "*" });
    await engine.idle();
    expect(panel.received.map((m) => (m as { type: string }).type)).toEqual([MSG.SNAPSHOT, MSG.EXCHANGE_ADDED]);
  });
});

describe("the byte budget", () => {
  test("a snapshot whose write evicts lists only what is still held: its entries and dropped count add up", async () => {
    // Writes gathered (the fake's timers never advance): the panel's snapshot is what writes them, and
    // that write is over the budget.
    const { w, engine, tab } = await setup({ chunkSize: 5, storeBudget: 2_000 });
    for (let i = 0; i < 40; i++) tab.request("GET", `${API}/n${i}`, { browserHeaders: { Cookie: "s=1" } }).start().send().blocked(200, noAcac);
    const panel = await openPanel(w, engine, 1);
    const [snap] = panel.of(MSG.SNAPSHOT);
    const urls = (snap!.entries as Array<{ exchange: { request: { url: string } } }>).map((e) => e.exchange.request.url);
    expect(snap!.dropped).toBeGreaterThan(0);
    expect(urls.length).toBeGreaterThan(0);
    expect(urls.length + (snap!.dropped as number)).toBe(40);
    // The newest are the ones held, and the store agrees with what the panel was shown.
    expect(urls).toEqual(Array.from({ length: urls.length }, (_, k) => `${API}/n${40 - urls.length + k}`));
    expect((await engine.entries(1)).map((e) => e.exchange.request.url)).toEqual(urls);
  });
});
