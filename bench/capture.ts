// B2: capture. N requests' webRequest event sequences (bench/corpus.ts: simple, preflighted,
// redirected, blocked at every stage, network errors) replayed into the background's real Engine
// through the one browser seam, the test fake (test/fakes/browser.ts): its
// listener sets, filters, storage.session (serialized at set(), answered asynchronously) and timers.
// Events are dispatched to the engine's registered handlers as the fake's emit() does (same filter
// matching), their details round-tripped through JSON beforehand, outside the timing.
//
// Timed: dispatching every event, the fake clock's timers, and a macrotask turn per request (so
// the store's writes run as they would). Not timed: building the events. Baseline, same events,
// same process: toRecord() alone (src/background/records.ts), the copy of the raw details into a record that
// every listener call starts with: the ratio says what the rest of the engine costs on top of it.
// Rates use the process's CPU time (process.cpuUsage), which another process's load on a shared
// machine does not stretch; the wall-time rate is kept alongside.
// Heap: heapUsed after a full GC (node --expose-gc) at checkpoints, minus the same before the
// engine started. The fake's storage.session values are kept off the V8 heap (they live in the
// browser process in Chromium) and reported separately.
import { Engine } from "../src/background/engine";
import { toRecord } from "../src/background/records";
import type { RawRequestDetails, WebRequestEvent } from "../src/platform/background";
import { MSG, PORT_NAME } from "../src/shared/protocol";
import { LISTENED_EVENTS } from "../src/shared/web-request";
import { FakeBrowser } from "../test/fakes/browser";
import { cpuMs } from "./classifier";
import { APP, eventsFor, templates, type RawEvent } from "./corpus";

export interface CaptureCheckpoint {
  requests: number;
  events: number;
  /** heapUsed after GC minus the baseline, MB (null without --expose-gc): the background's retained heap. */
  heapMB: number | null;
  /** storage.session in use as Chrome counts it against its 10 MiB quota (key + value size; the fake's bytesInUse), MB: kept off the V8 heap, as Chromium keeps it in the browser process. */
  storageMB: number;
  stored: number;
}

export interface CaptureResult {
  bench: "B2";
  requests: number;
  events: number;
  tabs: number;
  limit: number;
  /** storage.session writes that failed (the quota): must be 0. */
  storageErrors: number;
  /** Events per second through the real handlers (dispatch, timers, storage writes). */
  eventsPerSec: number;
  /** The same in wall time. */
  wallEventsPerSec: number;
  /** Baseline: toRecord() alone over the same events (the conversion every listener call starts with). */
  baselinePerSec: number;
  /** eventsPerSec / baselinePerSec. */
  ratio: number;
  /** Where the timed part went, wall µs per event: the handlers, the fake clock's due timers (store writes are scheduled there), the macrotask turn (storage writes, microtasks). */
  split: { dispatch: number; timers: number; turn: number };
  checkpoints: CaptureCheckpoint[];
  /** Retained heap after the last request and a minute of quiet (every timer run), MB. */
  quietMB: number | null;
  /** Entries the store holds per tab at the end, and the dropped counts. */
  storedPerTab: number[];
  droppedPerTab: number[];
  blockedStored: number;
  gc: boolean;
}

type Gc = () => void;

function heapAfterGc(gc: Gc | undefined): number | null {
  if (!gc) return null;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

export async function runCapture(opts: {
  requests: number; checkpoints?: number[]; tabs?: number; chunk?: number; limit?: number; templates?: number;
  /** Called with the engine at the end (the smoke test reads its store). */
  inspect?: (engine: Engine) => Promise<void>;
}): Promise<CaptureResult> {
  const N = opts.requests;
  const tabs = opts.tabs ?? 3;
  const chunk = opts.chunk ?? 2000;
  const checkpoints = new Set((opts.checkpoints ?? [10_000, 25_000, 50_000, 100_000]).filter((c) => c <= N));
  checkpoints.add(N);
  const gc = (globalThis as { gc?: Gc }).gc;
  const tpl = templates(opts.templates ?? 4 * 338);

  const w = new FakeBrowser();
  // storage.session's values live in Chromium's browser process, not in the worker's heap: the
  // fake's serialized values are kept in Buffers (off the V8 heap), so heapUsed is the worker's own.
  const offHeap = new Map<string, Buffer>();
  (w.session as unknown as { data: Pick<Map<string, string>, "get" | "set" | "delete" | "keys"> }).data = {
    get: (k: string) => offHeap.get(k)?.toString("utf8"),
    set(k: string, v: string) { offHeap.set(k, Buffer.from(v, "utf8")); return this as unknown as Map<string, string>; },
    delete: (k: string) => offHeap.delete(k),
    keys: () => offHeap.keys(),
  };
  const heap0 = heapAfterGc(gc);
  const engine = new Engine(w.platform(), opts.limit ? { limit: opts.limit } : {});
  await engine.start();
  for (let t = 1; t <= tabs; t++) w.navigate(t, `${APP}/`);
  await engine.idle();
  const limit = opts.limit ?? 10_000;
  // The engine logs a failed storage write (the quota) and carries on: count them.
  let storageErrors = 0;
  const warn = console.warn;
  console.warn = (...a: unknown[]) => { if (String(a[0]).includes("storage")) storageErrors++; else warn(...a); };

  const life = w.current!;
  const dispatch = (event: WebRequestEvent, d: RawRequestDetails) => {
    for (const s of life.sets) {
      if (s.removed) continue;
      if (s.filter.tabId !== undefined && s.filter.tabId !== -1 && s.filter.tabId !== d.tabId) continue;
      if (s.filter.types && !s.filter.types.includes(d.type)) continue;
      s.handler(event, d);
    }
  };

  const clock = { t: w.clock, id: 1 };
  let events = 0;
  let ms = 0;
  let baseMs = 0;
  let wallMs = 0;
  const split = { dispatch: 0, timers: 0, turn: 0 };
  let sink = 0;
  const points: CaptureCheckpoint[] = [];
  const storageBytes = () => w.session.bytesInUse();
  const storedNow = async () => {
    let n = 0;
    for (let t = 1; t <= tabs; t++) n += (await engine.entries(t)).length;
    return n;
  };

  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
  // One chunk of requests in a function of its own: a suspended async frame keeps what its
  // registers last held (a loop's iterator over the whole chunk), which the heap checkpoints,
  // taken between chunks, must not see.
  const replay = async (from: number, to: number): Promise<void> => {
    const reqs: RawEvent[][] = [];
    for (let i = from; i < to; i++) {
      const { ex, d } = tpl[i % tpl.length]!;
      // Shaped as the browser hands them over (and as the fake's emit() does): objects built
      // property by property from serialized data, not literals (V8 gives those other shapes).
      // Only the events capture listens to: the browser delivers no others (src/shared/web-request.ts).
      const evs = eventsFor(ex, d, 1 + (i % tabs), clock).filter(([e]) => LISTENED_EVENTS.includes(e));
      reqs.push(JSON.parse(JSON.stringify(evs)) as RawEvent[]);
    }
    // The baseline first (it leaves the events untouched), then the engine.
    let c = cpuMs();
    for (const evs of reqs) for (const [e, d] of evs) sink += toRecord(e, d, () => true) ? 1 : 0;
    baseMs += cpuMs() - c;
    // As in the worker: every event is a task of its own, so microtasks (the store's write chain)
    // run between them, and the clock (the fake's timers: store write delay, preflight grace)
    // follows the events' times. One macrotask turn per request, not per event: the engine keeps no
    // state between a request's events that a turn would change.
    // The generator's garbage is collected here, not inside the timed loop.
    gc?.();
    c = cpuMs();
    let t = performance.now();
    for (const evs of reqs) {
      const t0 = performance.now();
      for (const [e, d] of evs) dispatch(e, d);
      const t1 = performance.now();
      const last = evs[evs.length - 1]![1].timeStamp;
      if (last > w.clock) w.advance(Math.ceil(last - w.clock));
      const t2 = performance.now();
      await turn();
      split.dispatch += t1 - t0;
      split.timers += t2 - t1;
      split.turn += performance.now() - t2;
      events += evs.length;
    }
    wallMs += performance.now() - t;
    ms += cpuMs() - c;
  };
  for (let done = 0; done < N;) {
    const end = Math.min(N, done + chunk, ...[...checkpoints].filter((c) => c > done));
    await replay(done, end);
    done = end;
    if (checkpoints.has(done)) {
      await engine.idle();
      const h = heapAfterGc(gc);
      points.push({
        requests: done, events, heapMB: h === null || heap0 === null ? null : (h - heap0) / 2 ** 20,
        storageMB: storageBytes() / 2 ** 20, stored: await storedNow(),
      });
    }
  }
  if (sink === -1) console.log(sink);
  // Requests still waiting for a late preflight settle after the grace period.
  w.advance(60_000);
  await engine.idle();
  const hq = heapAfterGc(gc);
  const quietMB = hq === null || heap0 === null ? null : (hq - heap0) / 2 ** 20;

  const storedPerTab: number[] = [];
  const droppedPerTab: number[] = [];
  let blockedStored = 0;
  for (let t = 1; t <= tabs; t++) {
    const entries = await engine.entries(t);
    storedPerTab.push(entries.length);
    blockedStored += entries.filter((e) => e.diagnosis.blocked).length;
    const snap = w.connect(PORT_NAME);
    snap.send({ type: MSG.HELLO, tabId: t });
    await engine.idle();
    const m = snap.received.find((x) => (x as { type?: string }).type === MSG.SNAPSHOT) as { dropped?: number } | undefined;
    droppedPerTab.push(m?.dropped ?? -1);
    snap.disconnect();
    await engine.idle();
  }
  await opts.inspect?.(engine);
  console.warn = warn;
  const eventsPerSec = events / (ms / 1000);
  const baselinePerSec = events / (baseMs / 1000);
  return {
    bench: "B2", requests: N, events, tabs, limit, eventsPerSec, wallEventsPerSec: events / (wallMs / 1000), baselinePerSec, ratio: eventsPerSec / baselinePerSec,
    split: { dispatch: (split.dispatch * 1000) / events, timers: (split.timers * 1000) / events, turn: (split.turn * 1000) / events },
    checkpoints: points, quietMB, storedPerTab, droppedPerTab, blockedStored, storageErrors, gc: !!gc,
  };
}
