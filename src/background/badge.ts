// The toolbar badge: how many requests the tab's page had blocked (red), and the latest one in
// a few words as the title.
import type { Diagnosis, Exchange } from "../core/types";
import type { Platform } from "../platform/background";
import type { TabMeta } from "./store";

export const BADGE_COLOR = "#d93025";
export const DEFAULT_TITLE = "CORS Lens";

const NAMES: Record<string, string> = {
  "access-control-allow-origin": "Access-Control-Allow-Origin",
  "access-control-allow-credentials": "Access-Control-Allow-Credentials",
  "access-control-allow-methods": "Access-Control-Allow-Methods",
  "access-control-allow-headers": "Access-Control-Allow-Headers",
  "access-control-allow-private-network": "Access-Control-Allow-Private-Network",
};

function clip(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + "…" : s;
}

/** "preflight lacks Access-Control-Allow-Credentials: true", "has Access-Control-Allow-Origin: *, needs https://app", … */
export function shortReason(d: Diagnosis): string {
  if (d.networkError) return d.networkError;
  const where = d.stage === "preflight" ? "preflight " : d.stage === "redirect" ? "redirect " : "";
  const header = d.header ? NAMES[d.header] ?? d.header : "";
  const got = clip(d.received ?? "", 40);
  switch ((d.code ?? "").replace(/^Preflight(?=[A-Z])/, "")) {
    case "MissingAllowOriginHeader":
      return `${where}lacks Access-Control-Allow-Origin`;
    case "InvalidAllowCredentials":
      return d.received === null ? `${where}lacks Access-Control-Allow-Credentials: true`
        : `${where}has Access-Control-Allow-Credentials: ${got}, needs true`;
    case "WildcardOriginNotAllowed":
      return `${where}has Access-Control-Allow-Origin: * with credentials`;
    case "AllowOriginMismatch":
    case "InvalidAllowOriginValue":
    case "MultipleAllowOriginValues":
      return `${where}has Access-Control-Allow-Origin: ${got}, needs ${d.expected ?? ""}`;
    case "InvalidStatus":
      return `preflight got status ${d.received ?? "?"}`;
    case "DisallowedRedirect":
      return "preflight was redirected";
    case "MethodDisallowedByPreflightResponse":
      return `preflight does not allow method ${d.failedParameter ?? ""}`;
    case "HeaderDisallowedByPreflightResponse":
      return `preflight does not allow header ${d.failedParameter ?? ""}`;
    default:
      if (d.code) return `${where}${d.code}${header ? ` (${header})` : ""}`;
      return "blocked (net::ERR_FAILED), cause not captured";
  }
}

/** "PUT api.example/x: preflight lacks Access-Control-Allow-Credentials: true" */
export function failureTitle(ex: Exchange, d: Diagnosis): string {
  let where = ex.request.url;
  try {
    const u = new URL(ex.request.url);
    where = u.host + u.pathname;
  } catch {
    // keep the raw URL
  }
  return `${ex.request.method} ${clip(where, 60)}: ${shortReason(d)}`;
}

export function badgeText(meta: Pick<TabMeta, "blocked" | "suspected">): string {
  const n = meta.blocked + meta.suspected;
  return n <= 0 ? "" : n > 999 ? "999+" : String(n);
}

export function badgeTitle(meta: Pick<TabMeta, "blocked" | "suspected" | "lastFailure">): string {
  if (meta.lastFailure) {
    const more = meta.blocked + meta.suspected - 1;
    return more > 0 ? `${meta.lastFailure} (+${more} more)` : meta.lastFailure;
  }
  if (meta.suspected > 0) {
    return `${meta.suspected} cross-origin request${meta.suspected === 1 ? "" : "s"} rejected; open the CORS panel to diagnose`;
  }
  return DEFAULT_TITLE;
}

/** Sets the badge only when it changes: every call is an IPC to the browser. */
export class Badge {
  private shown = new Map<number, string>();

  constructor(private p: Platform) {}

  render(tab: number, meta: TabMeta): void {
    if (tab < 0) return;
    const text = badgeText(meta);
    const title = badgeTitle(meta);
    const key = `${text}\n${title}`;
    if (this.shown.get(tab) === key) return;
    this.shown.set(tab, key);
    if (text) this.p.setBadgeBackgroundColor(tab, BADGE_COLOR);
    this.p.setBadgeText(tab, text);
    this.p.setTitle(tab, title);
  }

  forget(tab: number): void {
    this.shown.delete(tab);
  }
}
