// One engine model per browser: the same recorded exchange judged by each engine's own order of
// checks and its own rules, as its source reads and as the real engine was measured
// (test/e2e/engines.test.ts writes test/output/engine-observations.json; every lab run agrees).
//
// - Chromium (Chrome, Edge): diagnose(), the classifier (services/network/cors/*).
// - Gecko (Firefox ESR 153): netwerk/protocol/http/nsCORSListenerProxy.cpp, its reason keys and
//   templates from dom/locales/en-US/chrome/security/security.properties.
// - WebKit (Safari, WebKitGTK 2.50): Source/WebCore/loader/CrossOriginAccessControl.cpp,
//   CrossOriginPreflightResultCache.cpp, DocumentThreadableLoader.cpp and the network process's
//   NetworkLoadChecker.cpp / NetworkCORSPreflightChecker.cpp, whose error text is the console message.
//
// The verdicts come from the exchange alone: they never read browserError. Pure and total.
import { diagnose } from "./diagnose";
import {
  firstStep, isSafelistedMethod, isSafelistedRequestHeader, isToken, nextStep, originOf, parseUrl, scriptHeaders,
  trimOws, type FetchStep,
} from "./fetch";
import type { Diagnosis, Exchange, Headers, RequestMode, ResponseRecord } from "./types";

import type { EngineId } from "./preflight-cache";

export type { EngineId };

/** Chromium's CorsError name, as diagnose() gives it. */
export interface ChromeVerdict { blocked: boolean; code: string | null }
/**
 * Firefox's reason key without its version digit (CORSMissingAllowOrigin), the "Status code" its
 * message prints, and the quoted value where its message quotes one (an origin, a token, a header).
 */
export interface FirefoxVerdict { blocked: boolean; reason: string | null; status: number | null; value?: string | null }
/** Safari's (WebKit's) console message, e.g. "Preflight response is not successful. Status code: 401". */
export interface SafariVerdict { blocked: boolean; message: string | null }
export interface EngineVerdicts { chrome: ChromeVerdict; firefox: FirefoxVerdict; safari: SafariVerdict }

export const ENGINE_IDS: readonly EngineId[] = ["chrome", "firefox", "safari"];
export const ENGINE_NAMES: Record<EngineId, string> = { chrome: "Chrome", firefox: "Firefox", safari: "Safari" };

// ---- Preflight cache lifetimes: src/core/preflight-cache.ts -------------------------------------

export { effectiveMaxAge, maxAgeCap } from "./preflight-cache";

// ---- Header lines as each engine stores them ----------------------------------------------------

/** The recorded lines of one response header, in order, each trimmed of HTTP whitespace; null when absent. */
function headerLines(headers: Headers | null | undefined, name: string): { lines: string[]; keys: string[] } | null {
  if (!headers) return null;
  const lines: string[] = [];
  const keys: string[] = [];
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() !== name) continue;
    const v = headers[key];
    for (const line of Array.isArray(v) ? v : [v]) {
      lines.push(trimOws(String(line ?? "")));
      keys.push(key);
    }
  }
  return lines.length ? { lines, keys } : null;
}

/**
 * Gecko's nsHttpHeaderArray: repeated lines are merged with ", ", but merging an empty line is a
 * no-op and an empty first value is replaced without a separator (MergeHeader), so ["", "*"] reads
 * "*" and [origin, ""] reads origin. A lone empty line stays "" (an empty header, not a missing one:
 * measured, CORSAllowOriginNotMatchingOrigin quoting "").
 */
function geckoHeader(headers: Headers | null | undefined, name: string): string | null {
  const h = headerLines(headers, name);
  if (!h) return null;
  return h.lines.filter((l) => l !== "").join(", ");
}

/**
 * WebKit's HTTPHeaderMap (libsoup's message headers on WebKitGTK): names match ASCII
 * case-insensitively, repeated lines are joined with ", ", empty ones included.
 */
function webkitHeader(headers: Headers | null | undefined, name: string): string | null {
  const h = headerLines(headers, name);
  return h ? h.lines.join(", ") : null;
}

/**
 * How many Access-Control-Allow-Origin lines Gecko's CheckOriginHeader visitor counts: it compares
 * each original header name with EqualsLiteral("Access-Control-Allow-Origin"), case-sensitively.
 * A record whose names were lower-cased (the canonical exchange, every HAR reader) is read as sent
 * by an HTTP/1.1 server in that spelling; a record that kept the names' case is read as it is. Over
 * HTTP/2 and HTTP/3 every name is lower case on the wire, so Firefox never reports
 * CORSMultipleAllowOriginNotAllowed there, only CORSAllowOriginNotMatchingOrigin on the joined value.
 */
function geckoAcaoLineCount(headers: Headers | null | undefined): number {
  const h = headerLines(headers, "access-control-allow-origin");
  if (!h) return 0;
  const caseKept = h.keys.some((k) => k !== k.toLowerCase());
  return caseKept ? h.keys.filter((k) => k === "Access-Control-Allow-Origin").length : h.lines.length;
}

/**
 * A comma-separated list of tokens (Access-Control-Allow-Methods / -Headers): items trimmed, empty
 * items skipped; `bad` is the first item that is not a token. Gecko (nsCCharSeparatedTokenizer +
 * NS_IsValidHTTPToken) and WebKit (HTTPParsers.h parseAccessControlAllowList) parse it alike.
 */
function tokenList(value: string | null): { items: string[]; bad: string | null } {
  const items: string[] = [];
  if (value === null) return { items, bad: null };
  for (const raw of value.split(",")) {
    const item = raw.replace(/^[ \t\r\n\f]+|[ \t\r\n\f]+$/g, "");
    if (item === "") continue;
    if (!isToken(item)) return { items, bad: item };
    items.push(item);
  }
  return { items, bad: null };
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

function redirectLocation(res: ResponseRecord): string | null {
  if (!REDIRECT_STATUSES.has(res.status)) return null;
  const h = headerLines(res.headers, "location");
  const loc = h ? h.lines[0]! : "";
  return loc ? loc : null;
}

function resolveUrl(loc: string, base: string): URL | null {
  try {
    return new URL(loc, base);
  } catch {
    return null;
  }
}

const isHttp = (u: URL | string): boolean => /^https?:/i.test(typeof u === "string" ? u : u.protocol);
const hasUserinfo = (u: URL): boolean => u.username !== "" || u.password !== "";

function schemeOf(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:)/i.exec(url);
  return m ? m[1]!.toLowerCase() : "";
}

function withoutUserinfo(u: URL): string {
  const c = new URL(u.href);
  c.username = "";
  c.password = "";
  return c.href;
}

function isSuccessful(status: number): boolean {
  return status >= 200 && status <= 299;
}

// ---- The walk ------------------------------------------------------------------------------------

/** Where a check runs, as an engine sees it. */
interface At {
  step: FetchStep;
  include: boolean;
  mode: RequestMode;
  /** The method and script headers of the request as the script made it (hop 0). */
  original: FetchStep;
  /** The request's method was rewritten to GET by a 301/302/303 on the way. */
  rewritten: boolean;
  /** Some earlier hop of this exchange was preflighted. */
  preflighted: boolean;
}

interface Rules<V> {
  pass: V;
  /** Mode "same-origin" and a cross-origin `url` (the first hop's, or a redirect's target). */
  sameOriginMode(at: At, url: string, redirected: boolean): V;
  /** A CORS request to a scheme that is not http(s) (data: is fine everywhere). */
  scheme(at: At, url: string): V;
  needsPreflight(at: At): boolean;
  preflight(pre: ResponseRecord, at: At): V | null;
  /** A redirect answering the request (cors or not so far); `next` is the resolved Location. */
  redirect(res: ResponseRecord, at: At, next: URL): V | null;
  actual(res: ResponseRecord, at: At): V | null;
}

function walk<V>(ex: Exchange, include: boolean, rules: Rules<V>): V {
  const req = ex.request;
  const hops = ex.hops;
  const start = parseUrl(hops[0]?.url ?? req.url)?.href ?? hops[0]?.url ?? req.url;
  const original = firstStep({ ...req, url: start });
  let step = original;
  let rewritten = false;
  let preflighted = false;
  for (let i = 0; i < hops.length; i++) {
    const hop = hops[i]!;
    const at: At = { step, include, mode: req.mode, original, rewritten, preflighted };
    if (step.cors) {
      if (req.mode === "same-origin") return rules.sameOriginMode(at, step.url, i > 0);
      if (req.mode === "no-cors") return rules.pass;
      if (!isHttp(step.url) && !/^data:/i.test(step.url)) return rules.scheme(at, step.url);
      if (rules.needsPreflight(at)) {
        preflighted = true;
        if (hop.preflight) {
          const v = rules.preflight(hop.preflight, at);
          if (v !== null) return v;
        } else if (!hop.preflightCached && !hop.response) {
          return rules.pass; // the record stops before the preflight's answer
        }
      }
    }
    const res = hop.response;
    if (!res) return rules.pass;
    const loc = redirectLocation(res);
    if (loc !== null) {
      const next = resolveUrl(loc, step.url);
      if (!next) return rules.pass;
      const v = rules.redirect(res, at, next);
      if (v !== null) return v;
      // Mode "same-origin" refuses a redirect to another origin before it is requested.
      if (req.mode === "same-origin" && !step.cors && originOf(next.href) !== step.pageOrigin) {
        return rules.sameOriginMode(at, next.href, true);
      }
      if (i === hops.length - 1) return rules.pass; // the next hop was not recorded
      const nextUrl = parseUrl(hops[i + 1]!.url)?.href ?? hops[i + 1]!.url;
      const before = step.method;
      step = nextStep(step, nextUrl, res.status);
      if (step.method !== before) rewritten = true;
      continue;
    }
    if (step.cors) return rules.actual(res, at) ?? rules.pass;
    return rules.pass;
  }
  return rules.pass;
}

// ---- Gecko (Firefox) -----------------------------------------------------------------------------

const ff = (reason: string, status: number | null = null, value: string | null = null): FirefoxVerdict =>
  ({ blocked: true, reason, status, value });

/**
 * nsCORSListenerProxy::CheckRequestApproved, in its order: several ACAO lines
 * (CORSMultipleAllowOriginNotAllowed), none (CORSMissingAllowOrigin, with the status), `*` with
 * credentials (CORSNotSupportingCredentials), then an exact string compare with the Origin's
 * serialization — no URL parsing, so a list, "null" or garbage are all CORSAllowOriginNotMatchingOrigin
 * quoting the value — then Access-Control-Allow-Credentials must be exactly "true".
 */
function geckoAccess(res: ResponseRecord, origin: string, include: boolean): FirefoxVerdict | null {
  if (geckoAcaoLineCount(res.headers) > 1) return ff("CORSMultipleAllowOriginNotAllowed");
  const acao = geckoHeader(res.headers, "access-control-allow-origin");
  if (acao === null) return ff("CORSMissingAllowOrigin", res.status);
  if (include && acao === "*") return ff("CORSNotSupportingCredentials");
  if ((include || acao !== "*") && acao !== origin) return ff("CORSAllowOriginNotMatchingOrigin", null, acao);
  if (include && geckoHeader(res.headers, "access-control-allow-credentials") !== "true") return ff("CORSMissingAllowCredentials");
  return null;
}

const BODY_HEADERS = new Set(["content-encoding", "content-language", "content-location", "content-type"]);

/**
 * Firefox's preflight header list: the loadInfo's CORS-unsafe headers of the request as the script
 * made it, kept across redirects (nsCORSListenerProxy::CheckPreflightNeeded reads
 * loadInfo->CorsUnsafeHeaders(); a POST rewritten to GET passes StripRequestBodyHeader, which drops
 * the body's headers from the list but not the preflight itself).
 */
function geckoPreflightHeaders(at: At): string[] {
  const list = at.original.unsafeHeaders;
  return at.rewritten ? list.filter((h) => !BODY_HEADERS.has(h)) : list;
}

/** Unknown schemes get a channel that is not HTTP (CORSRequestNotHttp); these fail before that. */
const GECKO_REFUSED_SCHEMES = new Set(["data:", "file:", "ws:", "wss:", "about:", "blob:", "javascript:", "resource:", "chrome:", "moz-extension:", "view-source:"]);

const GECKO: Rules<FirefoxVerdict> = {
  pass: { blocked: false, reason: null, status: null, value: null },
  // nsContentSecurityManager refuses a cross-origin URL in mode "same-origin" with a "Security Error:
  // Content at … may not load data from …" console error, which is not a CORS message.
  sameOriginMode: () => GECKO.pass,
  // A CORS load of a non-HTTP channel: nsCORSListenerProxy::CheckPreflightNeeded logs CORSRequestNotHttp.
  scheme: (_at, url) => (GECKO_REFUSED_SCHEMES.has(schemeOf(url)) ? ff("CORSDidNotSucceed") : ff("CORSRequestNotHttp")),
  // nsCORSListenerProxy::CheckPreflightNeeded: a method other than GET/HEAD/POST, or CORS-unsafe
  // headers (the original request's); and nsHttpChannel::SetupReplacementChannel carries the
  // preflight requirement over to every redirected channel (measured: a 303 PUT→GET and a 301
  // JSON POST→GET are preflighted again; Chromium preflights neither).
  needsPreflight: (at) => at.preflighted || !isSafelistedMethod(at.step.method) || at.original.unsafeHeaders.length > 0,
  preflight(pre, at) {
    // The preflight channel is opened with its own nsCORSListenerProxy whose principal is the
    // loading principal: its Origin and its ACAO check use the page's origin even after a
    // cross-origin redirect tainted the request's Origin to "null" (measured; Chromium and WebKit
    // send and check "null"). Its credentials flag is the request's (SEC_COOKIES_INCLUDE).
    const origin = at.step.pageOrigin;
    // A 3xx with a Location reaches nsCORSListenerProxy::AsyncOnChannelRedirect first, which runs
    // CheckRequestApproved on it (so ACAC missing on a credentialed 3xx is CORSMissingAllowCredentials),
    // then nsCORSPreflightListener::AsyncOnChannelRedirect refuses it: CORSExternalRedirectNotAllowed.
    // Chromium refuses the redirect before any header (PreflightDisallowedRedirect).
    const access = geckoAccess(pre, origin, at.include);
    if (access) return access;
    if (redirectLocation(pre) !== null) return ff("CORSExternalRedirectNotAllowed");
    // nsCORSPreflightListener::CheckPreflightRequestApproved: the status (GetRequestSucceeded, 2xx)
    // after the access check, as in Chromium.
    if (!isSuccessful(pre.status)) return ff("CORSPreflightDidNotSucceed", pre.status);
    // Access-Control-Allow-Methods is parsed and matched before Access-Control-Allow-Headers is even
    // read (Chromium and WebKit parse both lists first): a disallowed method with an unparsable
    // ACAH is CORSMethodNotFound here, InvalidAllowHeadersPreflightResponse in Chromium.
    const methods = tokenList(geckoHeader(pre.headers, "access-control-allow-methods"));
    if (methods.bad !== null) return ff("CORSInvalidAllowMethod", null, methods.bad);
    const method = at.step.method;
    // Case-sensitive Equals; `*` only without credentials.
    const found = isSafelistedMethod(method) || methods.items.some((m) => (m === "*" && !at.include) || m === method);
    if (!found) return ff("CORSMethodNotFound");
    const headers = tokenList(geckoHeader(pre.headers, "access-control-allow-headers"));
    if (headers.bad !== null) return ff("CORSInvalidAllowHeader", null, headers.bad);
    const wildcard = !at.include && headers.items.includes("*");
    const named = new Set(headers.items.filter((h) => !(h === "*" && !at.include)).map((h) => h.toLowerCase()));
    // The list is lower-cased and sorted (StartCORSPreflight), so the first missing one in that order is named.
    for (const name of geckoPreflightHeaders(at)) {
      if (wildcard && name !== "authorization") continue;
      // network.cors_preflight.authorization_covered_by_wildcard (on in 153): `*` still covers
      // Authorization, with the CORSAllowHeaderFromPreflightDeprecation warning.
      if (wildcard && name === "authorization" && !named.has("authorization")) continue;
      if (!named.has(name)) return ff("CORSMissingAllowHeaderFromPreflight", null, name);
    }
    return null;
  },
  redirect(res, at, next) {
    // AsyncOnChannelRedirect: CheckRequestApproved on the redirect once the request has been
    // cross-site, with the current (possibly tainted) Origin.
    if (at.step.cors) {
      const access = geckoAccess(res, at.step.origin, at.include);
      if (access) return access;
    }
    // Only a cors-mode load has an nsCORSListenerProxy (same-origin mode is refused by
    // nsContentSecurityManager, no-cors is never checked), and a redirect that stays on the page's
    // origin is not a CORS load (UpdateChannel returns before its checks).
    if (at.mode !== "cors") return null;
    const crossSite = at.step.cors || originOf(next.href) !== at.step.pageOrigin || at.step.pageOrigin === "null";
    if (!crossSite) return null;
    if (!isHttp(next)) return GECKO.scheme(at, next.href);
    // UpdateChannel, mIsRedirect: userinfo in the new URI fails with NS_ERROR_DOM_BAD_URI and no
    // reason of its own, so only the generic CORSDidNotSucceed ("Status code: (null)") is logged.
    // Chromium names it (RedirectContainsCredentials) in cors mode; outside it Chromium's renderer
    // refuses the redirect itself, not as CORS ("blocked:origin": diagnose.ts).
    if (hasUserinfo(next)) return ff("CORSDidNotSucceed");
    return null;
  },
  actual: (res, at) => geckoAccess(res, at.step.origin, at.include),
};

// ---- WebKit (Safari) -----------------------------------------------------------------------------

const sf = (message: string): SafariVerdict => ({ blocked: true, message });

/**
 * CrossOriginAccessControl.cpp passesAccessControlCheck: `*` passes without credentials; anything
 * else must equal the origin's serialization, else (in this order) `*` → the wildcard message, a
 * comma anywhere → "cannot contain more than one origin", else the origin message with the status
 * (a missing header is this last one: WebKit never says "missing"). Then ACAC must be exactly "true".
 */
function webkitAccess(res: ResponseRecord, origin: string, include: boolean): string | null {
  const acao = webkitHeader(res.headers, "access-control-allow-origin") ?? "";
  if (acao === "*" && !include) return null;
  if (acao !== origin) {
    if (acao === "*") return "Cannot use wildcard in Access-Control-Allow-Origin when credentials flag is true.";
    if (acao.includes(",")) return "Access-Control-Allow-Origin cannot contain more than one origin.";
    return `Origin ${origin} is not allowed by Access-Control-Allow-Origin. Status code: ${res.status}`;
  }
  if (include && webkitHeader(res.headers, "access-control-allow-credentials") !== "true") {
    return "Credentials flag is true, but Access-Control-Allow-Credentials is not \"true\".";
  }
  return null;
}

/**
 * Request header names WebKit knows (HTTPHeaderNames.in, the ones a script may set): the
 * HTTPHeaderMap keeps them apart from other names and iterates them first, under their canonical
 * spelling. That order and spelling is what "Request header field … is not allowed" names.
 */
const WEBKIT_COMMON_HEADERS = new Map([
  "Accept", "Accept-Language", "Accept-Ranges", "Authorization", "Cache-Control", "Content-Disposition",
  "Content-Encoding", "Content-Language", "Content-Location", "Content-Range", "Content-Security-Policy",
  "Content-Type", "Default-Style", "ETag", "Expires", "If-Match", "If-Modified-Since", "If-None-Match", "If-Range",
  "If-Unmodified-Since", "Last-Event-ID", "Last-Modified", "Link", "Location", "Ping-From", "Ping-To", "Pragma",
  "Priority", "Purpose", "Range", "Refresh", "Server", "Service-Worker", "Timing-Allow-Origin", "User-Agent",
  "Vary", "X-Content-Type-Options", "X-DNS-Prefetch-Control", "X-Frame-Options", "X-Requested-With", "X-XSS-Protection",
].map((n) => [n.toLowerCase(), n]));

/** The script's CORS-unsafe headers in WebKit's HTTPHeaderMap order and spelling. */
function webkitUnsafeHeaders(ex: Exchange): Array<{ lower: string; shown: string }> {
  const common: Array<{ lower: string; shown: string }> = [];
  const uncommon: Array<{ lower: string; shown: string }> = [];
  for (const [name, value] of scriptHeaders(ex.request.headers)) {
    const canonical = WEBKIT_COMMON_HEADERS.get(name);
    // isCrossOriginSafeRequestHeader needs a known name; the value rules are the Fetch standard's.
    if (canonical && isSafelistedRequestHeader(name, value)) continue;
    (canonical ? common : uncommon).push({ lower: name, shown: canonical ?? name });
  }
  return [...common, ...uncommon];
}

/** WTF's URL::stringCenterEllipsizedToLength (1024): a long URL keeps its two ends around "...". */
function centerEllipsized(url: string, length = 1024): string {
  if (url.length <= length) return url;
  const half = Math.floor((length - 3) / 2);
  return url.slice(0, half) + "..." + url.slice(url.length - half);
}

const redirectDenied = (next: URL, reason: string) =>
  sf(`Cross-origin redirection to ${withoutUserinfo(next)} denied by Cross-Origin Resource Sharing policy: ${reason}`);

function webkit(ex: Exchange): Rules<SafariVerdict> {
  const unsafe = webkitUnsafeHeaders(ex);
  const rules: Rules<SafariVerdict> = {
    pass: { blocked: false, message: null },
    sameOriginMode(at, url, redirected) {
      // DocumentThreadableLoader (the first request) / NetworkLoadChecker::continueCheckingRequest (a
      // redirect; its message ends in "\n", which the console line drops).
      if (!redirected) return sf("Cross origin requests are not allowed when using same-origin fetch mode.");
      // The URL as WebKit names it there: without the Location's user:password@ (WebKitGTK 2.50,
      // engines.test.ts's mode-same-origin/redirect-userinfo-to-cross-origin). `url` is a step's
      // href, already parsed.
      return sf(`Unsafe attempt to load URL ${centerEllipsized(withoutUserinfo(new URL(url)))} from origin ${at.step.pageOrigin}. Domains, protocols and ports must match.`);
    },
    // DocumentThreadableLoader::checkURLSchemeAsCORSEnabled; FTP is refused by the network layer first.
    scheme: (_at, url) => sf(/^ftp:/i.test(url) ? "FTP URLs are disabled" : "Cross origin requests are only supported for HTTP."),
    // NetworkLoadChecker::checkCORSRequest: m_isSimpleRequest turns false for good once a preflight
    // ran, and isSimpleCrossOriginAccessRequest reads m_originalRequestHeaders (the script's, never
    // stripped by a method change): a redirected request is preflighted again.
    needsPreflight: (at) => at.preflighted || !isSafelistedMethod(at.step.method) || unsafe.length > 0,
    preflight(pre, at) {
      // validatePreflightResponse: the status first, before any header (Chromium and Gecko check
      // ACAO/ACAC first). NetworkCORSPreflightChecker never follows a redirect and reports it with
      // the same text (willPerformHTTPRedirection).
      if (!isSuccessful(pre.status)) return sf(`Preflight response is not successful. Status code: ${pre.status}`);
      // The preflight is sent with the request's current origin, "null" once tainted (as Chromium).
      const access = webkitAccess(pre, at.step.origin, at.include);
      if (access) return sf(access);
      // CrossOriginPreflightResultCacheItem::create: both lists parse first, quoting the raw value.
      const acamRaw = webkitHeader(pre.headers, "access-control-allow-methods");
      const methods = tokenList(acamRaw);
      if (methods.bad !== null) return sf(`Header Access-Control-Allow-Methods has an invalid value: ${acamRaw}`);
      const acahRaw = webkitHeader(pre.headers, "access-control-allow-headers");
      const headers = tokenList(acahRaw);
      if (headers.bad !== null) return sf(`Header Access-Control-Allow-Headers has an invalid value: ${acahRaw}`);
      // validateMethodAndHeaders → allowsCrossOriginMethod: case-sensitive; `*` without credentials.
      const method = at.step.method;
      if (!isSafelistedMethod(method) && !methods.items.includes(method) && !(methods.items.includes("*") && !at.include)) {
        return sf(`Method ${method} is not allowed by Access-Control-Allow-Methods.`);
      }
      // validateCrossOriginHeaders: `*` without credentials covers every header, Authorization included
      // (Chromium's default agrees; the Fetch standard does not).
      const named = new Set(headers.items.map((h) => h.toLowerCase()));
      const wildcard = named.has("*") && !at.include;
      if (!wildcard) {
        const bad = unsafe.find((h) => !named.has(h.lower));
        if (bad) return sf(`Request header field ${bad.shown} is not allowed by Access-Control-Allow-Headers.`);
      }
      return null;
    },
    redirect(res, at, next) {
      // NetworkLoadChecker::checkRedirection: FTP is refused before anything else (measured: even a
      // redirect without CORS headers reads "FTP URLs are disabled").
      if (/^ftp:$/i.test(next.protocol)) return sf("FTP URLs are disabled");
      // validateResponse: the CORS check on the redirect once the request is cross-origin.
      if (at.step.cors) {
        const access = webkitAccess(res, at.step.origin, at.include);
        if (access) return redirectDenied(next, access);
      }
      // validateCrossOriginRedirectionURL (cors mode, a cross-origin request or target): the scheme,
      // then the credentials (Chromium: the credentials first, and in every mode).
      if (at.mode === "cors" && (at.step.cors || originOf(next.href) !== at.step.pageOrigin || at.step.pageOrigin === "null")) {
        if (!isHttp(next)) return redirectDenied(next, "not allowed to follow a cross-origin CORS redirection with non CORS scheme");
        if (hasUserinfo(next)) return redirectDenied(next, `redirection URL ${next.href} has credentials`);
      }
      return null;
    },
    actual: (res, at) => {
      const access = webkitAccess(res, at.step.origin, at.include);
      return access ? sf(access) : null;
    },
  };
  return rules;
}

// ---- The verdicts ---------------------------------------------------------------------------------

/**
 * Each engine's verdict on one exchange. `chrome` is diagnose()'s result when the caller has it
 * already. The credentials mode is the exchange's, or the one diagnose() inferred.
 */
export function engineVerdicts(exchange: Exchange, chrome?: Diagnosis): EngineVerdicts {
  const d = chrome ?? diagnose(exchange);
  const mode = exchange.request.credentials === "unknown" ? d.credentials.mode : exchange.request.credentials;
  const include = mode === "include";
  return {
    chrome: { blocked: d.blocked, code: d.code },
    firefox: walk(exchange, include, GECKO),
    safari: walk(exchange, include, webkit(exchange)),
  };
}

// ---- Comparing verdicts ---------------------------------------------------------------------------

/** The check a verdict names, so that different engines' words for one check compare equal. */
type Check = string;

function chromeChecks(code: string): Check[] {
  const c = code.startsWith("Preflight") && !["PreflightInvalidStatus", "PreflightDisallowedRedirect"].includes(code)
    && !/PrivateNetwork|LocalNetwork/.test(code) ? code.slice("Preflight".length) : code;
  switch (c) {
    case "WildcardOriginNotAllowed": return ["wildcard"];
    case "MissingAllowOriginHeader": return ["acao-missing"];
    case "MultipleAllowOriginValues": return ["acao-multiple"];
    case "InvalidAllowOriginValue":
    case "AllowOriginMismatch": return ["acao-mismatch"];
    case "InvalidAllowCredentials": return ["acac"];
    case "PreflightInvalidStatus": return ["preflight-status"];
    case "PreflightDisallowedRedirect": return ["preflight-redirect"];
    case "InvalidAllowMethodsPreflightResponse": return ["acam-invalid"];
    case "InvalidAllowHeadersPreflightResponse": return ["acah-invalid"];
    case "MethodDisallowedByPreflightResponse": return ["method"];
    case "HeaderDisallowedByPreflightResponse": return ["header"];
    case "RedirectContainsCredentials": return ["redirect-credentials"];
    case "CorsDisabledScheme": return ["scheme"];
    case "DisallowedByMode": return ["mode"];
    default: return [c];
  }
}

const FIREFOX_CHECKS: Record<string, Check[]> = {
  CORSNotSupportingCredentials: ["wildcard"],
  CORSMissingAllowOrigin: ["acao-missing"],
  CORSMultipleAllowOriginNotAllowed: ["acao-multiple"],
  CORSAllowOriginNotMatchingOrigin: ["acao-mismatch"],
  CORSMissingAllowCredentials: ["acac"],
  CORSPreflightDidNotSucceed: ["preflight-status"],
  CORSExternalRedirectNotAllowed: ["preflight-redirect"],
  CORSInvalidAllowMethod: ["acam-invalid"],
  CORSInvalidAllowHeader: ["acah-invalid"],
  CORSMethodNotFound: ["method"],
  CORSMissingAllowHeaderFromPreflight: ["header"],
  CORSRequestNotHttp: ["scheme"],
  CORSDidNotSucceed: ["generic"],
};

function safariChecks(message: string): Check[] {
  const m = message.replace(/^Cross-origin redirection to .*? denied by Cross-Origin Resource Sharing policy: /s, "");
  if (m.startsWith("Cannot use wildcard")) return ["wildcard"];
  if (m.includes("cannot contain more than one origin")) return ["acao-multiple"];
  // WebKit has one message for a missing and a non-matching ACAO.
  if (/^Origin .* is not allowed by Access-Control-Allow-Origin\./s.test(m)) return ["acao-missing", "acao-mismatch"];
  if (m.startsWith("Credentials flag is true")) return ["acac"];
  // …and one for a preflight's bad status and its redirect.
  if (m.startsWith("Preflight response is not successful")) return ["preflight-status", "preflight-redirect"];
  if (m.startsWith("Header Access-Control-Allow-Methods")) return ["acam-invalid"];
  if (m.startsWith("Header Access-Control-Allow-Headers")) return ["acah-invalid"];
  if (/^Method .* is not allowed by Access-Control-Allow-Methods/s.test(m)) return ["method"];
  if (m.startsWith("Request header field")) return ["header"];
  if (/^redirection URL .* has credentials$/s.test(m)) return ["redirect-credentials"];
  if (/non CORS scheme|^FTP URLs are disabled|only supported for HTTP/.test(m)) return ["scheme"];
  if (/same-origin fetch mode|^Unsafe attempt to load URL/.test(m)) return ["mode"];
  return [m];
}

function checksOf(id: EngineId, v: EngineVerdicts): Check[] | null {
  if (id === "chrome") return v.chrome.code ? chromeChecks(v.chrome.code) : null;
  if (id === "firefox") return v.firefox.reason ? FIREFOX_CHECKS[v.firefox.reason] ?? [v.firefox.reason] : null;
  return v.safari.message ? safariChecks(v.safari.message) : null;
}

const blockedOf = (id: EngineId, v: EngineVerdicts): boolean => v[id].blocked;

/**
 * The engines whose verdict differs from Chrome's: blocked where Chrome is not (or the reverse), or
 * blocked by another check (Safari's single messages for "missing or not matching" and "bad status or
 * redirect" count as either). A Chrome block without a named check compares on blocked alone.
 */
export function disagreements(v: EngineVerdicts): EngineId[] {
  const out: EngineId[] = [];
  const chrome = checksOf("chrome", v);
  for (const id of ["firefox", "safari"] as const) {
    if (blockedOf(id, v) !== v.chrome.blocked) {
      out.push(id);
      continue;
    }
    if (!v.chrome.blocked || !chrome) continue;
    const mine = checksOf(id, v);
    if (!mine || !mine.some((c) => chrome.includes(c))) out.push(id);
  }
  return out;
}

function bounded(s: string, max: number): string {
  return s.length > max ? s.slice(0, max - 1) + "…" : s;
}

/**
 * One human line per engine: "Chrome ✗ PreflightMissingAllowOriginHeader",
 * "Firefox ✗ CORSMissingAllowOrigin (401)", "Safari ✗ Preflight response is not successful. Status
 * code: 401"; "Firefox ✓ not blocked" when it passes.
 */
export function engineLine(id: EngineId, v: EngineVerdicts): string {
  const name = ENGINE_NAMES[id];
  if (!v[id].blocked) return `${name} ✓ not blocked`;
  if (id === "chrome") return `${name} ✗ ${v.chrome.code ?? "blocked (the check is not named)"}`;
  if (id === "firefox") {
    const f = v.firefox;
    const value = f.value !== null && f.value !== undefined ? ` ‘${bounded(f.value, 60)}’` : "";
    const status = f.status !== null ? ` (${f.status})` : "";
    return `${name} ✗ ${f.reason ?? "blocked"}${value}${status}`;
  }
  return `${name} ✗ ${bounded(v.safari.message ?? "blocked", 240)}`;
}
