import { scriptHeadersFromWire as scriptHeadersOf } from "../../../src/core/fetch";
import { buildView } from "../../../src/background/correlate";
import { sameOrigin, toHeaders, toRecord } from "../../../src/background/records";
import type { RawRequestDetails } from "../../../src/platform/background";
import { readAnnotation, readPanelMessage, MSG } from "../../../src/shared/protocol";
import { readCapturePattern, capturePatternMatches } from "../../../src/shared/sites";

const never = () => false;

function details(over: Partial<RawRequestDetails> = {}): RawRequestDetails {
  return { requestId: "1", tabId: 1, frameId: 0, type: "xmlhttprequest", url: "https://api.example/x", method: "GET", timeStamp: 1, initiator: "https://app.example", ...over };
}

describe("records", () => {
  test("same origin without parsing", () => {
    expect(sameOrigin("https://a.example/x", "https://a.example")).toBe(true);
    expect(sameOrigin("https://a.example", "https://a.example")).toBe(true);
    expect(sameOrigin("https://a.example.evil/x", "https://a.example")).toBe(false);
    expect(sameOrigin("https://a.example:8443/x", "https://a.example")).toBe(false);
    expect(sameOrigin("https://a.example/x", "null")).toBe(false);
  });

  test("same-origin, browser-initiated and navigation requests give no record", () => {
    expect(toRecord("beforeRequest", details({ url: "https://app.example/api" }), never)).toBeNull();
    expect(toRecord("beforeRequest", details({ initiator: undefined }), never)).toBeNull();
    expect(toRecord("beforeRequest", details({ type: "main_frame" }), never)).toBeNull();
    // …unless the request is already tracked (a cross-origin hop that redirected back).
    expect(toRecord("completed", details({ url: "https://app.example/api" }), () => true)).not.toBeNull();
  });

  test("headers become lower-case maps; repeats become arrays", () => {
    const r = toRecord("headersReceived", details({
      statusCode: 200,
      responseHeaders: [{ name: "Access-Control-Allow-Origin", value: "a" }, { name: "access-control-allow-origin", value: "b" }, { name: "X-Bin", binaryValue: [104, 105] }],
    }), never)!;
    expect(r.responseHeaders).toEqual({ "access-control-allow-origin": ["a", "b"], "x-bin": "hi" });
    expect(r.statusCode).toBe(200);
  });

  test("Firefox: the initiator is the origin of originUrl / documentUrl", () => {
    const r = toRecord("beforeRequest", details({ initiator: undefined, originUrl: "https://app.example/page?q=1" }), never)!;
    expect(r.initiator).toBe("https://app.example");
    expect(toRecord("beforeRequest", details({ initiator: undefined, url: "https://app.example/x", documentUrl: "https://app.example/" }), never)).toBeNull();
  });

  test("a view groups one request's records into hops", () => {
    const rec = (event: Parameters<typeof toRecord>[0], over: Partial<RawRequestDetails>) => toRecord(event, details(over), () => true)!;
    const v = buildView([
      rec("beforeRequest", { method: "POST" }),
      rec("sendHeaders", { method: "POST", requestHeaders: [{ name: "Origin", value: "https://app.example" }] }),
      rec("beforeRedirect", { method: "POST", statusCode: 303, redirectUrl: "https://api.example/y", responseHeaders: [] }),
      rec("completed", { url: "https://api.example/y", method: "GET", statusCode: 200, responseHeaders: [] }),
    ]);
    expect(v.hops.map((h) => [h.url, h.method, h.response?.status])).toEqual([["https://api.example/x", "POST", 303], ["https://api.example/y", "GET", 200]]);
    expect(v.hops[0]!.response!.headers.location).toBe("https://api.example/y");
    expect(v.error).toBeNull();
  });

  test("a view's end is its completed or errorOccurred time (the panel's Time column); null in flight", () => {
    const rec = (event: Parameters<typeof toRecord>[0], over: Partial<RawRequestDetails>) => toRecord(event, details(over), () => true)!;
    expect(buildView([rec("beforeRequest", { timeStamp: 10 }), rec("completed", { timeStamp: 95, statusCode: 200, responseHeaders: [] })]).end).toBe(95);
    expect(buildView([rec("beforeRequest", { timeStamp: 10 }), rec("errorOccurred", { timeStamp: 40, error: "net::ERR_FAILED" })]).end).toBe(40);
    expect(buildView([rec("beforeRequest", { timeStamp: 10 }), rec("sendHeaders", { timeStamp: 11 })]).end).toBeNull();
  });
});

describe("script headers", () => {
  const wire = {
    "origin": "https://app.example", "user-agent": "UA", "accept": "*/*", "accept-language": "en", "cookie": "a=1",
    "sec-fetch-mode": "cors", "content-type": "application/json", "x-token": "1", "cache-control": "no-cache", "pragma": "no-cache",
  };
  test("with a preflight, Access-Control-Request-Headers names the non-safelisted ones", () => {
    expect(scriptHeadersOf(wire, ["content-type", "x-token"])).toEqual({ "content-type": "application/json", "x-token": "1" });
  });
  test("without one, browser-added headers and DevTools' no-cache pair are dropped", () => {
    expect(scriptHeadersOf(wire, null)).toEqual({ "content-type": "application/json", "x-token": "1" });
  });
});

describe("protocol", () => {
  test("panel messages are validated", () => {
    expect(readPanelMessage({ type: MSG.HELLO, tabId: 3 })).toEqual({ type: "HELLO", tabId: 3 });
    expect(readPanelMessage({ type: MSG.HELLO, tabId: 2 ** 40 })).toBeNull();
    expect(readPanelMessage({ type: MSG.SET_PRESERVE, on: "yes" })).toBeNull();
    expect(readPanelMessage({ type: MSG.SET_ALWAYS_CAPTURE, site: " *.Shop.Example ", on: true })).toEqual({ type: "SET_ALWAYS_CAPTURE", site: "*.shop.example", on: true });
    expect(readPanelMessage({ type: MSG.SET_ALWAYS_CAPTURE, site: "a/b", on: true })).toBeNull();
    expect(readPanelMessage({ type: "EVAL" })).toBeNull();
    expect(readPanelMessage(null)).toBeNull();
  });
  test("annotations are validated", () => {
    const a = { url: "https://api.example/x#frag", method: "PUT", credentials: "include", mode: "cors", outcome: "rejected TypeError", time: 5 };
    expect(readAnnotation(a)).toEqual({ ...a, initiator: null });
    expect(readAnnotation({ ...a, mode: "navigate" })).toBeNull();
    expect(readAnnotation({ ...a, outcome: "maybe" })).toBeNull();
  });
  test("site patterns", () => {
    expect(readCapturePattern("[::1]")).toBe("[::1]");
    expect(readCapturePattern("*.")).toBeNull();
    expect(capturePatternMatches("*.localhost", "app.localhost")).toBe(true);
    expect(capturePatternMatches("*.localhost", "localhost")).toBe(false);
    expect(capturePatternMatches("*.test", "evil-test")).toBe(false);
  });
});

test("toHeaders: Object.prototype's names are plain own headers, repeats become lists", () => {
  const h = toHeaders([{ name: "Constructor", value: "a" }, { name: "__proto__", value: "b" }, { name: "toString", value: "c" },
    { name: "X-A", value: "1" }, { name: "x-a", value: "2" }, { name: "__PROTO__", value: "d" }])!;
  expect(Object.getPrototypeOf(h)).toBe(Object.prototype);
  expect(Object.getOwnPropertyDescriptor(h, "constructor")?.value).toBe("a");
  expect(Object.getOwnPropertyDescriptor(h, "__proto__")?.value).toEqual(["b", "d"]);
  expect(Object.getOwnPropertyDescriptor(h, "tostring")?.value).toBe("c");
  expect(h["x-a"]).toEqual(["1", "2"]);
  expect(JSON.parse(JSON.stringify(h))).toEqual(structuredClone(h));
  expect(Object.keys(h)).toEqual(["constructor", "__proto__", "tostring", "x-a"]);
});
