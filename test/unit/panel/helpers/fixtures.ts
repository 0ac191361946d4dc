// Panel test fixtures: exchanges with sensible defaults, entries whose diagnosis comes from the real
// diagnose(), and messages in the protocol's shapes. The exchanges come from the shared factory
// (test/fixtures/exchange.ts).
import { diagnose } from "../../../../src/core/diagnose";
import type { Exchange, Headers, Hop } from "../../../../src/core/types";
import { MSG, type Entry, type SnapshotMessage } from "../../../../src/shared/protocol";
import { APP, API_ORIGIN, cors, exchange, hop as baseHop, preflight, response, type ExchangeOverrides } from "../../../fixtures/exchange";

export { APP };
export const API = API_ORIGIN;

export type { ExchangeOverrides };

let seq = 0;

/** Default: a credentialed GET from APP to API/data whose response allows APP with credentials. */
export function makeExchange(o: ExchangeOverrides = {}): Exchange {
  return exchange({
    url: `${API}/data`, method: "GET", headers: {},
    preflight: null, response: response(200, okHeaders()), browserError: null,
    ...o,
    id: o.id ?? `ex-${++seq}`,
  });
}

/** Response headers that pass a credentialed request from APP. */
export function okHeaders(extra: Headers = {}): Headers {
  return cors({ credentials: true, vary: "Origin" }, { "content-type": "application/json", ...extra });
}

/** A hop to API/data, with no preflight and no response unless given. */
export function hop(h: Partial<Hop> = {}): Hop {
  return baseHop({ url: `${API}/data`, ...h });
}

export interface EntryOverrides {
  page?: number;
  start?: number;
  end?: number;
  frameId?: number;
  type?: string;
  annotated?: boolean;
}

/** An entry whose diagnosis is the real diagnose() of the exchange. */
export function makeEntry(ex: Exchange = makeExchange(), o: EntryOverrides = {}): Entry {
  return { exchange: ex, diagnosis: diagnose(ex), page: 1, start: 1_700_000_000_000, frameId: 0, type: "xmlhttprequest", annotated: true, ...o };
}

// ---- Scenarios ----

/** Credentialed PUT whose preflight lacks Access-Control-Allow-Origin. */
export function blockedPreflight(id?: string): Exchange {
  return makeExchange({
    ...(id ? { id } : {}),
    request: { method: "PUT", url: `${API}/items/1`, headers: { "content-type": "application/json" } },
    hops: [hop({ url: `${API}/items/1`, preflight: preflight({ server: "nginx/1.25.3", "access-control-allow-methods": "GET, PUT" }), response: null })],
    browserError: "net::ERR_FAILED",
  });
}

/** Credentialed GET answered with Access-Control-Allow-Origin: * (WildcardOriginNotAllowed). */
export function wildcardWithCredentials(id?: string): Exchange {
  return makeExchange({
    ...(id ? { id } : {}),
    hops: [hop({ response: response(200, cors({ origin: "*" }, { "x-powered-by": "Express", "set-cookie": "sid=SECRET-SESSION; HttpOnly" })) })],
    request: { sentHeaders: { cookie: "sid=SECRET-COOKIE" } },
    browserError: "net::ERR_FAILED",
  });
}

/** A PUT the preflight does not allow (MethodDisallowedByPreflightResponse). */
export function methodDisallowed(id?: string): Exchange {
  return makeExchange({
    ...(id ? { id } : {}),
    request: { method: "PUT", url: `${API}/items/2` },
    hops: [hop({ url: `${API}/items/2`, preflight: preflight(okHeaders({ "access-control-allow-methods": "GET, POST" })) })],
    browserError: "net::ERR_FAILED",
  });
}

/** A request header the preflight does not list (HeaderDisallowedByPreflightResponse). */
export function headerDisallowed(id?: string): Exchange {
  return makeExchange({
    ...(id ? { id } : {}),
    request: { url: `${API}/me`, headers: { "x-token": "t1", "authorization": "Bearer SECRET-TOKEN", "x-api-key": "k" } },
    hops: [hop({ url: `${API}/me`, preflight: preflight(okHeaders({ "access-control-allow-headers": "authorization, x-api-key" })) })],
    browserError: "net::ERR_FAILED",
  });
}

/** An uncredentialed GET that passes. */
export function passing(id?: string): Exchange {
  return makeExchange({
    ...(id ? { id } : {}),
    request: { credentials: "omit", url: `${API}/public` },
    hops: [hop({ url: `${API}/public`, response: response(200, cors({ origin: "*" })) })],
  });
}

export function snapshot(entries: Entry[], o: Partial<SnapshotMessage> = {}): SnapshotMessage {
  return {
    type: MSG.SNAPSHOT, tabId: 7, page: 1, pageUrl: `${APP}/`, entries, dropped: 0, captureLevel: "full",
    missed: 0, suspected: 0, preserve: false, site: "app.example", alwaysCapture: false, ...o,
  };
}

/** Snapshot entries round-trip through JSON, as they do over a real port. */
export function wire<T>(m: T): T {
  return JSON.parse(JSON.stringify(m)) as T;
}

/** A credentialed GET that passes but lacks Vary: Origin (a warning). */
export function warning(id?: string): Exchange {
  return makeExchange({
    ...(id ? { id } : {}),
    request: { url: `${API}/warn` },
    hops: [hop({ url: `${API}/warn`, response: response(200, cors({ credentials: true })) })],
  });
}

/** `n` entries cycling through `protos` (each diagnosed once), with unique ids: cheap large lists. */
export function manyEntries(n: number, protos: Exchange[]): Entry[] {
  const base = protos.map((p) => makeEntry(p));
  return Array.from({ length: n }, (_, i) => {
    const e = base[i % base.length]!;
    const id = `${e.exchange.id}-${i}`;
    return { ...e, exchange: { ...e.exchange, id }, diagnosis: { ...e.diagnosis, id } };
  });
}
