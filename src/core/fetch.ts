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

/** The header's value as the network stack sees it: repeated lines joined with ", ". */
export function headerValue(headers: Headers | null | undefined, name: string): string | null {
  if (!headers) return null;
  const v = headers[name.toLowerCase()];
  if (v === undefined) return null;
  return Array.isArray(v) ? v.join(", ") : v;
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

/** Serialized origin of a URL ("null" for opaque), or null when the URL does not parse. */
export function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
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
