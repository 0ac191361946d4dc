// https://fetch.spec.whatwg.org/#http-redirect-fetch steps 11–12 and the per-hop request: the one Fetch walk,
// read by diagnose, the probe, the audit, the exports, Copy as curl/fetch and the background.
import { afterRedirect, firstStep, nextStep, preflightHeaders, redirectMethod, scriptHeadersFromWire, stepsOf } from "../../src/core/fetch";

test("301 and 302 turn only POST into GET", () => {
  for (const s of [301, 302]) {
    expect(redirectMethod("POST", s)).toBe("GET");
    expect(redirectMethod("PUT", s)).toBe("PUT");
    expect(redirectMethod("GET", s)).toBe("GET");
  }
});

test("303 turns everything but GET and HEAD into GET", () => {
  expect(redirectMethod("PUT", 303)).toBe("GET");
  expect(redirectMethod("DELETE", 303)).toBe("GET");
  expect(redirectMethod("HEAD", 303)).toBe("HEAD");
  expect(redirectMethod("GET", 303)).toBe("GET");
});

test("307 and 308 keep the method", () => {
  expect(redirectMethod("POST", 307)).toBe("POST");
  expect(redirectMethod("PATCH", 308)).toBe("PATCH");
});

test("the body headers go only when the method changes; the others stay", () => {
  const h = { "Content-Type": "application/json", "content-language": "en", "x-token": "1" };
  expect(afterRedirect("POST", h, 302)).toEqual({ method: "GET", headers: { "x-token": "1" } });
  const kept = afterRedirect("POST", h, 307);
  expect(kept).toEqual({ method: "POST", headers: h });
});

describe("the Fetch walk (firstStep / nextStep / stepsOf)", () => {
  const APP = "https://app.example";
  const req = (over: Partial<{ url: string; method: string; headers: Record<string, string> }> = {}) =>
    ({ url: "https://api.example/a", method: "post", headers: { "content-type": "application/json" }, origin: APP, ...over });

  test("a cross-origin first hop: CORS, the page's Origin, a preflight for the unsafe header", () => {
    const s = firstStep(req());
    expect(s).toMatchObject({ hop: 0, method: "POST", origin: APP, tainted: false, cors: true, unsafeHeaders: ["content-type"], preflightNeeded: true });
    expect(preflightHeaders(s)).toEqual([
      ["accept", "*/*"], ["access-control-request-method", "POST"], ["access-control-request-headers", "content-type"], ["origin", APP],
    ]);
  });

  test("same origin, then another origin: the CORS flag starts at the second hop and sticks", () => {
    const [a, b, c] = stepsOf(req({ url: `${APP}/me`, method: "GET", headers: {} }), [
      { url: `${APP}/me`, response: { status: 302 } }, { url: "https://auth.example/login", response: { status: 302 } },
      { url: `${APP}/back`, response: null },
    ]);
    expect([a!.cors, b!.cors, c!.cors]).toEqual([false, true, true]);
    // app → auth: from the request's own origin, no taint; auth → app: from a foreign URL, tainted.
    expect([a!.origin, b!.origin, c!.origin]).toEqual([APP, APP, "null"]);
  });

  test("two cross-origin hops: the second one sends Origin: null, and it stays null", () => {
    const steps = stepsOf(req({ method: "GET", headers: {} }), [
      { url: "https://api.example/a", response: { status: 307 } }, { url: "https://other.example/b", response: { status: 307 } },
      { url: "https://other.example/c", response: null },
    ]);
    expect(steps.map((s) => s.origin)).toEqual([APP, "null", "null"]);
  });

  test("a 303 turns the POST into a GET and drops the body headers: no preflight at the next hop", () => {
    const s = nextStep(firstStep(req()), "https://api.example/b", 303);
    expect(s).toMatchObject({ method: "GET", headers: {}, unsafeHeaders: [], preflightNeeded: false });
    expect(nextStep(firstStep(req()), "https://api.example/b", 307)).toMatchObject({ method: "POST", preflightNeeded: true });
  });

  test("an opaque page origin is never same-origin", () => {
    expect(firstStep({ ...req({ url: "https://app.example/x", method: "GET", headers: {} }), origin: "null" }).cors).toBe(true);
  });
});

describe("scriptHeadersFromWire: the one rule for live capture and the HAR reader", () => {
  const wire = { "user-agent": "UA", accept: "*/*", "accept-language": "en", "content-type": "text/plain", "x-token": "1", cookie: "a=1", origin: "x" };

  test("without a preflight: the browser's additions and forbidden names go", () => {
    expect(scriptHeadersFromWire(wire, null)).toEqual({ "content-type": "text/plain", "x-token": "1" });
  });

  test("with a preflight, its Access-Control-Request-Headers decides; safelisted script headers stay", () => {
    expect(scriptHeadersFromWire({ ...wire, "cache-control": "no-cache" }, ["cache-control", "x-token"]))
      .toEqual({ "cache-control": "no-cache", "content-type": "text/plain", "x-token": "1" });
  });

  test("a name the preflight lists but the wire lacks (the request never went out) gets \"\"", () => {
    expect(scriptHeadersFromWire(null, ["x-csrf-token"])).toEqual({ "x-csrf-token": "" });
  });

  test("a header named __proto__ is a header, and the result has no inherited names", () => {
    const w: Record<string, string> = JSON.parse('{"__proto__": "1", "x-a": "2"}');
    const h = scriptHeadersFromWire(w, null);
    expect(Object.keys(h)).toEqual(["__proto__", "x-a"]);
    expect(Object.getPrototypeOf(h)).toBe(Object.prototype);
  });
});
