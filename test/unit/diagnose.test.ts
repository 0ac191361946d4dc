import { diagnose } from "../../src/core/diagnose";
import { readExchange } from "../../src/core/exchange";
import type { Headers } from "../../src/core/types";
// ex(): a credentialed PUT with x-token from APP to API (https://api.example/x), preflight and response passing.
import { API, APP, exchange as ex, okPreflight, okResponse, without } from "../fixtures/exchange";

describe("passing exchanges", () => {
  test("a fully allowed credentialed preflighted request passes without warnings", () => {
    const d = diagnose(ex());
    expect(d).toMatchObject({ blocked: false, code: null, stage: null, credentials: { mode: "include", inferred: false } });
    expect(d.warnings).toEqual([]);
    expect(d.preflightNeeded).toBe(true);
  });
  test("a simple GET needs no preflight", () => {
    const d = diagnose(ex({ method: "get", headers: {}, preflight: null }));
    expect(d.blocked).toBe(false);
    expect(d.preflightNeeded).toBe(false);
  });
  test("a same-origin request is never checked", () => {
    const d = diagnose(ex({ url: APP + "/x", preflight: null, response: { status: 200, headers: {} } }));
    expect(d.blocked).toBe(false);
  });
  test("the actual response status is never checked", () => {
    expect(diagnose(ex({ response: okResponse({}, 500) })).blocked).toBe(false);
  });
});

describe("the CORS check (ACAO, ACAC) in Chromium's order", () => {
  test("missing ACAO", () => {
    const d = diagnose(ex({ response: { status: 200, headers: {} } }));
    expect(d).toMatchObject({ blocked: true, stage: "actual", hop: 0, code: "MissingAllowOriginHeader", failedParameter: "",
      header: "access-control-allow-origin", received: null, expected: APP, firefox: "CORSMissingAllowOrigin2" });
  });
  test("* with credentials is WildcardOriginNotAllowed even with ACAC true", () => {
    const d = diagnose(ex({ response: okResponse({ "access-control-allow-origin": "*" }) }));
    expect(d).toMatchObject({ code: "WildcardOriginNotAllowed", received: "*", firefox: "CORSNotSupportingCredentials" });
  });
  test("* without credentials passes", () => {
    const d = diagnose(ex({ credentials: "omit", response: { status: 200, headers: { "access-control-allow-origin": "*" } } }));
    expect(d.blocked).toBe(false);
  });
  test("credentials same-origin behaves as omit across origins", () => {
    const d = diagnose(ex({ credentials: "same-origin", response: { status: 200, headers: { "access-control-allow-origin": "*" } } }));
    expect(d.blocked).toBe(false);
  });
  test("two ACAO lines are joined with ', ' and count as multiple values", () => {
    const d = diagnose(ex({ response: okResponse({ "access-control-allow-origin": [APP, APP] }) }));
    expect(d).toMatchObject({ code: "MultipleAllowOriginValues", failedParameter: `${APP}, ${APP}` });
  });
  test("a space inside ACAO counts as multiple values", () => {
    expect(diagnose(ex({ response: okResponse({ "access-control-allow-origin": "https://a.example https://b.example" }) })).code)
      .toBe("MultipleAllowOriginValues");
  });
  test("surrounding whitespace is trimmed like the HTTP parser does", () => {
    expect(diagnose(ex({ response: okResponse({ "access-control-allow-origin": `  ${APP}\t` }) })).blocked).toBe(false);
  });
  test("a value that is not a URL is InvalidAllowOriginValue", () => {
    expect(diagnose(ex({ response: okResponse({ "access-control-allow-origin": "app.example" }) })))
      .toMatchObject({ code: "InvalidAllowOriginValue", failedParameter: "app.example" });
  });
  test("a trailing slash is an AllowOriginMismatch (exact string compare)", () => {
    expect(diagnose(ex({ response: okResponse({ "access-control-allow-origin": APP + "/" }) })))
      .toMatchObject({ code: "AllowOriginMismatch", failedParameter: APP + "/", expected: APP });
  });
  test("case differences are a mismatch", () => {
    expect(diagnose(ex({ response: okResponse({ "access-control-allow-origin": "https://App.example" }) })).code)
      .toBe("AllowOriginMismatch");
  });
  test("null matches only an opaque origin", () => {
    expect(diagnose(ex({ response: okResponse({ "access-control-allow-origin": "null" }) })).code).toBe("AllowOriginMismatch");
    expect(diagnose(ex({ origin: "null", preflight: okPreflight({ "access-control-allow-origin": "null" }),
      response: okResponse({ "access-control-allow-origin": "null" }) })).blocked).toBe(false);
  });
  test.each([["TRUE"], ["True"], ["\"true\""], ["1"]])("ACAC %s is InvalidAllowCredentials", (v) => {
    expect(diagnose(ex({ response: okResponse({ "access-control-allow-credentials": v }) })))
      .toMatchObject({ code: "InvalidAllowCredentials", failedParameter: v, received: v, expected: "true" });
  });
  test("missing ACAC with credentials: empty failedParameter, received null", () => {
    const d = diagnose(ex({ response: { status: 200, headers: without(okResponse().headers, "access-control-allow-credentials") } }));
    expect(d).toMatchObject({ code: "InvalidAllowCredentials", failedParameter: "", received: null,
      header: "access-control-allow-credentials", firefox: "CORSMissingAllowCredentials" });
  });
  test("ACAC is not required without credentials", () => {
    const d = diagnose(ex({ credentials: "omit", response: { status: 200, headers: { "access-control-allow-origin": APP, vary: "origin" } } }));
    expect(d.blocked).toBe(false);
  });
});

describe("the preflight", () => {
  test("access check comes before the status check: a 404 without ACAO is PreflightMissingAllowOriginHeader", () => {
    const d = diagnose(ex({ preflight: { status: 404, headers: {} } }));
    expect(d).toMatchObject({ stage: "preflight", code: "PreflightMissingAllowOriginHeader" });
  });
  test("a 401 preflight with * and credentials is PreflightWildcardOriginNotAllowed", () => {
    expect(diagnose(ex({ preflight: okPreflight({ "access-control-allow-origin": "*" }, 401) })).code)
      .toBe("PreflightWildcardOriginNotAllowed");
  });
  test("a non-2xx preflight with good headers is PreflightInvalidStatus", () => {
    expect(diagnose(ex({ preflight: okPreflight({}, 401) }))).toMatchObject({ code: "PreflightInvalidStatus", received: "401",
      firefox: "CORSPreflightDidNotSucceed3" });
  });
  test("a redirected preflight is PreflightDisallowedRedirect", () => {
    expect(diagnose(ex({ preflight: { status: 302, headers: { location: "https://api.example/y" } } })))
      .toMatchObject({ code: "PreflightDisallowedRedirect", header: "location", received: "https://api.example/y" });
  });
  test("preflight missing ACAC", () => {
    expect(diagnose(ex({ preflight: { status: 204, headers: without(okPreflight().headers, "access-control-allow-credentials") } })))
      .toMatchObject({ code: "PreflightInvalidAllowCredentials", stage: "preflight", failedParameter: "" });
  });
  test("method not listed", () => {
    expect(diagnose(ex({ preflight: okPreflight({ "access-control-allow-methods": "GET, POST" }) })))
      .toMatchObject({ code: "MethodDisallowedByPreflightResponse", failedParameter: "PUT", expected: "PUT", firefox: "CORSMethodNotFound" });
  });
  test("methods are normalized then matched case-sensitively: patch is not PATCH", () => {
    expect(diagnose(ex({ method: "patch", preflight: okPreflight({ "access-control-allow-methods": "PATCH" }) })))
      .toMatchObject({ code: "MethodDisallowedByPreflightResponse", failedParameter: "patch" });
    expect(diagnose(ex({ method: "put", preflight: okPreflight({ "access-control-allow-methods": "PUT" }) })).blocked).toBe(false);
  });
  test("* in ACAM counts only without credentials", () => {
    const pre = okPreflight({ "access-control-allow-methods": "*" });
    expect(diagnose(ex({ preflight: pre })).code).toBe("MethodDisallowedByPreflightResponse");
    expect(diagnose(ex({ credentials: "omit", preflight: pre, response: okResponse() })).blocked).toBe(false);
  });
  test("an ACAM value that is not a token list is invalid", () => {
    expect(diagnose(ex({ preflight: okPreflight({ "access-control-allow-methods": "PUT DELETE" }) })))
      .toMatchObject({ code: "InvalidAllowMethodsPreflightResponse", failedParameter: "" });
  });
  test("an ACAH value that is not a token list is invalid", () => {
    expect(diagnose(ex({ preflight: okPreflight({ "access-control-allow-headers": "x-token; x-b" }) })).code)
      .toBe("InvalidAllowHeadersPreflightResponse");
  });
  test("header not listed; names match case-insensitively", () => {
    expect(diagnose(ex({ preflight: okPreflight({ "access-control-allow-headers": "x-other" }) })))
      .toMatchObject({ code: "HeaderDisallowedByPreflightResponse", failedParameter: "x-token", expected: "x-token" });
    expect(diagnose(ex({ preflight: okPreflight({ "access-control-allow-headers": "X-Token" }) })).blocked).toBe(false);
  });
  test("the first disallowed header in sorted order is reported", () => {
    const d = diagnose(ex({ headers: { "x-zeta": "1", "x-alpha": "1" }, preflight: okPreflight({ "access-control-allow-headers": "x-zeta" }) }));
    expect(d.failedParameter).toBe("x-alpha");
  });
  test("* in ACAH counts only without credentials", () => {
    const pre = okPreflight({ "access-control-allow-headers": "*" });
    expect(diagnose(ex({ preflight: pre })).code).toBe("HeaderDisallowedByPreflightResponse");
    expect(diagnose(ex({ credentials: "omit", preflight: pre })).blocked).toBe(false);
  });
  test("Chromium lets * cover Authorization, with a warning", () => {
    const d = diagnose(ex({ credentials: "omit", headers: { authorization: "Bearer x" }, preflight: okPreflight({ "access-control-allow-headers": "*" }) }));
    expect(d.blocked).toBe(false);
    expect(d.warnings.map((w) => w.code)).toContain("AuthorizationCoveredByWildcard");
  });
  test("safelisted headers need no permission; a JSON content-type does", () => {
    expect(diagnose(ex({ method: "POST", headers: { "content-type": "text/plain;charset=UTF-8" }, preflight: null })).blocked).toBe(false);
    expect(diagnose(ex({ method: "POST", headers: { "content-type": "application/json" },
      preflight: okPreflight({ "access-control-allow-headers": "x-token" }) })).failedParameter).toBe("content-type");
  });
  test("forbidden headers set by script are ignored", () => {
    expect(diagnose(ex({ method: "GET", headers: { cookie: "a=1", "sec-foo": "1" }, preflight: null })).blocked).toBe(false);
  });
  test("Max-Age above Chromium's cap warns", () => {
    expect(diagnose(ex({ preflight: okPreflight({ "access-control-max-age": "86400" }) })).warnings.map((w) => w.code)).toContain("MaxAgeAboveCap");
  });
  test("a needed preflight that was not recorded but a response was: presumed cached", () => {
    const d = diagnose(ex({ preflight: null }));
    expect(d.blocked).toBe(false);
    expect(d.warnings.map((w) => w.code)).toContain("PreflightNotCaptured");
  });
});

describe("redirects", () => {
  const redirect = (location: string, status = 302, h: Headers = {}) =>
    ({ status, headers: { location, "access-control-allow-origin": APP, "access-control-allow-credentials": "true", ...h } });
  test("a redirect response must pass the CORS check itself", () => {
    const d = diagnose(ex({ method: "GET", headers: {}, hops: [
      { url: API, preflight: null, response: { status: 302, headers: { location: "https://api.example/y" } } },
      { url: "https://api.example/y", preflight: null, response: okResponse() },
    ] }));
    expect(d).toMatchObject({ stage: "redirect", hop: 0, code: "MissingAllowOriginHeader" });
  });
  test("after a cross-origin hop the origin is null, so ACAO must be null", () => {
    const hops = [
      { url: API, preflight: null, response: redirect("https://other.example/y") },
      { url: "https://other.example/y", preflight: null, response: okResponse() },
    ];
    expect(diagnose(ex({ method: "GET", headers: {}, hops }))).toMatchObject({ stage: "actual", hop: 1, code: "AllowOriginMismatch", expected: "null" });
    const good = [hops[0]!, { ...hops[1]!, response: okResponse({ "access-control-allow-origin": "null" }) }];
    expect(diagnose(ex({ method: "GET", headers: {}, hops: good })).blocked).toBe(false);
  });
  test("a same-origin redirect keeps the origin", () => {
    const hops = [
      { url: API, preflight: null, response: redirect("/y") },
      { url: "https://api.example/y", preflight: null, response: okResponse() },
    ];
    expect(diagnose(ex({ method: "GET", headers: {}, hops })).blocked).toBe(false);
  });
  test("a new preflight is checked at the next hop", () => {
    const hops = [
      { url: API, preflight: okPreflight(), response: redirect("https://api.example/y", 307) },
      { url: "https://api.example/y", preflight: { status: 204, headers: { "access-control-allow-origin": APP } }, response: null },
    ];
    expect(diagnose(ex({ hops }))).toMatchObject({ stage: "preflight", hop: 1, code: "PreflightInvalidAllowCredentials" });
  });
  test("303 turns a POST into a GET and drops its content-type, so no preflight is needed at the next hop", () => {
    const hops = [
      { url: API, preflight: okPreflight({ "access-control-allow-methods": "POST", "access-control-allow-headers": "content-type" }),
        response: redirect("https://api.example/y", 303) },
      { url: "https://api.example/y", preflight: null, response: okResponse() },
    ];
    const d = diagnose(ex({ method: "POST", headers: { "content-type": "application/json" }, hops }));
    expect(d.blocked).toBe(false);
    expect(d.warnings.map((w) => w.code)).not.toContain("PreflightNotCaptured");
  });
  test("a Location with user:pass@ is RedirectContainsCredentials, with the password masked", () => {
    const hops = [
      { url: API, preflight: null, response: redirect("https://u:secret@api.example/y") },
      { url: "https://api.example/y", preflight: null, response: okResponse() },
    ];
    const d = diagnose(ex({ method: "GET", headers: {}, hops }));
    expect(d).toMatchObject({ stage: "redirect", code: "RedirectContainsCredentials" });
    expect(d.received).not.toContain("secret");
  });
});

describe("mode and scheme refusals", () => {
  test("mode same-origin to another origin is DisallowedByMode at the request stage", () => {
    expect(diagnose(ex({ mode: "same-origin" }))).toMatchObject({ blocked: true, stage: "request", hop: 0, code: "DisallowedByMode" });
  });
  test("a non-http scheme is CorsDisabledScheme", () => {
    expect(diagnose(ex({ url: "ftp://api.example/x", method: "GET", headers: {} })))
      .toMatchObject({ stage: "request", code: "CorsDisabledScheme", received: "ftp", firefox: "CORSRequestNotHttp" });
  });
  test("a redirect to a non-http scheme is CorsDisabledScheme at the redirect stage", () => {
    const d = diagnose(ex({ method: "GET", headers: {}, hops: [{ url: API, preflight: null,
      response: okResponse({ location: "ftp://api.example/file" }, 302) }] }));
    expect(d).toMatchObject({ blocked: true, stage: "redirect", hop: 0, code: "CorsDisabledScheme", header: "location" });
  });
  test("a redirect to data: or file: is net::ERR_UNSAFE_REDIRECT, not CORS", () => {
    const d = diagnose(ex({ method: "GET", headers: {}, hops: [{ url: API, preflight: null,
      response: okResponse({ location: "data:text/plain,hi" }, 302) }] }));
    expect(d).toMatchObject({ blocked: false, code: null, networkError: "net::ERR_UNSAFE_REDIRECT" });
  });
  test("no-cors is never blocked, but opaque", () => {
    const d = diagnose(ex({ mode: "no-cors", method: "GET", headers: {}, response: { status: 200, headers: {} } }));
    expect(d.blocked).toBe(false);
    expect(d.warnings.map((w) => w.code)).toEqual(["OpaqueResponse"]);
  });
});

describe("warnings", () => {
  test("a specific ACAO without Vary: Origin", () => {
    expect(diagnose(ex({ response: okResponse({ vary: "accept-encoding" }) })).warnings.map((w) => w.code)).toEqual(["MissingVaryOrigin"]);
  });
  test("Expose-Headers * with credentials", () => {
    expect(diagnose(ex({ response: okResponse({ "access-control-expose-headers": "*" }) })).warnings.map((w) => w.code))
      .toEqual(["ExposeHeadersWildcardWithCredentials"]);
  });
  test("ACAH/ACAM * with credentials that still pass by name", () => {
    const d = diagnose(ex({ preflight: okPreflight({ "access-control-allow-methods": "*, PUT", "access-control-allow-headers": "*, x-token" }) }));
    expect(d.blocked).toBe(false);
    expect(d.warnings.map((w) => w.code).sort()).toEqual(["AllowHeadersWildcardWithCredentials", "AllowMethodsWildcardWithCredentials"]);
  });
});

describe("credentials mode unknown", () => {
  const wildcardWithAcac = { response: okResponse({ "access-control-allow-origin": "*" }), preflight: null, method: "GET", headers: {} };
  test("a browser-failed response that passes only without credentials means credentials were included", () => {
    const d = diagnose(ex({ ...wildcardWithAcac, credentials: "unknown", browserError: "net::ERR_FAILED" }));
    expect(d).toMatchObject({ blocked: true, code: "WildcardOriginNotAllowed", credentials: { mode: "include", inferred: true } });
  });
  test("a browser-accepted response that fails with credentials means they were not included", () => {
    const d = diagnose(ex({ ...wildcardWithAcac, credentials: "unknown", browserError: null }));
    expect(d).toMatchObject({ blocked: false, credentials: { mode: "same-origin", inferred: true } });
    expect(d.warnings.map((w) => w.code)).toContain("FailsWithCredentials");
  });
  test("a Cookie on the wire proves credentials", () => {
    const d = diagnose(ex({ ...wildcardWithAcac, credentials: "unknown", sentHeaders: { cookie: "sid=1" } }));
    expect(d).toMatchObject({ blocked: true, credentials: { mode: "include", inferred: true } });
  });
  test("no evidence: fetch's default, and a warning that credentials would break it", () => {
    const d = diagnose(ex({ ...wildcardWithAcac, credentials: "unknown" }));
    expect(d).toMatchObject({ blocked: false, credentials: { mode: "same-origin", inferred: true } });
    expect(d.warnings.map((w) => w.code)).toContain("FailsWithCredentials");
  });
});

describe("browser errors that are not CORS", () => {
  test("a network error is reported as what it is", () => {
    const d = diagnose(ex({ preflight: null, response: null, browserError: "net::ERR_CONNECTION_REFUSED" }));
    expect(d).toMatchObject({ blocked: false, code: null, networkError: "net::ERR_CONNECTION_REFUSED" });
  });
  test("a request the browser ended in another error than its CORS one failed for that, whatever a late preflight said", () => {
    // A live CI run: the page's timeout aborted a PUT, whose preflight then came back 404.
    const failing = { status: 404, headers: { "content-type": "text/plain" } };
    expect(diagnose(ex({ preflight: failing, response: null, browserError: "net::ERR_FAILED" })))
      .toMatchObject({ blocked: true, stage: "preflight", code: "PreflightMissingAllowOriginHeader" });
    const d = diagnose(ex({ preflight: failing, response: null, browserError: "net::ERR_ABORTED" }));
    expect(d).toMatchObject({ blocked: false, code: null, networkError: "net::ERR_ABORTED" });
    expect(d.message).toBe("The request failed with net::ERR_ABORTED, a network error, not a CORS block.");
    // Firefox's cancellation, the same way; its CORS error (a failed preflight) stays a block.
    expect(diagnose(ex({ preflight: failing, response: null, browserError: "NS_BINDING_ABORTED" })).blocked).toBe(false);
    expect(diagnose(ex({ preflight: failing, response: null, browserError: "NS_ERROR_DOM_BAD_URI" })).blocked).toBe(true);
    // Not knowing the browser's end (null: completed, or a file without it) changes nothing.
    expect(diagnose(ex({ preflight: failing, response: null })).blocked).toBe(true);
  });
  test("Blink's refusal of mode same-origin across origins stays DisallowedByMode with net::ERR_ABORTED", () => {
    const d = diagnose(ex({ mode: "same-origin", preflight: null, browserError: "net::ERR_ABORTED" }));
    expect(d).toMatchObject({ blocked: true, code: "DisallowedByMode" });
  });
  test("ERR_FAILED with nothing recorded is blocked with no code, and says why", () => {
    const d = diagnose(ex({ preflight: null, response: null, browserError: "net::ERR_FAILED" }));
    expect(d).toMatchObject({ blocked: true, code: null });
    expect(d.message).toMatch(/no preflight response was captured/);
  });
});

describe("the reader and the classifier together", () => {
  test("the top-level shorthand reads as one hop, and ids are echoed", () => {
    const r = readExchange({ id: "abc", request: { url: API, method: "GET", origin: APP, credentials: "include" },
      response: { status: 200, headers: { "Access-Control-Allow-Origin": "*" } } });
    expect(r.ok).toBe(true);
    if (r.ok) expect(diagnose(r.value)).toMatchObject({ id: "abc", code: "WildcardOriginNotAllowed" });
  });
  test.each([
    [null, /JSON object/], [{ request: {} }, /request.url/], [{ request: { url: "nope", origin: APP } }, /absolute URL/],
    [{ request: { url: API, origin: APP, credentials: "yes" } }, /credentials/],
    [{ request: { url: API, origin: APP }, hops: [] }, /non-empty/],
    [{ request: { url: API, origin: APP }, response: { status: "x" } }, /status/],
    [{ request: { url: API, origin: APP }, response: { status: 200, headers: { a: {} } } }, /header "a"/],
  ])("bad input %j gives a clear error", (input, re) => {
    const r = readExchange(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(re);
  });
});

describe("several request headers not allowed", () => {
  // Chromium names one of them in an order the exchange does not show (measured: neither the
  // script's order nor sorted, docs/differences.md); the diagnosis lists them all.
  test("all of them, sorted, with failedParameter the first", () => {
    const d = diagnose(ex({ headers: { "x-zeta": "1", "x-token": "1", "x-alpha": "1" } }));
    expect(d).toMatchObject({ blocked: true, code: "HeaderDisallowedByPreflightResponse", failedParameter: "x-alpha",
      disallowedHeaders: ["x-alpha", "x-zeta"], expected: "x-alpha, x-zeta" });
    expect(d.message).toContain("the request headers x-alpha and x-zeta");
    expect(d.message).toContain("Chrome names only one of them");
  });

  test("one header: no list", () => {
    const d = diagnose(ex({ headers: { "x-zeta": "1", "x-token": "1" } }));
    expect(d.failedParameter).toBe("x-zeta");
    expect(d.disallowedHeaders).toBeUndefined();
    expect(d.message).toContain("the request header x-zeta");
  });
});

describe("a block the recorded headers do not explain", () => {
  test("Authorization under Access-Control-Allow-Headers: *: the stricter rule is named", () => {
    const d = diagnose(ex({ credentials: "omit", headers: { authorization: "Bearer x" }, browserError: "net::ERR_FAILED",
      preflight: okPreflight({ "access-control-allow-headers": "*" }) }));
    expect(d.blocked).toBe(true);
    expect(d.code).toBeNull();
    expect(d.message).toContain("does not cover Authorization under the Fetch standard");
    expect(d.message).toContain("CorsNonWildcardRequestHeadersSupport");
  });

  test("nothing stricter applies: the cause is outside what was recorded", () => {
    const d = diagnose(ex({ browserError: "net::ERR_FAILED" }));
    expect(d.message).toContain("the cause is outside what was recorded");
    expect(d.message).not.toContain("stricter rule");
  });

  test("a passing preflight with no actual response is not 'no response was captured'", () => {
    const d = diagnose(ex({ headers: {}, method: "POST", response: null, browserError: "net::ERR_FAILED" }));
    expect(d.message).toContain("the preflight response (status 204) passes");
  });
});

describe("a CORS error that hides a server error (serverError)", () => {
  const bare = (status: number, h: Headers = {}) => ({ status, headers: { "content-type": "text/html", ...h } });
  /** The verdict fields the oracle compares with Chromium, plus the rest that must not move. */
  const verdict = (d: ReturnType<typeof diagnose>) =>
    ({ blocked: d.blocked, stage: d.stage, hop: d.hop, code: d.code, failedParameter: d.failedParameter, header: d.header,
      received: d.received, expected: d.expected, firefox: d.firefox, warnings: d.warnings });

  test("a 500 actual response without CORS headers: set, and the message says it first", () => {
    const d = diagnose(ex({ response: bare(500) }));
    expect(d.serverError).toEqual({ stage: "actual", hop: 0, status: 500 });
    expect(d.message).toMatch(/^The server answered 500 Internal Server Error without CORS headers: the CORS error hides a server error\. Fix the error, and send the CORS headers on error responses too\. /);
    // Chromium's verdict follows, unchanged.
    expect(d.message).toContain("The response has no Access-Control-Allow-Origin header, so the page at https://app.example may not read it.");
    expect(d.message).not.toMatch(/[\n\r]/);
  });
  test("the verdict stays Chromium's: the same as for a 200 without ACAO", () => {
    expect(verdict(diagnose(ex({ response: bare(500) })))).toEqual(verdict(diagnose(ex({ response: bare(200) }))));
    expect(verdict(diagnose(ex({ response: bare(500) })))).toMatchObject({ stage: "actual", code: "MissingAllowOriginHeader", failedParameter: "" });
  });
  test("a 401 preflight without CORS headers: OPTIONS must not require authentication", () => {
    const d = diagnose(ex({ preflight: bare(401, { "www-authenticate": "Bearer" }), response: null }));
    expect(d).toMatchObject({ stage: "preflight", hop: 0, code: "PreflightMissingAllowOriginHeader", serverError: { stage: "preflight", hop: 0, status: 401 } });
    expect(d.message).toMatch(/^The server answered the preflight \(OPTIONS\) with 401 Unauthorized and no CORS headers: the CORS error hides an authentication error\. Browsers never send credentials on a preflight, so OPTIONS must not require authentication/);
    expect(d.message).toContain("The preflight response has no Access-Control-Allow-Origin header");
  });
  test("a 403 preflight: the same authentication advice", () => {
    expect(diagnose(ex({ preflight: bare(403), response: null })).message).toMatch(/^The server answered the preflight \(OPTIONS\) with 403 Forbidden .* OPTIONS must not require authentication/);
  });
  test("a 404 or 405 preflight: nothing answers OPTIONS there", () => {
    for (const [status, text] of [[404, "Not Found"], [405, "Method Not Allowed"]] as const) {
      const d = diagnose(ex({ preflight: bare(status), response: null }));
      expect(d.serverError).toEqual({ stage: "preflight", hop: 0, status });
      expect(d.message).toMatch(new RegExp(`^The server answered the preflight \\(OPTIONS\\) with ${status} ${text} and no CORS headers: .*nothing answers OPTIONS at this URL`));
    }
  });
  test("a 401 actual response: an authentication error", () => {
    expect(diagnose(ex({ response: bare(401) })).message).toMatch(/^The server answered 401 Unauthorized without CORS headers: the CORS error hides an authentication error\./);
  });
  test("a 404 at the second hop, after a redirect: stage actual, hop 1", () => {
    const d = diagnose(ex({ method: "GET", headers: {}, hops: [
      { url: API, preflight: null, response: { status: 302, headers: { location: "https://api.example/y", "access-control-allow-origin": APP, "access-control-allow-credentials": "true" } } },
      { url: "https://api.example/y", preflight: null, response: bare(404) },
    ] }));
    expect(d).toMatchObject({ stage: "actual", hop: 1, code: "MissingAllowOriginHeader", serverError: { stage: "actual", hop: 1, status: 404 } });
    expect(d.message).toMatch(/^The server answered 404 Not Found without CORS headers/);
    expect(d.message).toContain("(hop 2 of 2)");
  });
  test("a status without a common reason phrase is named by number", () => {
    expect(diagnose(ex({ response: bare(599) })).message).toMatch(/^The server answered 599 without CORS headers/);
  });
  test("headers that are not CORS headers (Vary, WWW-Authenticate) don't count", () => {
    expect(diagnose(ex({ response: bare(502, { vary: "Origin", "www-authenticate": "Basic" }) })).serverError).toEqual({ stage: "actual", hop: 0, status: 502 });
  });

  test("not set when the error response carried CORS headers: then the CORS config is the problem", () => {
    const wrong = diagnose(ex({ response: okResponse({ "access-control-allow-origin": "https://other.example" }, 500) }));
    expect(wrong).toMatchObject({ code: "AllowOriginMismatch" });
    expect(wrong.serverError).toBeUndefined();
    expect(wrong.message).toMatch(/^The response allows the origin/);
    const partial = diagnose(ex({ response: bare(500, { "access-control-allow-credentials": "true" }) }));
    expect(partial).toMatchObject({ code: "MissingAllowOriginHeader" });
    expect(partial.serverError).toBeUndefined();
    const preflight = diagnose(ex({ preflight: okPreflight({}, 401), response: null }));
    expect(preflight).toMatchObject({ code: "PreflightInvalidStatus" });
    expect(preflight.serverError).toBeUndefined();
  });
  test("not set for a 500 with good CORS headers (delivered to the page)", () => {
    const d = diagnose(ex({ response: okResponse({}, 500) }));
    expect(d.blocked).toBe(false);
    expect(d.serverError).toBeUndefined();
  });
  test("not set for a 200 without ACAO: the message is Chromium's alone", () => {
    const d = diagnose(ex({ response: bare(200) }));
    expect(d.serverError).toBeUndefined();
    expect(d.message).toMatch(/^The response has no Access-Control-Allow-Origin header/);
  });
  test("not set for a redirect without ACAO (a 3xx is no error status)", () => {
    const d = diagnose(ex({ method: "GET", headers: {}, hops: [
      { url: API, preflight: null, response: { status: 302, headers: { location: "https://api.example/y" } } },
      { url: "https://api.example/y", preflight: null, response: okResponse() },
    ] }));
    expect(d).toMatchObject({ stage: "redirect", code: "MissingAllowOriginHeader" });
    expect(d.serverError).toBeUndefined();
  });
  test("not set for network errors, incomplete records or passing exchanges", () => {
    const refused = diagnose(ex({ preflight: null, response: null, browserError: "net::ERR_CONNECTION_REFUSED" }));
    expect(refused.networkError).toBe("net::ERR_CONNECTION_REFUSED");
    expect(refused.serverError).toBeUndefined();
    expect(diagnose(ex({ preflight: null, response: null, browserError: "net::ERR_FAILED" })).serverError).toBeUndefined();
    expect(diagnose(ex()).serverError).toBeUndefined();
    expect(diagnose(ex({ mode: "no-cors", method: "GET", headers: {}, preflight: null, response: bare(500) })).serverError).toBeUndefined();
  });
  test("with credentials unknown, it follows the inferred mode's failure", () => {
    const d = diagnose(ex({ credentials: "unknown", method: "GET", headers: {}, preflight: null, response: bare(500) }));
    expect(d).toMatchObject({ code: "MissingAllowOriginHeader", serverError: { stage: "actual", hop: 0, status: 500 } });
  });
  test("the field is omitted, not null, when not set (JSON stays as documented)", () => {
    expect(Object.keys(diagnose(ex({ response: bare(200) })))).not.toContain("serverError");
    expect(Object.keys(diagnose(ex({ response: bare(500) }))).at(-1)).toBe("serverError");
  });
});
