// The shapes every part of CORS Lens speaks: see docs/exchange.md.

import type { PreflightCacheFinding } from "./preflight-cache";

export type Headers = Record<string, string | string[]>;
export type CredentialsMode = "include" | "same-origin" | "omit";
export type RequestMode = "cors" | "no-cors" | "same-origin";

export interface ResponseRecord {
  status: number;
  headers: Headers;
}

export interface Hop {
  url: string;
  preflight: ResponseRecord | null;
  response: ResponseRecord | null;
  /** Set by capture when the browser used its preflight cache instead of sending OPTIONS. */
  preflightCached?: boolean;
  /**
   * With preflightCached: the earlier exchange (same tab, origin and URL) whose preflight the browser
   * cached, and that preflight's Access-Control-Max-Age as received (null: absent).
   */
  preflightCachedBy?: { exchange: string; maxAge: string | null };
}

export interface ExchangeRequest {
  url: string;
  method: string;
  /** Serialized origin of the page, or "null" for an opaque origin. */
  origin: string;
  credentials: CredentialsMode | "unknown";
  mode: RequestMode;
  /** Headers the page script set (lower-case names). */
  headers: Headers;
  /** Headers seen on the wire, when known. Evidence only (e.g. a Cookie proves credentials). */
  sentHeaders?: Headers;
}

export interface Exchange {
  id: string;
  request: ExchangeRequest;
  hops: Hop[];
  /** What the browser reported: a net error string, null for success, absent when unknown. */
  browserError?: string | null;
  /**
   * Chromium's own CORS verdict when the recording has it (CDP corsErrorStatus.corsError, e.g. from
   * examples/ci/record-har.mjs): evidence for the credentials mode when the two modes fail differently.
   */
  browserCorsError?: string;
  /** Where the page called fetch/XHR, from the page hook (file:line:column). */
  initiator?: string;
}

export type Stage = "request" | "preflight" | "redirect" | "actual";

export interface Warning {
  code: string;
  header: string | null;
  message: string;
}

export interface Diagnosis {
  id: string;
  blocked: boolean;
  stage: Stage | null;
  hop: number | null;
  /** Chrome's CorsError name (CDP Network.CorsError). */
  code: string | null;
  failedParameter: string | null;
  header: string | null;
  received: string | null;
  expected: string | null;
  credentials: { mode: CredentialsMode; inferred: boolean };
  /** Firefox's closest reason key (security.properties). */
  firefox: string | null;
  message: string;
  warnings: Warning[];
  /** A network error that is not CORS (DNS, refused, aborted), reported as what it is. */
  networkError?: string | null;
  /** The request needed a preflight (at the failing hop, or the first hop). */
  preflightNeeded?: boolean;
  /**
   * HeaderDisallowedByPreflightResponse with several headers not allowed: all of them, sorted.
   * Chromium names one of them in an order nothing in the exchange shows (measured: not the script's
   * order, not sorted; docs/differences.md); `failedParameter` is the first of these.
   */
  disallowedHeaders?: string[];
  /**
   * The response that failed the CORS check (at `stage` and `hop`) was an HTTP error (status >= 400) with
   * no Access-Control-* header at all: a crashed handler, an auth layer, a missing route or a proxy
   * answered, not the CORS configuration. The status is the real problem; the message says so first,
   * while `code` and the other fields stay Chromium's verdict. Only "preflight" or "actual": a failing
   * redirect response is a 3xx, never an error status.
   */
  serverError?: { stage: "preflight" | "actual"; hop: number; status: number };
  /**
   * A hop went out without a preflight because the browser had one cached: which hop, from which
   * exchange, its Access-Control-Max-Age and each browser's lifetime for it (src/core/preflight-cache.ts).
   */
  preflightCache?: PreflightCacheFinding;
}

export type Stack =
  | "express" | "fastify" | "koa" | "nextjs" | "nginx" | "apache" | "caddy"
  | "flask" | "django" | "fastapi" | "spring" | "aspnet" | "go" | "rails" | "cloudflare";

export interface Fix {
  stack: Stack;
  /** Language tag for highlighting: javascript, typescript, nginx, apache, caddy, python, java, csharp, go, ruby. */
  language: string;
  title: string;
  code: string;
  notes: string[];
  /** A client-side alternative (e.g. drop credentials), when that is a real answer. */
  client?: { language: string; code: string; note: string } | null;
}
