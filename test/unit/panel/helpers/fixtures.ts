// Panel test fixtures: exchanges with sensible defaults, entries whose diagnosis comes from the real
// diagnose(), and messages in the protocol's shapes.
import { diagnose } from "../../../../src/core/diagnose";
import type { Exchange, ExchangeRequest, Headers, Hop } from "../../../../src/core/types";
import { MSG, type Entry, type SnapshotMessage } from "../../../../src/shared/protocol";

export const APP = "https://app.example";
export const API = "https://api.example";

export type ExchangeOverrides = Partial<Omit<Exchange, "request">> & { request?: Partial<ExchangeRequest> };

let seq = 0;

/** Default: a credentialed GET from APP to API/data whose response allows APP with credentials. */
export function makeExchange(o: ExchangeOverrides = {}): Exchange {
  const { request, ...rest } = o;
  const id = rest.id ?? `ex-${++seq}`;
  return {
    request: {
      url: `${API}/data`,
      method: "GET",
      origin: APP,
      credentials: "include",
      mode: "cors",
      headers: {},
      ...request,
    },
    hops: [{
      url: request?.url ?? `${API}/data`,
      preflight: null,
      response: { status: 200, headers: okHeaders() },
    }],
    browserError: null,
    ...rest,
    id,
  };
}

/** Response headers that pass a credentialed request from APP. */
export function okHeaders(extra: Headers = {}): Headers {
  return {
    "access-control-allow-origin": APP,
    "access-control-allow-credentials": "true",
    vary: "Origin",
    "content-type": "application/json",
    ...extra,
  };
}

export function hop(h: Partial<Hop> = {}): Hop {
  return { url: `${API}/data`, preflight: null, response: null, ...h };
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
    hops: [hop({ url: `${API}/items/1`, preflight: { status: 204, headers: { server: "nginx/1.25.3", "access-control-allow-methods": "GET, PUT" } }, response: null })],
    browserError: "net::ERR_FAILED",
  });
}

/** Credentialed GET answered with Access-Control-Allow-Origin: * (WildcardOriginNotAllowed). */
export function wildcardWithCredentials(id?: string): Exchange {
  return makeExchange({
    ...(id ? { id } : {}),
    hops: [hop({ response: { status: 200, headers: { "access-control-allow-origin": "*", "x-powered-by": "Express", "set-cookie": "sid=SECRET-SESSION; HttpOnly" } } })],
    request: { sentHeaders: { cookie: "sid=SECRET-COOKIE" } },
    browserError: "net::ERR_FAILED",
  });
}

/** A PUT the preflight does not allow (MethodDisallowedByPreflightResponse). */
export function methodDisallowed(id?: string): Exchange {
  return makeExchange({
    ...(id ? { id } : {}),
    request: { method: "PUT", url: `${API}/items/2` },
    hops: [hop({ url: `${API}/items/2`, preflight: { status: 204, headers: okHeaders({ "access-control-allow-methods": "GET, POST" }) } })],
    browserError: "net::ERR_FAILED",
  });
}

/** A request header the preflight does not list (HeaderDisallowedByPreflightResponse). */
export function headerDisallowed(id?: string): Exchange {
  return makeExchange({
    ...(id ? { id } : {}),
    request: { url: `${API}/me`, headers: { "x-token": "t1", "authorization": "Bearer SECRET-TOKEN", "x-api-key": "k" } },
    hops: [hop({ url: `${API}/me`, preflight: { status: 204, headers: okHeaders({ "access-control-allow-headers": "authorization, x-api-key" }) } })],
    browserError: "net::ERR_FAILED",
  });
}

/** An uncredentialed GET that passes. */
export function passing(id?: string): Exchange {
  return makeExchange({
    ...(id ? { id } : {}),
    request: { credentials: "omit", url: `${API}/public` },
    hops: [hop({ url: `${API}/public`, response: { status: 200, headers: { "access-control-allow-origin": "*" } } })],
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
    hops: [hop({ url: `${API}/warn`, response: { status: 200, headers: { "access-control-allow-origin": APP, "access-control-allow-credentials": "true" } } })],
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
