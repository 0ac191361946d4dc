// The classifier: replays the Fetch standard's CORS steps over a recorded exchange, in
// Chromium's order (services/network/cors/cors_url_loader.cc, preflight_controller.cc,
// preflight_result.cc, public/cpp/cors/cors.cc). Pure, total and deterministic.
// Where Chromium differs from the standard or from Firefox: docs/differences.md.
import { codeInfo } from "./codes";
import { hopPlace } from "./hops";
import { firstStep, headerValue, isSafelistedMethod, isToken, nextStep, normalizeMethod, originOf, parseUrl, trimOws } from "./fetch";
import type { CredentialsMode, Diagnosis, Exchange, Headers, Hop, ResponseRecord, Stage, Warning } from "./types";
import { preflightCacheFinding } from "./preflight-cache";

/**
 * What a browser's webRequest reports for a request it blocked by CORS: Chromium's
 * net::ERR_FAILED for every block; Firefox's NS_ERROR_DOM_BAD_URI for a failed preflight
 * (Firefox reports response-side blocks as completed; docs/firefox.md).
 */
export const CORS_BLOCK_ERRORS: readonly string[] = ["net::ERR_FAILED", "NS_ERROR_DOM_BAD_URI"];

export function isCorsBlockError(e: unknown): boolean {
  return typeof e === "string" && CORS_BLOCK_ERRORS.includes(e);
}

/** Chromium caps Access-Control-Max-Age at 2 hours (cors/preflight_result.cc kMaxTimeout). */
export const CHROMIUM_MAX_AGE_CAP = 7200;

interface Failure {
  stage: Stage;
  hop: number;
  code: string;
  failedParameter: string;
  header: string | null;
  received: string | null;
  expected: string | null;
  message: string;
  disallowedHeaders?: string[];
}

interface Outcome {
  failure: Failure | null;
  /** A network error that the recorded data itself implies (not CORS). */
  networkError?: string;
  /** The captured data ran out before the exchange did (e.g. no response recorded). */
  incomplete: string | null;
  warnings: Warning[];
  preflightNeeded: boolean;
}

// Header access as the network stack sees it (the one rule: fetch.ts headerValue).
const get = headerValue;

/** A value quoted for a message: bounded and on one line. */
function q(v: string): string {
  return JSON.stringify(v.length > 120 ? v.slice(0, 117) + "…" : v);
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

function redirectLocation(res: ResponseRecord): string | null {
  if (!REDIRECT_STATUSES.has(res.status)) return null;
  const loc = get(res.headers, "location");
  return loc ? loc : null;
}

function isValidUrl(s: string): boolean {
  return parseUrl(s) !== null;
}

/** Where a check runs: the hop (0-based), how many hops the exchange has, that hop's URL, and the Origin it sent. */
interface HopAt {
  count: number;
  url: string;
  /** The page's origin when a cross-origin redirect made the browser send Origin: null here. */
  taintedFrom: string | null;
}

function stageSubject(stage: Stage, hop: number, at: HopAt): string {
  const where = at.count > 1 ? ` of ${hopPlace(at.url, hop, at.count)}` : "";
  if (stage === "preflight") return `The preflight response${where}`;
  if (stage === "redirect") return `The redirect response${where}`;
  return `The response${where}`;
}

/**
 * After a redirect to another origin from a URL not of the page's origin, the browser sends
 * Origin: null (https://fetch.spec.whatwg.org/#http-redirect-fetch step 11). Answering
 * Access-Control-Allow-Origin: null would trust every sandboxed iframe and file:// page; what works
 * is to avoid the taint.
 */
function taintNote(at: HopAt): string {
  return ` It sent Origin: null because the request was redirected to another origin on the way (the page is ${at.taintedFrom}): ` +
    `do not answer Access-Control-Allow-Origin: null, which would trust every sandboxed iframe and file:// page. ` +
    `Call ${at.url} directly from the page, or keep the redirect on one origin.`;
}

/**
 * The CORS check (https://fetch.spec.whatwg.org/#concept-cors-check), in Chromium's order
 * (cors.cc CheckAccessInternal). Returns the un-prefixed CorsError name, or null on success.
 */
function accessCheck(
  res: ResponseRecord, origin: string, include: boolean, stage: Stage, hop: number, at: HopAt,
): Failure | null {
  const acao = get(res.headers, "access-control-allow-origin");
  const subject = stageSubject(stage, hop, at);
  const prefix = stage === "preflight" ? "Preflight" : "";
  // With a tainted Origin the expected "null" is not something to allow: the message says what happened.
  const fail = (code: string, failedParameter: string, header: string, received: string | null, expected: string, message: string): Failure =>
    ({ stage, hop, code: prefix + code, failedParameter, header, received, expected,
      message: at.taintedFrom && origin === "null" ? message + taintNote(at) : message });

  if (acao === null) {
    return fail("MissingAllowOriginHeader", "", "access-control-allow-origin", null, origin,
      `${subject} has no Access-Control-Allow-Origin header, so the page at ${origin} may not read it.`);
  }
  if (acao === "*") {
    if (include) {
      return fail("WildcardOriginNotAllowed", "", "access-control-allow-origin", acao, origin,
        `${subject} has Access-Control-Allow-Origin: *, which browsers reject for a request with credentials; it must be exactly ${origin}.`);
    }
    return null;
  }
  if (/[ ,]/.test(acao)) {
    return fail("MultipleAllowOriginValues", acao, "access-control-allow-origin", acao, origin,
      `${subject} has several Access-Control-Allow-Origin values (${q(acao)}); it must have exactly one: ${origin}.`);
  }
  if (acao !== "null" && !isValidUrl(acao)) {
    return fail("InvalidAllowOriginValue", acao, "access-control-allow-origin", acao, origin,
      `${subject} has Access-Control-Allow-Origin ${q(acao)}, which is not a valid origin; it must be exactly ${origin}.`);
  }
  if (acao !== origin) {
    return fail("AllowOriginMismatch", acao, "access-control-allow-origin", acao, origin,
      `${subject} allows the origin ${q(acao)}, but the request's origin is ${origin}.`);
  }
  if (include) {
    const acac = get(res.headers, "access-control-allow-credentials");
    if (acac !== "true") {
      return fail("InvalidAllowCredentials", acac ?? "", "access-control-allow-credentials", acac, "true",
        acac === null
          ? `${subject} lacks Access-Control-Allow-Credentials: true, which a request with credentials requires.`
          : `${subject} has Access-Control-Allow-Credentials ${q(acac)}, but a request with credentials requires exactly "true".`);
    }
  }
  return null;
}

/**
 * Access-Control-Allow-Methods / -Headers parsing (preflight_result.cc ParseAccessControlAllowList):
 * comma-separated tokens, empty items skipped; any non-token item rejects the whole header.
 */
function parseAllowList(value: string | null, lower: boolean): Set<string> | null {
  const out = new Set<string>();
  if (value === null) return out;
  for (const raw of value.split(",")) {
    const item = trimOws(raw);
    if (item === "") continue;
    if (!isToken(item)) return null;
    out.add(lower ? item.toLowerCase() : item);
  }
  return out;
}

/** The CORS-preflight fetch's checks on its response (https://fetch.spec.whatwg.org/#cors-preflight-fetch). */
function preflightCheck(
  pre: ResponseRecord, origin: string, include: boolean, hop: number,
  method: string, unsafeHeaders: string[], warnings: Warning[], at: HopAt,
): Failure | null {
  const stage: Stage = "preflight";
  const subject = stageSubject(stage, hop, at);
  // Chromium never follows a redirect in answer to a preflight, before looking at any header.
  const loc = redirectLocation(pre);
  if (loc !== null) {
    return { stage, hop, code: "PreflightDisallowedRedirect", failedParameter: "", header: "location", received: loc,
      expected: "a 2xx answer to OPTIONS at the same URL",
      message: `${subject} is a ${pre.status} redirect to ${q(loc)}, and browsers never follow redirects for a preflight.` };
  }
  // Chromium runs the access check before the status check (the standard: status first).
  const access = accessCheck(pre, origin, include, stage, hop, at);
  if (access) return access;
  if (pre.status < 200 || pre.status > 299) {
    return { stage, hop, code: "PreflightInvalidStatus", failedParameter: "", header: null, received: String(pre.status),
      expected: "2xx (e.g. 204)",
      message: `${subject} has status ${pre.status}; a preflight must succeed with a 2xx status.` };
  }
  const acamRaw = get(pre.headers, "access-control-allow-methods");
  const acahRaw = get(pre.headers, "access-control-allow-headers");
  const methods = parseAllowList(acamRaw, false);
  if (methods === null) {
    return { stage, hop, code: "InvalidAllowMethodsPreflightResponse", failedParameter: "", header: "access-control-allow-methods",
      received: acamRaw, expected: "a comma-separated list of methods",
      message: `${subject} has an Access-Control-Allow-Methods value that does not parse (${q(acamRaw ?? "")}).` };
  }
  const headers = parseAllowList(acahRaw, true);
  if (headers === null) {
    return { stage, hop, code: "InvalidAllowHeadersPreflightResponse", failedParameter: "", header: "access-control-allow-headers",
      received: acahRaw, expected: "a comma-separated list of header names",
      message: `${subject} has an Access-Control-Allow-Headers value that does not parse (${q(acahRaw ?? "")}).` };
  }
  // Method: exact, case-sensitive match after fetch's normalization; `*` only without credentials.
  if (!isSafelistedMethod(method) && !methods.has(method) && !(methods.has("*") && !include)) {
    const wildcardOnly = methods.has("*");
    return { stage, hop, code: "MethodDisallowedByPreflightResponse", failedParameter: method, header: "access-control-allow-methods",
      received: acamRaw, expected: method,
      message: wildcardOnly
        ? `${subject} allows methods "*", which counts only for requests without credentials; ${method} must be listed by name.`
        : `${subject} does not list ${method} in Access-Control-Allow-Methods${methods.size ? ` (it allows ${q(acamRaw ?? "")})` : ""}${
          [...methods].some((m) => m.toLowerCase() === method.toLowerCase()) ? "; the match is case-sensitive" : ""}.` };
  }
  if (methods.has("*") && include) {
    warnings.push({ code: "AllowMethodsWildcardWithCredentials", header: "access-control-allow-methods",
      message: "Access-Control-Allow-Methods: * is ignored for requests with credentials; list the methods by name." });
  }
  // Headers: case-insensitive; `*` only without credentials. Chromium lets `*` cover Authorization
  // (the standard does not: https://fetch.spec.whatwg.org/#cors-non-wildcard-request-header-name).
  const wildcard = headers.has("*") && !include;
  if (!wildcard) {
    const missing = unsafeHeaders.filter((name) => !headers.has(name));
    if (missing.length) {
      const name = missing[0]!;
      const names = missing.length === 1 ? `the request header ${name}`
        : `the request headers ${missing.slice(0, -1).join(", ")} and ${missing[missing.length - 1]}`;
      return { stage, hop, code: "HeaderDisallowedByPreflightResponse", failedParameter: name, header: "access-control-allow-headers",
        received: acahRaw, expected: missing.join(", "),
        ...(missing.length > 1 ? { disallowedHeaders: missing } : {}),
        message: (headers.has("*")
          ? `${subject} allows headers "*", which counts only for requests without credentials; ${names} must be listed by name.`
          : `${subject} does not list ${names} in Access-Control-Allow-Headers.`) +
          (missing.length > 1 ? " Chrome names only one of them in its error." : "") };
    }
  } else if (unsafeHeaders.includes("authorization") && !headers.has("authorization")) {
    warnings.push({ code: "AuthorizationCoveredByWildcard", header: "access-control-allow-headers",
      message: "Only Chromium lets Access-Control-Allow-Headers: * cover Authorization; the Fetch standard requires it by name, and Firefox warns. List authorization explicitly." });
  }
  if (headers.has("*") && include) {
    warnings.push({ code: "AllowHeadersWildcardWithCredentials", header: "access-control-allow-headers",
      message: "Access-Control-Allow-Headers: * is ignored for requests with credentials; list the headers by name." });
  }
  const maxAge = get(pre.headers, "access-control-max-age");
  if (maxAge !== null && /^\d+$/.test(maxAge) && Number(maxAge) > CHROMIUM_MAX_AGE_CAP) {
    warnings.push({ code: "MaxAgeAboveCap", header: "access-control-max-age",
      message: `Access-Control-Max-Age ${maxAge} is above what browsers honour: Chromium caps it at 7200 s, Firefox at 86400 s and Safari at 600 s.` });
  }
  return null;
}

function responseWarnings(res: ResponseRecord, include: boolean, warnings: Warning[]): void {
  const acao = get(res.headers, "access-control-allow-origin");
  if (acao !== null && acao !== "*") {
    const vary = (get(res.headers, "vary") ?? "").toLowerCase().split(",").map((s) => s.trim());
    if (!vary.includes("origin") && !vary.includes("*")) {
      warnings.push({ code: "MissingVaryOrigin", header: "vary",
        message: "The response names a specific Access-Control-Allow-Origin but has no Vary: Origin, so a shared cache may serve it to another origin." });
    }
  }
  if (include) {
    const aceh = parseAllowList(get(res.headers, "access-control-expose-headers"), true);
    if (aceh?.has("*")) {
      warnings.push({ code: "ExposeHeadersWildcardWithCredentials", header: "access-control-expose-headers",
        message: "Access-Control-Expose-Headers: * is ignored for requests with credentials; list the headers the page must read." });
    }
  }
}

// net's URLRequestJobFactory::IsSafeRedirectTarget refuses these (measured in Chromium 156 for data, file, about, chrome).
const UNSAFE_REDIRECT_SCHEMES = new Set(["data:", "file:", "about:", "blob:", "filesystem:", "javascript:",
  "chrome:", "chrome-extension:", "chrome-untrusted:", "devtools:", "view-source:"]);


function hasUrlCredentials(url: string): boolean {
  return parseUrl(url)?.credentials ?? false;
}

function maskUrlPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "****";
    return u.href;
  } catch {
    return url;
  }
}

function parsedHref(url: string): string {
  return parseUrl(url)?.href ?? url;
}

function isHttp(url: string): boolean {
  return /^https?:/i.test(url);
}

/** Replays the exchange under one credentials mode. */
function evaluate(ex: Exchange, credentials: CredentialsMode): Outcome {
  const warnings: Warning[] = [];
  const include = credentials === "include";
  const req = ex.request;
  const pageOrigin = req.origin;
  let preflightNeeded = false;
  const done = (failure: Failure | null, incomplete: string | null = null): Outcome =>
    ({ failure, incomplete, warnings, preflightNeeded });
  // The URL as the browser holds it: parsed, so stray tabs, newlines and leading spaces are gone.
  let step = firstStep({ ...req, url: parsedHref(ex.hops[0]?.url ?? req.url) });

  for (let i = 0; i < ex.hops.length; i++) {
    const hop: Hop = ex.hops[i]!;
    const { url, method, origin, unsafeHeaders: unsafe } = step;
    const at: HopAt = { count: ex.hops.length, url, taintedFrom: step.tainted && pageOrigin !== "null" ? pageOrigin : null };
    const corsFlag = step.cors;
    const stageOfRequest: Stage = i === 0 ? "request" : "redirect";

    if (corsFlag) {
      if (req.mode === "same-origin") {
        return done({ stage: stageOfRequest, hop: i, code: "DisallowedByMode", failedParameter: "", header: null,
          received: "same-origin", expected: "cors",
          message: `The request was made with mode "same-origin", so the browser refuses the cross-origin URL ${url} without sending it.` });
      }
      if (req.mode === "no-cors") {
        warnings.push({ code: "OpaqueResponse", header: null,
          message: "The request used mode \"no-cors\": it is not blocked, but the page gets an opaque response it cannot read." });
        return done(null);
      }
      if (!isHttp(url) && !/^data:/i.test(url)) {
        const scheme = url.split(":")[0] ?? "";
        return done({ stage: stageOfRequest, hop: i, code: "CorsDisabledScheme", failedParameter: "", header: null,
          received: scheme, expected: "http or https",
          message: `Cross-origin requests are only possible over http and https, not ${scheme}:.` });
      }
      const needed = step.preflightNeeded;
      if (i === 0 || needed) preflightNeeded = needed;
      if (needed) {
        if (hop.preflight) {
          const f = preflightCheck(hop.preflight, origin, include, i, method, unsafe, warnings, at);
          if (f) return done(f);
        } else if (!hop.preflightCached && !hop.response) {
          return done(null, "no preflight response was captured");
        } else if (!hop.preflightCached) {
          warnings.push({ code: "PreflightNotCaptured", header: null,
            message: "The request needed a preflight but none was recorded; the browser probably answered it from its preflight cache." });
        }
      }
    }

    const res = hop.response;
    // A preflight answer is a response: say which one is missing, and what was checked.
    if (!res) return done(null, hop.preflight
      ? "the preflight response (status " + hop.preflight.status + ") passes for the request headers that were recorded, and the request's own response was not captured (a request header the script set may be missing from the record)"
      : "no response was captured");
    const loc = redirectLocation(res);
    const isLast = i === ex.hops.length - 1;
    if (loc !== null) {
      // A redirect response in cors mode must pass the CORS check itself (cors_url_loader.cc OnReceiveRedirect).
      if (corsFlag) {
        const f = accessCheck(res, origin, include, "redirect", i, at);
        if (f) return done(f);
      }
      let next: URL;
      try {
        next = new URL(loc, url);
      } catch {
        return done(null, `the redirect Location ${q(loc)} is not a URL`);
      }
      // https://fetch.spec.whatwg.org/#http-redirect-fetch step 8–9 (cors.cc CheckRedirectLocation).
      // Outside cors mode the spec's check does not apply, but Chromium's renderer refuses the
      // redirect itself: DevTools shows "(blocked:origin)", CDP loadingFailed has blockedReason
      // "origin" and no corsErrorStatus, the next URL is never requested (Chromium 156; the oracle's
      // scenarios mode-no-cors/ and mode-same-origin/redirect-userinfo-to-cross-origin). In mode
      // same-origin that is the mode's own refusal of the next hop, as without credentials
      // (DisallowedByMode at the top of the next hop, where it was recorded; test/e2e/live.test.ts).
      if (hasUrlCredentials(next.href) && (corsFlag || originOf(next.href) !== pageOrigin) && req.mode !== "same-origin") {
        if (req.mode === "no-cors") return { ...done(null), networkError: "blocked:origin" };
        return done({ stage: "redirect", hop: i, code: "RedirectContainsCredentials", failedParameter: "", header: "location",
          received: maskUrlPassword(next.href), expected: "a Location without user:password@",
          message: `The redirect response sends the request to ${q(maskUrlPassword(next.href))}, a URL with credentials in it, which CORS requests may not follow.` });
      }
      // Step 6: a redirect may only lead to an http(s) URL. Chromium's network stack refuses local
      // schemes first (net::ERR_UNSAFE_REDIRECT, not CORS); other schemes fail as CorsDisabledScheme.
      if (UNSAFE_REDIRECT_SCHEMES.has(next.protocol)) {
        return { ...done(null), networkError: "net::ERR_UNSAFE_REDIRECT" };
      }
      if (!isHttp(next.href)) {
        const scheme = next.protocol.replace(/:$/, "");
        return done({ stage: "redirect", hop: i, code: "CorsDisabledScheme", failedParameter: "", header: "location",
          received: next.href, expected: "an http or https URL",
          message: `The redirect response sends the request to a ${scheme}: URL, and CORS requests can only follow redirects to http or https.` });
      }
      if (isLast) return done(null, "the redirect's next hop was not captured");
      // Steps 11–12 (Origin tainting, the method change): the one Fetch walk (fetch.ts).
      step = nextStep(step, parsedHref(ex.hops[i + 1]!.url), res.status);
      continue;
    }
    if (corsFlag) {
      const f = accessCheck(res, origin, include, "actual", i, at);
      if (f) return done(f);
      responseWarnings(res, include, warnings);
    }
    return done(null);
  }
  return done(null);
}

function hasHeader(h: Headers | undefined, name: string): boolean {
  return !!h && h[name] !== undefined;
}

/** Reads the credentials mode from evidence when the exchange does not state it. */
function inferCredentials(ex: Exchange, include: Outcome, omit: Outcome): { mode: CredentialsMode; reason: string } {
  const sent = ex.request.sentHeaders;
  if (hasHeader(sent, "cookie")) return { mode: "include", reason: "a Cookie header was sent" };
  if (hasHeader(sent, "authorization") && !hasHeader(ex.request.headers, "authorization")) {
    return { mode: "include", reason: "the browser added HTTP authentication" };
  }
  // The browser's own CORS error, when recorded, tells the modes apart even when both fail.
  const code = ex.browserCorsError;
  if (code && include.failure?.code === code && omit.failure?.code !== code) {
    return { mode: "include", reason: `Chromium reported ${code}, which only a request with credentials gets here` };
  }
  if (code && omit.failure?.code === code && include.failure?.code !== code) {
    return { mode: "same-origin", reason: `Chromium reported ${code}, which only a request without credentials gets here` };
  }
  const differ = !!include.failure !== !!omit.failure;
  if (differ && typeof ex.browserError === "string") {
    return { mode: "include", reason: "the browser blocked a response that passes without credentials" };
  }
  if (differ && ex.browserError === null) {
    return { mode: "same-origin", reason: "the browser accepted a response that fails with credentials" };
  }
  // No evidence: fetch's default ("same-origin" acts as "omit" across origins; XHR's default is the same).
  return { mode: "same-origin", reason: "no evidence; fetch's default" };
}

/** What could explain a block that the recorded headers do not: a stricter rule than Chromium's defaults, or what was not recorded. */
function stricterRule(warnings: Warning[]): string {
  const rules: string[] = [];
  if (warnings.some((w) => w.code === "AuthorizationCoveredByWildcard")) {
    rules.push("Access-Control-Allow-Headers: * does not cover Authorization under the Fetch standard (https://fetch.spec.whatwg.org/#cors-non-wildcard-request-header-name), nor in a Chromium with CorsNonWildcardRequestHeadersSupport on: list authorization by name");
  }
  if (warnings.some((w) => w.code === "AllowHeadersWildcardWithCredentials" || w.code === "AllowMethodsWildcardWithCredentials")) {
    rules.push("a wildcard in Access-Control-Allow-Headers/-Methods counts only without credentials, and the request may have been credentialed: list the names");
  }
  const rest = "otherwise the cause is outside what was recorded (another extension, Private Network Access, or a response that was not captured).";
  return rules.length ? `a stricter rule would explain it: ${rules.join("; ")}. Or ${rest.replace(/^otherwise /, "")}` : rest.replace(/^otherwise t/, "t");
}

/** Reason phrases for the statuses a CORS error most often hides (RFC 9110 section 15). */
const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
  408: "Request Timeout", 413: "Content Too Large", 415: "Unsupported Media Type", 422: "Unprocessable Content",
  429: "Too Many Requests", 500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway",
  503: "Service Unavailable", 504: "Gateway Timeout",
};

/** A status with its reason phrase when it is a common one: "500 Internal Server Error", "599". */
export function statusWithText(status: number): string {
  return Object.hasOwn(STATUS_TEXT, status) ? `${status} ${STATUS_TEXT[status]}` : String(status);
}

type ServerError = NonNullable<Diagnosis["serverError"]>;

/**
 * The failing response, when it is an HTTP error with no Access-Control-* header at all: whatever answered
 * (a crashed handler, an auth layer, a missing route, a proxy) is not the CORS configuration, and the
 * status is the real problem. A response with any CORS header came through the CORS layer: not this.
 */
function hiddenServerError(ex: Exchange, f: Failure): ServerError | null {
  if (f.stage !== "preflight" && f.stage !== "actual") return null;
  const hop = ex.hops[f.hop];
  const res = f.stage === "preflight" ? hop?.preflight : hop?.response;
  if (!res || !Number.isInteger(res.status) || res.status < 400) return null;
  if (Object.keys(res.headers).some((name) => name.toLowerCase().startsWith("access-control-"))) return null;
  return { stage: f.stage, hop: f.hop, status: res.status };
}

/** The sentence that leads the message when the CORS error hides a server error. */
function serverErrorLead(s: ServerError): string {
  const status = statusWithText(s.status);
  const auth = s.status === 401 || s.status === 403;
  if (s.stage === "preflight") {
    if (auth) {
      return `The server answered the preflight (OPTIONS) with ${status} and no CORS headers: the CORS error hides an authentication error. ` +
        "Browsers never send credentials on a preflight, so OPTIONS must not require authentication: answer it with 204 and the CORS headers before authentication runs.";
    }
    if (s.status === 404 || s.status === 405) {
      return `The server answered the preflight (OPTIONS) with ${status} and no CORS headers: the CORS error hides a server error, as nothing answers OPTIONS at this URL. ` +
        "Answer OPTIONS with 204 and the CORS headers, and send the CORS headers on error responses too.";
    }
    return `The server answered the preflight (OPTIONS) with ${status} and no CORS headers: the CORS error hides a server error. ` +
      "Fix the error, and send the CORS headers on error responses too.";
  }
  return `The server answered ${status} without CORS headers: the CORS error hides ${auth ? "an authentication" : "a server"} error. ` +
    "Fix the error, and send the CORS headers on error responses too.";
}

function diagnosisFrom(ex: Exchange, o: Outcome, mode: CredentialsMode, inferred: boolean): Diagnosis {
  // Keys in the documented order (docs/exchange.md), so that --json reads like the docs.
  const make = (blocked: boolean, f: Failure | null, message: string, networkError: string | null): Diagnosis => ({
    id: ex.id, blocked, stage: f?.stage ?? null, hop: f?.hop ?? null, code: f?.code ?? null,
    failedParameter: f?.failedParameter ?? null, header: f?.header ?? null, received: f?.received ?? null,
    expected: f?.expected ?? null, credentials: { mode, inferred }, firefox: f ? codeInfo(f.code)?.firefox ?? null : null,
    message, warnings: o.warnings, networkError, preflightNeeded: o.preflightNeeded,
    ...(f?.disallowedHeaders ? { disallowedHeaders: f.disallowedHeaders } : {}),
  });
  const d = diagnosisOutcome(ex, o, make);
  const cached = preflightCacheFinding(ex);
  if (cached) d.preflightCache = cached;
  return d;
}

function diagnosisOutcome(ex: Exchange, o: Outcome,
  make: (blocked: boolean, f: Failure | null, message: string, networkError: string | null) => Diagnosis): Diagnosis {
  // The browser ends every CORS block in one error (CORS_BLOCK_ERRORS). A request it ended in another
  // one failed for that reason, whatever the recorded headers would fail: net::ERR_ABORTED is the page
  // (or its timeout) cancelling it, and a preflight sent meanwhile may still come back failing (a live
  // CI run: a PUT aborted after 10 s, its second hop's preflight answered 404 after the abort, which we
  // named the block). Blink's own refusal of the request mode is the exception: webRequest sees it as
  // net::ERR_ABORTED too (assemble.ts annotated).
  const ended = ex.browserError;
  if (o.failure && typeof ended === "string" && ended !== "" && !isCorsBlockError(ended) && o.failure.code !== "DisallowedByMode") {
    return make(false, null, `The request failed with ${ended}, a network error, not a CORS block.`, ended);
  }
  if (o.failure) {
    // The verdict stays Chromium's; only the message leads with the error the CORS block hides.
    const hidden = hiddenServerError(ex, o.failure);
    if (!hidden) return make(true, o.failure, o.failure.message, null);
    return { ...make(true, o.failure, `${serverErrorLead(hidden)} ${o.failure.message}`, null), serverError: hidden };
  }
  const err = o.networkError ?? ex.browserError;
  if (typeof err === "string" && err !== "" && !isCorsBlockError(err)) {
    return make(false, null, `The request failed with ${err}, a network error, not a CORS block.`, err);
  }
  if (isCorsBlockError(err)) {
    return make(true, null, o.incomplete
      ? `The browser blocked the request (${err}), but ${o.incomplete}, so the failing check cannot be named.`
      : `The browser blocked the request (${err}), yet the recorded headers pass every CORS check under Chromium's defaults; ${stricterRule(o.warnings)}`, null);
  }
  return make(false, null, o.incomplete ? `Nothing is blocked so far, but ${o.incomplete}.` : "The request passes every CORS check.", null);
}

/** The exact failing CORS check of an exchange, the way Chromium decides it. */
export function diagnose(ex: Exchange): Diagnosis {
  const stated = ex.request.credentials;
  if (stated !== "unknown") return diagnosisFrom(ex, evaluate(ex, stated), stated, false);
  const inc = evaluate(ex, "include");
  const omit = evaluate(ex, "omit");
  const { mode } = inferCredentials(ex, inc, omit);
  const chosen = mode === "include" ? inc : omit;
  const d = diagnosisFrom(ex, chosen, mode, true);
  if (mode !== "include" && inc.failure && !omit.failure) {
    d.warnings = [...d.warnings, { code: "FailsWithCredentials", header: inc.failure.header,
      message: `If this request included credentials it would be blocked: ${inc.failure.message}` }];
  }
  return d;
}
