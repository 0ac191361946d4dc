// explainCookies / checkSetCookie: one test per reason and per Set-Cookie rule, from a fixture factory.
import {
  checkSetCookie, cookieFixNote, domainMatches, explainCookies, jarDomain, parseSetCookie, pathMatches, registrableDomain, schemefulSite, sentCookieNames,
  type CookieContext, type CookieInfo,
} from "../../src/core/cookies";
import { diagnose } from "../../src/core/diagnose";
import type { Exchange, Headers } from "../../src/core/types";
import { cors, exchange, hop, preflight, response } from "../fixtures/exchange";

const APP = "https://app.example.com";
const API = "https://api.other.com";

/** A credentialed GET from APP to url (default: a cross-site API); `cookie` is the recorded Cookie header (none recorded if undefined). */
function ex(o: { url?: string; origin?: string; credentials?: Exchange["request"]["credentials"]; cookie?: string | null; sent?: Headers; response?: Headers; preflight?: Headers } = {}): Exchange {
  let sentHeaders: Headers | undefined = o.sent;
  if (o.cookie !== undefined) sentHeaders = { ...(sentHeaders ?? {}), ...(o.cookie === null ? {} : { cookie: o.cookie }) };
  return exchange({
    id: "x", url: o.url ?? `${API}/data`, method: "GET", origin: o.origin ?? APP, credentials: o.credentials ?? "include", headers: {}, sentHeaders,
    preflight: o.preflight ? preflight(o.preflight) : null, response: response(200, o.response ?? {}), browserError: null,
  });
}

/** A cookie of the request's host, SameSite=None; Secure, path / unless overridden. */
function cookie(o: Partial<CookieInfo> = {}): CookieInfo {
  return { name: "sid", value: "SECRET-VALUE", domain: "api.other.com", hostOnly: true, path: "/", secure: true, httpOnly: true, sameSite: "no_restriction", partitionKey: null, ...o };
}

const ctx = (o: Partial<CookieContext> = {}): CookieContext => ({ topLevelSite: APP, ...o });

function only(e: Exchange, c: CookieInfo, context = ctx()) {
  const r = explainCookies(e, [c], context);
  expect(r.verdicts).toHaveLength(1);
  return { r, v: r.verdicts[0]! };
}

describe("sites and matching", () => {
  test("registrable domain: eTLD+1, multi-label suffixes, unlisted TLDs, IPs", () => {
    expect(registrableDomain("a.b.example.com")).toBe("example.com");
    expect(registrableDomain("shop.example.co.uk")).toBe("example.co.uk");
    expect(registrableDomain("me.github.io")).toBe("me.github.io");
    expect(registrableDomain("api.localhost")).toBe("api.localhost");
    expect(registrableDomain("app.example")).toBe("app.example");
    expect(registrableDomain("127.0.0.1")).toBe("127.0.0.1");
  });
  test("jarDomain lists a parent's cookies too", () => {
    expect(jarDomain("api.example.com")).toBe("example.com");
    expect(jarDomain("api.sec.example")).toBe("sec.example");
    expect(jarDomain("api.localhost")).toBe("api.localhost");
    expect(jarDomain("10.0.0.1")).toBe("10.0.0.1");
  });
  test("schemeful site keeps the scheme and drops the port", () => {
    expect(schemefulSite("https://api.example.com:8443/x")).toBe("https://example.com");
    expect(schemefulSite("http://example.com")).toBe("http://example.com");
    expect(schemefulSite("null")).toBeNull();
    expect(schemefulSite("not a url")).toBeNull();
  });
  test("path-match per RFC 6265bis §5.1.4", () => {
    expect(pathMatches("/api/x", "/api")).toBe(true);
    expect(pathMatches("/api/x", "/api/")).toBe(true);
    expect(pathMatches("/api", "/api")).toBe(true);
    expect(pathMatches("/apix", "/api")).toBe(false);
    expect(pathMatches("/", "/api")).toBe(false);
  });
  test("domain-match: host-only is exact, a Domain cookie covers sub-domains", () => {
    expect(domainMatches("api.example.com", cookie({ domain: "example.com", hostOnly: true }))).toBe(false);
    expect(domainMatches("api.example.com", cookie({ domain: ".example.com", hostOnly: false }))).toBe(true);
    expect(domainMatches("example.com", cookie({ domain: ".example.com", hostOnly: false }))).toBe(true);
  });
  test("Cookie header names; a masked value names nothing", () => {
    expect([...sentCookieNames({ cookie: "a=1; b=2" })!]).toEqual(["a", "b"]);
    expect(sentCookieNames({ cookie: "[masked]" })).toBeNull();
    expect(sentCookieNames({})!.size).toBe(0);
    expect(sentCookieNames(undefined)).toBeNull();
  });
});

describe("explainCookies: one reason each", () => {
  test("sent: a SameSite=None; Secure cookie on the wire, third-party cookies seen allowed", () => {
    const { r, v } = only(ex({ cookie: "sid=1" }), cookie());
    expect(v).toMatchObject({ sent: true, reason: "sent", certainty: "wire", fix: null });
    expect(r.crossSite).toBe(true);
    expect(r.thirdParty).toBe("likely-allowed");
  });
  test("not-credentialed: credentials omit", () => {
    const { v } = only(ex({ credentials: "omit" }), cookie());
    expect(v).toMatchObject({ sent: false, reason: "not-credentialed" });
    expect(v.fix).toMatch(/credentials: 'include'/);
  });
  test("not-credentialed: fetch's default (same-origin) to another origin", () => {
    const { v } = only(ex({ credentials: "same-origin" }), cookie());
    expect(v.reason).toBe("not-credentialed");
  });
  test("domain-mismatch: a host-only cookie of the parent domain", () => {
    const e = ex({ url: "https://api.example.com/data", cookie: null });
    const { v } = only(e, cookie({ domain: "example.com", hostOnly: true }));
    expect(v).toMatchObject({ sent: false, reason: "domain-mismatch", certainty: "wire" });
    expect(v.fix).toMatch(/Domain=example\.com/);
  });
  test("cookies of sibling hosts are not listed", () => {
    expect(explainCookies(ex(), [cookie({ domain: "www.other.com" })], ctx()).verdicts).toEqual([]);
  });
  test("path-mismatch", () => {
    const { v } = only(ex({ cookie: null }), cookie({ path: "/admin" }));
    expect(v).toMatchObject({ sent: false, reason: "path-mismatch" });
    expect(v.explanation).toContain("/admin");
  });
  test("secure-over-http (but not on localhost)", () => {
    const e = ex({ url: "http://api.other.com/data", cookie: null });
    expect(only(e, cookie()).v).toMatchObject({ sent: false, reason: "secure-over-http" });
    const local = ex({ url: "http://api.localhost:3000/data", origin: "http://app.localhost:3000", cookie: "sid=1" });
    expect(only(local, cookie({ domain: "api.localhost" }), ctx({ topLevelSite: "http://app.localhost:3000" })).v.reason).toBe("sent");
  });
  test("partitioned-elsewhere: a CHIPS cookie of another top-level site", () => {
    const { v } = only(ex({ cookie: null }), cookie({ partitionKey: { topLevelSite: "https://shop.com" } }));
    expect(v).toMatchObject({ sent: false, reason: "partitioned-elsewhere", partition: "https://shop.com" });
    expect(v.explanation).toContain("https://example.com");
  });
  test("a partitioned cookie of this top-level site is sent even with third-party cookies blocked", () => {
    const { v } = only(ex({ cookie: "sid=1" }), cookie({ partitionKey: { topLevelSite: "https://example.com" } }), ctx({ thirdPartyBlocked: true }));
    expect(v).toMatchObject({ sent: true, reason: "sent" });
  });
  test("same-site-strict", () => {
    expect(only(ex({ cookie: null }), cookie({ sameSite: "strict" })).v.reason).toBe("same-site-strict");
  });
  test("same-site-lax", () => {
    const { v } = only(ex({ cookie: null }), cookie({ sameSite: "lax" }));
    expect(v.reason).toBe("same-site-lax");
    expect(v.fix).toMatch(/SameSite=None; Secure/);
  });
  test("same-site-lax-by-default in Chrome; Firefox sends a cookie without SameSite", () => {
    expect(only(ex({ cookie: null }), cookie({ sameSite: "unspecified" })).v.reason).toBe("same-site-lax-by-default");
    expect(only(ex(), cookie({ sameSite: "unspecified" }), ctx({ browser: "firefox" })).v.reason).toBe("sent");
  });
  test("schemeful same-site: http and https of one domain are cross-site, and the note says so", () => {
    const e = ex({ url: "https://api.example.com/data", origin: "http://app.example.com", cookie: null });
    const { r, v } = only(e, cookie({ domain: "api.example.com", sameSite: "lax" }), ctx({ topLevelSite: "http://app.example.com" }));
    expect(r.crossSite).toBe(true);
    expect(r.siteNote).toMatch(/schemeful same-site/);
    expect(v.reason).toBe("same-site-lax");
  });
  test("same-site: a Lax cookie goes to a sibling sub-domain", () => {
    const e = ex({ url: "https://api.example.com/data", cookie: "sid=1" });
    const { r, v } = only(e, cookie({ domain: ".example.com", hostOnly: false, sameSite: "lax" }));
    expect(r.crossSite).toBe(false);
    expect(r.thirdParty).toBe("not-applicable");
    expect(v.reason).toBe("sent");
  });
  test("a cross-site top-level page makes a same-site-to-the-frame request cross-site", () => {
    const e = ex({ url: "https://api.example.com/data", cookie: null });
    const { r, v } = only(e, cookie({ domain: "api.example.com", sameSite: "lax" }), ctx({ topLevelSite: "https://news.com" }));
    expect(r.crossSite).toBe(true);
    expect(v.reason).toBe("same-site-lax");
  });
  test("third-party-blocked (likely): a None; Secure cookie that matches stayed home on a cross-site request", () => {
    const { r, v } = only(ex({ cookie: null }), cookie());
    expect(r.thirdParty).toBe("likely-blocked");
    expect(v).toMatchObject({ sent: false, reason: "third-party-blocked", certainty: "likely" });
    expect(v.explanation).toMatch(/^Likely/);
    expect(v.fix).toMatch(/Partitioned/);
  });
  test("third-party-blocked: from the setting when known", () => {
    const { r, v } = only(ex(), cookie(), ctx({ thirdPartyBlocked: true }));
    expect(r.thirdParty).toBe("blocked");
    expect(v).toMatchObject({ sent: false, reason: "third-party-blocked", certainty: "predicted" });
  });
  test("without a recorded Cookie header: predicted sent, with the third-party caveat", () => {
    const { r, v } = only(ex(), cookie());
    expect(r.wire).toBe(false);
    expect(r.thirdParty).toBe("unknown");
    expect(v).toMatchObject({ sent: true, reason: "sent", certainty: "predicted" });
    expect(v.explanation).toMatch(/third-party cookies are allowed/);
  });
  test("not-sent-unexplained: matches, same-site, yet absent from the Cookie header", () => {
    const e = ex({ url: "https://api.example.com/data", cookie: "other=1" });
    const { v } = only(e, cookie({ domain: "api.example.com" }));
    expect(v).toMatchObject({ sent: false, reason: "not-sent-unexplained", certainty: "wire" });
  });
  test("set-by-this-response: the jar has it because this exchange's response set it", () => {
    const e = ex({ url: "https://api.example.com/data", cookie: null, response: { "set-cookie": "sid=2; Secure; SameSite=None" } });
    const { v } = only(e, cookie({ domain: "api.example.com" }));
    expect(v).toMatchObject({ sent: false, reason: "set-by-this-response", certainty: "wire", fix: null });
  });
  test("the wire wins when the jar says otherwise", () => {
    const { v } = only(ex({ cookie: "sid=1" }), cookie({ sameSite: "lax" }));
    expect(v).toMatchObject({ sent: true, reason: "sent", certainty: "wire" });
  });
  test("Sec-Fetch-Site on the wire decides same-site with the page", () => {
    // Under a multi-label suffix we do not list, the browser's verdict wins.
    const e = ex({ url: "https://api.acme.unlisted.co/data", origin: "https://app.acme.unlisted.co", sent: { "sec-fetch-site": "same-site" }, cookie: "sid=1" });
    const r = explainCookies(e, [cookie({ domain: "api.acme.unlisted.co", sameSite: "lax" })], ctx({ topLevelSite: null }));
    expect(r.crossSite).toBe(false);
  });
  test("values never appear in the report", () => {
    const r = explainCookies(ex({ cookie: null }), [cookie(), cookie({ name: "b", sameSite: "lax" }), cookie({ name: "c", path: "/x" })], ctx());
    expect(JSON.stringify(r)).not.toContain("SECRET-VALUE");
  });
  test("hostile input does not throw", () => {
    const bad = [null, {}, { name: 1 }, cookie({ domain: "" })] as unknown as CookieInfo[];
    expect(() => explainCookies(ex({ url: "::" }), bad, ctx())).not.toThrow();
    expect(() => explainCookies(ex(), bad, ctx({ topLevelSite: "garbage" }))).not.toThrow();
    expect(explainCookies(ex({ url: "ftp://x/y" }), [cookie()], ctx()).verdicts).toEqual([]);
  });
});

describe("checkSetCookie: one test per rule", () => {
  const codes = (e: Exchange, c: Partial<CookieContext> = { topLevelSite: APP }) => checkSetCookie(e, c).map((f) => f.code);
  const same = (setCookie: string | string[], url = "https://api.example.com/x") => ex({ url, response: { "set-cookie": setCookie } });

  test("SameSite=None without Secure", () => {
    const f = checkSetCookie(same("a=1; SameSite=None"), { topLevelSite: APP });
    expect(f.map((x) => x.code)).toEqual(["SameSiteNoneInsecure"]);
    expect(f[0]).toMatchObject({ severity: "rejected", name: "a", hop: 0 });
    expect(f[0]!.fix).toMatch(/Secure/);
  });
  test("Secure over http", () => {
    expect(codes(same("a=1; Secure; SameSite=Lax", "http://api.example.com/x"), { topLevelSite: "http://app.example.com" })).toEqual(["SecureOverHttp"]);
  });
  test("Secure over http://localhost is fine", () => {
    expect(codes(ex({ url: "http://api.localhost/x", origin: "http://api.localhost", response: { "set-cookie": "a=1; Secure" } }), { topLevelSite: "http://api.localhost" })).toEqual([]);
  });
  test("__Secure- prefix without Secure", () => {
    expect(codes(same("__Secure-a=1; SameSite=Lax"))).toEqual(["SecurePrefixInvalid"]);
  });
  test("__Host- prefix with Domain and another Path", () => {
    const f = checkSetCookie(same("__Host-a=1; Secure; Domain=example.com; Path=/app"), { topLevelSite: APP });
    expect(f.map((x) => x.code)).toEqual(["HostPrefixInvalid"]);
    expect(f[0]!.message).toMatch(/no Domain attribute, Path=\//);
  });
  test("a valid __Host- cookie passes", () => {
    expect(codes(same("__Host-a=1; Secure; Path=/; SameSite=Lax"))).toEqual([]);
  });
  test("Partitioned without Secure", () => {
    expect(codes(same("a=1; Partitioned; SameSite=Lax"))).toEqual(["PartitionedInsecure"]);
  });
  test("Domain not covering the host", () => {
    const f = checkSetCookie(same("a=1; Domain=evil.com; SameSite=Lax"), { topLevelSite: APP });
    expect(f.map((x) => x.code)).toEqual(["DomainMismatch"]);
    expect(f[0]!.fix).toMatch(/Domain=example\.com/);
  });
  test("Domain of a parent passes", () => {
    expect(codes(same("a=1; Domain=.example.com; SameSite=Lax"))).toEqual([]);
  });
  test("SameSite=Lax (or none given, in Chrome) on a cross-site response", () => {
    expect(codes(ex({ response: { "set-cookie": "a=1; Secure; SameSite=Lax" } }))).toEqual(["SameSiteCrossSite"]);
    expect(codes(ex({ response: { "set-cookie": "a=1; Secure" } }))).toEqual(["SameSiteCrossSite"]);
  });
  test("unpartitioned SameSite=None on a cross-site response: third-party warning", () => {
    const f = checkSetCookie(ex({ response: { "set-cookie": "a=1; Secure; SameSite=None" } }), { topLevelSite: APP });
    expect(f.map((x) => [x.code, x.severity])).toEqual([["ThirdPartyUnpartitioned", "warning"]]);
    expect(codes(ex({ response: { "set-cookie": "a=1; Secure; SameSite=None; Partitioned" } }))).toEqual([]);
  });
  test("a response to a request without credentials stores no cookie", () => {
    const f = checkSetCookie(ex({ credentials: "same-origin", response: { "set-cookie": "a=1; Secure; SameSite=None" } }), { topLevelSite: APP });
    expect(f.map((x) => [x.code, x.severity])).toEqual([["NotCredentialed", "ignored"]]);
  });
  test("unknown credentials with a Cookie on the wire count as credentialed", () => {
    expect(codes(ex({ credentials: "unknown", cookie: "s=1", response: { "set-cookie": "a=1; SameSite=None" } }))).toEqual(["SameSiteNoneInsecure"]);
  });
  test("Set-Cookie on a preflight is ignored", () => {
    expect(codes(ex({ preflight: { "set-cookie": "a=1; Secure; SameSite=None; Partitioned" } }))).toEqual(["OnPreflight"]);
  });
  test("several lines, Firefox's newline-joined form, and junk", () => {
    const e = same(["a=1; SameSite=None", "b=2; Secure; SameSite=None\nc=3; Partitioned; SameSite=Lax", "junk", ""]);
    expect(codes(e)).toEqual(["SameSiteNoneInsecure", "PartitionedInsecure"]);
  });
  test("messages never carry the value", () => {
    const f = checkSetCookie(same("a=TOPSECRET; SameSite=None; Partitioned; Domain=x.org"), { topLevelSite: APP });
    expect(f.length).toBeGreaterThan(1);
    expect(JSON.stringify(f)).not.toContain("TOPSECRET");
  });
  test("parseSetCookie", () => {
    const p = parseSetCookie(" a = 1 ; Path=/x; SECURE; SameSite=none")!;
    expect(p.name).toBe("a");
    expect([...p.attributes]).toEqual([["path", "/x"], ["secure", ""], ["samesite", "none"]]);
    expect(parseSetCookie("novalue")).toBeNull();
  });
});

describe("cookieFixNote: the cookie said up front in the Fix", () => {
  const ME = "https://api.example.com/me";
  const base = (over: Partial<Exchange["request"]> = {}): Exchange => exchange({
    id: "c", url: ME, method: "GET", origin: "https://app.example.org", headers: {}, sentHeaders: { accept: "*/*" },
    hops: [hop({ url: ME, response: response(200, cors({ origin: "*" })) })], browserError: "net::ERR_FAILED", ...over,
  });
  test("credentialed, cross-site, no cookie sent: why the session cookie stays home, and the Set-Cookie change", () => {
    const ex = base();
    const n = cookieFixNote(ex, diagnose(ex))!;
    expect(n.text).toContain("Lax by default");
    expect(n.text).toContain("Partitioned");
    expect(n.setCookie).toBe("Set-Cookie: sid=…; Path=/; HttpOnly; SameSite=None; Secure; Partitioned");
  });
  test("not when a cookie went, when the page is same-site, or without credentials", () => {
    const withCookie = base({ sentHeaders: { cookie: "sid=1" } });
    expect(cookieFixNote(withCookie, diagnose(withCookie))).toBeNull();
    const sameSite = base({ origin: "https://app.example.com" });
    expect(cookieFixNote(sameSite, diagnose(sameSite))).toBeNull();
    const omit = base({ credentials: "omit" });
    expect(cookieFixNote(omit, diagnose(omit))).toBeNull();
  });
});
