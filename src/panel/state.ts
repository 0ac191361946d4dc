// The panel's store: one reducer over the background's messages and the UI's actions, plus the
// (memoized) filtering the list and the keyboard share. No DOM, no browser APIs.
import { MSG, type BackgroundMessage, type Entry, type SnapshotMessage } from "../shared/protocol";
import { entryId, isCredentialed, preflightOf, statusOf } from "./entry";
import { sortEntries, type SortSpec } from "./columns";

export interface Filters {
  text: string;
  blockedOnly: boolean;
  credentialedOnly: boolean;
}

/** "connecting": first port not answered yet; "reconnecting": the port dropped (MV3 worker stopped); "unavailable": no extension context. */
export type ConnectionStatus = "connecting" | "connected" | "reconnecting" | "unavailable";

/** The background's view of the tab, as the last SNAPSHOT (and live messages since) told it. */
type TabView = Omit<SnapshotMessage, "type" | "tabId" | "entries">;

export interface PanelState extends TabView {
  tabId: number | null;
  connection: ConnectionStatus;
  /** Whether a SNAPSHOT has been applied since the panel opened. */
  ready: boolean;
  entries: readonly Entry[];
  filters: Filters;
  /** The list's order: a column and direction, or null for capture order. */
  sort: SortSpec | null;
  selectedId: string | null;
  detailOpen: boolean;
  /** Cookie / Authorization values shown in clear (reset when the selection changes). */
  reveal: boolean;
}

export type Action =
  | { type: "messages"; messages: readonly BackgroundMessage[] }
  | { type: "connection"; status: ConnectionStatus }
  | { type: "filter"; patch: Partial<Filters> }
  | { type: "sort"; sort: SortSpec | null }
  | { type: "select"; id: string | null; open?: boolean }
  | { type: "move"; to: number | "first" | "last" }
  | { type: "open" }
  | { type: "close" }
  | { type: "reveal"; on: boolean }
  | { type: "clear" }
  | { type: "preserve"; on: boolean }
  | { type: "alwaysCapture"; on: boolean };

/** The panel keeps at most this many entries (oldest dropped first) between two snapshots. */
export const MAX_ENTRIES = 20000;

export function initialState(tabId: number | null): PanelState {
  return {
    tabId,
    connection: tabId === null ? "unavailable" : "connecting",
    ready: false,
    page: 0,
    pageUrl: "",
    entries: [],
    dropped: 0,
    captureLevel: "full",
    missed: 0,
    suspected: 0,
    preserve: false,
    site: null,
    alwaysCapture: false,
    filters: { text: "", blockedOnly: false, credentialedOnly: false },
    sort: null,
    selectedId: null,
    detailOpen: false,
    reveal: false,
  };
}

/** A batch being applied: the state so far and a copy-on-write entry list (one copy per batch, not per message). */
class Batch {
  entries: Entry[] | null = null;
  private index: Map<string, number> | null = null;
  dropped: number;

  constructor(public s: PanelState) {
    this.dropped = s.dropped;
  }

  list(): Entry[] {
    return (this.entries ??= [...this.s.entries]);
  }

  replace(entries: Entry[]): void {
    this.entries = entries;
    this.index = null;
  }

  upsert(entry: Entry): void {
    if (!this.index) {
      this.index = new Map();
      this.list().forEach((e, i) => this.index!.set(entryId(e), i));
    }
    const id = entryId(entry);
    const at = this.index.get(id);
    if (at !== undefined) this.list()[at] = entry;
    else {
      this.index.set(id, this.list().length);
      this.list().push(entry);
    }
  }
}

type Down = BackgroundMessage["type"];
/** What each message the background sends does to the panel: one entry per PanelChannel down message (the compiler checks all are here). */
const APPLY: { [K in Down]: (b: Batch, m: Extract<BackgroundMessage, { type: K }>) => void } = {
  [MSG.SNAPSHOT]: (b, m) => {
    b.replace([...m.entries]);
    b.dropped = m.dropped;
    b.s = {
      ...b.s, ready: true, connection: "connected", tabId: m.tabId, page: m.page, pageUrl: m.pageUrl,
      captureLevel: m.captureLevel, missed: m.missed, suspected: m.suspected, preserve: m.preserve,
      site: m.site, alwaysCapture: m.alwaysCapture, more: m.more ?? 0,
    };
  },
  [MSG.SNAPSHOT_MORE]: (b, m) => {
    if (m.tabId !== b.s.tabId) return;
    for (const e of m.entries) b.upsert(e);
    b.s = { ...b.s, more: m.more };
  },
  [MSG.EXCHANGE_ADDED]: (b, m) => b.upsert(m.entry),
  [MSG.EXCHANGE_UPDATED]: (b, m) => b.upsert(m.entry),
  [MSG.CLEARED]: (b) => {
    b.replace([]);
    b.dropped = 0;
    b.s = { ...b.s, missed: 0, suspected: 0 };
  },
  [MSG.NAVIGATED]: (b, m) => {
    if (!b.s.preserve) {
      b.replace(b.list().filter((e) => e.page >= m.page));
      b.dropped = 0;
    }
    // An open panel means full capture: the new page is recorded from its first request.
    b.s = { ...b.s, page: m.page, pageUrl: m.url, captureLevel: "full", missed: 0, suspected: 0 };
  },
};

function applyMessages(state: PanelState, messages: readonly BackgroundMessage[]): PanelState {
  const b = new Batch(state);
  for (const m of messages) (APPLY[m.type] as (b: Batch, m: BackgroundMessage) => void)(b, m);
  if (b.entries === null) return b.s === state ? state : b.s;
  const all: Entry[] = b.entries;
  let dropped = b.dropped;
  if (all.length > MAX_ENTRIES) {
    const over = all.length - MAX_ENTRIES;
    all.splice(0, over);
    dropped += over;
  }
  return keepSelection({ ...b.s, entries: all, dropped });
}

/** Drops the selection (and closes the detail) when the selected entry is gone. */
function keepSelection(s: PanelState): PanelState {
  if (s.selectedId === null) return s;
  if (s.entries.some((e) => entryId(e) === s.selectedId)) return s;
  return { ...s, selectedId: null, detailOpen: false, reveal: false };
}

export function reduce(state: PanelState, action: Action): PanelState {
  switch (action.type) {
    case "messages":
      return action.messages.length ? applyMessages(state, action.messages) : state;
    case "connection":
      return state.connection === action.status ? state : { ...state, connection: action.status };
    case "filter":
      return { ...state, filters: { ...state.filters, ...action.patch } };
    case "sort":
      return { ...state, sort: action.sort };
    case "select": {
      const changed = action.id !== state.selectedId;
      return {
        ...state,
        selectedId: action.id,
        detailOpen: action.id === null ? false : action.open ?? state.detailOpen,
        reveal: changed ? false : state.reveal,
      };
    }
    case "move": {
      const visible = visibleEntries(state.entries, state.filters, state.sort);
      if (!visible.length) return state;
      const cur = state.selectedId === null ? -1 : visible.findIndex((e) => entryId(e) === state.selectedId);
      let next: number;
      if (action.to === "first") next = 0;
      else if (action.to === "last") next = visible.length - 1;
      else if (cur === -1) next = action.to > 0 ? 0 : visible.length - 1;
      else next = Math.min(visible.length - 1, Math.max(0, cur + action.to));
      return reduce(state, { type: "select", id: entryId(visible[next]!) });
    }
    case "open":
      return state.selectedId === null || state.detailOpen ? state : { ...state, detailOpen: true };
    case "close":
      return state.detailOpen ? { ...state, detailOpen: false } : state;
    case "reveal":
      return { ...state, reveal: action.on };
    case "clear":
      return { ...state, entries: [], dropped: 0, missed: 0, suspected: 0, selectedId: null, detailOpen: false, reveal: false };
    case "preserve":
      return { ...state, preserve: action.on };
    case "alwaysCapture":
      return { ...state, alwaysCapture: action.on };
  }
}

// ---- Derived data ----

const haystacks = new WeakMap<Entry, string>();

/** The lower-cased text a filter term is matched against (computed once per entry). */
function haystack(e: Entry): string {
  let h = haystacks.get(e);
  if (h === undefined) {
    const d = e.diagnosis;
    h = [
      e.exchange.request.method, e.exchange.request.url, e.exchange.request.origin, statusOf(e),
      d.code ?? "", d.firefox ?? "", d.networkError ?? "", d.credentials?.mode ?? "", d.stage ?? "", e.type,
      preflightOf(e) === "none" ? "" : "preflight " + preflightOf(e),
    ].join("\n").toLowerCase();
    haystacks.set(e, h);
  }
  return h;
}

type Matcher = (e: Entry) => boolean;

/**
 * Text filter, as in DevTools' Network panel: space-separated terms that must all match
 * (case-insensitive, over method, URL, origin, status, code…); "-term" excludes; "/re/" is a regular expression.
 */
export function textMatcher(text: string): Matcher | null {
  const terms = text.trim().split(/\s+/).filter(Boolean);
  if (!terms.length) return null;
  const tests = terms.map((raw): Matcher => {
    const negate = raw.startsWith("-") && raw.length > 1;
    const t = negate ? raw.slice(1) : raw;
    let test: (h: string) => boolean;
    const re = /^\/(.+)\/$/.exec(t);
    let regex: RegExp | null = null;
    if (re) {
      try {
        regex = new RegExp(re[1]!, "i");
      } catch {
        regex = null;
      }
    }
    if (regex) {
      const r = regex;
      test = (h) => r.test(h);
    } else {
      const lower = t.toLowerCase();
      test = (h) => h.includes(lower);
    }
    return negate ? (e) => !test(haystack(e)) : (e) => test(haystack(e));
  });
  return (e) => tests.every((f) => f(e));
}

let memo: { entries: readonly Entry[]; text: string; blocked: boolean; cred: boolean; sort: SortSpec | null; out: readonly Entry[] } | null = null;

/** The entries the list shows, in its order; memoized on the entries array, the filters and the sort. */
export function visibleEntries(entries: readonly Entry[], f: Filters, sort: SortSpec | null = null): readonly Entry[] {
  if (memo && memo.entries === entries && memo.text === f.text && memo.blocked === f.blockedOnly && memo.cred === f.credentialedOnly &&
      memo.sort?.column === sort?.column && memo.sort?.dir === sort?.dir) {
    return memo.out;
  }
  const text = textMatcher(f.text);
  let out: readonly Entry[];
  if (!text && !f.blockedOnly && !f.credentialedOnly) {
    out = entries;
  } else {
    out = entries.filter((e) =>
      (!f.blockedOnly || e.diagnosis.blocked) && (!f.credentialedOnly || isCredentialed(e)) && (!text || text(e)));
  }
  out = sortEntries(out, sort);
  memo = { entries, text: f.text, blocked: f.blockedOnly, cred: f.credentialedOnly, sort, out };
  return out;
}

let countMemo: { entries: readonly Entry[]; blocked: number } | null = null;

export function blockedCount(entries: readonly Entry[]): number {
  if (countMemo?.entries === entries) return countMemo.blocked;
  let n = 0;
  for (const e of entries) if (e.diagnosis.blocked) n++;
  countMemo = { entries, blocked: n };
  return n;
}

export function selectedEntry(s: PanelState): Entry | null {
  if (s.selectedId === null) return null;
  return s.entries.find((e) => entryId(e) === s.selectedId) ?? null;
}

/** Whether to show the "not capturing fully" bar, and what it says. */
export function captureGap(s: PanelState): string | null {
  if (!s.ready) return null;
  if (s.suspected > 0) {
    return `CORS Lens was not capturing this tab fully: ${s.suspected} cross-origin ${s.suspected === 1 ? "failure was" : "failures were"} seen but not recorded.`;
  }
  if (s.missed > 0) {
    return `CORS Lens was not capturing this tab fully: ${s.missed} cross-origin ${s.missed === 1 ? "request was" : "requests were"} seen but not recorded.`;
  }
  if (s.captureLevel === "count") {
    return "CORS Lens was not capturing this tab fully: requests made before the panel opened were not recorded.";
  }
  return null;
}
