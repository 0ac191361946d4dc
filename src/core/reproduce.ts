// "Copy as curl" and "Copy as fetch": replay an exchange outside the browser, the way it went out.
// Pure: no browser APIs. Every untrusted string (URL, header names and values, ids) is escaped for
// the target language, and comment lines are flattened to one line, so nothing can break out.
//
// curl: the preflight (OPTIONS with Origin, Access-Control-Request-Method, Access-Control-Request-Headers,
// as the browser sends it: no cookies, https://fetch.spec.whatwg.org/#cors-preflight-fetch) and the
// actual request (Origin, method, the script's headers, the Cookie seen on the wire). `-i` shows the
// response headers. curl does not follow redirects here: the browser followed them hop by hop and
// re-checked CORS at each; `hop` picks which hop to replay (default the first).
import { diagnose } from "./diagnose";
import { headerValue, isForbiddenRequestHeader, isToken, stepsOf } from "./fetch";
import { jsString } from "./fix/escape";
import { hopName } from "./hops";
import { isSecretHeader, MASK, type SecretTest } from "./secrets";
import type { CredentialsMode, Exchange, Headers } from "./types";


export interface ReproduceOptions {
  /** Show secret values (the user pressed "Reveal secrets"). Default false: masked. */
  reveal?: boolean;
  /** Which header names are secrets; default the core's (src/core/secrets.ts). */
  isSecret?: SecretTest;
  /** What a masked value becomes; default "[masked]". */
  mask?: string;
  /** Which hop to replay (0 = the URL the script asked for). Clamped to the recorded hops. */
  hop?: number;
}

// ---- Escaping ----

/** One POSIX shell word: single quotes, each ' written as '\'' . NUL cannot be in argv: dropped. */
export function shellQuote(s: string): string {
  return `'${s.replace(/\0/g, "").replace(/'/g, `'\\''`)}'`;
}

/** Text for a one-line comment (shell `#` or JS `//`): no line breaks or control characters. */
function commentText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, " ").slice(0, 500);
}

/** A header value as it can go on one request line: CR, LF and NUL cannot be sent, so they become spaces. */
function lineValue(v: string): string {
  return v.replace(/[\r\n\0]/g, " ");
}

// ---- The request as the browser sent it ----

interface Replay {
  url: string;
  hop: number;
  hops: number;
  method: string;
  /** Origin sent at this hop ("null" once a redirect tainted it). */
  origin: string;
  /** Script headers, forbidden names dropped, in recorded order: [name, value, secret]. */
  headers: Array<[string, string]>;
  /** The Cookie seen on the wire, when recorded. */
  cookie: string | null;
  preflight: { method: string; headers: string[] } | null;
  /** Why there is a preflight (or not), for the comment. */
  preflightNote: string | null;
  credentials: CredentialsMode;
  credentialsInferred: boolean;
  mode: Exchange["request"]["mode"];
  skipped: string[];
  /** The hop's actual request was never answered (e.g. its preflight failed): empty values may be unknown ones. */
  unanswered: boolean;
}


function plan(ex: Exchange, opts: ReproduceOptions): Replay {
  const hops = ex.hops.length ? ex.hops : [{ url: ex.request.url, preflight: null, response: null }];
  const want = Math.max(0, Math.min(hops.length - 1, Math.floor(opts.hop ?? 0)));
  // The Fetch walk up to the wanted hop (method change, Origin tainting, the CORS flag).
  const step = stepsOf({ ...ex.request, headers: ex.request.headers ?? {} }, hops.slice(0, want + 1))[want]!;
  const { method, headers } = step;
  const hop = hops[want]!;
  const skipped: string[] = [];
  const list: Array<[string, string]> = [];
  for (const name of Object.keys(headers)) {
    const n = name.toLowerCase();
    if (isForbiddenRequestHeader(n)) continue;
    if (!isToken(n)) {
      skipped.push(n);
      continue;
    }
    list.push([n, headerValue(headers, name) ?? ""]);
  }
  let credentials: CredentialsMode;
  let credentialsInferred = false;
  if (ex.request.credentials === "unknown") {
    credentials = safeDiagnoseMode(ex);
    credentialsInferred = true;
  } else credentials = ex.request.credentials;
  const cookie = credentials === "include" ? headerValue(ex.request.sentHeaders, "cookie") : null;

  const crossOrigin = step.cors;
  const unsafe = step.unsafeHeaders;
  const needed = step.preflightNeeded;
  let preflight: Replay["preflight"] = null;
  let preflightNote: string | null = null;
  if (ex.request.mode === "no-cors") {
    preflightNote = 'mode "no-cors": the browser sends no preflight and hides the response from the page.';
  } else if (crossOrigin && (needed || hop.preflight)) {
    preflight = { method, headers: unsafe };
    if (hop.preflightCached) preflightNote = "the browser answered this preflight from its cache; this sends it anyway.";
    else if (!hop.preflight) preflightNote = "no preflight response was recorded for this hop.";
  }
  return {
    url: hop.url, hop: want, hops: hops.length, method, origin: step.origin,
    headers: list, cookie, preflight, preflightNote, credentials, credentialsInferred, mode: ex.request.mode, skipped,
    unanswered: !hop.response,
  };
}

function safeDiagnoseMode(ex: Exchange): CredentialsMode {
  try {
    return diagnose(ex).credentials.mode;
  } catch {
    return "same-origin";
  }
}

function masker(opts: ReproduceOptions): (name: string, value: string) => string {
  const isSecret = opts.isSecret ?? isSecretHeader;
  const mask = opts.mask ?? MASK;
  return (name, value) => (!opts.reveal && isSecret(name, value) ? mask : value);
}

function hasMasked(r: Replay, opts: ReproduceOptions): boolean {
  if (opts.reveal) return false;
  const isSecret = opts.isSecret ?? isSecretHeader;
  return r.cookie !== null || r.headers.some(([n, v]) => isSecret(n, v));
}

function commonComments(ex: Exchange, r: Replay, opts: ReproduceOptions, prefix: string): string[] {
  const out: string[] = [];
  const c = (s: string) => out.push(`${prefix} ${commentText(s)}`);
  c(`CORS Lens: ${r.method} ${r.url} from origin ${r.origin} (credentials: ${r.credentials}${r.credentialsInferred ? ", inferred" : ""}).`);
  if (r.hops > 1) {
    const chain = ex.hops.map((h) => h.url).join(" -> ");
    c(`The browser followed ${r.hops - 1} redirect${r.hops === 2 ? "" : "s"} (${chain}); this replays ${hopName(r.hop, r.hops)} only, without following redirects.`);
  }
  if (!["GET", "HEAD"].includes(r.method)) c("The request body was not recorded; add it yourself.");
  if (hasMasked(r, opts)) c('Secret header values are masked; press "Reveal secrets" in CORS Lens to copy them.');
  const empty = r.headers.filter(([, v]) => v === "").map(([n]) => n);
  if (r.unanswered && empty.length) {
    c(`No response was recorded for this request, so these header values may be unknown rather than empty: ${empty.join(", ")}`);
  }
  if (r.skipped.length) c(`Skipped header names that are not valid tokens: ${r.skipped.join(", ")}`);
  return out;
}

// ---- curl ----

function curlCommand(url: string, method: string, headers: Array<[string, string]>): string {
  const parts = ["curl -i"];
  // [] and {} in a URL are curl globs: turn globbing off so the URL goes out as is.
  if (/[[\]{}]/.test(url)) parts.push("--globoff");
  if (method === "HEAD") parts.push("--head");
  else if (method !== "GET") parts.push(`-X ${shellQuote(method)}`);
  parts.push(url.startsWith("-") ? `--url ${shellQuote(url)}` : shellQuote(url));
  for (const [name, value] of headers) {
    // `-H 'name;'` is curl's syntax for a header with an empty value (`name:` would remove it).
    parts.push(`-H ${shellQuote(value === "" ? `${name};` : `${name}: ${lineValue(value)}`)}`);
  }
  return parts.join(" \\\n  ");
}

/** "Copy as curl": the preflight (when the browser sent one) and the actual request, for a POSIX shell. */
export function toCurl(ex: Exchange, opts: ReproduceOptions = {}): string {
  const r = plan(ex, opts);
  const show = masker(opts);
  const out = commonComments(ex, r, opts, "#");
  if (r.preflight) {
    out.push("", "# Preflight (the browser sends it without cookies):");
    if (r.preflightNote) out.push(`# ${commentText(r.preflightNote)}`);
    const h: Array<[string, string]> = [["origin", r.origin], ["access-control-request-method", r.preflight.method]];
    if (r.preflight.headers.length) h.push(["access-control-request-headers", r.preflight.headers.join(",")]);
    out.push(curlCommand(r.url, "OPTIONS", h));
  } else if (r.preflightNote) {
    out.push(`# ${commentText(r.preflightNote)}`);
  }
  out.push("", "# Actual request:");
  const h: Array<[string, string]> = [["origin", r.origin], ...r.headers.map(([n, v]): [string, string] => [n, show(n, v)])];
  if (r.cookie !== null) h.push(["cookie", show("cookie", r.cookie)]);
  else if (r.credentials === "include") out.push("# credentials: include, but no Cookie was recorded; add yours with -H 'cookie: name=value'.");
  out.push(curlCommand(r.url, r.method, h));
  return out.join("\n") + "\n";
}

// ---- fetch ----

/** "Copy as fetch", as DevTools writes it: fetch(url, { headers, body, method, mode, credentials }). */
export function toFetch(ex: Exchange, opts: ReproduceOptions = {}): string {
  const r = plan(ex, opts);
  const show = masker(opts);
  // Double quotes, as DevTools writes it.
  const js = (v: string) => jsString(v, '"');
  const out = commonComments(ex, r, opts, "//");
  // The browser sets Origin and cookies itself (they are forbidden to scripts); credentials decides cookies.
  const headerLines = r.headers.map(([n, v]) => `    ${js(n)}: ${js(show(n, v))}`);
  const body = ["GET", "HEAD"].includes(r.method) ? "null" : "null /* not recorded */";
  out.push(
    `fetch(${js(r.url)}, {`,
    headerLines.length ? `  "headers": {\n${headerLines.join(",\n")}\n  },` : `  "headers": {},`,
    `  "body": ${body},`,
    `  "method": ${js(r.method)},`,
    `  "mode": ${js(r.mode)},`,
    `  "credentials": ${js(r.credentials)}${r.hops > 1 ? "," : ""}`,
  );
  if (r.hops > 1) out.push(`  "redirect": "follow"`);
  out.push("});");
  return out.join("\n") + "\n";
}
