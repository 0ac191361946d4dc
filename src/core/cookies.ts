// "Why was my cookie not sent?": which cookies of the browser's jar a credentialed cross-origin request
// carried, which it did not and why; and which Set-Cookie lines of its responses the browser rejects.
// Pure: the jar is read by the panel (src/platform/panel.ts) and passed in. Cookie VALUES never appear
// in anything this module returns (names, domains and paths are not secrets; values are).
//
// Rules: RFC 6265bis (https://datatracker.ietf.org/doc/draft-ietf-httpbis-rfc6265bis/) §5.1.3 domain
// match, §5.1.4 path match, §5.4 cookie prefixes, §5.8 SameSite ("schemeful same-site": the scheme is part
// of the site, https://web.dev/articles/schemeful-samesite); registrable domains from the Public Suffix List
// (tldts); CHIPS (Partitioned, https://developer.chrome.com/docs/privacy-sandbox/chips). Chromium differences
// are noted where they apply: a cookie without SameSite is treated as Lax ("Lax by default",
// https://chromestatus.com/feature/5088147346030592), Firefox treats it as None.
import { getDomain, parse as parseHost } from "tldts";
import { headerValue } from "./fetch";
import type { CredentialsMode, Diagnosis, Exchange, Headers } from "./types";

/** One cookie as chrome.cookies / browser.cookies describe it (the value is carried but never shown here). */
export interface CookieInfo {
  name: string;
  value?: string;
  /** As the browser reports it: "api.example.com" (host-only) or ".example.com" (Domain attribute). */
  domain: string;
  hostOnly: boolean;
  path: string;
  secure: boolean;
  httpOnly?: boolean;
  sameSite: "no_restriction" | "lax" | "strict" | "unspecified";
  /** CHIPS: the top-level site the cookie is partitioned under; absent or null for an unpartitioned cookie. */
  partitionKey?: { topLevelSite?: string; hasCrossSiteAncestor?: boolean } | null;
}

export interface CookieContext {
  /** The schemeful site ("https://example.com") or URL of the inspected tab's top-level page; null when unknown. */
  topLevelSite: string | null;
  /** The browser's third-party cookie setting when known; absent: inferred from what went on the wire. */
  thirdPartyBlocked?: boolean;
  /** The credentials mode the diagnosis settled on (explicit or inferred). Defaults to the exchange's. */
  credentials?: CredentialsMode;
  /** Whose rules for a cookie without SameSite: Chromium's Lax-by-default (default) or Firefox's None. */
  browser?: "chrome" | "firefox";
}

export type CookieReason =
  | "sent"
  | "not-credentialed"
  | "domain-mismatch"
  | "path-mismatch"
  | "secure-over-http"
  | "partitioned-elsewhere"
  | "same-site-strict"
  | "same-site-lax"
  | "same-site-lax-by-default"
  | "third-party-blocked"
  | "set-by-this-response"
  | "not-sent-unexplained";

export interface CookieVerdict {
  name: string;
  domain: string;
  path: string;
  /** The partition's top-level site, or null for an unpartitioned cookie. */
  partition: string | null;
  /** Whether it went with the request: from the recorded Cookie header when there is one, else predicted. */
  sent: boolean;
  /** "wire": the recorded Cookie header says so; "predicted": no Cookie header was recorded; "likely": an inference. */
  certainty: "wire" | "predicted" | "likely";
  reason: CookieReason;
  explanation: string;
  fix: string | null;
}

export interface CookieReport {
  /** The request URL the cookies were matched against (the first hop). */
  url: string;
  crossSite: boolean;
  /** "https://api.example.com is cross-site to https://app.example.com" and the like. */
  siteNote: string;
  /** What is known of third-party cookies for this request. */
  thirdParty: "blocked" | "allowed" | "likely-blocked" | "likely-allowed" | "not-applicable" | "unknown";
  thirdPartyNote: string;
  /** Whether the recorded request headers include the Cookie line (so "sent" is a fact, not a prediction). */
  wire: boolean;
  verdicts: CookieVerdict[];
}

// ---- Sites ----
// "Site" means one thing here: HTML's schemeful site, scheme + registrable domain
// (https://html.spec.whatwg.org/multipage/browsers.html#same-site), what SameSite and CHIPS partitions compare.
// src/shared/sites.ts holds capture host patterns, which are not sites.

/**
 * Hosts as URL.hostname and the cookie jar give them, so tldts neither re-parses them as URLs nor refuses host
 * names browsers accept (api-.example.com). The PSL's private section counts: browsers use it for sites and
 * cookie domains (Chromium: INCLUDE_PRIVATE_REGISTRIES), so a.github.io and b.github.io are different sites.
 */
const PSL = { allowPrivateDomains: true, extractHostname: false, validateHostname: false } as const;

function normalHost(host: string): string {
  return host.toLowerCase().replace(/\.$/, "");
}

/** An IPv4 address or a bracketed IPv6 one ("[::1]", as URL.hostname writes it). */
function isIp(host: string): boolean {
  return parseHost(host, PSL).isIp === true;
}

/**
 * The registrable domain (eTLD+1 by the Public Suffix List, https://publicsuffix.org/) of a host; the host
 * itself when it has none (an IP, a single label such as localhost, a public suffix itself), as HTML's
 * "obtain a site" does. A TLD the PSL does not list (app.test) is its own suffix (the PSL's "*" rule).
 */
export function registrableDomain(host: string): string {
  const h = normalHost(host);
  return getDomain(h, PSL) ?? h;
}

/**
 * The domain to list a host's cookies by (cookies.getAll({domain}) returns that domain's and its sub-domains'):
 * its registrable domain, the widest Domain a cookie for the host can have, so a parent's cookies are listed too.
 */
export function jarDomain(host: string): string {
  return registrableDomain(host);
}

/** The schemeful site: "https://example.com" for "https://api.example.com:8443/x"; null for an opaque or unparsable origin/URL. */
export function schemefulSite(urlOrSite: string | null | undefined): string | null {
  if (!urlOrSite || urlOrSite === "null") return null;
  let u: URL;
  try {
    u = new URL(urlOrSite);
  } catch {
    return null;
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") return null;
  return `${u.protocol}//${registrableDomain(u.hostname)}`;
}

/** http://localhost, *.localhost and loopback IPs are secure contexts: Chromium and Firefox allow Secure cookies there. */
export function isPotentiallyTrustworthy(u: URL): boolean {
  if (u.protocol === "https:" || u.protocol === "wss:") return true;
  const h = u.hostname.toLowerCase();
  return h === "localhost" || h.endsWith(".localhost") || /^127\.\d+\.\d+\.\d+$/.test(h) || h === "[::1]";
}

// ---- Matching (RFC 6265bis §5.1.3, §5.1.4) ----

function cookieDomain(c: CookieInfo): string {
  return c.domain.toLowerCase().replace(/^\./, "");
}

/** The domain-match of §5.1.3 for a Domain cookie; exact equality for a host-only one. */
export function domainMatches(host: string, c: CookieInfo): boolean {
  const h = host.toLowerCase();
  const d = cookieDomain(c);
  if (h === d) return true;
  return !c.hostOnly && !isIp(h) && h.endsWith("." + d);
}

/** §5.1.4 path-match. */
export function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith("/") || requestPath[cookiePath.length] === "/";
}

/** Whether a cookie of the jar concerns this host at all (its domain is the host or a parent of it). */
function relevant(host: string, c: CookieInfo): boolean {
  const h = host.toLowerCase();
  const d = cookieDomain(c);
  return h === d || h.endsWith("." + d);
}

// ---- Evidence from the recorded request ----

/** Cookie names in the recorded Cookie header; null when no header was recorded or its value is masked/unreadable. */
export function sentCookieNames(sent: Headers | undefined): Set<string> | null {
  if (!sent) return null;
  const v = headerValue(sent, "cookie");
  if (v === null) return new Set();
  const names = new Set<string>();
  for (const part of v.split(/;\s*/)) {
    const i = part.indexOf("=");
    const name = (i < 0 ? part : part.slice(0, i)).trim();
    if (name) names.add(name);
  }
  // A masked or summarized value ("[masked]", "(2 cookies listed in request.cookies)") names nothing real.
  if (names.size === 1 && v.indexOf("=") < 0) return null;
  return names;
}

function credentialsOf(ex: Exchange, ctx: CookieContext): CredentialsMode {
  if (ctx.credentials) return ctx.credentials;
  if (ex.request.credentials !== "unknown") return ex.request.credentials;
  return headerValue(ex.request.sentHeaders, "cookie") !== null ? "include" : "same-origin";
}

const SAMESITE_FIX = "Set it with SameSite=None; Secure (the API must be served over https), or serve the API and the page from the same site (e.g. api.example.com under example.com), or proxy the API through the page's own origin.";
const PARTITIONED_FIX = "Add Partitioned to the cookie (SameSite=None; Secure; Partitioned): a partitioned (CHIPS) cookie is kept per top-level site and is sent even when third-party cookies are blocked; or serve the API from the page's own site.";

/**
 * Said up front in the Fix of a credentialed cross-site request that carried no cookie: the CORS
 * headers alone will not bring the session cookie, because a cross-site request only carries a
 * cookie set with SameSite=None; Secure (no SameSite means Lax, by default), and, where the browser
 * blocks third-party cookies, only a Partitioned one. Null when the question does not arise. The
 * cookie section (explainCookies, with the jar) names each cookie and its reason.
 */
export function cookieFixNote(ex: Exchange, d: Diagnosis): { text: string; setCookie: string } | null {
  if (d.credentials.mode !== "include") return null;
  const sent = sentCookieNames(ex.request.sentHeaders);
  if (sent === null || sent.size > 0) return null; // a cookie went, or the record cannot say
  const page = schemefulSite(ex.request.origin);
  const target = schemefulSite(ex.request.url);
  if (page === null || target === null || page === target) return null; // same-site: SameSite does not apply
  const https = /^https:/i.test(ex.request.url);
  return {
    text: "No cookie went with this request. Once the CORS headers are right the browser still will not send the session cookie " +
      "on this cross-site request unless it was set with SameSite=None; Secure: a cookie without SameSite is Lax by default, and Lax and " +
      "Strict cookies stay home on cross-site fetches. Where third-party cookies are blocked (Chrome's default for many users, " +
      "Safari and Firefox's strict mode) only a Partitioned cookie is sent." +
      (https ? "" : " Secure cookies need the API on https."),
    setCookie: "Set-Cookie: sid=…; Path=/; HttpOnly; SameSite=None; Secure; Partitioned",
  };
}

// ---- explainCookies ----

interface Verdict { sent: boolean; reason: CookieReason; explanation: string; fix: string | null }

export function explainCookies(ex: Exchange, jar: readonly CookieInfo[], ctx: CookieContext): CookieReport {
  const url = ex.request.url;
  let target: URL | null = null;
  try {
    target = new URL(url);
  } catch {
    target = null;
  }
  const empty = (note: string): CookieReport => ({
    url, crossSite: false, siteNote: note, thirdParty: "not-applicable", thirdPartyNote: "", wire: false, verdicts: [],
  });
  if (!target || (target.protocol !== "http:" && target.protocol !== "https:")) return empty("The request URL is not http(s): no cookies apply.");

  const host = target.hostname;
  const requestSite = schemefulSite(url)!;
  const originSite = schemefulSite(ex.request.origin);
  const topSite = schemefulSite(ctx.topLevelSite) ?? originSite;
  const secFetchSite = headerValue(ex.request.sentHeaders, "sec-fetch-site");
  // The browser's own verdict on the initiator wins (its copy of the Public Suffix List may differ from ours); the top-level site is ours.
  const initiatorCross = secFetchSite === "cross-site" ? true
    : secFetchSite === "same-site" || secFetchSite === "same-origin" ? false
    : originSite === null || originSite !== requestSite;
  const crossSite = initiatorCross || (topSite !== null && topSite !== requestSite);

  let siteNote: string;
  if (!crossSite) siteNote = `Same-site request: ${requestSite} is the site of the page${topSite && topSite !== originSite ? " and of the top-level page" : ""}.`;
  else if (originSite === null) siteNote = `Cross-site request: the page's origin is opaque ("null"), which is never same-site.`;
  else {
    const other = initiatorCross ? originSite : topSite!;
    const schemeOnly = other.replace(/^https?:/, "") === requestSite.replace(/^https?:/, "");
    siteNote = `Cross-site request: ${requestSite} is not the same site as ${initiatorCross ? "the page" : "the top-level page"} (${other}).`
      + (schemeOnly ? " Only the scheme differs: browsers compare sites with their scheme (\"schemeful same-site\"), so http and https of one domain are different sites." : "")
      + (secFetchSite === "cross-site" ? " The browser agreed (Sec-Fetch-Site: cross-site)." : "");
  }

  const mode = credentialsOf(ex, ctx);
  const sameOrigin = ex.request.origin !== "null" && ex.request.origin === target.origin;
  const credentialed = mode === "include" || (mode === "same-origin" && sameOrigin);
  const names = sentCookieNames(ex.request.sentHeaders);
  const wire = names !== null;
  const requestPath = target.pathname || "/";
  const laxDefault = (ctx.browser ?? "chrome") === "chrome";

  const cookies = jar.filter((c) => c && typeof c.name === "string" && typeof c.domain === "string" && relevant(host, c));

  // Third-party cookies: the setting, else evidence (an unpartitioned cookie that went cross-site proves them allowed).
  let thirdParty: CookieReport["thirdParty"] = "not-applicable";
  let thirdPartyNote = "";
  const eligible3p = (c: CookieInfo) => !c.partitionKey?.topLevelSite && domainMatches(host, c) && pathMatches(requestPath, c.path)
    && (!c.secure || isPotentiallyTrustworthy(target!))
    && (c.sameSite === "no_restriction" || (c.sameSite === "unspecified" && !laxDefault));
  if (crossSite && credentialed) {
    const candidates = cookies.filter(eligible3p);
    if (ctx.thirdPartyBlocked === true) {
      thirdParty = "blocked";
      thirdPartyNote = "The browser's settings block third-party cookies.";
    } else if (ctx.thirdPartyBlocked === false) {
      thirdParty = "allowed";
      thirdPartyNote = "The browser's settings allow third-party cookies.";
    } else if (wire && candidates.some((c) => names!.has(c.name))) {
      thirdParty = "likely-allowed";
      thirdPartyNote = "Third-party cookies are allowed for this site: an unpartitioned SameSite=None cookie went with this cross-site request.";
    } else if (wire && candidates.length > 0) {
      thirdParty = "likely-blocked";
      thirdPartyNote = "Third-party cookies are most likely blocked: every unpartitioned SameSite=None cookie that matches this request stayed home. "
        + "Chrome blocks them in Incognito and when the user (or policy) chooses so; Firefox and Safari partition or block them by default.";
    } else {
      thirdParty = "unknown";
      thirdPartyNote = "Whether third-party cookies are blocked cannot be told from this request (no cookie that would depend on it was recorded). "
        + "If they are, only Partitioned cookies go with cross-site requests.";
    }
  }

  const judge = (c: CookieInfo): Verdict => {
    const d = cookieDomain(c);
    if (!credentialed) {
      return { sent: false, reason: "not-credentialed",
        explanation: mode === "omit" ? "The request was made with credentials: 'omit': the browser sends no cookies."
          : "The request was made without credentials (fetch's default, credentials: 'same-origin', sends cookies only to the page's own origin).",
        fix: "Make the request with credentials: fetch(url, { credentials: 'include' }), or xhr.withCredentials = true; the server must then answer with Access-Control-Allow-Credentials: true and the exact origin." };
    }
    if (!domainMatches(host, c)) {
      return { sent: false, reason: "domain-mismatch",
        explanation: `A host-only cookie of ${d} (it was set without a Domain attribute): it goes to ${d} only, never to ${host}.`,
        fix: `Set it with Domain=${registrableDomain(d)} so that it also goes to sub-domains such as ${host}.` };
    }
    if (!pathMatches(requestPath, c.path)) {
      return { sent: false, reason: "path-mismatch",
        explanation: `Its Path is ${c.path}, and ${requestPath} is not under it (a path matches only the same path or one below it at a "/").`,
        fix: "Set it with Path=/ (or a path that covers this request)." };
    }
    if (c.secure && !isPotentiallyTrustworthy(target!)) {
      return { sent: false, reason: "secure-over-http",
        explanation: "It is a Secure cookie, and this request goes over plain http: Secure cookies go only over https (and to localhost).",
        fix: "Call the API over https." };
    }
    const part = c.partitionKey?.topLevelSite;
    if (part) {
      const partSite = schemefulSite(part) ?? part;
      if (topSite !== null && partSite !== topSite) {
        return { sent: false, reason: "partitioned-elsewhere",
          explanation: `A partitioned (CHIPS) cookie stored under the top-level site ${partSite}; this page's top-level site is ${topSite}, whose partition does not hold it.`,
          fix: `Partitioned cookies are per top-level site: have the API set it again while ${topSite} is the top-level page (the same Set-Cookie from a response to this page's request).` };
      }
    }
    if (crossSite) {
      if (c.sameSite === "strict") {
        return { sent: false, reason: "same-site-strict", explanation: "SameSite=Strict: the browser sends it only with same-site requests, and this one is cross-site.", fix: SAMESITE_FIX };
      }
      if (c.sameSite === "lax") {
        return { sent: false, reason: "same-site-lax", explanation: "SameSite=Lax: the browser sends it cross-site only with top-level navigations (clicking a link), never with fetch or XHR.", fix: SAMESITE_FIX };
      }
      if (c.sameSite === "unspecified" && laxDefault) {
        return { sent: false, reason: "same-site-lax-by-default",
          explanation: "It has no SameSite attribute, which Chrome treats as SameSite=Lax (\"Lax by default\"): not sent with cross-site fetch or XHR.", fix: SAMESITE_FIX };
      }
      if (!part && (thirdParty === "blocked" || thirdParty === "likely-blocked")) {
        return { sent: false, reason: "third-party-blocked",
          explanation: (thirdParty === "blocked" ? "" : "Likely: ") + "an unpartitioned cookie on a cross-site request is a third-party cookie, and the browser's settings block those.",
          fix: PARTITIONED_FIX };
      }
    }
    const caveat = crossSite && !part && thirdParty === "unknown" ? " It goes cross-site only while third-party cookies are allowed." : "";
    return { sent: true, reason: "sent", explanation: (crossSite ? "Matches this request, and nothing keeps it from a cross-site request." : "Matches this request.") + caveat,
      fix: caveat ? PARTITIONED_FIX : null };
  };

  // Names this exchange's responses set: in the jar now, but not when the request went.
  const setHere = new Set(ex.hops.flatMap((h) => setCookieLines(h.response?.headers)).map((l) => parseSetCookie(l)?.name).filter((n): n is string => !!n));
  const verdicts: CookieVerdict[] = cookies.map((c) => {
    const v = judge(c);
    const base = { name: c.name, domain: c.domain, path: c.path, partition: c.partitionKey?.topLevelSite ?? null };
    if (!wire) {
      return { ...base, ...v, certainty: v.reason === "third-party-blocked" && thirdParty !== "blocked" ? "likely" : "predicted" };
    }
    const onWire = names!.has(c.name);
    if (onWire === v.sent) return { ...base, ...v, certainty: v.reason === "third-party-blocked" && thirdParty !== "blocked" ? "likely" : "wire" };
    if (onWire) {
      // The wire wins: the jar was read later and may have changed (or another cookie has this name).
      return { ...base, sent: true, certainty: "wire", reason: "sent",
        explanation: `The recorded Cookie header carries a cookie named ${c.name}, although this one would not go (${v.explanation}) — another cookie may share the name, or the jar changed since the request.`,
        fix: null };
    }
    if (setHere.has(c.name)) {
      return { ...base, sent: false, certainty: "wire", reason: "set-by-this-response",
        explanation: "This exchange's response set it (Set-Cookie), after the request had gone: it goes with the next matching request.",
        fix: null };
    }
    return { ...base, sent: false, certainty: "wire", reason: "not-sent-unexplained",
      explanation: "It matches this request, yet the recorded Cookie header does not carry it. It may have been set after the request, or the site may have a cookie exception, or the browser dropped an oversized Cookie header.",
      fix: "Repeat the request and compare; the jar shown is read now, not at request time." };
  });
  verdicts.sort((a, b) => Number(a.sent) - Number(b.sent) || a.name.localeCompare(b.name));
  return { url, crossSite, siteNote, thirdParty, thirdPartyNote, wire, verdicts };
}

// ---- checkSetCookie ----

export type SetCookieCode =
  | "SameSiteNoneInsecure"
  | "SecureOverHttp"
  | "SecurePrefixInvalid"
  | "HostPrefixInvalid"
  | "PartitionedInsecure"
  | "DomainMismatch"
  | "SameSiteCrossSite"
  | "NotCredentialed"
  | "OnPreflight"
  | "ThirdPartyUnpartitioned";

export interface SetCookieFinding {
  code: SetCookieCode;
  /** The hop whose response (or preflight) carried the line. */
  hop: number;
  /** The cookie's name (never its value). */
  name: string;
  /** "rejected": not stored; "ignored": not stored because of how the request was made; "warning": stored, but will not go where expected. */
  severity: "rejected" | "ignored" | "warning";
  message: string;
  fix: string;
}

export interface ParsedSetCookie {
  name: string;
  attributes: Map<string, string>;
}

/** RFC 6265bis §5.6: the name and the attributes (lower-case names, last one wins); null for a line with no name=value. */
export function parseSetCookie(line: string): ParsedSetCookie | null {
  const parts = line.split(";");
  const nv = parts[0] ?? "";
  const eq = nv.indexOf("=");
  if (eq < 0) return null; // a nameless cookie ("=v" or "v"): rare, and nothing to check
  const name = nv.slice(0, eq).trim();
  const attributes = new Map<string, string>();
  for (const a of parts.slice(1)) {
    const i = a.indexOf("=");
    const key = (i < 0 ? a : a.slice(0, i)).trim().toLowerCase();
    if (key) attributes.set(key, i < 0 ? "" : a.slice(i + 1).trim());
  }
  return { name, attributes };
}

/** Set-Cookie lines of a header map: array items, and Firefox's newline-joined single value. */
function setCookieLines(h: Headers | null | undefined): string[] {
  if (!h) return [];
  const v = h["set-cookie"];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split("\n")).map((x) => x.trim()).filter(Boolean);
}

export function checkSetCookie(ex: Exchange, ctx: Partial<CookieContext> = {}): SetCookieFinding[] {
  const out: SetCookieFinding[] = [];
  const mode = credentialsOf(ex, { topLevelSite: null, ...ctx });
  const originSite = schemefulSite(ex.request.origin);
  const topSite = schemefulSite(ctx.topLevelSite ?? null) ?? originSite;
  const laxDefault = (ctx.browser ?? "chrome") === "chrome";
  ex.hops.forEach((hop, i) => {
    let u: URL;
    try {
      u = new URL(hop.url);
    } catch {
      return;
    }
    const host = u.hostname.toLowerCase();
    const secureContext = isPotentiallyTrustworthy(u);
    const site = schemefulSite(hop.url);
    const crossSite = originSite === null || site !== originSite || (topSite !== null && site !== topSite);
    const sameOrigin = ex.request.origin === u.origin;
    const credentialed = mode === "include" || (mode === "same-origin" && sameOrigin);
    for (const line of setCookieLines(hop.preflight?.headers)) {
      const c = parseSetCookie(line);
      if (!c) continue;
      out.push({ code: "OnPreflight", hop: i, name: c.name, severity: "ignored",
        message: `Set-Cookie ${c.name} on the preflight (OPTIONS) response is ignored: preflights are sent without credentials and their cookies are not stored.`,
        fix: "Set the cookie on the actual response (or on a same-site response such as the login page)." });
    }
    for (const line of setCookieLines(hop.response?.headers)) {
      const c = parseSetCookie(line);
      if (!c) continue;
      const a = c.attributes;
      const secure = a.has("secure");
      const sameSite = (a.get("samesite") ?? "").toLowerCase();
      const add = (code: SetCookieCode, severity: SetCookieFinding["severity"], message: string, fix: string) =>
        out.push({ code, hop: i, name: c.name, severity, message, fix });
      if (!credentialed) {
        add("NotCredentialed", "ignored",
          `Set-Cookie ${c.name} is ignored: the request was made without credentials, and a cross-origin response to such a request cannot store cookies.`,
          "Make the request with credentials: 'include' (XHR: withCredentials = true), and answer with Access-Control-Allow-Credentials: true and the exact origin.");
        continue;
      }
      let rejected = false;
      if (secure && !secureContext) {
        rejected = true;
        add("SecureOverHttp", "rejected", `Set-Cookie ${c.name} has Secure but came over plain http: the browser rejects it.`, "Serve the API over https (http://localhost is allowed).");
      }
      if (sameSite === "none" && !secure) {
        rejected = true;
        add("SameSiteNoneInsecure", "rejected", `Set-Cookie ${c.name} has SameSite=None without Secure: Chrome and Firefox reject it.`, `Add Secure: ${c.name}=…; SameSite=None; Secure (over https).`);
      }
      if (a.has("partitioned") && !secure) {
        rejected = true;
        add("PartitionedInsecure", "rejected", `Set-Cookie ${c.name} has Partitioned without Secure: the browser rejects it.`, "Add Secure (Partitioned cookies must be Secure; serve over https).");
      }
      if (/^__secure-/i.test(c.name) && (!secure || !secureContext)) {
        rejected = true;
        add("SecurePrefixInvalid", "rejected", `Set-Cookie ${c.name}: a __Secure- cookie must have Secure and come over https; the browser rejects it.`, "Add Secure and serve over https, or rename the cookie.");
      }
      if (/^__host-/i.test(c.name)) {
        const problems: string[] = [];
        if (!secure || !secureContext) problems.push("Secure over https");
        if (a.has("domain")) problems.push("no Domain attribute");
        if ((a.get("path") ?? "") !== "/") problems.push("Path=/");
        if (problems.length) {
          rejected = true;
          add("HostPrefixInvalid", "rejected", `Set-Cookie ${c.name}: a __Host- cookie needs ${problems.join(", ")}; the browser rejects it.`,
            "Send it as: " + `${c.name}=…; Secure; Path=/` + " (no Domain), over https.");
        }
      }
      const domainAttr = a.get("domain");
      if (domainAttr !== undefined && domainAttr !== "") {
        const d = domainAttr.toLowerCase().replace(/^\./, "");
        const matches = host === d || (!isIp(host) && host.endsWith("." + d));
        if (!matches) {
          rejected = true;
          add("DomainMismatch", "rejected", `Set-Cookie ${c.name} has Domain=${domainAttr}, which does not cover ${host}: the browser rejects it.`,
            `Use Domain=${registrableDomain(host)} (or drop Domain for a host-only cookie of ${host}).`);
        }
      }
      if (rejected) continue;
      if (crossSite) {
        const effective = sameSite === "none" || sameSite === "lax" || sameSite === "strict" ? sameSite : laxDefault ? "lax (default)" : "none";
        if (effective !== "none") {
          add("SameSiteCrossSite", "rejected",
            `Set-Cookie ${c.name} is SameSite=${effective === "lax (default)" ? "Lax (no SameSite attribute: Chrome's default)" : sameSite === "lax" ? "Lax" : "Strict"} on a response to a cross-site request: Chrome does not store it, and it would not be sent back cross-site either.`,
            `Send it with SameSite=None; Secure (over https)${a.has("partitioned") ? "" : ", plus Partitioned if third-party cookies may be blocked"}.`);
        } else if (!a.has("partitioned")) {
          add("ThirdPartyUnpartitioned", "warning",
            `Set-Cookie ${c.name} is an unpartitioned cookie set by a cross-site response: a third-party cookie, not stored where the browser blocks them (Chrome's Incognito and user setting, Safari; Firefox partitions it).`,
            "Add Partitioned (SameSite=None; Secure; Partitioned) to keep a per-top-level-site cookie that works with third-party cookies blocked, or serve the API from the page's site.");
        }
      }
    }
  });
  return out;
}
