// Runs lab scenarios in a real Chromium and reads the browser's own verdict from CDP
// (Network.loadingFailed.corsErrorStatus). Nothing here knows what the verdict should be.
import { randomBytes } from "node:crypto";
import type { Browser, CDPSession, Page } from "puppeteer-core";
import type { CredentialsMode, Exchange, Headers, Hop, ResponseRecord, Stage } from "../../src/core/types";
import type { Kit, PageKind, Scenario } from "../scenarios/kit";
import type { Lab, LabLogEntry } from "./server";

export type Api = "fetch" | "xhr" | "eventsource";

export interface Run {
  /** "<scenario> <api> <credentials>", unique. */
  id: string;
  /** The lab key: unique per run, so no preflight cache entry is ever reused. */
  key: string;
  scenario: string;
  group: string;
  api: Api;
  credentials: CredentialsMode;
  page: PageKind;
  /** The request body the script sends, if any. */
  body: string | null;
  /** The exchange as the lab plays it: every hop, header names as written. */
  exchange: Exchange;
}

export interface CorsErrorStatus {
  corsError: string;
  failedParameter: string;
}

/** What the browser did with one run. */
export interface Observation {
  /** What the page script saw. */
  script: { ok: boolean; status?: number; error?: string };
  requestId: string | null;
  /** URLs the request went to, per CDP (first, then each redirect target). */
  urls: string[];
  /** Network.loadingFailed.errorText, null when the load finished. */
  errorText: string | null;
  corsErrorStatus: CorsErrorStatus | null;
  /** Whether CDP reported loadingFinished or loadingFailed for the request. */
  settled: boolean;
}

/** The browser's verdict, in the terms of the project's Diagnosis. */
export interface BrowserVerdict {
  blocked: boolean;
  stage: Stage | null;
  hop: number | null;
  code: string | null;
  failedParameter: string | null;
  /** A failure that is not CORS (errorText without corsErrorStatus). */
  networkError: string | null;
  /** Per hop the browser reached: whether it sent the preflight and the actual request. */
  reached: Array<{ preflight: boolean; actual: boolean }>;
}

export interface RunResult {
  run: Run;
  observation: Observation;
  log: LabLogEntry[];
  verdict: BrowserVerdict;
  /** The exchange as the browser lived it (reached hops only): the input for diagnose(). */
  seen: Exchange;
  /** The tab (of its page kind) the run ran in. */
  slot: number;
}

/** Codes whose name says they concern the preflight response. */
const PREFLIGHT_CODES = new Set([
  "InvalidAllowMethodsPreflightResponse",
  "InvalidAllowHeadersPreflightResponse",
  "MethodDisallowedByPreflightResponse",
  "HeaderDisallowedByPreflightResponse",
]);
/** Codes about the request itself, not about any response. */
const REQUEST_CODES = new Set(["DisallowedByMode", "CorsDisabledScheme"]);
/** Statuses Chromium follows (a 300 with Location is delivered to the page, not followed). */
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Whether our failed parameter is Chromium's. With several request headers not allowed, Chromium
 * names one in an order the exchange does not show (measured: neither the script's order nor sorted,
 * docs/differences.md); ours lists them all (`disallowedHeaders`), and Chromium's must be one.
 */
export function sameFailedParameter(browser: string | null, ours: { failedParameter: string | null; disallowedHeaders?: string[] }): boolean {
  if ((browser ?? "") === (ours.failedParameter ?? "")) return true;
  return browser !== null && (ours.disallowedHeaders?.includes(browser) ?? false);
}

export function isPreflightCode(code: string): boolean {
  return code.startsWith("Preflight") || PREFLIGHT_CODES.has(code);
}

export function randomNonce(): string {
  return randomBytes(4).toString("hex");
}

/** Header lines -> the project's Headers (lower-case names, repeated lines as arrays, in order). */
export function linesToHeaders(lines: Array<[string, string]>, keepCaseOf: readonly string[] = []): Headers {
  const out: Headers = {};
  for (const [name, value] of lines) {
    const n = keepCaseOf.includes(name.toLowerCase()) ? name : name.toLowerCase();
    const prev = out[n];
    out[n] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

export function kitFor(lab: Lab, key: string, page: PageKind): Kit {
  const app = lab.origin("app.example");
  return {
    port: lab.port,
    origin: page === "sandbox" ? "null" : app,
    app,
    api: lab.origin("api.example"),
    other: lab.origin("other.example"),
    url: (i, host = "api.example") => lab.hopUrl(key, i, host),
  };
}

export interface PlanOptions {
  /** Credentials modes for fetch runs. Default omit and include. */
  fetchCredentials?: CredentialsMode[];
  /** Whether to run scenarios marked `xhr` through XMLHttpRequest too. Default true. */
  xhr?: boolean;
  /**
   * Whether to run every scenario an EventSource can make (GET, cors mode, no script header, no
   * body) through EventSource too, withCredentials false ("same-origin") and true ("include").
   */
  eventSource?: boolean;
  nonce?: string;
}

/** An EventSource can only GET in cors mode, without script headers or a body. */
export function isEventSourceScenario(s: Scenario): boolean {
  const r = s.request ?? {};
  return (r.method ?? "GET") === "GET" && (r.mode ?? "cors") === "cors" && !r.body && Object.keys(r.headers ?? {}).length === 0;
}

/** One run per scenario x credentials mode (fetch), plus XHR runs (without and with credentials). */
export function planRuns(list: Scenario[], lab: Lab, options: PlanOptions = {}): Run[] {
  const nonce = options.nonce ?? randomNonce();
  const runs: Run[] = [];
  list.forEach((scenario, index) => {
    const variants: Array<[Api, CredentialsMode]> = (options.fetchCredentials ?? ["omit", "include"]).map((c) => ["fetch", c]);
    // XHR: withCredentials false is credentials mode "same-origin"; true is "include".
    if (scenario.xhr && options.xhr !== false) variants.push(["xhr", "same-origin"], ["xhr", "include"]);
    if (options.eventSource && isEventSourceScenario(scenario)) variants.push(["eventsource", "same-origin"], ["eventsource", "include"]);
    for (const [api, credentials] of variants) {
      const key = `${index}${api[0]}${credentials[0]}-${nonce}`;
      const page = scenario.page ?? "app";
      const kit = kitFor(lab, key, page);
      const hops = scenario.hops(kit);
      const req = scenario.request ?? {};
      const headers: Headers = {};
      for (const [n, v] of Object.entries(req.headers ?? {})) headers[n.toLowerCase()] = v;
      const first = hops[0];
      if (!first) throw new Error(`scenario ${scenario.name} has no hops`);
      runs.push({
        id: `${scenario.name} ${api} ${credentials}`,
        key,
        scenario: scenario.name,
        group: scenario.group,
        api,
        credentials,
        page,
        body: req.body ?? null,
        exchange: {
          id: key,
          request: { url: first.url, method: req.method ?? "GET", origin: kit.origin, credentials, mode: req.mode ?? "cors", headers },
          hops,
        },
      });
    }
  });
  return runs;
}

function servedRecord(entry: LabLogEntry | undefined, keepCaseOf: readonly string[] = []): ResponseRecord | null {
  return entry ? { status: entry.response.status, headers: linesToHeaders(entry.response.headers, keepCaseOf) } : null;
}

/** The hops the browser reached, from the lab's log. */
export function reachedHops(log: LabLogEntry[]): Array<{ preflight: LabLogEntry | undefined; actual: LabLogEntry | undefined }> {
  let last = -1;
  for (const e of log) if (e.hop !== null && e.hop > last) last = e.hop;
  const out: Array<{ preflight: LabLogEntry | undefined; actual: LabLogEntry | undefined }> = [];
  for (let i = 0; i <= last; i++) {
    const at = log.filter((e) => e.hop === i);
    out.push({ preflight: at.filter((e) => e.preflight).at(-1), actual: at.filter((e) => !e.preflight).at(-1) });
  }
  return out;
}

/**
 * The exchange as the browser lived it: only the hops it reached, with what the lab served. Header
 * names are lower-cased, as every capture path records them, except those in `keepCaseOf`, which
 * keep the spelling the lab sent (Firefox counts Access-Control-Allow-Origin lines by their exact
 * name: see geckoAcaoLineCount in src/core/engines.ts).
 */
export function exchangeAsSeen(run: Run, log: LabLogEntry[], keepCaseOf: readonly string[] = []): Exchange {
  const reached = reachedHops(log);
  const hops: Hop[] = reached.map((r, i) => ({
    url: run.exchange.hops[i]?.url ?? "",
    preflight: servedRecord(r.preflight, keepCaseOf),
    response: servedRecord(r.actual, keepCaseOf),
  }));
  if (hops.length === 0) hops.push({ url: run.exchange.request.url, preflight: null, response: null });
  return { id: run.exchange.id, request: { ...run.exchange.request, headers: { ...run.exchange.request.headers } }, hops };
}

function isRedirect(record: ResponseRecord | null): boolean {
  return record !== null && REDIRECT_STATUSES.has(record.status) && record.headers.location !== undefined;
}

/**
 * The browser's verdict. Stage: the code names preflight-ness itself; otherwise, when the last
 * hop the browser requested answered a redirect, "redirect"; DisallowedByMode and
 * CorsDisabledScheme with no redirect involved, "request"; else "actual".
 */
export function deriveVerdict(observation: Observation, log: LabLogEntry[]): BrowserVerdict {
  const reached = reachedHops(log);
  const summary = reached.map((r) => ({ preflight: r.preflight !== undefined, actual: r.actual !== undefined }));
  const cors = observation.corsErrorStatus;
  if (!cors) {
    return {
      blocked: false, stage: null, hop: null, code: null, failedParameter: null,
      networkError: observation.errorText ?? (observation.settled ? null : "no network request observed"),
      reached: summary,
    };
  }
  const last = reached.length - 1;
  const lastResponse = last >= 0 ? servedRecord(reached[last]!.actual) : null;
  let stage: Stage;
  if (isPreflightCode(cors.corsError)) stage = "preflight";
  else if (isRedirect(lastResponse)) stage = "redirect";
  else if (REQUEST_CODES.has(cors.corsError)) stage = "request";
  else stage = "actual";
  return {
    blocked: true,
    stage,
    hop: last >= 0 ? last : 0,
    code: cors.corsError,
    failedParameter: cors.failedParameter,
    networkError: null,
    reached: summary,
  };
}

interface Tab {
  page: Page;
  cdp: CDPSession;
}

interface Track {
  requestId: string;
  urls: string[];
  settled?: { errorText: string | null; corsErrorStatus: CorsErrorStatus | null };
  wake?: () => void;
}

interface PageSpec {
  api: Api;
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | null;
  credentials: CredentialsMode;
  mode: "cors" | "same-origin" | "no-cors";
}

export interface DriverOptions {
  settleTimeoutMs?: number;
  /** Tabs per page kind; runs are spread over them (runAll). Default 1. */
  tabsPerKind?: number;
  /**
   * Called once per tab after its page first loaded (at a URL unique to the tab); when given, the
   * page is loaded again afterwards, so that whatever the hook set up (e.g. a CORS panel for the
   * tab) is in place before the page that makes the requests loads.
   */
  setup?: (page: Page, kind: PageKind, slot: number) => Promise<void>;
}

/** Drives tabs per page kind; correlates CDP events with runs by their unique first URL. */
export class LabDriver {
  private tabs = new Map<string, Promise<Tab>>();
  private byUrl = new Map<string, Track>();
  private byId = new Map<string, Track>();
  private urlWaiters = new Map<string, () => void>();
  private settleTimeoutMs: number;
  readonly tabsPerKind: number;

  constructor(private browser: Browser, private lab: Lab, options: number | DriverOptions = {}) {
    const o = typeof options === "number" ? { settleTimeoutMs: options } : options;
    this.settleTimeoutMs = o.settleTimeoutMs ?? 5000;
    this.tabsPerKind = Math.max(1, o.tabsPerKind ?? 1);
    this.setup = o.setup;
  }

  private setup: DriverOptions["setup"];

  private tab(kind: PageKind, slot = 0): Promise<Tab> {
    const k = `${kind}#${slot % this.tabsPerKind}`;
    let tab = this.tabs.get(k);
    if (!tab) {
      tab = this.openTab(kind, slot % this.tabsPerKind);
      this.tabs.set(k, tab);
    }
    return tab;
  }

  /** The tab's page (for reading its state after the runs). */
  async page(kind: PageKind, slot = 0): Promise<Page> {
    return (await this.tab(kind, slot)).page;
  }

  private async openTab(kind: PageKind, slot: number): Promise<Tab> {
    const page = await this.browser.newPage();
    const cdp = await page.createCDPSession();
    cdp.on("Network.requestWillBeSent", (e) => {
      if (e.type === "Preflight" || e.initiator.type === "preflight") return;
      // A redirect keeps the requestId. Usually the event carries redirectResponse, but when
      // Blink itself refuses the redirect (e.g. mode same-origin) it does not.
      const known = this.byId.get(e.requestId);
      if (known || e.redirectResponse) {
        known?.urls.push(e.request.url);
        return;
      }
      if (this.byUrl.has(e.request.url)) return;
      const t: Track = { requestId: e.requestId, urls: [e.request.url] };
      this.byUrl.set(e.request.url, t);
      this.byId.set(e.requestId, t);
      this.urlWaiters.get(e.request.url)?.();
    });
    const settle = (requestId: string, errorText: string | null, corsErrorStatus: CorsErrorStatus | null) => {
      const t = this.byId.get(requestId);
      if (!t || t.settled) return;
      t.settled = { errorText, corsErrorStatus };
      t.wake?.();
    };
    cdp.on("Network.loadingFinished", (e) => settle(e.requestId, null, null));
    cdp.on("Network.loadingFailed", (e) =>
      settle(
        e.requestId,
        // Blink's own blocks (e.g. a same-origin-mode redirect to another origin) come with an
        // empty errorText and a blockedReason.
        e.errorText || (e.blockedReason ? `blocked:${e.blockedReason}` : "failed"),
        e.corsErrorStatus ? { corsError: e.corsErrorStatus.corsError, failedParameter: e.corsErrorStatus.failedParameter } : null,
      ),
    );
    await cdp.send("Network.enable");
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    const url = `${this.lab.origin("app.example")}/${kind === "sandbox" ? "sandbox" : "page"}.html?tab=${slot}`;
    await page.goto(url);
    if (this.setup) {
      await this.setup(page, kind, slot);
      await page.goto(url);
    }
    return { page, cdp };
  }

  /** Opens the tabs for these page kinds up front. */
  async prepare(kinds: Iterable<PageKind>): Promise<void> {
    const all: Array<Promise<Tab>> = [];
    for (const k of new Set(kinds)) for (let i = 0; i < this.tabsPerKind; i++) all.push(this.tab(k, i));
    await Promise.all(all);
  }

  async execute(run: Run, slot = 0): Promise<Observation> {
    this.lab.register(run.key, run.exchange);
    const { page } = await this.tab(run.page, slot);
    const spec: PageSpec = {
      api: run.api,
      url: run.exchange.request.url,
      method: run.exchange.request.method,
      headers: Object.fromEntries(
        Object.entries(run.exchange.request.headers).map(([n, v]) => [n, Array.isArray(v) ? v.join(", ") : v]),
      ),
      body: run.body,
      credentials: run.credentials,
      mode: run.exchange.request.mode,
    };
    const script = await page.evaluate(async (s: PageSpec) => {
      if (s.api === "eventsource") {
        // Closed at the first event either way: an EventSource reconnects after a network error.
        return new Promise<{ ok: boolean; status?: number; error?: string }>((resolve) => {
          let es: EventSource;
          try {
            es = new EventSource(s.url, { withCredentials: s.credentials === "include" });
          } catch (e) {
            resolve({ ok: false, error: String(e) });
            return;
          }
          const t = setTimeout(() => { es.close(); resolve({ ok: false, error: "EventSource: no event in 4 s" }); }, 4000);
          es.onopen = () => { clearTimeout(t); es.close(); resolve({ ok: true }); };
          es.onerror = () => { clearTimeout(t); es.close(); resolve({ ok: false, error: "EventSource error event" }); };
        });
      }
      if (s.api === "fetch") {
        try {
          // A call that never settles must end the run, not the whole suite (it shows as a mismatch).
          const init: RequestInit = { method: s.method, headers: s.headers, credentials: s.credentials, mode: s.mode, signal: AbortSignal.timeout(10_000) };
          if (s.body !== null) init.body = s.body;
          const r = await fetch(s.url, init);
          await r.arrayBuffer();
          return { ok: true, status: r.status };
        } catch (e) {
          return { ok: false, error: String(e) };
        }
      }
      return new Promise<{ ok: boolean; status?: number; error?: string }>((resolve) => {
        const x = new XMLHttpRequest();
        try {
          x.open(s.method, s.url);
          x.withCredentials = s.credentials === "include";
          x.timeout = 10_000;
          x.ontimeout = () => resolve({ ok: false, error: "XMLHttpRequest timeout" });
          for (const [n, v] of Object.entries(s.headers)) x.setRequestHeader(n, v);
          x.onload = () => resolve({ ok: true, status: x.status });
          x.onerror = () => resolve({ ok: false, error: "XMLHttpRequest error event" });
          x.send(s.body);
        } catch (e) {
          resolve({ ok: false, error: String(e) });
        }
      });
    }, spec);

    const track = await this.waitForTrack(spec.url);
    if (track && !track.settled) {
      await new Promise<void>((wake) => {
        const timer = setTimeout(wake, this.settleTimeoutMs);
        track.wake = () => {
          clearTimeout(timer);
          wake();
        };
      });
    }
    return {
      script,
      requestId: track?.requestId ?? null,
      urls: track?.urls ?? [],
      errorText: track?.settled?.errorText ?? null,
      corsErrorStatus: track?.settled?.corsErrorStatus ?? null,
      settled: track?.settled !== undefined,
    };
  }

  /** The CDP track of the request first sent to `url`; waits briefly, as CDP events may lag the page. */
  private async waitForTrack(url: string): Promise<Track | undefined> {
    const now = this.byUrl.get(url);
    if (now) return now;
    await new Promise<void>((wake) => {
      const timer = setTimeout(wake, 1000);
      this.urlWaiters.set(url, () => {
        clearTimeout(timer);
        wake();
      });
    });
    this.urlWaiters.delete(url);
    return this.byUrl.get(url);
  }

  async close(): Promise<void> {
    for (const tab of this.tabs.values()) {
      const t = await tab.catch(() => null);
      await t?.page.close().catch(() => undefined);
    }
  }
}

/** Runs everything with bounded concurrency and derives each verdict from CDP + the lab log. */
export async function runAll(driver: LabDriver, lab: Lab, runs: Run[], concurrency = 8): Promise<RunResult[]> {
  await driver.prepare(runs.map((r) => r.page));
  const results: RunResult[] = new Array(runs.length);
  let next = 0;
  const worker = async (_: unknown, w: number) => {
    while (next < runs.length) {
      const i = next++;
      const run = runs[i]!;
      const slot = w % driver.tabsPerKind;
      const observation = await driver.execute(run, slot);
      const log = lab.log(run.key);
      results[i] = { run, observation, log, verdict: deriveVerdict(observation, log), seen: exchangeAsSeen(run, log), slot };
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, runs.length) }, worker));
  return results;
}
