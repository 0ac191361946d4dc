// The request list's columns, as in DevTools' Network panel: each can be shown or hidden (right-click
// a header), resized (drag a header's right edge) and sorted (click a header). The choice is
// remembered in storage.local (COLUMNS_KEY). Pure: no DOM, no browser APIs.
import { headerValue } from "../core/fetch";
import type { Entry } from "../shared/protocol";
import { preflightOf, statusOf } from "./entry";

export type ColumnId = "status" | "method" | "http" | "url" | "domain" | "origin" | "cred" | "preflight" | "code" | "type" | "time" | "size";

export interface ColumnDef {
  id: ColumnId;
  label: string;
  /** CSS class of its cells (kept from the fixed layout: tests and styles read them). */
  cls: string;
  /** Default width in px. The URL column has none: it takes what is left (at least `min`). */
  width: number | null;
  min: number;
  /** Shown unless the user hid it. */
  byDefault: boolean;
  /** When the list is too narrow for every chosen column, the lowest priority goes first. */
  priority: number;
  /** What the column sorts by. */
  key(e: Entry): string | number;
}

const STATUS_RANK = { blocked: 0, failed: 1, warning: 2, ok: 3 } as const;

/** A URL as the list shows it: host, and path with query; an unparsable one is all path. */
export function urlParts(url: string): { host: string; path: string } {
  try {
    const u = new URL(url);
    return { host: u.host, path: (u.pathname + u.search) || "/" };
  } catch {
    return { host: "", path: url };
  }
}

/**
 * The last HTTP status received, and of what: a redirect chain's last response, or the preflight's
 * when the request stopped there; null when nothing was received. The list's HTTP column and its sort read it.
 */
export function lastStatus(e: Entry): { status: number; hop: number; preflight: boolean } | null {
  const hops = e.exchange.hops;
  for (let i = hops.length - 1; i >= 0; i--) {
    const h = hops[i]!;
    if (h.response) return { status: h.response.status, hop: i, preflight: false };
    if (h.preflight) return { status: h.preflight.status, hop: i, preflight: true };
  }
  return null;
}

/** How long the request took, start to end, preflights and redirects included; null when unknown. */
export function durationOf(e: Entry): number | null {
  return typeof e.end === "number" && e.end >= e.start ? e.end - e.start : null;
}

/**
 * The size the final response declared (Content-Length). webRequest reports no transferred bytes
 * (https://developer.chrome.com/docs/extensions/reference/api/webRequest), and a blocked response's
 * body never reaches the page, so this is the header's value, and null without one.
 */
export function sizeOf(e: Entry): number | null {
  const hops = e.exchange.hops;
  for (let i = hops.length - 1; i >= 0; i--) {
    const r = hops[i]!.response;
    if (!r) continue;
    // Repeated Content-Length lines joined by headerValue: only one agreed value is a size.
    const v = headerValue(r.headers, "content-length");
    return v !== null && /^\d{1,15}$/.test(v) ? Number(v) : null;
  }
  return null;
}

/** "850 ms", "1.25 s", "2.1 min" as the Network panel's Time column reads; "—" when unknown. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

/** "0 B", "512 B", "1.5 kB", "3.2 MB" (decimal units, as DevTools uses); "—" when unknown. */
export function formatSize(bytes: number | null): string {
  if (bytes === null) return "—";
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

export function codeOf(e: Entry): string {
  const d = e.diagnosis;
  return d.code ?? (d.networkError ? d.networkError : d.blocked ? "unknown" : "");
}

export const COLUMNS: readonly ColumnDef[] = [
  { id: "status", label: "Status", cls: "c-status", width: 84, min: 60, byDefault: true, priority: 100, key: (e) => STATUS_RANK[statusOf(e)] },
  { id: "method", label: "Method", cls: "c-method", width: 62, min: 44, byDefault: true, priority: 80, key: (e) => e.exchange.request.method },
  { id: "http", label: "HTTP", cls: "c-http", width: 56, min: 40, byDefault: true, priority: 50, key: (e) => lastStatus(e)?.status ?? -1 },
  { id: "url", label: "URL", cls: "c-url", width: null, min: 140, byDefault: true, priority: 1000, key: (e) => e.exchange.request.url },
  { id: "domain", label: "Domain", cls: "c-domain", width: 130, min: 60, byDefault: false, priority: 45, key: (e) => urlParts(e.exchange.request.url).host },
  { id: "origin", label: "Origin", cls: "c-origin", width: 150, min: 60, byDefault: true, priority: 30, key: (e) => e.exchange.request.origin },
  { id: "cred", label: "Credentials", cls: "c-cred", width: 92, min: 60, byDefault: true, priority: 40, key: (e) => e.diagnosis.credentials?.mode ?? e.exchange.request.credentials },
  { id: "preflight", label: "Preflight", cls: "c-preflight", width: 70, min: 50, byDefault: true, priority: 35, key: (e) => preflightOf(e) },
  { id: "code", label: "CORS error", cls: "c-code", width: 190, min: 80, byDefault: true, priority: 90, key: codeOf },
  { id: "type", label: "Type", cls: "c-type", width: 90, min: 50, byDefault: false, priority: 20, key: (e) => e.type },
  { id: "time", label: "Time", cls: "c-time", width: 66, min: 44, byDefault: true, priority: 25, key: (e) => durationOf(e) ?? -1 },
  { id: "size", label: "Size", cls: "c-size", width: 62, min: 44, byDefault: false, priority: 15, key: (e) => sizeOf(e) ?? -1 },
];

const BY_ID = new Map(COLUMNS.map((c) => [c.id, c]));

export function columnById(id: string): ColumnDef | undefined {
  return BY_ID.get(id as ColumnId);
}

export interface SortSpec {
  column: ColumnId;
  dir: "asc" | "desc";
}

export interface ColumnPrefs {
  /** Shown columns, in COLUMNS order (the URL column always). */
  shown: ColumnId[];
  /** Widths the user dragged, px. */
  widths: Partial<Record<ColumnId, number>>;
  sort: SortSpec | null;
}

export const COLUMNS_KEY = "panel.columns";
const MAX_WIDTH = 2000;

export function defaultColumnPrefs(): ColumnPrefs {
  return { shown: COLUMNS.filter((c) => c.byDefault).map((c) => c.id), widths: {}, sort: null };
}

/** Stored column prefs, read defensively: unknown columns and bad widths are dropped, the rest kept. */
export function readColumnPrefs(v: unknown): ColumnPrefs {
  const out = defaultColumnPrefs();
  if (typeof v !== "object" || v === null || Array.isArray(v)) return out;
  const x = v as Record<string, unknown>;
  if (Array.isArray(x.shown)) {
    const set = new Set(x.shown.filter((id): id is ColumnId => typeof id === "string" && BY_ID.has(id as ColumnId)));
    set.add("url");
    out.shown = COLUMNS.filter((c) => set.has(c.id)).map((c) => c.id);
  }
  if (typeof x.widths === "object" && x.widths !== null && !Array.isArray(x.widths)) {
    for (const [id, w] of Object.entries(x.widths as Record<string, unknown>)) {
      const c = BY_ID.get(id as ColumnId);
      if (c && typeof w === "number" && Number.isFinite(w)) out.widths[c.id] = Math.round(Math.min(MAX_WIDTH, Math.max(c.min, w)));
    }
  }
  const s = x.sort as Record<string, unknown> | null | undefined;
  if (s && typeof s === "object" && BY_ID.has(s.column as ColumnId) && (s.dir === "asc" || s.dir === "desc")) {
    out.sort = { column: s.column as ColumnId, dir: s.dir };
  }
  return out;
}

/** Shows or hides one column (the URL column stays). */
export function toggleColumn(p: ColumnPrefs, id: ColumnId): ColumnPrefs {
  if (id === "url" || !BY_ID.has(id)) return p;
  const set = new Set(p.shown);
  if (set.has(id)) set.delete(id); else set.add(id);
  const sort = p.sort && !set.has(p.sort.column) ? null : p.sort;
  return { ...p, shown: COLUMNS.filter((c) => set.has(c.id)).map((c) => c.id), sort };
}

export function resizeColumn(p: ColumnPrefs, id: ColumnId, width: number): ColumnPrefs {
  const c = BY_ID.get(id);
  if (!c || !Number.isFinite(width)) return p;
  return { ...p, widths: { ...p.widths, [id]: Math.round(Math.min(MAX_WIDTH, Math.max(c.min, width))) } };
}

/** A header click: ascending, then descending, then back to capture order (as DevTools' grid). */
export function nextSort(cur: SortSpec | null, id: ColumnId): SortSpec | null {
  if (!cur || cur.column !== id) return { column: id, dir: "asc" };
  return cur.dir === "asc" ? { column: id, dir: "desc" } : null;
}

export interface Layout {
  columns: ColumnDef[];
  /**
   * The widths as CSS custom properties (`--w-<id>`: px; for the URL column its minimum, as it takes
   * the rest), set once on the grid: each row is a flex row whose cells read them by class, so a row
   * carries no layout of its own (a grid template per row cost ~2 ms of layout per scroll step, B4).
   */
  vars: Record<string, string>;
  /** Chosen columns left out because the list is too narrow for them. */
  dropped: ColumnDef[];
}

export function widthOf(p: ColumnPrefs, c: ColumnDef): number {
  return p.widths[c.id] ?? c.width ?? c.min;
}

/**
 * The columns that fit `available` px: the chosen ones, lowest priority dropped first while the
 * fixed widths plus the URL column's minimum overflow. The URL column takes the rest, so the host
 * stays readable at 600 px (the list there holds Status, Method, URL and CORS error).
 */
export function layout(p: ColumnPrefs, available: number): Layout {
  let cols = COLUMNS.filter((c) => p.shown.includes(c.id));
  const dropped: ColumnDef[] = [];
  const need = (cs: ColumnDef[]) => cs.reduce((s, c) => s + (c.id === "url" ? Math.max(c.min, p.widths.url ?? 0) : widthOf(p, c)), 0);
  while (available > 0 && need(cols) > available) {
    const victim = cols.filter((c) => c.id !== "url").sort((a, b) => a.priority - b.priority)[0];
    if (!victim) break;
    dropped.push(victim);
    cols = cols.filter((c) => c !== victim);
  }
  const vars: Record<string, string> = {};
  for (const c of cols) vars[`--w-${c.id}`] = `${c.id === "url" ? Math.max(c.min, p.widths.url ?? 0) : widthOf(p, c)}px`;
  return { columns: cols, vars, dropped };
}

/** The entries in the chosen order; capture order breaks ties (a stable sort). */
export function sortEntries(entries: readonly Entry[], sort: SortSpec | null): readonly Entry[] {
  if (!sort) return entries;
  const c = BY_ID.get(sort.column);
  if (!c) return entries;
  const keyed = entries.map((e, i) => ({ e, i, k: c.key(e) }));
  const sign = sort.dir === "asc" ? 1 : -1;
  keyed.sort((a, b) => {
    const d = typeof a.k === "number" && typeof b.k === "number" ? a.k - b.k : String(a.k).localeCompare(String(b.k), "en", { numeric: true });
    return d !== 0 ? d * sign : a.i - b.i;
  });
  return keyed.map((x) => x.e);
}
