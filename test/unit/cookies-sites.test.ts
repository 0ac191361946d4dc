// Sites by the Public Suffix List (tldts, private section included): a wrong registrable domain is a
// wrong cookie verdict, so each pair is checked as a site and through explainCookies / checkSetCookie /
// cookieFixNote. https://html.spec.whatwg.org/multipage/browsers.html#same-site, https://publicsuffix.org/
import {
  checkSetCookie, cookieFixNote, explainCookies, jarDomain, registrableDomain, schemefulSite,
  type CookieInfo,
} from "../../src/core/cookies";
import { diagnose } from "../../src/core/diagnose";
import type { Exchange } from "../../src/core/types";
import { exchange, response } from "../fixtures/exchange";

/** A credentialed GET from `page` to `api`/data; no request headers recorded unless `sent` is given. */
function fetchFrom(page: string, api: string, o: { setCookie?: string; sent?: Record<string, string> } = {}): Exchange {
  return exchange({
    id: "s", url: `${api}/data`, method: "GET", origin: new URL(page).origin, headers: {}, sentHeaders: o.sent,
    preflight: null, response: response(200, o.setCookie ? { "set-cookie": o.setCookie } : {}), browserError: null,
  });
}

/** A host-only cookie of `api`'s host. */
function cookieOf(api: string, o: Partial<CookieInfo> = {}): CookieInfo {
  const u = new URL(api);
  return { name: "sid", domain: u.hostname, hostOnly: true, path: "/", secure: u.protocol === "https:", sameSite: "lax", partitionKey: null, ...o };
}

// [page, API, same-site?, why]
const PAIRS: Array<[string, string, boolean, string]> = [
  ["https://a.github.io", "https://b.github.io", false, "github.io is a public suffix (PSL private section)"],
  ["https://a.example.co.uk", "https://b.example.co.uk", true, "both under example.co.uk"],
  ["https://x.co.uk", "https://y.co.uk", false, "co.uk is a public suffix"],
  ["https://bucket1.s3.amazonaws.com", "https://bucket2.s3.amazonaws.com", false, "s3.amazonaws.com is a public suffix (private section)"],
  ["http://127.0.0.1:3000", "http://localhost:8080", false, "an IP and a host name are different sites"],
  ["https://app.example.com", "https://api.example.com", true, "both under example.com"],
  ["http://app.example.com", "https://api.example.com", false, "schemeful: http and https of one domain differ"],
  ["https://app.example.com:8443", "https://example.com", true, "the port is not part of the site"],
  ["http://[::1]:3000", "http://[::1]:8080", true, "an IPv6 address is its own site, any port"],
  ["http://[::1]:3000", "http://127.0.0.1:3000", false, "two IPs are two sites"],
  ["http://127.0.0.1:3000", "http://127.0.0.2:3000", false, "IPs have no registrable domain"],
  ["http://app.localhost", "http://api.localhost", false, "localhost is not in the PSL: its implicit * rule makes it a suffix"],
  ["http://localhost:3000", "http://localhost:8080", true, "a single-label host is its own site"],
  ["https://www.app.test", "https://api.app.test", true, "an unlisted TLD is a suffix by the PSL's * rule"],
];

describe("schemeful same-site by the Public Suffix List", () => {
  test.each(PAIRS)("%s vs %s: same-site %s (%s)", (page, api, same) => {
    expect(schemefulSite(page) === schemefulSite(api)).toBe(same);
  });

  test("registrable domains: eTLD+1, private suffixes, IPs and single labels as themselves", () => {
    expect(registrableDomain("a.github.io")).toBe("a.github.io");
    expect(registrableDomain("github.io")).toBe("github.io"); // a public suffix itself: the host is the site
    expect(registrableDomain("bucket1.s3.amazonaws.com")).toBe("bucket1.s3.amazonaws.com");
    expect(registrableDomain("a.b.example.co.uk")).toBe("example.co.uk");
    expect(registrableDomain("x.co.uk")).toBe("x.co.uk");
    expect(registrableDomain("my-app.vercel.app")).toBe("my-app.vercel.app");
    expect(registrableDomain("localhost")).toBe("localhost");
    expect(registrableDomain("[::1]")).toBe("[::1]");
    expect(registrableDomain("[2001:db8::1]")).toBe("[2001:db8::1]");
    expect(registrableDomain("192.168.0.10")).toBe("192.168.0.10");
    expect(registrableDomain("API.Example.COM.")).toBe("example.com");
    expect(registrableDomain("xn--bcher-kva.example.de")).toBe("example.de");
    // Host names browsers accept although they are not valid DNS names.
    expect(registrableDomain("my_app.example.com")).toBe("example.com");
    expect(registrableDomain("api-.example.com")).toBe("example.com");
  });

  test("schemeful sites keep IPv6 brackets and the scheme", () => {
    expect(schemefulSite("http://[::1]:3000/x")).toBe("http://[::1]");
    expect(schemefulSite("https://a.b.github.io/")).toBe("https://b.github.io");
    expect(schemefulSite("http://localhost:5173")).toBe("http://localhost");
  });

  test("jarDomain never widens past a public suffix", () => {
    expect(jarDomain("me.github.io")).toBe("me.github.io");
    expect(jarDomain("api.shop.example.co.uk")).toBe("example.co.uk");
    expect(jarDomain("[::1]")).toBe("[::1]");
  });
});

describe("cookie verdicts follow the site", () => {
  test.each(PAIRS)("%s -> %s: a SameSite=Lax cookie is kept home exactly when cross-site", (page, api, same) => {
    const r = explainCookies(fetchFrom(page, api), [cookieOf(api)], { topLevelSite: page });
    expect(r.crossSite).toBe(!same);
    expect(r.verdicts[0]).toMatchObject(same ? { sent: true, reason: "sent" } : { sent: false, reason: "same-site-lax" });
  });

  test("SameSite=Strict and no SameSite (Chrome's Lax by default) stay home cross-site under a private suffix", () => {
    const [page, api] = ["https://a.github.io", "https://b.github.io"];
    const r = explainCookies(fetchFrom(page, api), [cookieOf(api, { name: "s", sameSite: "strict" }), cookieOf(api, { name: "u", sameSite: "unspecified" })], { topLevelSite: page });
    expect(r.verdicts.map((v) => [v.name, v.reason])).toEqual([["s", "same-site-strict"], ["u", "same-site-lax-by-default"]]);
    expect(r.siteNote).toMatch(/https:\/\/b\.github\.io is not the same site as the page \(https:\/\/a\.github\.io\)/);
  });

  test("a Domain cookie of example.co.uk goes to a sibling sub-domain", () => {
    const [page, api] = ["https://a.example.co.uk", "https://b.example.co.uk"];
    const c = cookieOf(api, { domain: ".example.co.uk", hostOnly: false, sameSite: "strict" });
    expect(explainCookies(fetchFrom(page, api), [c], { topLevelSite: page }).verdicts[0]).toMatchObject({ sent: true, reason: "sent" });
  });

  test("http page, https API of the same domain: the note says only the scheme differs", () => {
    const r = explainCookies(fetchFrom("http://app.example.com", "https://api.example.com"), [cookieOf("https://api.example.com", { domain: ".example.com", hostOnly: false })], { topLevelSite: "http://app.example.com" });
    expect(r.verdicts[0]!.reason).toBe("same-site-lax");
    expect(r.siteNote).toMatch(/Only the scheme differs/);
  });

  test("the top-level page's site counts too: a same-site frame under a cross-site top level", () => {
    const r = explainCookies(fetchFrom("https://a.github.io", "https://a.github.io"), [cookieOf("https://a.github.io")], { topLevelSite: "https://b.github.io" });
    expect(r.crossSite).toBe(true);
    expect(r.verdicts[0]!.reason).toBe("same-site-lax");
  });

  test("checkSetCookie: SameSite=Lax from a cross-site response is not stored; from a same-site one it is", () => {
    const codes = (page: string, api: string) =>
      checkSetCookie(fetchFrom(page, api, { setCookie: "sid=1; Secure; SameSite=Lax" }), { topLevelSite: page }).map((f) => f.code);
    expect(codes("https://a.github.io", "https://b.github.io")).toEqual(["SameSiteCrossSite"]);
    expect(codes("https://bucket1.s3.amazonaws.com", "https://bucket2.s3.amazonaws.com")).toEqual(["SameSiteCrossSite"]);
    expect(codes("https://x.co.uk", "https://y.co.uk")).toEqual(["SameSiteCrossSite"]);
    expect(codes("https://a.example.co.uk", "https://b.example.co.uk")).toEqual([]);
    expect(codes("https://app.example.com", "https://api.example.com")).toEqual([]);
  });

  test("checkSetCookie: Domain= fixes name the registrable domain, never a public suffix", () => {
    const f = checkSetCookie(fetchFrom("https://a.github.io", "https://b.github.io", { setCookie: "sid=1; Secure; SameSite=None; Partitioned; Domain=evil.com" }), { topLevelSite: "https://a.github.io" });
    expect(f.map((x) => x.code)).toEqual(["DomainMismatch"]);
    expect(f[0]!.fix).toMatch(/Use Domain=b\.github\.io /);
  });

  test("cookieFixNote: said for a cross-site pair under a private suffix, not for a same-site one", () => {
    const note = (page: string, api: string) => {
      const e = fetchFrom(page, api, { sent: { accept: "*/*" } });
      return cookieFixNote(e, diagnose(e));
    };
    expect(note("https://a.github.io", "https://b.github.io")).not.toBeNull();
    expect(note("https://a.example.co.uk", "https://b.example.co.uk")).toBeNull();
  });
});
