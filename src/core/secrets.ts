// Header values that are secrets: masked by default everywhere CORS Lens shows, copies or exports a
// value (the panel, the CLI, Copy as curl/fetch/JSON, HAR and report exports, audit evidence),
// until the user reveals them. Names stay: a Cookie header still proves a credentialed request.
import type { Exchange, Headers, ResponseRecord } from "./types";

export const SECRET_HEADERS: ReadonlySet<string> = new Set(["cookie", "set-cookie", "authorization", "proxy-authorization"]);
export const MASK = "[masked]";

export function isSecretHeader(name: string): boolean {
  return SECRET_HEADERS.has(name.toLowerCase());
}

export interface MaskOptions {
  isSecret?: (name: string) => boolean;
  mask?: string;
}

// fromEntries defines own properties: a header named "__proto__" stays a header.
export function maskHeaders(h: Headers, o: MaskOptions = {}): Headers {
  const secret = o.isSecret ?? isSecretHeader;
  const mask = o.mask ?? MASK;
  return Object.fromEntries(Object.entries(h).map(([name, v]) =>
    [name, secret(name) ? (Array.isArray(v) ? v.map(() => mask) : mask) : v]));
}

/** The exchange with every secret header value replaced by the mask, in the request and every record. */
export function maskExchange(ex: Exchange, o: MaskOptions = {}): Exchange {
  const rec = (r: ResponseRecord | null) => (r ? { ...r, headers: maskHeaders(r.headers, o) } : r);
  return {
    ...ex,
    request: {
      ...ex.request,
      headers: maskHeaders(ex.request.headers, o),
      ...(ex.request.sentHeaders ? { sentHeaders: maskHeaders(ex.request.sentHeaders, o) } : {}),
    },
    hops: ex.hops.map((h) => ({ ...h, preflight: rec(h.preflight), response: rec(h.response) })),
  };
}
