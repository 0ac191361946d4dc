// What the list and the detail read off an entry: its id, status and preflight kind. Pure.
import { disagreements, engineVerdicts, type EngineId, type EngineVerdicts } from "../core/engines";
import type { Entry } from "../shared/protocol";

export function entryId(e: Entry): string {
  return e.exchange.id;
}

export type Status = "blocked" | "failed" | "warning" | "ok";

export function statusOf(e: Entry): Status {
  const d = e.diagnosis;
  if (d.blocked) return "blocked";
  if (d.networkError) return "failed";
  if (Array.isArray(d.warnings) && d.warnings.length > 0) return "warning";
  return "ok";
}

export function isCredentialed(e: Entry): boolean {
  return e.diagnosis.credentials?.mode === "include";
}

export type PreflightKind = "sent" | "cached" | "none";

export function preflightOf(e: Entry): PreflightKind {
  let sent = false;
  for (const h of e.exchange.hops) {
    if (h.preflightCached) return "cached";
    if (h.preflight) sent = true;
  }
  return sent ? "sent" : "none";
}


const verdicts = new WeakMap<Entry, { engines: EngineVerdicts; differ: EngineId[] }>();

/**
 * Each browser's verdict on the entry's exchange (src/core/engines.ts), and the engines that judge it
 * otherwise than Chrome. Computed once per entry, when a row or the detail first asks: an entry is
 * replaced, never changed, when its exchange grows.
 */
export function enginesOf(e: Entry): { engines: EngineVerdicts; differ: EngineId[] } {
  let v = verdicts.get(e);
  if (!v) {
    let engines: EngineVerdicts;
    try {
      engines = engineVerdicts(e.exchange, e.diagnosis);
    } catch {
      // A record the core cannot judge (it came over the port): Chrome's verdict only, nothing claimed.
      engines = {
        chrome: { blocked: !!e.diagnosis.blocked, code: e.diagnosis.code ?? null },
        firefox: { blocked: !!e.diagnosis.blocked, reason: null, status: null },
        safari: { blocked: !!e.diagnosis.blocked, message: null },
      };
    }
    v = { engines, differ: disagreements(engines) };
    verdicts.set(e, v);
  }
  return v;
}
