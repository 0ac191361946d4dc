import { MAX_AGE, PLACEHOLDER_ORIGIN, computePolicy, configView, familyOf, headerPairs } from "../../../src/core/fix/policy";
import { makeDiagnosis, makeExchange, uncredentialed } from "./helpers/fixtures";

describe("computePolicy: the request's real values", () => {
  it("takes origin, normalized method, unsafe header names and credentials from the exchange", () => {
    const p = computePolicy(makeDiagnosis(), makeExchange({ request: { method: "put", headers: { "X-Token": "a", accept: "*/*", "content-type": "application/json" } } }));
    expect(p.origin).toBe("https://app.example");
    expect(p.placeholder).toBe(false);
    expect(p.method).toBe("PUT");
    expect(p.methods).toEqual(["PUT", "GET", "HEAD", "POST"]);
    expect(p.headers).toEqual(["content-type", "x-token"]); // sorted, lower case; accept is safelisted
    expect(p.credentials).toBe(true);
    expect(p.maxAge).toBe(MAX_AGE);
  });
  it("keeps a non-normalized method as written (fetch only upper-cases six)", () => {
    const p = computePolicy(makeDiagnosis(), makeExchange({ request: { method: "patch" } }));
    expect(p.method).toBe("patch");
    expect(p.methods[0]).toBe("patch");
  });
  it("does not repeat a simple method", () => {
    expect(computePolicy(makeDiagnosis(), makeExchange({ request: { method: "post" } })).methods).toEqual(["POST", "GET", "HEAD"]);
  });
  it("credentials follow the diagnosis, not the page's setting", () => {
    expect(computePolicy(uncredentialed(), makeExchange()).credentials).toBe(false);
  });
  it("drops header names that are not tokens, with a note", () => {
    const p = computePolicy(makeDiagnosis(), makeExchange({ request: { headers: { "x-ok": "1", 'x-"q"': "1", "x-{b}": "1", "*": "1" } } }));
    expect(p.headers).toEqual(["x-ok"]);
    expect(p.notes.join(" ")).toMatch(/Left out request header names .*x-\\"q\\"/);
  });
  it("drops an invalid method, with a note, and keeps the simple ones", () => {
    const p = computePolicy(makeDiagnosis(), makeExchange({ request: { method: "PUT X\n" } }));
    expect(p.method).toBeNull();
    expect(p.methods).toEqual(["GET", "HEAD", "POST"]);
    expect(p.notes.join(" ")).toMatch(/not a valid HTTP method/);
  });
  it("keeps headers the response already exposed, minus *", () => {
    const x = makeExchange({ hops: [{ url: "https://api.example/x", preflight: null, response: { status: 200, headers: { "access-control-expose-headers": "*, X-Request-Id, etag" } } }] });
    expect(computePolicy(makeDiagnosis({ stage: "actual" }), x).exposeHeaders).toEqual(["x-request-id", "etag"]);
  });
});

describe("computePolicy: origins that must not be allowlisted", () => {
  it('never allowlists "null" with credentials: placeholder plus an explanation', () => {
    const p = computePolicy(makeDiagnosis(), makeExchange({ request: { origin: "null" } }));
    expect(p.origin).toBe(PLACEHOLDER_ORIGIN);
    expect(p.placeholder).toBe(true);
    expect(p.notes[0]).toMatch(/sandboxed iframe.*file:\/\/.*credentials would trust/);
  });
  it('without credentials, still no "null", and mentions * for public data', () => {
    const p = computePolicy(uncredentialed(), makeExchange({ request: { origin: "null", credentials: "omit" } }));
    expect(p.placeholder).toBe(true);
    expect(p.notes[0]).toMatch(/Access-Control-Allow-Origin: \* without credentials/);
  });
  it.each([["https://a b"], ["https://a\nb"], ["*"], ["https://*.example"], ["app.example"], [""]])(
    "replaces %j, which no browser sends, with the placeholder",
    (origin) => {
      const p = computePolicy(makeDiagnosis(), makeExchange({ request: { origin } }));
      expect(p.origin).toBe(PLACEHOLDER_ORIGIN);
      expect(p.notes.join(" ")).toMatch(/not an origin a browser sends/);
    },
  );
  it("keeps a printable but odd origin (to be escaped), with a warning note", () => {
    const p = computePolicy(makeDiagnosis(), makeExchange({ request: { origin: "https://app.example/" } }));
    expect(p.origin).toBe("https://app.example/");
    expect(p.notes.join(" ")).toMatch(/does not look like a serialized origin/);
  });
  it("has no notes for an ordinary origin", () => {
    expect(computePolicy(makeDiagnosis(), makeExchange({ request: { origin: "http://[::1]:8080" } })).notes).toEqual([]);
  });
});

describe("familyOf: every Chrome CorsError name", () => {
  it.each([
    ["WildcardOriginNotAllowed", "origin-wildcard", false],
    ["PreflightWildcardOriginNotAllowed", "origin-wildcard", true],
    ["MissingAllowOriginHeader", "origin-missing", false],
    ["PreflightMissingAllowOriginHeader", "origin-missing", true],
    ["MultipleAllowOriginValues", "origin-multiple", false],
    ["PreflightMultipleAllowOriginValues", "origin-multiple", true],
    ["InvalidAllowOriginValue", "origin-invalid", false],
    ["PreflightInvalidAllowOriginValue", "origin-invalid", true],
    ["AllowOriginMismatch", "origin-mismatch", false],
    ["PreflightAllowOriginMismatch", "origin-mismatch", true],
    ["InvalidAllowCredentials", "credentials", false],
    ["PreflightInvalidAllowCredentials", "credentials", true],
    ["PreflightInvalidStatus", "preflight-status", false],
    ["PreflightDisallowedRedirect", "preflight-redirect", false],
    ["InvalidResponse", "invalid-response", false],
    ["MethodDisallowedByPreflightResponse", "method", false],
    ["HeaderDisallowedByPreflightResponse", "header", false],
    ["InvalidAllowMethodsPreflightResponse", "methods-invalid", false],
    ["InvalidAllowHeadersPreflightResponse", "headers-invalid", false],
    ["RedirectContainsCredentials", "redirect-credentials", false],
    ["DisallowedByMode", "mode", false],
    ["CorsDisabledScheme", "scheme", false],
    ["PreflightMissingAllowPrivateNetwork", "private-network", true],
    ["InvalidPrivateNetworkAccess", "private-network", false],
    ["SomethingNew", "unknown", false],
    ["PreflightSomethingNew", "unknown", false],
    ["toString", "unknown", false],
    ["__proto__", "unknown", false],
    [null, "none", false],
    ["", "none", false],
  ])("%s → %s", (code, family, twin) => {
    expect(familyOf(code)).toEqual({ family, twin });
  });
});

describe("computePolicy: flags from the code", () => {
  const rejected = makeExchange({ hops: [{ url: "https://api.example/x", preflight: { status: 401, headers: {} }, response: null }] });
  it("PreflightInvalidStatus → answer OPTIONS before auth", () => {
    const p = computePolicy(makeDiagnosis({ code: "PreflightInvalidStatus" }), rejected);
    expect(p.preflightBeforeAuth).toBe(true);
    expect(p.preflightStatus).toBe(401);
  });
  it("a Preflight twin on a rejected (401) preflight → also before auth; on a 204 → not", () => {
    expect(computePolicy(makeDiagnosis({ code: "PreflightMissingAllowOriginHeader" }), rejected).preflightBeforeAuth).toBe(true);
    expect(computePolicy(makeDiagnosis({ code: "PreflightMissingAllowOriginHeader" }), makeExchange()).preflightBeforeAuth).toBe(false);
    expect(computePolicy(makeDiagnosis({ code: "MissingAllowOriginHeader" }), rejected).preflightBeforeAuth).toBe(false);
  });
  it("MultipleAllowOriginValues → duplicate layer; private network codes → privateNetwork", () => {
    expect(computePolicy(makeDiagnosis({ code: "MultipleAllowOriginValues" }), makeExchange()).duplicateLayer).toBe(true);
    expect(computePolicy(makeDiagnosis({ code: "AllowOriginMismatch" }), makeExchange()).duplicateLayer).toBe(false);
    expect(computePolicy(makeDiagnosis({ code: "PreflightMissingAllowPrivateNetwork" }), makeExchange()).privateNetwork).toBe(true);
  });
  it("reads the failing hop, not the first one", () => {
    const x = makeExchange({
      hops: [
        { url: "https://api.example/x", preflight: null, response: { status: 302, headers: { location: "https://api.example/y" } } },
        { url: "https://api.example/y", preflight: { status: 403, headers: {} }, response: null },
      ],
    });
    expect(computePolicy(makeDiagnosis({ hop: 1, code: "PreflightInvalidStatus" }), x).preflightStatus).toBe(403);
    expect(computePolicy(makeDiagnosis({ hop: 7, code: "PreflightInvalidStatus" }), x).preflightStatus).toBe(null);
  });
});

describe("configView and headerPairs", () => {
  it("drops what a config format cannot carry, with notes, and keeps the rest", () => {
    const p = computePolicy(makeDiagnosis(), makeExchange({ request: { origin: "https://a$b", method: "PU$T", headers: { "x-$a": "1", "x-ok": "1", "x-%b": "1" } } }));
    const v = configView(p, "nginx");
    expect(v.origin).toBe(PLACEHOLDER_ORIGIN);
    expect(v.placeholder).toBe(true);
    expect(v.methods).toEqual(["GET", "HEAD", "POST"]);
    expect(v.headers).toEqual(["x-ok"]);
    expect(v.notes).toHaveLength(3);
    expect(v.notes[0]).toMatch(/^nginx config cannot carry the origin/);
  });
  it("leaves a clean policy untouched", () => {
    const p = computePolicy(makeDiagnosis(), makeExchange());
    expect(configView(p, "Caddy")).toEqual({ origin: p.origin, placeholder: false, methods: p.methods, headers: p.headers, exposeHeaders: [], notes: [] });
  });
  it("lists credentials only when credentialed, and never a wildcard", () => {
    const withCreds = headerPairs(computePolicy(makeDiagnosis(), makeExchange()));
    expect(withCreds).toContainEqual(["Access-Control-Allow-Credentials", "true"]);
    expect(withCreds).toContainEqual(["Access-Control-Allow-Headers", "x-token"]);
    expect(withCreds.every(([, v]) => !v.includes("*"))).toBe(true);
    expect(headerPairs(computePolicy(uncredentialed(), makeExchange())).map(([n]) => n)).not.toContain("Access-Control-Allow-Credentials");
  });
});

describe("computePolicy is total", () => {
  it.each([
    ["an empty exchange", {} as never, {} as never],
    ["null everything", null as never, null as never],
    ["wrong types", { code: 5, credentials: "include", hop: "x", warnings: "w" } as never, { request: { origin: 1, method: {}, headers: [1, 2] }, hops: "no" } as never],
  ])("does not throw on %s", (_, d, x) => {
    expect(() => computePolicy(d, x)).not.toThrow();
    expect(computePolicy(d, x).origin).toBe(PLACEHOLDER_ORIGIN);
  });
});
