// Export: exchanges as a HAR 1.2 file in Chrome DevTools' style, and a JSON report of diagnoses.
// Pure: no browser APIs. `cors-lens explain` (src/core/har.ts, src/cli/run.ts) reads both back.
//
// The HAR, as Chrome writes it (and as src/core/har.ts reads it):
// - one entry per request on the wire: each redirect hop is its own entry, the 3xx one with
//   `response.redirectURL`; each preflight is its own entry, `_resourceType: "preflight"` and
//   `_initiator: { type: "preflight", url, requestId }`, started just after the request it precedes;
// - a request that was never answered (its preflight failed) is an entry with status 0, no headers
//   and `_error: "net::ERR_FAILED"`; the browser's error goes on the last hop's entry;
// - a preflight the browser answered from its cache is an OPTIONS entry with `_fromCache: "memory"`
//   and no response (Chrome logs none; this is CORS Lens' own marker, read back as preflightCached).
// What a HAR cannot say (the credentials mode and request mode the script chose, the exchange id) goes
// in a `_corsLens` field of the first hop's entry; other tools ignore underscore fields (HAR 1.2 §custom).
import { diagnose } from "./diagnose";
import { parseInitiator } from "./exchange";
import { headerValue, isForbiddenRequestHeader, originOf, preflightHeaders, stepsOf } from "./fetch";
import { isSecretHeader, MASK, maskExchange, type SecretTest } from "./secrets";
import type {
  Entry as HarEntry, Har, Header as HarHeader, Initiator as HarInitiator, Log as HarLog, Page as HarPage, QueryString as HarQueryString,
  Response as HarResponse, Timings as HarTimings,
} from "har-format";
import type { CredentialsMode, Diagnosis, Exchange, Headers, RequestMode, ResponseRecord } from "./types";

export const HAR_EXPORT_MARKER = "_corsLens";
export const REPORT_FORMAT = "cors-lens-report";
export const REPORT_VERSION = 1;

/** An exchange with what capture knows about it (the panel's entries fit). */
export interface ExportItem {
  exchange: Exchange;
  diagnosis?: Diagnosis;
  /** When the request started (ms since the epoch). */
  start?: number;
  /** webRequest resource type ("xmlhttprequest", "font", …). */
  type?: string;
}

export interface ExportMeta {
  /** The exporting tool's version. */
  version?: string;
  /** The inspected page's URL (pages[0].title, as Chrome does). */
  pageUrl?: string;
  /**
   * Show secret values the user revealed: true for every exchange, or a test per exchange id (the
   * panel reveals one selected request at a time, so only that one may leave unmasked). Default: masked.
   */
  reveal?: boolean | ((exchangeId: string) => boolean);
  isSecret?: SecretTest;
  mask?: string;
  /** Export time (ms since the epoch); default now. */
  now?: number;
}

// ---- Chrome's additions to HAR 1.2 (har-format types the standard fields and some of these) ----

/** A frame of Chrome's `_initiator.stack` (CDP Runtime.CallFrame: 0-based line and column). */
export interface ChromeCallFrame { functionName: string; scriptId: string; url: string; lineNumber: number; columnNumber?: number }
/** Chrome's `_initiator.stack`: frames, then the async caller's stack in `parent`. */
export interface ChromeStackTrace { callFrames: ChromeCallFrame[]; parent?: ChromeStackTrace }
/** Chrome's `_initiator`: the script stack that made the request, or for a preflight its request's id. */
export interface ChromeInitiator extends HarInitiator { stack?: ChromeStackTrace; requestId?: string }
/** Chrome's response: `_error` is the net error ("net::ERR_FAILED"), null when there was none. */
export interface ChromeResponse extends HarResponse { _error?: string | null }
/** CORS Lens' own marker (HAR_EXPORT_MARKER) on a first hop's entry: what a HAR cannot say. */
export interface LensMarker { v: 1; id: string; credentials: CredentialsMode | "unknown"; mode: RequestMode; masked: boolean }
/** An entry as Chrome writes it; `_corsErrorStatus` is CDP's CORS verdict (examples/ci/record-har.mjs records it). */
export interface ChromeHarEntry extends HarEntry {
  response: ChromeResponse;
  _initiator?: ChromeInitiator;
  [HAR_EXPORT_MARKER]?: LensMarker;
  _corsErrorStatus?: { corsError?: string };
}
export interface ChromeHarLog extends HarLog { pages: HarPage[]; entries: ChromeHarEntry[] }
export interface ChromeHar extends Har { log: ChromeHarLog }
type ResourceType = NonNullable<HarEntry["_resourceType"]>;

function isExchange(x: ExportItem | Exchange): x is Exchange {
  return "request" in x && "hops" in x;
}

function itemOf(x: ExportItem | Exchange): ExportItem {
  return isExchange(x) ? { exchange: x } : x;
}

/** The meta for one exchange, with `reveal` settled to a boolean. */
function forExchange(meta: ExportMeta, id: string): ExportMeta {
  return typeof meta.reveal === "function" ? { ...meta, reveal: meta.reveal(id) } : meta;
}

function secretOf(meta: ExportMeta): SecretTest {
  return meta.isSecret ?? isSecretHeader;
}

function harHeaders(h: Headers | null | undefined, meta: ExportMeta): HarHeader[] {
  const out: HarHeader[] = [];
  if (!h) return out;
  const secret = secretOf(meta);
  const mask = meta.mask ?? MASK;
  for (const [name, v] of Object.entries(h)) {
    for (const value of Array.isArray(v) ? v : [v]) {
      out.push({ name, value: !meta.reveal && secret(name, String(value)) ? mask : String(value) });
    }
  }
  return out;
}

function queryString(url: string): HarQueryString[] {
  try {
    return [...new URL(url).searchParams].map(([name, value]) => ({ name, value }));
  } catch {
    return [];
  }
}

function iso(ms: number): string {
  const d = new Date(Number.isFinite(ms) ? ms : 0);
  return Number.isNaN(d.getTime()) ? new Date(0).toISOString() : d.toISOString();
}

const RESOURCE_TYPE: Record<string, ResourceType> = {
  xmlhttprequest: "xhr", xhr: "xhr", fetch: "fetch", font: "font", eventsource: "eventsource",
};

function resourceTypeOf(type: string | undefined): ResourceType {
  return (type && RESOURCE_TYPE[type.toLowerCase()]) || "fetch";
}

function sfm(mode: Exchange["request"]["mode"]): string {
  return mode === "no-cors" ? "no-cors" : mode === "same-origin" ? "same-origin" : "cors";
}

function response(r: ResponseRecord | null, meta: ExportMeta, error: string | null | undefined, redirectURL: string): ChromeResponse {
  const headers = harHeaders(r?.headers, meta);
  const out: ChromeResponse = {
    status: r?.status ?? 0,
    statusText: "",
    httpVersion: r ? "HTTP/1.1" : "",
    headers,
    cookies: [],
    content: { size: 0, mimeType: headerValue(r?.headers, "content-type") ?? "x-unknown" },
    redirectURL,
    headersSize: -1,
    bodySize: -1,
    _transferSize: 0,
  };
  if (error !== undefined) out._error = error;
  return out;
}

function locationOf(r: ResponseRecord | null, base: string): string {
  if (!r || r.status < 300 || r.status >= 400) return "";
  const loc = headerValue(r.headers, "location");
  if (loc === null) return "";
  try {
    return new URL(loc.trim(), base).href;
  } catch {
    return "";
  }
}

const TIMINGS: HarTimings & { _blocked_queueing: number } = { blocked: -1, dns: -1, ssl: -1, connect: -1, send: 0, wait: 0, receive: 0, _blocked_queueing: -1 };

/** HAR entries for one exchange: per hop, the request's entry then its preflight's (Chrome's order). */
function entriesOf(item: ExportItem, n: number, meta: ExportMeta, at: number): ChromeHarEntry[] {
  const ex = item.exchange;
  const out: ChromeHarEntry[] = [];
  const hops = ex.hops.length ? ex.hops : [{ url: ex.request.url, preflight: null, response: null }];
  const secret = secretOf(meta);
  const steps = stepsOf({ ...ex.request, headers: ex.request.headers ?? {} }, hops);
  const resourceType = resourceTypeOf(item.type);
  const initiator: ChromeInitiator = ex.initiator ? initiatorOf(ex.initiator) : { type: "script" };
  const requestId = `cl-${n}`;
  // The wire headers capture saw (Cookie, User-Agent, …), minus what is per hop.
  const sent: Headers = {};
  for (const [k, v] of Object.entries(ex.request.sentHeaders ?? {})) {
    const name = k.toLowerCase();
    if (name === "origin" || name === "host" || name.startsWith(":") || name === "sec-fetch-mode") continue;
    sent[name] = v;
  }
  for (let i = 0; i < hops.length; i++) {
    const hop = hops[i]!;
    const step = steps[i]!;
    const { origin, method, headers } = step;
    const last = i === hops.length - 1;
    const wire: Headers = {};
    for (const [k, v] of Object.entries(headers)) if (!isForbiddenRequestHeader(k)) wire[k.toLowerCase()] = v;
    Object.assign(wire, sent);
    wire.origin = origin;
    wire["sec-fetch-mode"] = sfm(ex.request.mode);
    const t = at + i * 2;
    const entry: ChromeHarEntry = {
      _initiator: initiator,
      _priority: "High",
      _resourceType: resourceType,
      cache: {},
      pageref: "page_1",
      request: {
        method, url: hop.url, httpVersion: "HTTP/1.1", headers: harHeaders(wire, meta), queryString: queryString(hop.url),
        cookies: [], headersSize: -1, bodySize: 0,
      },
      // The next hop is what the browser requested after this redirect (the Location, minus what it
      // strips); it links the entries, as Chrome's redirectURL does. The last hop keeps its Location.
      response: response(hop.response, meta, last ? ex.browserError : undefined,
        hops[i + 1] && locationOf(hop.response, hop.url) !== "" ? hops[i + 1]!.url : locationOf(hop.response, hop.url)),
      serverIPAddress: "",
      startedDateTime: iso(t),
      time: 0,
      timings: TIMINGS,
    };
    if (i === 0) {
      entry[HAR_EXPORT_MARKER] = {
        v: 1, id: ex.id, credentials: ex.request.credentials, mode: ex.request.mode,
        masked: !meta.reveal && Object.entries(wire).some(([n, v]) => (Array.isArray(v) ? v : [v]).some((x) => secret(n, String(x)))),
      };
    }
    out.push(entry);
    if (hop.preflight || hop.preflightCached) {
      const pre: Headers = { ...Object.fromEntries(preflightHeaders(step)), "sec-fetch-mode": "cors" };
      const p: ChromeHarEntry = {
        _initiator: { type: "preflight", url: hop.url, requestId },
        _priority: "High",
        _resourceType: "preflight",
        cache: {},
        pageref: "page_1",
        request: {
          method: "OPTIONS", url: hop.url, httpVersion: "HTTP/1.1", headers: harHeaders(pre, meta), queryString: queryString(hop.url),
          cookies: [], headersSize: -1, bodySize: 0,
        },
        response: response(hop.preflight, meta, undefined, ""),
        serverIPAddress: "",
        startedDateTime: iso(t + 1),
        time: 0,
        timings: TIMINGS,
      };
      if (hop.preflightCached && !hop.preflight) {
        p._fromCache = "memory";
        if (hop.preflightCachedBy) p._corsLensCachedBy = { ...hop.preflightCachedBy };
      }
      out.push(p);
    }
  }
  return out;
}


/** "file:line:column" back into Chrome's `_initiator` (0-based line and column). */
function initiatorOf(s: string): ChromeInitiator {
  const at = parseInitiator(s);
  if (!at) return { type: "script", url: s };
  const frame: ChromeCallFrame = { functionName: "", scriptId: "", url: at.url, lineNumber: at.line - 1 };
  if (at.column !== null) frame.columnNumber = at.column - 1;
  return { type: "script", stack: { callFrames: [frame] } };
}

/** A HAR 1.2 document of the exchanges, preflights and redirect hops as their own entries. */
export function toHar(items: ReadonlyArray<ExportItem | Exchange>, meta: ExportMeta = {}): ChromeHar {
  const now = meta.now ?? Date.now();
  const list = items.map(itemOf);
  const entries: ChromeHarEntry[] = [];
  let clock = list.reduce((min, it) => Math.min(min, typeof it.start === "number" && Number.isFinite(it.start) ? it.start : min), now);
  list.forEach((item, n) => {
    // Each exchange gets its own stretch of time, in list order, so that pairing by time is unambiguous.
    const at = Math.max(clock, typeof item.start === "number" && Number.isFinite(item.start) ? item.start : clock);
    entries.push(...entriesOf(item, n, forExchange(meta, item.exchange.id), at));
    clock = at + Math.max(1, item.exchange.hops.length) * 2 + 1;
  });
  const pageUrl = meta.pageUrl ?? "";
  return {
    log: {
      version: "1.2",
      creator: { name: "CORS Lens", version: meta.version ?? "", comment: meta.reveal === true ? "secrets revealed"
        : `secret header values masked as ${meta.mask ?? MASK}${meta.reveal ? " except in the requests the user revealed" : ""}` },
      pages: [{ startedDateTime: iso(list[0]?.start ?? now), id: "page_1", title: pageUrl, pageTimings: { onContentLoad: -1, onLoad: -1 } }],
      entries,
    },
  };
}

// ---- The report ----

export interface Report {
  format: typeof REPORT_FORMAT;
  version: typeof REPORT_VERSION;
  generator: string;
  created: string;
  items: Array<{ exchange: Exchange; diagnosis: Diagnosis }>;
}

function maskedExchange(ex: Exchange, meta: ExportMeta): Exchange {
  return meta.reveal ? ex : maskExchange(ex, { isSecret: secretOf(meta), mask: meta.mask });
}

/**
 * The diagnoses with the exchanges they explain (docs/exchange.md, "The report"). The diagnosis is
 * the one given (what the panel showed) or computed; secrets are masked unless revealed (a masked
 * value cannot change a diagnosis: the checks never read Cookie or Authorization values).
 */
export function toReport(items: ReadonlyArray<ExportItem | Exchange>, meta: ExportMeta = {}): Report {
  return {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    generator: `CORS Lens${meta.version ? ` ${meta.version}` : ""}`,
    created: iso(meta.now ?? Date.now()),
    items: items.map(itemOf).map((it) => ({
      exchange: maskedExchange(it.exchange, forExchange(meta, it.exchange.id)),
      diagnosis: it.diagnosis ?? diagnose(it.exchange),
    })),
  };
}

/** Whether a parsed JSON document is a CORS Lens report. */
export function isReport(doc: unknown): doc is { format: string; items: unknown } {
  return typeof doc === "object" && doc !== null && !Array.isArray(doc) &&
    (doc as { format?: unknown }).format === REPORT_FORMAT;
}
