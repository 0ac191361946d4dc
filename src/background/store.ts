// Bounded per-tab store, persisted incrementally to storage.session so a stopped MV3 worker
// (https://developer.chrome.com/docs/extensions/develop/concepts/service-workers/lifecycle) loses
// no completed exchange. Layout, per tab:
//   cl:i:<tab>     small index: chunk list, counters, page (read on start)
//   cl:c:<tab>:<n> a chunk of up to `chunkSize` entries, read only when a panel asks
// Chunks are append-only within one worker life: a new life (and a new page) always opens a new
// chunk, so a chunk is only ever rewritten from its complete contents in memory, never from a
// partial list. A chunk and the index that lists it are written in the same set() call.
// Writes are gathered for `delayMs` (the engine: 250 ms): under capture a write per settled
// request rewrote the open chunk ~2,000 times per 2,000 requests. A worker is stopped only after
// 30 s without events, so the delay loses nothing but to a crash or a forced stop. A chunk is written as one JSON
// string, not as an array of objects: storage.set converts and checks an object value property by
// property in the worker's extension bindings, which cost ~1 ms per entry (a CPU profile of the
// worker under capture: most of CORS Lens's own time), while JSON.stringify is V8's fast path.
// What is stored is compact: an entry without its diagnosis, which is diagnose(exchange) (assemble.ts's
// judge() and annotated() make it so) and is derived again when a chunk is read back (−40% bytes).
// storage.session holds 10 MB per extension in Chrome (QUOTA_BYTES; a set() past it fails and stores
// nothing), counted per key as the key plus the value's in-memory size, i.e. a string's length
// (extensions/browser/api/storage/session_storage_manager.cc, EstimateMemoryUsage). So the store
// keeps its chunks under `budget` bytes across all tabs and evicts the oldest chunk first among
// the tabs over an equal share, counting its entries as that tab's dropped.
// A full chunk is stored deflated (raw deflate, then base64: storage values are JSON, and base64 is
// 4/3 of the bytes where a binary string would be ~3/2 in UTF-8): captured exchanges repeat their
// header names, origins and values, so a chunk of 25 of the bench corpus stores in ~1/9 of its JSON
// (70 bytes per entry against 759); real traffic's unique values (tokens, ids, dates) deflate less.
// The entries in memory are bounded apart, by their JSON's size (`memoryBudget`): the worker's heap,
// not the quota, is what binds then (bench B2).
import { deflateSync, inflateSync, strFromU8, strToU8 } from "fflate";
import { diagnose } from "../core/diagnose";
import type { StorageArea } from "../platform/background";
import type { Diagnosis } from "../core/types";
import type { Entry } from "../shared/protocol";

export interface TabMeta {
  page: number;
  pageUrl: string;
  preserve: boolean;
  dropped: number;
  /** Blocked exchanges and unexplained rejections on the current page (the badge). */
  blocked: number;
  suspected: number;
  missed: number;
  /** Badge title: the latest failure in a few words. */
  lastFailure: string | null;
}

interface ChunkRef {
  n: number;
  len: number;
  page: number;
  /** Bytes of its last write (key + stored value), 0 before it. */
  b?: number;
  /** Bytes of its JSON at its last write (key + JSON, before deflating): what it holds in memory. */
  r?: number;
  /** Start time of its first entry: the age order across tabs. */
  t?: number;
}

interface TabIndex extends TabMeta {
  v: 1;
  chunks: ChunkRef[];
  /** Entries of the first chunk already dropped. */
  skip: number;
  next: number;
  /** Ids of the latest entries, to refuse duplicates across worker lives without reading chunks. */
  recent: string[];
}

interface TabData {
  index: TabIndex;
  /** Chunk contents known in memory: every chunk of this life, and older ones once loaded. */
  cache: Map<number, Entry[]>;
  ids: Set<string>;
  open: number | null;
  dirty: Set<number>;
  indexDirty: boolean;
}

const TABS_KEY = "cl:tabs";
const idxKey = (tab: number) => `cl:i:${tab}`;
const chunkKey = (tab: number, n: number) => `cl:c:${tab}:${n}`;
const RECENT = 64;

function newIndex(): TabIndex {
  return { v: 1, chunks: [], skip: 0, next: 0, recent: [], page: 0, pageUrl: "", preserve: false, dropped: 0,
    blocked: 0, suspected: 0, missed: 0, lastFailure: null };
}

type Stored = Omit<Entry, "diagnosis">;

const compact = (e: Entry): Stored => {
  const { diagnosis: _, ...rest } = e;
  return rest;
};

/**
 * A stored entry read back, its diagnosis derived on first read (an accessor that memoizes): a new
 * worker life answers a panel's first page of 100 without judging every stored exchange first
 * (bench B4r, 8,150 held, after a worker stop: first SNAPSHOT 247–261 → 200–226 ms). Port
 * messaging and JSON.stringify read accessors like data properties.
 */
function revive(e: Stored): Entry {
  let d: Diagnosis | undefined;
  Object.defineProperty(e, "diagnosis", {
    enumerable: true, configurable: true,
    get: () => (d ??= judgeStored(e.exchange)),
    set: (v: Diagnosis) => { d = v; },
  });
  return e as Entry;
}

/** diagnose(), or for a stored exchange it cannot judge (a bug, not input: only we write the store) a verdict that says so. */
function judgeStored(ex: Entry["exchange"]): Diagnosis {
  try {
    return diagnose(ex);
  } catch (err) {
    return { id: ex.id, blocked: false, stage: null, hop: null, code: null, failedParameter: null, header: null, received: null, expected: null,
      credentials: { mode: ex.request.credentials === "include" || ex.request.credentials === "omit" ? ex.request.credentials : "same-origin", inferred: true }, firefox: null, warnings: [],
      message: `CORS Lens could not judge this stored exchange again (${err instanceof Error ? err.message : String(err)}).` };
  }
}

/** Marks a deflated chunk; a chunk without it is plain JSON (what a build before deflating wrote, or a chunk deflating made no smaller). */
const DEFLATED = "z:";

function toBase64(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

function fromBase64(text: string): Uint8Array {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * A chunk's JSON as stored: deflated when that is smaller. Synchronous (fflate), not
 * CompressionStream: a write is then one task, and nothing can be dropped while it is deflated.
 * Level 3: 11–19 µs per entry (levels 1–4 within that noise), 7% larger than level 6 (bench corpus,
 * chunks of 25).
 */
export function packChunk(json: string): string {
  const packed = DEFLATED + toBase64(deflateSync(strToU8(json), { level: 3 }));
  return packed.length < json.length ? packed : json;
}

/** A stored chunk's JSON text, inflated; null when it cannot be. */
export function unpackChunk(x: unknown): unknown {
  if (typeof x !== "string" || !x.startsWith(DEFLATED)) return x;
  try {
    return strFromU8(inflateSync(fromBase64(x.slice(DEFLATED.length))));
  } catch {
    return null;
  }
}

/** A stored chunk (a JSON string of compact entries); null when unreadable. An entry without an exchange is skipped. */
function readChunk(stored: unknown): Entry[] | null {
  const x = unpackChunk(stored);
  let v: unknown;
  try {
    v = typeof x === "string" ? JSON.parse(x) : x;
  } catch {
    return null;
  }
  if (!Array.isArray(v)) return null;
  const out: Entry[] = [];
  for (const e of v as Stored[]) {
    const ex = (e as Partial<Stored> | null)?.exchange;
    if (typeof ex !== "object" || ex === null || typeof ex.id !== "string" || typeof ex.request !== "object" || ex.request === null) continue;
    out.push(revive(e));
  }
  return out;
}

/** Chrome's storage.session quota is 10 MiB; the rest is for indexes, the policy's state and headroom. */
export const STORE_BUDGET = 8 * 1024 * 1024;
/**
 * The entries held in memory, as the JSON size of their chunks, across all tabs: one tab's 10,000
 * (the per-tab bound) of ~1.1 KB each fit, and the worker's retained heap stays ≤ 30 MB (bench B2).
 */
export const MEMORY_BUDGET = 12 * 1024 * 1024;

/** A chunk's JSON size (its stored size for chunks an earlier build wrote, which were plain JSON). */
const rawOf = (ref: ChunkRef): number => ref.r ?? ref.b ?? 0;

function isIndex(x: unknown): x is TabIndex {
  return typeof x === "object" && x !== null && (x as TabIndex).v === 1 && Array.isArray((x as TabIndex).chunks);
}

export interface StoreOptions {
  /** Entries per tab. */
  limit?: number;
  /** Bytes of stored chunks across all tabs (STORE_BUDGET). */
  budget?: number;
  /** Bytes of the stored chunks' JSON across all tabs (MEMORY_BUDGET). */
  memoryBudget?: number;
  /** false: chunks are stored as plain JSON (tests of the eviction order, which need chunks of equal size). */
  deflate?: boolean;
  chunkSize?: number;
  onError?: (e: unknown) => void;
  /** Gather changes this long before writing (0: write as soon as the previous write is done). */
  delayMs?: number;
  setTimer?: (ms: number, fn: () => void) => () => void;
}

export class Store {
  readonly limit: number;
  readonly budget: number;
  readonly memoryBudget: number;
  private chunkSize: number;
  private tabs = new Map<number, TabData>();
  private removedKeys: string[] = [];
  private tabsDirty = false;
  private chain: Promise<void> = Promise.resolve();
  private scheduled = false;
  private cancelTimer: (() => void) | null = null;

  constructor(private kv: StorageArea, private opts: StoreOptions = {}) {
    this.limit = opts.limit ?? 10_000;
    this.budget = opts.budget ?? STORE_BUDGET;
    this.memoryBudget = opts.memoryBudget ?? MEMORY_BUDGET;
    this.chunkSize = opts.chunkSize ?? 25;
  }

  /** Reads the small indexes; chunks stay in storage until entries() needs them. */
  async load(): Promise<void> {
    const got = await this.kv.get([TABS_KEY]);
    const list = Array.isArray(got[TABS_KEY]) ? (got[TABS_KEY] as unknown[]).filter((t): t is number => Number.isInteger(t)) : [];
    if (!list.length) return;
    const idx = await this.kv.get(list.map(idxKey));
    for (const tab of list) {
      const index = idx[idxKey(tab)];
      if (isIndex(index) && !this.tabs.has(tab)) {
        this.tabs.set(tab, { index, cache: new Map(), ids: new Set(), open: null, dirty: new Set(), indexDirty: false });
      }
    }
  }

  has(tab: number): boolean {
    return this.tabs.has(tab);
  }

  tabIds(): number[] {
    return [...this.tabs.keys()];
  }

  meta(tab: number): TabMeta {
    return this.tab(tab).index;
  }

  /** Changes counters / title of the current page. */
  bump(tab: number, change: Partial<Pick<TabMeta, "blocked" | "suspected" | "missed">> & { lastFailure?: string | null }): void {
    const t = this.tab(tab);
    const i = t.index;
    if (change.blocked) i.blocked = Math.max(0, i.blocked + change.blocked);
    if (change.suspected) i.suspected += change.suspected;
    if (change.missed) i.missed += change.missed;
    if (change.lastFailure !== undefined) i.lastFailure = change.lastFailure;
    this.touch(t);
  }

  /** Appends one entry; false when an entry with that exchange id is already stored. */
  add(tab: number, entry: Entry): boolean {
    const t = this.tab(tab);
    const id = entry.exchange.id;
    if (t.ids.has(id) || t.index.recent.includes(id)) return false;
    const i = t.index;
    let ref = t.open === null ? undefined : i.chunks.find((c) => c.n === t.open);
    if (!ref || ref.len >= this.chunkSize) {
      ref = { n: i.next++, len: 0, page: i.page, b: 0, t: entry.start };
      i.chunks.push(ref);
      t.cache.set(ref.n, []);
      t.open = ref.n;
    }
    t.cache.get(ref.n)!.push(entry);
    ref.len++;
    t.ids.add(id);
    i.recent.push(id);
    if (i.recent.length > RECENT) i.recent.shift();
    t.dirty.add(ref.n);
    const over = this.count(t) - this.limit;
    if (over > 0) {
      this.dropFront(tab, t, over);
      i.dropped += over;
    }
    this.touch(t);
    return true;
  }

  /** Whether the tab still holds this entry (not dropped since it was listed). */
  holds(tab: number, id: string): boolean {
    return this.tabs.get(tab)?.ids.has(id) ?? false;
  }

  /** The stored entry with this id, when it is in memory (this worker life, or loaded). */
  find(tab: number, id: string): Entry | undefined {
    const t = this.tabs.get(tab);
    if (!t || !t.ids.has(id)) return undefined;
    for (const items of t.cache.values()) {
      const e = items.find((x) => x.exchange.id === id);
      if (e) return e;
    }
    return undefined;
  }

  /** The newest in-memory entries of the current page, newest first. */
  recent(tab: number, max: number): Entry[] {
    const t = this.tabs.get(tab);
    if (!t) return [];
    const out: Entry[] = [];
    const refs = t.index.chunks;
    for (let c = refs.length - 1; c >= 0 && out.length < max; c--) {
      const ref = refs[c]!;
      if (ref.page !== t.index.page) break;
      const items = t.cache.get(ref.n);
      if (!items) break;
      for (let k = items.length - 1; k >= 0 && out.length < max; k--) out.push(items[k]!);
    }
    return out;
  }

  /** Replaces an in-memory entry (same exchange id). */
  update(tab: number, entry: Entry): boolean {
    const t = this.tabs.get(tab);
    const id = entry.exchange.id;
    if (!t || !t.ids.has(id)) return false;
    // Newest chunk first: the page hook's report that updates an entry follows it closely.
    const refs = t.index.chunks;
    for (let c = refs.length - 1; c >= 0; c--) {
      const n = refs[c]!.n;
      const items = t.cache.get(n);
      if (!items) continue;
      for (let k = items.length - 1; k >= 0; k--) {
        if (items[k]!.exchange.id !== id) continue;
        items[k] = entry;
        t.dirty.add(n);
        this.touch(t);
        return true;
      }
    }
    return false;
  }

  /** All entries of the tab, oldest first, reading chunks of earlier worker lives on first use. */
  entries(tab: number): Promise<Entry[]> {
    return this.read(tab, Infinity);
  }

  /**
   * The tab's oldest entries, at least `n` of them when it holds that many, reading only the chunks
   * they are in: a new worker life answers a panel's first page without reading ~8 MB back first.
   */
  firstEntries(tab: number, n: number): Promise<Entry[]> {
    return this.read(tab, n);
  }

  /** How many entries the tab holds. */
  size(tab: number): number {
    const t = this.tabs.get(tab);
    return t ? this.count(t) : 0;
  }

  /** The id of the tab's newest entry. */
  lastId(tab: number): string | null {
    const t = this.tabs.get(tab);
    return t?.index.recent[t.index.recent.length - 1] ?? null;
  }

  private async read(tab: number, want: number): Promise<Entry[]> {
    const t = this.tabs.get(tab);
    if (!t) return [];
    // The chunks that hold the first `want` entries.
    let upto = 0;
    for (let c = 0, n = -t.index.skip; c < t.index.chunks.length && n < want; c++) {
      n += t.index.chunks[c]!.len;
      upto = c + 1;
    }
    const missing = t.index.chunks.slice(0, upto).filter((c) => !t.cache.has(c.n)).map((c) => chunkKey(tab, c.n));
    if (missing.length) {
      const got = await this.kv.get(missing);
      // The tab may have been cleared, closed or trimmed meanwhile: only fill chunks still listed.
      if (this.tabs.get(tab) !== t) return [];
      for (const ref of t.index.chunks) {
        if (t.cache.has(ref.n)) continue;
        const items = readChunk(got[chunkKey(tab, ref.n)]);
        if (!items) continue;
        t.cache.set(ref.n, items as Entry[]);
        for (const e of items as Entry[]) t.ids.add(e.exchange.id);
      }
    }
    const out: Entry[] = [];
    for (const [c, ref] of t.index.chunks.entries()) {
      if (out.length >= want) break;
      // Not in memory: unreadable, or (firstEntries) not read.
      const items = t.cache.get(ref.n) ?? [];
      out.push(...(c === 0 ? items.slice(t.index.skip) : items));
    }
    return out;
  }

  /** A top-level navigation: a new page. The previous page stays (for "preserve log"); older ones go unless preserved. */
  navigate(tab: number, url: string): void {
    const t = this.tab(tab);
    const i = t.index;
    i.page++;
    i.pageUrl = url;
    i.blocked = i.suspected = i.missed = 0;
    i.lastFailure = null;
    t.open = null;
    if (!i.preserve) {
      let n = 0;
      for (const [c, ref] of i.chunks.entries()) {
        if (ref.page >= i.page - 1) break;
        n += ref.len - (c === 0 ? i.skip : 0);
      }
      if (n > 0) this.dropFront(tab, t, n);
    }
    this.touch(t);
  }

  setPreserve(tab: number, on: boolean): void {
    const t = this.tab(tab);
    t.index.preserve = on;
    this.touch(t);
  }

  /** Removes every entry and counter of the tab (the panel's Clear). */
  clear(tab: number): void {
    const t = this.tab(tab);
    const i = t.index;
    for (const ref of i.chunks) this.removedKeys.push(chunkKey(tab, ref.n));
    i.chunks = [];
    i.skip = 0;
    i.dropped = i.blocked = i.suspected = i.missed = 0;
    i.lastFailure = null;
    i.recent = [];
    t.cache.clear();
    t.ids.clear();
    t.dirty.clear();
    t.open = null;
    this.touch(t);
  }

  /** The tab closed: everything it had goes. */
  removeTab(tab: number): void {
    const t = this.tabs.get(tab);
    if (!t) return;
    for (const ref of t.index.chunks) this.removedKeys.push(chunkKey(tab, ref.n));
    this.removedKeys.push(idxKey(tab));
    this.tabs.delete(tab);
    this.tabsDirty = true;
    this.schedule();
  }

  /** Writes what is gathered now, and resolves once everything changed so far is written. */
  flush(): Promise<void> {
    if (this.cancelTimer) {
      this.cancelTimer();
      this.run();
    }
    return this.chain;
  }

  private tab(tab: number): TabData {
    let t = this.tabs.get(tab);
    if (!t) {
      t = { index: newIndex(), cache: new Map(), ids: new Set(), open: null, dirty: new Set(), indexDirty: true };
      this.tabs.set(tab, t);
      this.tabsDirty = true;
    }
    return t;
  }

  private count(t: TabData): number {
    let n = -t.index.skip;
    for (const ref of t.index.chunks) n += ref.len;
    return n;
  }

  private dropFront(tab: number, t: TabData, n: number): void {
    const i = t.index;
    while (n > 0 && i.chunks.length) {
      const first = i.chunks[0]!;
      const left = first.len - i.skip;
      const items = t.cache.get(first.n);
      if (n >= left) {
        i.chunks.shift();
        i.skip = 0;
        n -= left;
        for (const e of items ?? []) t.ids.delete(e.exchange.id);
        t.cache.delete(first.n);
        t.dirty.delete(first.n);
        if (t.open === first.n) t.open = null;
        this.removedKeys.push(chunkKey(tab, first.n));
      } else {
        for (const e of items?.slice(i.skip, i.skip + n) ?? []) t.ids.delete(e.exchange.id);
        i.skip += n;
        n = 0;
      }
    }
  }

  private touch(t: TabData): void {
    t.indexDirty = true;
    this.schedule();
  }

  /** One write in flight at a time; whatever changed meanwhile goes in the next one (small batches). */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const delay = this.opts.delayMs ?? 0;
    if (delay > 0 && this.opts.setTimer) this.cancelTimer = this.opts.setTimer(delay, () => this.run());
    else this.run();
  }

  private run(): void {
    this.cancelTimer = null;
    this.chain = this.chain.then(() => {
      this.scheduled = false;
      return this.write();
    });
  }

  private async write(): Promise<void> {
    const items: Record<string, unknown> = {};
    for (const [tab, t] of this.tabs) {
      for (const n of t.dirty) {
        const chunk = t.cache.get(n);
        const ref = t.index.chunks.find((c) => c.n === n);
        if (!chunk || !ref) continue;
        const key = chunkKey(tab, n);
        const json = JSON.stringify(chunk.map(compact));
        // Only a full chunk is deflated: the open one is rewritten at every write while it fills, and
        // deflating it each time too cost about half as much CPU as all the event handlers (B2 profile:
        // packChunk 912 ms against 1,655; 758 ms full chunks only). A chunk left part-full (a new page,
        // a new worker life) stays plain JSON; the byte budget counts it as stored.
        const stored = this.opts.deflate === false || ref.len < this.chunkSize ? json : packChunk(json);
        items[key] = stored;
        ref.b = key.length + stored.length;
        ref.r = key.length + json.length;
      }
      t.dirty.clear();
    }
    this.evict(items);
    for (const [tab, t] of this.tabs) {
      if (t.indexDirty) items[idxKey(tab)] = t.index;
      t.indexDirty = false;
    }
    if (this.tabsDirty) items[TABS_KEY] = [...this.tabs.keys()];
    this.tabsDirty = false;
    const removed = this.removedKeys.filter((k) => !(k in items));
    this.removedKeys = [];
    try {
      if (Object.keys(items).length) await this.kv.set(items);
      if (removed.length) await this.kv.remove(removed);
    } catch (e) {
      this.opts.onError?.(e);
    }
  }

  /** Bytes of every stored chunk, all tabs. */
  bytes(): number {
    let n = 0;
    for (const t of this.tabs.values()) for (const ref of t.index.chunks) n += ref.b ?? 0;
    return n;
  }

  /** Bytes of every stored chunk's JSON, all tabs (what memoryBudget bounds). */
  rawBytes(): number {
    let n = 0;
    for (const t of this.tabs.values()) for (const ref of t.index.chunks) n += rawOf(ref);
    return n;
  }

  /**
   * Over a budget (stored bytes, or their JSON in memory): the oldest chunk goes first, among the
   * tabs holding more than an equal share of what is over, and its entries count as that tab's
   * dropped. A quiet tab keeps what it has while a busy one fills the store
   * (test/e2e/hostile.test.ts: a 10,000-request burst next to a tab of 20).
   */
  private evict(items: Record<string, unknown>): void {
    // Each tab's bytes, summed once per write and kept as chunks go (not re-summed per eviction).
    const stored = new Map<TabData, number>();
    const raw = new Map<TabData, number>();
    let total = 0;
    let totalRaw = 0;
    for (const t of this.tabs.values()) {
      let b = 0;
      let r = 0;
      for (const ref of t.index.chunks) {
        b += ref.b ?? 0;
        r += rawOf(ref);
      }
      stored.set(t, b);
      raw.set(t, r);
      total += b;
      totalRaw += r;
    }
    while (total > this.budget || totalRaw > this.memoryBudget) {
      const [by, budget] = total > this.budget ? [stored, this.budget] : [raw, this.memoryBudget];
      const held = [...this.tabs].filter(([, t]) => t.index.chunks.length > 0);
      const share = budget / Math.max(1, held.length);
      let oldest: [number, TabData] | null = null;
      for (const [tab, t] of held) {
        const first = t.index.chunks[0]!;
        if (by.get(t)! > share && (!oldest || (first.t ?? 0) < (oldest[1].index.chunks[0]!.t ?? 0))) oldest = [tab, t];
      }
      if (!oldest) return;
      const [tab, t] = oldest;
      const first = t.index.chunks[0]!;
      const left = first.len - t.index.skip;
      total -= first.b ?? 0;
      totalRaw -= rawOf(first);
      stored.set(t, stored.get(t)! - (first.b ?? 0));
      raw.set(t, raw.get(t)! - rawOf(first));
      this.dropFront(tab, t, left);
      t.index.dropped += left;
      t.indexDirty = true;
      delete items[chunkKey(tab, first.n)];
    }
  }

}
