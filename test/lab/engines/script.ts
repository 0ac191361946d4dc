// What a lab run does in the page, for engines driven without CDP (Firefox over BiDi, WebKitGTK from
// Python). The same calls as LabDriver.execute (test/lab/runner.ts) makes in Chromium: fetch, XHR or
// EventSource with the run's method, headers, body, credentials and mode. Kept as source text (not
// a function) so that no transform can slip helpers into what runs in the page.
import type { CredentialsMode } from "../../../src/core/types";
import type { Api, Run } from "../runner";

export interface PageSpec {
  /** The run id, for the console markers. */
  id: string;
  api: Api;
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | null;
  credentials: CredentialsMode;
  mode: "cors" | "same-origin" | "no-cors";
}

/** What the page script saw. */
export interface ScriptOutcome {
  ok: boolean;
  status?: number;
  error?: string;
}

/** Markers around a run in the console, so that messages can be attributed to it. */
export const BEGIN = "@@cors-lens-begin ";
export const END = "@@cors-lens-end ";

export function specOf(run: Run): PageSpec {
  return {
    id: run.id,
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
}

/**
 * The body of an async function of `args` (a PageSpec): logs BEGIN+id, makes the call, waits
 * `settleMs` for the engine's console messages about it, logs END+id, returns a ScriptOutcome.
 */
export function scriptBody(settleMs: number): string {
  return `
const s = args;
console.log(${JSON.stringify(BEGIN)} + s.id);
const outcome = await (async () => {
  if (s.api === "eventsource") {
    return new Promise((resolve) => {
      let es;
      try { es = new EventSource(s.url, { withCredentials: s.credentials === "include" }); }
      catch (e) { resolve({ ok: false, error: String(e) }); return; }
      const t = setTimeout(() => { es.close(); resolve({ ok: false, error: "EventSource: no event in 4 s" }); }, 4000);
      es.onopen = () => { clearTimeout(t); es.close(); resolve({ ok: true }); };
      es.onerror = () => { clearTimeout(t); es.close(); resolve({ ok: false, error: "EventSource error event" }); };
    });
  }
  if (s.api === "fetch") {
    try {
      const init = { method: s.method, headers: s.headers, credentials: s.credentials, mode: s.mode, signal: AbortSignal.timeout(10000) };
      if (s.body !== null) init.body = s.body;
      const r = await fetch(s.url, init);
      await r.arrayBuffer();
      return { ok: true, status: r.status };
    } catch (e) {
      return { ok: false, error: String(e) };
    }
  }
  return new Promise((resolve) => {
    const x = new XMLHttpRequest();
    try {
      x.open(s.method, s.url);
      x.withCredentials = s.credentials === "include";
      x.timeout = 10000;
      x.ontimeout = () => resolve({ ok: false, error: "XMLHttpRequest timeout" });
      for (const [n, v] of Object.entries(s.headers)) x.setRequestHeader(n, v);
      x.onload = () => resolve({ ok: true, status: x.status });
      x.onerror = () => resolve({ ok: false, error: "XMLHttpRequest error event" });
      x.send(s.body);
    } catch (e) {
      resolve({ ok: false, error: String(e) });
    }
  });
})();
await new Promise((r) => setTimeout(r, ${Math.max(0, Math.round(settleMs))}));
console.log(${JSON.stringify(END)} + s.id);
return outcome;
`;
}

/** The same, as an expression evaluating to the outcome (for page.evaluate). */
export function scriptExpression(spec: PageSpec, settleMs: number): string {
  return `(async (args) => {${scriptBody(settleMs)}})(${JSON.stringify(spec).replace(/</g, "\\u003c")})`;
}

/** Runs `work` over `items` with at most `concurrency` at once; worker w gets its index. */
export async function pool<T>(items: T[], concurrency: number, work: (item: T, worker: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, async (_, w) => {
    while (next < items.length) await work(items[next++]!, w);
  }));
}
