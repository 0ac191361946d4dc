// Where the page scripts run in Chrome (src/background/hooks.ts), and how a tab nobody watches is
// counted without them (engine.ts countError): the fake's registrations outlive worker lives, as
// Chrome's do.
import { Engine } from "../../../src/background/engine";
import { ALL_PAGES } from "../../../src/shared/page-scripts";
import { hookMatchPatterns } from "../../../src/shared/sites";
import { MSG } from "../../../src/shared/protocol";
import { EXTENSION_ID, FakeBrowser } from "../../fakes/browser";
import { openPanel } from "./helpers";
import { Tab } from "./traffic";

const DEV = hookMatchPatterns({ on: [], off: [] });

async function started(w = new FakeBrowser()) {
  const engine = new Engine(w.platform());
  await engine.start();
  await engine.idle();
  return { w, engine };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

/** DevTools opened on the tab (whichever panel it shows): its devtools page holds the tab. */
async function devtoolsOpen(w: FakeBrowser, engine: Engine, tabId: number) {
  const port = w.connect("cors-lens/panel", `chrome-extension://${EXTENSION_ID}/devtools.html`);
  port.send({ type: MSG.HELLO, tabId, hold: true });
  await engine.idle();
  return port;
}

describe("hookMatchPatterns", () => {
  test("the default dev sites, the user's, minus the sites turned off", () => {
    expect(DEV.matches).toEqual(["*://localhost/*", "*://*.localhost/*", "*://127.0.0.1/*", "*://*.test/*"]);
    expect(DEV.excludeMatches).toEqual([]);
    const s = hookMatchPatterns({ on: ["shop.example", "*.corp.internal", "not a host/"], off: ["localhost", "legacy.test"] });
    expect(s.matches).toEqual(["*://*.localhost/*", "*://127.0.0.1/*", "*://*.test/*", "*://shop.example/*", "*://*.corp.internal/*"]);
    expect(s.excludeMatches).toEqual(["*://localhost/*", "*://legacy.test/*"]);
  });
});

describe("the page scripts on demand (Chrome)", () => {
  test("with nobody debugging they are registered for the always-captured sites only", async () => {
    const { w } = await started();
    await settle();
    expect(w.hookScope).toEqual(DEV);
    expect(w.injections).toEqual([]);
  });

  test("a panel's HELLO registers them on every page and injects them into its tab, without holding up the SNAPSHOT", async () => {
    const { w, engine } = await started();
    w.navigate(3, "https://shop.example/");
    // An injection that takes its time: the SNAPSHOT does not wait for it (B4r: 35–50 ms later when it did).
    let done!: () => void;
    const life = w.current!;
    life.injectHooks = (tab) => new Promise<void>((r) => { done = () => { w.injections.push(tab); r(); }; });
    const panel = w.connect("cors-lens/panel");
    panel.send({ type: MSG.HELLO, tabId: 3 });
    await engine.idle();
    for (let i = 0; i < 5; i++) await settle();
    expect(panel.of(MSG.SNAPSHOT)).toHaveLength(1);
    expect(w.hookScope).toEqual(ALL_PAGES);
    expect(w.injections).toEqual([]);
    done();
    await settle();
    expect(w.injections).toEqual([3]);
    // Closed: back to the dev sites (the tab's document keeps what was injected).
    panel.disconnect();
    await engine.idle();
    await settle();
    expect(w.hookScope).toEqual(DEV);
  });

  test("the devtools page's hold does the same (DevTools open on another panel)", async () => {
    const { w, engine } = await started();
    w.navigate(4, "https://shop.example/");
    await devtoolsOpen(w, engine, 4);
    await settle();
    expect(w.injections).toEqual([4]);
    expect(w.hookScope).toEqual(ALL_PAGES);
  });

  test("a second port for a held tab injects nothing more (DevTools open, then its CORS panel shown)", async () => {
    const { w, engine } = await started();
    w.navigate(4, "https://shop.example/");
    const devtools = await devtoolsOpen(w, engine, 4);
    const panel = await openPanel(w, engine, 4);
    await settle();
    expect(panel.of(MSG.SNAPSHOT)).toHaveLength(1);
    expect(w.injections).toEqual([4]);
    // Both closed, then a panel again: the document may have been loaded in between, so it is injected again.
    panel.disconnect();
    devtools.disconnect();
    await engine.idle();
    await openPanel(w, engine, 4);
    expect(w.injections).toEqual([4, 4]);
  });

  test("'always capture' on a site registers it; a new worker life keeps the registration", async () => {
    const w = new FakeBrowser();
    const { engine } = await started(w);
    w.navigate(5, "https://shop.example/");
    const panel = await openPanel(w, engine, 5);
    panel.send({ type: MSG.SET_ALWAYS_CAPTURE, site: "shop.example", on: true });
    await engine.idle();
    panel.disconnect();
    await engine.idle();
    await settle();
    expect(w.hookScope!.matches).toContain("*://shop.example/*");
    const placed = w.hookScopes.length;
    await started(w);
    await settle();
    // The same scope again: nothing to change, so the new life asks for it once and it stays.
    expect(w.hookScope!.matches).toContain("*://shop.example/*");
    expect(w.hookScopes.length).toBeLessThanOrEqual(placed + 1);
  });

  test("Reload and capture reloads only once the page scripts are registered", async () => {
    const { w, engine } = await started();
    await settle();
    w.navigate(6, "https://shop.example/");
    const life = w.current!;
    const place = life.placeHooks.bind(life);
    let done!: () => void;
    life.placeHooks = (scope) => new Promise<void>((r) => { done = () => { void place(scope).then(r); }; });
    const panel = await openPanel(w, engine, 6);
    panel.send({ type: MSG.RELOAD_AND_CAPTURE });
    for (let i = 0; i < 5; i++) await settle();
    expect(w.reloads).toEqual([]);
    done();
    for (let i = 0; i < 5; i++) await settle();
    expect(w.hookScope).toEqual(ALL_PAGES);
    expect(w.reloads).toEqual([6]);
  });

  test("Firefox declares them in its manifest: nothing is registered or injected", async () => {
    const w = new FakeBrowser();
    w.hookOnDemand = false;
    w.blocksAreErrors = false;
    const { engine } = await started(w);
    w.navigate(3, "https://shop.example/");
    await openPanel(w, engine, 3);
    await settle();
    expect(w.hookScopes).toEqual([]);
    expect(w.injections).toEqual([]);
  });
});

describe("a tab nobody watches: the badge counts Chromium's CORS errors", () => {
  async function idleTab() {
    const { w, engine } = await started();
    w.navigate(7, "https://shop.example/");
    return { w, engine, tab: new Tab(w, 7, "https://shop.example") };
  }

  test("a cross-origin fetch, XHR or EventSource that ends in net::ERR_FAILED counts; the others do not", async () => {
    const { w, engine, tab } = await idleTab();
    tab.request("GET", "https://api.example/a").start().fail();
    tab.request("GET", "https://api.example/events", { type: "other" }).start().fail();
    tab.request("GET", "https://api.example/b").start().fail("net::ERR_CONNECTION_REFUSED");
    tab.request("GET", "https://api.example/c").start().fail("net::ERR_ABORTED");
    tab.request("GET", "https://shop.example/same").start().fail();
    tab.request("GET", "https://api.example/img.png", { type: "image" }).start().fail();
    await engine.idle();
    expect(w.badgeOf(7).text).toBe("2");
    expect(w.badgeOf(7).title).toMatch(/^2 cross-origin requests rejected/);
    // A same-origin call redirected to another origin is cross-origin when it fails.
    tab.request("GET", "https://shop.example/sso").start().redirect(302, "https://auth.example/login", {}).fail();
    await engine.idle();
    expect(w.badgeOf(7).text).toBe("3");
    // The hook's own report of such a failure (a document hooked while DevTools was open) counts nothing more.
    await w.message({ type: MSG.ANNOTATE, annotations: [{ url: "https://api.example/a", method: "GET", credentials: "include", mode: "cors",
      outcome: "rejected TypeError", initiator: null, time: w.clock }] }, { id: EXTENSION_ID, tabId: 7, frameId: 0, url: "https://shop.example/" });
    await engine.idle();
    expect(w.badgeOf(7).text).toBe("3");
  });

  test("a watched tab's block is its exchange, not a second count", async () => {
    const { w, engine, tab } = await idleTab();
    await openPanel(w, engine, 7);
    tab.request("GET", "https://api.example/a").start().send().blocked(200, {}).valueOf();
    await engine.idle();
    w.advance(2000);
    await engine.idle();
    const snap = (await engine.entries(7));
    expect(snap).toHaveLength(1);
    expect(w.badgeOf(7).text).toBe("1");
  });

  test("Firefox: the page hook's rejections count (its webRequest does not end a block in an error)", async () => {
    const w = new FakeBrowser();
    w.hookOnDemand = false;
    w.blocksAreErrors = false;
    const { engine } = await started(w);
    w.navigate(7, "https://shop.example/");
    new Tab(w, 7, "https://shop.example").request("GET", "https://api.example/a").start().fail();
    await engine.idle();
    expect(w.badgeOf(7).text).toBe("");
    await w.message({ type: MSG.ANNOTATE, annotations: [{ url: "https://api.example/a", method: "GET", credentials: "include", mode: "cors",
      outcome: "rejected TypeError", initiator: null, time: w.clock }] }, { id: EXTENSION_ID, tabId: 7, frameId: 0, url: "https://shop.example/" });
    await engine.idle();
    expect(w.badgeOf(7).text).toBe("1");
  });
});
