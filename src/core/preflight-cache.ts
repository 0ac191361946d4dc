// The preflight cache: how long each engine keeps a preflight's answer for the Access-Control-Max-Age
// it received, and the finding for a request that went out without a preflight because of a cached
// one. Pure; read by the classifier (Diagnosis.preflightCache), the engine models, the CLI and the panel.
// https://fetch.spec.whatwg.org/#cors-preflight-cache
import { trimOws } from "./fetch";
import type { Exchange } from "./types";

export type EngineId = "chrome" | "firefox" | "safari";

const MAX_AGE_CAP: Record<EngineId, number> = {
  // services/network/cors/preflight_result.cc kMaxTimeout (2 hours since Chromium 76).
  chrome: 7200,
  // nsCORSPreflightListener::AddResultToCache: "Cap at 24 hours".
  firefox: 86400,
  // CrossOriginPreflightResultCache.cpp maxPreflightCacheTimeout.
  safari: 600,
};

/** The longest an engine keeps a preflight result, in seconds, whatever Access-Control-Max-Age says. */
export function maxAgeCap(engine: EngineId): number {
  return MAX_AGE_CAP[engine];
}

/**
 * How long an engine caches a preflight answered with this Access-Control-Max-Age value (the
 * header's value as recorded, or null when absent), in seconds. 0: not cached beyond the request.
 */
export function effectiveMaxAge(engine: EngineId, header: string | null | undefined): number {
  const v = header === null || header === undefined ? null : trimOws(header);
  if (engine === "chrome") {
    // preflight_result.cc Parse: absent → kDefaultTimeout (5 s); a value base::StringToUint64
    // refuses → 0 ("invalidate the entry immediately"); else capped at kMaxTimeout.
    if (v === null) return 5;
    const m = /^\+?(\d+)$/.exec(v);
    if (!m) return 0;
    const n = BigInt(m[1]!);
    if (n > 18446744073709551615n) return 0;
    return Number(n > 7200n ? 7200n : n);
  }
  if (engine === "firefox") {
    // nsCORSPreflightListener::AddResultToCache: empty → PREFLIGHT_DEFAULT_EXPIRY_SECONDS (5); any
    // character but 0-9 → not cached at all; digits → capped at 86400 as they are read.
    if (v === null || v === "") return 5;
    if (!/^\d+$/.test(v)) return 0;
    return Math.min(Number(v.length > 6 ? "86400" : v), 86400);
  }
  // CrossOriginPreflightResultCache.cpp parseAccessControlMaxAge: WTF parseInteger<int64_t> (a sign
  // is accepted); a value it refuses, or no header, → defaultPreflightCacheTimeout (5 s); negative
  // → already expired; else capped at maxPreflightCacheTimeout (600 s).
  if (v === null) return 5;
  const m = /^([+-]?)(\d+)$/.exec(v);
  if (!m) return 5;
  if (m[1] === "-") return 0;
  const n = BigInt(m[2]!);
  if (n > 9223372036854775807n) return 5;
  return Number(n > 600n ? 600n : n);
}

/** Each engine's lifetime, in seconds, for one Access-Control-Max-Age value (null: absent). */
export function lifetimes(maxAge: string | null): Record<EngineId, number> {
  return { chrome: effectiveMaxAge("chrome", maxAge), firefox: effectiveMaxAge("firefox", maxAge), safari: effectiveMaxAge("safari", maxAge) };
}

export interface PreflightCacheFinding {
  /** The first hop that went out without a preflight because the browser had one cached. */
  hop: number;
  /** The exchange whose preflight the browser cached, when capture saw it; null when unknown. */
  from: string | null;
  /** That preflight's Access-Control-Max-Age as received (null: absent, or the preflight was not seen). */
  maxAge: string | null;
  /**
   * How long each engine keeps a preflight answered so, in seconds. When the cached preflight was not
   * seen, its Max-Age is unknown: these are then each engine's caps, the longest it may have been kept.
   */
  lifetimes: Record<EngineId, number>;
  atMost: boolean;
}

/** The preflight cache finding of an exchange, or null when every hop that needed a preflight sent one. */
export function preflightCacheFinding(ex: Exchange): PreflightCacheFinding | null {
  const hops = Array.isArray(ex.hops) ? ex.hops : [];
  for (let i = 0; i < hops.length; i++) {
    const h = hops[i]!;
    if (!h.preflightCached || h.preflight) continue;
    const by = h.preflightCachedBy;
    if (by) return { hop: i, from: by.exchange, maxAge: by.maxAge, lifetimes: lifetimes(by.maxAge), atMost: false };
    return { hop: i, from: null, maxAge: null, lifetimes: { ...MAX_AGE_CAP }, atMost: true };
  }
  return null;
}

/** "5 s", "10 min", "2 h", "24 h", "1 h 30 min". */
export function formatSeconds(s: number): string {
  if (s < 60) return `${s} s`;
  if (s < 3600) return s % 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s / 60} min`;
  const h = Math.floor(s / 3600);
  const m = Math.round((s % 3600) / 60);
  return m ? `${h} h ${m} min` : `${h} h`;
}

const NAMES: Record<EngineId, string> = { chrome: "Chrome", firefox: "Firefox", safari: "Safari" };

/** The finding for a person: what happened, the Max-Age received, each browser's lifetime. */
export function preflightCacheMessage(f: PreflightCacheFinding): string {
  const each = (Object.keys(NAMES) as EngineId[]).map((id) => `${NAMES[id]} ${formatSeconds(f.lifetimes[id])}`).join(", ");
  const at = f.hop > 0 ? ` at redirect hop ${f.hop}` : "";
  if (f.atMost) {
    return `Sent without a preflight${at}: the browser answered it from its preflight cache, from a preflight CORS Lens did not see. ` +
      `Browsers keep a preflight at most: ${each}. A change to the server's CORS headers shows only once it expires.`;
  }
  const received = f.maxAge === null ? "no Access-Control-Max-Age" : `Access-Control-Max-Age: ${JSON.stringify(f.maxAge).slice(1, -1)}`;
  return `Sent without a preflight${at}: the browser reused a preflight it had cached (${received}). ` +
    `Each browser keeps that answer: ${each}. A change to the server's CORS headers shows only once it expires.`;
}
