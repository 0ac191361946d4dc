// A settled request (plus its preflights) becomes one core Exchange, and gets its Diagnosis.
import { diagnose, isCorsBlockError } from "../core/diagnose";
import { headerValue, isForbiddenRequestHeader, scriptHeadersFromWire, stepsOf } from "../core/fetch";
import type { Diagnosis, Exchange, Headers, Hop } from "../core/types";
import type { Annotation } from "../shared/protocol";
import type { Settled } from "./correlate";

/** Types whose requests are fetch/XHR-like: CORS by default. Others (img, script, …) only with an Origin header. */
const FETCH_TYPES = new Set(["xmlhttprequest", "fetch", "font", "other", "ping", "beacon"]);

/** The Exchange for a settled request, or null when it is not a CORS request (e.g. a plain <img>). */
export function assemble(s: Settled, blocksAreErrors = true): Exchange | null {
  const v = s.view;
  const hop0 = v.hops[0];
  if (!hop0 || (v.isOptions && v.partial)) return null;
  const wire = hop0.headers;
  const anyPreflight = s.preflights.some((p) => p !== null);
  const originHeader = wire ? headerValue(wire, "origin") : null;
  // No-cors loads (a plain <img>, <script>) carry no Origin; fetch/XHR are CORS unless the page says otherwise.
  if (!anyPreflight && !FETCH_TYPES.has(v.type) && originHeader === null) return null;
  const origin = originHeader && originHeader !== "null" ? originHeader : v.initiator;
  const acrh = (s.preflights[0] ?? s.preflights.find((p) => p !== null))?.acrh ?? null;
  const headers = scriptHeadersFromWire(wire, acrh);

  // What the browser sent at each hop (the Fetch walk): the CORS flag, the method and headers after a redirect.
  const steps = stepsOf({ url: hop0.url, method: hop0.method, headers, origin }, v.hops);
  const hops: Hop[] = v.hops.map((h, i) => {
    const p = s.preflights[i] ?? null;
    const hop: Hop = { url: h.url, preflight: p?.hops[0]?.response ?? null, response: h.response };
    // Sent without an OPTIONS although it needed one: the browser used its preflight cache.
    if (!p && !v.partial && h.response && steps[i]!.preflightNeeded) hop.preflightCached = true;
    return hop;
  });

  // Where completion does not prove delivery (Firefox), the browser's verdict is unknown.
  let browserError: string | null | undefined = v.error ?? null;
  if (browserError === null && !blocksAreErrors) browserError = undefined;
  const last = v.hops.length - 1;
  const lastPre = s.preflights[last];
  // The preflight itself hit a network error (refused, DNS): the browser reports the actual as
  // ERR_FAILED, but the user's problem is the network, not CORS.
  if (isCorsBlockError(browserError) && !v.hops[last]!.response && lastPre && !lastPre.hops[0]?.response &&
      typeof lastPre.error === "string" && !isCorsBlockError(lastPre.error)) {
    browserError = lastPre.error;
  }
  return {
    id: v.id,
    request: {
      url: hop0.url, method: hop0.method, origin, credentials: "unknown", mode: "cors", headers,
      ...(wire ? { sentHeaders: wire } : {}),
    },
    hops,
    ...(browserError === undefined ? {} : { browserError }),
  };
}

/**
 * diagnose(), with the browser as the judge: a response the browser delivered cannot have
 * failed a CORS check, so if it fails under mode "cors" the request was a no-cors one (a no-cors
 * POST carries an Origin header too, so the wire cannot tell them apart).
 */
export function judge(ex: Exchange): { exchange: Exchange; diagnosis: Diagnosis } {
  const d = diagnose(ex);
  if (d.blocked && ex.browserError === null && ex.request.mode === "cors" && ex.request.credentials === "unknown") {
    const noCors: Exchange = { ...ex, request: { ...ex.request, mode: "no-cors" } };
    return { exchange: noCors, diagnosis: diagnose(noCors) };
  }
  return { exchange: ex, diagnosis: d };
}

/**
 * The script's headers from the page hook (what the script set, values included), then those the
 * wire adds that the hook cannot see (a body's Content-Type, which counts for CORS). Forbidden
 * names are the browser's; repeated names combine as Headers.append does.
 */
export function hookHeaders(pairs: Array<[string, string]>, wireDerived: Headers): Headers {
  const out: Headers = Object.create(null);
  for (const [raw, value] of pairs) {
    const name = raw.toLowerCase();
    if (isForbiddenRequestHeader(name)) continue;
    const prev = out[name];
    out[name] = prev === undefined ? value : `${String(prev)}, ${value}`;
  }
  for (const name of Object.keys(wireDerived)) {
    if (out[name] === undefined && headerValue(wireDerived, name)) out[name] = wireDerived[name]!;
  }
  return { ...out };
}

/**
 * The exchange with the page hook's report applied, or null when the report contradicts what the
 * browser did: a report may explain a failure, never create one.
 */
export function annotated(ex: Exchange, before: Diagnosis, a: Annotation): { exchange: Exchange; diagnosis: Diagnosis } | null {
  const next: Exchange = {
    ...ex,
    request: { ...ex.request, credentials: a.credentials, mode: a.mode, ...(a.headers ? { headers: hookHeaders(a.headers, ex.request.headers) } : {}) },
    ...(a.initiator ? { initiator: a.initiator } : {}),
  };
  const d = diagnose(next);
  // A report may turn a record blocked only where the browser's own verdict is unknown (Firefox
  // completes requests it blocks on the response) and the page itself saw the call fail, or where
  // Blink enforced the request mode itself: a mode "same-origin" fetch redirected to another origin
  // is refused by the renderer (CDP blockedReason "origin", no corsErrorStatus), which webRequest
  // sees as net::ERR_ABORTED (https://fetch.spec.whatwg.org/#concept-main-fetch step 12, mode "same-origin").
  const modeRefused = d.code === "DisallowedByMode" && ex.browserError === "net::ERR_ABORTED";
  if (d.blocked && !before.blocked && !((ex.browserError === undefined || modeRefused) && a.outcome.startsWith("rejected"))) return null;
  return { exchange: next, diagnosis: d };
}
