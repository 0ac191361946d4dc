// The live-capture rules found by test/e2e/live.test.ts, replayed in Chromium 156's event orders
// (measured with a bare webRequest logger; docs/differences.md "Live capture"): same-origin
// requests that leave their origin, redirects Chromium never ends, the script's headers when the
// actual request never goes out, and the devtools page holding capture.
import { MSG, PORT_NAME } from "../../../src/shared/protocol";
import { API, APP, ok, openPanel, setup, without } from "./helpers";
import { Tab } from "./traffic";

const noAcao = without(ok.response, "Access-Control-Allow-Origin");
const SITE = "https://shop.example"; // not a dev default: captured only while a port holds it

function report(over: Record<string, unknown> = {}) {
  return { url: `${API}/me`, method: "GET", credentials: "include", mode: "cors", outcome: "rejected TypeError", initiator: "app.js:1:1", ...over };
}

describe("same-origin requests that leave their origin (the SSO pattern)", () => {
  test("a 302 to another origin: the row starts at the first hop, and the hook's report for the called URL is matched", async () => {
    const { engine, tab } = await setup();
    const r = tab.request("GET", `${APP}/api/me`).start().send().redirect(302, `${API}/login`, {});
    r.send().blocked(200, noAcao);
    await engine.idle();
    const [e, ...rest] = await engine.entries(1);
    expect(rest).toEqual([]);
    expect(e!.exchange.request.url).toBe(`${APP}/api/me`);
    expect(e!.exchange.hops.map((h) => h.url)).toEqual([`${APP}/api/me`, `${API}/login`]);
    expect(e!.diagnosis).toMatchObject({ blocked: true, stage: "actual", hop: 1, code: "MissingAllowOriginHeader" });
  });

  test("the hook's report of the same-origin call sets the credentials mode (matched by the URL the script called)", async () => {
    const { w, engine, tab } = await setup();
    const time = w.clock;
    const r = tab.request("GET", `${APP}/api/me`).start().send().redirect(302, `${API}/login`, {});
    r.send().blocked(200, noAcao);
    engine.annotate(1, report({ url: `${APP}/api/me`, credentials: "omit", time }), `${APP}/`);
    await engine.idle();
    const [e] = await engine.entries(1);
    expect(e!.annotated).toBe(true);
    expect(e!.diagnosis.credentials).toEqual({ mode: "omit", inferred: false });
  });

  test("a Location with user:password@ fails without onBeforeRedirect: tracked from the 3xx response", async () => {
    const { engine, tab } = await setup();
    const loc = `${API.replace("://", "://u:p@")}/login`;
    tab.request("POST", `${APP}/api/session`).start().send().headersReceived(302, { Location: loc }).fail();
    await engine.idle();
    const [e] = await engine.entries(1);
    expect(e!.exchange.hops[0]!.url).toBe(`${APP}/api/session`);
    expect(e!.diagnosis).toMatchObject({ blocked: true, stage: "redirect", hop: 0, code: "RedirectContainsCredentials" });
  });

  test("same-origin calls that stay same-origin leave no row, and their reports are not 'missed'", async () => {
    const { w, engine, tab } = await setup();
    const panel = await openPanel(w, engine, 1);
    for (let i = 0; i < 5; i++) {
      tab.request("GET", `${APP}/api/${i}`).start().send().respond(200, {});
      engine.annotate(1, report({ url: `${APP}/api/${i}`, outcome: "resolved 200", time: w.clock }), `${APP}/`);
    }
    await engine.idle();
    w.advance(10_000);
    await engine.idle();
    expect(await engine.entries(1)).toEqual([]);
    panel.disconnect();
    const again = await openPanel(w, engine, 1);
    expect(again.of(MSG.SNAPSHOT)[0]).toMatchObject({ missed: 0, suspected: 0 });
  });
});

test("a redirect to ws: ends with onBeforeRedirect and nothing else: the row is settled, CorsDisabledScheme", async () => {
  const { w, engine, tab } = await setup();
  // Chromium 156: onHeadersReceived, onBeforeRedirect, then no onErrorOccurred at all.
  tab.request("GET", `${API}/socket`).start().send().redirect(302, "ws://api.example/socket", ok.response);
  w.advance(2000); // the grace a blocked request with no last response gives a late preflight
  await engine.idle();
  const [e] = await engine.entries(1);
  expect(e!.diagnosis).toMatchObject({ blocked: true, stage: "redirect", code: "CorsDisabledScheme" });
});

describe("the script's headers", () => {
  test("a failed preflight: the actual request has no onSendHeaders, the hook's headers give names and values", async () => {
    const { w, engine, tab } = await setup();
    const time = w.clock;
    const a = tab.request("POST", `${API}/x`, { headers: { Accept: "a".repeat(200), "X-Csrf-Token": "t0k" } }).start();
    tab.preflight(a, ["accept", "x-csrf-token"]).start().send().respond(204, without(ok.preflight, "Access-Control-Allow-Headers"));
    a.fail(); // no onBeforeSendHeaders/onSendHeaders for the actual request
    engine.annotate(1, report({ url: `${API}/x`, method: "POST", credentials: "omit", time, headers: [["Accept", "a".repeat(200)], ["X-Csrf-Token", "t0k"]] }), `${APP}/`);
    await engine.idle();
    const [e] = await engine.entries(1);
    expect(e!.exchange.request.headers).toEqual({ accept: "a".repeat(200), "x-csrf-token": "t0k" });
    expect(e!.diagnosis).toMatchObject({
      blocked: true, stage: "preflight", code: "HeaderDisallowedByPreflightResponse", failedParameter: "accept",
      disallowedHeaders: ["accept", "x-csrf-token"],
    });
    expect(e!.diagnosis.message).toContain("accept and x-csrf-token");
  });

  test("without the hook's headers the same record says which response is missing, not 'no response was captured'", async () => {
    const { engine, tab } = await setup();
    const a = tab.request("POST", `${API}/x`, { headers: { Accept: "a".repeat(200) } }).start();
    tab.preflight(a, ["accept"]).start().send().respond(204, without(ok.preflight, "Access-Control-Allow-Headers"));
    a.fail();
    await engine.idle();
    const [e] = await engine.entries(1);
    expect(e!.diagnosis.message).toContain("the preflight response (status 204) passes for the request headers that were recorded");
    expect(e!.diagnosis.message).not.toContain("no response was captured");
  });

  test("a report's headers are validated: a bad name refuses the whole report", async () => {
    const { engine } = await setup();
    expect(engine.annotate(1, report({ time: 1, headers: [["bad name", "1"]] }), `${APP}/`)).toBe(false);
    expect(engine.annotate(1, report({ time: 1, headers: [["x", 1]] }), `${APP}/`)).toBe(false);
    expect(engine.annotate(1, report({ time: 1, headers: Array.from({ length: 65 }, () => ["x", "1"]) }), `${APP}/`)).toBe(false);
    expect(engine.annotate(1, report({ time: 1, headers: [["x-ok", "1"]] }), `${APP}/`)).toBe(true);
  });
});

describe("the devtools page holds capture", () => {
  test("HELLO {hold: true} captures the tab fully and is sent nothing; closing it ends capture", async () => {
    const { w, engine } = await setup({}, `${SITE}/`);
    expect(engine.captureLevel(1)).toBe("count");
    const hold = w.connect(PORT_NAME);
    hold.send({ type: MSG.HELLO, tabId: 1, hold: true });
    await engine.idle();
    expect(engine.captureLevel(1)).toBe("full");
    expect(w.current!.filters()).toContainEqual({ tabId: 1 });
    const r = new Tab(w, 1, SITE).request("GET", `${API}/me`).start().send();
    r.blocked(200, noAcao);
    await engine.idle();
    expect(await engine.entries(1)).toHaveLength(1);
    expect(hold.received).toEqual([]);
    hold.disconnect();
    await engine.idle();
    expect(engine.captureLevel(1)).toBe("count");
    expect(w.current!.filters()).not.toContainEqual({ tabId: 1 });
  });

  test("a panel opened later still gets the snapshot of what was captured before it", async () => {
    const { w, engine } = await setup({}, `${SITE}/`);
    const hold = w.connect(PORT_NAME);
    hold.send({ type: MSG.HELLO, tabId: 1, hold: true });
    await engine.idle();
    new Tab(w, 1, SITE).request("GET", `${API}/me`).start().send().blocked(200, noAcao);
    await engine.idle();
    const panel = await openPanel(w, engine, 1);
    expect((panel.of(MSG.SNAPSHOT)[0]!.entries as unknown[]).length).toBe(1);
    panel.disconnect();
    await engine.idle();
    expect(engine.captureLevel(1)).toBe("full"); // DevTools is still open
    expect(hold.disconnected).toBe(false);
  });
});
