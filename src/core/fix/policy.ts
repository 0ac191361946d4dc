// The CORS policy a fix must express, computed once from the diagnosis and the exchange. Every stack
// renderer only prints this; none of them looks at the raw (hostile) exchange.
import { corsUnsafeRequestHeaderNames, headerValue, isToken, normalizeMethod } from "../fetch";
import type { Diagnosis, Exchange, ExchangeRequest, Headers } from "../types";
import { configSafeOrigin, configSafeToken, display } from "./escape";

/** Printed in place of an origin that must not (or cannot) be allowlisted, with a TODO comment. */
export const PLACEHOLDER_ORIGIN = "https://your-frontend.example";
/** Preflight cache lifetime the fixes use: WebKit's cap, well under Chromium's 7200 s cap. */
export const MAX_AGE = 600;
const SIMPLE_METHODS = ["GET", "HEAD", "POST"];
const LIMITS = { headers: 50, name: 128, origin: 2048 };

/** What kind of failure the diagnosis code describes. The "Preflight…" twins share their family. */
export type CodeFamily =
  | "none" | "unknown"
  | "origin-missing" | "origin-wildcard" | "origin-mismatch" | "origin-invalid" | "origin-multiple" | "credentials"
  | "preflight-status" | "preflight-redirect" | "invalid-response"
  | "method" | "header" | "methods-invalid" | "headers-invalid"
  | "redirect-credentials" | "mode" | "scheme" | "private-network";

const ACCESS_CHECK: Record<string, CodeFamily> = {
  WildcardOriginNotAllowed: "origin-wildcard",
  MissingAllowOriginHeader: "origin-missing",
  MultipleAllowOriginValues: "origin-multiple",
  InvalidAllowOriginValue: "origin-invalid",
  AllowOriginMismatch: "origin-mismatch",
  InvalidAllowCredentials: "credentials",
};

const OTHER_CODES: Record<string, CodeFamily> = {
  PreflightInvalidStatus: "preflight-status",
  PreflightDisallowedRedirect: "preflight-redirect",
  InvalidResponse: "invalid-response",
  MethodDisallowedByPreflightResponse: "method",
  HeaderDisallowedByPreflightResponse: "header",
  InvalidAllowMethodsPreflightResponse: "methods-invalid",
  InvalidAllowHeadersPreflightResponse: "headers-invalid",
  RedirectContainsCredentials: "redirect-credentials",
  DisallowedByMode: "mode",
  CorsDisabledScheme: "scheme",
};

export function familyOf(code: unknown): { family: CodeFamily; twin: boolean } {
  if (typeof code !== "string" || code === "") return { family: "none", twin: false };
  const other = Object.hasOwn(OTHER_CODES, code) ? OTHER_CODES[code] : undefined;
  if (other) return { family: other, twin: false };
  if (/PrivateNetwork|LocalNetwork/.test(code)) return { family: "private-network", twin: code.startsWith("Preflight") };
  if (Object.hasOwn(ACCESS_CHECK, code)) return { family: ACCESS_CHECK[code]!, twin: false };
  const base = code.startsWith("Preflight") ? code.slice("Preflight".length) : "";
  if (base && Object.hasOwn(ACCESS_CHECK, base)) return { family: ACCESS_CHECK[base]!, twin: true };
  return { family: "unknown", twin: false };
}

export interface Policy {
  /** The origin to allowlist: the page's own, or PLACEHOLDER_ORIGIN when `placeholder`. */
  origin: string;
  placeholder: boolean;
  /** The page's origin as recorded (hostile; only ever shown through display()). */
  requestOrigin: string;
  credentials: boolean;
  /** The normalized request method, or null when it was not a valid method and was left out. */
  method: string | null;
  /** The request method first, then GET, HEAD, POST (some stacks check the method on every request). */
  methods: string[];
  /** The request's CORS-unsafe header names: what Access-Control-Request-Headers carries. */
  headers: string[];
  /** Headers the response already exposed by name (kept so the fix takes nothing away). */
  exposeHeaders: string[];
  maxAge: number;
  family: CodeFamily;
  /** The failure was on the preflight response (a "Preflight…" twin of an access-check code). */
  preflightTwin: boolean;
  /** The preflight was rejected (non-2xx): answer OPTIONS before authentication. */
  preflightBeforeAuth: boolean;
  /** Another layer adds the CORS headers too (MultipleAllowOriginValues). */
  duplicateLayer: boolean;
  /** The preflight must answer Access-Control-Allow-Private-Network: true. */
  privateNetwork: boolean;
  /** Status of the failing hop's preflight, when there was one. */
  preflightStatus: number | null;
  /**
   * The CORS error hides a server error (Diagnosis.serverError): the failing response was a 4xx/5xx
   * with no CORS headers, so the fix leads with how the stack puts them on error responses too.
   */
  serverError: { stage: "preflight" | "actual"; status: number } | null;
  /** Notes about values that were dropped or replaced. */
  notes: string[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function headersOf(v: unknown): Headers {
  if (!isRecord(v)) return {};
  const out: Headers = Object.create(null); // a header named "__proto__" stays a header
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === "string") out[k.toLowerCase()] = x;
    else if (Array.isArray(x)) out[k.toLowerCase()] = x.filter((y): y is string => typeof y === "string");
  }
  return { ...out };
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** A plausible serialized origin: scheme://, then printable ASCII without spaces or `*` (a wildcard in many stacks). */
const ORIGIN_SHAPE = /^[a-z][a-z0-9+.-]*:\/\/[!-)+-~]+$/;

export function computePolicy(diagnosis: Diagnosis, exchange: Exchange): Policy {
  const d: Partial<Diagnosis> = isRecord(diagnosis) ? diagnosis : {};
  const x: Partial<Exchange> = isRecord(exchange) ? exchange : {};
  const req: Partial<ExchangeRequest> = isRecord(x.request) ? x.request : {};
  const notes: string[] = [];
  const credentials = isRecord(d.credentials) && d.credentials.mode === "include";

  // Origin: never `null`, never something a browser could not have sent.
  const requestOrigin = typeof req.origin === "string" ? req.origin : "";
  let origin = requestOrigin;
  let placeholder = false;
  if (requestOrigin === "null") {
    placeholder = true;
    notes.push(
      credentials
        ? 'The page has an opaque origin ("null": a sandboxed iframe, a file:// page, or a cross-origin redirect). Allowlisting null with credentials would trust every sandboxed iframe and local file, so the config has a placeholder: serve the page from a real origin and put that origin there.'
        : 'The page has an opaque origin ("null": a sandboxed iframe, a file:// page, or a cross-origin redirect). Allowlisting null trusts every sandboxed iframe and local file, so the config has a placeholder for a real origin; for public data, Access-Control-Allow-Origin: * without credentials also works.',
    );
  } else if (!ORIGIN_SHAPE.test(requestOrigin) || requestOrigin.length > LIMITS.origin) {
    placeholder = true;
    notes.push(`The recorded page origin ${display(requestOrigin)} is not an origin a browser sends, so it was left out: put your page's real origin where the placeholder is.`);
  } else if (!/^[a-z][a-z0-9+.-]*:\/\/(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/.test(requestOrigin)) {
    notes.push(`The recorded page origin ${display(requestOrigin)} does not look like a serialized origin (scheme://host[:port], lower case, no path); the browser compares Access-Control-Allow-Origin with it as an exact string.`);
  }
  if (placeholder) origin = PLACEHOLDER_ORIGIN;

  // Method: the Fetch-normalized one, if it is a method at all.
  const rawMethod = typeof req.method === "string" ? req.method : "GET";
  const normalized = normalizeMethod(rawMethod);
  let method: string | null = normalized;
  if (!isToken(normalized) || normalized.length > LIMITS.name) {
    method = null;
    notes.push(`The request method ${display(normalized)} is not a valid HTTP method (fetch refuses it), so it was left out.`);
  }
  const methods = unique([...(method ? [method] : []), ...SIMPLE_METHODS]);

  // Headers: what the preflight asks for. Names that are not HTTP tokens cannot be sent, so they go.
  const dropped: string[] = [];
  const headers: string[] = [];
  for (const name of corsUnsafeRequestHeaderNames(headersOf(req.headers))) {
    if (isToken(name) && name !== "*" && name.length <= LIMITS.name && headers.length < LIMITS.headers) headers.push(name);
    else dropped.push(name);
  }
  if (dropped.length) {
    notes.push(`Left out request header name${dropped.length > 1 ? "s" : ""} ${dropped.slice(0, 5).map((n) => display(n)).join(", ")}${dropped.length > 5 ? ", …" : ""}: not a valid header name, or too many.`);
  }

  // The failing hop: its preflight status, and what its response already exposed.
  const hops = Array.isArray(x.hops) ? x.hops : [];
  const hopIndex = typeof d.hop === "number" && Number.isInteger(d.hop) && d.hop >= 0 && d.hop < hops.length ? d.hop : 0;
  const hop = isRecord(hops[hopIndex]) ? hops[hopIndex] : null;
  const preflight = hop && isRecord(hop.preflight) ? hop.preflight : null;
  const preflightStatus = preflight && typeof preflight.status === "number" ? preflight.status : null;
  const response = hop && isRecord(hop.response) ? hop.response : null;
  const aceh = headerValue(response ? headersOf(response.headers) : null, "access-control-expose-headers") ?? "";
  const exposeHeaders = unique(
    aceh.split(",").map((s) => s.trim().toLowerCase()).filter((s) => s !== "*" && isToken(s) && s.length <= LIMITS.name),
  ).slice(0, LIMITS.headers);

  const { family, twin } = familyOf(d.code);
  const se: unknown = d.serverError;
  const serverError = isRecord(se) && (se.stage === "preflight" || se.stage === "actual") &&
    typeof se.status === "number" && Number.isInteger(se.status) && se.status >= 400 && se.status <= 999
    ? { stage: se.stage === "preflight" ? "preflight" as const : "actual" as const, status: se.status }
    : null;
  const preflightRejected = preflightStatus !== null && (preflightStatus < 200 || preflightStatus > 299);
  return {
    origin,
    placeholder,
    requestOrigin,
    credentials,
    method,
    methods,
    headers,
    exposeHeaders,
    maxAge: MAX_AGE,
    family,
    preflightTwin: twin,
    preflightBeforeAuth: family === "preflight-status" || (twin && preflightRejected),
    duplicateLayer: family === "origin-multiple",
    privateNetwork: family === "private-network",
    preflightStatus,
    serverError,
    notes,
  };
}

/** The policy as a config format (nginx, Apache, Caddy) can carry it, with notes for what it cannot. */
export interface ConfigView {
  origin: string;
  placeholder: boolean;
  methods: string[];
  headers: string[];
  exposeHeaders: string[];
  notes: string[];
}

export function configView(p: Policy, format: string): ConfigView {
  const notes: string[] = [];
  let origin = p.origin;
  let placeholder = p.placeholder;
  if (!configSafeOrigin(origin)) {
    notes.push(`${format} config cannot carry the origin ${display(origin)} safely (characters it would interpret), so it has a placeholder; put your page's real origin there.`);
    origin = PLACEHOLDER_ORIGIN;
    placeholder = true;
  }
  const keep = (xs: string[], what: string) => {
    const bad = xs.filter((v) => !configSafeToken(v));
    if (bad.length) notes.push(`${format} config cannot carry the ${what} ${bad.slice(0, 5).map((v) => display(v)).join(", ")} safely, so ${bad.length > 1 ? "they were" : "it was"} left out.`);
    return xs.filter((v) => configSafeToken(v));
  };
  return {
    origin,
    placeholder,
    methods: keep(p.methods, "method"),
    headers: keep(p.headers, p.headers.length > 1 ? "header names" : "header name"),
    exposeHeaders: keep(p.exposeHeaders, "exposed header names"),
    notes,
  };
}

/** What a stack renderer returns: the snippet, and notes specific to that stack. */
export interface Rendered {
  code: string;
  notes: string[];
  /**
   * Only when `serverError` is set: how this stack puts the CORS headers on error responses too.
   * generate() puts these first, right after the note that the CORS error hides a server error.
   */
  errorNotes?: string[];
}

/** The comment printed above a placeholder origin (static text: it never holds a recorded value). */
export const TODO_ORIGIN = "TODO: replace with your page's real origin (see the notes)";

/**
 * The fixed-value CORS headers for an allowed origin, for stacks that set headers by hand. The caller
 * adds Access-Control-Allow-Origin (the echoed origin) and Vary: Origin itself.
 */
export function headerPairs(
  p: Policy,
  lists: { methods: string[]; headers: string[]; exposeHeaders: string[] } = p,
): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (p.credentials) out.push(["Access-Control-Allow-Credentials", "true"]);
  if (lists.methods.length) out.push(["Access-Control-Allow-Methods", lists.methods.join(", ")]);
  if (lists.headers.length) out.push(["Access-Control-Allow-Headers", lists.headers.join(", ")]);
  if (lists.exposeHeaders.length) out.push(["Access-Control-Expose-Headers", lists.exposeHeaders.join(", ")]);
  out.push(["Access-Control-Max-Age", String(p.maxAge)]);
  if (p.privateNetwork) out.push(["Access-Control-Allow-Private-Network", "true"]);
  return out;
}
