// fix.notes: what the fix changes and why, for the diagnosis code and its warnings. Plain text;
// every value taken from the exchange goes through display().
import { statusWithText } from "../diagnose";
import { headerValue, originOf } from "../fetch";
import type { Diagnosis, Exchange, Hop } from "../types";
import { display } from "./escape";
import type { Policy } from "./policy";

function str(v: unknown): string | null {
  return typeof v === "string" && v !== "" ? v : null;
}

function hopsOf(x: Exchange): Hop[] {
  return x && Array.isArray(x.hops) ? x.hops.filter((h): h is Hop => typeof h === "object" && h !== null) : [];
}

function failingHop(d: Diagnosis, x: Exchange): { hop: Hop | null; index: number } {
  const hops = hopsOf(x);
  const i = typeof d?.hop === "number" && Number.isInteger(d.hop) && d.hop >= 0 && d.hop < hops.length ? d.hop : 0;
  return { hop: hops[i] ?? null, index: i };
}

/** Where the preflight was redirected to, resolved against its URL; null when unknown or unparsable. */
export function preflightLocation(d: Diagnosis, x: Exchange): string | null {
  const { hop } = failingHop(d, x);
  const loc = hop?.preflight ? headerValue(hop.preflight.headers, "location") : null;
  if (!loc || typeof hop?.url !== "string") return null;
  try {
    const u = new URL(loc, hop.url);
    return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
  } catch {
    return null;
  }
}

/** The request crossed to another origin through a redirect, so later hops sent `Origin: null`. */
export function crossOriginRedirect(d: Diagnosis, x: Exchange): { finalUrl: string } | null {
  const hops = hopsOf(x);
  const { index } = failingHop(d, x);
  if (index === 0 || hops.length < 2) return null;
  const first = typeof hops[0]?.url === "string" ? originOf(hops[0].url) : null;
  const here = hops[index];
  const now = here && typeof here.url === "string" ? originOf(here.url) : null;
  if (!first || !now || first === now || !here) return null;
  return { finalUrl: here.url };
}

const ON = (p: Policy) => (p.preflightTwin ? "the OPTIONS preflight response" : "the response");
const NON_NORMALIZED = (m: string | null) => m !== null && m !== m.toUpperCase() && /^[a-z]+$/i.test(m);

/** 1–3 sentences for the diagnosis code: what failed, and what the config does about it. */
export function codeNotes(d: Diagnosis, x: Exchange, p: Policy): string[] {
  const received = str(d?.received);
  const failed = str(d?.failedParameter);
  const on = ON(p);
  const status = p.preflightStatus !== null ? ` (status ${p.preflightStatus})` : "";
  switch (p.family) {
    case "none":
      if (str(d?.networkError)) {
        return [`The request failed with a network error (${display(str(d.networkError)!)}), not a CORS check; the config below is still the correct CORS setup for it.`];
      }
      return [
        d?.blocked
          ? "The browser blocked this request without a CORS error code (see the diagnosis); the config below is the correct CORS setup for it."
          : `Nothing was blocked. This is the correct CORS setup for this request: an explicit origin allowlist echoed back with Vary: Origin${p.credentials ? ", and credentials" : ""}.`,
      ];
    case "origin-missing":
      return [
        `${cap(on)} had no Access-Control-Allow-Origin header${p.preflightTwin ? status : ""}.`,
        `The config sends it on every response, error statuses included${p.preflightTwin ? ", and answers the preflight before authentication" : ""}, echoing the page's origin only when it is on the allowlist.`,
      ];
    case "origin-wildcard":
      return [
        `Access-Control-Allow-Origin: * is never accepted for a credentialed request, even with Access-Control-Allow-Credentials: true (it failed on ${on}).`,
        "The config echoes the exact origin from an explicit allowlist instead, with Vary: Origin; reflecting any origin would let every site read responses made with the user's cookies.",
      ];
    case "origin-mismatch":
      return [
        str(d?.expected) === "null" && p.requestOrigin !== "null"
          ? `${cap(on)} allowed ${received ? display(received) : "a different origin"}, but after the redirect to another origin the browser sent Origin: null, which no allowlisted origin matches.`
          : `${cap(on)} allowed ${received ? display(received) : "a different origin"}, but the page's origin is ${display(p.requestOrigin)}: the browser compares them as exact strings (scheme, host, port, no trailing slash).`,
        "The config allowlists the page's exact origin and echoes it back.",
      ];
    case "origin-invalid":
      return [
        `Access-Control-Allow-Origin${received ? `: ${display(received)}` : ""} on ${on} is not a valid origin value.`,
        "The config sends exactly the serialized origin (scheme://host[:port], no path, no trailing slash).",
      ];
    case "origin-multiple":
      return [
        `${cap(on)} carried several Access-Control-Allow-Origin values${received ? ` (${display(received)})` : ""}: two layers, such as a proxy and the app, both add the header.`,
        "Keep CORS in one layer, as configured below, and remove it from the other.",
      ];
    case "credentials":
      return [
        `With credentials, Access-Control-Allow-Credentials on ${on} must be exactly true, in lower case; it was ${received ? display(received) : "missing"}.`,
        "The config sends it for allowlisted origins.",
      ];
    case "preflight-status":
      return [
        `The OPTIONS preflight was rejected${status}. A preflight never carries cookies or Authorization, so authentication (or a missing OPTIONS route) turned it away.`,
        "Answer OPTIONS with 204 and the CORS headers before authentication runs, as below.",
      ];
    case "preflight-redirect": {
      const to = preflightLocation(d, x);
      return [
        `The preflight was redirected${to ? ` to ${display(to, 120)}` : ""}, and the browser never follows a redirect for a preflight.`,
        "Fix the URL the page calls (often a trailing slash or http→https), or serve OPTIONS at this URL without redirecting.",
      ];
    }
    case "invalid-response":
      return [
        "The preflight got no valid HTTP response (a network-level failure).",
        "Make sure the server answers OPTIONS at this URL at all, with 204 and the CORS headers below.",
      ];
    case "method":
      return [
        `The preflight's Access-Control-Allow-Methods did not include ${display(failed ?? p.method ?? "the method")}.`,
        "The config lists the method explicitly (* does not count with credentials)." +
          (NON_NORMALIZED(p.method)
            ? ` Only DELETE, GET, HEAD, OPTIONS, POST and PUT are upper-cased by fetch; ${display(p.method!)} is sent and matched as written, so have the page send ${display(p.method!.toUpperCase())}.`
            : ""),
      ];
    case "header":
      return [
        `The preflight's Access-Control-Allow-Headers did not include ${failed ? display(failed) : "a header the request sends"}.`,
        `The config lists every non-safelisted header the request sends${p.headers.length ? ` (${p.headers.map((h) => display(h)).join(", ")})` : ""}; * does not count with credentials.`,
      ];
    case "methods-invalid":
      return [
        "The preflight's Access-Control-Allow-Methods is not a valid comma-separated list of method names.",
        "The config sends a clean list.",
      ];
    case "headers-invalid":
      return [
        "The preflight's Access-Control-Allow-Headers is not a valid comma-separated list of header names.",
        "The config sends a clean list.",
      ];
    case "redirect-credentials":
      return [
        "A redirect's Location contains user:password@, which CORS forbids.",
        "Remove the userinfo from the redirect target on the server (send credentials another way); the config below is what the final response still needs.",
      ];
    case "mode":
      return [
        "The page used fetch mode 'same-origin' for a cross-origin URL, so the browser refused before sending anything.",
        "The fix is on the client, not the server: use mode 'cors' (the default). The config below is what the server needs once the request is sent.",
      ];
    case "scheme":
      return [
        "The URL's scheme does not support CORS (only http and https do), so the browser refused before sending anything.",
        "The fix is on the client, not the server: serve and request the resource over http(s). The config below is for that server.",
      ];
    case "private-network":
      return [
        "A public page is reaching a private-network address, so the preflight must answer Access-Control-Allow-Private-Network: true.",
        "Newer Chrome versions ask the user for Local Network Access permission instead; both need the CORS headers below.",
      ];
    case "unknown":
      return [`Unrecognized CORS error ${display(str(d?.code) ?? "")}; the config below is a correct CORS setup for this request.`];
  }
}

/**
 * The note that leads the fix when the CORS error hides a server error (policy.serverError): the status
 * is the problem to fix, and the error path needs the CORS headers too. The stack's own way follows it.
 */
export function serverErrorNotes(p: Policy): string[] {
  const s = p.serverError;
  if (!s) return [];
  const status = statusWithText(s.status);
  if (s.stage === "preflight") {
    return [
      `The preflight (OPTIONS) got ${status} with no CORS headers at all: the CORS error hides ${s.status === 401 || s.status === 403 ? "an authentication" : "a server"} error. ` +
        (s.status === 401 || s.status === 403
          ? "Browsers never send cookies or Authorization on a preflight, so OPTIONS must be answered before authentication, and error responses need the CORS headers too:"
          : "Answer OPTIONS with 204 and the CORS headers, and make error responses carry the CORS headers too:"),
    ];
  }
  return [
    `The response was ${status} with no CORS headers at all: the CORS error hides a server error. ` +
      "Fix that error first (the server's log says why), and make error responses carry the CORS headers too, so the page can read the next one:",
  ];
}

/** Extra context from the stage and the redirect chain. */
export function stageNotes(d: Diagnosis, x: Exchange, p: Policy): string[] {
  const out: string[] = [];
  if (d?.stage === "redirect" && p.family !== "redirect-credentials" && p.family !== "preflight-redirect") {
    out.push("The failing response was a redirect: in cors mode a redirect must pass the CORS check itself, so it needs these headers too (the config applies to every response, 3xx included).");
  }
  const cross = crossOriginRedirect(d, x);
  if (cross) {
    out.push("After a redirect to another origin the browser sends Origin: null. Don't allowlist null: have the page call the final URL directly.");
  }
  return out;
}

const WARNINGS: Record<string, (p: Policy) => string> = {
  MissingVaryOrigin: () => "Vary: Origin is sent, so a cache never serves one origin's response to another.",
  ExposeHeadersWildcardWithCredentials: (p) =>
    p.exposeHeaders.length
      ? `Access-Control-Expose-Headers: * is a literal name when credentials are used; the config lists the exposed headers by name (${p.exposeHeaders.map((h) => display(h)).join(", ")}).`
      : "Access-Control-Expose-Headers: * is a literal name when credentials are used; list the response headers the page reads by name.",
  AllowHeadersWildcardWithCredentials: () =>
    "Access-Control-Allow-Headers: * counts only without credentials; the config lists the header names.",
  AllowMethodsWildcardWithCredentials: () =>
    "Access-Control-Allow-Methods: * counts only without credentials; the config lists the methods.",
  MaxAgeAboveCap: (p) =>
    `Chromium caps Access-Control-Max-Age at 7200 s (WebKit at 600 s, Firefox at 86400 s); the config uses ${p.maxAge}.`,
};

export function warningNotes(d: Diagnosis, p: Policy): string[] {
  const warnings = Array.isArray(d?.warnings) ? d.warnings : [];
  const out: string[] = [];
  const seen = new Set<string>();
  for (const w of warnings) {
    const code = typeof w?.code === "string" ? w.code : "";
    if (seen.has(code)) continue;
    seen.add(code);
    const note = Object.hasOwn(WARNINGS, code) ? WARNINGS[code]!(p) : null;
    if (note) out.push(note);
    else if (typeof w?.message === "string" && w.message) out.push(`Also: ${oneLine(w.message)}`);
  }
  return out;
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A free-text message on one line, short. */
export function oneLine(s: string, max = 200): string {
  const flat = s.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, " ").trim();
  return flat.length > max ? flat.slice(0, max) + "…" : flat;
}
