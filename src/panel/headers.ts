// Header display helpers: one row per header line, and masking of credentials.
import type { Exchange, Headers, ResponseRecord } from "../core/types";

/** Header names whose values are secrets: hidden until the user reveals them. */
export const MASKED = new Set(["cookie", "set-cookie", "authorization", "proxy-authorization"]);
export const MASK = "[masked]";

export function isMasked(name: string): boolean {
  return MASKED.has(name.toLowerCase());
}

/** One row per header line, in recorded order (a repeated header gives one row per line). */
export function headerRows(headers: Headers | null | undefined): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  if (!headers) return rows;
  for (const [name, v] of Object.entries(headers)) {
    for (const value of Array.isArray(v) ? v : [v]) rows.push([name, String(value)]);
  }
  return rows;
}

// fromEntries defines own properties: a header named "__proto__" stays a header.
function maskHeaders(h: Headers): Headers {
  return Object.fromEntries(Object.entries(h).map(([name, v]) =>
    [name, isMasked(name) ? (Array.isArray(v) ? v.map(() => MASK) : MASK) : v]));
}

function maskRecord(r: ResponseRecord | null): ResponseRecord | null {
  return r ? { ...r, headers: maskHeaders(r.headers) } : r;
}

/** The exchange with every credential header value replaced by MASK (names kept, so a Cookie still proves credentials). */
export function maskExchange(ex: Exchange): Exchange {
  return {
    ...ex,
    request: {
      ...ex.request,
      headers: maskHeaders(ex.request.headers),
      ...(ex.request.sentHeaders ? { sentHeaders: maskHeaders(ex.request.sentHeaders) } : {}),
    },
    hops: ex.hops.map((h) => ({ ...h, preflight: maskRecord(h.preflight), response: maskRecord(h.response) })),
  };
}

/** "Copy as JSON": the exchange in the documented shape (docs/exchange.md), masked unless revealed. */
export function exchangeJson(ex: Exchange, reveal: boolean): string {
  return JSON.stringify(reveal ? ex : maskExchange(ex), null, 2);
}

/** "access-control-allow-origin" → "Access-Control-Allow-Origin" (for labels only). */
export function displayName(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, sep: string, c: string) => sep + c.toUpperCase());
}
