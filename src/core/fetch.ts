// Fetch-standard primitives (https://fetch.spec.whatwg.org/), as Chromium implements them
// (services/network/public/cpp/cors/cors.cc). Pure and total: they never throw.
import type { Headers } from "./types";

const NORMALIZED_METHODS = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];

/** https://fetch.spec.whatwg.org/#concept-method-normalize — only these six are upper-cased. */
export function normalizeMethod(method: string): string {
  const upper = method.toUpperCase();
  return NORMALIZED_METHODS.includes(upper) ? upper : method;
}

/** https://fetch.spec.whatwg.org/#cors-safelisted-method */
export function isSafelistedMethod(method: string): boolean {
  return method === "GET" || method === "HEAD" || method === "POST";
}

/** https://fetch.spec.whatwg.org/#forbidden-method (fetch throws a TypeError). */
export function isForbiddenMethod(method: string): boolean {
  const m = method.toUpperCase();
  return m === "CONNECT" || m === "TRACE" || m === "TRACK";
}

const TOKEN_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** RFC 9110 token. */
export function isToken(s: string): boolean {
  return TOKEN_RE.test(s);
}

const FORBIDDEN_NAMES = new Set([
  "accept-charset", "accept-encoding", "access-control-request-headers", "access-control-request-method",
  "connection", "content-length", "cookie", "cookie2", "date", "dnt", "expect", "host", "keep-alive",
  "origin", "referer", "set-cookie", "te", "trailer", "transfer-encoding", "upgrade", "via",
]);

/** https://fetch.spec.whatwg.org/#forbidden-request-header — the browser drops these from script. */
export function isForbiddenRequestHeader(name: string): boolean {
  const n = name.toLowerCase();
  return FORBIDDEN_NAMES.has(n) || n.startsWith("proxy-") || n.startsWith("sec-");
}

// https://fetch.spec.whatwg.org/#cors-unsafe-request-header-byte
function hasUnsafeByte(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return true;
    if ('"():<>?@[\\]{}'.includes(v[i]!)) return true;
  }
  return false;
}

const LANG_RE = /^[0-9A-Za-z *,\-.;=]*$/;
const SAFE_CONTENT_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"];

function mimeEssence(v: string): string {
  return v.split(";")[0]!.trim().toLowerCase();
}

// https://fetch.spec.whatwg.org/#simple-range-header-value
function isSimpleRange(v: string): boolean {
  const m = /^bytes=(\d*)-(\d*)$/.exec(v);
  if (!m || m[1] === "") return false;
  return m[2] === "" || Number(m[1]) <= Number(m[2]);
}

/** https://fetch.spec.whatwg.org/#cors-safelisted-request-header (one header). */
export function isSafelistedRequestHeader(name: string, value: string): boolean {
  // Headers hold normalized values (https://fetch.spec.whatwg.org/#concept-header-value-normalize):
  // a script's " text/plain" is sent, and checked, as "text/plain".
  value = value.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, "");
  if (value.length > 128) return false;
  switch (name.toLowerCase()) {
    case "accept":
      return !hasUnsafeByte(value);
    case "accept-language":
    case "content-language":
      return LANG_RE.test(value);
    case "content-type":
      return !hasUnsafeByte(value) && SAFE_CONTENT_TYPES.includes(mimeEssence(value));
    case "range":
      return isSimpleRange(value);
    default:
      return false;
  }
}

function isOws(c: number): boolean {
  return c === 32 || c === 9;
}

/** A header line's value without its leading and trailing HTTP whitespace (space, tab: RFC 9110 OWS). */
export function trimOws(s: string): string {
  if (s === "" || !isOws(s.charCodeAt(0)) && !isOws(s.charCodeAt(s.length - 1))) return s;
  return s.replace(/^[ \t]+|[ \t]+$/g, "");
}

/**
 * The header's value as the network stack sees it: each line trimmed of HTTP whitespace (not of
 * other white space: a no-break space stays), repeated lines joined with ", ". The one rule for
 * every reader: the classifier, the audit, the exports and the background.
 */
export function headerValue(headers: Headers | null | undefined, name: string): string | null {
  if (!headers) return null;
  const v = headers[name.toLowerCase()];
  if (v === undefined) return null;
  return typeof v === "string" ? trimOws(v) : Array.isArray(v) ? v.map((x) => trimOws(String(x))).join(", ") : null;
}

/** Headers the script set, minus the forbidden ones the browser would drop. */
export function scriptHeaders(headers: Headers): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const name of Object.keys(headers)) {
    const n = name.toLowerCase();
    if (isForbiddenRequestHeader(n)) continue;
    out.push([n, headerValue(headers, n) ?? ""]);
  }
  return out;
}

/**
 * https://fetch.spec.whatwg.org/#cors-unsafe-request-header-names — sorted, lower-case, unique.
 * Chromium's order is the same: this is what Access-Control-Request-Headers carries.
 */
export function corsUnsafeRequestHeaderNames(headers: Headers): string[] {
  const unsafe = new Set<string>();
  let safelistedBytes = 0;
  const safelisted: string[] = [];
  for (const [name, value] of scriptHeaders(headers)) {
    if (isSafelistedRequestHeader(name, value)) {
      safelisted.push(name);
      safelistedBytes += value.length;
    } else {
      unsafe.add(name);
    }
  }
  // The spec: when the safelisted values add up to more than 1024 bytes, they all become unsafe.
  if (safelistedBytes > 1024) for (const n of safelisted) unsafe.add(n);
  return [...unsafe].sort();
}

/** Whether a request with this (normalized) method and these script headers needs a preflight. */
export function needsPreflight(method: string, headers: Headers): boolean {
  return !isSafelistedMethod(method) || corsUnsafeRequestHeaderNames(headers).length > 0;
}

export interface ParsedUrl {
  href: string;
  origin: string;
  /** user or password in the URL. */
  credentials: boolean;
}
const parsedUrls = new Map<string, ParsedUrl | null>();

/**
 * A URL's parsed fields, or null when it does not parse. URL parsing was a third of diagnose()'s
 * time (bench B1), and the walk and the checks run once per credentials mode over the same URLs:
 * the last parses are kept (a copy of the fields read, never the mutable URL object).
 */
export function parseUrl(s: string): ParsedUrl | null {
  let p = parsedUrls.get(s);
  if (p === undefined) {
    try {
      const u = new URL(s);
      p = { href: u.href, origin: u.origin, credentials: u.username !== "" || u.password !== "" };
    } catch {
      p = null;
    }
    if (parsedUrls.size >= 64) parsedUrls.clear();
    parsedUrls.set(s, p);
  }
  return p;
}

/** Serialized origin of a URL ("null" for opaque), or null when the URL does not parse. */
export function originOf(url: string): string | null {
  return parseUrl(url)?.origin ?? null;
}

const REQUEST_BODY_HEADERS = ["content-encoding", "content-language", "content-location", "content-type"];

/**
 * https://fetch.spec.whatwg.org/#http-redirect-fetch step 12: a 301/302 turns POST into GET, a 303
 * turns everything but GET and HEAD into GET, and then the request-body headers are removed.
 */
export function redirectMethod(method: string, status: number): string {
  if ((status === 301 || status === 302) && method === "POST") return "GET";
  if (status === 303 && method !== "GET" && method !== "HEAD") return "GET";
  return method;
}

/** The method and script headers of the request that follows a redirect with `status` (step 12). */
export function afterRedirect(method: string, headers: Headers, status: number): { method: string; headers: Headers } {
  const next = redirectMethod(method, status);
  if (next === method) return { method, headers };
  return { method: next, headers: Object.fromEntries(Object.entries(headers).filter(([n]) => !REQUEST_BODY_HEADERS.includes(n.toLowerCase()))) };
}

// ---- The Fetch walk: what the browser sends at each hop ----------------------------------------
// Written once, read by diagnose, the probe, the audit, Copy as curl/fetch, the HAR export and the
// background's assembly, so that a live record and its offline replay can never drift apart.

/** The request at one hop of a fetch, as the browser sends it. */
export interface FetchStep {
  hop: number;
  url: string;
  /** Normalized; GET after a 301/302 POST or a 303 (step 12). */
  method: string;
  /** The script's headers at this hop (the body's headers go with a change to GET). */
  headers: Headers;
  /** The page's serialized origin ("null" when opaque). */
  pageOrigin: string;
  /** The Origin header: the page's, or "null" once a redirect tainted it (step 11). */
  origin: string;
  tainted: boolean;
  /** A CORS request at this hop: some hop so far left the page's origin (the CORS flag sticks). */
  cors: boolean;
  /** CORS-unsafe request-header names, sorted: the preflight's Access-Control-Request-Headers. */
  unsafeHeaders: string[];
  /** Whether this hop needs a CORS preflight (cors, and a method or header that is not safelisted). */
  preflightNeeded: boolean;
}

function isSameOrigin(url: string, pageOrigin: string): boolean {
  return pageOrigin !== "null" && originOf(url) === pageOrigin;
}

function stepAt(hop: number, url: string, method: string, headers: Headers, pageOrigin: string, tainted: boolean, cors: boolean): FetchStep {
  const isCors = cors || !isSameOrigin(url, pageOrigin);
  const unsafeHeaders = corsUnsafeRequestHeaderNames(headers);
  return {
    hop, url, method, headers, pageOrigin, origin: tainted ? "null" : pageOrigin, tainted, cors: isCors, unsafeHeaders,
    preflightNeeded: isCors && (!isSafelistedMethod(method) || unsafeHeaders.length > 0),
  };
}

/** The first hop: the request as the script made it. */
export function firstStep(req: { url: string; method: string; headers: Headers; origin: string }): FetchStep {
  return stepAt(0, req.url, normalizeMethod(req.method), req.headers, req.origin, false, false);
}

/**
 * The hop after `prev` answered a redirect with `status` to `nextUrl`
 * (https://fetch.spec.whatwg.org/#http-redirect-fetch): step 11, a redirect to another origin from a
 * URL that is not of the request's origin taints the origin, so Origin is "null" from then on;
 * step 12, the method may change to GET and then the body headers are removed.
 */
export function nextStep(prev: FetchStep, nextUrl: string, status: number): FetchStep {
  const { method, headers } = afterRedirect(prev.method, prev.headers, status);
  const cur = originOf(prev.url);
  const tainted = prev.tainted || (originOf(nextUrl) !== cur && cur !== prev.pageOrigin);
  return stepAt(prev.hop + 1, nextUrl, method, headers, prev.pageOrigin, tainted, prev.cors);
}

/** Every hop's step for a recorded chain of hops (each hop's response status decides the next step). */
export function stepsOf(req: { url: string; method: string; headers: Headers; origin: string },
  hops: ReadonlyArray<{ url: string; response: { status: number } | null }>): FetchStep[] {
  const list = hops.length ? hops : [{ url: req.url, response: null }];
  const out: FetchStep[] = [firstStep({ ...req, url: list[0]!.url })];
  for (let i = 1; i < list.length; i++) out.push(nextStep(out[i - 1]!, list[i]!.url, list[i - 1]!.response?.status ?? 0));
  return out;
}

/**
 * The CORS preflight's headers for a step, in Chromium's order (measured with webRequest: Accept,
 * Access-Control-Request-Method, Access-Control-Request-Headers when any, Origin; the browser then
 * adds User-Agent, Sec-Fetch-* and Referer). No cookies, ever.
 */
export function preflightHeaders(step: Pick<FetchStep, "method" | "origin" | "unsafeHeaders">): Array<[string, string]> {
  const out: Array<[string, string]> = [["accept", "*/*"], ["access-control-request-method", step.method]];
  if (step.unsafeHeaders.length) out.push(["access-control-request-headers", step.unsafeHeaders.join(",")]);
  out.push(["origin", step.origin]);
  return out;
}

/**
 * Headers a browser adds on its own that are not forbidden names (the union of what Chromium and
 * Firefox send, DevTools' "Disable cache" pair and Chrome's client hints included). A script may set
 * some of them, but then they are CORS-unsafe, so a preflight's Access-Control-Request-Headers names
 * them and decides instead.
 */
const BROWSER_ADDED = new Set([
  "user-agent", "accept-language", "priority", "pragma", "cache-control", "x-client-data", "purpose", "save-data",
  "device-memory", "dpr", "viewport-width", "width", "rtt", "downlink", "ect", "if-none-match",
  "if-modified-since", "upgrade-insecure-requests", "x-devtools-emulate-network-conditions-client-id",
  "x-devtools-request-id",
]);

/**
 * The headers the page script set, read from what went on the wire. `acrh`, the preflight's
 * Access-Control-Request-Headers when one was sent, is the browser's own list of the script's
 * unsafe names (better than any list: a script's 200-byte Accept is unsafe); otherwise the
 * browser's additions are dropped by name. Safelisted script headers (Content-Type, …) are kept
 * either way; fetch's default Accept, any type, is not the script's. A name in `acrh` that is not on
 * the wire (the request never went out) gets "": its value is only known to the page hook.
 */
export function scriptHeadersFromWire(wire: Headers | null | undefined, acrh: readonly string[] | null): Headers {
  const out: Headers = Object.create(null); // a script's "__proto__" header is a header; spread below
  const named = acrh ? new Set(acrh) : null;
  for (const name of Object.keys(wire ?? {})) {
    const n = name.toLowerCase();
    if (isForbiddenRequestHeader(n)) continue;
    const value = headerValue(wire!, n) ?? "";
    if (!named?.has(n)) {
      if (BROWSER_ADDED.has(n) || (n === "accept" && value === "*/*")) continue;
      if (named && !isSafelistedRequestHeader(n, value)) continue;
    }
    out[n] = value;
  }
  for (const n of named ?? []) if (out[n] === undefined && !isForbiddenRequestHeader(n)) out[n] = "";
  return { ...out };
}
