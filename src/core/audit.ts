// The CORS security audit: configurations that WORK but are dangerous. Pure and total.
// From one exchange some risks can only be suspected (an allow-list echoes the origin exactly like a
// server that reflects every origin); `cors-lens probe --audit` sends hostile origins to confirm them
// and passes what it learnt in AuditOptions.
// References: https://fetch.spec.whatwg.org/#http-access-control-allow-origin,
// https://portswigger.net/web-security/cors, https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Vary
import { headerValue, normalizeMethod, stepsOf } from "./fetch";
import { shellQuote } from "./reproduce";
import { isSecretHeader } from "./secrets";
import type { Exchange, Headers, ResponseRecord } from "./types";

export type Severity = "high" | "medium" | "low";

export interface Finding {
  /** Stable rule id, e.g. "origin-reflected". */
  id: string;
  severity: Severity;
  title: string;
  explanation: string;
  /** The header that shows the problem. Secret values (Set-Cookie, Authorization) are never copied. */
  evidence: { header: string; value: string | null };
  /** Plain-text fix; may point at `--stack NAME` / the Fix section for the stack's code. */
  fix: string;
  /** One exchange cannot prove it: a probe with hostile origins can. */
  suspected: boolean;
  /** Where the evidence is: the preflight or the response of hop `hop` (absent for probe findings). */
  where?: { hop: number; record: "preflight" | "response" };
  /** For probe findings: the hostile origin the server trusted. */
  origin?: string;
  /** A shell command that confirms or refutes the finding (shown as a copyable block). */
  command?: string;
}

const LOCAL_HOST = /^(?:localhost|.*\.localhost|127(?:\.\d{1,3}){3}|\[::1\]|10(?:\.\d{1,3}){3}|192\.168(?:\.\d{1,3}){2}|172\.(?:1[6-9]|2\d|3[01])(?:\.\d{1,3}){2})$/i;

function hostname(url: string): string | null {
  try {
    return new URL(url).hostname;
  } catch {
    return null;
  }
}

/**
 * An Origin that no sane allow-list of a public resource holds: a loopback or private-network page
 * trusted, with credentials, by a resource that is not itself local (a production API answering a
 * dev origin is how a reflecting server shows itself in one exchange).
 */
function implausibleOrigin(origin: string, url: string): boolean {
  const o = hostname(origin);
  const u = hostname(url);
  return o !== null && u !== null && LOCAL_HOST.test(o) && !LOCAL_HOST.test(u);
}

/**
 * The probe that tells an exact allow-list from a server that reflects every Origin, for a
 * credentialed response that names the request's own origin; null when that question does not arise.
 */
export function probeCommand(ex: Exchange): string | null {
  for (const hop of ex.hops) {
    for (const rec of [hop.preflight, hop.response]) {
      if (!rec) continue;
      const acao = get(rec.headers, "access-control-allow-origin");
      if (acao !== null && acao === ex.request.origin && acao !== "null" && get(rec.headers, "access-control-allow-credentials") === "true") {
        return `cors-lens probe ${shellQuote(ex.request.url)} --origin ${shellQuote(ex.request.origin)} --credentials --audit`;
      }
    }
  }
  return null;
}

export interface HostileResult {
  /** The hostile Origin sent. */
  origin: string;
  /** What it imitates, e.g. "suffix of the target host" (shown in the finding). */
  kind: string;
  /** The Access-Control-Allow-Origin answered (null when missing). */
  acao: string | null;
  /** The same response had Access-Control-Allow-Credentials: true. */
  credentials: boolean;
  /** "sibling" hostile origins (another subdomain of the same site) are often trusted on purpose. */
  sibling?: boolean;
}

export interface AuditOptions {
  /**
   * What a probe learnt about origin reflection: "confirmed" (a hostile origin was echoed),
   * "refuted" (every hostile origin was refused), or undefined (not probed: only suspected).
   */
  reflection?: "confirmed" | "refuted";
  /** A probe's preflight with an invented header name got it back in Access-Control-Allow-Headers. */
  headerReflection?: { header: string; credentials: boolean };
  /** Hostile origins a probe sent; each one the server trusts becomes a confirmed finding. */
  hostile?: HostileResult[];
}

const ORDER: Record<Severity, number> = { high: 0, medium: 1, low: 2 };
/** Where a finding's fix points for the exact allow-list; each shell says it its own way (the CLI replaces it). */
export const STACK_POINTER = "The Fix section (or `cors-lens explain --stack NAME`) shows an exact allow-list for your stack.";

const get = headerValue;

function list(value: string | null): string[] {
  return (value ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");
}

/** A value quoted for a message: bounded. */
function short(v: string): string {
  return v.length > 120 ? v.slice(0, 117) + "…" : v;
}

function evidence(header: string, value: string | null): Finding["evidence"] {
  return { header, value: value !== null && isSecretHeader(header, value) ? "(present)" : value === null ? null : short(value) };
}

const DANGEROUS_METHODS = new Set(["PUT", "PATCH", "DELETE"]);
// fetch can never send these (https://fetch.spec.whatwg.org/#forbidden-method): listing them is copy-paste.
const FORBIDDEN_METHODS = new Set(["CONNECT", "TRACE", "TRACK"]);

interface Ctx {
  ex: Exchange;
  out: Finding[];
  opts: AuditOptions;
}

function add(ctx: Ctx, f: Finding): void {
  if (!ctx.out.some((g) => g.id === f.id)) ctx.out.push(f);
}

function auditOrigin(ctx: Ctx, rec: ResponseRecord, origin: string, hop: number, record: "preflight" | "response", url: string): void {
  const acao = get(rec.headers, "access-control-allow-origin");
  if (acao === null || acao === "*") return;
  const creds = get(rec.headers, "access-control-allow-credentials") === "true";
  const where = { hop, record };

  if (acao === "null") {
    add(ctx, creds
      ? { id: "null-origin", severity: "high", title: "The null origin is trusted with credentials", suspected: false, where,
          explanation: "Access-Control-Allow-Origin: null with Access-Control-Allow-Credentials: true lets any page that makes its origin opaque — a sandboxed iframe, a data: URL, a file — read this response with the user's cookies. Attackers can produce an opaque origin from any site.",
          evidence: evidence("access-control-allow-origin", acao),
          fix: `Never allow "null". Compare the Origin against an exact list of your own https origins and answer only those; a sandboxed page of yours that needs access should get its own origin. ${STACK_POINTER}` }
      : { id: "null-origin", severity: "low", title: "The null origin is trusted", suspected: false, where,
          explanation: "Access-Control-Allow-Origin: null lets any sandboxed iframe or data: page read this response: it is as open as \"*\", but looks restrictive.",
          evidence: evidence("access-control-allow-origin", acao),
          fix: "Do not allow \"null\": use \"*\" if the data is public, or an exact allow-list of your origins." });
    return;
  }

  if (/^https:/i.test(url) && /^http:/i.test(acao)) {
    add(ctx, {
      id: "http-origin", severity: creds ? "medium" : "low", title: "An http origin is trusted by an https resource", suspected: false, where,
      explanation: `This https resource trusts ${short(acao)}, a plain-http origin. Anyone on the user's network (public Wi-Fi) can inject script into that http page and read this response${creds ? " with the user's cookies" : ""}, undoing what https protects.`,
      evidence: evidence("access-control-allow-origin", acao),
      fix: `Allow only https origins: serve the page over https and remove http://… from the allow-list. ${STACK_POINTER}`,
    });
  }

  if (creds && acao === origin && origin !== "null") {
    const r = ctx.opts.reflection;
    // From one exchange an exact allow-list and a reflecting server look the same: suspect only on
    // real evidence (the panel offers the probe command quietly otherwise).
    if (r === "confirmed" || (r === undefined && implausibleOrigin(origin, url))) {
      const confirmed = r === "confirmed";
      add(ctx, {
        // Suspected is low: every correct allow-list answer looks like this in one exchange; the
        // probe (with the exact command) decides.
        id: "origin-reflected", severity: confirmed ? "high" : "low",
        title: confirmed ? "Any origin is reflected with credentials" : "The origin may be reflected with credentials",
        suspected: !confirmed, where,
        explanation: confirmed
          ? "The server copies whatever Origin it receives into Access-Control-Allow-Origin and allows credentials: any website the user visits can read this response with the user's cookies (a probe with a hostile origin was accepted)."
          : `This resource is not on a local network, yet it trusts ${short(origin)}, a local page, with credentials: an allow-list of a public API rarely holds that, while a server that copies every Origin does — and then any website can read this response with the user's cookies. The probe below tells them apart.`,
        ...(confirmed ? {} : { command: `cors-lens probe ${shellQuote(url)} --origin ${shellQuote(origin)} --credentials --audit` }),
        evidence: evidence("access-control-allow-origin", acao),
        fix: `Compare the Origin with an exact list of trusted origins (whole-string equality, no substring or unanchored regex) and answer only those. ${STACK_POINTER}`,
      });
    }
  }

  if (record === "response") {
    const vary = list(get(rec.headers, "vary")).map((s) => s.toLowerCase());
    if (!vary.includes("origin") && !vary.includes("*")) {
      const cc = (get(rec.headers, "cache-control") ?? "").toLowerCase();
      const uncached = /\bno-store\b/.test(cc);
      add(ctx, {
        id: "missing-vary", severity: uncached ? "low" : creds ? "medium" : "low",
        title: "A specific Access-Control-Allow-Origin without Vary: Origin", suspected: false, where,
        explanation: uncached
          ? "The response names one origin but does not say Vary: Origin. Cache-Control: no-store keeps it out of caches today; one change to caching and a cache will serve it to other origins."
          : `The response names one origin (${short(acao)}) but does not say Vary: Origin, so a shared cache or CDN may store it and serve it to requests from another origin: they fail, or get an answer meant for someone else (cache poisoning)${creds ? ", and for a credentialed response that can be private data" : ""}.`,
        evidence: evidence("vary", get(rec.headers, "vary")),
        fix: "Add Vary: Origin to every response whose Access-Control-Allow-Origin depends on the request's Origin (also to the ones that refuse an origin).",
      });
    }
  }
}

function auditWildcard(ctx: Ctx, rec: ResponseRecord, hop: number): void {
  if (get(rec.headers, "access-control-allow-origin") !== "*") return;
  const where = { hop, record: "response" as const };
  const setCookie = get(rec.headers, "set-cookie");
  const cc = get(rec.headers, "cache-control");
  const req = ctx.ex.request;
  const auth = get(req.headers, "authorization") ?? get(req.sentHeaders, "authorization");
  const base = "Access-Control-Allow-Origin: * lets every website read this response.";
  const fix = "Use \"*\" only for public data. For anything tied to a user, answer an exact allow-list of origins instead (with Vary: Origin), and keep the private parts out of public endpoints.";
  if (setCookie !== null) {
    add(ctx, { id: "wildcard-private", severity: "medium", title: "Access-Control-Allow-Origin * on a response that sets a cookie", suspected: false, where,
      explanation: `${base} This one sets a cookie, which suggests it belongs to a user session; session data must not be readable by any site.`,
      evidence: evidence("set-cookie", setCookie), fix });
  } else if (cc !== null && /\bprivate\b/i.test(cc)) {
    add(ctx, { id: "wildcard-private", severity: "medium", title: "Access-Control-Allow-Origin * on a private response", suspected: false, where,
      explanation: `${base} This one says Cache-Control: private, so the server itself considers it specific to one user.`,
      evidence: evidence("cache-control", cc), fix });
  } else if (auth !== null) {
    add(ctx, { id: "wildcard-private", severity: "low", title: "Access-Control-Allow-Origin * on an authenticated request", suspected: false, where,
      explanation: `${base} The request carried Authorization, so the data is probably not public. Another site needs the token to call it, but the "*" means any page that gets hold of a token (or a network-position-based login such as an intranet) can read it.`,
      evidence: evidence("authorization", auth), fix });
  }
}

function auditPreflight(ctx: Ctx, rec: ResponseRecord, hop: number, unsafe: string[], method: string): void {
  const creds = get(rec.headers, "access-control-allow-credentials") === "true";
  const acao = get(rec.headers, "access-control-allow-origin");
  if (!creds || acao === null) return;
  const where = { hop, record: "preflight" as const };
  const acah = get(rec.headers, "access-control-allow-headers");
  const acam = get(rec.headers, "access-control-allow-methods");
  const headers = list(acah).map((h) => h.toLowerCase());
  const methods = list(acam);

  if (headers.includes("*")) {
    add(ctx, { id: "allow-headers-wildcard-credentials", severity: "low", title: "Access-Control-Allow-Headers * with credentials", suspected: false, where,
      explanation: "With credentials, \"*\" in Access-Control-Allow-Headers is not a wildcard: it only allows a request header literally named \"*\" (https://fetch.spec.whatwg.org/#http-access-control-allow-headers). Credentialed requests with custom headers are refused, and the intent — every header from every trusted origin — is broader than needed.",
      evidence: evidence("access-control-allow-headers", acah), fix: "List the request headers your API needs by name, e.g. Access-Control-Allow-Headers: content-type, authorization." });
  }
  if (methods.includes("*")) {
    add(ctx, { id: "allow-methods-wildcard-credentials", severity: "low", title: "Access-Control-Allow-Methods * with credentials", suspected: false, where,
      explanation: "With credentials, \"*\" in Access-Control-Allow-Methods is not a wildcard: it only allows a method literally named \"*\". Credentialed PUT/DELETE/PATCH requests are refused, and the intent — every method from every trusted origin — is broader than needed.",
      evidence: evidence("access-control-allow-methods", acam), fix: "List the methods your API needs by name, e.g. Access-Control-Allow-Methods: GET, POST, PUT." });
  }
  // Chromium sends Access-Control-Request-Headers lower-cased, sorted, comma-separated without spaces;
  // a hand-written allow-list is rarely byte-identical to it: an echo is the likely reason.
  // One lower-case name proves nothing (a hand-written list looks the same): it takes two or more.
  const requested = unsafe.join(",");
  if (ctx.opts.headerReflection === undefined && unsafe.length >= 2 && acah === requested) {
    add(ctx, { id: "allow-headers-reflected", severity: "low", title: "Request headers may be reflected", suspected: true, where,
      explanation: "Access-Control-Allow-Headers is byte for byte the Access-Control-Request-Headers the browser sent (lower-case, sorted, no spaces): the server probably echoes whatever headers are asked for, so a trusted origin may send any header with the user's credentials.",
      evidence: evidence("access-control-allow-headers", acah), fix: "Answer a fixed list of the headers your API accepts instead of echoing Access-Control-Request-Headers." });
  }
  const extra = methods.map((m) => normalizeMethod(m)).filter((m) => m !== method);
  const forbidden = extra.filter((m) => FORBIDDEN_METHODS.has(m.toUpperCase()));
  const dangerous = extra.filter((m) => DANGEROUS_METHODS.has(m.toUpperCase()));
  if (forbidden.length > 0 || (methods.length >= 4 && dangerous.length > 0)) {
    add(ctx, { id: "allow-methods-broad", severity: "low", title: "A broad list of methods allowed with credentials", suspected: false, where,
      explanation: forbidden.length > 0
        ? `Access-Control-Allow-Methods lists ${forbidden.join(", ")}, which browsers never send (fetch forbids them): the list was copied rather than chosen, and probably allows more than this resource needs, with the user's credentials.`
        : `Access-Control-Allow-Methods allows ${short(acam ?? "")} with credentials while this request needed ${method}: trusted origins may also change or delete data (${dangerous.join(", ")}) as the user. Allow per resource only the methods it supports.`,
      evidence: evidence("access-control-allow-methods", acam), fix: "Allow only the methods each resource supports, and never TRACE, TRACK or CONNECT." });
  }
}

/** The hostile-origin findings of a probe. */
function hostileFindings(ctx: Ctx): void {
  for (const h of ctx.opts.hostile ?? []) {
    if (h.acao !== h.origin) continue;
    const severity: Severity = h.credentials ? (h.sibling ? "medium" : "high") : "low";
    ctx.out.push({
      id: "hostile-origin-trusted", severity, suspected: false, origin: h.origin,
      title: `Trusts the hostile origin ${short(h.origin)}${h.credentials ? " with credentials" : ""}`,
      explanation: `A request with Origin: ${short(h.origin)} (${h.kind}) was answered with Access-Control-Allow-Origin: ${short(h.acao)}${h.credentials ? " and Access-Control-Allow-Credentials: true: a page on that origin can read the response with the user's cookies" : ": a page on that origin can read the response"}.${h.sibling ? " Trusting every subdomain means one compromised or taken-over subdomain is enough." : " The origin check is missing, or is a substring/regex test an attacker can satisfy."}`,
      evidence: evidence("access-control-allow-origin", h.acao),
      fix: `Check the Origin by whole-string equality against an exact list of trusted origins (for a regex: escape the dots and anchor both ends, ^https://app\\.example\\.com$). ${STACK_POINTER}`,
    });
  }
  const hr = ctx.opts.headerReflection;
  if (hr) {
    ctx.out.push({
      id: "allow-headers-reflected", severity: hr.credentials ? "medium" : "low", suspected: false,
      title: "Every requested header is allowed (reflected)",
      explanation: `A preflight asking for the invented header ${short(hr.header)} got it back in Access-Control-Allow-Headers: the server echoes Access-Control-Request-Headers${hr.credentials ? ", with credentials allowed" : ""}, so trusted origins may send any header.`,
      evidence: evidence("access-control-allow-headers", hr.header),
      fix: "Answer a fixed list of the headers your API accepts instead of echoing Access-Control-Request-Headers.",
    });
  }
}

/**
 * Dangerous-but-working CORS configurations in one exchange (and, with `opts` from a probe, the confirmed ones).
 * Findings are sorted by severity, high first. Never throws.
 */
export function audit(ex: Exchange, opts?: AuditOptions | null): Finding[] {
  const ctx: Ctx = { ex, out: [], opts: opts ?? {} };
  try {
    // What the browser sent at each hop (the Fetch walk: Origin "null" once tainted, the method and
    // headers after a redirect).
    const steps = ex.hops.length ? stepsOf({ ...ex.request, headers: ex.request.headers ?? {} }, ex.hops) : [];
    ex.hops.forEach((hop, i) => {
      const { origin, method, unsafeHeaders } = steps[i]!;
      if (hop.preflight) {
        auditOrigin(ctx, hop.preflight, origin, i, "preflight", hop.url);
        auditPreflight(ctx, hop.preflight, i, unsafeHeaders, method);
      }
      if (hop.response) {
        auditOrigin(ctx, hop.response, origin, i, "response", hop.url);
        auditWildcard(ctx, hop.response, i);
      }
    });
    hostileFindings(ctx);
  } catch {
    // Total: a malformed exchange gives the findings found so far.
  }
  return ctx.out.map((f, i) => ({ f, i })).sort((a, b) => ORDER[a.f.severity] - ORDER[b.f.severity] || a.i - b.i).map(({ f }) => f);
}
