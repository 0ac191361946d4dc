// Building blocks for lab scenarios. A scenario describes what the page script does and what
// each hop answers; it never says what the browser will decide: labels come from Chromium.
import type { Headers, Hop, ResponseRecord } from "../../src/core/types";

/** Which page the request runs from: the normal page, or a CSP-sandboxed one (opaque origin). */
export type PageKind = "app" | "sandbox";
export type HostName = "app.example" | "api.example" | "other.example";

export interface Kit {
  port: number;
  /** Serialized origin of the page: "http://app.example:<port>", or "null" for the sandboxed page. */
  origin: string;
  app: string;
  api: string;
  other: string;
  /** The unique URL of hop `i` of this run on `host` (default api.example). */
  url(i: number, host?: HostName): string;
}

export interface ScenarioRequest {
  /** As the script passes it (not normalized). Default GET. */
  method?: string;
  /** Script headers, names as the script writes them. */
  headers?: Record<string, string>;
  body?: string;
  /** fetch() mode; default "cors". */
  mode?: "cors" | "same-origin" | "no-cors";
}

export interface Scenario {
  /** Unique, stable name: "<group>/<case>". */
  name: string;
  group: string;
  page?: PageKind;
  /** Also run through XMLHttpRequest (withCredentials false and true). */
  xhr?: boolean;
  request?: ScenarioRequest;
  hops(k: Kit): Hop[];
}

export type Line = [string, string];

/** Header record from ordered lines; repeated names (same spelling) become arrays, in order. */
export function H(...lines: Array<Line | null | undefined | false>): Headers {
  const out: Headers = {};
  for (const line of lines) {
    if (!line) continue;
    const [name, value] = line;
    const prev = out[name];
    out[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

export const ACAO = "Access-Control-Allow-Origin";
export const ACAC = "Access-Control-Allow-Credentials";
export const ACAM = "Access-Control-Allow-Methods";
export const ACAH = "Access-Control-Allow-Headers";
export const ACEH = "Access-Control-Expose-Headers";
export const AMA = "Access-Control-Max-Age";

/** Lines for a header that may be absent (null), a single line, or several lines. */
export function lines(name: string, value: string | string[] | null | undefined): Line[] {
  if (value === null || value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((v): Line => [name, v]);
}

export interface CorsSpec {
  /** Default: the page origin. null: no ACAO line. */
  acao?: string | string[] | null;
  /** Default: "true". null: no ACAC line. */
  acac?: string | string[] | null;
  acam?: string | string[] | null;
  acah?: string | string[] | null;
  aceh?: string | string[] | null;
  maxAge?: string | null;
  extra?: Line[];
}

/** CORS response headers; by default a response that passes in every credentials mode. */
export function cors(k: Kit, spec: CorsSpec = {}): Headers {
  return H(
    ...lines(ACAO, spec.acao === undefined ? k.origin : spec.acao),
    ...lines(ACAC, spec.acac === undefined ? "true" : spec.acac),
    ...lines(ACAM, spec.acam),
    ...lines(ACAH, spec.acah),
    ...lines(ACEH, spec.aceh),
    ...lines(AMA, spec.maxAge),
    ...(spec.extra ?? []),
  );
}

export function res(status: number, headers: Headers = {}): ResponseRecord {
  return { status, headers };
}

/** A response that passes the CORS check in every credentials mode. */
export function okRes(k: Kit, status = 200, extra: Line[] = []): ResponseRecord {
  return res(status, cors(k, { extra: [["Content-Type", "text/plain"], ...extra] }));
}

/** A preflight answer allowing `method` and `headers` (passing in every credentials mode). */
export function okPreflight(k: Kit, method = "PUT", headers?: string, extra: CorsSpec = {}): ResponseRecord {
  return res(204, cors(k, { acam: method, acah: headers ?? null, ...extra }));
}

/** A redirect response that itself passes the CORS check, pointing at `location`. */
export function redirect(k: Kit, status: number, location: string, spec: CorsSpec = {}): ResponseRecord {
  return res(status, cors(k, { ...spec, extra: [["Location", location], ...(spec.extra ?? [])] }));
}

/** A one-hop scenario. */
export function one(preflight: (k: Kit) => ResponseRecord | null, response: (k: Kit) => ResponseRecord | null) {
  return (k: Kit): Hop[] => [{ url: k.url(0), preflight: preflight(k), response: response(k) }];
}
