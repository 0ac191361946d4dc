// clientFix: a client-side alternative only where it is a real answer; every JS snippet parses.
import { clientFix, generate } from "../../../src/core/fix";
import { makeDiagnosis, makeExchange } from "./helpers/fixtures";
import { parseJs } from "./helpers/checkers";

function jsOf(fix: ReturnType<typeof clientFix>) {
  expect(fix).not.toBeNull();
  expect(fix!.language).toBe("javascript");
  return parseJs(fix!.code);
}

describe("clientFix", () => {
  it("DisallowedByMode: use mode 'cors'", () => {
    const f = clientFix(makeDiagnosis({ code: "DisallowedByMode", stage: "request" }), makeExchange({ request: { mode: "same-origin" } }));
    const js = jsOf(f);
    expect(js.strings).toEqual(expect.arrayContaining(["https://api.example/x", "cors", "include"]));
    expect(f!.note).toMatch(/same-origin/);
  });
  it("CorsDisabledScheme from file://: serve over http", () => {
    const f = clientFix(makeDiagnosis({ code: "CorsDisabledScheme", stage: "request" }), makeExchange({ request: { url: "file:///home/me/data.json", origin: "null" } }));
    expect(f!.language).toBe("shell");
    expect(f!.code).toContain("python3 -m http.server");
  });
  it("CorsDisabledScheme for another scheme: request over https", () => {
    const f = clientFix(makeDiagnosis({ code: "CorsDisabledScheme", stage: "request" }), makeExchange({ request: { url: "ftp://files.example/a" } }));
    jsOf(f);
    expect(f!.code).not.toContain("ftp:");
  });
  it("a lower-case custom method: send it upper-case", () => {
    const f = clientFix(makeDiagnosis({ code: "MethodDisallowedByPreflightResponse", failedParameter: "patch" }), makeExchange({ request: { method: "patch" } }));
    expect(jsOf(f).strings).toContain("PATCH");
  });
  it("no method advice for an upper-case method", () => {
    expect(clientFix(makeDiagnosis({ code: "MethodDisallowedByPreflightResponse", failedParameter: "PUT" }), makeExchange())).toBeNull();
  });
  it("PreflightDisallowedRedirect: call the redirect target directly", () => {
    const x = makeExchange({ hops: [{ url: "http://api.example/x", preflight: { status: 301, headers: { location: "https://api.example/x/" } }, response: null }] });
    const f = clientFix(makeDiagnosis({ code: "PreflightDisallowedRedirect" }), x);
    expect(jsOf(f).strings).toEqual(expect.arrayContaining(["https://api.example/x/", "PUT"]));
  });
  it("PreflightDisallowedRedirect without a usable Location: no client fix", () => {
    const x = makeExchange({ hops: [{ url: "https://api.example/x", preflight: { status: 301, headers: {} }, response: null }] });
    expect(clientFix(makeDiagnosis({ code: "PreflightDisallowedRedirect" }), x)).toBeNull();
  });
  it("after a cross-origin redirect: call the final URL", () => {
    const x = makeExchange({
      hops: [
        { url: "https://api.example/x", preflight: null, response: { status: 302, headers: { location: "https://cdn.example/x" } } },
        { url: "https://cdn.example/x", preflight: null, response: { status: 200, headers: { "access-control-allow-origin": "https://app.example" } } },
      ],
    });
    const f = clientFix(makeDiagnosis({ code: "AllowOriginMismatch", stage: "actual", hop: 1, received: "https://app.example" }), x);
    expect(jsOf(f).strings).toContain("https://cdn.example/x");
    expect(f!.note).toMatch(/Origin: null/);
  });
  it("wildcard + credentials with no Cookie sent: drop credentials", () => {
    const x = makeExchange({ request: { sentHeaders: { "x-token": "t" } } });
    const f = clientFix(makeDiagnosis({ code: "WildcardOriginNotAllowed", stage: "actual" }), x);
    const js = jsOf(f);
    expect(js.strings).not.toContain("include");
    expect(f!.code).toMatch(/credentials: 'include',\s+<- remove/);
    expect(f!.note).toMatch(/No Cookie was sent/);
  });
  it("never echoes header values (they may be secrets)", () => {
    const f = clientFix(makeDiagnosis({ code: "InvalidAllowCredentials", stage: "actual" }), makeExchange());
    expect(f).not.toBeNull();
    expect(f!.code).not.toContain("secret-value");
  });
  it("wildcard + credentials but the request carried a Cookie: no client fix (the server must change)", () => {
    const x = makeExchange({ request: { sentHeaders: { cookie: "sid=1" } } });
    expect(clientFix(makeDiagnosis({ code: "WildcardOriginNotAllowed", stage: "actual" }), x)).toBeNull();
  });
  it("wildcard without credentials is not a credentials problem", () => {
    const d = makeDiagnosis({ code: "MissingAllowOriginHeader", stage: "actual", credentials: { mode: "omit", inferred: false } });
    expect(clientFix(d, makeExchange())).toBeNull();
  });
  it("a *WildcardWithCredentials warning also offers dropping credentials", () => {
    const d = makeDiagnosis({ code: null, blocked: false, stage: null, warnings: [{ code: "AllowHeadersWildcardWithCredentials", header: null, message: "" }] });
    expect(clientFix(d, makeExchange({ request: { sentHeaders: {} } }))).not.toBeNull();
  });
  it("a habitual header alone caused the preflight: drop it", () => {
    const x = makeExchange({ request: { method: "GET", headers: { "x-requested-with": "XMLHttpRequest" } } });
    const f = clientFix(makeDiagnosis({ code: "HeaderDisallowedByPreflightResponse", failedParameter: "x-requested-with" }), x);
    jsOf(f);
    expect(f!.code).toMatch(/Without x-requested-with this GET is a simple request/);
  });
  it("a custom header the API needs (x-token) is not 'habitual': no client fix", () => {
    expect(clientFix(makeDiagnosis({ code: "HeaderDisallowedByPreflightResponse", failedParameter: "x-token" }), makeExchange({ request: { method: "GET" } }))).toBeNull();
  });
  it("no client fix for an ordinary server-side failure", () => {
    expect(clientFix(makeDiagnosis({ code: "PreflightMissingAllowOriginHeader" }), makeExchange())).toBeNull();
  });
  it("escapes a hostile URL and method in the client code", () => {
    const x = makeExchange({ request: { url: "https://api.example/a'b\\c`${x}</script>", method: "GET", mode: "same-origin" } });
    const f = clientFix(makeDiagnosis({ code: "DisallowedByMode" }), x);
    const js = jsOf(f);
    expect(js.strings.some((s) => s.startsWith("https://api.example/a"))).toBe(true);
    expect(f!.code.toLowerCase()).not.toContain("</script");
  });
  it("generate() sets fix.client from clientFix", () => {
    const d = makeDiagnosis({ code: "DisallowedByMode" });
    expect(generate("nginx", d, makeExchange()).client).toEqual(clientFix(d, makeExchange()));
    expect(generate("nginx", makeDiagnosis(), makeExchange()).client).toBeNull();
  });
  it("never throws", () => {
    expect(clientFix(null as never, null as never)).toBeNull();
    expect(clientFix({ code: "DisallowedByMode" } as never, { request: { url: 5, method: null } } as never)).not.toBeUndefined();
  });
});
