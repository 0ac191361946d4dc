import { readFileSync } from "node:fs";
import { join } from "node:path";
import { diagnose } from "../../src/core/diagnose";
import { readHar, isHar } from "../../src/core/har";
import type { Exchange } from "../../src/core/types";
import {
  chromeEntry, chromeHar, chromePreflight, chromeRequestHeaders, firefoxEntry, firefoxHar, firefoxRequestHeaders, nv,
} from "../fixtures/har/build";

const APP = "http://localhost:5173";
const API = "https://api.example.test/items/1";

function ok(doc: unknown): Exchange[] {
  const r = readHar(doc);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

function err(doc: unknown): string {
  const r = readHar(doc);
  if (r.ok) throw new Error("expected an error, got " + JSON.stringify(r.value));
  return r.error;
}

const allow = (extra: Record<string, string> = {}) =>
  nv({ "access-control-allow-origin": APP, "access-control-allow-credentials": "true", ...extra });

describe("Chrome export: preflight correlation", () => {
  // As Chrome writes it: the actual request is listed first and starts ~2 ms before its preflight.
  const doc = chromeHar([
    chromeEntry({
      method: "PUT", url: API, start: "2024-06-30T04:14:55.736Z", status: 200,
      reqHeaders: chromeRequestHeaders(API, "PUT", APP, { "content-type": "application/json", "x-token": "abc", cookie: "sid=1" }),
      resHeaders: nv({ "access-control-allow-origin": APP, "content-type": "application/json" }),
      error: "net::ERR_FAILED",
    }),
    chromePreflight({
      url: API, origin: APP, method: "PUT", headers: "content-type,x-token", start: "2024-06-30T04:14:55.738Z",
      resHeaders: allow({ "access-control-allow-methods": "PUT", "access-control-allow-headers": "content-type, x-token" }),
    }),
  ]);

  test("one exchange, preflight attached to the hop, id from the entry index", () => {
    const list = ok(doc);
    expect(list).toHaveLength(1);
    const ex = list[0]!;
    expect(ex.id).toBe("har:0");
    expect(ex.request).toMatchObject({ url: API, method: "PUT", origin: APP, mode: "cors", credentials: "unknown" });
    // A HAR never states the mode: the Cookie on the wire is the evidence diagnose() infers it from.
    expect(diagnose(ex).credentials).toEqual({ mode: "include", inferred: true });
    expect(ex.hops).toHaveLength(1);
    expect(ex.hops[0]!.preflight).toEqual({
      status: 204,
      headers: {
        "access-control-allow-origin": APP, "access-control-allow-credentials": "true",
        "access-control-allow-methods": "PUT", "access-control-allow-headers": "content-type, x-token",
      },
    });
    expect(ex.hops[0]!.response?.status).toBe(200);
    expect(ex.browserError).toBe("net::ERR_FAILED");
    expect(ex.initiator).toBe("http://localhost:5173/src/api.js:12:9");
  });

  test("request.headers keeps only what the script set; sentHeaders keeps the wire (minus pseudo headers)", () => {
    const ex = ok(doc)[0]!;
    // The browser's own Accept: */* and Accept-Language are not the script's (the same rule as live
    // capture: core/fetch.ts scriptHeadersFromWire).
    expect(ex.request.headers).toEqual({ "content-type": "application/json", "x-token": "abc" });
    expect(ex.request.sentHeaders?.cookie).toBe("sid=1");
    expect(ex.request.sentHeaders?.["user-agent"]).toBeDefined();
    expect(ex.request.sentHeaders?.[":authority"]).toBeUndefined();
  });

  test("the reader's output drives diagnose to the real failure (credentials without ACAC)", () => {
    const d = diagnose(ok(doc)[0]!);
    expect(d).toMatchObject({ blocked: true, stage: "actual", code: "InvalidAllowCredentials", header: "access-control-allow-credentials", received: null });
  });

  test("two concurrent identical requests each get their own preflight, in order", () => {
    const put = (start: string, tag: string) => chromeEntry({
      method: "PUT", url: API, start, status: 200, resHeaders: allow({ "x-tag": tag }),
      reqHeaders: chromeRequestHeaders(API, "PUT", APP, { "x-token": "abc" }),
    });
    const pre = (start: string, tag: string) => chromePreflight({
      url: API, origin: APP, method: "PUT", headers: "x-token", start,
      resHeaders: allow({ "access-control-allow-methods": "PUT", "access-control-allow-headers": "x-token", "x-tag": tag }),
    });
    const list = ok(chromeHar([
      put("2024-06-30T04:14:55.700Z", "A"), put("2024-06-30T04:14:55.701Z", "B"),
      pre("2024-06-30T04:14:55.703Z", "pA"), pre("2024-06-30T04:14:55.704Z", "pB"),
    ]));
    expect(list.map((e) => e.id)).toEqual(["har:0", "har:1"]);
    expect(list.map((e) => e.hops[0]!.preflight?.headers["x-tag"])).toEqual(["pA", "pB"]);
    expect(list.map((e) => e.hops[0]!.response?.headers["x-tag"])).toEqual(["A", "B"]);
  });

  test("timings as real Chromium logs two concurrent PUTs: preflight 1 starts in the same ms as request 2", () => {
    // CDP wall times seen from Chromium: A1 .632986, P1 .635088, A2 .635981, P2 .637668 (HAR keeps whole ms).
    const put = (start: string, tag: string) => chromeEntry({
      method: "PUT", url: API, start, status: 400, error: "net::ERR_FAILED", resHeaders: nv({ "x-tag": tag }),
      reqHeaders: chromeRequestHeaders(API, "PUT", APP, { "x-token": tag }),
    });
    const pre = (start: string, tag: string) => chromePreflight({
      url: API, origin: APP, method: "PUT", headers: "x-token", start,
      resHeaders: nv({ "access-control-allow-origin": "*", "access-control-allow-methods": "PUT", "access-control-allow-headers": "x-token", "x-tag": tag }),
    });
    const list = ok(chromeHar([
      put("2026-11-22T15:05:27.632Z", "A"), pre("2026-11-22T15:05:27.635Z", "pA"),
      put("2026-11-22T15:05:27.635Z", "B"), pre("2026-11-22T15:05:27.637Z", "pB"),
    ]));
    expect(list.map((e) => [e.hops[0]!.response?.headers["x-tag"], e.hops[0]!.preflight?.headers["x-tag"]]))
      .toEqual([["A", "pA"], ["B", "pB"]]);
    expect(diagnose(list[0]!)).toMatchObject({ blocked: true, stage: "actual", code: "MissingAllowOriginHeader" });
  });

  test("a request answered from the preflight cache does not take a later request's preflight", () => {
    const list = ok(chromeHar([
      chromeEntry({ method: "PUT", url: API, start: "2024-06-30T04:14:50.000Z", resHeaders: allow({ "x-tag": "cached" }),
        reqHeaders: chromeRequestHeaders(API, "PUT", APP, { "x-token": "1" }) }),
      chromeEntry({ method: "PUT", url: API, start: "2024-06-30T04:14:55.000Z", resHeaders: allow({ "x-tag": "fresh" }),
        reqHeaders: chromeRequestHeaders(API, "PUT", APP, { "x-token": "1" }) }),
      chromePreflight({ url: API, origin: APP, method: "PUT", headers: "x-token", start: "2024-06-30T04:14:55.002Z",
        resHeaders: allow({ "access-control-allow-methods": "PUT", "access-control-allow-headers": "x-token" }) }),
    ]));
    expect(list).toHaveLength(2);
    expect(list[0]!.hops[0]!.preflight).toBeNull();
    expect(list[1]!.hops[0]!.preflight?.status).toBe(204);
  });

  test("Chrome logs the preflight after its request starts: a request started just after it is not its owner", () => {
    const list = ok(chromeHar([
      chromeEntry({ method: "PUT", url: API, start: "2024-06-30T04:14:55.000Z", resHeaders: allow({ "x-tag": "owner" }),
        reqHeaders: chromeRequestHeaders(API, "PUT", APP, { "x-token": "1" }) }),
      chromePreflight({ url: API, origin: APP, method: "PUT", headers: "x-token", start: "2024-06-30T04:14:55.004Z",
        resHeaders: allow({ "access-control-allow-methods": "PUT", "access-control-allow-headers": "x-token" }) }),
      chromeEntry({ method: "PUT", url: API, start: "2024-06-30T04:14:55.005Z", resHeaders: allow({ "x-tag": "cached" }),
        reqHeaders: chromeRequestHeaders(API, "PUT", APP, { "x-token": "1" }) }),
    ]));
    expect(list.map((e) => [e.hops[0]!.response?.headers["x-tag"], e.hops[0]!.preflight?.status ?? null]))
      .toEqual([["owner", 204], ["cached", null]]);
  });

  test("a preflight never pairs with a request lacking a header it asked about", () => {
    const list = ok(chromeHar([
      chromeEntry({ method: "POST", url: API, start: "2024-06-30T04:14:55.000Z", resHeaders: allow({ "x-tag": "token" }),
        reqHeaders: chromeRequestHeaders(API, "POST", APP, { "x-token": "1" }) }),
      chromeEntry({ method: "POST", url: API, start: "2024-06-30T04:14:55.001Z", resHeaders: allow({ "x-tag": "simple" }),
        reqHeaders: chromeRequestHeaders(API, "POST", APP, { "content-type": "text/plain" }) }),
      chromePreflight({ url: API, origin: APP, method: "POST", headers: "x-token", start: "2024-06-30T04:14:55.002Z",
        resHeaders: allow({ "access-control-allow-headers": "x-token" }) }),
    ]));
    expect(list.map((e) => [e.hops[0]!.response?.headers["x-tag"], e.hops[0]!.preflight?.status ?? null]))
      .toEqual([["token", 204], ["simple", null]]);
  });

  test("a preflight is matched on method: a DELETE preflight does not attach to a PUT", () => {
    const list = ok(chromeHar([
      chromeEntry({ method: "PUT", url: API, start: "2024-06-30T04:14:55.000Z", resHeaders: allow(),
        reqHeaders: chromeRequestHeaders(API, "PUT", APP, {}) }),
      chromePreflight({ url: API, origin: APP, method: "DELETE", start: "2024-06-30T04:14:55.001Z", resHeaders: allow() }),
    ]));
    expect(list[0]!.hops[0]!.preflight).toBeNull();
    // The unpaired preflight becomes its own exchange (its request was never recorded).
    expect(list[1]).toMatchObject({ id: "har:1", request: { method: "DELETE", url: API }, hops: [{ response: null }] });
  });

  test("when the preflight exists, Access-Control-Request-Headers decides which headers the script set", () => {
    const ex = ok(chromeHar([
      chromeEntry({ method: "POST", url: API, start: "2024-06-30T04:14:55.000Z", resHeaders: allow(),
        reqHeaders: chromeRequestHeaders(API, "POST", APP, { "content-type": "application/json", "x-added-by-extension": "1" }) }),
      chromePreflight({ url: API, origin: APP, method: "POST", headers: "cache-control,content-type", start: "2024-06-30T04:14:55.001Z",
        resHeaders: allow() }),
    ]))[0]!;
    // cache-control is normally DevTools' "Disable cache"; here the preflight says the script set it.
    // A header added after the preflight (by an extension) is not the script's.
    expect(Object.keys(ex.request.headers).sort()).toEqual(["cache-control", "content-type"]);
  });
});

describe("status 0, errors, headers", () => {
  test("status 0 without headers: response null and the browser's error kept", () => {
    const list = ok(chromeHar([
      chromeEntry({ method: "GET", url: API, start: "2024-06-30T04:14:55.000Z", status: 0, error: "net::ERR_FAILED",
        reqHeaders: chromeRequestHeaders(API, "GET", APP) }),
    ]));
    expect(list[0]!.hops).toEqual([{ url: API, preflight: null, response: null }]);
    expect(list[0]!.browserError).toBe("net::ERR_FAILED");
  });

  test("Chrome's _error null means success (browserError null); Firefox's absence means unknown", () => {
    const chrome = ok(chromeHar([chromeEntry({ url: API, start: "2024-06-30T04:14:55.000Z", resHeaders: allow(),
      reqHeaders: chromeRequestHeaders(API, "GET", APP) })]))[0]!;
    expect(chrome.browserError).toBeNull();
    const ff = ok(firefoxHar([firefoxEntry({ url: API, start: "2024-06-30T06:14:55.000+02:00", status: 200, resHeaders: allow(),
      reqHeaders: firefoxRequestHeaders(API, "GET", APP) })]))[0]!;
    expect("browserError" in ff).toBe(false);
  });

  test("status 0 with received headers keeps the headers", () => {
    const ex = ok(chromeHar([chromeEntry({ url: API, start: "2024-06-30T04:14:55.000Z", status: 0, error: "net::ERR_FAILED",
      resHeaders: nv({ "access-control-allow-origin": "*" }), reqHeaders: chromeRequestHeaders(API, "GET", APP) })]))[0]!;
    expect(ex.hops[0]!.response).toEqual({ status: 0, headers: { "access-control-allow-origin": "*" } });
  });

  test("repeated response headers become arrays with lower-case names", () => {
    const ex = ok(chromeHar([chromeEntry({ url: API, start: "2024-06-30T04:14:55.000Z",
      resHeaders: [{ name: "Access-Control-Allow-Origin", value: APP }, { name: "access-control-allow-origin", value: "*" },
        { name: "Vary", value: "Origin" }],
      reqHeaders: chromeRequestHeaders(API, "GET", APP) })]))[0]!;
    expect(ex.hops[0]!.response?.headers).toEqual({ "access-control-allow-origin": [APP, "*"], vary: "Origin" });
    expect(diagnose(ex).code).toBe("MultipleAllowOriginValues");
  });

  test("a cookie in request.cookies counts as evidence when the Cookie header was stripped", () => {
    const ex = ok(chromeHar([chromeEntry({ url: API, start: "2024-06-30T04:14:55.000Z", resHeaders: allow(),
      cookies: [{ name: "sid", value: "1" }], reqHeaders: chromeRequestHeaders(API, "GET", APP) })]))[0]!;
    expect(ex.request.credentials).toBe("unknown");
    expect(ex.request.sentHeaders?.cookie).toBeDefined();
    expect(diagnose(ex).credentials).toEqual({ mode: "include", inferred: true });
  });

  test("without evidence, credentials stay unknown", () => {
    const ex = ok(chromeHar([chromeEntry({ url: API, start: "2024-06-30T04:14:55.000Z", resHeaders: allow(),
      reqHeaders: chromeRequestHeaders(API, "GET", APP) })]))[0]!;
    expect(ex.request.credentials).toBe("unknown");
  });
});

describe("which entries are exchanges", () => {
  test("same-origin requests, navigations, images and no-cors requests are left out", () => {
    const list = ok(chromeHar([
      chromeEntry({ url: APP + "/", resourceType: "document", start: "2024-06-30T04:14:50.000Z",
        reqHeaders: nv({ "sec-fetch-mode": "navigate", "user-agent": "x" }) }),
      chromeEntry({ url: APP + "/api/me", start: "2024-06-30T04:14:51.000Z",
        reqHeaders: nv({ referer: APP + "/", "sec-fetch-mode": "cors" }) }),
      chromeEntry({ url: "https://cdn.example.test/logo.png", resourceType: "image", start: "2024-06-30T04:14:52.000Z",
        reqHeaders: nv({ referer: APP + "/", "sec-fetch-mode": "no-cors" }) }),
      chromeEntry({ url: "https://cdn.example.test/lib.js", resourceType: "script", start: "2024-06-30T04:14:52.500Z",
        reqHeaders: nv({ referer: APP + "/" }) }),
      chromeEntry({ url: "data:text/plain,hi", start: "2024-06-30T04:14:52.700Z", reqHeaders: [] }),
      chromeEntry({ url: API, start: "2024-06-30T04:14:53.000Z", resHeaders: allow(), reqHeaders: chromeRequestHeaders(API, "GET", APP) }),
    ]));
    expect(list.map((e) => e.id)).toEqual(["har:5"]);
  });

  test("without an Origin header the origin comes from the Referer, then from the page URL", () => {
    // Chrome's provisional headers (request never sent because its preflight failed) carry no Origin.
    const provisional = nv({ "content-type": "application/json", referer: APP + "/", "user-agent": "x" });
    const fromReferer = ok(chromeHar([chromeEntry({ method: "POST", url: API, status: 0, error: "net::ERR_FAILED",
      start: "2024-06-30T04:14:55.000Z", reqHeaders: provisional })]))[0]!;
    expect(fromReferer.request.origin).toBe(APP);
    expect(fromReferer.request.headers).toEqual({ "content-type": "application/json" });

    const fromPage = ok(chromeHar([chromeEntry({ method: "POST", url: API, status: 0, error: "net::ERR_FAILED",
      start: "2024-06-30T04:14:55.000Z", reqHeaders: nv({ "content-type": "application/json" }) })], "https://shop.example.test/cart"))[0]!;
    expect(fromPage.request.origin).toBe("https://shop.example.test");
  });

  test("sec-fetch-mode same-origin is kept as mode same-origin", () => {
    const ex = ok(chromeHar([chromeEntry({ url: API, start: "2024-06-30T04:14:55.000Z", status: 0, error: "net::ERR_FAILED",
      reqHeaders: nv({ origin: APP, "sec-fetch-mode": "same-origin" }) })]))[0]!;
    expect(ex.request.mode).toBe("same-origin");
    expect(diagnose(ex).code).toBe("DisallowedByMode");
  });
});

describe("redirects", () => {
  test("a same-origin request redirected to another origin is one exchange with both hops and each hop's preflight", () => {
    const start = "http://localhost:5173/api/data";
    const target = "https://api.other.test/v2/data";
    const list = ok(chromeHar([
      chromeEntry({ method: "PUT", url: start, start: "2024-06-30T04:14:55.000Z", status: 307, redirectURL: target,
        resHeaders: nv({ location: target }), reqHeaders: chromeRequestHeaders(start, "PUT", APP, { "x-token": "1" }) }),
      chromeEntry({ method: "PUT", url: target, start: "2024-06-30T04:14:55.010Z", status: 0, error: "net::ERR_FAILED",
        reqHeaders: chromeRequestHeaders(target, "PUT", "null", { "x-token": "1" }) }),
      chromePreflight({ url: target, origin: "null", method: "PUT", headers: "x-token", start: "2024-06-30T04:14:55.011Z",
        resHeaders: nv({ "access-control-allow-origin": APP, "access-control-allow-methods": "PUT", "access-control-allow-headers": "x-token" }) }),
    ]));
    expect(list).toHaveLength(1);
    const ex = list[0]!;
    expect(ex.id).toBe("har:0");
    expect(ex.request.origin).toBe(APP);
    expect(ex.hops.map((h) => h.url)).toEqual([start, target]);
    expect(ex.hops[0]).toMatchObject({ preflight: null, response: { status: 307 } });
    expect(ex.hops[1]).toMatchObject({ preflight: { status: 204 }, response: null });
    expect(ex.browserError).toBe("net::ERR_FAILED");
  });

  test("a cross-origin redirect chain follows relative Location values and 303 turning POST into GET", () => {
    const a = "https://a.example.test/login";
    const b = "https://b.example.test/session";
    const list = ok(chromeHar([
      chromeEntry({ method: "POST", url: a, start: "2024-06-30T04:14:55.000Z", status: 303, redirectURL: "",
        resHeaders: nv({ location: "https://b.example.test/session#top", "access-control-allow-origin": APP }),
        reqHeaders: chromeRequestHeaders(a, "POST", APP) }),
      chromeEntry({ method: "GET", url: b, start: "2024-06-30T04:14:55.020Z", status: 200, resHeaders: nv({ "access-control-allow-origin": "*" }),
        reqHeaders: chromeRequestHeaders(b, "GET", "null") }),
    ]));
    expect(list).toHaveLength(1);
    expect(list[0]!.hops.map((h) => [h.url, h.response?.status])).toEqual([[a, 303], [b, 200]]);
  });

  test("a redirect whose next hop is not recorded ends the chain at the 3xx", () => {
    const list = ok(chromeHar([chromeEntry({ url: API, start: "2024-06-30T04:14:55.000Z", status: 302,
      redirectURL: "https://elsewhere.test/x", resHeaders: nv({ location: "https://elsewhere.test/x" }), error: "net::ERR_FAILED",
      reqHeaders: chromeRequestHeaders(API, "GET", APP) })]));
    expect(list[0]!.hops).toHaveLength(1);
    expect(diagnose(list[0]!)).toMatchObject({ blocked: true, stage: "redirect", code: "MissingAllowOriginHeader" });
  });
});

describe("Firefox export", () => {
  const OPT = (start: string, tag: string) => firefoxEntry({
    method: "OPTIONS", url: API, start, status: 200,
    reqHeaders: firefoxRequestHeaders(API, "OPTIONS", APP, { "Access-Control-Request-Method": "DELETE", "Access-Control-Request-Headers": "authorization" }),
    resHeaders: nv({ "Access-Control-Allow-Origin": APP, "Access-Control-Allow-Methods": "GET, POST", "X-Tag": tag }),
  });
  const DEL = (start: string) => firefoxEntry({
    method: "DELETE", url: API, start, status: 0,
    reqHeaders: firefoxRequestHeaders(API, "DELETE", APP, { Authorization: "Bearer t" }),
  });

  test("OPTIONS entries with Access-Control-Request-Method are preflights (no marker), paired in order", () => {
    const list = ok(firefoxHar([
      OPT("2024-06-30T06:14:55.000+02:00", "p1"), OPT("2024-06-30T06:14:55.001+02:00", "p2"),
      DEL("2024-06-30T06:14:55.050+02:00"), DEL("2024-06-30T06:14:55.051+02:00"),
    ]));
    expect(list.map((e) => e.id)).toEqual(["har:2", "har:3"]);
    expect(list.map((e) => e.hops[0]!.preflight?.headers["x-tag"])).toEqual(["p1", "p2"]);
    const ex = list[0]!;
    expect(ex.request).toMatchObject({ method: "DELETE", origin: APP, headers: { authorization: "Bearer t" } });
    expect(ex.request.headers.accept).toBeUndefined();
    expect(ex.hops[0]!.response).toBeNull();
    expect(diagnose(ex)).toMatchObject({ blocked: true, stage: "preflight", code: "MethodDisallowedByPreflightResponse" });
  });

  test("Firefox logs the OPTIONS before its request: an earlier request (cached preflight) does not take it", () => {
    const list = ok(firefoxHar([
      DEL("2024-06-30T06:14:55.010+02:00"),
      OPT("2024-06-30T06:14:55.020+02:00", "p"),
      DEL("2024-06-30T06:14:55.060+02:00"),
    ]));
    expect(list.map((e) => [e.id, e.hops[0]!.preflight?.headers["x-tag"] ?? null])).toEqual([["har:0", null], ["har:2", "p"]]);
  });

  test("a script's own OPTIONS request (no Access-Control-Request-Method) is an ordinary exchange", () => {
    const list = ok(firefoxHar([firefoxEntry({ method: "OPTIONS", url: API, start: "2024-06-30T06:14:55.000+02:00", status: 200,
      resHeaders: nv({ "Access-Control-Allow-Origin": APP }), reqHeaders: firefoxRequestHeaders(API, "OPTIONS", APP) })]));
    expect(list).toHaveLength(1);
    expect(list[0]!.request.method).toBe("OPTIONS");
  });
});

describe("bad input gives a clear error and never throws", () => {
  test.each([
    [null, /expected a JSON object with log.entries/],
    [[], /expected a JSON object/],
    ["log", /expected a JSON object/],
    [{}, /no "log" object/],
    [{ log: {} }, /log.entries must be an array/],
    [{ log: { entries: {} } }, /log.entries must be an array/],
    [{ log: { entries: [7] } }, /log.entries\[0\] must be an object/],
    [{ log: { entries: [{}] } }, /log.entries\[0\].request must be an object/],
    [{ log: { entries: [{ request: { url: 5, method: "GET" } }] } }, /request.url must be a string/],
    [{ log: { entries: [{ request: { url: API } }] } }, /request.method must be a string/],
    [{ log: { entries: [{ request: { url: API, method: "GET", headers: [{ value: "x" }] } }] } }, /needs a string "name"/],
    [{ log: { entries: [{ request: { url: API, method: "GET", headers: "x" } }] } }, /headers must be an object/],
    [{ log: { entries: [{ request: { url: API, method: "GET" }, response: 3 } ] } }, /response must be an object/],
    [{ log: { entries: [{ request: { url: API, method: "GET" }, response: { status: "teapot" } }] } }, /status must be an HTTP status/],
  ])("%j", (doc, message) => {
    expect(() => readHar(doc)).not.toThrow();
    expect(err(doc)).toMatch(message);
  });

  test("an empty HAR is fine and has no exchanges", () => {
    expect(ok({ log: { entries: [] } })).toEqual([]);
  });

  test("isHar detects log.entries", () => {
    expect(isHar(chromeHar([]))).toBe(true);
    expect(isHar({ request: {} })).toBe(false);
    expect(isHar([])).toBe(false);
  });

  test("entries without timestamps fall back to file order", () => {
    const a = chromeEntry({ method: "PUT", url: API, start: "", resHeaders: allow(), reqHeaders: chromeRequestHeaders(API, "PUT", APP, { "x-token": "1" }) });
    const p = chromePreflight({ url: API, origin: APP, method: "PUT", headers: "x-token", start: "", resHeaders: allow() });
    delete (a as Record<string, unknown>).startedDateTime;
    const list = ok(chromeHar([a, p]));
    expect(list).toHaveLength(1);
    expect(list[0]!.hops[0]!.preflight).not.toBeNull();
  });
});

describe("fixture files", () => {
  const dir = join(__dirname, "../fixtures/har");
  const load = (name: string) => ok(JSON.parse(readFileSync(join(dir, name), "utf8")));

  test("chrome-credentialed-preflight.har: the wildcard in the preflight is the failure", () => {
    const list = load("chrome-credentialed-preflight.har");
    expect(list.map((e) => e.id)).toEqual(["har:1"]);
    expect(diagnose(list[0]!)).toMatchObject({ blocked: true, stage: "preflight", code: "PreflightWildcardOriginNotAllowed",
      credentials: { mode: "include" } });
  });

  test("firefox-preflight.har: the header missing from Access-Control-Allow-Headers is named", () => {
    const list = load("firefox-preflight.har");
    expect(list).toHaveLength(1);
    expect(diagnose(list[0]!)).toMatchObject({ blocked: true, stage: "preflight", code: "HeaderDisallowedByPreflightResponse",
      failedParameter: "x-requested-with" });
  });
});

// What a HAR recorded from a real test run showed (test/e2e/ci-recipe.test.ts, examples/ci/record-har.mjs).
describe("requests that never went out, and redirects that were not followed", () => {
  const APP_ = "http://localhost:5173";
  const API_ = "https://api.example.com";

  test("a redirected hop whose preflight failed: Chrome's provisional headers (no Origin, no script header) still pair with the preflight", () => {
    const list = ok(chromeHar([
      chromeEntry({ method: "POST", url: `${API_}/a`, start: "2024-06-30T04:14:51.000Z", status: 307, redirectURL: `${API_}/b`,
        reqHeaders: chromeRequestHeaders(`${API_}/a`, "POST", APP_, { "content-type": "application/json" }),
        resHeaders: nv({ location: `${API_}/b`, "access-control-allow-origin": APP_ }) }),
      chromePreflight({ url: `${API_}/a`, origin: APP_, method: "POST", headers: "content-type", start: "2024-06-30T04:14:51.001Z",
        resHeaders: nv({ "access-control-allow-origin": APP_, "access-control-allow-headers": "content-type" }) }),
      chromePreflight({ url: `${API_}/b`, origin: APP_, method: "POST", headers: "content-type", start: "2024-06-30T04:14:51.005Z", status: 404 }),
      chromeEntry({ method: "POST", url: `${API_}/b`, start: "2024-06-30T04:14:51.006Z", status: 0, error: "net::ERR_FAILED",
        reqHeaders: nv({ "User-Agent": "Mozilla/5.0", Referer: `${APP_}/` }) }),
    ]));
    expect(list).toHaveLength(1);
    expect(list[0]!.hops.map((h) => [h.url, h.preflight?.status ?? null])).toEqual([[`${API_}/a`, 204], [`${API_}/b`, 404]]);
    expect(diagnose(list[0]!)).toMatchObject({ blocked: true, stage: "preflight", hop: 1, code: "PreflightMissingAllowOriginHeader" });
  });

  test("a same-origin request refused at a Location with user:password@ (no next entry) is a CORS exchange", () => {
    const list = ok(chromeHar([
      chromeEntry({ method: "GET", url: `${APP_}/api/me`, start: "2024-06-30T04:14:51.000Z", status: 302, error: "net::ERR_FAILED",
        redirectURL: "https://u:p@auth.example.com/login",
        reqHeaders: chromeRequestHeaders(`${APP_}/api/me`, "GET", null), resHeaders: nv({ location: "https://u:p@auth.example.com/login" }) }),
    ]));
    expect(list).toHaveLength(1);
    expect(diagnose(list[0]!)).toMatchObject({ blocked: true, stage: "redirect", hop: 0, code: "RedirectContainsCredentials" });
  });

  test("a sandboxed page's never-sent request takes its Origin (null) from its preflight, not from the Referer", () => {
    const list = ok(chromeHar([
      chromeEntry({ method: "PUT", url: `${API_}/x`, start: "2024-06-30T04:14:51.000Z", status: 0, error: "net::ERR_FAILED",
        reqHeaders: nv({ "User-Agent": "Mozilla/5.0", Referer: `${APP_}/sandbox.html`, "content-type": "text/plain" }) }),
      chromePreflight({ url: `${API_}/x`, origin: "null", method: "PUT", start: "2024-06-30T04:14:51.001Z",
        resHeaders: nv({ "access-control-allow-origin": APP_, "access-control-allow-methods": "PUT" }) }),
    ]));
    expect(list[0]!.request.origin).toBe("null");
    expect(diagnose(list[0]!)).toMatchObject({ blocked: true, code: "PreflightAllowOriginMismatch" });
  });

  test("Chromium's own verdict in the HAR (_corsErrorStatus) tells the credentials mode when both modes fail differently", () => {
    const entry = chromeEntry({ method: "PUT", url: `${API_}/x`, start: "2024-06-30T04:14:51.000Z", status: 0, error: "net::ERR_FAILED",
      reqHeaders: chromeRequestHeaders(`${API_}/x`, "PUT", APP_) });
    const pre = chromePreflight({ url: `${API_}/x`, origin: APP_, method: "PUT", start: "2024-06-30T04:14:51.001Z", status: 401,
      resHeaders: nv({ "access-control-allow-origin": "*", "access-control-allow-methods": "PUT" }) });
    // Without the verdict: no evidence of credentials, so the status decides (PreflightInvalidStatus).
    expect(diagnose(ok(chromeHar([entry, pre]))[0]!).code).toBe("PreflightInvalidStatus");
    const list = ok(chromeHar([{ ...entry, _corsErrorStatus: { corsError: "PreflightWildcardOriginNotAllowed", failedParameter: "" } }, pre]));
    expect(list[0]!.browserCorsError).toBe("PreflightWildcardOriginNotAllowed");
    expect(diagnose(list[0]!)).toMatchObject({ code: "PreflightWildcardOriginNotAllowed", credentials: { mode: "include", inferred: true } });
  });
});
