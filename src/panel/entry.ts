// What the list and the detail read off an entry: its id, status and preflight kind. Pure.
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

