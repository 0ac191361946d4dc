// Per-tab correlator: groups the raw records of each requestId, ties every CORS preflight (its own
// requestId: OPTIONS + Access-Control-Request-Method) to the actual request and redirect hop it
// precedes, and hands over one settled request when the actual one ends. Listeners only append
// records; views and pairing are computed when a request ends. One correlator per tabId:
// service workers' requests (tabId -1) pair up in their own "-1" correlator, since their
// preflights are tabId -1 too; the engine then attaches them to tabs by initiator.
// Preflights are visible only with extraHeaders:
// https://developer.chrome.com/docs/extensions/reference/api/webRequest#life-cycle-of-requests
import { isCorsBlockError } from "../core/diagnose";
import { headerValue, redirectMethod } from "../core/fetch";
import type { Headers, ResponseRecord } from "../core/types";
import type { Annotation } from "../shared/protocol";
import type { RequestRecord } from "./records";

export interface HopView {
  url: string;
  method: string;
  start: number;
  /** onSendHeaders time (the headers left, or would have). */
  sent: number | null;
  /** When this hop's response headers arrived. */
  received: number | null;
  /** Wire request headers of this hop. */
  headers: Headers | null;
  response: ResponseRecord | null;
}

export interface RequestView {
  id: string;
  tabId: number;
  frameId: number;
  type: string;
  initiator: string;
  start: number;
  /** The completed or errorOccurred time; null while in flight. */
  end: number | null;
  hops: HopView[];
  /** undefined while in flight, null when completed, else the net error. */
  error: string | null | undefined;
  /** The first records were missed (capture started, or the worker restarted, mid-request). */
  partial: boolean;
  isOptions: boolean;
  /** Access-Control-Request-Method / -Headers when this is a preflight. */
  acrm: string | null;
  acrh: string[] | null;
}

export interface Settled {
  view: RequestView;
  /** The preflight of each hop, or null. */
  preflights: Array<RequestView | null>;
  annotation: Annotation | null;
}

export interface CorrelatorOptions {
  /** How long a blocked request with no response waits for a preflight that has not shown up yet. */
  graceMs: number;
  setTimer(ms: number, fn: () => void): () => void;
  emit(s: Settled): void;
  maxInFlight?: number;
}

interface Req {
  id: string;
  events: RequestRecord[];
  terminal: boolean;
  graceDone: boolean;
  cancelGrace: (() => void) | null;
  annotation: Annotation | null;
  view: RequestView | null;
}

const MAX_EVENTS = 64; // browsers stop at 20 redirects, ~6 records each at most matter
const ORPHAN_MS = 60_000;
const MAX_CONTENDERS = 64;


export function buildView(events: RequestRecord[]): RequestView {
  const first = events[0]!;
  const v: RequestView = {
    id: first.requestId, tabId: first.tabId, frameId: first.frameId, type: first.type, initiator: first.initiator,
    start: first.timeStamp, end: null, hops: [], error: undefined, partial: first.event !== "beforeRequest",
    isOptions: false, acrm: null, acrh: null,
  };
  const hop = (e: RequestRecord): HopView => {
    if (v.hops.length === 0) v.hops.push({ url: e.url, method: e.method, start: e.timeStamp, sent: null, received: null, headers: null, response: null });
    return v.hops[v.hops.length - 1]!;
  };
  for (const e of events) {
    switch (e.event) {
      case "beforeRequest":
        hop(e);
        break;
      case "beforeSendHeaders":
      case "sendHeaders": {
        const h = hop(e);
        h.method = e.method;
        if (e.requestHeaders) h.headers = e.requestHeaders;
        if (e.event === "sendHeaders" || h.sent === null) h.sent = e.timeStamp;
        break;
      }
      case "headersReceived":
      case "responseStarted":
      case "completed": {
        const h = hop(e);
        if (e.statusCode !== undefined && (e.event === "headersReceived" || !h.response)) {
          h.response = { status: e.statusCode, headers: e.responseHeaders ?? h.response?.headers ?? {} };
          h.received ??= e.timeStamp;
        }
        if (e.event === "completed") {
          v.error = null;
          v.end = e.timeStamp;
        }
        break;
      }
      case "beforeRedirect": {
        const h = hop(e);
        let headers = e.responseHeaders ?? {};
        if (!e.redirectUrl) break;
        // Chromium's internal redirects (HSTS upgrade, an extension's redirect) carry
        // Non-Authoritative-Reason and are not CORS-checked: the hop just changes URL
        // (net/url_request/redirect_util.cc SynthesizeRedirectResponse).
        if (headers["non-authoritative-reason"] !== undefined) {
          h.url = e.redirectUrl;
          h.response = null;
          break;
        }
        if (headers.location === undefined) headers = { ...headers, location: e.redirectUrl };
        const status = e.statusCode ?? 302;
        h.response = { status, headers };
        h.received ??= e.timeStamp;
        v.hops.push({ url: e.redirectUrl, method: redirectMethod(h.method, status), start: e.timeStamp, sent: null, received: null, headers: null, response: null });
        break;
      }
      case "errorOccurred":
        hop(e);
        v.error = e.error ?? "net::ERR_FAILED";
        v.end = e.timeStamp;
        break;
    }
  }
  const h0 = v.hops[0]!;
  v.isOptions = h0.method === "OPTIONS";
  if (v.isOptions && h0.headers) {
    v.acrm = headerValue(h0.headers, "access-control-request-method");
    const acrh = headerValue(h0.headers, "access-control-request-headers");
    if (v.acrm !== null) v.acrh = acrh ? acrh.split(",").map((s) => s.trim().toLowerCase()).filter(Boolean) : [];
  }
  return v;
}

function earlier(aStart: number, aId: string, bStart: number, bId: string): boolean {
  if (aStart !== bStart) return aStart < bStart;
  return aId.localeCompare(bId, "en", { numeric: true }) < 0;
}

/** Whether preflight `p` can be the one sent for hop `i` of `v`. */
function fits(v: RequestView, i: number, p: RequestView): boolean {
  const hop = v.hops[i]!;
  if (p.hops[0]!.url !== hop.url) return false;
  if (p.acrm !== null && p.acrm !== hop.method) return false;
  // The preflight for hop i starts after the hop does (its redirect, or the request itself)…
  if (p.start < hop.start) return false;
  const next = v.hops[i + 1];
  if (next && p.start > next.start) return false;
  // …and before the hop's response arrives. (Not "before its headers go out": Firefox 153 fires
  // the actual's onSendHeaders 10–20 ms before the preflight's onBeforeRequest; docs/firefox.md.)
  if (hop.received !== null && p.start > hop.received) return false;
  if (p.acrh && hop.headers) {
    for (const name of p.acrh) if (hop.headers[name] === undefined) return false;
  }
  return true;
}

export class Correlator {
  private reqs = new Map<string, Req>();
  /** OPTIONS requests in flight or unclaimed: the only possible preflights. */
  private options = new Set<Req>();
  private waiting = new Set<Req>();
  private settledCount = 0;

  constructor(private o: CorrelatorOptions) {}

  has(requestId: string): boolean {
    return this.reqs.has(requestId);
  }

  ingest(rec: RequestRecord): void {
    let r = this.reqs.get(rec.requestId);
    if (!r) {
      if (this.reqs.size >= (this.o.maxInFlight ?? 5000)) this.evictOldest();
      r = { id: rec.requestId, events: [], terminal: false, graceDone: false, cancelGrace: null, annotation: null, view: null };
      this.reqs.set(rec.requestId, r);
      if (rec.method === "OPTIONS") this.options.add(r);
    } else {
      // The same event delivered twice (two listener sets overlapping while capture is narrowed).
      for (const e of r.events) if (e.event === rec.event && e.timeStamp === rec.timeStamp) return;
      if (r.events.length >= MAX_EVENTS || r.terminal) return;
    }
    r.events.push(rec);
    r.view = null;
    // Chromium 156 fires nothing after onBeforeRedirect to a ws: URL (measured with a bare webRequest
    // logger; the live test shows the same for wss: and a custom scheme): the request ends there,
    // failed. Any non-http(s) target is settled so; diagnose() tells a CORS block (CorsDisabledScheme)
    // from ERR_UNSAFE_REDIRECT (data:, file:) by the Location.
    if (rec.event === "beforeRedirect" && typeof rec.redirectUrl === "string" && !/^https?:/i.test(rec.redirectUrl)) {
      r.events.push({ ...rec, event: "errorOccurred", error: "net::ERR_FAILED", url: rec.redirectUrl });
    }
    const last = r.events[r.events.length - 1]!;
    if (last.event === "completed" || last.event === "errorOccurred") {
      r.terminal = true;
      this.settle(r);
    }
  }

  /** Actual requests still in flight (for matching the page hook's reports). */
  inFlight(): RequestView[] {
    const out: RequestView[] = [];
    for (const r of this.reqs.values()) {
      const v = this.view(r);
      if (!(v.isOptions && v.acrm !== null) && !r.annotation) out.push(v);
    }
    return out;
  }

  /** Attaches the page hook's report to an in-flight request; used when it settles. */
  annotate(requestId: string, a: Annotation): boolean {
    const r = this.reqs.get(requestId);
    if (!r || r.annotation) return false;
    r.annotation = a;
    return true;
  }

  clear(): void {
    for (const r of this.reqs.values()) r.cancelGrace?.();
    this.reqs.clear();
    this.options.clear();
    this.waiting.clear();
  }

  private view(r: Req): RequestView {
    return (r.view ??= buildView(r.events));
  }

  private isPreflight(r: Req): boolean {
    const v = this.view(r);
    // An OPTIONS whose headers are not seen yet may still turn out to be a preflight.
    return v.isOptions && (v.acrm !== null || (!r.terminal && v.hops[0]!.headers === null));
  }

  private settle(r: Req): void {
    if (this.isPreflight(r)) {
      for (const w of [...this.waiting].sort((a, b) => this.view(a).start - this.view(b).start)) {
        if (this.reqs.get(w.id) === w) this.tryFinalize(w);
      }
      return;
    }
    this.tryFinalize(r);
  }

  private tryFinalize(r: Req): void {
    const v = this.view(r);
    const chosen: Array<Req | null> = [];
    let wait = false;
    for (let i = 0; i < v.hops.length; i++) {
      const p = this.pick(r, v, i);
      // Its preflight may end after it does: the two orders both happen.
      if (p && !p.terminal) wait = true;
      chosen.push(p);
    }
    const last = v.hops.length - 1;
    // Blocked before any response and no preflight seen yet: give one a moment to appear.
    if (isCorsBlockError(v.error) && !v.partial && !v.hops[last]!.response && !chosen[last]) wait = true;
    if (wait && !r.graceDone) {
      this.waiting.add(r);
      r.cancelGrace ??= this.o.setTimer(this.o.graceMs, () => {
        r.graceDone = true;
        r.cancelGrace = null;
        if (this.reqs.get(r.id) === r) this.tryFinalize(r);
      });
      return;
    }
    this.waiting.delete(r);
    r.cancelGrace?.();
    this.drop(r);
    for (const p of chosen) if (p) this.drop(p);
    this.o.emit({ view: v, preflights: chosen.map((p) => (p ? this.view(p) : null)), annotation: r.annotation });
    if (++this.settledCount % 64 === 0) this.sweep(v.start);
  }

  /**
   * The preflight of hop i, assigning preflights in start order: every earlier request for the
   * same URL and method that has not settled yet takes its own first fitting preflight before
   * this one chooses, so concurrent identical requests pair up in order whatever order they end in.
   */
  private pick(self: Req, v: RequestView, i: number): Req | null {
    const hop = v.hops[i]!;
    const pool: Req[] = [];
    for (const r of this.options) {
      if (r !== self && this.isPreflight(r) && this.view(r).hops[0]!.url === hop.url) pool.push(r);
    }
    if (!pool.some((q) => fits(v, i, this.view(q)))) return null;
    pool.sort((a, b) => this.view(a).start - this.view(b).start);
    const contenders: Array<[RequestView, number]> = [];
    for (const r of this.reqs.values()) {
      if (r === self || this.isPreflight(r)) continue;
      const ov = this.view(r);
      ov.hops.forEach((h, j) => {
        if (h.url === hop.url && h.method === hop.method && earlier(h.start, ov.id, hop.start, v.id)) contenders.push([ov, j]);
      });
    }
    contenders.sort((a, b) => a[0].hops[a[1]]!.start - b[0].hops[b[1]]!.start);
    const taken = new Set<Req>();
    // Bounded work for pathological floods of identical requests: the older contenders are
    // assumed to hold the older preflights.
    const older = contenders.length - MAX_CONTENDERS;
    if (older > 0) for (const q of pool.slice(0, older)) taken.add(q);
    for (const [ov, j] of contenders.slice(Math.max(0, older))) {
      const p = pool.find((q) => !taken.has(q) && fits(ov, j, this.view(q)));
      if (p) taken.add(p);
    }
    return pool.find((q) => !taken.has(q) && fits(v, i, this.view(q))) ?? null;
  }

  /** Drops preflights no request claimed (their actual request was never seen). */
  private sweep(now: number): void {
    for (const r of this.options) {
      if (r.terminal && this.isPreflight(r) && this.view(r).start < now - ORPHAN_MS) this.drop(r);
    }
  }

  private drop(r: Req): void {
    this.reqs.delete(r.id);
    this.options.delete(r);
  }

  private evictOldest(): void {
    const first = this.reqs.values().next().value;
    if (!first) return;
    first.cancelGrace?.();
    this.waiting.delete(first);
    this.drop(first);
  }
}
