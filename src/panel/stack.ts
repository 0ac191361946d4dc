// Which server stack the fix is written for: the user's remembered choice for that server, else a
// guess from the response's Server / X-Powered-By / Via headers, else the last choice, else Express.
import { headerValue, originOf } from "../core/fetch";
import { isStack } from "../core/fix/stack-list";
import type { Diagnosis, Exchange, Headers, Stack } from "../core/types";
import type { PanelPlatform } from "../platform/panel";

export interface StackGuess {
  stack: Stack;
  /** The header it was read from, as displayed ("Server", "X-Powered-By", …). */
  header: string;
  value: string;
}

type Rule = [RegExp, Stack];

// Most specific first: X-Powered-By names the application framework, Server often only the front proxy.
const POWERED_BY: Rule[] = [
  [/next\.js/i, "nextjs"],
  [/express/i, "express"],
  [/fastify/i, "fastify"],
  [/\bkoa\b/i, "koa"],
  [/asp\.net/i, "aspnet"],
  [/phusion passenger|\brails\b/i, "rails"],
  [/django/i, "django"],
  [/flask/i, "flask"],
  [/fastapi/i, "fastapi"],
  [/spring|servlet|jsp/i, "spring"],
];

const SERVER: Rule[] = [
  [/next\.js|vercel/i, "nextjs"],
  [/kestrel|microsoft-iis|microsoft-httpapi/i, "aspnet"],
  [/uvicorn|hypercorn|starlette/i, "fastapi"],
  [/daphne/i, "django"],
  [/gunicorn|werkzeug|waitress|wsgiserver/i, "flask"],
  [/puma|passenger|unicorn|webrick|thin\b|falcon/i, "rails"],
  [/tomcat|jetty|apache-coyote|undertow|netty/i, "spring"],
  [/caddy/i, "caddy"],
  [/openresty|nginx|tengine/i, "nginx"],
  [/apache/i, "apache"],
  [/cloudflare/i, "cloudflare"],
];

const HEADERS: Array<{ name: string; label: string; rules: Rule[] }> = [
  { name: "x-powered-by", label: "X-Powered-By", rules: POWERED_BY },
  { name: "server", label: "Server", rules: SERVER },
  { name: "x-aspnet-version", label: "X-AspNet-Version", rules: [[/./, "aspnet"]] },
  { name: "x-aspnetmvc-version", label: "X-AspNetMvc-Version", rules: [[/./, "aspnet"]] },
  { name: "x-nextjs-cache", label: "X-Nextjs-Cache", rules: [[/./, "nextjs"]] },
  { name: "x-runtime", label: "X-Runtime", rules: [[/^\d+(\.\d+)?$/, "rails"]] },
  { name: "via", label: "Via", rules: SERVER },
];

function guessFrom(headers: Headers): StackGuess | null {
  for (const { name, label, rules } of HEADERS) {
    const value = headerValue(headers, name);
    if (!value) continue;
    for (const [re, stack] of rules) {
      if (re.test(value)) return { stack, header: label, value: value.length > 80 ? value.slice(0, 79) + "…" : value };
    }
  }
  return null;
}

/** Guesses from the failing stage's response first, then every other recorded response. */
export function guessStack(ex: Exchange, d: Diagnosis): StackGuess | null {
  const records = [];
  const hop = d.hop !== null ? ex.hops[d.hop] : undefined;
  if (hop) records.push(d.stage === "preflight" ? hop.preflight : hop.response);
  for (const h of ex.hops) records.push(h.response, h.preflight);
  for (const r of records) {
    if (!r) continue;
    const g = guessFrom(r.headers);
    if (g) return g;
  }
  return null;
}

/** The server a fix is for: the origin of the failing hop (a redirect can move to another server). */
export function serverOrigin(ex: Exchange, d: Diagnosis): string {
  const url = (d.hop !== null ? ex.hops[d.hop]?.url : undefined) ?? ex.request.url;
  return originOf(url) ?? originOf(ex.request.url) ?? "";
}

// ---- Remembered choices (storage.local) ----

export const STACK_PREFS_KEY = "panel.stacks";

export interface StackPrefs {
  /** The stack chosen for each server origin. */
  byOrigin: Record<string, Stack>;
  last: Stack | null;
}

export const EMPTY_PREFS: StackPrefs = { byOrigin: {}, last: null };
const MAX_ORIGINS = 200;

export function readStackPrefs(x: unknown): StackPrefs {
  if (typeof x !== "object" || x === null) return EMPTY_PREFS;
  const o = x as { byOrigin?: unknown; last?: unknown };
  const byOrigin: Record<string, Stack> = {};
  if (typeof o.byOrigin === "object" && o.byOrigin !== null) {
    for (const [k, v] of Object.entries(o.byOrigin)) if (typeof v === "string" && isStack(v)) byOrigin[k] = v;
  }
  return { byOrigin, last: typeof o.last === "string" && isStack(o.last) ? o.last : null };
}

export async function loadStackPrefs(p: Pick<PanelPlatform, "storageGet">): Promise<StackPrefs> {
  try {
    return readStackPrefs((await p.storageGet([STACK_PREFS_KEY]))[STACK_PREFS_KEY]);
  } catch {
    return EMPTY_PREFS;
  }
}

export function withChoice(prefs: StackPrefs, origin: string, stack: Stack): StackPrefs {
  const byOrigin = { ...prefs.byOrigin };
  delete byOrigin[origin];
  byOrigin[origin] = stack;
  const keys = Object.keys(byOrigin);
  for (const k of keys.slice(0, Math.max(0, keys.length - MAX_ORIGINS))) delete byOrigin[k];
  return { byOrigin, last: stack };
}

export type StackReason =
  | { kind: "chosen" }
  | { kind: "guessed"; guess: StackGuess }
  | { kind: "last" }
  | { kind: "default" };

export function resolveStack(prefs: StackPrefs, origin: string, guess: StackGuess | null): { stack: Stack; reason: StackReason } {
  const chosen = Object.hasOwn(prefs.byOrigin, origin) ? prefs.byOrigin[origin] : undefined;
  if (chosen) return { stack: chosen, reason: { kind: "chosen" } };
  if (guess) return { stack: guess.stack, reason: { kind: "guessed", guess } };
  if (prefs.last) return { stack: prefs.last, reason: { kind: "last" } };
  return { stack: "express", reason: { kind: "default" } };
}
