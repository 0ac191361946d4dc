// `cors-lens probe URL --origin O`: sends what a browser would send (preflight, actual request,
// redirects as fetch follows them), records it as an Exchange and diagnoses it with the same core as
// `explain`. With --audit it also sends hostile origins and reports the ones the server trusts.
// What Chromium sends: services/network/cors/preflight_controller.cc (CreatePreflightRequest);
// redirects: https://fetch.spec.whatwg.org/#http-redirect-fetch.
import { parseArgs } from "node:util";
import { version } from "../../package.json";
import { audit, STACK_POINTER, type AuditOptions, type Finding, type HostileResult } from "../core/audit";
import { registrableDomain } from "../core/cookies";
import { diagnose } from "../core/diagnose";
import {
  corsUnsafeRequestHeaderNames, firstStep, isForbiddenMethod, isForbiddenRequestHeader, isToken, nextStep, normalizeMethod, originOf,
  preflightHeaders, type FetchStep,
} from "../core/fetch";
import { generate, isStack } from "../core/fix/index";
import type { Diagnosis, Exchange, Headers, Hop, ResponseRecord, Stack } from "../core/types";
import { hostOf } from "../shared/url";
import { NetError, send as nodeSend, type HttpOptions, type HttpRequest, type HttpResponse } from "./http";
import { argsProblem, clean, formatHuman, painter, stackIds, summaryLine } from "./format";
import type { CliIO } from "./io";

export const PROBE_USAGE = `Usage: cors-lens probe URL --origin ORIGIN [options]

Sends the requests a browser would send from ORIGIN to URL (the preflight when one is needed, the
request, redirects as fetch follows them), then explains the result like \`explain\`.

  --origin ORIGIN      the page's origin, e.g. https://app.example.com (or "null")
  --credentials        the request includes credentials (fetch credentials: "include")
  --cookie COOKIE      send this Cookie header (implies --credentials)
  --method METHOD      request method (default GET)
  --header "NAME: VALUE"  a header the script sets; repeatable
  --audit              also try hostile origins (evil.example, null, look-alikes of the target and
                       origin) and report configurations that work but are dangerous
  --stack NAME         add the server fix for NAME (one of: {stacks})
  --json               print one JSON object
  --insecure           accept any TLS certificate (self-signed labs)
  --timeout SECONDS    per request (default 10)
  --resolve HOST:PORT:ADDRESS  connect to ADDRESS for HOST:PORT, like curl; repeatable
  --no-color           no colors

Exit status: 0 not blocked (and, with --audit, no HIGH finding), 1 blocked or a HIGH audit finding, 2 bad usage, unreachable host or TLS error.
`;

const UA = `cors-lens/${version} (probe)`;
/** https://fetch.spec.whatwg.org/#http-redirect-fetch step 5: more than 20 redirects is a network error. */
const MAX_REDIRECTS = 20;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** The invented header a --audit preflight asks for, to see whether Access-Control-Request-Headers is echoed. */
export const PROBE_HEADER = "x-cors-lens-probe";

export type SendFn = (req: HttpRequest, opts: HttpOptions) => Promise<HttpResponse>;

class UsageError extends Error {}

export interface ProbeOptions {
  url: string;
  origin: string;
  credentials: boolean;
  cookie: string | null;
  method: string;
  headers: Array<[string, string]>;
  audit: boolean;
  json: boolean;
  stack: Stack | null;
  color: boolean;
  help: boolean;
  http: HttpOptions;
}

const PROBE_OPTIONS = {
  help: { type: "boolean", short: "h" },
  origin: { type: "string" },
  credentials: { type: "boolean" },
  cookie: { type: "string" },
  method: { type: "string", short: "X" },
  header: { type: "string", short: "H", multiple: true },
  audit: { type: "boolean" },
  json: { type: "boolean" },
  insecure: { type: "boolean", short: "k" },
  "no-color": { type: "boolean" },
  "no-colour": { type: "boolean" },
  stack: { type: "string" },
  timeout: { type: "string" },
  resolve: { type: "string", multiple: true },
} as const;

export function parseProbeArgs(argv: string[]): ProbeOptions {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: PROBE_OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    const problem = argsProblem(e, argv, PROBE_OPTIONS);
    if (problem === null) throw e;
    throw new UsageError(problem);
  }
  const { values: v, positionals: urls } = parsed;
  const o: ProbeOptions = {
    url: "", origin: "", credentials: !!v.credentials, cookie: v.cookie ?? null, method: v.method ?? "GET", headers: [],
    audit: !!v.audit, json: !!v.json, stack: null, color: !v["no-color"] && !v["no-colour"], help: !!v.help,
    http: { timeoutMs: 10000, insecure: !!v.insecure, resolve: new Map() },
  };
  const origin = v.origin ?? null;
  for (const h of v.header ?? []) {
    const c = h.indexOf(":");
    const n = (c > 0 ? h.slice(0, c) : "").trim().toLowerCase();
    if (!isToken(n)) throw new UsageError(`--header needs "NAME: VALUE", got ${JSON.stringify(clean(h))}`);
    if (isForbiddenRequestHeader(n)) {
      throw new UsageError(`${n} is a forbidden header: a browser never lets a script set it${n === "cookie" ? " (use --cookie)" : ""}`);
    }
    const val = h.slice(c + 1).trim();
    if (/[\r\n\0]/.test(val)) throw new UsageError(`--header ${n}: the value may not contain CR, LF or NUL`);
    // A repeated header: the last one wins, like a script's Headers.set.
    o.headers = o.headers.filter(([name]) => name !== n);
    o.headers.push([n, val]);
  }
  if (v.stack !== undefined) {
    if (!isStack(v.stack)) throw new UsageError(`unknown stack ${JSON.stringify(clean(v.stack))}; valid stacks: ${stackIds().join(", ")}`);
    o.stack = v.stack as Stack;
  }
  if (v.timeout !== undefined) {
    const s = Number(v.timeout);
    if (!/^\d+(\.\d+)?$/.test(v.timeout) || !(s > 0) || s > 600) throw new UsageError(`--timeout needs SECONDS between 0 and 600, got ${JSON.stringify(clean(v.timeout))}`);
    o.http.timeoutMs = Math.round(s * 1000);
  }
  for (const r of v.resolve ?? []) {
    const m = /^(\[[^\]]+\]|[^:]+):(\d+):(.+)$/.exec(r);
    if (!m) throw new UsageError(`--resolve needs HOST:PORT:ADDRESS, got ${JSON.stringify(clean(r))}`);
    o.http.resolve.set(`${m[1]!.replace(/^\[|\]$/g, "").toLowerCase()}:${m[2]}`, m[3]!.replace(/^\[|\]$/g, ""));
  }
  if (o.help) return o;
  if (urls.length !== 1) throw new UsageError(urls.length === 0 ? "probe needs a URL" : "probe takes one URL");
  let url: URL;
  try {
    url = new URL(urls[0]!);
  } catch {
    throw new UsageError(`not a URL: ${JSON.stringify(clean(urls[0]!.slice(0, 200)))}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`only http and https URLs can be probed, not ${url.protocol}`);
  url.hash = "";
  o.url = url.href;
  if (origin === null) throw new UsageError("probe needs --origin ORIGIN (the origin of the page that makes the request)");
  if (origin === "null") o.origin = "null";
  else {
    const ser = originOf(origin);
    if (ser === null || ser === "null" || !/^https?:/.test(ser)) throw new UsageError(`--origin needs an http(s) origin such as https://app.example.com, got ${JSON.stringify(clean(origin))}`);
    o.origin = ser;
  }
  if (!isToken(o.method)) throw new UsageError(`not a valid method: ${JSON.stringify(clean(o.method))}`);
  if (isForbiddenMethod(o.method)) throw new UsageError(`${o.method} is a forbidden method: fetch refuses it`);
  if (o.cookie !== null) {
    if (/[\r\n\0]/.test(o.cookie)) throw new UsageError("--cookie may not contain CR, LF or NUL");
    o.credentials = true;
  }
  return o;
}

/** One request the probe sent, for the report. */
export interface Sent {
  kind: "preflight" | "request" | "hostile-preflight" | "hostile-request" | "header-probe";
  method: string;
  url: string;
  origin: string;
  status: number | null;
}

interface Session {
  opts: ProbeOptions;
  sendFn: SendFn;
  sent: Sent[];
}

async function sendLogged(s: Session, kind: Sent["kind"], req: HttpRequest, origin: string): Promise<HttpResponse> {
  const entry: Sent = { kind, method: req.method, url: req.url, origin, status: null };
  s.sent.push(entry);
  const res = await s.sendFn(req, s.opts.http);
  entry.status = res.status;
  return res;
}

function toRecord(r: HttpResponse): ResponseRecord {
  return { status: r.status, headers: r.headers };
}

function preflightRequest(step: Pick<FetchStep, "url" | "method" | "origin" | "unsafeHeaders">): HttpRequest {
  return { url: step.url, method: "OPTIONS", headers: [...preflightHeaders(step), ["user-agent", UA]] };
}

export interface Browsed {
  exchange: Exchange;
  diagnosis: Diagnosis;
}

/** Follows the request the way fetch does, hop by hop, with the CORS checks of the shared core. */
async function browse(s: Session): Promise<Browsed> {
  const o = s.opts;
  // The Fetch walk (fetch.ts): each hop's URL, method, script headers, Origin and CORS flag.
  let step = firstStep({ url: o.url, method: o.method, headers: Object.fromEntries(o.headers), origin: o.origin });
  const hops: Hop[] = [];
  const firstHost = hostOf(o.url);
  const sentHeaders: Headers = {};
  const exchange = (): Exchange => ({
    id: "probe",
    request: {
      url: o.url, method: o.method, origin: o.origin, credentials: o.credentials ? "include" : "omit", mode: "cors",
      headers: Object.fromEntries(o.headers), ...(Object.keys(sentHeaders).length ? { sentHeaders } : {}),
    },
    hops: hops.map((h) => ({ ...h })),
  });
  for (let i = 0; ; i++) {
    const { url, method, origin, headers: scriptHeaders } = step;
    const corsFlag = step.cors;
    const hop: Hop = { url, preflight: null, response: null };
    hops.push(hop);
    if (step.preflightNeeded) {
      hop.preflight = toRecord(await sendLogged(s, "preflight", preflightRequest(step), origin));
      // A failed preflight stops the browser before the actual request.
      if (diagnose(exchange()).blocked) break;
    }
    const headers: Array<[string, string]> = [["accept", "*/*"]];
    for (const [n, v] of Object.entries(scriptHeaders)) headers.push([n, Array.isArray(v) ? v.join(", ") : v]);
    // Browsers send Origin on every CORS request and on same-origin requests other than GET/HEAD.
    if (corsFlag || (method !== "GET" && method !== "HEAD")) headers.push(["origin", origin]);
    // Only the cookie given, and only to its own host: a browser sends another host's cookies after a redirect.
    if (o.credentials && o.cookie !== null && hostOf(url) === firstHost) {
      headers.push(["cookie", o.cookie]);
      sentHeaders.cookie = o.cookie;
    }
    headers.push(["user-agent", UA]);
    const res = await sendLogged(s, "request", { url, method, headers }, origin);
    hop.response = toRecord(res);
    const loc = REDIRECTS.has(res.status) ? res.headers.location : undefined;
    const location = Array.isArray(loc) ? loc.join(", ") : loc;
    if (!location) break;
    if (diagnose(exchange()).blocked) break;
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      break;
    }
    // Non-http(s) targets and URLs with credentials: the core names the failure on this last hop.
    if ((next.protocol !== "http:" && next.protocol !== "https:") || next.username || next.password) break;
    if (i + 1 > MAX_REDIRECTS) throw new NetError("net::ERR_TOO_MANY_REDIRECTS", `more than ${MAX_REDIRECTS} redirects from ${o.url}`);
    next.hash = "";
    step = nextStep(step, next.href, res.status);
  }
  const ex = exchange();
  return { exchange: ex, diagnosis: diagnose(ex) };
}

// ---- --audit: hostile origins ------------------------------------------------------------------

export interface HostileOrigin {
  origin: string;
  kind: string;
  sibling?: boolean;
}

/** The origins an attacker would try against an origin check, given the target URL and the page's origin. */
export function hostileOrigins(target: string, origin: string): HostileOrigin[] {
  const out: HostileOrigin[] = [
    { origin: "https://evil.example", kind: "an unrelated site" },
    { origin: "null", kind: "an opaque origin: a sandboxed iframe or a data: URL" },
  ];
  const isIp = (h: string) => /^[\d.]+$/.test(h) || h.includes(":");
  let t = "";
  try {
    t = new URL(target).hostname;
  } catch {
    // parseProbeArgs checked it
  }
  let scheme = "https:";
  let port = "";
  let oh = "";
  if (origin !== "null") {
    const u = new URL(origin);
    scheme = u.protocol;
    port = u.port ? `:${u.port}` : "";
    oh = u.hostname;
  }
  const at = (host: string) => `${scheme}//${host}${port}`;
  if (t && !isIp(t)) {
    out.push({ origin: at(`${t}.evil.example`), kind: "the target's host name followed by an attacker's domain" });
    out.push({ origin: at(`evil${t}`), kind: "the target's host name preceded by an attacker's text" });
  }
  if (oh && !isIp(oh)) {
    const labels = oh.split(".");
    // The registrable domain (the real Public Suffix List): "evil-corp.co.uk", not "co.uk".
    const site = registrableDomain(oh);
    out.push({ origin: at(`${oh}.evil.example`), kind: "the origin's host name followed by an attacker's domain" });
    out.push({ origin: at(`evil${oh}`), kind: "the origin's host name preceded by an attacker's text" });
    if (site !== oh) {
      out.push({ origin: at(`${site}.evil.example`), kind: "the origin's site followed by an attacker's domain" });
      out.push({ origin: at(`evil${site}`), kind: "the origin's site preceded by an attacker's text" });
    }
    if (scheme === "https:") out.push({ origin: `http://${oh}${port}`, kind: "the http (unencrypted) version of the origin" });
    out.push(labels.length >= 3
      ? { origin: at(`evil-sibling.${labels.slice(1).join(".")}`), kind: "a sibling subdomain of the origin", sibling: true }
      : { origin: at(`evil.${oh}`), kind: "a subdomain of the origin", sibling: true });
    const first = oh.indexOf(".");
    const last = oh.lastIndexOf(".");
    if (first > 0) out.push({ origin: at(oh.slice(0, first) + "x" + oh.slice(first + 1)), kind: "a look-alike where an unescaped regex dot matches any character" });
    if (last > first) out.push({ origin: at(oh.slice(0, last) + "x" + oh.slice(last + 1)), kind: "a look-alike where an unescaped regex dot matches any character" });
  }
  const seen = new Set<string>([origin]);
  return out.filter((h) => (seen.has(h.origin) ? false : (seen.add(h.origin), true)));
}

function header(res: HttpResponse, name: string): string | null {
  const v = res.headers[name];
  if (v === undefined) return null;
  return (Array.isArray(v) ? v : [v]).map((x) => x.trim()).join(", ");
}

export interface AuditRun {
  findings: Finding[];
  hostile: Array<HostileResult & { trusted: boolean; error?: string }>;
  headerReflection: { header: string; credentials: boolean } | null;
}

async function auditProbe(s: Session, b: Browsed): Promise<AuditRun> {
  const o = s.opts;
  const method = normalizeMethod(o.method);
  const unsafe = corsUnsafeRequestHeaderNames(Object.fromEntries(o.headers));
  const results: AuditRun["hostile"] = [];
  // Side-effect free: an OPTIONS preflight and a GET per origin, never the request's own method, never cookies.
  for (const h of hostileOrigins(o.url, o.origin)) {
    const r: AuditRun["hostile"][number] = { origin: h.origin, kind: h.kind, sibling: h.sibling, acao: null, credentials: false, trusted: false };
    try {
      const pre = await sendLogged(s, "hostile-preflight", preflightRequest({ url: o.url, origin: h.origin, method: method === "GET" || method === "HEAD" ? "GET" : method, unsafeHeaders: unsafe }), h.origin);
      const get = await sendLogged(s, "hostile-request", { url: o.url, method: "GET", headers: [["accept", "*/*"], ["origin", h.origin], ["user-agent", UA]] }, h.origin);
      for (const res of [get, pre]) {
        const acao = header(res, "access-control-allow-origin");
        if (acao === h.origin) {
          r.acao = acao;
          r.credentials = r.credentials || header(res, "access-control-allow-credentials") === "true";
          r.trusted = true;
        } else if (r.acao === null) r.acao = acao;
      }
    } catch (e) {
      r.error = e instanceof Error ? e.message : String(e);
    }
    results.push(r);
  }
  let headerReflection: AuditRun["headerReflection"] = null;
  try {
    const acrh = [...new Set([...unsafe, PROBE_HEADER])].sort();
    const pre = await sendLogged(s, "header-probe", preflightRequest({ url: o.url, origin: o.origin, method: method === "GET" || method === "HEAD" ? "PUT" : method, unsafeHeaders: acrh }), o.origin);
    const acah = (header(pre, "access-control-allow-headers") ?? "").toLowerCase().split(",").map((x) => x.trim());
    if (acah.includes(PROBE_HEADER)) headerReflection = { header: PROBE_HEADER, credentials: header(pre, "access-control-allow-credentials") === "true" };
  } catch {
    // an unreachable header probe leaves the suspicion as it is
  }
  const evil = results.find((r) => r.origin === "https://evil.example");
  const opts: AuditOptions = {
    reflection: evil?.error ? undefined : evil?.trusted ? "confirmed" : "refuted",
    hostile: results.filter((r) => r.trusted),
    ...(headerReflection ? { headerReflection } : {}),
  };
  return { findings: audit(b.exchange, opts), hostile: results, headerReflection };
}

// ---- output --------------------------------------------------------------------------------------

const SEVERITY_LABEL = { high: "HIGH", medium: "MEDIUM", low: "LOW" } as const;

/** The audit's pointer to an allow-list, said the CLI's way: a Fix printed above, or the --stack option. */
function cliFix(fix: string, fixShown: boolean): string {
  return fix.replace(STACK_POINTER, fixShown ? "The Fix above is an exact allow-list for your stack." : "Add --stack NAME for your server's exact allow-list.");
}

function formatFindings(findings: Finding[], p: ReturnType<typeof painter>, fixShown: boolean): string {
  if (findings.length === 0) return `  ${p.green("no dangerous configuration found")}`;
  const out: string[] = [];
  const shown = new Set<string>();
  for (const f of findings) {
    const sev = f.severity === "high" ? p.red(p.bold("HIGH  ")) : f.severity === "medium" ? p.yellow("MEDIUM") : p.dim("LOW   ");
    out.push(`  ${sev} ${clean(f.title)}${f.suspected ? p.yellow(" (suspected)") : ""} ${p.dim(`[${f.id}]`)}`);
    // Several trusted hostile origins share one explanation and one fix: say them once (--json has all).
    if (f.id === "hostile-origin-trusted" && f.severity !== "medium" && shown.has(f.id)) continue;
    shown.add(f.id);
    out.push(`         ${clean(f.explanation)}`);
    out.push(p.dim(`         evidence: ${clean(f.evidence.header)}: ${clean(f.evidence.value ?? "(missing)")}`));
    out.push(`         fix: ${clean(cliFix(f.fix, fixShown))}`);
  }
  return out.join("\n");
}

function formatSent(sent: Sent[], p: ReturnType<typeof painter>): string {
  return sent.filter((x) => x.kind === "preflight" || x.kind === "request")
    .map((x) => p.dim(`  sent ${clean(x.method)} ${clean(x.url)} (Origin ${clean(x.origin)}) → ${x.status ?? "no answer"}`)).join("\n");
}

/** `cors-lens probe ...`. Never throws. */
export async function probe(argv: string[], io: CliIO, sendFn: SendFn = nodeSend): Promise<number> {
  const err = (line: string) => {
    io.stderr.write(`cors-lens: ${line}\n`);
    return 2;
  };
  try {
    let opts: ProbeOptions;
    try {
      opts = parseProbeArgs(argv);
    } catch (e) {
      if (e instanceof UsageError) return err(`${e.message}; see cors-lens probe --help`);
      throw e;
    }
    if (opts.help) {
      io.stdout.write(PROBE_USAGE.replace("{stacks}", stackIds().join(", ")));
      return 0;
    }
    const s: Session = { opts, sendFn, sent: [] };
    let b: Browsed;
    let auditRun: AuditRun | null = null;
    try {
      b = await browse(s);
      if (opts.audit) auditRun = await auditProbe(s, b);
    } catch (e) {
      if (e instanceof NetError) return err(`${clean(e.message)} [${e.net}]`);
      throw e;
    }
    const { exchange: ex, diagnosis: d } = b;
    const blocked = d.blocked;
    // A CI step can fail on a dangerous policy, not only on a blocked request.
    const high = auditRun?.findings.filter((f) => f.severity === "high").length ?? 0;
    const exit = blocked || high > 0 ? 1 : 0;
    if (opts.json) {
      let fix = null;
      if (opts.stack && d.blocked) {
        try {
          fix = generate(opts.stack, d, ex);
        } catch {
          fix = null;
        }
      }
      io.stdout.write(JSON.stringify({
        exchange: ex, diagnosis: d, ...(opts.stack ? { fix } : {}), requests: s.sent,
        ...(auditRun ? { audit: auditRun } : {}),
      }, null, 2) + "\n");
      return exit;
    }
    const color = opts.color && io.stdout.isTTY === true && !(io.env ?? {}).NO_COLOR;
    const p = painter(color);
    const blocks = [formatSent(s.sent, p), formatHuman(ex, d, p, opts.stack)];
    if (auditRun) {
      const trusted = auditRun.hostile.filter((h) => h.trusted).length;
      blocks.push(`${p.bold("Audit")} ${p.dim(`(${auditRun.hostile.length} hostile origins tried, ${trusted} trusted)`)}\n${formatFindings(auditRun.findings, p, !!opts.stack && d.blocked)}`);
    }
    const counts = auditRun ? (["high", "medium", "low"] as const).map((s) => [s, auditRun!.findings.filter((f) => f.severity === s).length] as const) : [];
    const audit = auditRun ? [`audit: ${counts.filter(([, n]) => n).map(([s, n]) => `${n} ${s}`).join(", ") || "no finding"}`] : [];
    blocks.push(p.dim(summaryLine([d], audit)));
    io.stdout.write(blocks.join("\n\n") + "\n");
    return exit;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return err(`internal error: ${clean(msg.split("\n")[0]!.slice(0, 300))}`);
  }
}
