// The background's engine: only wiring. Data flows one way:
//   webRequest → Capture (capture.ts) → records (records.ts) → a Correlator per tab (correlate.ts)
//   → commit: assemble (assemble.ts), the cached preflight it used (preflight-memory.ts), judge, the held page-hook report (matcher.ts) → Ledger
//   (ledger.ts: store, badge, and the tab's panels through PanelSessions, sessions.ts).
//   Relay reports (relays.ts) → AnnotationMatcher → a request in flight, a stored entry (Ledger), or held.
//   Navigations and closed tabs → TabLifecycle (tabs.ts). Which tabs are captured fully, and why,
//   is CapturePolicy (policy.ts); what survives the worker is Persistence and the Store.
// index.ts runs it over the real browser; tests over the fake (test/fakes/browser.ts).
import { isCorsBlockError } from "../core/diagnose";
import { originOf } from "../core/fetch";
import type { Platform, RawRequestDetails } from "../platform/background";
import { type Annotation, type Entry, type SnapshotMessage, MSG, SNAPSHOT_FIRST } from "../shared/protocol";
import { ALL_PAGES } from "../shared/page-scripts";
import { hookMatchPatterns } from "../shared/sites";
import { hostnameOf } from "../shared/url";
import { annotated, assemble, judge } from "./assemble";
import { PreflightMemory } from "./preflight-memory";
import { Badge } from "./badge";
import { Capture } from "./capture";
import { HookPlacement } from "./hooks";
import { Correlator, type Settled } from "./correlate";
import { Ledger } from "./ledger";
import { AnnotationMatcher } from "./matcher";
import { Persistence } from "./persistence";
import { CapturePolicy } from "./policy";
import { toRecord, type RequestRecord } from "./records";
import { Relays } from "./relays";
import { PanelSessions, type PagedSnapshot } from "./sessions";
import { STORE_BUDGET, Store } from "./store";
import { TabLifecycle } from "./tabs";

export interface EngineOptions {
  /** Exchanges kept per tab. */
  limit?: number;
  chunkSize?: number;
  /** How long a blocked request waits for a late preflight. */
  graceMs?: number;
  /** How long a panel that was open before a worker restart has to reconnect. */
  panelGraceMs?: number;
  /** Capture service workers' requests (tabId -1) while a panel is open. */
  workerCapture?: boolean;
  /** Listen on all URLs from start() until the persisted state is read (Chrome's worker: capture.ts). */
  startupBridge?: boolean;
  /**
   * How long the store gathers changes before one storage write (store.ts). One write per exchange
   * was most of capture's own CPU; a longer gathering is what a forced stop (a crash, an extension
   * reload) can lose. An idle stop comes ~30 s after the last event and loses nothing.
   */
  writeDelayMs?: number;
  /** Bytes of stored chunks across all tabs (store.ts, STORE_BUDGET). */
  storeBudget?: number;
}

export class Engine {
  ready: Promise<void> = Promise.resolve();
  private store: Store;
  private ledger: Ledger;
  private capture: Capture;
  private buckets = new Map<number, Correlator>();
  /** The last passing preflight per origin and URL, for the preflight cache finding (preflight-memory.ts). */
  private readonly preflights = new PreflightMemory();
  private policy: CapturePolicy;
  private persistence: Persistence;
  private matcher: AnnotationMatcher;
  private sessions: PanelSessions;
  private relays: Relays;
  private tabs: TabLifecycle;
  private hooks: HookPlacement;
  private isReady = false;
  private queue: Array<() => void> = [];
  private o: Required<EngineOptions>;

  constructor(private p: Platform, opts: EngineOptions = {}) {
    this.o = { limit: 10_000, chunkSize: 25, graceMs: 1500, panelGraceMs: 15_000, workerCapture: true, startupBridge: false,
      writeDelayMs: 250, storeBudget: STORE_BUDGET, ...opts };
    const timer = (ms: number, fn: () => void) => p.setTimer(ms, fn);
    this.hooks = new HookPlacement(p);
    this.store = new Store(p.session, { limit: this.o.limit, chunkSize: this.o.chunkSize, onError: (e) => console.warn("cors-lens: storage", e),
      delayMs: this.o.writeDelayMs, setTimer: timer, budget: this.o.storeBudget });
    this.policy = new CapturePolicy({ setTimer: timer, graceMs: this.o.panelGraceMs, changed: () => this.policyChanged() });
    this.persistence = new Persistence(p.session, p.local, this.store, this.policy);
    this.sessions = new PanelSessions({
      extensionId: p.extensionId,
      extensionOrigin: p.extensionOrigin,
      whenReady: (fn) => this.whenReady(fn),
      hold: (tab) => this.hold(tab),
      release: (tab) => this.policy.release(tab),
      snapshot: (tab) => this.snapshot(tab),
      clear: (tab) => {
        this.matcher.reset(tab);
        this.ledger.clear(tab);
      },
      setPreserve: (tab, on) => this.ledger.setPreserve(tab, on),
      setSite: (site, on) => {
        this.policy.setSite(site, on);
        this.persistence.saveSites();
      },
      // The reloaded page must find the page scripts registered (hooks.ts).
      reload: (tab) => { this.hooks.settled().then(() => this.p.reloadTab(tab)).catch(() => {}); },
    });
    this.ledger = new Ledger(this.store, new Badge(p), (tab, m) => this.sessions.post(tab, m));
    this.matcher = new AnnotationMatcher(timer, (tab) => this.ledger.missed(tab), () => p.now());
    this.relays = new Relays(p, {
      ready: () => this.ready,
      isWatched: (tab) => this.policy.isWatched(tab),
      report: (tab, raw, senderUrl) => { this.annotate(tab, raw, senderUrl); },
    });
    this.tabs = new TabLifecycle(this.policy, this.ledger, this.matcher, (tab) => {
      this.buckets.get(tab)?.clear();
      this.buckets.delete(tab);
    });
    this.capture = new Capture(p, (event, d, hold, force) => toRecord(event, d, (tab, id) => this.isTracked(tab, id), hold, force), (r) => this.onRecord(r));
  }

  /** Registers every listener synchronously (call at the worker's top level), then reads the persisted state and re-adds the capture sets. */
  start(): Promise<void> {
    if (this.o.startupBridge) this.capture.startBridge();
    this.p.onNavigation((n) => this.whenReady(() => this.tabs.navigation(n)));
    this.p.onTabRemoved((tab) => this.whenReady(() => this.tabs.removed(tab)));
    this.p.onConnect((port) => this.sessions.accept(port));
    this.relays.listen();
    // Chromium reports every CORS block as net::ERR_FAILED (Platform.blocksAreErrors): that counts
    // the badge of a tab nobody watches. Firefox does not, and counts the page hook's rejections.
    if (this.p.blocksAreErrors) this.p.onRequestError((d) => this.whenReady(() => this.countError(d)));
    this.ready = this.persistence.load().catch((e) => console.warn("cors-lens: load", e)).then(() => {
      this.isReady = true;
      // The badge outlives the worker; the store may not hold what the last life counted (a stop
      // before its last write): show what the store holds now.
      this.ledger.renderAll();
      this.applyCapture();
      for (const fn of this.queue.splice(0)) fn();
    });
    return this.ready;
  }

  /** Everything so far processed and written (tests). */
  async idle(): Promise<void> {
    await this.ready;
    await this.persistence.idle();
  }

  /** The tab's stored entries, oldest first. */
  entries(tab: number): Promise<Entry[]> {
    return this.store.entries(tab);
  }

  captureLevel(tab: number): "full" | "count" {
    return this.policy.isWatched(tab) ? "full" : "count";
  }

  /**
   * The page hook's report of one fetch/XHR call in tab `tabId` (always the message sender's tab).
   * It can only annotate a captured cross-origin request of that tab, or count a suspected failure
   * at the "count" level; it never creates an exchange. Returns false when refused.
   */
  annotate(tabId: number, raw: unknown, senderUrl?: string): boolean {
    const a = this.matcher.admit(tabId, raw);
    if (!a) return false;
    this.whenReady(() => this.route(tabId, a, senderUrl));
    return true;
  }

  // ---- start-up and capture levels ----

  private whenReady(fn: () => void): void {
    if (this.isReady) fn();
    else if (this.queue.length < 10_000) this.queue.push(fn);
  }

  private policyChanged(): void {
    if (!this.isReady) return; // start() applies the restored policy once ready
    this.applyCapture();
    this.persistence.savePolicy();
  }

  private applyCapture(): void {
    const watched = this.policy.watchedTabs();
    const workers = this.o.workerCapture && this.policy.anyPort();
    this.capture.set(watched, workers);
    this.hooks.set(this.policy.anyPort() ? ALL_PAGES : hookMatchPatterns(this.policy.siteLists()));
    this.relays.push(watched);
    for (const [tab, c] of this.buckets) {
      if (tab === -1 ? !workers : !watched.has(tab)) {
        c.clear();
        this.buckets.delete(tab);
      }
    }
  }

  // ---- panel sessions ----

  /** A port's tab is watched (full capture) from now until the port closes. */
  private async hold(tab: number): Promise<void> {
    // A tab already held has the page scripts: its document loaded while they were registered on
    // every page, or they were injected when the first port came (DevTools, then the CORS panel).
    // The SNAPSHOT does not wait for them: awaited, the injection (two executeScript calls) put the
    // real panel's first row 35–50 ms later (B4r, 190 against 157 ms, same run).
    const first = !this.policy.isHeld(tab);
    this.policy.hold(tab);
    if (first) void this.hooks.inject(tab);
    if (this.policy.url(tab) === undefined) {
      const url = await this.p.tabUrl(tab);
      if (url) this.policy.learnUrl(tab, url);
    }
  }

  /**
   * A fetch, XHR or EventSource of a tab nobody watches failed. Chromium ends a CORS block in
   * net::ERR_FAILED (other failures have their own codes: ERR_CONNECTION_REFUSED, ERR_ABORTED, …);
   * a cross-origin one, or one whose initiator is opaque, counts as a suspected block.
   */
  private countError(d: RawRequestDetails): void {
    const tab = d.tabId;
    if (tab < 0 || !isCorsBlockError(d.error) || this.policy.isWatched(tab)) return;
    if (d.initiator === undefined || d.initiator === originOf(d.url)) return;
    this.ledger.suspected(tab);
  }

  private async snapshot(tab: number): Promise<PagedSnapshot> {
    // The first page only: a new worker life reads just the chunks it is in (store.firstEntries).
    const listed = await this.store.firstEntries(tab, SNAPSHOT_FIRST);
    // What a panel is shown is on disk first: the store gathers writes (store.ts), and a worker
    // stopped right after (a reload, DevTools' "stop") must not take back what the panel listed.
    await this.store.flush();
    // The write may have evicted some of them (the byte budget, store.ts): show only what is still
    // held, so that entries and the dropped count read below add up (a 10,000 burst was 50 over).
    const entries = listed.filter((e) => this.store.holds(tab, e.exchange.id)).slice(0, SNAPSHOT_FIRST);
    const more = this.store.size(tab) - entries.length;
    const last = this.store.lastId(tab);
    const meta = this.ledger.meta(tab);
    const pageUrl = meta.pageUrl || this.policy.url(tab) || "";
    const site = hostnameOf(pageUrl);
    const first: SnapshotMessage = {
      type: MSG.SNAPSHOT, tabId: tab, page: meta.page, pageUrl, entries, dropped: meta.dropped,
      captureLevel: this.captureLevel(tab), missed: meta.missed, suspected: meta.suspected, reports: this.matcher.reports(tab),
      preserve: meta.preserve, site, alwaysCapture: site !== null && this.policy.siteWatched(pageUrl),
    };
    if (more <= 0 || last === null) return { first, rest: null };
    first.more = more;
    // The rest, up to the newest entry now (anything later comes live), without the first page.
    const shown = new Set(entries.map((e) => e.exchange.id));
    const rest = () => this.store.entries(tab).then(async (all) => {
      await this.store.flush();
      const upto = all.findIndex((e) => e.exchange.id === last);
      return all.slice(0, upto + 1).filter((e) => !shown.has(e.exchange.id) && this.store.holds(tab, e.exchange.id));
    });
    return { first, rest };
  }

  // ---- webRequest records → exchanges ----

  private isTracked(tab: number, requestId: string): boolean {
    return this.buckets.get(tab)?.has(requestId) ?? false;
  }

  private onRecord(r: RequestRecord): void {
    const tab = r.tabId;
    let c = this.buckets.get(tab);
    if (!c) {
      c = new Correlator({ graceMs: this.o.graceMs, setTimer: (ms, fn) => this.p.setTimer(ms, fn), emit: (s) => this.commit(tab, s) });
      this.buckets.set(tab, c);
    }
    c.ingest(r);
  }

  /**
   * Service workers' requests (tabId -1) go to the watched tabs whose page has the request's
   * origin (a worker serves every page of its origin); with none, to a "-1" bucket of the store.
   */
  private targets(bucket: number, origin: string): number[] {
    if (bucket >= 0) return [bucket];
    const tabs = [...this.policy.watchedTabs()].filter((t) => originOf(this.policy.url(t) ?? "") === origin);
    return tabs.length ? tabs : [-1];
  }

  private commit(bucket: number, s: Settled): void {
    const raw = assemble(s, this.p.blocksAreErrors);
    if (!raw) return;
    this.preflights.apply(raw);
    const judged = judge(raw);
    for (const tab of this.targets(bucket, raw.request.origin)) {
      let { exchange, diagnosis } = judged;
      let isAnnotated = false;
      const a = bucket >= 0 ? s.annotation ?? this.matcher.take(tab, raw.request.url, raw.request.method, s.view.start) : null;
      const r = a ? annotated(raw, diagnosis, a) : null;
      if (r) {
        exchange = r.exchange;
        diagnosis = r.diagnosis;
        isAnnotated = true;
      }
      const entry: Entry = {
        exchange, diagnosis, page: this.ledger.meta(tab).page, start: s.view.start,
        frameId: s.view.frameId, type: s.view.type, annotated: isAnnotated,
      };
      if (s.view.end !== null) entry.end = s.view.end;
      this.ledger.add(tab, entry);
    }
  }

  // ---- the page hook's reports ----

  private route(tab: number, a: Annotation, senderUrl: string | undefined): void {
    const route = this.matcher.route(tab, a, {
      pageOrigin: originOf(senderUrl ?? "") ?? originOf(this.policy.url(tab) ?? ""),
      watched: this.policy.isWatched(tab),
      inFlight: () => this.buckets.get(tab)?.inFlight() ?? [],
      recent: () => this.store.recent(tab, 200),
    });
    switch (route.kind) {
      case "suspected":
        // Where webRequest reports blocks (Chromium), countError counted it already.
        if (!this.p.blocksAreErrors) this.ledger.suspected(tab);
        break;
      case "in-flight":
        this.buckets.get(tab)!.annotate(route.requestId, a);
        break;
      case "stored": {
        const before = route.entry;
        const r = annotated(before.exchange, before.diagnosis, a);
        if (r) this.ledger.update(tab, before, { ...before, exchange: r.exchange, diagnosis: r.diagnosis, annotated: true });
        // else it contradicts the browser: change nothing
        break;
      }
    }
  }
}
