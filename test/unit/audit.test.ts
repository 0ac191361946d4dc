// The CORS security audit (src/core/audit.ts): one test per rule and branch, on exchanges built with the
// fix tests' factory (a credentialed PUT from https://app.example to https://api.example/x).
import { audit, probeCommand, type AuditOptions, type Finding } from "../../src/core/audit";
import type { Exchange, Headers } from "../../src/core/types";
import { hop, preflight, response } from "../fixtures/exchange";
import { makeExchange, type ExchangeOverrides } from "./fix/helpers/fixtures";

const APP = "https://app.example";
const URL = "https://api.example/x";

/** A one-hop exchange whose actual response has `res` headers (and a preflight with `pre`, when given). */
function ex(res: Headers | null, pre: Headers | null = null, overrides: ExchangeOverrides & { url?: string } = {}): Exchange {
  const { url = URL, ...rest } = overrides;
  return makeExchange({
    hops: [hop({ url, preflight: pre ? preflight(pre) : null, response: res ? response(200, res) : null })],
    browserError: null,
    ...rest,
    request: { url, ...rest.request },
  });
}

function run(e: Exchange, opts?: AuditOptions): Finding[] {
  return audit(e, opts);
}

const ids = (f: Finding[]) => f.map((x) => x.id);
const byId = (f: Finding[], id: string) => f.find((x) => x.id === id);
const creds = { "access-control-allow-credentials": "true" };
const vary = { vary: "Origin" };

describe("null-origin", () => {
  test("null trusted with credentials: high", () => {
    const f = run(ex({ "access-control-allow-origin": "null", ...creds, ...vary }));
    expect(byId(f, "null-origin")).toMatchObject({ severity: "high", suspected: false, evidence: { header: "access-control-allow-origin", value: "null" }, where: { hop: 0, record: "response" } });
    expect(ids(f)).not.toContain("origin-reflected");
  });
  test("null trusted without credentials: low", () => {
    expect(byId(run(ex({ "access-control-allow-origin": "null", ...vary })), "null-origin")?.severity).toBe("low");
  });
});

describe("http-origin", () => {
  test("an https resource trusting an http origin with credentials: medium", () => {
    const f = run(ex({ "access-control-allow-origin": "http://app.example", ...creds, ...vary }));
    expect(byId(f, "http-origin")).toMatchObject({ severity: "medium", evidence: { value: "http://app.example" } });
  });
  test("without credentials: low", () => {
    expect(byId(run(ex({ "access-control-allow-origin": "http://app.example", ...vary })), "http-origin")?.severity).toBe("low");
  });
  test("an http resource trusting an http origin: not flagged", () => {
    expect(ids(run(ex({ "access-control-allow-origin": "http://app.example", ...creds, ...vary }, null, { url: "http://api.example/x" })))).not.toContain("http-origin");
  });
});

describe("origin-reflected", () => {
  const reflecting = () => ex({ "access-control-allow-origin": APP, ...creds, ...vary });
  // A local page trusted with credentials by a public API: what a reflecting server shows in one exchange.
  const LOCAL = "http://localhost:5173";
  const local = () => ex({ "access-control-allow-origin": LOCAL, ...creds, ...vary }, null, { request: { origin: LOCAL } });
  test("an exact origin with credentials is no finding (a correct allow-list looks the same): only the quiet probe command", () => {
    expect(ids(run(reflecting()))).toEqual([]);
    expect(probeCommand(reflecting())).toBe(`cors-lens probe '${reflecting().hops[0]!.url}' --origin '${APP}' --credentials --audit`);
    expect(probeCommand(ex({ "access-control-allow-origin": APP, ...vary }))).toBeNull();
  });
  test("real evidence in one exchange: a local origin trusted by a public resource is suspected, with the probe as a command", () => {
    const f = byId(run(local()), "origin-reflected")!;
    expect(f).toMatchObject({ severity: "low", suspected: true, command: `cors-lens probe '${local().hops[0]!.url}' --origin '${LOCAL}' --credentials --audit` });
    expect(f.title).toBe("The origin may be reflected with credentials");
    expect(ids(run(ex({ "access-control-allow-origin": LOCAL, ...creds, ...vary }, null, { url: "http://localhost:8080/api", request: { origin: LOCAL } }))))
      .not.toContain("origin-reflected");
  });
  test("confirmed by a probe: high, not suspected", () => {
    expect(byId(run(reflecting(), { reflection: "confirmed" }), "origin-reflected")).toMatchObject({ severity: "high", suspected: false });
  });
  test("refuted by a probe: gone", () => {
    expect(ids(run(local(), { reflection: "refuted" }))).not.toContain("origin-reflected");
  });
  test("without credentials: not flagged", () => {
    expect(ids(run(ex({ "access-control-allow-origin": APP, ...vary })))).toEqual([]);
  });
  test("an origin other than the request's: not a reflection", () => {
    expect(ids(run(ex({ "access-control-allow-origin": "https://other.example", ...creds, ...vary })))).toEqual([]);
  });
  test("reported once though preflight and response both echo", () => {
    const f = run(ex({ "access-control-allow-origin": LOCAL, ...creds, ...vary }, { "access-control-allow-origin": LOCAL, ...creds, "access-control-allow-methods": "PUT", "access-control-allow-headers": "x-token" }, { request: { origin: LOCAL } }));
    expect(ids(f).filter((i) => i === "origin-reflected")).toEqual(["origin-reflected"]);
    expect(f.find((x) => x.id === "origin-reflected")!.where).toEqual({ hop: 0, record: "preflight" });
  });
});

describe("missing-vary", () => {
  test("credentialed, specific origin, no Vary: medium", () => {
    const f = run(ex({ "access-control-allow-origin": APP, ...creds }));
    expect(audit(ex({ "access-control-allow-origin": APP, ...creds }), null)).toEqual(f);
    expect(byId(f, "missing-vary")).toMatchObject({ severity: "medium", evidence: { header: "vary", value: null } });
  });
  test("not credentialed: low", () => {
    expect(byId(run(ex({ "access-control-allow-origin": APP, vary: "Accept-Encoding" })), "missing-vary")).toMatchObject({ severity: "low", evidence: { value: "Accept-Encoding" } });
  });
  test("Cache-Control: no-store: low, and says why", () => {
    const f = byId(run(ex({ "access-control-allow-origin": APP, ...creds, "cache-control": "no-store" })), "missing-vary")!;
    expect(f.severity).toBe("low");
    expect(f.explanation).toContain("no-store");
  });
  test("Vary: Origin (in a list, any case) or Vary: * is enough; * origins and preflights are not flagged", () => {
    expect(ids(run(ex({ "access-control-allow-origin": APP, vary: "Accept-Encoding, ORIGIN" })))).toEqual([]);
    expect(ids(run(ex({ "access-control-allow-origin": APP, vary: ["accept", "origin"] })))).toEqual([]);
    expect(ids(run(ex({ "access-control-allow-origin": APP, vary: "*" })))).toEqual([]);
    expect(ids(run(ex({ "access-control-allow-origin": "*" })))).toEqual([]);
    expect(ids(run(ex(null, { "access-control-allow-origin": APP, "access-control-allow-methods": "PUT" })))).toEqual([]);
  });
});

describe("wildcard-private", () => {
  const star = { "access-control-allow-origin": "*" };
  test("Set-Cookie: medium, the cookie never copied", () => {
    const f = byId(run(ex({ ...star, "set-cookie": "sid=secret123; HttpOnly" })), "wildcard-private")!;
    expect(f).toMatchObject({ severity: "medium", evidence: { header: "set-cookie", value: "(present)" } });
    expect(JSON.stringify(f)).not.toContain("secret123");
  });
  test("Cache-Control: private: medium", () => {
    expect(byId(run(ex({ ...star, "cache-control": "private, max-age=60" })), "wildcard-private")).toMatchObject({ severity: "medium", evidence: { header: "cache-control", value: "private, max-age=60" } });
  });
  test("Authorization in the request (script or wire): low, masked", () => {
    const a = byId(run(ex(star, null, { request: { headers: { authorization: "Bearer tok-xyz" } } })), "wildcard-private")!;
    expect(a).toMatchObject({ severity: "low", evidence: { header: "authorization", value: "(present)" } });
    expect(JSON.stringify(a)).not.toContain("tok-xyz");
    expect(byId(run(ex(star, null, { request: { headers: {}, sentHeaders: { authorization: "Basic x" } } })), "wildcard-private")?.severity).toBe("low");
  });
  test("a plain public * response: nothing", () => {
    expect(ids(run(ex({ ...star, "cache-control": "public, max-age=60" }, null, { request: { headers: {} } })))).toEqual([]);
  });
});

describe("preflight: broad headers and methods with credentials", () => {
  const pre = (h: Headers) => ({ "access-control-allow-origin": "https://other.example", ...creds, ...h });
  const res = { "access-control-allow-origin": "https://other.example", ...creds, ...vary };

  test("Access-Control-Allow-Headers * with credentials: low, says * is literal", () => {
    const f = byId(run(ex(res, pre({ "access-control-allow-headers": "*", "access-control-allow-methods": "PUT" }))), "allow-headers-wildcard-credentials")!;
    expect(f.severity).toBe("low");
    expect(f.explanation).toMatch(/literally named "\*"/);
  });
  test("Access-Control-Allow-Methods * with credentials: low", () => {
    expect(byId(run(ex(res, pre({ "access-control-allow-methods": "*", "access-control-allow-headers": "x-token" }))), "allow-methods-wildcard-credentials")?.severity).toBe("low");
  });
  test("the wildcards without credentials are a real wildcard: not flagged here", () => {
    const f = run(ex({ "access-control-allow-origin": "*" }, { "access-control-allow-origin": "*", "access-control-allow-headers": "*", "access-control-allow-methods": "*" }));
    expect(ids(f)).toEqual([]);
  });
  test("ACAH byte-identical to what Chromium sent: suspected reflection; a hand-written list is not", () => {
    const e = ex(res, pre({ "access-control-allow-headers": "content-type,x-token", "access-control-allow-methods": "PUT" }), { request: { headers: { "x-token": "1", "content-type": "application/json" } } });
    expect(byId(run(e), "allow-headers-reflected")).toMatchObject({ severity: "low", suspected: true });
    const hand = ex(res, pre({ "access-control-allow-headers": "Content-Type, X-Token", "access-control-allow-methods": "PUT" }), { request: { headers: { "x-token": "1", "content-type": "application/json" } } });
    expect(ids(run(hand))).not.toContain("allow-headers-reflected");
    // A single lower-case name is what a hand-written list looks like too: not flagged.
    const one = ex(res, pre({ "access-control-allow-headers": "x-token", "access-control-allow-methods": "PUT" }), { request: { headers: { "x-token": "1" } } });
    expect(ids(run(one))).toEqual([]);
  });
  test("header reflection confirmed by a probe replaces the suspicion (medium with credentials, low without)", () => {
    const e = ex(res, pre({ "access-control-allow-headers": "x-token", "access-control-allow-methods": "PUT" }), { request: { headers: { "x-token": "1" } } });
    const f = run(e, { headerReflection: { header: "x-cors-lens-probe", credentials: true } }).filter((x) => x.id === "allow-headers-reflected");
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: "medium", suspected: false });
    expect(byId(run(e, { headerReflection: { header: "x-cors-lens-probe", credentials: false } }), "allow-headers-reflected")?.severity).toBe("low");
  });
  test("TRACE in the methods: low, copy-paste", () => {
    const f = byId(run(ex(res, pre({ "access-control-allow-methods": "PUT, TRACE", "access-control-allow-headers": "x-token" }))), "allow-methods-broad")!;
    expect(f.explanation).toContain("TRACE");
  });
  test("a long list with dangerous methods beyond the one requested: low; short or exact lists: nothing", () => {
    expect(byId(run(ex(res, pre({ "access-control-allow-methods": "GET, POST, PUT, DELETE, PATCH", "access-control-allow-headers": "x-token" }))), "allow-methods-broad")?.severity).toBe("low");
    expect(ids(run(ex(res, pre({ "access-control-allow-methods": "GET, POST, PUT", "access-control-allow-headers": "x-token" }))))).toEqual([]);
    expect(ids(run(ex(res, pre({ "access-control-allow-methods": "GET, HEAD, POST, PUT", "access-control-allow-headers": "x-token" }))))).toEqual([]);
  });
  test("a preflight without credentials allowed: none of these rules", () => {
    expect(ids(run(ex(res, { "access-control-allow-origin": "https://other.example", "access-control-allow-methods": "TRACE, PUT, DELETE, PATCH, *", "access-control-allow-headers": "*" })))).toEqual([]);
  });
});

describe("hostile origins from a probe", () => {
  const e = ex({ "access-control-allow-origin": APP, ...creds, ...vary });
  test("each trusted one is a confirmed finding: high with credentials, medium for a sibling, low without", () => {
    const f = run(e, {
      reflection: "refuted",
      hostile: [
        { origin: "https://evil.example", kind: "an unrelated site", acao: "https://evil.example", credentials: true },
        { origin: "https://evil-sibling.example", kind: "a sibling", acao: "https://evil-sibling.example", credentials: true, sibling: true },
        { origin: "https://appxexample", kind: "look-alike", acao: "https://appxexample", credentials: false },
        { origin: "null", kind: "opaque", acao: "https://app.example", credentials: true },
      ],
    });
    expect(f.map((x) => [x.id, x.origin, x.severity, x.suspected])).toEqual([
      ["hostile-origin-trusted", "https://evil.example", "high", false],
      ["hostile-origin-trusted", "https://evil-sibling.example", "medium", false],
      ["hostile-origin-trusted", "https://appxexample", "low", false],
    ]);
    expect(f[0]!.title).toBe("Trusts the hostile origin https://evil.example with credentials");
    expect(f[1]!.explanation).toContain("subdomain");
  });
});

describe("whole audit", () => {
  test("sorted high → low; evidence of another hop; never throws on odd input", () => {
    const e = makeExchange({
      browserError: null,
      hops: [
        { url: URL, preflight: null, response: { status: 302, headers: { "access-control-allow-origin": "null", ...creds, location: "https://cdn.example/y" } } },
        { url: "https://cdn.example/y", preflight: null, response: { status: 200, headers: { "access-control-allow-origin": "*", "set-cookie": "a=b" } } },
      ],
    });
    const f = run(e);
    expect(f.map((x) => [x.id, x.severity, x.where?.hop])).toEqual([["null-origin", "high", 0], ["wildcard-private", "medium", 1]]);
    const weird = { id: "w", request: { url: 5, method: null, origin: undefined, headers: null }, hops: [null, { url: "x" }] } as unknown as Exchange;
    expect(() => audit(weird)).not.toThrow();
    expect(audit(makeExchange({ hops: [] }))).toEqual([]);
  });
  test("a sound configuration gives nothing", () => {
    const e = ex({ "access-control-allow-origin": APP, ...creds, ...vary }, { "access-control-allow-origin": APP, ...creds, "access-control-allow-methods": "PUT", "access-control-allow-headers": "X-Token" });
    expect(run(e, { reflection: "refuted", hostile: [] })).toEqual([]);
  });
  test("long evidence values are bounded", () => {
    const long = "https://" + "a".repeat(500) + ".example";
    const f = byId(run(ex({ "access-control-allow-origin": long, ...creds })), "missing-vary")!;
    expect(f.explanation.length).toBeLessThan(600);
    const http = byId(run(ex({ "access-control-allow-origin": "http://" + "b".repeat(500), ...creds, ...vary })), "http-origin")!;
    expect(http.evidence.value!.length).toBeLessThanOrEqual(120);
  });
});
