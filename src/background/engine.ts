// The background's engine: wires webRequest records to correlation, storage, the badge, panel
// ports and the page hook's reports, over one Platform. index.ts runs it with the real browser;
// tests with the fake. Which tabs are captured fully, and why, is policy.ts ("full": a port holds
// the tab, or its site is always captured; "count": the page hook's rejections feed the badge).
import { originOf } from "../core/fetch";
import type { Platform, MessageSender, Navigation, PortLike } from "../platform/browser";
import {
  type Annotation, type BackgroundMessage, type CaptureStateMessage, type Entry, MSG, PORT_NAME, annotateItems, isTabId,
  readAnnotation, readPanelMessage,
} from "../shared/protocol";
import { hostOf } from "../shared/sites";
import { PendingAnnotations, RateLimiter, distance, stripHash } from "./annotate";
import { annotated, assemble, judge } from "./assemble";
import { Badge, failureTitle } from "./badge";
import { Capture } from "./capture";
import { Correlator, type Settled } from "./correlate";
import { CapturePolicy } from "./policy";
import { toRecord, type RequestRecord } from "./records";
import { Store } from "./store";

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
}

const STATE_KEY = "cl:state";
const SITES_KEY = "cl:sites";

interface Session {
  port: PortLike;
  tab: number | null;
  /** SNAPSHOT sent: later changes go out as messages. */
  live: boolean;
  closed: boolean;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export class Engine {
  ready: Promise<void> = Promise.resolve();
  private store: Store;
  private badge: Badge;
  private capture: Capture;
  private buckets = new Map<number, Correlator>();
  /** Which tabs are captured fully, and why (policy.ts). */
  private policy: CapturePolicy;
  private sessions = new Set<Session>();
  private limiter = new RateLimiter();
  private pending: PendingAnnotations;
  /**
   * Reports of same-origin calls, under full capture: most stay same-origin and are never
   * captured, but one that redirects to another origin is (the SSO pattern), and its report is
   * matched by the URL the script called. Their expiry is silent: nothing was missed.
   */
  private sameOriginPending: PendingAnnotations;
  private isReady = false;
  private queue: Array<() => void> = [];
  private stateChain: Promise<void> = Promise.resolve();
  private stateScheduled = false;
  /** The tabs whose content scripts were last told "full" (see pushCaptureStates). */
  private announced = new Set<number>();
  /** Page-hook reports received per tab for its current page, this worker life (the SNAPSHOT's `reports`). */
  private reports = new Map<number, number>();
  /**
   * Orders CAPTURE_STATE messages for the relays: starts at the clock, so a later worker life's
   * stamps are larger than an earlier one's, and grows by one per change.
   */
  private stamp: number;
  private o: Required<EngineOptions>;

  constructor(private p: Platform, opts: EngineOptions = {}) {
    this.o = { limit: 2000, chunkSize: 25, graceMs: 1500, panelGraceMs: 15_000, workerCapture: true, startupBridge: false,
      writeDelayMs: 250, ...opts };
    this.stamp = p.now();
    this.store = new Store(p.session, { limit: this.o.limit, chunkSize: this.o.chunkSize, onError: (e) => console.warn("cors-lens: storage", e),
      delayMs: this.o.writeDelayMs, setTimer: (ms, fn) => p.setTimer(ms, fn) });
    this.badge = new Badge(p);
    this.capture = new Capture(p, (event, d, hold, force) => toRecord(event, d, (tab, id) => this.isTracked(tab, id), hold, force), (r) => this.onRecord(r));
    this.policy = new CapturePolicy({ setTimer: (ms, fn) => p.setTimer(ms, fn), graceMs: this.o.panelGraceMs,
      changed: () => this.policyChanged() });
    this.pending = new PendingAnnotations((ms, fn) => p.setTimer(ms, fn), (tab, a) => this.expired(tab, a));
    this.sameOriginPending = new PendingAnnotations((ms, fn) => p.setTimer(ms, fn), () => {});
  }

  /** Registers every listener synchronously (call at the worker's top level), then reads the persisted state and re-adds the capture sets. */
  start(): Promise<void> {
    if (this.o.startupBridge) this.capture.startBridge();
    this.p.onNavigation((n) => this.whenReady(() => this.onNavigation(n)));
    this.p.onTabRemoved((tab) => this.whenReady(() => this.onTabRemoved(tab)));
    this.p.onConnect((port) => this.onConnect(port));
    this.p.onMessage((m, sender) => this.onMessage(m, sender));
    this.ready = this.load().catch((e) => console.warn("cors-lens: load", e)).then(() => {
      this.isReady = true;
      // The badge outlives the worker; the store may not hold what the last life counted (a stop
      // before its last write): show what the store holds now.
      for (const tab of this.store.tabIds()) this.badge.render(tab, this.store.meta(tab));
      this.applyCapture();
      for (const fn of this.queue.splice(0)) fn();
    });
    return this.ready;
  }

  /** Everything so far processed and written (tests). */
  async idle(): Promise<void> {
    await this.ready;
    for (let i = 0; i < 3; i++) {
      await this.store.flush();
      await this.stateChain;
    }
  }

  /** The tab's stored entries, oldest first. */
  entries(tab: number): Promise<Entry[]> {
    return this.store.entries(tab);
  }

  captureLevel(tab: number): "full" | "count" {
    return this.isWatched(tab) ? "full" : "count";
  }

  /**
   * The page hook's report of one fetch/XHR call in tab `tabId` (always the message sender's tab).
   * It can only annotate a captured cross-origin request of that tab, or count a suspected failure
   * at the "count" level; it never creates an exchange. Returns false when refused.
   */
  annotate(tabId: number, raw: unknown, senderUrl?: string): boolean {
    if (!isTabId(tabId) || !this.limiter.take(tabId, this.p.now())) return false;
    const a = readAnnotation(raw);
    if (!a) return false;
    this.whenReady(() => this.applyAnnotation(tabId, a, senderUrl));
    return true;
  }

  // ---- start-up and state ----

  private whenReady(fn: () => void): void {
    if (this.isReady) fn();
    else if (this.queue.length < 10_000) this.queue.push(fn);
  }

  private async load(): Promise<void> {
    const [state, local] = await Promise.all([this.p.session.get([STATE_KEY]), this.p.local.get([SITES_KEY])]);
    await this.store.load();
    this.policy.restore(state[STATE_KEY], local[SITES_KEY]);
  }

  private policyChanged(): void {
    if (!this.isReady) return; // start() applies the restored policy once ready
    this.applyCapture();
    this.persistState();
  }

  private persistState(): void {
    if (this.stateScheduled) return;
    this.stateScheduled = true;
    this.stateChain = this.stateChain.then(async () => {
      this.stateScheduled = false;
      try {
        await this.p.session.set({ [STATE_KEY]: this.policy.persisted() });
      } catch (e) {
        console.warn("cors-lens: state", e);
      }
    });
  }

  // ---- capture levels ----

  private watchedTabs(): Set<number> {
    return this.policy.watchedTabs();
  }

  private isWatched(tab: number): boolean {
    return this.policy.isWatched(tab);
  }

  private workersOn(): boolean {
    return this.o.workerCapture && this.policy.anyPort();
  }

  private applyCapture(): void {
    const watched = this.watchedTabs();
    const workers = this.workersOn();
    this.capture.set(watched, workers);
    this.pushCaptureStates(watched);
    for (const [tab, c] of this.buckets) {
      if (tab === -1 ? !workers : !watched.has(tab)) {
        c.clear();
        this.buckets.delete(tab);
      }
    }
  }

  /**
   * Tells the content scripts of every tab that entered or left full capture (all its frames), so
   * their relays forward every report or only failures (relay-core.ts). A document that loads
   * later asks (captureState); a tab's frames that miss a push are corrected by the next one.
   */
  private pushCaptureStates(watched: ReadonlySet<number>): void {
    for (const tab of watched) {
      if (!this.announced.has(tab)) {
        this.announced.add(tab);
        this.p.sendToTab(tab, this.captureState(tab));
      }
    }
    for (const tab of this.announced) {
      if (!watched.has(tab)) {
        this.announced.delete(tab);
        this.p.sendToTab(tab, this.captureState(tab));
      }
    }
  }

  private captureState(tab: number): CaptureStateMessage {
    return { type: MSG.CAPTURE_STATE, full: this.isWatched(tab), stamp: ++this.stamp };
  }

  private setSite(site: string, on: boolean): void {
    const lists = this.policy.setSite(site, on);
    this.p.local.set({ [SITES_KEY]: lists }).catch((e) => console.warn("cors-lens: sites", e));
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
    const tabs = [...this.watchedTabs()].filter((t) => originOf(this.policy.url(t) ?? "") === origin);
    return tabs.length ? tabs : [-1];
  }

  private commit(bucket: number, s: Settled): void {
    const raw = assemble(s, this.p.blocksAreErrors);
    if (!raw) return;
    const judged = judge(raw);
    for (const tab of this.targets(bucket, raw.request.origin)) {
      let { exchange, diagnosis } = judged;
      let isAnnotated = false;
      const a = bucket >= 0 ? s.annotation ?? this.pending.take(tab, raw.request.url, raw.request.method, s.view.start) ??
        this.sameOriginPending.take(tab, raw.request.url, raw.request.method, s.view.start) : null;
      const r = a ? annotated(raw, diagnosis, a) : null;
      if (r) {
        exchange = r.exchange;
        diagnosis = r.diagnosis;
        isAnnotated = true;
      }
      const entry: Entry = {
        exchange, diagnosis, page: this.store.meta(tab).page, start: s.view.start,
        frameId: s.view.frameId, type: s.view.type, annotated: isAnnotated,
      };
      if (s.view.end !== null) entry.end = s.view.end;
      if (!this.store.add(tab, entry)) continue;
      if (diagnosis.blocked) this.store.bump(tab, { blocked: 1, lastFailure: failureTitle(exchange, diagnosis) });
      this.badge.render(tab, this.store.meta(tab));
      this.post(tab, { type: MSG.EXCHANGE_ADDED, entry });
    }
  }

  // ---- the page hook's reports ----

  private applyAnnotation(tab: number, a: Annotation, senderUrl: string | undefined): void {
    this.reports.set(tab, (this.reports.get(tab) ?? 0) + 1);
    const pageOrigin = originOf(senderUrl ?? "") ?? originOf(this.policy.url(tab) ?? "");
    if (pageOrigin === null) return;
    const sameOriginCall = originOf(a.url) === pageOrigin;
    // Below full capture a same-origin call says nothing (a rejection there is a network error far
    // more often than a redirect to another origin); under it, it may have left the origin.
    if (sameOriginCall && !this.isWatched(tab)) return;
    if (!this.isWatched(tab)) {
      if (this.suspect(a)) {
        this.store.bump(tab, { suspected: 1 });
        this.badge.render(tab, this.store.meta(tab));
      }
      return;
    }
    const url = stripHash(a.url);
    let bestD = Infinity;
    let inFlight: string | null = null;
    let stored: Entry | null = null;
    for (const v of this.buckets.get(tab)?.inFlight() ?? []) {
      const d = distance(a, v.hops[0]!.url, v.hops[0]!.method, v.start);
      if (d !== null && d < bestD) {
        bestD = d;
        inFlight = v.id;
      }
    }
    for (const e of this.store.recent(tab, 200)) {
      if (e.annotated || e.exchange.request.url !== url) continue;
      const d = distance(a, e.exchange.request.url, e.exchange.request.method, e.start);
      if (d !== null && d < bestD) {
        bestD = d;
        stored = e;
        inFlight = null;
      }
    }
    if (inFlight !== null) this.buckets.get(tab)!.annotate(inFlight, a);
    else if (stored) this.reannotate(tab, stored, a);
    else (sameOriginCall ? this.sameOriginPending : this.pending).add(tab, a);
  }

  /** Drops the tab's reports still waiting for a request (a navigation, Clear, the tab closed). */
  private forgetReports(tab: number): void {
    this.pending.forget(tab);
    this.sameOriginPending.forget(tab);
  }

  private suspect(a: Annotation): boolean {
    return a.mode === "cors" && a.outcome === "rejected TypeError";
  }

  private reannotate(tab: number, entry: Entry, a: Annotation): void {
    const r = annotated(entry.exchange, entry.diagnosis, a);
    if (!r) return; // it contradicts the browser: change nothing
    const next: Entry = { ...entry, exchange: r.exchange, diagnosis: r.diagnosis, annotated: true };
    if (!this.store.update(tab, next)) return;
    const meta = this.store.meta(tab);
    const wasLatest = meta.lastFailure !== null && meta.lastFailure === failureTitle(entry.exchange, entry.diagnosis);
    if (entry.diagnosis.blocked && !next.diagnosis.blocked) this.store.bump(tab, { blocked: -1, ...(wasLatest ? { lastFailure: null } : {}) });
    else if (!entry.diagnosis.blocked && next.diagnosis.blocked) this.store.bump(tab, { blocked: 1, lastFailure: failureTitle(next.exchange, next.diagnosis) });
    else if (next.diagnosis.blocked && wasLatest) this.store.bump(tab, { lastFailure: failureTitle(next.exchange, next.diagnosis) });
    this.badge.render(tab, this.store.meta(tab));
    this.post(tab, { type: MSG.EXCHANGE_UPDATED, entry: next });
  }

  // Under full capture webRequest is the truth: a report that no captured request explains is
  // only "missed" (the panel says so), never a badge-visible failure, or a page could forge them.
  private expired(tab: number, _a: Annotation): void {
    this.store.bump(tab, { missed: 1 });
  }

  private onMessage(m: unknown, sender: MessageSender): Promise<unknown> | undefined {
    const tab = sender.tabId;
    if (sender.id !== this.p.extensionId || tab === undefined || !isObject(m)) return undefined;
    if (m.type === MSG.ANNOTATE) {
      for (const a of annotateItems(m)) this.annotate(tab, a, sender.url);
    } else if (m.type === MSG.CAPTURE_QUERY && isTabId(tab)) {
      // Answered once the persisted state is read: a restarted worker knows its watched tabs only then.
      return this.ready.then(() => this.captureState(tab));
    }
    return undefined;
  }

  // ---- tabs ----

  private onNavigation(n: Navigation): void {
    const { tabId: tab, url } = n;
    if (n.phase === "start") {
      // Register before the new page's first request.
      this.policy.navigationStart(tab, url);
      return;
    }
    this.policy.navigationCommit(tab, url);
    this.reports.delete(tab);
    if (this.store.has(tab) || this.isWatched(tab)) {
      this.store.navigate(tab, url);
      this.forgetReports(tab);
      this.badge.render(tab, this.store.meta(tab));
      this.post(tab, { type: MSG.NAVIGATED, page: this.store.meta(tab).page, url });
    }
  }

  private onTabRemoved(tab: number): void {
    this.store.removeTab(tab);
    this.buckets.get(tab)?.clear();
    this.buckets.delete(tab);
    this.policy.removeTab(tab);
    this.forgetReports(tab);
    this.reports.delete(tab);
    this.limiter.forget(tab);
    this.badge.forget(tab);
  }

  // ---- panel ports ----

  private onConnect(port: PortLike): void {
    if (port.name !== PORT_NAME) return;
    // Only our own pages: a content script has our id too, but a web page's URL.
    if (port.senderId !== this.p.extensionId || !port.senderUrl?.startsWith(this.p.extensionOrigin + "/")) {
      port.disconnect();
      return;
    }
    const s: Session = { port, tab: null, live: false, closed: false };
    this.sessions.add(s);
    port.onMessage((m) => this.whenReady(() => this.onPanelMessage(s, m)));
    port.onDisconnect(() => this.whenReady(() => this.closeSession(s)));
  }

  private onPanelMessage(s: Session, raw: unknown): void {
    const m = readPanelMessage(raw);
    if (s.closed || !m) return;
    if (s.tab === null) {
      // The devtools page holds capture and is sent nothing; a panel gets the snapshot.
      if (m.type === MSG.HELLO) void (m.hold ? this.watchFor(s, m.tabId) : this.hello(s, m.tabId));
      return;
    }
    const tab = s.tab;
    switch (m.type) {
      case MSG.CLEAR:
        this.store.clear(tab);
        this.forgetReports(tab);
        this.reports.delete(tab);
        this.badge.render(tab, this.store.meta(tab));
        this.post(tab, { type: MSG.CLEARED });
        break;
      case MSG.SET_PRESERVE:
        this.store.setPreserve(tab, m.on);
        break;
      case MSG.SET_ALWAYS_CAPTURE:
        this.setSite(m.site, m.on);
        break;
      case MSG.RELOAD_AND_CAPTURE:
        // The port already holds full capture for the tab; its listener set exists before the reload.
        this.p.reloadTab(tab).catch(() => {});
        break;
      case MSG.HELLO:
        break; // one tab per port
      case MSG.PING:
        break; // receiving it is the point: the worker stays up while a panel is open
    }
  }

  /** The port's tab is watched (full capture) from now until the port closes. */
  private async watchFor(s: Session, tab: number): Promise<void> {
    s.tab = tab;
    this.policy.hold(tab);
    if (this.policy.url(tab) === undefined) {
      const url = await this.p.tabUrl(tab);
      if (url) this.policy.learnUrl(tab, url);
    }
  }

  private async hello(s: Session, tab: number): Promise<void> {
    await this.watchFor(s, tab);
    const entries = await this.store.entries(tab);
    // What a panel is shown is on disk first: the store gathers writes (store.ts), and a worker
    // stopped right after (a reload, DevTools' "stop") must not take back what the panel listed.
    await this.store.flush();
    if (s.closed) return;
    const meta = this.store.meta(tab);
    const pageUrl = meta.pageUrl || this.policy.url(tab) || "";
    const site = hostOf(pageUrl);
    s.port.post({
      type: MSG.SNAPSHOT, tabId: tab, page: meta.page, pageUrl, entries, dropped: meta.dropped,
      captureLevel: this.captureLevel(tab), missed: meta.missed, suspected: meta.suspected, reports: this.reports.get(tab) ?? 0, preserve: meta.preserve,
      site, alwaysCapture: site !== null && this.policy.siteWatched(pageUrl),
    } satisfies BackgroundMessage);
    s.live = true;
  }

  private closeSession(s: Session): void {
    if (s.closed) return;
    s.closed = true;
    this.sessions.delete(s);
    if (s.tab === null) return;
    this.policy.release(s.tab);
  }

  private post(tab: number, msg: BackgroundMessage): void {
    for (const s of this.sessions) if (s.tab === tab && s.live && !s.closed) s.port.post(msg);
  }
}
