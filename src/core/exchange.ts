// Reads untrusted exchange JSON (docs/exchange.md) into the canonical shape. Never throws.
// parseUrl (new URL, its last answers kept), not URL.canParse: Node 20.20's answers false for valid
// non-ASCII URLs once V8 has optimized the call (test/unit/property/regressions.test.ts).
import { parseUrl } from "./fetch";
import type { CredentialsMode, Exchange, Headers, Hop, RequestMode, ResponseRecord } from "./types";

export type ReadResult<T> = { ok: true; value: T } | { ok: false; error: string };

const CREDENTIALS = ["include", "same-origin", "omit", "unknown"];
const MODES = ["cors", "no-cors", "same-origin"];
/** Bounds that keep one hostile record from costing more than a real one ever would. */
export const LIMITS = { hops: 21, headers: 1000, valueLength: 256 * 1024, urlLength: 64 * 1024 };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function fail<T>(error: string): ReadResult<T> {
  return { ok: false, error };
}

/**
 * An untrusted value inside an error message: bounded and on one line. JSON.stringify escapes C0 controls
 * and lone surrogates; DEL, C1 controls, U+2028/U+2029 and bidi overrides are escaped here too.
 */
export function quoted(v: string, max = 100): string {
  const cut = v.length > max ? v.slice(0, max) + "…" : v;
  // eslint-disable-next-line no-control-regex
  return JSON.stringify(cut).replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** The exchange id as error messages name it: as is when it is a plain short name, else quoted. */
function shownId(id: string): string {
  return /^[A-Za-z0-9_.:/#-]{1,64}$/.test(id) ? id : quoted(id, 40);
}

/** Header maps: lower-cased names; string or string[] values; numbers accepted and stringified. */
export function readHeaders(v: unknown, where: string): ReadResult<Headers> {
  if (v === undefined || v === null) return { ok: true, value: {} };
  // Already what the loop below would build (our own writers' JSON): the object itself, no copy
  // (B5: a third of reading 100,000 exchanges was copying header maps).
  if (isObject(v) && Object.getPrototypeOf(v) === Object.prototype && isNormalized(v)) return { ok: true, value: v as Headers };
  // A Map, then Object.fromEntries: any name ("__proto__" too) becomes an own property, and no
  // object goes into dictionary mode per exchange.
  const out = new Map<string, string | string[]>();
  const put = (name: string, value: string) => {
    const n = name.trim().toLowerCase();
    const prev = out.get(n);
    if (prev === undefined) out.set(n, value);
    else if (Array.isArray(prev)) prev.push(value);
    else out.set(n, [prev, value]);
  };
  const str = (x: unknown): string | null =>
    typeof x === "string" ? x : typeof x === "number" || typeof x === "boolean" ? String(x) : null;
  let count = 0;
  if (Array.isArray(v)) {
    // HAR-style [{name, value}] lists are accepted too.
    for (const item of v) {
      if (!isObject(item) || typeof item.name !== "string") return fail(`${where}: a header entry needs a string "name"`);
      const value = str(item.value);
      if (value === null) return fail(`${where}: header ${quoted(item.name)} has no string value`);
      if (++count > LIMITS.headers) return fail(`${where}: more than ${LIMITS.headers} headers`);
      put(item.name, value.slice(0, LIMITS.valueLength));
    }
    return { ok: true, value: Object.fromEntries(out) };
  }
  if (!isObject(v)) return fail(`${where}: headers must be an object of name -> value`);
  for (const [name, raw] of Object.entries(v)) {
    const values = Array.isArray(raw) ? raw : [raw];
    for (const x of values) {
      const value = str(x);
      if (value === null) return fail(`${where}: header ${quoted(name)} must be a string or an array of strings`);
      if (++count > LIMITS.headers) return fail(`${where}: more than ${LIMITS.headers} headers`);
      put(name, value.slice(0, LIMITS.valueLength));
    }
  }
  return { ok: true, value: Object.fromEntries(out) };
}

/** Lower-case, trimmed names, string values within the length limit, at most LIMITS.headers of them. */
function isNormalized(v: Record<string, unknown>): boolean {
  const names = Object.keys(v);
  if (names.length > LIMITS.headers) return false;
  for (const name of names) {
    const value = v[name];
    if (typeof value !== "string" || value.length > LIMITS.valueLength) return false;
    if (name !== name.toLowerCase() || name !== name.trim()) return false;
  }
  return true;
}

function readResponse(v: unknown, where: string): ReadResult<ResponseRecord | null> {
  if (v === undefined || v === null) return { ok: true, value: null };
  if (!isObject(v)) return fail(`${where}: must be an object with "status" and "headers", or null`);
  const status = typeof v.status === "string" && /^\d{1,3}$/.test(v.status) ? Number(v.status) : v.status;
  if (typeof status !== "number" || !Number.isInteger(status) || status < 0 || status > 999) {
    return fail(`${where}.status: must be an HTTP status number`);
  }
  const headers = readHeaders(v.headers, `${where}.headers`);
  if (!headers.ok) return headers;
  return { ok: true, value: { status, headers: headers.value } };
}

function readUrl(v: unknown, where: string): ReadResult<string> {
  if (typeof v !== "string" || v === "") return fail(`${where}: must be a URL string`);
  if (v.length > LIMITS.urlLength) return fail(`${where}: URL longer than ${LIMITS.urlLength} characters`);
  if (parseUrl(v) === null) return fail(`${where}: not an absolute URL: ${quoted(v)}`);
  return { ok: true, value: v };
}

/** Reads one exchange. `fallbackId` is used when the input has no id. */
export function readExchange(input: unknown, fallbackId = "0"): ReadResult<Exchange> {
  if (!isObject(input)) return fail("an exchange must be a JSON object");
  const id = typeof input.id === "string" ? input.id : typeof input.id === "number" ? String(input.id) : fallbackId;
  const r = input.request;
  if (!isObject(r)) return fail(`exchange ${shownId(id)}: "request" must be an object`);
  const url = readUrl(r.url, `exchange ${shownId(id)}: request.url`);
  if (!url.ok) return url;
  const method = r.method === undefined ? "GET" : r.method;
  if (typeof method !== "string" || method === "" || method.length > 64) {
    return fail(`exchange ${shownId(id)}: request.method must be a non-empty string`);
  }
  if (typeof r.origin !== "string" || r.origin === "") {
    return fail(`exchange ${shownId(id)}: request.origin must be a serialized origin or "null"`);
  }
  if (r.origin !== "null") {
    // The URL parser drops tabs, newlines and surrounding spaces; a serialized origin never has them.
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u0020\u007f]/.test(r.origin) || parseUrl(r.origin) === null) {
      return fail(`exchange ${shownId(id)}: request.origin is not an origin: ${quoted(r.origin)}`);
    }
  }
  const credentials = r.credentials ?? "unknown";
  if (typeof credentials !== "string" || !CREDENTIALS.includes(credentials)) {
    return fail(`exchange ${shownId(id)}: request.credentials must be one of ${CREDENTIALS.join(", ")}`);
  }
  const mode = r.mode ?? "cors";
  if (typeof mode !== "string" || !MODES.includes(mode)) {
    return fail(`exchange ${shownId(id)}: request.mode must be one of ${MODES.join(", ")}`);
  }
  const headers = readHeaders(r.headers, `exchange ${shownId(id)}: request.headers`);
  if (!headers.ok) return headers;
  let sentHeaders: Headers | undefined;
  if (r.sentHeaders !== undefined) {
    const s = readHeaders(r.sentHeaders, `exchange ${shownId(id)}: request.sentHeaders`);
    if (!s.ok) return s;
    sentHeaders = s.value;
  }

  let rawHops: unknown = input.hops;
  if (rawHops === undefined) {
    // Shorthand: preflight/response at the top level for a one-hop exchange.
    rawHops = [{ url: url.value, preflight: input.preflight ?? null, response: input.response ?? null }];
  }
  if (!Array.isArray(rawHops) || rawHops.length === 0) return fail(`exchange ${shownId(id)}: "hops" must be a non-empty array`);
  if (rawHops.length > LIMITS.hops) return fail(`exchange ${shownId(id)}: more than ${LIMITS.hops} hops (browsers stop at 20 redirects)`);
  const hops: Hop[] = [];
  for (let i = 0; i < rawHops.length; i++) {
    const h = rawHops[i];
    const where = `exchange ${shownId(id)}: hops[${i}]`;
    if (!isObject(h)) return fail(`${where} must be an object`);
    const hopUrl = h.url === undefined && i === 0 ? url : readUrl(h.url, `${where}.url`);
    if (!hopUrl.ok) return hopUrl;
    const preflight = readResponse(h.preflight, `${where}.preflight`);
    if (!preflight.ok) return preflight;
    const response = readResponse(h.response, `${where}.response`);
    if (!response.ok) return response;
    const hop: Hop = { url: hopUrl.value, preflight: preflight.value, response: response.value };
    if (h.preflightCached === true) {
      hop.preflightCached = true;
      const by = h.preflightCachedBy;
      if (by !== undefined) {
        // What the cached preflight said: an exchange id and its Access-Control-Max-Age (or null).
        if (!isObject(by) || typeof by.exchange !== "string" || by.exchange.length > LIMITS.urlLength ||
            !(by.maxAge === null || (typeof by.maxAge === "string" && by.maxAge.length <= LIMITS.valueLength))) {
          return fail(`${where}.preflightCachedBy must be {"exchange": string, "maxAge": string or null}`);
        }
        hop.preflightCachedBy = { exchange: by.exchange, maxAge: by.maxAge };
      }
    }
    hops.push(hop);
  }
  const exchange: Exchange = {
    id,
    request: {
      url: url.value,
      method,
      origin: r.origin,
      credentials: credentials as CredentialsMode | "unknown",
      mode: mode as RequestMode,
      headers: headers.value,
      ...(sentHeaders ? { sentHeaders } : {}),
    },
    hops,
  };
  if (typeof input.browserError === "string") exchange.browserError = input.browserError.slice(0, 200);
  else if (input.browserError === null) exchange.browserError = null;
  if (typeof input.initiator === "string") exchange.initiator = input.initiator.slice(0, 2000);
  if (typeof input.browserCorsError === "string" && /^[A-Za-z]{1,64}$/.test(input.browserCorsError)) exchange.browserCorsError = input.browserCorsError;
  return { ok: true, value: exchange };
}

/** Reads a parsed JSON document holding one exchange or an array of them. */
export function readExchanges(doc: unknown): ReadResult<Exchange[]> {
  const list = Array.isArray(doc) ? doc : [doc];
  const out: Exchange[] = [];
  for (let i = 0; i < list.length; i++) {
    const r = readExchange(list[i], String(i));
    if (!r.ok) return fail(Array.isArray(doc) ? `[${i}] ${r.error}` : r.error);
    out.push(r.value);
  }
  return { ok: true, value: out };
}

/**
 * An initiator as the page hook writes it, "url:line:column" (1-based, as in an Error stack), split;
 * null when it is not of that form.
 */
export function parseInitiator(s: string): { url: string; line: number; column: number | null } | null {
  const m = /^(.*?):(\d{1,9})(?::(\d{1,9}))?$/.exec(s);
  if (!m || !m[1]) return null;
  return { url: m[1], line: Number(m[2]), column: m[3] === undefined ? null : Number(m[3]) };
}
