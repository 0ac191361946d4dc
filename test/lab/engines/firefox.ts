// Firefox ESR as a CORS oracle: every lab run in real Firefox (puppeteer-core over WebDriver BiDi,
// launched by test/e2e/helpers/firefox.ts), its verdict read from its console. Firefox's CORS errors
// arrive as BiDi log.entryAdded (page.on("pageerror")); each is mapped to its reason key with
// Firefox's own en-US templates (security.properties in omni.ja), never with a hand-written list.
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import JSZip from "jszip";
import type { Page } from "puppeteer-core";
import { collectConsole, FIREFOX_PATH, launchFirefox, type ConsoleMessage, type Firefox } from "../../e2e/helpers/firefox";
import { exchangeAsSeen, type Run } from "../runner";
import type { Lab } from "../server";
import { keyOfHopUrl } from "../server";
import type { Exchange } from "../../../src/core/types";
import { BEGIN, END, pool, scriptExpression, specOf, type ScriptOutcome } from "./script";

export const SECURITY_PROPERTIES = "chrome/en-US/locale/en-US/global/security/security.properties";

/** One CORS message template of security.properties. */
export interface FirefoxTemplate {
  /** As in the file, e.g. "CORSMissingAllowOrigin2". */
  key: string;
  /** The key without its trailing version digit: "CORSMissingAllowOrigin". */
  reason: string;
  template: string;
  re: RegExp;
  /** Per capture group (in text order): the template argument it is (1-based) and its role. */
  groups: Array<{ arg: number; role: "url" | "status" | "value" }>;
}

/** The key without the version digit Firefox appends when a message changes. */
export function reasonOfKey(key: string): string {
  return key.replace(/\d+$/, "");
}

/** Parses security.properties text into CORS templates (every key starting with CORS). */
export function parseTemplates(properties: string): FirefoxTemplate[] {
  const out: FirefoxTemplate[] = [];
  for (const raw of properties.split("\n")) {
    const line = raw.trim();
    const m = /^(CORS\w+)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1]!;
    const template = m[2]!;
    const groups: FirefoxTemplate["groups"] = [];
    let source = "";
    let last = 0;
    let implicit = 0;
    const placeholder = /%(?:(\d+)\$)?S/g;
    for (let p = placeholder.exec(template); p; p = placeholder.exec(template)) {
      const before = template.slice(last, p.index);
      source += before.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      const arg = p[1] ? Number(p[1]) : ++implicit;
      const role = /Status code: $/.test(before) ? "status" : arg === 1 ? "url" : "value";
      groups.push({ arg, role });
      // A status is "200" or "(null)"; the rest may hold anything, even the template's own words.
      source += role === "status" ? "(\\S+?)" : "(.*?)";
      last = p.index + p[0].length;
    }
    source += template.slice(last).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    out.push({ key, reason: reasonOfKey(key), template, re: new RegExp(`^${source}$`, "s"), groups });
  }
  return out;
}

/** Why Firefox cannot serve as the oracle here, or null. */
export function firefoxMissing(): string | null {
  if (!existsSync(FIREFOX_PATH)) {
    return `Firefox not found at ${FIREFOX_PATH}: install Debian's "firefox-esr" (or point CORS_LENS_FIREFOX at a Firefox binary)`;
  }
  const omni = join(dirname(realpathSync(FIREFOX_PATH)), "omni.ja");
  if (!existsSync(omni)) return `${omni} not found: Firefox's en-US templates (security.properties) are read from it`;
  return null;
}

let templatesOnce: Promise<FirefoxTemplate[]> | null = null;

/** The CORS templates of the Firefox at FIREFOX_PATH (the omni.ja next to its binary). */
export function firefoxTemplates(): Promise<FirefoxTemplate[]> {
  templatesOnce ??= (async () => {
    const omni = join(dirname(realpathSync(FIREFOX_PATH)), "omni.ja");
    const zip = await JSZip.loadAsync(readFileSync(omni));
    const file = zip.file(SECURITY_PROPERTIES);
    if (!file) throw new Error(`${omni} has no ${SECURITY_PROPERTIES}`);
    const list = parseTemplates(await file.async("string"));
    if (list.length < 10) throw new Error(`${omni}: only ${list.length} CORS templates in ${SECURITY_PROPERTIES}`);
    return list;
  })();
  return templatesOnce;
}

/** A Firefox CORS console message, mapped to its template. */
export interface FirefoxCorsMessage {
  key: string;
  reason: string;
  url: string | null;
  status: number | null;
  /** The quoted value of the template (origin, token, header name), if it has one. */
  value: string | null;
  text: string;
}

const unquote = (s: string) => s.replace(/^‘(.*)’$/s, "$1");

export function matchMessage(templates: FirefoxTemplate[], text: string): FirefoxCorsMessage | null {
  for (const t of templates) {
    const hit = t.re.exec(text);
    if (!hit) continue;
    let url: string | null = null;
    let status: number | null = null;
    let value: string | null = null;
    t.groups.forEach((g, i) => {
      const v = unquote(hit[i + 1] ?? "");
      if (g.role === "url") url = v;
      else if (g.role === "status") status = /^\d+$/.test(v) ? Number(v) : null;
      else value ??= v;
    });
    return { key: t.key, reason: t.reason, url, status, value, text };
  }
  return null;
}

/** Looks like a CORS message whatever its wording (for catching texts no template matches). */
export function looksLikeCors(text: string): boolean {
  return /Cross-Origin Request (Blocked|Warning)|Same Origin Policy|CORS/.test(text);
}

export interface FirefoxVerdict {
  /** Firefox reported a CORS error for the run. */
  blocked: boolean;
  /** The reason key without its digit (e.g. "CORSMissingAllowOrigin"): the first CORS error other than the generic CORSDidNotSucceed. */
  reason: string | null;
  /** The security.properties key as written (e.g. "CORSMissingAllowOrigin2"). */
  key: string | null;
  /** "Status code: N" of the reason's message, where it has one. */
  status: number | null;
  /** The reason message's quoted value (origin, token, header), where it has one. */
  value: string | null;
  /** Every error-level message attributed to the run, in order. */
  raw: string[];
  /** The CORS messages among them, mapped. */
  messages: FirefoxCorsMessage[];
  /** CORS-looking error messages no template matched (must stay empty). */
  unmapped: string[];
  /** What the page script saw. */
  script: ScriptOutcome;
  /** The script failed without any CORS message. */
  networkError: string | null;
  /** Both console markers of the run arrived, so its messages are attributed. */
  marked: boolean;
}

export function firefoxVerdict(templates: FirefoxTemplate[], errors: string[], script: ScriptOutcome, marked = true): FirefoxVerdict {
  const messages: FirefoxCorsMessage[] = [];
  const unmapped: string[] = [];
  for (const text of errors) {
    const m = matchMessage(templates, text);
    if (m) messages.push(m);
    else if (looksLikeCors(text)) unmapped.push(text);
  }
  const errorsOnly = messages.filter((m) => !m.key.startsWith("CORSAllowHeaderFromPreflightDeprecation"));
  const reason = errorsOnly.find((m) => m.reason !== "CORSDidNotSucceed") ?? errorsOnly[0] ?? null;
  const blocked = reason !== null;
  return {
    blocked,
    reason: reason?.reason ?? null,
    key: reason?.key ?? null,
    status: reason?.status ?? null,
    value: reason?.value ?? null,
    raw: errors,
    messages,
    unmapped,
    script,
    networkError: !blocked && !script.ok ? (script.error ?? "failed") : null,
    marked,
  };
}

export interface EngineRunResult<V> {
  run: Run;
  verdict: V;
  /** The exchange as this engine lived it (the lab's log). */
  seen: Exchange;
}

export interface FirefoxOracleOptions {
  /** Tabs running at once. Default 8. */
  concurrency?: number;
  /** Milliseconds the page waits after the call before its END marker. Default 30. */
  settleMs?: number;
}

interface TabState {
  page: Page;
  messages: ConsoleMessage[];
  kind: string | null;
}

/** Runs every run in Firefox; returns its verdict per run (in the order of `runs`) and its version. */
export async function runFirefoxOracle(lab: Lab, runs: Run[], options: FirefoxOracleOptions = {}): Promise<{ version: string; results: EngineRunResult<FirefoxVerdict>[] }> {
  const templates = await firefoxTemplates();
  const settleMs = options.settleMs ?? 30;
  const ff: Firefox = await launchFirefox();
  try {
    const version = await ff.browser.version();
    const tabs: TabState[] = [];
    const tabFor = async (w: number): Promise<TabState> => {
      if (!tabs[w]) {
        const page = await ff.browser.newPage();
        tabs[w] = { page, messages: collectConsole(page), kind: null };
      }
      return tabs[w]!;
    };
    // Each run's messages: between its markers, then corrected by the hop URL's key where a message names one.
    const bracketed = new Map<string, { errors: string[]; script: ScriptOutcome; marked: boolean }>();
    const byKey = new Map(runs.map((r) => [r.key, r]));
    // Sandbox runs last, so that tabs rarely change page.
    const order = [...runs].sort((a, b) => Number(a.page === "sandbox") - Number(b.page === "sandbox"));
    await pool(order, options.concurrency ?? 8, async (run, w) => {
      lab.register(run.key, run.exchange);
      const tab = await tabFor(w);
      if (tab.kind !== run.page) {
        await tab.page.goto(`${lab.origin("app.example")}/${run.page === "sandbox" ? "sandbox" : "page"}.html?ff=${w}`, { waitUntil: "load" });
        tab.kind = run.page;
      }
      const from = tab.messages.length;
      let script: ScriptOutcome;
      try {
        script = (await tab.page.evaluate(scriptExpression(specOf(run), settleMs))) as ScriptOutcome;
      } catch (e) {
        script = { ok: false, error: `evaluate: ${String(e)}` };
      }
      // The END marker arrives over BiDi after the call returns; wait for it (bounded).
      const endText = END + run.id;
      const deadline = Date.now() + 3000;
      while (!tab.messages.slice(from).some((m) => m.text === endText) && Date.now() < deadline) await sleep(10);
      const slice = tab.messages.slice(from);
      const begin = slice.findIndex((m) => m.text === BEGIN + run.id);
      const end = slice.findIndex((m) => m.text === endText);
      const mine = slice.slice(begin < 0 ? 0 : begin + 1, end < 0 ? slice.length : end);
      bracketed.set(run.id, { errors: mine.filter((m) => m.level === "error" && !m.text.startsWith("@@cors-lens-")).map((m) => m.text), script, marked: begin >= 0 && end >= 0 });
    });
    // Re-attribute messages that name another run's hop URL (a late message in the next run's bracket).
    const errorsOf = new Map<string, string[]>(runs.map((r) => [r.id, []]));
    for (const run of runs) {
      for (const text of bracketed.get(run.id)?.errors ?? []) {
        const m = matchMessage(templates, text);
        const key = m?.url ? keyOfHopUrl(m.url) : null;
        const owner = key && byKey.has(key) ? byKey.get(key)! : run;
        errorsOf.get(owner.id)!.push(text);
      }
    }
    const results = runs.map((run) => ({
      run,
      verdict: firefoxVerdict(templates, errorsOf.get(run.id) ?? [], bracketed.get(run.id)?.script ?? { ok: false, error: "not run" },
        bracketed.get(run.id)?.marked ?? false),
      // Gecko's only case-sensitive read: the ACAO line count (nsCORSListenerProxy CheckOriginHeader).
      seen: exchangeAsSeen(run, lab.log(run.key), ["access-control-allow-origin"]),
    }));
    for (const t of tabs) await t?.page.close().catch(() => undefined);
    return { version, results };
  } finally {
    await ff.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
