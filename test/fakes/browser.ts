// The one fake of the browser, behind both sides of the seam: the background's `Platform`
// (platform()) and the extension pages' `PanelPlatform` (panelPlatform()). A FakeBrowser outlives
// worker lives: its storage, badges and clock persist, while each platform() call is a new worker
// life whose listeners, timers and ports die with it (kill()). A port opened by a panel platform
// reaches the live worker's onConnect, so jest can wire a real panel connection to a real engine.
import type {
  CaptureFilter, ListenerSet, MessageSender, Navigation, Platform, Port, RawRequestDetails, StorageArea, WebRequestEvent,
} from "../../src/platform/background";
import type { PanelPlatform } from "../../src/platform/panel";
import type { HookScope } from "../../src/shared/page-scripts";
import { PORT_NAME } from "../../src/shared/protocol";
import { LISTENED_EVENTS } from "../../src/shared/web-request";

export const EXTENSION_ID = "abcdefghijklmnopabcdefghijklmnop";
export const EXTENSION_ORIGIN = `chrome-extension://${EXTENSION_ID}`;
export const PANEL_URL = `${EXTENSION_ORIGIN}/panel.html`;

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
  life: FakePlatform;
}

class FakeStorage implements StorageArea {
  readonly data = new Map<string, string>();
  writes = 0;
  fail = false;
  /**
   * Chrome's storage.session quota (QUOTA_BYTES, 10 MiB): a set() that would pass it fails and
   * stores nothing. Usage is counted per key as the key plus the value's in-memory size, for a
   * string its length (session_storage_manager.cc); the JSON length stands in for other values.
   */
  quota = 10 * 1024 * 1024;
  private used = new Map<string, number>();

  /** The keys of every get(), in order. */
  readonly gets: string[][] = [];
  /** When set, a get() answers only once the promise it returns for those keys settles (a slow read). */
  slow: ((keys: string[]) => Promise<void> | undefined) | null = null;

  // Real storage serializes at call time and answers asynchronously.
  async get(keys: string[]): Promise<Record<string, unknown>> {
    this.gets.push([...keys]);
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      const v = this.data.get(k);
      if (v !== undefined) out[k] = JSON.parse(v);
    }
    await Promise.resolve();
    await this.slow?.(keys);
    return out;
  }

  async set(items: Record<string, unknown>): Promise<void> {
    const copy = Object.entries(items).map(([k, v]) => [k, JSON.stringify(v), k.length + (typeof v === "string" ? v.length : JSON.stringify(v).length)] as const);
    await Promise.resolve();
    if (this.fail) throw new Error("QUOTA_BYTES quota exceeded");
    let after = this.bytesInUse();
    for (const [k, , n] of copy) after += n - (this.used.get(k) ?? 0);
    if (after > this.quota) throw new Error("Session storage quota bytes exceeded. Values were not stored.");
    this.writes++;
    for (const [k, v, n] of copy) {
      this.data.set(k, v);
      this.used.set(k, n);
    }
  }

  async remove(keys: string[]): Promise<void> {
    await Promise.resolve();
    for (const k of keys) {
      this.data.delete(k);
      this.used.delete(k);
    }
  }

  /** storage.session.getBytesInUse() of everything. */
  bytesInUse(): number {
    let n = 0;
    for (const v of this.used.values()) n += v;
    return n;
  }

  keys(prefix = ""): string[] {
    return [...this.data.keys()].filter((k) => k.startsWith(prefix)).sort();
  }
}

const clone = <T>(m: T): T => JSON.parse(JSON.stringify(m ?? null)) as T;

/**
 * The page's end of a runtime port (a panel, the devtools page, or a content script posing as
 * one). Tests drive it from either side: send()/post() as the page, emit()/drop() as the worker.
 */
export class FakePort implements Port {
  /** What the page posted (page → worker). */
  posted: unknown[] = [];
  /** What the worker posted (worker → page). */
  received: unknown[] = [];
  disconnected = false;
  /** The worker life holding the other end, if any. */
  life: FakePlatform | null = null;
  private pageMessageCbs: Array<(m: unknown) => void> = [];
  private pageDisconnectCbs: Array<() => void> = [];
  private workerMessageCbs: Array<(m: unknown) => void> = [];
  private workerDisconnectCbs: Array<() => void> = [];

  constructor(readonly name: string, readonly senderUrl: string, readonly senderId: string) {}

  // ---- the page's side (Port) ----
  post(m: unknown): void {
    if (this.disconnected) return;
    this.posted.push(clone(m));
    for (const cb of this.workerMessageCbs) cb(clone(m));
  }
  onMessage(cb: (m: unknown) => void): void {
    this.pageMessageCbs.push(cb);
  }
  onDisconnect(cb: () => void): void {
    this.pageDisconnectCbs.push(cb);
  }
  /** The page closes the port: the worker's end hears of it. */
  disconnect(): void {
    if (this.disconnected) return;
    this.disconnected = true;
    for (const cb of this.workerDisconnectCbs) cb();
  }
  /** The page sends (an alias of post, for tests written from the worker's side). */
  send(m: unknown): void {
    this.post(m);
  }

  // ---- the worker's side ----
  /** The worker's end of this port, as runtime.onConnect hands it over. */
  workerEnd(): Port {
    return {
      name: this.name, senderUrl: this.senderUrl, senderId: this.senderId,
      post: (m) => this.emit(m),
      onMessage: (cb) => { this.workerMessageCbs.push(cb); },
      onDisconnect: (cb) => { this.workerDisconnectCbs.push(cb); },
      disconnect: () => this.drop(),
    };
  }
  /** The worker sends a message. */
  emit(m: unknown): void {
    if (this.disconnected) return;
    this.received.push(clone(m));
    for (const cb of this.pageMessageCbs) cb(clone(m));
  }
  /** The worker's end goes away (it disconnected, or the MV3 worker stopped): the page hears of it. */
  drop(): void {
    if (this.disconnected) return;
    this.disconnected = true;
    for (const cb of this.pageDisconnectCbs) cb();
  }

  of<T extends string>(type: T): Array<Record<string, unknown> & { type: T }> {
    return this.received.filter((m): m is Record<string, unknown> & { type: T } => (m as { type?: string }).type === type);
  }
}

/** Kept for the worker-side tests' name: the page's end of a port. */
export type FakePanel = FakePort;

export interface FakePanelPlatform extends PanelPlatform {
  /** Every port connect() opened, oldest first. */
  ports: FakePort[];
  /** The storage.local that pages see (the browser's). */
  storage: Map<string, unknown>;
  copies: string[];
  /** Number of connect() calls that throw before one succeeds. */
  failConnects: number;
  theme: string | null;
  /** The newest port. */
  readonly port: FakePort;
}

export class FakePlatform implements Platform {
  readonly extensionId = EXTENSION_ID;
  readonly extensionOrigin = EXTENSION_ORIGIN;
  alive = true;
  sets: Array<{ filter: CaptureFilter; handler: (e: WebRequestEvent, d: RawRequestDetails) => void; removed: boolean }> = [];
  navCbs: Array<(n: Navigation) => void> = [];
  removedCbs: Array<(tab: number) => void> = [];
  connectCbs: Array<(p: Port) => void> = [];
  messageCbs: Array<(m: unknown, s: MessageSender) => Promise<unknown> | undefined> = [];
  errorCbs: Array<(d: RawRequestDetails) => void> = [];

  constructor(private w: FakeBrowser) {}

  async placeHooks(scope: HookScope | null): Promise<void> {
    if (!this.w.hookOnDemand) return;
    this.w.hookScope = scope && scope.matches.length ? JSON.parse(JSON.stringify(scope)) as HookScope : null;
    this.w.hookScopes.push(this.w.hookScope);
  }
  async injectHooks(tabId: number): Promise<void> {
    if (this.w.hookOnDemand) this.w.injections.push(tabId);
  }
  onRequestError(cb: (d: RawRequestDetails) => void): void {
    this.errorCbs.push(cb);
  }

  get extraHeaders(): boolean {
    return this.w.extraHeaders;
  }
  get blocksAreErrors(): boolean {
    return this.w.blocksAreErrors;
  }
  get session(): StorageArea {
    return this.w.session;
  }
  get local(): StorageArea {
    return this.w.local;
  }

  listen(filter: CaptureFilter, handler: (e: WebRequestEvent, d: RawRequestDetails) => void): ListenerSet {
    const s = { filter: { ...filter }, handler, removed: false };
    this.sets.push(s);
    return { remove: () => { s.removed = true; } };
  }

  setBadgeText(tabId: number, text: string): void {
    this.w.badgeOf(tabId).text = text;
  }
  setBadgeBackgroundColor(tabId: number, color: string): void {
    this.w.badgeOf(tabId).color = color;
  }
  setTitle(tabId: number, title: string): void {
    this.w.badgeOf(tabId).title = title;
  }
  onTabRemoved(cb: (tabId: number) => void): void {
    this.removedCbs.push(cb);
  }
  onNavigation(cb: (nav: Navigation) => void): void {
    this.navCbs.push(cb);
  }
  onConnect(cb: (port: Port) => void): void {
    this.connectCbs.push(cb);
  }
  onMessage(cb: (message: unknown, sender: MessageSender) => Promise<unknown> | undefined): void {
    this.messageCbs.push(cb);
  }
  sendToTab(tabId: number, message: unknown): void {
    this.w.tabMessages.push({ tabId, message: JSON.parse(JSON.stringify(message)) });
  }
  async tabUrl(tabId: number): Promise<string | undefined> {
    return this.w.tabUrls.get(tabId);
  }
  async reloadTab(tabId: number): Promise<void> {
    this.w.reloads.push(tabId);
  }
  now(): number {
    return this.w.clock;
  }
  setTimer(ms: number, fn: () => void): () => void {
    const t: Timer = { at: this.w.clock + ms, seq: this.w.timerSeq++, fn, life: this };
    this.w.timers.push(t);
    return () => { this.w.timers = this.w.timers.filter((x) => x !== t); };
  }

  /** The live listener sets' filters. */
  filters(): CaptureFilter[] {
    return this.sets.filter((s) => !s.removed).map((s) => s.filter);
  }
}

export class FakeBrowser {
  readonly session = new FakeStorage();
  readonly local = new FakeStorage();
  /** Every port pages opened, across worker lives. */
  readonly ports: FakePort[] = [];
  readonly badges = new Map<number, { text: string; color: string; title: string }>();
  readonly tabUrls = new Map<number, string>();
  readonly reloads: number[] = [];
  /** What the background sent to tabs' content scripts (tabs.sendMessage). */
  readonly tabMessages: Array<{ tabId: number; message: unknown }> = [];
  extraHeaders = true;
  blocksAreErrors = true;
  /** Chrome's build: the page scripts are registered on demand (placeHooks), which outlives worker lives. */
  hookOnDemand = true;
  hookScope: HookScope | null = null;
  /** Every scope placed, in order. */
  readonly hookScopes: Array<HookScope | null> = [];
  /** Tabs the page scripts were injected into (injectHooks). */
  readonly injections: number[] = [];
  clock = 1_750_000_000_000;
  timers: Timer[] = [];
  timerSeq = 0;
  current: FakePlatform | null = null;

  /** A new worker life; the previous one dies with its listeners and timers. */
  platform(): FakePlatform {
    this.kill();
    this.current = new FakePlatform(this);
    return this.current;
  }

  kill(): void {
    const old = this.current;
    if (!old) return;
    old.alive = false;
    for (const s of old.sets) s.removed = true;
    // A stopped worker drops its ports: the pages hear onDisconnect.
    for (const p of this.ports) if (p.life === old) p.drop();
    this.timers = this.timers.filter((t) => t.life !== old);
    this.current = null;
  }

  badgeOf(tab: number): { text: string; color: string; title: string } {
    let b = this.badges.get(tab);
    if (!b) this.badges.set(tab, (b = { text: "", color: "", title: "" }));
    return b;
  }

  /** Dispatches a webRequest event to every live set whose filter matches, as the browser does (only the events the platform listens to). */
  emit(event: WebRequestEvent, d: RawRequestDetails): void {
    const life = this.current;
    if (!life || !LISTENED_EVENTS.includes(event)) return;
    // The platform's own onRequestError listener: fetch-like types of every tab (platform/background.ts).
    if (event === "errorOccurred" && ["xmlhttprequest", "other"].includes(d.type)) {
      for (const cb of life.errorCbs) cb(JSON.parse(JSON.stringify(d)));
    }
    for (const s of [...life.sets]) {
      if (s.removed) continue;
      if (s.filter.tabId !== undefined && s.filter.tabId !== -1 && s.filter.tabId !== d.tabId) continue;
      if (s.filter.types && !s.filter.types.includes(d.type)) continue;
      s.handler(event, JSON.parse(JSON.stringify(d)));
    }
  }

  /** A top-level navigation: start, then commit. */
  navigate(tabId: number, url: string): void {
    this.tabUrls.set(tabId, url);
    for (const cb of this.current?.navCbs ?? []) cb({ tabId, url, phase: "start" });
    this.clock += 5;
    for (const cb of this.current?.navCbs ?? []) cb({ tabId, url, phase: "commit" });
  }

  closeTab(tabId: number): void {
    this.tabUrls.delete(tabId);
    for (const cb of this.current?.removedCbs ?? []) cb(tabId);
  }

  /** Opens a port from `senderUrl` (the panel page by default) to the live worker, if there is one. */
  connect(name: string, senderUrl = PANEL_URL, senderId = EXTENSION_ID): FakePort {
    const port = new FakePort(name, senderUrl, senderId);
    this.ports.push(port);
    const life = this.current;
    if (life) {
      port.life = life;
      const end = port.workerEnd();
      for (const cb of life.connectCbs) cb(end);
    }
    return port;
  }

  /**
   * The extension pages' platform (panel, devtools page, options) over this browser: connect()
   * opens a port to the live worker, storage is the browser's storage.local.
   */
  panelPlatform(o: { copy?: (text: string) => Promise<boolean>; theme?: string | null; storage?: Map<string, unknown> } = {}): FakePanelPlatform {
    const w = this;
    const storage = o.storage ?? new Map<string, unknown>();
    const p: FakePanelPlatform = {
      ports: [],
      storage,
      copies: [],
      failConnects: 0,
      theme: o.theme ?? null,
      get port(): FakePort {
        const last = p.ports[p.ports.length - 1];
        if (!last) throw new Error("no port opened");
        return last;
      },
      connect() {
        if (p.failConnects > 0) {
          p.failConnects--;
          throw new Error("Extension context invalidated.");
        }
        const port = w.connect(PORT_NAME);
        p.ports.push(port);
        return port;
      },
      async storageGet(keys) {
        return Object.fromEntries(keys.filter((k) => storage.has(k)).map((k) => [k, clone(storage.get(k))]));
      },
      async storageSet(items) {
        for (const [k, v] of Object.entries(items)) storage.set(k, clone(v));
      },
      themeName: () => p.theme,
      onThemeChanged: () => () => {},
      async copyText(text) {
        p.copies.push(text);
        return o.copy ? o.copy(text) : true;
      },
    };
    return p;
  }

  /** A runtime message to the background; the first answer a listener gives (undefined: none). */
  message(m: unknown, sender: MessageSender): Promise<unknown> | undefined {
    let answer: Promise<unknown> | undefined;
    for (const cb of this.current?.messageCbs ?? []) answer ??= cb(JSON.parse(JSON.stringify(m)), sender);
    return answer?.then((a) => JSON.parse(JSON.stringify(a ?? null)) as unknown);
  }

  /** Moves the clock, running due timers in order. */
  advance(ms: number): void {
    const end = this.clock + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.clock = Math.max(this.clock, due.at);
      due.fn();
    }
    this.clock = end;
  }
}
