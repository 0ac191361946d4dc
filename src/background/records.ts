// The boundary: raw webRequest details become plain records here (the way uBlock Origin's
// filtering context copies what it needs), and nothing past this file sees a raw object.
// Runs in every listener call, so same-origin requests return before allocating anything.
import type { Headers } from "../core/types";
import type { RawHttpHeader, RawRequestDetails, WebRequestEvent } from "../platform/background";

export interface RequestRecord {
  event: WebRequestEvent;
  requestId: string;
  tabId: number;
  frameId: number;
  type: string;
  url: string;
  method: string;
  /** Serialized origin that started the request ("null" when opaque). */
  initiator: string;
  timeStamp: number;
  requestHeaders?: Headers;
  responseHeaders?: Headers;
  statusCode?: number;
  redirectUrl?: string;
  error?: string;
  fromCache?: boolean;
}

/** Navigations are not CORS; websocket and CSP reports are not fetches. */
const SKIPPED_TYPES = new Set(["main_frame", "sub_frame", "websocket", "csp_report", "object", "object_subrequest"]);
export const HEADER_LIMITS = { count: 200, valueLength: 8192 };

let lastOriginUrl = "";
let lastOrigin = "null";

/** Chrome gives `initiator`; Firefox gives `originUrl` / `documentUrl`, whose origin is computed (memoized: one page → many requests). */
function initiatorOf(d: RawRequestDetails): string | null {
  if (typeof d.initiator === "string") return d.initiator;
  const from = d.originUrl ?? d.documentUrl;
  if (typeof from !== "string") return null;
  if (from !== lastOriginUrl) {
    lastOriginUrl = from;
    try {
      lastOrigin = new URL(from).origin;
    } catch {
      lastOrigin = "null";
    }
  }
  return lastOrigin;
}

/** Same origin without parsing: webRequest URLs are canonical (default ports dropped, a path always present). */
export function sameOrigin(url: string, origin: string): boolean {
  if (origin === "null" || !url.startsWith(origin)) return false;
  const next = url.charCodeAt(origin.length);
  return Number.isNaN(next) || next === 47 /* "/" */;
}

/** Headers the diagnosis reads: kept beyond HEADER_LIMITS.count, or a server that sends them after
 * 200 other lines would be diagnosed on headers it did not send (Chromium reads them all). */
const ESSENTIAL = /^(?:access-control-|origin$|location$)/i;

export function toHeaders(list: RawHttpHeader[] | undefined): Headers | undefined {
  if (!Array.isArray(list)) return undefined;
  const out: Headers = {};
  let kept = 0;
  let essential = 0;
  for (let i = 0; i < list.length; i++) {
    const h = list[i]!;
    if (typeof h?.name !== "string") continue;
    if (kept >= HEADER_LIMITS.count) {
      if (!ESSENTIAL.test(h.name) || essential >= HEADER_LIMITS.count) continue;
      essential++;
    }
    kept++;
    let value = typeof h.value === "string" ? h.value
      : h.binaryValue ? String.fromCharCode(...Array.from(h.binaryValue).slice(0, HEADER_LIMITS.valueLength)) : "";
    if (value.length > HEADER_LIMITS.valueLength) value = value.slice(0, HEADER_LIMITS.valueLength);
    const name = h.name.toLowerCase();
    // Own properties only: a header named "constructor" must not merge with Object.prototype's
    // function (uncloneable: the panel's message would fail), nor "__proto__" set the prototype.
    // Assignment makes an own property for every name but "__proto__" (Object.prototype's accessor);
    // defineProperty for every header (a descriptor object each, V8's generic path) made toRecord
    // ~1.7x slower (B2's toRecord-only baseline; the maps have fast properties either way).
    const prev = Object.hasOwn(out, name) ? out[name] : undefined;
    const next = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
    if (name === "__proto__") Object.defineProperty(out, name, { value: next, enumerable: true, writable: true, configurable: true });
    else out[name] = next;
  }
  return out;
}

/** The Location of a 3xx response's raw headers, resolved against the request URL; null otherwise. */
function redirectTarget(d: RawRequestDetails): string | null {
  if (typeof d.statusCode !== "number" || d.statusCode < 300 || d.statusCode > 399 || !Array.isArray(d.responseHeaders)) return null;
  for (const h of d.responseHeaders) {
    if (typeof h?.name !== "string" || h.name.length !== 8 || h.name.toLowerCase() !== "location") continue;
    try {
      return new URL(typeof h.value === "string" ? h.value : "", d.url).href;
    } catch {
      return null;
    }
  }
  return null;
}

/**
 * Whether this event of a same-origin request sends it to another origin: onBeforeRedirect, or
 * already the 3xx response's headers, since Chromium fails a redirect it refuses (e.g. a Location
 * with user:password@, RedirectContainsCredentials) without any onBeforeRedirect.
 */
function leavesOrigin(event: WebRequestEvent, d: RawRequestDetails, initiator: string): boolean {
  const to = event === "beforeRedirect" ? d.redirectUrl : event === "headersReceived" ? redirectTarget(d) : null;
  return typeof to === "string" && !sameOrigin(to, initiator);
}

/**
 * The record for one event, or null when the request is not worth tracking: same-origin (unless
 * already tracked, e.g. after a redirect), started by the browser itself, or not a fetch at all.
 * A same-origin request is a CORS request from the hop where it leaves the origin on: `hold` is
 * given its events until then (Capture keeps them raw and replays them, `force`, when it leaves).
 */
export function toRecord(
  event: WebRequestEvent, d: RawRequestDetails, tracked: (tabId: number, requestId: string) => boolean,
  hold?: (event: WebRequestEvent, d: RawRequestDetails) => void, force = false,
): RequestRecord | null {
  if (SKIPPED_TYPES.has(d.type)) return null;
  const initiator = initiatorOf(d);
  if (initiator === null) return null;
  if (!force && sameOrigin(d.url, initiator) && !tracked(d.tabId, d.requestId) && !leavesOrigin(event, d, initiator)) {
    hold?.(event, d);
    return null;
  }
  // Extension pages (our own panel included) are not what the user debugs.
  if (initiator.startsWith("chrome-extension:") || initiator.startsWith("moz-extension:")) return null;
  const r: RequestRecord = {
    event, requestId: d.requestId, tabId: d.tabId, frameId: d.frameId, type: d.type,
    url: d.url, method: d.method, initiator, timeStamp: d.timeStamp,
  };
  const req = toHeaders(d.requestHeaders);
  if (req) r.requestHeaders = req;
  const res = toHeaders(d.responseHeaders);
  if (res) r.responseHeaders = res;
  if (typeof d.statusCode === "number") r.statusCode = d.statusCode;
  if (typeof d.redirectUrl === "string") r.redirectUrl = d.redirectUrl;
  if (typeof d.error === "string") r.error = d.error.slice(0, 200);
  if (typeof d.fromCache === "boolean") r.fromCache = d.fromCache;
  return r;
}
