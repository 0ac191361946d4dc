// The engine models (src/core/engines.ts): one test per rule and branch, per engine. The rules were
// read in each engine's source and checked against the real engines (test/e2e/engines.test.ts).
import { diagnose } from "../../src/core/diagnose";
import {
  disagreements, effectiveMaxAge, engineLine, engineVerdicts, maxAgeCap, type EngineVerdicts,
} from "../../src/core/engines";
import type { Diagnosis, Exchange, Headers, Hop, ResponseRecord } from "../../src/core/types";
// ex(): a credentialed PUT with x-token from APP to API (https://api.example/x), preflight and response passing.
import { API, APP, exchange as ex, okPreflight, okResponse, without } from "../fixtures/exchange";

const OTHER = "https://other.example/y";

/** A simple GET (no preflight) answered by `response`. */
function get(response: ResponseRecord, credentials: Exchange["request"]["credentials"] = "include", origin = APP): Exchange {
  return ex({ method: "GET", headers: {}, credentials, origin, preflight: null, response });
}
/** A PUT whose preflight answers `preflight` (the actual response passes). */
function put(preflight: ResponseRecord, over: Parameters<typeof ex>[0] = {}): Exchange {
  return ex({ preflight, ...over });
}
const ff = (e: Exchange) => engineVerdicts(e).firefox;
const sf = (e: Exchange) => engineVerdicts(e).safari;
const chrome = (e: Exchange) => engineVerdicts(e).chrome;
const notBlocked = { blocked: false, reason: null, status: null, value: null };

describe("engineVerdicts: the shape, and Chrome's verdict", () => {
  test("a passing exchange passes in every engine, in the contract's exact shape", () => {
    expect(engineVerdicts(ex())).toEqual({
      chrome: { blocked: false, code: null },
      firefox: { blocked: false, reason: null, status: null, value: null },
      safari: { blocked: false, message: null },
    });
  });
  test("Chrome's verdict is diagnose()'s blocked and code", () => {
    const e = get({ status: 200, headers: {} });
    expect(chrome(e)).toEqual({ blocked: true, code: diagnose(e).code });
    expect(chrome(e).code).toBe("MissingAllowOriginHeader");
  });
  test("a Diagnosis the caller already has is used as Chrome's verdict", () => {
    const d: Diagnosis = { ...diagnose(ex()), blocked: true, code: "PreflightMissingAllowPrivateNetwork" };
    expect(engineVerdicts(ex(), d).chrome).toEqual({ blocked: true, code: "PreflightMissingAllowPrivateNetwork" });
  });
  test("the verdicts come from the exchange alone: browserError changes nothing for Firefox and Safari", () => {
    const e = put(okPreflight({}, 401));
    const plain = engineVerdicts(e);
    expect(engineVerdicts({ ...e, browserError: "net::ERR_FAILED" }).firefox).toEqual(plain.firefox);
    expect(engineVerdicts({ ...e, browserError: null }).safari).toEqual(plain.safari);
  });
  test("credentials \"unknown\": the mode diagnose() infers (a Cookie sent → include)", () => {
    const e = get(okResponse({ "access-control-allow-origin": "*" }), "unknown");
    expect(ff(e).blocked).toBe(false);
    const withCookie = { ...e, request: { ...e.request, sentHeaders: { cookie: "a=1" } } };
    expect(ff(withCookie)).toMatchObject({ blocked: true, reason: "CORSNotSupportingCredentials" });
    expect(sf(withCookie).message).toBe("Cannot use wildcard in Access-Control-Allow-Origin when credentials flag is true.");
  });
  test("a record that stops before an answer is not blocked (nothing to judge)", () => {
    expect(engineVerdicts(ex({ preflight: null, response: null }))).toMatchObject({ firefox: notBlocked, safari: { blocked: false } });
    expect(ff(ex({ response: null }))).toEqual(notBlocked);
  });
  test("same-origin requests are never checked", () => {
    const e = ex({ url: APP + "/x", preflight: null, response: { status: 200, headers: {} } });
    expect(engineVerdicts(e)).toMatchObject({ firefox: notBlocked, safari: { blocked: false, message: null } });
  });
  test("mode no-cors is never blocked", () => {
    const e = ex({ mode: "no-cors", method: "GET", headers: {}, preflight: null, response: { status: 200, headers: {} } });
    expect(engineVerdicts(e)).toMatchObject({ firefox: notBlocked, safari: { blocked: false } });
  });
});

describe("Gecko (Firefox): nsCORSListenerProxy::CheckRequestApproved", () => {
  test("no ACAO: CORSMissingAllowOrigin with the response's status", () => {
    expect(ff(get({ status: 503, headers: {} }))).toEqual({ blocked: true, reason: "CORSMissingAllowOrigin", status: 503, value: null });
  });
  test("* with credentials: CORSNotSupportingCredentials", () => {
    expect(ff(get(okResponse({ "access-control-allow-origin": "*" })))).toMatchObject({ reason: "CORSNotSupportingCredentials", status: null });
  });
  test("* without credentials passes, and ACAC is not read", () => {
    expect(ff(get({ status: 200, headers: { "access-control-allow-origin": "*" } }, "omit"))).toEqual(notBlocked);
  });
  test("an exact string compare, no URL parsing: garbage, \"null\" and a list all quote the value", () => {
    for (const v of ["**", "null", `"${APP}"`, `${APP}, ${OTHER}`, `${APP} ${OTHER}`]) {
      expect(ff(get(okResponse({ "access-control-allow-origin": v })))).toEqual(
        { blocked: true, reason: "CORSAllowOriginNotMatchingOrigin", status: null, value: v });
    }
  });
  test("a lone empty ACAO is an empty value, not a missing header", () => {
    expect(ff(get(okResponse({ "access-control-allow-origin": "" })))).toMatchObject({ reason: "CORSAllowOriginNotMatchingOrigin", value: "" });
  });
  test("several ACAO lines (as an HTTP/1.1 server spells them): CORSMultipleAllowOriginNotAllowed, even an empty second line", () => {
    expect(ff(get(okResponse({ "access-control-allow-origin": [APP, APP] })))).toMatchObject({ reason: "CORSMultipleAllowOriginNotAllowed" });
    expect(ff(get(okResponse({ "access-control-allow-origin": [APP, ""] })))).toMatchObject({ reason: "CORSMultipleAllowOriginNotAllowed" });
  });
  test("a record that kept the names' case: only lines spelled Access-Control-Allow-Origin count as several", () => {
    const headers: Headers = { "Access-Control-Allow-Origin": APP, "access-control-allow-origin": APP, "Access-Control-Allow-Credentials": "true" };
    expect(ff(get({ status: 200, headers }))).toEqual({ blocked: true, reason: "CORSAllowOriginNotMatchingOrigin", status: null, value: `${APP}, ${APP}` });
    expect(sf(get({ status: 200, headers })).message).toBe("Access-Control-Allow-Origin cannot contain more than one origin.");
  });
  test("merged lines skip empty ones: ACAC [\"\", \"true\"] reads \"true\" (Chromium and WebKit read \", true\")", () => {
    const e = get(okResponse({ "access-control-allow-credentials": ["", "true"] }));
    expect(ff(e)).toEqual(notBlocked);
    expect(chrome(e).code).toBe("InvalidAllowCredentials");
    expect(sf(e).blocked).toBe(true);
  });
  test("ACAC must be exactly \"true\" with credentials: CORSMissingAllowCredentials", () => {
    for (const v of ["TRUE", "1", "true, true"]) {
      expect(ff(get(okResponse({ "access-control-allow-credentials": v })))).toMatchObject({ reason: "CORSMissingAllowCredentials" });
    }
    expect(ff(get({ status: 200, headers: without(okResponse().headers, "access-control-allow-credentials") }))).toMatchObject({ reason: "CORSMissingAllowCredentials" });
  });
  test("the actual response's status is never checked", () => {
    expect(ff(ex({ response: okResponse({}, 500) }))).toEqual(notBlocked);
  });
  test("an opaque origin compares as \"null\"", () => {
    expect(ff(get(okResponse({}, 200, "null"), "omit", "null"))).toEqual(notBlocked);
    expect(ff(get(okResponse({}, 200, APP), "omit", "null"))).toMatchObject({ reason: "CORSAllowOriginNotMatchingOrigin", value: APP });
  });
});

describe("Gecko (Firefox): the preflight", () => {
  test("ACAO/ACAC before the status, as in Chromium: a 401 without ACAO is CORSMissingAllowOrigin (401)", () => {
    const e = put({ status: 401, headers: {} });
    expect(ff(e)).toEqual({ blocked: true, reason: "CORSMissingAllowOrigin", status: 401, value: null });
    expect(chrome(e).code).toBe("PreflightMissingAllowOriginHeader");
  });
  test("then the status: CORSPreflightDidNotSucceed with it", () => {
    expect(ff(put(okPreflight({}, 403)))).toEqual({ blocked: true, reason: "CORSPreflightDidNotSucceed", status: 403, value: null });
  });
  test("a 3xx with a Location is checked as a redirect first: good CORS headers → CORSExternalRedirectNotAllowed", () => {
    const e = put(okPreflight({ location: OTHER }, 302));
    expect(ff(e)).toMatchObject({ reason: "CORSExternalRedirectNotAllowed" });
    expect(chrome(e).code).toBe("PreflightDisallowedRedirect");
  });
  test("a credentialed 3xx preflight without ACAC: CORSMissingAllowCredentials (Chromium: PreflightDisallowedRedirect)", () => {
    const e = put(okPreflight({ location: OTHER, "access-control-allow-credentials": "false" }, 307));
    expect(ff(e)).toMatchObject({ reason: "CORSMissingAllowCredentials" });
    expect(chrome(e).code).toBe("PreflightDisallowedRedirect");
  });
  test("a 3xx preflight without CORS headers: CORSMissingAllowOrigin with the 3xx status", () => {
    expect(ff(put({ status: 301, headers: { location: OTHER } }))).toMatchObject({ reason: "CORSMissingAllowOrigin", status: 301 });
  });
  test("a 3xx without a Location is only a bad status", () => {
    expect(ff(put(okPreflight({}, 302)))).toMatchObject({ reason: "CORSPreflightDidNotSucceed", status: 302 });
  });
  test("an ACAM item that is not a token: CORSInvalidAllowMethod quoting the item", () => {
    expect(ff(put(okPreflight({ "access-control-allow-methods": "GET, P(T, PUT" })))).toMatchObject({ reason: "CORSInvalidAllowMethod", value: "P(T" });
  });
  test("methods match case-sensitively: CORSMethodNotFound", () => {
    expect(ff(put(okPreflight({ "access-control-allow-methods": "put" })))).toMatchObject({ reason: "CORSMethodNotFound", value: null });
    expect(ff(put(okPreflight({ "access-control-allow-methods": "GET,  PUT ," })))).toEqual(notBlocked);
  });
  test("ACAM * counts only without credentials", () => {
    const pre = okPreflight({ "access-control-allow-methods": "*" });
    expect(ff(put(pre))).toMatchObject({ reason: "CORSMethodNotFound" });
    expect(ff(put(pre, { credentials: "omit" }))).toEqual(notBlocked);
  });
  test("ACAM is matched before ACAH is read: a disallowed method with a bad ACAH is CORSMethodNotFound (Chromium: the bad ACAH)", () => {
    const e = put(okPreflight({ "access-control-allow-methods": "GET", "access-control-allow-headers": "X(Custom" }));
    expect(ff(e)).toMatchObject({ reason: "CORSMethodNotFound" });
    expect(chrome(e).code).toBe("InvalidAllowHeadersPreflightResponse");
    expect(sf(e).message).toBe("Header Access-Control-Allow-Headers has an invalid value: X(Custom");
  });
  test("an ACAH item that is not a token: CORSInvalidAllowHeader quoting the item", () => {
    expect(ff(put(okPreflight({ "access-control-allow-headers": "x-token, x;y" })))).toMatchObject({ reason: "CORSInvalidAllowHeader", value: "x;y" });
  });
  test("a header not allowed: CORSMissingAllowHeaderFromPreflight naming the first one in sorted order", () => {
    const e = put(okPreflight({ "access-control-allow-headers": "x-mid" }), { headers: { "x-zeta": "1", "x-mid": "1", "x-alpha": "1" } });
    expect(ff(e)).toEqual({ blocked: true, reason: "CORSMissingAllowHeaderFromPreflight", status: null, value: "x-alpha" });
  });
  test("header names match case-insensitively", () => {
    expect(ff(put(okPreflight({ "access-control-allow-headers": "X-TOKEN" })))).toEqual(notBlocked);
  });
  test("ACAH * covers every header without credentials, Authorization too (with a deprecation warning)", () => {
    const pre = okPreflight({ "access-control-allow-headers": "*" });
    expect(ff(put(pre, { credentials: "omit", headers: { "x-token": "1", authorization: "Bearer x" } }))).toEqual(notBlocked);
  });
  test("with credentials ACAH * is a literal name that covers nothing", () => {
    expect(ff(put(okPreflight({ "access-control-allow-headers": "*" })))).toMatchObject({ reason: "CORSMissingAllowHeaderFromPreflight", value: "x-token" });
  });
  test("Private Network Access is Chromium's alone: Firefox never reads Access-Control-Allow-Private-Network", () => {
    expect(ff(put(okPreflight({ "access-control-allow-private-network": "false" })))).toEqual(notBlocked);
  });
});

describe("Gecko (Firefox): redirects", () => {
  const redirect = (location: string, h: Headers = {}, status = 302): ResponseRecord =>
    ({ status, headers: { ...okResponse().headers, location, ...h } });

  test("a redirect answering a CORS request passes the access check itself (CORSMissingAllowOrigin with its 3xx)", () => {
    const e = ex({ method: "GET", headers: {}, hops: [
      { url: API, preflight: null, response: { status: 302, headers: { location: OTHER } } },
      { url: OTHER, preflight: null, response: okResponse({}, 200, "null") }] });
    expect(ff(e)).toMatchObject({ reason: "CORSMissingAllowOrigin", status: 302 });
  });
  test("a Location with credentials: only the generic CORSDidNotSucceed, no status (Chromium: RedirectContainsCredentials)", () => {
    const e = ex({ method: "GET", headers: {}, hops: [{ url: API, preflight: null, response: redirect("https://u:p@api.example/z") }] });
    expect(ff(e)).toEqual({ blocked: true, reason: "CORSDidNotSucceed", status: null, value: null });
    expect(chrome(e).code).toBe("RedirectContainsCredentials");
  });
  test("a same-origin request redirected to another origin with credentials is a CORS load: CORSDidNotSucceed", () => {
    const e = ex({ method: "GET", headers: {}, hops: [{ url: APP + "/a", preflight: null, response: { status: 302, headers: { location: "https://u:p@api.example/z" } } }] });
    expect(ff(e)).toMatchObject({ reason: "CORSDidNotSucceed" });
  });
  test("credentials in a Location on the page's origin are no CORS matter", () => {
    const e = ex({ method: "GET", headers: {}, hops: [{ url: APP + "/a", preflight: null, response: { status: 302, headers: { location: "https://u:p@app.example/b" } } }] });
    expect(ff(e)).toEqual(notBlocked);
  });
  test("in mode no-cors and same-origin Firefox has no CORS check on a redirect (Chromium refuses the credentials, but not as CORS: blocked:origin)", () => {
    for (const mode of ["no-cors", "same-origin"] as const) {
      const e = ex({ mode, method: "GET", headers: {}, hops: [{ url: APP + "/a", preflight: null, response: { status: 302, headers: { location: "https://u:p@api.example/z" } } }] });
      expect(chrome(e)).toEqual({ blocked: false, code: null });
      if (mode === "no-cors") expect(diagnose(e)).toMatchObject({ blocked: false, code: null, networkError: "blocked:origin" });
      // Same-origin mode: the mode's refusal, where the next hop was recorded (live capture records it).
      else expect(diagnose({ ...e, hops: [...e.hops, { url: "https://u:p@api.example/z", preflight: null, response: null }] }).code).toBe("DisallowedByMode");
      // In cors mode it is CORS's own check.
      expect(chrome({ ...e, request: { ...e.request, mode: "cors" } }).code).toBe("RedirectContainsCredentials");
      expect(ff(e)).toEqual(notBlocked);
      if (mode === "no-cors") expect(sf(e).blocked).toBe(false);
      // WebKit names the URL it refuses without the Location's user:password@ (WebKitGTK 2.50).
      else expect(sf(e).message).toBe("Unsafe attempt to load URL https://api.example/z from origin https://app.example. Domains, protocols and ports must match.");
    }
  });
  test("a redirect to an unknown scheme (ftp:, foo:) is CORSRequestNotHttp", () => {
    for (const loc of ["ftp://api.example/f", "foo:bar"]) {
      expect(ff(ex({ method: "GET", headers: {}, hops: [{ url: API, preflight: null, response: redirect(loc) }] }))).toMatchObject({ reason: "CORSRequestNotHttp" });
    }
  });
  test("a redirect to a scheme Firefox refuses to load (data:, file:, ws:) is CORSDidNotSucceed (Chromium: not CORS for data:/file:)", () => {
    for (const loc of ["data:text/plain,hi", "file:///etc/hostname", "wss://api.example/s"]) {
      expect(ff(ex({ method: "GET", headers: {}, hops: [{ url: API, preflight: null, response: redirect(loc) }] }))).toMatchObject({ reason: "CORSDidNotSucceed" });
    }
  });
  test("after a cross-origin redirect the actual request's Origin is \"null\"", () => {
    const e = ex({ method: "GET", headers: {}, hops: [
      { url: API, preflight: null, response: redirect(OTHER) },
      { url: OTHER, preflight: null, response: okResponse() }] });
    expect(ff(e)).toMatchObject({ reason: "CORSAllowOriginNotMatchingOrigin", value: APP });
  });
  test("…but the second preflight keeps the page's Origin (Chromium and WebKit send \"null\")", () => {
    const hops = (preOrigin: string): Hop[] => [
      { url: API, preflight: okPreflight(), response: redirect(OTHER, {}, 307) },
      { url: OTHER, preflight: okPreflight({}, 204, preOrigin), response: okResponse({}, 200, "null") }];
    expect(ff(ex({ hops: hops("null") }))).toMatchObject({ reason: "CORSAllowOriginNotMatchingOrigin", value: "null" });
    expect(ff(ex({ hops: hops(APP) }))).toEqual(notBlocked);
    expect(chrome(ex({ hops: hops(APP) })).code).toBe("PreflightAllowOriginMismatch");
    expect(sf(ex({ hops: hops("null") })).blocked).toBe(false);
  });
  test("the preflight requirement sticks across redirects: a 303 PUT→GET is preflighted again (Chromium: not)", () => {
    const e = ex({ headers: {}, hops: [
      { url: API, preflight: okPreflight(), response: redirect(API + "/2", {}, 303) },
      { url: API + "/2", preflight: { status: 404, headers: {} }, response: okResponse() }] });
    expect(ff(e)).toMatchObject({ reason: "CORSMissingAllowOrigin", status: 404 });
    expect(sf(e).message).toBe("Preflight response is not successful. Status code: 404");
    expect(chrome(e).blocked).toBe(false);
  });
  test("a POST rewritten to GET drops the body's headers from the preflight's list, not the preflight", () => {
    const headers = { "content-type": "application/json" };
    const pre = okPreflight({ "access-control-allow-methods": "POST", "access-control-allow-headers": "content-type" });
    const e = ex({ method: "POST", headers, hops: [
      { url: API, preflight: pre, response: redirect(API + "/2", {}, 301) },
      { url: API + "/2", preflight: okPreflight({ "access-control-allow-headers": "" }), response: okResponse() }] });
    expect(ff(e)).toEqual(notBlocked);
  });
  test("mode same-origin to another origin is refused without a CORS message", () => {
    expect(ff(ex({ mode: "same-origin" }))).toEqual(notBlocked);
  });
});

describe("WebKit (Safari): passesAccessControlCheck", () => {
  test("no ACAO and a mismatch read the same: the origin message with the status", () => {
    for (const h of <Headers[]>[{}, { "access-control-allow-origin": "https://app.example/" }, { "access-control-allow-origin": "" }]) {
      expect(sf(get({ status: 404, headers: h }, "omit"))).toEqual({ blocked: true, message: `Origin ${APP} is not allowed by Access-Control-Allow-Origin. Status code: 404` });
    }
  });
  test("* with credentials: the wildcard message", () => {
    expect(sf(get(okResponse({ "access-control-allow-origin": "*" }))).message).toBe("Cannot use wildcard in Access-Control-Allow-Origin when credentials flag is true.");
  });
  test("a comma anywhere (a list, two lines, a line then an empty one): more than one origin", () => {
    for (const v of [`${APP}, ${OTHER}`, [APP, APP], [APP, ""], ["*", "*"]]) {
      expect(sf(get(okResponse({ "access-control-allow-origin": v }), "omit")).message).toBe("Access-Control-Allow-Origin cannot contain more than one origin.");
    }
  });
  test("a space-separated list has no comma: the origin message (Chromium: MultipleAllowOriginValues)", () => {
    const e = get(okResponse({ "access-control-allow-origin": `${APP} ${OTHER}` }));
    expect(sf(e).message).toBe(`Origin ${APP} is not allowed by Access-Control-Allow-Origin. Status code: 200`);
    expect(chrome(e).code).toBe("MultipleAllowOriginValues");
  });
  test("ACAC not exactly \"true\": the credentials message", () => {
    expect(sf(get(okResponse({ "access-control-allow-credentials": "True" }))).message)
      .toBe("Credentials flag is true, but Access-Control-Allow-Credentials is not \"true\".");
  });
  test("an opaque origin is \"null\" in the message", () => {
    expect(sf(get({ status: 200, headers: {} }, "omit", "null")).message).toBe("Origin null is not allowed by Access-Control-Allow-Origin. Status code: 200");
  });
});

describe("WebKit (Safari): the preflight", () => {
  test("the status before anything else: \"Preflight response is not successful\"", () => {
    const e = put({ status: 401, headers: {} });
    expect(sf(e)).toEqual({ blocked: true, message: "Preflight response is not successful. Status code: 401" });
    expect(ff(e).reason).toBe("CORSMissingAllowOrigin");
  });
  test("a preflight redirect reads the same, with its 3xx", () => {
    expect(sf(put(okPreflight({ location: OTHER }, 308))).message).toBe("Preflight response is not successful. Status code: 308");
  });
  test("then the access check, on the preflight's own status", () => {
    expect(sf(put(okPreflight({ "access-control-allow-origin": OTHER }))).message)
      .toBe(`Origin ${APP} is not allowed by Access-Control-Allow-Origin. Status code: 204`);
  });
  test("an unparsable ACAM quotes the header's whole value", () => {
    expect(sf(put(okPreflight({ "access-control-allow-methods": "GET PUT" }))).message).toBe("Header Access-Control-Allow-Methods has an invalid value: GET PUT");
  });
  test("an unparsable ACAH is reported before a disallowed method (both lists parse first)", () => {
    expect(sf(put(okPreflight({ "access-control-allow-methods": "GET", "access-control-allow-headers": "x-token;" }))).message)
      .toBe("Header Access-Control-Allow-Headers has an invalid value: x-token;");
  });
  test("methods match case-sensitively, after fetch's normalization", () => {
    expect(sf(put(okPreflight({ "access-control-allow-methods": "Put" }))).message).toBe("Method PUT is not allowed by Access-Control-Allow-Methods.");
    expect(sf(ex({ method: "delete", preflight: okPreflight({ "access-control-allow-methods": "delete" }) })).message)
      .toBe("Method DELETE is not allowed by Access-Control-Allow-Methods.");
    expect(sf(ex({ method: "patch", preflight: okPreflight({ "access-control-allow-methods": "PATCH" }) })).message)
      .toBe("Method patch is not allowed by Access-Control-Allow-Methods.");
  });
  test("ACAM * counts only without credentials", () => {
    const pre = okPreflight({ "access-control-allow-methods": "*" });
    expect(sf(put(pre)).message).toBe("Method PUT is not allowed by Access-Control-Allow-Methods.");
    expect(sf(put(pre, { credentials: "omit" })).blocked).toBe(false);
  });
  test("the header named: known names first, in their canonical spelling, then the others in the script's order", () => {
    const pre = okPreflight({ "access-control-allow-headers": "" });
    expect(sf(put(pre, { headers: { "x-zeta": "1", "x-alpha": "1" } })).message).toBe("Request header field x-zeta is not allowed by Access-Control-Allow-Headers.");
    expect(sf(put(pre, { headers: { "x-custom": "1", accept: "a".repeat(200) } })).message).toBe("Request header field Accept is not allowed by Access-Control-Allow-Headers.");
    expect(sf(put(pre, { headers: { "content-type": "application/json" } })).message).toBe("Request header field Content-Type is not allowed by Access-Control-Allow-Headers.");
  });
  test("safelisted headers need no permission", () => {
    expect(sf(put(okPreflight(), { headers: { "x-token": "1", "content-type": "text/plain", accept: "*/*" } })).blocked).toBe(false);
  });
  test("ACAH * covers every header without credentials, Authorization included", () => {
    const pre = okPreflight({ "access-control-allow-headers": "*" });
    expect(sf(put(pre, { credentials: "omit", headers: { authorization: "Bearer x" } })).blocked).toBe(false);
    expect(sf(put(pre, { headers: { authorization: "Bearer x" } })).message).toBe("Request header field Authorization is not allowed by Access-Control-Allow-Headers.");
  });
  test("Private Network Access is Chromium's alone: WebKit never reads Access-Control-Allow-Private-Network", () => {
    expect(sf(put(okPreflight({ "access-control-allow-private-network": "false" }))).blocked).toBe(false);
  });
});

describe("WebKit (Safari): redirects and modes", () => {
  const redirect = (location: string, h: Headers = {}, status = 302): ResponseRecord =>
    ({ status, headers: { ...okResponse().headers, location, ...h } });

  test("a redirect failing the access check: \"Cross-origin redirection to … denied …\" with the reason and the 3xx", () => {
    const e = ex({ method: "GET", headers: {}, hops: [{ url: API, preflight: null, response: { status: 301, headers: { location: "/z" } } }] });
    expect(sf(e).message).toBe("Cross-origin redirection to https://api.example/z denied by Cross-Origin Resource Sharing policy: " +
      `Origin ${APP} is not allowed by Access-Control-Allow-Origin. Status code: 301`);
  });
  test("credentials in the Location: named in the reason, not in the target", () => {
    const e = ex({ method: "GET", headers: {}, hops: [{ url: API, preflight: null, response: redirect("https://u:p@api.example/z") }] });
    expect(sf(e).message).toBe("Cross-origin redirection to https://api.example/z denied by Cross-Origin Resource Sharing policy: " +
      "redirection URL https://u:p@api.example/z has credentials");
  });
  test("a same-origin request redirected to another origin with credentials is refused too", () => {
    const e = ex({ method: "GET", headers: {}, hops: [{ url: APP + "/a", preflight: null, response: { status: 302, headers: { location: "https://u@api.example/z" } } }] });
    expect(sf(e).message).toMatch(/^Cross-origin redirection to https:\/\/api\.example\/z denied .*: redirection URL https:\/\/u@api\.example\/z has credentials$/);
  });
  test("a non-HTTP target: the non-CORS-scheme reason (checked before the credentials)", () => {
    const e = ex({ method: "GET", headers: {}, hops: [{ url: API, preflight: null, response: redirect("data:text/plain,hi") }] });
    expect(sf(e).message).toBe("Cross-origin redirection to data:text/plain,hi denied by Cross-Origin Resource Sharing policy: " +
      "not allowed to follow a cross-origin CORS redirection with non CORS scheme");
  });
  test("ftp: is refused first, whatever the redirect's headers", () => {
    const e = ex({ method: "GET", headers: {}, hops: [{ url: API, preflight: null, response: { status: 302, headers: { location: "ftp://api.example/f" } } }] });
    expect(sf(e).message).toBe("FTP URLs are disabled");
    expect(ff(e).reason).toBe("CORSMissingAllowOrigin");
  });
  test("after a cross-origin redirect both the preflight and the request say Origin null", () => {
    const e = ex({ hops: [
      { url: API, preflight: okPreflight(), response: redirect(OTHER, {}, 307) },
      { url: OTHER, preflight: okPreflight({}, 204, APP), response: okResponse({}, 200, "null") }] });
    expect(sf(e).message).toBe("Origin null is not allowed by Access-Control-Allow-Origin. Status code: 204");
  });
  test("mode same-origin: the first request, and a redirect to another origin", () => {
    expect(sf(ex({ mode: "same-origin" })).message).toBe("Cross origin requests are not allowed when using same-origin fetch mode.");
    const e = ex({ mode: "same-origin", method: "GET", headers: {}, hops: [{ url: APP + "/a", preflight: null, response: { status: 302, headers: { location: API } } }] });
    expect(sf(e).message).toBe(`Unsafe attempt to load URL ${API} from origin ${APP}. Domains, protocols and ports must match.`);
  });
  test("a first request to another scheme", () => {
    expect(sf(get(okResponse(), "omit")).blocked).toBe(false);
    const e = ex({ url: "ftp://api.example/f", method: "GET", headers: {}, preflight: null, response: null });
    expect(sf(e).message).toBe("FTP URLs are disabled");
    expect(ff(e).reason).toBe("CORSRequestNotHttp");
    expect(sf(ex({ url: "foo://api.example/f", method: "GET", headers: {}, preflight: null, response: null })).message)
      .toBe("Cross origin requests are only supported for HTTP.");
  });
});

describe("the preflight cache: maxAgeCap and effectiveMaxAge", () => {
  test("the caps: Chromium 2 h, Firefox 24 h, WebKit 10 min", () => {
    expect([maxAgeCap("chrome"), maxAgeCap("firefox"), maxAgeCap("safari")]).toEqual([7200, 86400, 600]);
  });
  test("no header: 5 s everywhere", () => {
    expect([effectiveMaxAge("chrome", null), effectiveMaxAge("firefox", null), effectiveMaxAge("safari", undefined)]).toEqual([5, 5, 5]);
  });
  test("a large value is capped per engine", () => {
    expect([effectiveMaxAge("chrome", "86400"), effectiveMaxAge("firefox", "999999999"), effectiveMaxAge("safari", "7200")]).toEqual([7200, 86400, 600]);
  });
  test("a value within every cap is kept", () => {
    expect([effectiveMaxAge("chrome", "300"), effectiveMaxAge("firefox", " 300 "), effectiveMaxAge("safari", "300")]).toEqual([300, 300, 300]);
  });
  test("an invalid value: Chromium and Firefox cache nothing, WebKit falls back to 5 s", () => {
    for (const v of ["abc", "5, 10", "1.5"]) {
      expect([effectiveMaxAge("chrome", v), effectiveMaxAge("firefox", v), effectiveMaxAge("safari", v)]).toEqual([0, 0, 5]);
    }
  });
  test("an empty value: Chromium caches nothing, Firefox and WebKit 5 s", () => {
    expect([effectiveMaxAge("chrome", ""), effectiveMaxAge("firefox", ""), effectiveMaxAge("safari", "")]).toEqual([0, 5, 5]);
  });
  test("a sign: WebKit reads -1 as expired and +60 as 60; Firefox refuses both; Chromium takes + only", () => {
    expect([effectiveMaxAge("chrome", "-1"), effectiveMaxAge("firefox", "-1"), effectiveMaxAge("safari", "-1")]).toEqual([0, 0, 0]);
    expect([effectiveMaxAge("chrome", "+60"), effectiveMaxAge("firefox", "+60"), effectiveMaxAge("safari", "+60")]).toEqual([60, 0, 60]);
  });
  test("0 caches nothing", () => {
    expect([effectiveMaxAge("chrome", "0"), effectiveMaxAge("firefox", "0"), effectiveMaxAge("safari", "0")]).toEqual([0, 0, 0]);
  });
});

describe("disagreements", () => {
  const v = (chrome: EngineVerdicts["chrome"], firefox: Partial<EngineVerdicts["firefox"]>, safari: EngineVerdicts["safari"]): EngineVerdicts =>
    ({ chrome, firefox: { blocked: false, reason: null, status: null, value: null, ...firefox }, safari });

  test("none when every engine passes, or blocks at the same check", () => {
    expect(disagreements(engineVerdicts(ex()))).toEqual([]);
    expect(disagreements(engineVerdicts(get(okResponse({ "access-control-allow-origin": "*" }))))).toEqual([]);
    expect(disagreements(engineVerdicts(put(okPreflight({ "access-control-allow-methods": "GET" }))))).toEqual([]);
  });
  test("WebKit's one origin message stands for a missing and a non-matching ACAO", () => {
    expect(disagreements(engineVerdicts(get({ status: 200, headers: {} })))).toEqual([]);
    expect(disagreements(engineVerdicts(get(okResponse({ "access-control-allow-origin": OTHER })))).length).toBe(0);
  });
  test("a 401 preflight without ACAO: Safari names the status, Chrome and Firefox the header", () => {
    expect(disagreements(engineVerdicts(put({ status: 401, headers: {} })))).toEqual(["safari"]);
  });
  test("a comma list of origins: Firefox does not call it several values", () => {
    expect(disagreements(engineVerdicts(get(okResponse({ "access-control-allow-origin": `${APP}, ${OTHER}` }))))).toEqual(["firefox"]);
  });
  test("credentials in a Location: Firefox's generic reason differs from Chrome's", () => {
    const e = ex({ method: "GET", headers: {}, hops: [{ url: API, preflight: null, response: { ...okResponse(), status: 302, headers: { ...okResponse().headers, location: "https://u:p@api.example/z" } } }] });
    expect(disagreements(engineVerdicts(e))).toEqual(["firefox"]);
  });
  test("blocked in one engine only (the second preflight's Origin)", () => {
    const e = ex({ hops: [
      { url: API, preflight: okPreflight(), response: { status: 307, headers: { ...okResponse().headers, location: OTHER } } },
      { url: OTHER, preflight: okPreflight({}, 204, "null"), response: okResponse({}, 200, "null") }] });
    expect(disagreements(engineVerdicts(e))).toEqual(["firefox"]);
  });
  test("a Chromium-only check (Private Network Access): both others disagree", () => {
    expect(disagreements(v({ blocked: true, code: "PreflightMissingAllowPrivateNetwork" }, {}, { blocked: false, message: null }))).toEqual(["firefox", "safari"]);
  });
  test("a Chrome block without a named check compares on blocked alone", () => {
    expect(disagreements(v({ blocked: true, code: null }, { blocked: true, reason: "CORSMethodNotFound" },
      { blocked: true, message: "Method PUT is not allowed by Access-Control-Allow-Methods." }))).toEqual([]);
  });
});

describe("engineLine", () => {
  const e = put({ status: 401, headers: {} });
  const verdicts = engineVerdicts(e);
  test("one line per engine for a block", () => {
    expect(engineLine("chrome", verdicts)).toBe("Chrome ✗ PreflightMissingAllowOriginHeader");
    expect(engineLine("firefox", verdicts)).toBe("Firefox ✗ CORSMissingAllowOrigin (401)");
    expect(engineLine("safari", verdicts)).toBe("Safari ✗ Preflight response is not successful. Status code: 401");
  });
  test("✓ when not blocked", () => {
    const ok = engineVerdicts(ex());
    expect(["chrome", "firefox", "safari"].map((id) => engineLine(id as "chrome", ok))).toEqual(
      ["Chrome ✓ not blocked", "Firefox ✓ not blocked", "Safari ✓ not blocked"]);
  });
  test("Firefox's quoted value, bounded", () => {
    const long = engineVerdicts(get(okResponse({ "access-control-allow-origin": "x".repeat(500) })));
    const line = engineLine("firefox", long);
    expect(line.startsWith("Firefox ✗ CORSAllowOriginNotMatchingOrigin ‘xxx")).toBe(true);
    expect(line.length).toBeLessThan(110);
  });
  test("a Chrome block without a code says so", () => {
    expect(engineLine("chrome", { ...verdicts, chrome: { blocked: true, code: null } })).toBe("Chrome ✗ blocked (the check is not named)");
  });
});
