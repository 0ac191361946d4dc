// The benches' shared, deterministic traffic: everyday passing requests and the 338 lab scenarios
// (test/scenarios: simple, preflighted, redirected; blocked at every stage), in every credentials
// mode, with and without what the browser reported, plus non-CORS network errors; and the same
// exchanges as Chromium 156 webRequest event sequences (shaped like test/unit/background/traffic.ts).
import { diagnose } from "../src/core/diagnose";
import { readExchange } from "../src/core/exchange";
import { corsUnsafeRequestHeaderNames, normalizeMethod } from "../src/core/fetch";
import type { CredentialsMode, Diagnosis, Exchange, Headers, Hop } from "../src/core/types";
import type { RawHttpHeader, RawRequestDetails, WebRequestEvent } from "../src/platform/background";
import type { Entry } from "../src/shared/protocol";
import { scenarios, type Kit, type Scenario } from "../test/scenarios";
import { okPreflight, okRes, redirect } from "../test/scenarios/kit";

/** The page every bench request comes from: a default dev site, so the background captures the tab fully. */
export const APP = "http://localhost:3000";
const PORT = 8080;

function kitFor(s: Scenario, seq: number): Kit {
  const host = (h: string) => (h === "app.example" ? APP : `http://${h}:${PORT}`);
  return {
    port: PORT,
    origin: s.page === "sandbox" ? "null" : APP,
    app: APP,
    api: host("api.example"),
    other: host("other.example"),
    url: (i, h = "api.example") => `${host(h)}/s/${seq}/${i}?q=${(seq * 7919) % 1000}`,
  };
}

const MODES: Array<CredentialsMode | "unknown"> = ["include", "unknown", "omit", "same-origin"];

/**
 * Everyday traffic that passes (real pages mostly succeed): simple, preflighted, redirected. The
 * lab scenarios below are mostly failures, one family of header faults each.
 */
const PASSING: Scenario[] = [
  { name: "pass/simple-get", group: "pass", hops: (k) => [{ url: k.url(0), preflight: null, response: okRes(k) }] },
  { name: "pass/post-text", group: "pass", request: { method: "POST", headers: { "Content-Type": "text/plain" }, body: "x" },
    hops: (k) => [{ url: k.url(0), preflight: null, response: okRes(k, 201) }] },
  { name: "pass/put-json", group: "pass", request: { method: "PUT", headers: { "Content-Type": "application/json", "X-Token": "1" }, body: "{}" },
    hops: (k) => [{ url: k.url(0), preflight: okPreflight(k, "PUT", "content-type, x-token"), response: okRes(k) }] },
  { name: "pass/delete-auth", group: "pass", request: { method: "DELETE", headers: { Authorization: "Bearer t" } },
    hops: (k) => [{ url: k.url(0), preflight: okPreflight(k, "DELETE", "authorization"), response: okRes(k, 204) }] },
  { name: "pass/redirect-302", group: "pass",
    hops: (k) => [{ url: k.url(0), preflight: null, response: redirect(k, 302, k.url(1)) }, { url: k.url(1), preflight: null, response: okRes(k) }] },
  { name: "pass/redirect-307-preflighted", group: "pass", request: { method: "PATCH", headers: { "X-Token": "1" }, body: "x" },
    hops: (k) => [
      { url: k.url(0), preflight: okPreflight(k, "PATCH", "x-token"), response: redirect(k, 307, k.url(1)) },
      { url: k.url(1), preflight: okPreflight(k, "PATCH", "x-token"), response: okRes(k) },
    ] },
];

/**
 * Exchange number `i` (deterministic): even i an everyday passing request, odd i a lab scenario
 * (mostly blocked, at every stage); the credentials mode and what the browser reported vary with i;
 * one in 16 is a non-CORS network error (no response).
 */
export function exchangeAt(i: number): Exchange {
  const s = i % 2 ? scenarios[(i >> 1) % scenarios.length]! : PASSING[(i >> 1) % PASSING.length]!;
  const round = Math.floor(i / 7);
  const k = kitFor(s, i);
  const credentials = MODES[round % MODES.length]!;
  const hops: Hop[] = s.hops(k);
  const raw: Exchange = {
    id: String(i),
    request: {
      url: hops[0]!.url, method: s.request?.method ?? "GET", origin: k.origin, credentials,
      mode: s.request?.mode ?? "cors", headers: { ...s.request?.headers },
      ...(credentials === "include" || credentials === "unknown" && i % 5 < 2 ? { sentHeaders: { cookie: `sid=${i}` } } : {}),
    },
    hops,
  };
  // Through the reader, as the CLI and the extension do (lower-case names, validated shape).
  const read = readExchange(raw);
  if (!read.ok) throw new Error(`bench corpus: exchange ${i}: ${read.error}`);
  const ex = read.value;
  if (i % 16 === 15) {
    ex.hops = [{ url: ex.hops[0]!.url, preflight: null, response: null }];
    ex.browserError = "net::ERR_CONNECTION_REFUSED";
  } else if (i % 3 === 1) {
    ex.browserError = diagnose(ex).blocked ? "net::ERR_FAILED" : null;
  }
  return ex;
}

/** The stored entry the background would keep for exchange `i` (for the panel bench). */
export function entryAt(i: number): Entry {
  const exchange = exchangeAt(i);
  return { exchange, diagnosis: diagnose(exchange), page: 0, start: 1_750_000_000_000 + i, frameId: 0, type: "xmlhttprequest", annotated: false };
}

// ---- webRequest event sequences ----

export type RawEvent = [WebRequestEvent, RawRequestDetails];

const UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";

function list(h: Headers): RawHttpHeader[] {
  const out: RawHttpHeader[] = [];
  for (const [name, v] of Object.entries(h)) {
    for (const value of Array.isArray(v) ? v : [v]) out.push({ name, value });
  }
  return out;
}

/**
 * The webRequest events Chromium 156 (with extraHeaders) sends for one request that ends as
 * exchange `ex` (diagnosed `d`), in tab `tabId`, ids and times from `clock`. Preflights are their
 * own requestIds; a failing preflight ends in ERR_FAILED and the actual request in a phantom
 * send + ERR_FAILED; a blocked response is headers then ERR_FAILED; a redirect continues with the
 * same requestId; a request refused before sending (stage "request") only starts and fails.
 */
export function eventsFor(ex: Exchange, d: Diagnosis, tabId: number, clock: { t: number; id: number }): RawEvent[] {
  const out: RawEvent[] = [];
  const initiator = ex.request.origin;
  const id = String(clock.id++);
  let url = ex.request.url;
  let method = normalizeMethod(ex.request.method);
  let origin = initiator;
  const base = (rid: string, m: string): RawRequestDetails =>
    ({ requestId: rid, tabId, frameId: 0, type: "xmlhttprequest", url, method: m, timeStamp: (clock.t += 0.25), initiator });
  const ev = (e: WebRequestEvent, rid: string, m: string, extra: Partial<RawRequestDetails> = {}) =>
    out.push([e, { ...base(rid, m), ...extra }]);
  const script = ex.request.headers;
  const wire = (): Headers => ({
    ...script, Origin: origin, "User-Agent": UA, Accept: "*/*", "Accept-Language": "en-US,en;q=0.9",
    "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty", ...ex.request.sentHeaders,
  });
  const networkError = ex.browserError && ex.browserError !== "net::ERR_FAILED" ? ex.browserError : null;

  ev("beforeRequest", id, method);
  if (d.blocked && d.stage === "request") {
    ev("errorOccurred", id, method, { error: "net::ERR_FAILED" });
    return out;
  }
  for (let h = 0; h < ex.hops.length; h++) {
    const hop = ex.hops[h]!;
    url = hop.url;
    if (networkError && !hop.response) {
      ev("beforeSendHeaders", id, method, { requestHeaders: list(wire()) });
      ev("sendHeaders", id, method, { requestHeaders: list(wire()) });
      ev("errorOccurred", id, method, { error: networkError });
      return out;
    }
    if (hop.preflight) {
      const pid = String(clock.id++);
      const acrh = corsUnsafeRequestHeaderNames(script);
      const ph: Headers = {
        "Access-Control-Request-Method": method, ...(acrh.length ? { "Access-Control-Request-Headers": acrh.join(",") } : {}),
        Origin: origin, "User-Agent": UA, Accept: "*/*", "Sec-Fetch-Mode": "cors",
      };
      ev("beforeRequest", pid, "OPTIONS");
      ev("beforeSendHeaders", pid, "OPTIONS", { requestHeaders: list(ph) });
      ev("sendHeaders", pid, "OPTIONS", { requestHeaders: list(ph) });
      const res = list(hop.preflight.headers);
      ev("headersReceived", pid, "OPTIONS", { statusCode: hop.preflight.status, responseHeaders: res });
      if (d.blocked && d.stage === "preflight" && d.hop === h) {
        ev("errorOccurred", pid, "OPTIONS", { error: "net::ERR_FAILED" });
        ev("beforeSendHeaders", id, method, { requestHeaders: list(wire()) });
        ev("sendHeaders", id, method, { requestHeaders: list(wire()) });
        ev("errorOccurred", id, method, { error: "net::ERR_FAILED" });
        return out;
      }
      ev("responseStarted", pid, "OPTIONS", { statusCode: hop.preflight.status, responseHeaders: res, fromCache: false });
      ev("completed", pid, "OPTIONS", { statusCode: hop.preflight.status, responseHeaders: res, fromCache: false });
    }
    ev("beforeSendHeaders", id, method, { requestHeaders: list(wire()) });
    ev("sendHeaders", id, method, { requestHeaders: list(wire()) });
    const r = hop.response;
    if (!r) {
      ev("errorOccurred", id, method, { error: "net::ERR_FAILED" });
      return out;
    }
    const res = list(r.headers);
    ev("headersReceived", id, method, { statusCode: r.status, responseHeaders: res });
    if (d.blocked && d.hop === h) {
      ev("errorOccurred", id, method, { error: "net::ERR_FAILED" });
      return out;
    }
    const next = ex.hops[h + 1];
    if (next) {
      ev("beforeRedirect", id, method, { statusCode: r.status, responseHeaders: res, redirectUrl: next.url, fromCache: false });
      if (r.status === 303 || ((r.status === 301 || r.status === 302) && method === "POST")) method = "GET";
      // Fetch 4.4 HTTP-redirect fetch step 12: a cross-origin hop away from a cross-origin URL taints the origin.
      if (origin !== "null" && !sameHost(url, next.url) && !url.startsWith(initiator + "/")) origin = "null";
      continue;
    }
    ev("responseStarted", id, method, { statusCode: r.status, responseHeaders: res, fromCache: false });
    ev("completed", id, method, { statusCode: r.status, responseHeaders: res, fromCache: false });
  }
  return out;
}

function sameHost(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

/** A request template for B2: one exchange and its diagnosis (which decides where its events end). */
export interface Template {
  ex: Exchange;
  d: Diagnosis;
}

/** Distinct request templates for the capture bench (one per exchangeAt(i), i < n). */
export function templates(n: number): Template[] {
  const out: Template[] = [];
  for (let i = 0; i < n; i++) {
    const ex = exchangeAt(i);
    out.push({ ex, d: diagnose(ex) });
  }
  return out;
}
