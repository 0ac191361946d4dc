// Header values that are secrets: masked by default everywhere CORS Lens shows, copies or exports a
// value (the panel, the CLI, Copy as curl/fetch/JSON, HAR and report exports, audit evidence),
// until the user reveals them. Names stay: a Cookie header still proves a credentialed request.
import type { Exchange, Headers, ResponseRecord } from "./types";

//
// A header is secret by what it is: the credential headers by name; any name that says it carries
// a key, token, secret, session, auth(entication), password, CSRF token or signature (X-API-Key,
// X-Auth-Token, X-CSRF-Token, X-Session-Id, X-Amz-Signature, …); and any value that looks like a
// credential (a JWT, "Bearer …", "Basic …", "Token …"), whatever its name. The CORS headers
// themselves are never masked: their values are names and origins, and the diagnosis quotes them.
export const SECRET_HEADERS: ReadonlySet<string> = new Set(["cookie", "set-cookie", "authorization", "proxy-authorization"]);
export const MASK = "[masked]";

const SECRET_NAME = /key|token|secret|session|auth|passw(?:or)?d|csrf|xsrf|signature/i;
const NEVER_SECRET = /^(?:access-control-|:)/i;
/** A JWT (three base64url parts, the first a JSON object), or an HTTP credential with its scheme. */
const SECRET_VALUE = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*|^\s*(?:bearer|basic|token|digest)\s+\S{8,}/i;

export type SecretTest = (name: string, value?: string) => boolean;

/** Whether a header's value is a secret (by its name, or by the value when given). */
export function isSecretHeader(name: string, value?: string): boolean {
  if (NEVER_SECRET.test(name)) return false;
  if (SECRET_HEADERS.has(name.toLowerCase()) || SECRET_NAME.test(name)) return true;
  return value !== undefined && SECRET_VALUE.test(value);
}

/**
 * The secret test with the user's settings: `extra` names (exact, case-insensitive) are masked too,
 * `plain` names never are (e.g. a public "X-Api-Key" the user wants to see).
 */
export function secretTest(settings: { extra?: readonly string[]; plain?: readonly string[] } = {}): SecretTest {
  const extra = new Set((settings.extra ?? []).map((n) => n.toLowerCase()));
  const plain = new Set((settings.plain ?? []).map((n) => n.toLowerCase()));
  if (!extra.size && !plain.size) return isSecretHeader;
  return (name, value) => {
    const n = name.toLowerCase();
    if (plain.has(n)) return false;
    return extra.has(n) || isSecretHeader(name, value);
  };
}

/** Where the user's masking settings live (storage.local; the options page writes them). */
export const MASK_SETTINGS_KEY = "mask.headers";

export interface MaskSettings {
  /** Header names always masked, on top of the rules. */
  extra: string[];
  /** Header names never masked (e.g. a public API key the user wants to see). */
  plain: string[];
}

const NAME_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/;

/** Stored settings, read defensively: header-name tokens only, lower-cased, at most 100 per list. */
export function readMaskSettings(x: unknown): MaskSettings {
  const list = (v: unknown) => (Array.isArray(v) ? [...new Set(v.filter((n): n is string => typeof n === "string" && NAME_RE.test(n.trim()))
    .map((n) => n.trim().toLowerCase()))].slice(0, 100) : []);
  const o = typeof x === "object" && x !== null ? (x as Record<string, unknown>) : {};
  return { extra: list(o.extra), plain: list(o.plain) };
}

export interface MaskOptions {
  isSecret?: SecretTest;
  mask?: string;
}

// fromEntries defines own properties: a header named "__proto__" stays a header.
export function maskHeaders(h: Headers, o: MaskOptions = {}): Headers {
  const secret = o.isSecret ?? isSecretHeader;
  const mask = o.mask ?? MASK;
  return Object.fromEntries(Object.entries(h).map(([name, v]) => {
    const values = Array.isArray(v) ? v : [v];
    if (!values.some((x) => secret(name, String(x)))) return [name, v];
    return [name, Array.isArray(v) ? v.map(() => mask) : mask];
  }));
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
