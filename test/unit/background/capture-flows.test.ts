// Replays Chromium 156 event orders through the engine over the fake platform.
import { Tab } from "./traffic";
import { API, APP, ok, openPanel, setup, without } from "./helpers";

describe("single requests", () => {
  test("a simple GET that passes", async () => {
    const { w, engine, tab } = await setup();
    tab.request("GET", `${API}/data`).start().send().respond(200, { "Access-Control-Allow-Origin": "*", "Content-Type": "application/json" });
    await engine.idle();
    const [e, ...rest] = await engine.entries(1);
    expect(rest).toHaveLength(0);
    expect(e!.exchange.request).toMatchObject({ url: `${API}/data`, method: "GET", origin: APP, credentials: "unknown", mode: "cors", headers: {} });
    expect(e!.exchange.request.sentHeaders?.origin).toBe(APP);
    expect(e!.exchange.browserError).toBeNull();
    expect(e!.exchange.hops).toEqual([{ url: `${API}/data`, preflight: null, response: expect.objectContaining({ status: 200 }) }]);
    expect(e!.diagnosis.blocked).toBe(false);
    expect(w.badgeOf(1).text).toBe("");
  });

  test("same-origin requests are not tracked", async () => {
    const { engine, tab } = await setup();
    tab.request("GET", `${APP}/api/x`).start().send().respond(200, {});
    await engine.idle();
    expect(await engine.entries(1)).toEqual([]);
  });

  test("a credentialed GET blocked by a missing Access-Control-Allow-Credentials", async () => {
    const { w, engine, tab } = await setup();
    tab.request("GET", `${API}/me`, { browserHeaders: { Cookie: "sid=1" } }).start().send()
      .blocked(200, without(ok.response, "Access-Control-Allow-Credentials"));
    await engine.idle();
    const [e] = await engine.entries(1);
    expect(e!.exchange.browserError).toBe("net::ERR_FAILED");
    expect(e!.exchange.request.sentHeaders?.cookie).toBe("sid=1");
    expect(e!.diagnosis).toMatchObject({
      blocked: true, stage: "actual", code: "InvalidAllowCredentials", credentials: { mode: "include", inferred: true },
    });
    expect(w.badgeOf(1)).toEqual({ text: "1", color: "#d93025", title: "GET api.example/me: lacks Access-Control-Allow-Credentials: true" });
  });

  test("a net error that is not CORS is reported as a network error", async () => {
    const { w, engine, tab } = await setup();
    tab.request("GET", `${API}/down`).start().send().fail("net::ERR_CONNECTION_REFUSED");
    await engine.idle();
    const [e] = await engine.entries(1);
    expect(e!.diagnosis).toMatchObject({ blocked: false, networkError: "net::ERR_CONNECTION_REFUSED" });
    expect(w.badgeOf(1).text).toBe("");
  });

  test("a refused preflight is a network error too, not a CORS block", async () => {
    const { engine, tab } = await setup();
    const a = tab.request("PUT", `${API}/x`, { headers: { "X-Token": "1" } }).start();
    tab.preflight(a, ["x-token"]).start().send().fail("net::ERR_CONNECTION_REFUSED");
    a.send().fail();
    await engine.idle();
    const [e] = await engine.entries(1);
    expect(e!.exchange.browserError).toBe("net::ERR_CONNECTION_REFUSED");
    expect(e!.diagnosis).toMatchObject({ blocked: false, networkError: "net::ERR_CONNECTION_REFUSED" });
  });

  test("a plain cross-origin <img> (no Origin header) is not a CORS exchange", async () => {
    const { engine, tab } = await setup();
    const img = tab.request("GET", `${API}/logo.png`, { type: "image" });
    delete img.headers.Origin;
    img.start().send().respond(200, { "Content-Type": "image/png" });
    await engine.idle();
    expect(await engine.entries(1)).toEqual([]);
  });
});

describe("preflights", () => {
  const put = (tab: Tab) => tab.request("PUT", `${API}/x`, { headers: { "Content-Type": "application/json", "X-Token": "1" } });
  const noAcac = without(ok.preflight, "Access-Control-Allow-Credentials");

  async function expectPreflightAcac(engine: Awaited<ReturnType<typeof setup>>["engine"], w: Awaited<ReturnType<typeof setup>>["w"]) {
    await engine.idle();
    const entries = await engine.entries(1);
    expect(entries).toHaveLength(1);
    const e = entries[0]!;
    expect(e.exchange.request.headers).toEqual({ "content-type": "application/json", "x-token": "1" });
    expect(e.exchange.hops).toHaveLength(1);
    expect(e.exchange.hops[0]!.preflight?.status).toBe(204);
    expect(e.exchange.hops[0]!.response).toBeNull();
    expect(e.diagnosis).toMatchObject({ blocked: true, stage: "preflight", code: "PreflightInvalidAllowCredentials" });
    expect(w.badgeOf(1).title).toBe("PUT api.example/x: preflight lacks Access-Control-Allow-Credentials: true");
  }

  test("failing preflight, its events before the actual's phantom ones", async () => {
    const { w, engine, tab } = await setup();
    const a = put(tab).start();
    tab.preflight(a, ["content-type", "x-token"]).start().send().blocked(204, noAcac);
    a.send().fail();
    await expectPreflightAcac(engine, w);
  });

  test("failing preflight, its onHeadersReceived and ERR_FAILED after the actual's phantom events", async () => {
    const { w, engine, tab } = await setup();
    const a = put(tab).start();
    const p = tab.preflight(a, ["content-type", "x-token"]).start().send();
    a.send().fail();
    expect(await engine.entries(1)).toEqual([]); // waits for its preflight
    p.blocked(204, noAcac);
    await expectPreflightAcac(engine, w);
  });

  test("failing preflight that shows up entirely after the actual failed", async () => {
    const { w, engine, tab } = await setup();
    const a = put(tab).start().send().fail();
    tab.preflight(a, ["content-type", "x-token"]).start().send().blocked(204, noAcac);
    await expectPreflightAcac(engine, w);
  });

  test("a blocked request whose preflight never shows is settled after a grace period", async () => {
    const { w, engine, tab } = await setup({ graceMs: 1000 });
    put(tab).start().send().fail();
    await engine.idle();
    expect(await engine.entries(1)).toEqual([]);
    w.advance(1000);
    await engine.idle();
    const [e] = await engine.entries(1);
    expect(e!.diagnosis.blocked).toBe(true);
    expect(e!.diagnosis.message).toMatch(/no preflight response was captured/);
  });

  test("a passing preflight and actual", async () => {
    const { engine, tab } = await setup();
    const a = put(tab).start();
    tab.preflight(a, ["content-type", "x-token"]).start().send().respond(204, ok.preflight);
    a.send().respond(200, ok.response);
    await engine.idle();
    const [e] = await engine.entries(1);
    expect(e!.exchange.hops[0]).toMatchObject({ preflight: { status: 204 }, response: { status: 200 } });
    expect(e!.exchange.hops[0]!.preflightCached).toBeUndefined();
    expect(e!.diagnosis.blocked).toBe(false);
  });

  test("served from the preflight cache: no OPTIONS at all", async () => {
    const { engine, tab } = await setup();
    put(tab).start().send().respond(200, ok.response);
    await engine.idle();
    const [e] = await engine.entries(1);
    expect(e!.exchange.hops[0]).toMatchObject({ preflight: null, preflightCached: true });
    expect(e!.diagnosis.blocked).toBe(false);
    expect(e!.diagnosis.warnings.map((x) => x.code)).not.toContain("PreflightNotCaptured");
  });

  test.each([["the first ends first", false], ["the second ends first", true]])(
    "two concurrent identical preflighted requests pair up in order (%s)",
    async (_, secondFirst) => {
      const { engine, tab } = await setup();
      const a1 = put(tab).start();
      const a2 = put(tab).start();
      const p1 = tab.preflight(a1, ["content-type", "x-token"]).start().send();
      const p2 = tab.preflight(a2, ["content-type", "x-token"]).start().send();
      p1.respond(204, ok.preflight);
      p2.blocked(204, noAcac);
      if (secondFirst) {
        a2.send().fail();
        a1.send().respond(200, ok.response);
      } else {
        a1.send().respond(200, ok.response);
        a2.send().fail();
      }
      await engine.idle();
      const byId = new Map((await engine.entries(1)).map((e) => [e.exchange.id, e]));
      expect(byId.size).toBe(2);
      expect(byId.get(a1.id)!.diagnosis.blocked).toBe(false);
      expect(byId.get(a1.id)!.exchange.hops[0]!.preflight?.headers["access-control-allow-credentials"]).toBe("true");
      expect(byId.get(a2.id)!.diagnosis).toMatchObject({ blocked: true, code: "PreflightInvalidAllowCredentials" });
    },
  );
});

describe("redirects", () => {
  test("a credentialed GET redirected within the API's origin", async () => {
    const { engine, tab } = await setup();
    tab.request("GET", `${API}/old`, { browserHeaders: { Cookie: "sid=1" } }).start().send()
      .redirect(302, `${API}/new`, ok.response).send().respond(200, ok.response);
    await engine.idle();
    const entries = await engine.entries(1);
    expect(entries).toHaveLength(1);
    const e = entries[0]!;
    expect(e.exchange.hops.map((h) => [h.url, h.response?.status])).toEqual([[`${API}/old`, 302], [`${API}/new`, 200]]);
    expect(e.exchange.hops[0]!.response?.headers.location).toBe(`${API}/new`);
    expect(e.diagnosis.blocked).toBe(false);
  });

  test("a PUT redirected to another origin, with a second preflight sent with Origin: null", async () => {
    const { w, engine, tab } = await setup();
    const a = tab.request("PUT", `${API}/x`, { headers: { "X-Token": "1" } }).start();
    tab.preflight(a, ["x-token"]).start().send().respond(204, ok.preflight);
    a.send().redirect(307, "https://api2.example/y", ok.response);
    const p2 = tab.preflight(a, ["x-token"]).start().send();
    expect(p2.headers.Origin).toBe("null");
    p2.blocked(204, ok.preflight); // allows APP, but the tainted origin is "null"
    a.send().fail();
    await engine.idle();
    const [e] = await engine.entries(1);
    expect(e!.exchange.hops.map((h) => [h.url, h.preflight?.status ?? null, h.response?.status ?? null]))
      .toEqual([[`${API}/x`, 204, 307], ["https://api2.example/y", 204, null]]);
    expect(e!.diagnosis).toMatchObject({ blocked: true, stage: "preflight", hop: 1, code: "PreflightAllowOriginMismatch", expected: "null" });
    expect(w.badgeOf(1).text).toBe("1");
  });

  test("a same-origin request redirected to another origin is tracked from the redirect", async () => {
    const { engine, tab } = await setup();
    const r = tab.request("GET", `${APP}/go`);
    delete r.headers.Origin;
    r.start().send().redirect(302, `${API}/landing`, {});
    r.send().blocked(200, {});
    await engine.idle();
    const [e] = await engine.entries(1);
    expect(e!.exchange.hops.map((h) => h.url)).toEqual([`${APP}/go`, `${API}/landing`]);
    expect(e!.diagnosis).toMatchObject({ blocked: true, hop: 1, code: "MissingAllowOriginHeader" });
  });

  test("an HSTS internal redirect is not a CORS hop", async () => {
    const { engine, tab } = await setup();
    const r = tab.request("GET", "http://api.example/x").start();
    r.redirect(307, `${API}/x`, { "Non-Authoritative-Reason": "HSTS" });
    r.send().respond(200, { "Access-Control-Allow-Origin": "*" });
    await engine.idle();
    const [e] = await engine.entries(1);
    expect(e!.exchange.hops.map((h) => h.url)).toEqual([`${API}/x`]);
    expect(e!.diagnosis.blocked).toBe(false);
  });
});

describe("frames and workers", () => {
  test("a request from a cross-origin iframe has the iframe's origin", async () => {
    const { engine, tab } = await setup();
    tab.request("GET", `${API}/w`, { frameId: 4, initiator: "https://widget.example" }).start().send().blocked(200, {});
    await engine.idle();
    const [e] = await engine.entries(1);
    expect(e!.frameId).toBe(4);
    expect(e!.exchange.request.origin).toBe("https://widget.example");
    expect(e!.diagnosis.code).toBe("MissingAllowOriginHeader");
  });

  test("a service worker's request (tabId -1) attaches to the watched tab of its origin", async () => {
    const { w, engine, tab } = await setup();
    await openPanel(w, engine, 1);
    const a = tab.request("PUT", `${API}/sw`, { tabId: -1, headers: { "X-Token": "1" } }).start();
    tab.preflight(a, ["x-token"]).start().send().blocked(404, {});
    a.send().fail();
    // Another tab's traffic reaches the workers' set but is dropped at once.
    new Tab(w, 2, "https://other.example").request("GET", `${API}/z`).start().send().blocked(200, {});
    await engine.idle();
    const [e, ...rest] = await engine.entries(1);
    expect(rest).toEqual([]);
    expect(e!.exchange.request.url).toBe(`${API}/sw`);
    expect(e!.diagnosis.code).toBe("PreflightMissingAllowOriginHeader");
    expect(await engine.entries(2)).toEqual([]);
  });
});

describe("load", () => {
  test("2,000 concurrent fetches and 300 identical preflighted ones, ending in reverse order", async () => {
    const { engine, tab } = await setup({ limit: 5000 });
    const simple = Array.from({ length: 2000 }, (_, i) => tab.request("GET", `${API}/n/${i}`).start().send());
    for (const r of simple.reverse()) r.respond(200, { "Access-Control-Allow-Origin": "*" });
    const acts = Array.from({ length: 300 }, () => tab.request("PUT", `${API}/same`, { headers: { "X-Token": "1" } }).start());
    const pres = acts.map((a) => tab.preflight(a, ["x-token"]).start().send());
    pres.forEach((p, i) => (i % 2 ? p.blocked(204, without(ok.preflight, "Access-Control-Allow-Credentials")) : p.respond(204, ok.preflight)));
    [...acts].reverse().forEach((a, k) => {
      const i = acts.length - 1 - k;
      if (i % 2) a.send().fail();
      else a.send().respond(200, ok.response);
    });
    await engine.idle();
    const entries = await engine.entries(1);
    expect(entries).toHaveLength(2300);
    const byId = new Map(entries.map((e) => [e.exchange.id, e]));
    acts.forEach((a, i) => expect(byId.get(a.id)!.diagnosis.blocked).toBe(i % 2 === 1));
  });
});
