// Firefox 153's event orders and error strings (measured: docs/firefox.md), through the same engine.
import { MSG } from "../../../src/shared/protocol";
import { API, ok, openPanel, setup, without } from "./helpers";

const wildcardWithCreds = { ...ok.response, "Access-Control-Allow-Origin": "*" };

describe("Firefox", () => {
  test("the actual request's headers leave before its preflight starts: still one exchange with its preflight", async () => {
    const { engine, tab, w } = await setup();
    const put = tab.request("PUT", `${API}/x`, { headers: { "X-Token": "1" } }).start().send();
    w.advance(15);
    tab.preflight(put, ["x-token"]).start().send().respond(204, ok.preflight);
    w.advance(5);
    put.respond(200, ok.response);
    await engine.idle();
    const entries = await engine.entries(1);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.exchange.hops[0]!.preflight?.status).toBe(204);
    expect(entries[0]!.exchange.hops[0]!.preflightCached).toBeUndefined();
  });

  test("a failed preflight reported as NS_ERROR_DOM_BAD_URI is a CORS block, diagnosed from the headers", async () => {
    const { engine, tab, w } = await setup();
    w.blocksAreErrors = false;
    const put = tab.request("PUT", `${API}/x`, { headers: { "X-Token": "1" }, browserHeaders: { Cookie: "s=1" } }).start().send();
    w.advance(15);
    const pre = tab.preflight(put, ["x-token"]).start().send();
    pre.headersReceived(204, without(ok.preflight, "Access-Control-Allow-Credentials"));
    pre.fail("NS_ERROR_DOM_BAD_URI");
    put.fail("NS_ERROR_DOM_BAD_URI");
    await engine.idle();
    const [e] = await engine.entries(1);
    expect(e!.diagnosis).toMatchObject({ blocked: true, stage: "preflight", code: "PreflightInvalidAllowCredentials" });
    expect(w.badgeOf(1).text).toBe("1");
  });

  test("a block on the response completes in Firefox: the page hook's rejection, with the headers, makes it blocked", async () => {
    const { engine, tab, w } = await setup();
    w.blocksAreErrors = false;
    const panel = await openPanel(w, engine, 1);
    const time = w.clock;
    tab.request("GET", `${API}/me`).start().send().respond(200, wildcardWithCreds);
    await engine.idle();
    let [e] = await engine.entries(1);
    expect(e!.exchange.browserError).toBeUndefined();
    expect(e!.diagnosis.blocked).toBe(false);
    engine.annotate(1, { url: `${API}/me`, method: "GET", credentials: "include", mode: "cors", outcome: "rejected TypeError", initiator: "app.js:1:1", time }, `${tab.origin}/`);
    await engine.idle();
    [e] = await engine.entries(1);
    expect(e!.diagnosis).toMatchObject({ blocked: true, code: "WildcardOriginNotAllowed", credentials: { mode: "include", inferred: false } });
    expect(panel.of(MSG.EXCHANGE_UPDATED)).toHaveLength(1);
    expect(w.badgeOf(1).text).toBe("1");
  });

  test("in Chrome the same report cannot turn a delivered response into a blocked one", async () => {
    const { engine, tab, w } = await setup();
    const time = w.clock;
    tab.request("GET", `${API}/me`).start().send().respond(200, wildcardWithCreds);
    await engine.idle();
    engine.annotate(1, { url: `${API}/me`, method: "GET", credentials: "include", mode: "cors", outcome: "rejected TypeError", initiator: "app.js:1:1", time }, `${tab.origin}/`);
    await engine.idle();
    const [e] = await engine.entries(1);
    expect(e!.diagnosis.blocked).toBe(false);
    expect(w.badgeOf(1).text).toBe("");
  });
});
