// Reads a HAR 1.2 document (as Chrome and Firefox DevTools export it) into exchanges.
// Pure and total: bad input gives { ok: false, error }, never an exception.
//
// What real exports look like (and what this relies on):
// - Chrome: every request is its own entry, preflights included, marked `_resourceType: "preflight"`
//   with `_initiator: { type: "preflight", url, requestId }`. The actual request's startedDateTime is
//   when the page called fetch/XHR, so it is usually a few ms *before* its preflight's.
//   A CORS failure gives `response._error: "net::ERR_FAILED"`, status 0 and no headers when nothing
//   was read, or the real status and headers when the response arrived but failed the check.
//   When the preflight failed, the actual request shows only provisional headers (no Origin).
// - Firefox: preflights are plain OPTIONS entries carrying Access-Control-Request-Method, and they
//   start before the request they precede; no `_resourceType`, status 0 when nothing was received.
// - Redirects: one entry per hop; the 3xx entry has `response.redirectURL` (from Location).
import type { Har, Log as HarLog, Page as HarPage, Request as HarRequest } from "har-format";
import type { CredentialsMode, Exchange, Headers, Hop, RequestMode, ResponseRecord } from "./types";
import { LIMITS, readHeaders, type ReadResult } from "./exchange";
import { stripFragment } from "../shared/url";
import type { ChromeCallFrame, ChromeHarEntry, ChromeInitiator, ChromeResponse, ChromeStackTrace, LensMarker } from "./har-export";
import {
  headerValue,
  isForbiddenRequestHeader,
  isSafelistedRequestHeader,
  normalizeMethod,
  originOf,
  redirectMethod,
  scriptHeadersFromWire,
} from "./fetch";

/** More entries than any real recording holds; keeps a hostile file from costing quadratic time. */
export const HAR_LIMITS = { entries: 200_000, pairingWork: 4_000_000 };

/** Request headers Chrome's default (sanitized) HAR export removes. */
const SANITIZED = new Set(["cookie", "authorization"]);

/** Chrome `_resourceType`s that are CORS-mode requests when no Sec-Fetch-Mode says otherwise. */
const CORS_TYPES = new Set(["fetch", "xhr", "eventsource", "font", "preflight"]);
/** Chrome `_resourceType`s that are navigations or no-cors subresources unless Sec-Fetch-Mode says cors. */
const NON_CORS_TYPES = new Set([
  "document", "image", "media", "script", "stylesheet", "manifest", "texttrack", "websocket",
  "ping", "signed-exchange", "csp-violation-report", "cspviolationreport", "webbundle", "prefetch",
]);

/** A HAR object before validation: har-format's field names (a misspelt one does not compile), values unknown. */
type Unchecked<T> = { [K in keyof T]?: unknown };

function isObject<T = Record<string, unknown>>(v: unknown): v is Unchecked<T> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function fail<T>(error: string): ReadResult<T> {
  return { ok: false, error };
}

/** Whether a parsed JSON document looks like a HAR (an object with log.entries). */
export function isHar(doc: unknown): boolean {
  return isObject<Har>(doc) && isObject<HarLog>(doc.log) && Array.isArray(doc.log.entries);
}

/** One log.entries item, validated and parsed (not har-format's Entry: what pairing needs). Internal. */
interface ParsedEntry {
  index: number;
  url: string;
  method: string;
  /** Wire headers, pseudo headers (:authority …) removed. */
  wire: Headers;
  /** Cookies from request.cookies, used when the Cookie header itself was stripped. */
  cookieCount: number;
  status: number;
  resHeaders: Headers;
  /** `_error` as exported: a string, null (Chrome: no error), or undefined (not exported). */
  error: string | null | undefined;
  /** `_corsErrorStatus.corsError` (examples/ci/record-har.mjs records CDP's verdict), when present. */
  corsError: string | null;
  redirectTo: string | null;
  time: number;
  resourceType: string | null;
  pageref: string | null;
  initiator: string | undefined;
  /** CORS Lens' own export marker (`_corsLens`, src/core/har-export.ts): what a HAR cannot say. */
  lens: Lens | null;
  /** `_fromCache` on a preflight: the browser answered it from its preflight cache. */
  fromCache: boolean;
  /** CORS Lens' `_corsLensCachedBy` on such a preflight: whose cached answer it was (Hop.preflightCachedBy). */
  cachedBy: { exchange: string; maxAge: string | null } | null;
  preflight: boolean;
  /** For a preflight: the method it asks for (Access-Control-Request-Method), normalized. */
  forMethod: string | null;
  /** For a preflight: the header names it asks for (Access-Control-Request-Headers), lower-case. */
  forHeaders: string[];
}

function readCachedBy(v: unknown): { exchange: string; maxAge: string | null } | null {
  if (typeof v !== "object" || v === null) return null;
  const { exchange, maxAge } = v as { exchange?: unknown; maxAge?: unknown };
  if (typeof exchange !== "string" || exchange.length > 1024) return null;
  if (!(maxAge === null || (typeof maxAge === "string" && maxAge.length <= 1024))) return null;
  return { exchange, maxAge };
}

function str(v: unknown): string | null {
  return typeof v === "string" ? v : null;
}

function isHttp(url: string): boolean {
  return /^https?:/i.test(url);
}

/** "file:line:column" (1-based) from Chrome's `_initiator`, when it has a script location. */
function readInitiator(v: unknown): string | undefined {
  if (!isObject<ChromeInitiator>(v)) return undefined;
  let stack: unknown = v.stack;
  for (let depth = 0; isObject<ChromeStackTrace>(stack) && depth < 32; depth++) {
    const frames = stack.callFrames;
    if (Array.isArray(frames)) {
      for (const f of frames) {
        if (isObject<ChromeCallFrame>(f) && typeof f.url === "string" && f.url !== "") {
          const line = typeof f.lineNumber === "number" ? f.lineNumber + 1 : null;
          const col = typeof f.columnNumber === "number" ? f.columnNumber + 1 : null;
          return `${f.url}${line !== null ? `:${line}` : ""}${line !== null && col !== null ? `:${col}` : ""}`.slice(0, 2000);
        }
      }
    }
    stack = stack.parent;
  }
  if (v.type === "script" && typeof v.url === "string" && v.url !== "") {
    const line = typeof v.lineNumber === "number" ? `:${v.lineNumber + 1}` : "";
    return `${v.url}${line}`.slice(0, 2000);
  }
  return undefined;
}

function readStatus(v: unknown): number | null {
  if (v === undefined || v === null) return 0;
  const n = typeof v === "string" && /^-?\d{1,3}$/.test(v.trim()) ? Number(v.trim()) : v;
  if (typeof n !== "number" || !Number.isInteger(n)) return null;
  // -1 and 0 both mean "no status" in the wild; anything else outside 100..999 is nonsense.
  if (n <= 0) return 0;
  return n >= 100 && n <= 999 ? n : null;
}

function listNames(v: string | null): string[] {
  if (!v) return [];
  return v.split(",").map((s) => s.trim().toLowerCase()).filter((s) => s !== "");
}

/** One log.entries item; null for one this tool cannot reason about (not http(s)). */
function readHarEntry(raw: unknown, index: number): ReadResult<ParsedEntry | null> {
  const where = `log.entries[${index}]`;
  if (!isObject<ChromeHarEntry>(raw)) return fail(`${where} must be an object`);
  const req = raw.request;
  if (!isObject<HarRequest>(req)) return fail(`${where}.request must be an object`);
  if (typeof req.url !== "string") return fail(`${where}.request.url must be a string`);
  if (typeof req.method !== "string") return fail(`${where}.request.method must be a string`);
  // The same bounds as exchange JSON (exchange.ts readExchange): every exchange read from a HAR is a valid one.
  if (req.method.trim() === "" || req.method.length > 64) return fail(`${where}.request.method must be a method name (1 to 64 characters)`);
  if (req.url.length > LIMITS.urlLength) return fail(`${where}.request.url is longer than ${LIMITS.urlLength} characters`);
  const reqHeaders = readHeaders(req.headers, `${where}.request.headers`);
  if (!reqHeaders.ok) return reqHeaders;
  if (req.cookies !== undefined && req.cookies !== null && !Array.isArray(req.cookies)) {
    return fail(`${where}.request.cookies must be an array`);
  }
  const res = raw.response;
  if (res !== undefined && res !== null && !isObject(res)) return fail(`${where}.response must be an object`);
  const response: Unchecked<ChromeResponse> = isObject<ChromeResponse>(res) ? res : {};
  const status = readStatus(response.status);
  if (status === null) return fail(`${where}.response.status must be an HTTP status number`);
  const resHeaders = readHeaders(response.headers, `${where}.response.headers`);
  if (!resHeaders.ok) return resHeaders;

  // Entries this tool cannot reason about (data:, blob:, chrome-extension:, unparseable) are skipped.
  const url = stripFragment(req.url);
  if (!isHttp(url) || originOf(url) === null) return { ok: true, value: null };

  // Object.fromEntries makes own data properties: a header named "__proto__" stays a header (an
  // assignment would replace the object's prototype instead).
  const wire: Headers = Object.fromEntries(Object.entries(reqHeaders.value).filter(([name]) => !name.startsWith(":")));
  const resH: Headers = Object.fromEntries(Object.entries(resHeaders.value).filter(([name]) => !name.startsWith(":")));

  let error: string | null | undefined;
  if (typeof response._error === "string" && response._error !== "") error = response._error.slice(0, 200);
  else if (typeof raw._error === "string" && raw._error !== "") error = raw._error.slice(0, 200);
  else if (response._error === null || ("_error" in response && response._error === "")) error = null;

  const ces = raw._corsErrorStatus;
  const corsError = isObject<NonNullable<ChromeHarEntry["_corsErrorStatus"]>>(ces) && typeof ces.corsError === "string" && /^[A-Za-z]{1,64}$/.test(ces.corsError) ? ces.corsError : null;

  let redirectTo: string | null = null;
  if (status >= 300 && status < 400) {
    const target = str(response.redirectURL) || headerValue(resH, "location");
    if (target) {
      try {
        redirectTo = stripFragment(new URL(target, url).href);
      } catch {
        redirectTo = null;
      }
    }
  }

  const parsedTime = typeof raw.startedDateTime === "string" ? Date.parse(raw.startedDateTime) : NaN;
  const resourceType = typeof raw._resourceType === "string" ? raw._resourceType.toLowerCase() : null;
  const method = normalizeMethod(req.method.trim());
  const acrm = headerValue(wire, "access-control-request-method");
  const preflight = method === "OPTIONS" && (resourceType === "preflight" || acrm !== null);

  return {
    ok: true,
    value: {
      index,
      url,
      method,
      wire,
      cookieCount: Array.isArray(req.cookies) ? req.cookies.length : 0,
      status,
      resHeaders: resH,
      error,
      redirectTo,
      corsError,
      time: parsedTime,
      resourceType,
      pageref: typeof raw.pageref === "string" ? raw.pageref : null,
      initiator: readInitiator(raw._initiator),
      lens: readLens(raw._corsLens),
      fromCache: typeof raw._fromCache === "string" && raw._fromCache !== "",
      cachedBy: readCachedBy(raw._corsLensCachedBy),
      preflight,
      forMethod: preflight && acrm ? normalizeMethod(acrm.trim()) : null,
      forHeaders: preflight ? listNames(headerValue(wire, "access-control-request-headers")) : [],
    },
  };
}

type Lens = Pick<LensMarker, "credentials" | "mode"> & { id: string | null };

/** `_corsLens: { v: 1, id, credentials, mode }` as CORS Lens exports it; anything else is ignored. */
function readLens(v: unknown): Lens | null {
  if (!isObject<LensMarker>(v) || v.v !== 1) return null;
  const credentials = ["include", "same-origin", "omit", "unknown"].includes(v.credentials as string)
    ? (v.credentials as CredentialsMode | "unknown") : "unknown";
  const mode = ["cors", "no-cors", "same-origin"].includes(v.mode as string) ? (v.mode as RequestMode) : "cors";
  const id = typeof v.id === "string" && v.id.length <= 1000 ? v.id : null;
  return { id, credentials, mode };
}

/** Page URL origins by page id (Chrome puts the page URL in pages[].title). */
function readPages(v: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (!Array.isArray(v)) return out;
  for (const p of v) {
    if (!isObject<HarPage>(p) || typeof p.id !== "string" || typeof p.title !== "string") continue;
    const o = isHttp(p.title) ? originOf(p.title) : null;
    if (o) out.set(p.id, o);
  }
  return out;
}

/** The page origin that sent the request: Origin header, else Referer's origin, else the page's URL. */
function requestOrigin(e: ParsedEntry, pages: Map<string, string>): string | null {
  const origin = headerValue(e.wire, "origin");
  if (origin !== null) {
    const o = origin.trim();
    if (o === "null") return "null";
    const parsed = originOf(o);
    if (parsed && parsed !== "null") return parsed;
  }
  const referer = headerValue(e.wire, "referer");
  if (referer) {
    const r = originOf(referer.trim());
    if (r && r !== "null") return r;
  }
  if (e.pageref && pages.has(e.pageref)) return pages.get(e.pageref)!;
  if (pages.size === 1) return [...pages.values()][0]!;
  return null;
}

/** Request mode, or null for requests that are not CORS fetches (navigations, no-cors subresources). */
function requestMode(e: ParsedEntry): RequestMode | null {
  const sfm = headerValue(e.wire, "sec-fetch-mode")?.trim().toLowerCase();
  if (sfm === "cors") return "cors";
  if (sfm === "same-origin") return "same-origin";
  if (sfm !== undefined) return null; // navigate, nested-navigate, no-cors, websocket
  if (e.resourceType !== null) {
    if (CORS_TYPES.has(e.resourceType)) return "cors";
    if (NON_CORS_TYPES.has(e.resourceType)) return null;
  }
  // No marker at all (older Firefox, hand-made HARs): a CORS request always carries Origin.
  return headerValue(e.wire, "origin") !== null ? "cors" : null;
}

/** A response record for a hop, or null when nothing was received. */
function responseOf(e: ParsedEntry): ResponseRecord | null {
  const hasHeaders = Object.keys(e.resHeaders).length > 0;
  if (e.status === 0 && !hasHeaders) return null;
  // Status 0 with headers: Chrome read the headers but failed the request; keep what is there.
  return { status: e.status, headers: e.resHeaders };
}

/**
 * Pairs preflights with the requests they precede. Within each (URL, method) group this is an
 * order-preserving matching that pairs as many as possible, then prefers the closest start times,
 * in the direction the browser logs them (Chrome: preflight just after the request's start; Firefox
 * and unmarked: before). A preflight never pairs with a request that lacks a header it asked about.
 */
function pairPreflights(entries: ParsedEntry[], preflights: ParsedEntry[]): Map<number, ParsedEntry> {
  const out = new Map<number, ParsedEntry>();
  const groups = new Map<string, { pre: ParsedEntry[]; act: ParsedEntry[] }>();
  const key = (url: string, method: string) => `${method} ${url}`;
  for (const p of preflights) {
    if (!p.forMethod) continue;
    const k = key(p.url, p.forMethod);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { pre: [], act: [] }));
    g.pre.push(p);
  }
  for (const a of entries) {
    const g = groups.get(key(a.url, a.method));
    if (g) g.act.push(a);
  }
  const WINDOW = 5 * 60_000; // ms; farther apart than this, they are different events
  const PENALTY = 1e7; // logged in the unexpected direction: allowed, but only as a last resort
  // Both browsers stamp entries from one clock truncated to whole ms: order survives, ties can happen.
  const EPS = 0;
  const byTime = (x: ParsedEntry, y: ParsedEntry) => x.time - y.time || x.index - y.index;
  for (const { pre, act } of groups.values()) {
    if (act.length === 0) continue;
    pre.sort(byTime);
    act.sort(byTime);
    const cost = (p: ParsedEntry, a: ParsedEntry): number | null => {
      const names = new Set(Object.keys(a.wire));
      // Only insist when the request has headers at all, and not on the ones a sanitized export drops.
      // A request that never went out (its preflight failed) has only Chrome's provisional headers
      // (User-Agent, Referer: no Origin, often not the script's own): nothing to insist on.
      const provisional = a.status === 0 && headerValue(a.wire, "origin") === null;
      if (names.size > 0 && !provisional && p.forHeaders.some((h) => !names.has(h) && !SANITIZED.has(h))) return null;
      const d = p.time - a.time;
      if (Math.abs(d) > WINDOW) return null;
      if (p.resourceType === "preflight") return d >= -EPS ? Math.max(d, 0) : PENALTY - d;
      return d <= EPS ? Math.max(-d, 0) : PENALTY + d;
    };
    const m = pre.length;
    const n = act.length;
    if (m * n > HAR_LIMITS.pairingWork) {
      // Too big for the exact matching: greedy, each preflight to the first free acceptable request.
      const used = new Set<number>();
      for (const p of pre) {
        let best: ParsedEntry | null = null;
        let bestCost = Infinity;
        for (const a of act) {
          if (used.has(a.index)) continue;
          const c = cost(p, a);
          if (c !== null && c < bestCost) [best, bestCost] = [a, c];
        }
        if (best) {
          used.add(best.index);
          out.set(best.index, p);
        }
      }
      continue;
    }
    // dp[i][j]: best (pairs, cost) using the first i preflights and the first j requests.
    const pairs = new Int32Array((m + 1) * (n + 1));
    const costs = new Float64Array((m + 1) * (n + 1));
    const choice = new Uint8Array((m + 1) * (n + 1)); // 1 skip preflight, 2 skip request, 3 pair
    const at = (i: number, j: number) => i * (n + 1) + j;
    for (let i = 0; i <= m; i++) {
      for (let j = 0; j <= n; j++) {
        if (i === 0 && j === 0) continue;
        let bp = -1;
        let bc = Infinity;
        let bch = 0;
        const consider = (p: number, c: number, ch: number) => {
          if (p > bp || (p === bp && c < bc)) [bp, bc, bch] = [p, c, ch];
        };
        if (i > 0) consider(pairs[at(i - 1, j)]!, costs[at(i - 1, j)]!, 1);
        if (j > 0) consider(pairs[at(i, j - 1)]!, costs[at(i, j - 1)]!, 2);
        if (i > 0 && j > 0) {
          const c = cost(pre[i - 1]!, act[j - 1]!);
          if (c !== null) consider(pairs[at(i - 1, j - 1)]! + 1, costs[at(i - 1, j - 1)]! + c, 3);
        }
        pairs[at(i, j)] = bp;
        costs[at(i, j)] = bc;
        choice[at(i, j)] = bch;
      }
    }
    for (let i = m, j = n; i > 0 || j > 0; ) {
      const ch = choice[at(i, j)];
      if (ch === 3) {
        out.set(act[j - 1]!.index, pre[i - 1]!);
        i--;
        j--;
      } else if (ch === 1) i--;
      else j--;
    }
  }
  return out;
}

/** Finds the entry that follows a redirect: the target URL, not before the 3xx, nearest in time. */
function nextHop(from: ParsedEntry, candidates: Map<string, ParsedEntry[]>, taken: Set<number>): ParsedEntry | null {
  if (!from.redirectTo) return null;
  const list = candidates.get(from.redirectTo);
  if (!list) return null;
  const methods = new Set([from.method, redirectMethod(from.method, from.status)]);
  let best: ParsedEntry | null = null;
  for (const c of list) {
    if (taken.has(c.index) || c.index === from.index || !methods.has(c.method)) continue;
    const after = Number.isNaN(c.time) || Number.isNaN(from.time) ? c.index > from.index : c.time >= from.time - 5;
    if (!after) continue;
    if (!best || c.time - from.time < best.time - from.time || (c.time === best.time && c.index < best.index)) best = c;
  }
  return best;
}

function hasCookie(e: ParsedEntry): boolean {
  return headerValue(e.wire, "cookie") !== null || e.cookieCount > 0;
}

/** Reads a parsed HAR document into exchanges, one per cross-origin request (with its redirects). */
export function readHar(doc: unknown): ReadResult<Exchange[]> {
  const r = readHarEntries(doc);
  return r.ok ? { ok: true, value: r.value.map((x) => x.exchange) } : r;
}

/** readHar, with the index in log.entries of each exchange's first request (for reports that name it). */
export function readHarEntries(doc: unknown): ReadResult<Array<{ entry: number; exchange: Exchange }>> {
  if (!isObject<Har>(doc)) return fail("not a HAR file: expected a JSON object with log.entries");
  const log = doc.log;
  if (!isObject<HarLog>(log)) return fail('not a HAR file: no "log" object');
  if (!Array.isArray(log.entries)) return fail("not a HAR file: log.entries must be an array");
  if (log.entries.length > HAR_LIMITS.entries) return fail(`more than ${HAR_LIMITS.entries} entries`);
  const pages = readPages(log.pages);

  const all: ParsedEntry[] = [];
  for (let i = 0; i < log.entries.length; i++) {
    const r = readHarEntry(log.entries[i], i);
    if (!r.ok) return r;
    if (r.value) all.push(r.value);
  }
  // Without usable timestamps everywhere, fall back to file order for every comparison.
  if (all.some((e) => Number.isNaN(e.time))) for (const e of all) e.time = e.index;

  const preflights = all.filter((e) => e.preflight);
  const requests = all.filter((e) => !e.preflight);
  const preflightFor = pairPreflights(requests, preflights);

  // Redirect chains: link each 3xx to the entry for its Location.
  const byUrl = new Map<string, ParsedEntry[]>();
  for (const e of requests) {
    const list = byUrl.get(e.url);
    if (list) list.push(e);
    else byUrl.set(e.url, [e]);
  }
  const next = new Map<number, ParsedEntry>();
  const continuation = new Set<number>();
  for (const e of [...requests].sort((x, y) => x.time - y.time || x.index - y.index)) {
    const n = nextHop(e, byUrl, continuation);
    if (n) {
      next.set(e.index, n);
      continuation.add(n.index);
    }
  }

  const exchanges: Array<{ at: number; exchange: Exchange }> = [];
  /** Preflights paired with a recorded request, and those of redirect targets taken as a chain's last hop (targetPreflight). */
  const paired = new Set([...preflightFor.values()].map((p) => p.index));
  const claimed = new Set<number>();
  for (const head of requests) {
    if (continuation.has(head.index)) continue;
    const mode = head.lens?.mode ?? requestMode(head);
    if (mode === null) continue;
    // A request that never went out has only provisional headers (no Origin): its preflight has
    // the Origin the browser would have sent ("null" for a sandboxed page, which a Referer hides).
    const headPre = preflightFor.get(head.index);
    const origin = requestOrigin(headerValue(head.wire, "origin") === null && headPre && headerValue(headPre.wire, "origin") !== null ? headPre : head, pages);
    if (origin === null) continue;

    const chain: ParsedEntry[] = [head];
    const seen = new Set([head.index]);
    for (let cur = next.get(head.index); cur && !seen.has(cur.index) && chain.length < LIMITS.hops; cur = next.get(cur.index)) {
      chain.push(cur);
      seen.add(cur.index);
    }
    const tail = chain[chain.length - 1]!;
    // A redirect the browser did not follow through (refused, or its preflight failed) has no entry
    // of its own: its target still counts, as the hop where the request left its origin.
    const leftAtTail = tail.redirectTo !== null && originOf(tail.redirectTo) !== origin;
    const crossAt = chain.findIndex((e) => originOf(e.url) !== origin);
    // Same-origin all the way: not a CORS exchange (unless CORS Lens recorded it).
    if (crossAt === -1 && !leftAtTail && !head.lens) continue;

    const hops: Hop[] = chain.map((e) => {
      const pre = preflightFor.get(e.index) ?? null;
      const hop: Hop = { url: e.url, preflight: pre ? responseOf(pre) : null, response: responseOf(e) };
      if (pre?.fromCache && !hop.preflight) {
        hop.preflightCached = true;
        if (pre.cachedBy) hop.preflightCachedBy = pre.cachedBy;
      }
      return hop;
    });
    // The preflight the browser sent for that unfollowed redirect's target (and failed, so the
    // request itself never went out): the last hop, a preflight and no response.
    const targetPreflight = tail.redirectTo === null ? undefined : preflights.find((p) =>
      !claimed.has(p.index) && !paired.has(p.index) && p.url === tail.redirectTo &&
      (Number.isNaN(p.time) || Number.isNaN(tail.time) || p.time >= tail.time - 5));
    if (targetPreflight) {
      claimed.add(targetPreflight.index);
      hops.push({ url: targetPreflight.url, preflight: responseOf(targetPreflight), response: null });
    }
    const headPreflight = preflightFor.get(head.index) ?? null;
    // No preflightCached inference: a HAR cannot tell a cached preflight from an unrecorded one, and
    // diagnose() warns about a needed-but-missing preflight itself.
    const headers = scriptHeadersFromWire(head.wire, headPreflight ? headPreflight.forHeaders : null);

    // Credentials: a HAR never states the mode; a Cookie sent to a cross-origin hop is the evidence,
    // kept in sentHeaders so that diagnose() infers "include" and marks it inferred.
    const evidence = chain.slice(Math.max(crossAt, 0)).find(hasCookie);
    const sentFrom = evidence ?? chain[Math.max(crossAt, 0)]!;
    const sentHeaders: Headers = { ...sentFrom.wire };
    if (evidence && headerValue(sentHeaders, "cookie") === null) {
      sentHeaders.cookie = `(${evidence.cookieCount} cookie${evidence.cookieCount === 1 ? "" : "s"} listed in request.cookies)`;
    }
    const credentials: CredentialsMode | "unknown" = head.lens?.credentials ?? "unknown";

    const last = chain[chain.length - 1]!;
    const failedPreflight = [...chain.map((e) => preflightFor.get(e.index)), targetPreflight].find((p) => p && typeof p.error === "string");
    const exchange: Exchange = {
      id: head.lens?.id ?? `har:${head.index}`,
      request: { url: head.url, method: head.method, origin, credentials, mode, headers, sentHeaders },
      hops,
    };
    const error = typeof last.error === "string" ? last.error : failedPreflight?.error ?? last.error;
    if (error !== undefined) exchange.browserError = error;
    if (last.corsError) exchange.browserCorsError = last.corsError;
    const initiator = head.initiator ?? headPreflight?.initiator;
    if (initiator) exchange.initiator = initiator;
    exchanges.push({ at: head.index, exchange });
  }

  // Preflights whose request never appears (not sent, or not recorded): an exchange
  // with the preflight and no response, the request reconstructed from what the preflight asked.
  for (const i of claimed) paired.add(i);
  for (const p of preflights) {
    if (paired.has(p.index) || !p.forMethod) continue;
    const origin = requestOrigin(p, pages);
    if (origin === null || originOf(p.url) === origin) continue;
    const headers: Headers = Object.fromEntries(p.forHeaders.filter((name) => !isForbiddenRequestHeader(name)).map((name) => [name, ""]));
    const exchange: Exchange = {
      id: `har:${p.index}`,
      request: {
        url: p.url, method: p.forMethod, origin, credentials: "unknown", mode: "cors", headers,
        sentHeaders: { ...p.wire },
      },
      hops: [{ url: p.url, preflight: responseOf(p), response: null }],
    };
    if (p.error !== undefined) exchange.browserError = p.error;
    if (p.initiator) exchange.initiator = p.initiator;
    exchanges.push({ at: p.index, exchange });
  }

  exchanges.sort((a, b) => a.at - b.at);
  return { ok: true, value: exchanges.map((x) => ({ entry: x.at, exchange: x.exchange })) };
}
