// The engine observations file (test/output/engine-observations.json) and its summaries: what
// Chromium, Firefox and WebKit each decided for every lab run, next to the exchange the lab played.
import { existsSync, readFileSync } from "node:fs";
import type { Exchange } from "../../../src/core/types";
import type { Run } from "../runner";
import type { EngineRunResult, FirefoxVerdict } from "./firefox";
import type { SafariVerdict, WebKitRunResult } from "./webkit";

/** Chromium's verdict, as the Chromium oracle wrote it (test/output/oracle-verdicts.json). */
export interface ChromeObservation {
  blocked: boolean;
  code: string | null;
  failedParameter: string | null;
  stage: string | null;
  hop: number | null;
  networkError: string | null;
  /** The port of the Chromium oracle's lab (failedParameter values hold it). */
  port: number | null;
}

export interface EngineObservation {
  id: string;
  scenario: string;
  group: string;
  api: string;
  credentials: string;
  page: string;
  /** The exchange as the lab played it (Firefox's run; WebKit's differs only in the run key). */
  exchange: Exchange;
  chrome?: ChromeObservation;
  firefox?: Omit<FirefoxVerdict, "messages"> & { messages: Array<{ key: string; status: number | null; value: string | null }>; seen: Exchange };
  safari?: SafariVerdict & { seen: Exchange };
}

export interface ObservationsFile {
  generated: string;
  port: number;
  engines: { chrome?: string; firefox?: string; safari?: string };
  /** Seconds each oracle took (launch included). */
  seconds: { firefox?: number; safari?: number };
  runs: number;
  results: EngineObservation[];
}

function portOf(url: string | undefined): number | null {
  try {
    return url ? Number(new URL(url).port) || null : null;
  } catch {
    return null;
  }
}

/** Chromium verdicts by run id, from the Chromium oracle's output, if it is there. */
export function readChromeVerdicts(file: string): { version: string; byId: Map<string, ChromeObservation>; seen: Map<string, Exchange> } | null {
  if (!existsSync(file)) return null;
  try {
    const j = JSON.parse(readFileSync(file, "utf8")) as { chromium: string; results: Array<{ id: string; browser: ChromeObservation; exchange: Exchange }> };
    return {
      version: j.chromium,
      /** The exchange as Chromium lived it (its run key and port). */
      seen: new Map(j.results.map((r) => [r.id, r.exchange])),
      byId: new Map(j.results.map((r) => [r.id, {
        blocked: r.browser.blocked, code: r.browser.code, failedParameter: r.browser.failedParameter,
        stage: r.browser.stage, hop: r.browser.hop, networkError: r.browser.networkError,
        port: portOf(r.exchange?.request?.url),
      }])),
    };
  } catch {
    return null;
  }
}

export function buildObservations(
  runs: Run[],
  firefox: EngineRunResult<FirefoxVerdict>[] | null,
  safari: WebKitRunResult[] | null,
  chrome: Map<string, ChromeObservation> | null,
): EngineObservation[] {
  const ff = new Map(firefox?.map((r) => [r.run.id, r]) ?? []);
  const wk = new Map(safari?.map((r) => [r.run.id, r]) ?? []);
  return runs.map((run) => {
    const f = ff.get(run.id);
    const s = wk.get(run.id);
    const c = chrome?.get(run.id);
    return {
      id: run.id, scenario: run.scenario, group: run.group, api: run.api, credentials: run.credentials, page: run.page,
      exchange: run.exchange,
      ...(c ? { chrome: c } : {}),
      ...(f ? { firefox: { ...f.verdict, messages: f.verdict.messages.map((m) => ({ key: m.key, status: m.status, value: m.value })), seen: f.seen } } : {}),
      ...(s ? { safari: { ...s.verdict, seen: s.seen } } : {}),
    };
  });
}

/** A message with the run's port and key replaced, so that runs can be compared: ":PORT", "/s/KEY/". */
export function normalizeMessage(text: string, port: number): string {
  return text.split(`:${port}`).join(":PORT").replace(/\/s\/[A-Za-z0-9._~-]+\//g, "/s/KEY/")
    // The oracles' own tab/host numbers in the page URL.
    .replace(/\/(page|sandbox)\.html\?(ff|wk)=\d+/g, "/$1.html");
}

const VARIANT_LABEL: Record<string, string> = {
  "fetch omit": "fo", "fetch include": "fi", "fetch same-origin": "fs",
  "xhr same-origin": "xs", "xhr include": "xi", "eventsource same-origin": "es", "eventsource include": "ei",
};

/** One cell: the value when every variant agrees, else "fo,xs: a; fi,xi: b". */
function cell(values: Array<[string, string]>): string {
  const by = new Map<string, string[]>();
  for (const [variant, v] of values) by.set(v, [...(by.get(v) ?? []), variant]);
  if (by.size === 1) return [...by.keys()][0]!;
  return [...by.entries()].map(([v, vs]) => `${vs.join(",")}: ${v}`).join("; ");
}

const md = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
const short = (s: string, n = 160) => (s.length > n ? `${s.slice(0, n)}…` : s);

export function chromeCell(c: ChromeObservation | undefined): string {
  if (!c) return "?";
  const param = c.failedParameter && c.port ? normalizeMessage(c.failedParameter, c.port) : c.failedParameter;
  if (c.blocked) return `${c.code}${param ? ` (${short(param, 50)})` : ""}`;
  return c.networkError ? `not CORS: ${c.networkError}` : "—";
}

export function firefoxCell(f: EngineObservation["firefox"], port: number): string {
  if (!f) return "?";
  const value = f.value === null ? "" : ` ‘${short(normalizeMessage(f.value, port), 50)}’`;
  if (f.blocked) return `${f.reason}${f.status !== null ? ` ${f.status}` : ""}${value}`;
  return f.networkError ? `not CORS: ${short(normalizeMessage(f.raw[0] ?? f.networkError, port), 90)}` : "—";
}

export function safariCell(s: EngineObservation["safari"], port: number): string {
  if (!s) return "?";
  if (s.blocked) return short(normalizeMessage(s.message ?? "?", port), 300);
  return s.networkError ? `failed, no message: ${s.networkError}` : "—";
}

/** The Markdown table: one row per scenario, a cell per engine (variants split when they differ). */
export function engineTable(results: EngineObservation[], port: number, header: string): string {
  // Scenarios by group (in the order groups first appear), then in their own order.
  const byGroup = new Map<string, Map<string, EngineObservation[]>>();
  for (const r of results) {
    let g = byGroup.get(r.group);
    if (!g) byGroup.set(r.group, (g = new Map()));
    g.set(r.scenario, [...(g.get(r.scenario) ?? []), r]);
  }
  const byScenario = new Map([...byGroup.values()].flatMap((g) => [...g.entries()]));
  const out = [header, "",
    "Variants: fo = fetch credentials omit, fi = fetch include, xs = XHR withCredentials false, xi = XHR withCredentials true.",
    "\"—\" = not blocked. Chrome: CDP corsError (failedParameter). Firefox: reason key of security.properties without its version digit,",
    "then its \"Status code\" and its quoted value (‘…’) when the message has them.",
    "Safari: WebKit's console message (PORT = the lab's port, KEY = the run key).", ""];
  let group = "";
  for (const [scenario, rs] of byScenario) {
    if (rs[0]!.group !== group) {
      group = rs[0]!.group;
      out.push("", `### ${group}`, "", "| scenario | chrome code | firefox reason | safari message |", "|---|---|---|---|");
    }
    const v = (r: EngineObservation) => VARIANT_LABEL[`${r.api} ${r.credentials}`] ?? `${r.api}/${r.credentials}`;
    out.push(`| ${md(scenario.slice(group.length + 1) || scenario)} | ${md(cell(rs.map((r) => [v(r), chromeCell(r.chrome)])))} | ` +
      `${md(cell(rs.map((r) => [v(r), firefoxCell(r.firefox, port)])))} | ${md(cell(rs.map((r) => [v(r), safariCell(r.safari, port)])))} |`);
  }
  return out.join("\n") + "\n";
}

/** Per engine: runs, blocked, distinct reasons / messages (normalized). */
export function engineCounts(results: EngineObservation[], port: number): Record<string, { runs: number; blocked: number; distinct: Record<string, number> }> {
  const out: Record<string, { runs: number; blocked: number; distinct: Record<string, number> }> = {};
  const add = (engine: string, blocked: boolean, what: string | null) => {
    const e = (out[engine] ??= { runs: 0, blocked: 0, distinct: {} });
    e.runs++;
    if (blocked) {
      e.blocked++;
      const k = what ?? "?";
      e.distinct[k] = (e.distinct[k] ?? 0) + 1;
    }
  };
  for (const r of results) {
    if (r.chrome) add("chrome", r.chrome.blocked, r.chrome.code);
    if (r.firefox) add("firefox", r.firefox.blocked, r.firefox.reason);
    if (r.safari) add("safari", r.safari.blocked, r.safari.message === null ? null : normalizeMessage(r.safari.message, port));
  }
  return out;
}

/** Runs where the engines' blocked verdicts differ: id -> {chrome, firefox, safari} cells. */
export function blockedDisagreements(results: EngineObservation[], port: number): Array<{ id: string; chrome: string; firefox: string; safari: string }> {
  const out: Array<{ id: string; chrome: string; firefox: string; safari: string }> = [];
  for (const r of results) {
    const verdicts = [r.chrome?.blocked, r.firefox?.blocked, r.safari?.blocked].filter((b): b is boolean => b !== undefined);
    if (new Set(verdicts).size > 1) out.push({ id: r.id, chrome: chromeCell(r.chrome), firefox: firefoxCell(r.firefox, port), safari: safariCell(r.safari, port) });
  }
  return out;
}
