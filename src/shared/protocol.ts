// The panel ↔ background protocol: one runtime port per inspected tab, named PORT_NAME.
//   panel → background: HELLO {tabId} first, then CLEAR, SET_PRESERVE, SET_ALWAYS_CAPTURE, RELOAD_AND_CAPTURE.
//   devtools page → background: HELLO {tabId, hold: true}, then PINGs: DevTools is open on the tab,
//   whichever panel it shows, so the tab is captured fully (as the Network panel records from the
//   moment DevTools opens); such a port gets no SNAPSHOT and no live messages.
//   background → panel: SNAPSHOT once after HELLO, then EXCHANGE_ADDED / EXCHANGE_UPDATED / CLEARED / NAVIGATED.
// An open port for tab N turns on full capture for tab N. The MV3 worker drops ports when it
// stops (~30 s idle), so the panel reconnects on disconnect and sends HELLO again.
// Plus the page hook's relay (content script) ↔ background:
//   relay → background: ANNOTATE {annotations} (a batch; see readAnnotation), CAPTURE_QUERY once per document.
//   background → relay: CAPTURE_STATE {full, stamp}, as the answer to CAPTURE_QUERY and pushed to all
//   the tab's frames (tabs.sendMessage) whenever the tab enters or leaves full capture.
// Every reader here takes `unknown` and returns null for anything malformed: validate every incoming message.
import { readExchange } from "../core/exchange";
import { isToken } from "../core/fetch";
import type { CredentialsMode, Diagnosis, Exchange, RequestMode } from "../core/types";
import type { Channel } from "./bridge";
import { readCapturePattern } from "./sites";

export const PORT_NAME = "cors-lens/panel";

export const MSG = {
  HELLO: "HELLO",
  CLEAR: "CLEAR",
  SET_PRESERVE: "SET_PRESERVE",
  SET_ALWAYS_CAPTURE: "SET_ALWAYS_CAPTURE",
  RELOAD_AND_CAPTURE: "RELOAD_AND_CAPTURE",
  /** Heartbeat: each message to the worker resets Chrome's 30 s idle timer while a panel is open. */
  PING: "PING",
  SNAPSHOT: "SNAPSHOT",
  /** The rest of a SNAPSHOT, one page per SNAPSHOT_NEXT the panel sends once it has painted the last (snapshotPages). */
  SNAPSHOT_MORE: "SNAPSHOT_MORE",
  SNAPSHOT_NEXT: "SNAPSHOT_NEXT",
  EXCHANGE_ADDED: "EXCHANGE_ADDED",
  EXCHANGE_UPDATED: "EXCHANGE_UPDATED",
  CLEARED: "CLEARED",
  NAVIGATED: "NAVIGATED",
  ANNOTATE: "cors-lens/annotate",
  CAPTURE_QUERY: "cors-lens/capture-query",
  CAPTURE_STATE: "cors-lens/capture-state",
} as const;

/** "full": every event of the tab is captured; "count": only the page hook's outcomes feed the badge. */
export type CaptureLevel = "full" | "count";

/** One captured exchange with its diagnosis, as stored and as sent to the panel. */
export interface Entry {
  exchange: Exchange;
  diagnosis: Diagnosis;
  /** Page number within the tab (a top-level navigation starts a new page). */
  page: number;
  /** onBeforeRequest time (ms since the epoch). */
  start: number;
  /** When the request ended, completed or failed (ms since the epoch); absent when it was not seen. */
  end?: number;
  frameId: number;
  /** webRequest resource type (xmlhttprequest, font, …). */
  type: string;
  /** Whether the page hook told the credentials and mode (otherwise they are inferred). */
  annotated: boolean;
}

export type PanelMessage =
  | { type: typeof MSG.HELLO; tabId: number; hold?: true }
  | { type: typeof MSG.CLEAR }
  | { type: typeof MSG.SET_PRESERVE; on: boolean }
  | { type: typeof MSG.SET_ALWAYS_CAPTURE; site: string; on: boolean }
  | { type: typeof MSG.RELOAD_AND_CAPTURE }
  | { type: typeof MSG.SNAPSHOT_NEXT }
  | { type: typeof MSG.PING };

export interface SnapshotMessage {
  type: typeof MSG.SNAPSHOT;
  tabId: number;
  page: number;
  pageUrl: string;
  /** Oldest first; entries of earlier pages (page < `page`) are for "preserve log". */
  entries: Entry[];
  /** Exchanges dropped because the tab held more than the store's bound. */
  dropped: number;
  captureLevel: CaptureLevel;
  /** Page-hook reports that matched no captured request (e.g. sent before capture started). */
  missed: number;
  /** Cross-origin calls the page saw rejected that no captured exchange explains. */
  suspected: number;
  /** Page-hook reports the background received for the current page (the relay forwards only rejections below full capture). */
  reports?: number;
  preserve: boolean;
  /** The tab's host name and whether it is always captured. */
  site: string | null;
  alwaysCapture: boolean;
  /** Entries still to come in SNAPSHOT_MORE messages (absent: none). */
  more?: number;
}

export interface SnapshotMoreMessage {
  type: typeof MSG.SNAPSHOT_MORE;
  tabId: number;
  /** The next entries, oldest first, after those already sent. */
  entries: Entry[];
  /** Entries still to come after these. */
  more: number;
}

/**
 * A snapshot as the background sends it: the first SNAPSHOT_FIRST entries at once, the rest in
 * SNAPSHOT_MORE pages of SNAPSHOT_PAGE, each when the panel asks (SNAPSHOT_NEXT) after painting the
 * one before. Each message is serialized and parsed on its own, and pulled, so the panel paints its
 * first rows without waiting for 10,000 entries' JSON and their validation (pushed, the pages'
 * tasks would all run before the first frame). Live messages wait behind the last page.
 */
export const SNAPSHOT_FIRST = 100;
export const SNAPSHOT_PAGE = 1000;
export function snapshotPages(snap: SnapshotMessage): Array<SnapshotMessage | SnapshotMoreMessage> {
  const all = snap.entries;
  if (all.length <= SNAPSHOT_FIRST) return [snap];
  return [{ ...snap, entries: all.slice(0, SNAPSHOT_FIRST), more: all.length - SNAPSHOT_FIRST }, ...morePages(snap.tabId, all.slice(SNAPSHOT_FIRST))];
}

/** Entries after a first page, in SNAPSHOT_MORE pages of SNAPSHOT_PAGE; the last says more: 0. */
export function morePages(tabId: number, entries: Entry[]): SnapshotMoreMessage[] {
  const out: SnapshotMoreMessage[] = [];
  for (let i = 0; i < entries.length; i += SNAPSHOT_PAGE) {
    const page = entries.slice(i, i + SNAPSHOT_PAGE);
    out.push({ type: MSG.SNAPSHOT_MORE, tabId, entries: page, more: entries.length - i - page.length });
  }
  return out;
}

export type BackgroundMessage =
  | SnapshotMessage
  | SnapshotMoreMessage
  | { type: typeof MSG.EXCHANGE_ADDED; entry: Entry }
  | { type: typeof MSG.EXCHANGE_UPDATED; entry: Entry }
  | { type: typeof MSG.CLEARED }
  | { type: typeof MSG.NAVIGATED; page: number; url: string };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function isTabId(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 0x7fffffff;
}

export function readPanelMessage(x: unknown): PanelMessage | null {
  if (!isObject(x)) return null;
  switch (x.type) {
    case MSG.HELLO:
      if (!isTabId(x.tabId)) return null;
      return x.hold === true ? { type: MSG.HELLO, tabId: x.tabId, hold: true } : { type: MSG.HELLO, tabId: x.tabId };
    case MSG.CLEAR:
      return { type: MSG.CLEAR };
    case MSG.SET_PRESERVE:
      return typeof x.on === "boolean" ? { type: MSG.SET_PRESERVE, on: x.on } : null;
    case MSG.SET_ALWAYS_CAPTURE: {
      const site = readCapturePattern(x.site);
      return site !== null && typeof x.on === "boolean" ? { type: MSG.SET_ALWAYS_CAPTURE, site, on: x.on } : null;
    }
    case MSG.RELOAD_AND_CAPTURE:
      return { type: MSG.RELOAD_AND_CAPTURE };
    case MSG.SNAPSHOT_NEXT:
      return { type: MSG.SNAPSHOT_NEXT };
    case MSG.PING:
      return { type: MSG.PING };
    default:
      return null;
  }
}

function readEntry(x: unknown): Entry | null {
  if (!isObject(x)) return null;
  const ex = readExchange(x.exchange);
  const d = x.diagnosis;
  if (!ex.ok || !isObject(d) || typeof d.id !== "string" || typeof d.blocked !== "boolean" || typeof d.message !== "string") return null;
  if (typeof x.page !== "number" || typeof x.start !== "number" || typeof x.frameId !== "number" ||
      typeof x.type !== "string" || typeof x.annotated !== "boolean") return null;
  const entry: Entry = { exchange: ex.value, diagnosis: d as unknown as Diagnosis, page: x.page, start: x.start, frameId: x.frameId, type: x.type, annotated: x.annotated };
  if (typeof x.end === "number" && Number.isFinite(x.end)) entry.end = x.end;
  return entry;
}

/** The panel's reader for what the background sends. */
export function readBackgroundMessage(x: unknown): BackgroundMessage | null {
  if (!isObject(x)) return null;
  const num = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
  switch (x.type) {
    case MSG.SNAPSHOT: {
      if (!isTabId(x.tabId) || !num(x.page) || typeof x.pageUrl !== "string" || !Array.isArray(x.entries) ||
          !num(x.dropped) || !num(x.missed) || !num(x.suspected) || (x.captureLevel !== "full" && x.captureLevel !== "count") ||
          typeof x.preserve !== "boolean" || typeof x.alwaysCapture !== "boolean" || !(x.site === null || typeof x.site === "string")) return null;
      const entries: Entry[] = [];
      for (const e of x.entries) {
        const r = readEntry(e);
        if (r) entries.push(r);
      }
      const snap: SnapshotMessage = { type: MSG.SNAPSHOT, tabId: x.tabId, page: x.page, pageUrl: x.pageUrl, entries, dropped: x.dropped,
        captureLevel: x.captureLevel, missed: x.missed, suspected: x.suspected, preserve: x.preserve,
        site: x.site, alwaysCapture: x.alwaysCapture };
      if (num(x.reports)) snap.reports = x.reports;
      if (num(x.more) && x.more > 0) snap.more = x.more;
      return snap;
    }
    case MSG.SNAPSHOT_MORE: {
      if (!isTabId(x.tabId) || !Array.isArray(x.entries) || !num(x.more) || x.more < 0) return null;
      const entries: Entry[] = [];
      for (const e of x.entries) {
        const r = readEntry(e);
        if (r) entries.push(r);
      }
      return { type: MSG.SNAPSHOT_MORE, tabId: x.tabId, entries, more: x.more };
    }
    case MSG.EXCHANGE_ADDED:
    case MSG.EXCHANGE_UPDATED: {
      const entry = readEntry(x.entry);
      return entry ? { type: x.type, entry } : null;
    }
    case MSG.CLEARED:
      return { type: MSG.CLEARED };
    case MSG.NAVIGATED:
      return num(x.page) && typeof x.url === "string" ? { type: MSG.NAVIGATED, page: x.page, url: x.url } : null;
    default:
      return null;
  }
}

/** The panel port's channel: panels and the devtools page send PanelMessages up (readPanelMessage), the background BackgroundMessages down (readBackgroundMessage). */
export type PanelChannel = Channel<PanelMessage, BackgroundMessage>;

// ---- The page hook's report (via the content-script relay, as a runtime message) ----

/** What the page hook saw for one fetch/XHR call. The tab always comes from the message sender, never from here. */
export interface Annotation {
  url: string;
  method: string;
  credentials: CredentialsMode;
  mode: RequestMode;
  /** "resolved", "resolved 200", "rejected TypeError", "rejected AbortError", … */
  outcome: string;
  /** Where the page called fetch/XHR (file:line:column), or null. */
  initiator: string | null;
  /** When the page made the call (ms since the epoch, as Date.now()). */
  time: number;
  /**
   * The headers the script set, as the browser read them ([name, value], names as written), when
   * the hook could see them: webRequest shows none of them for a request whose preflight failed
   * (Chromium 156 fires no onSendHeaders for it), and it cannot tell a script's header from one
   * the browser added.
   */
  headers?: Array<[string, string]>;
}

export const HEADER_PAIR_LIMITS = { count: 64, name: 256, value: 4096 };

/** [name, value] pairs with token names, or null for anything out of shape or size (never truncated). */
export function readHeaderPairs(x: unknown): Array<[string, string]> | null {
  if (!Array.isArray(x) || x.length > HEADER_PAIR_LIMITS.count) return null;
  const out: Array<[string, string]> = [];
  for (const p of x) {
    if (!Array.isArray(p) || p.length !== 2) return null;
    const [n, v] = p as unknown[];
    if (typeof n !== "string" || n.length > HEADER_PAIR_LIMITS.name || !isToken(n)) return null;
    if (typeof v !== "string" || v.length > HEADER_PAIR_LIMITS.value) return null;
    out.push([n, v]);
  }
  return out;
}

/** One batch of the relay's reports. */
export interface AnnotateMessage {
  type: typeof MSG.ANNOTATE;
  annotations: Annotation[];
}

/** Most reports in one ANNOTATE message; a longer batch is refused whole. */
export const ANNOTATE_BATCH_MAX = 50;

export const ANNOTATION_LIMITS = { url: 8192, method: 32, initiator: 1024 };
const OUTCOME_RE = /^(resolved|rejected)(?: [A-Za-z0-9_.-]{1,40})?$/;
const CREDENTIALS: readonly string[] = ["include", "same-origin", "omit"];
const MODES: readonly string[] = ["cors", "no-cors", "same-origin"];

/** Reads an annotation, rejecting (never truncating) anything out of shape or size. */
export function readAnnotation(x: unknown): Annotation | null {
  if (!isObject(x)) return null;
  const { url, method, credentials, mode, outcome, initiator, time, headers } = x;
  if (typeof url !== "string" || url.length > ANNOTATION_LIMITS.url || !/^https?:\/\//i.test(url)) return null;
  try {
    new URL(url);
  } catch {
    return null;
  }
  if (typeof method !== "string" || method.length > ANNOTATION_LIMITS.method || !isToken(method)) return null;
  if (typeof credentials !== "string" || !CREDENTIALS.includes(credentials)) return null;
  if (typeof mode !== "string" || !MODES.includes(mode)) return null;
  if (typeof outcome !== "string" || !OUTCOME_RE.test(outcome)) return null;
  if (!(initiator === undefined || initiator === null || (typeof initiator === "string" && initiator.length <= ANNOTATION_LIMITS.initiator))) return null;
  if (typeof time !== "number" || !Number.isFinite(time) || time <= 0) return null;
  const pairs = headers === undefined ? undefined : readHeaderPairs(headers);
  if (pairs === null) return null;
  const a: Annotation = { url, method, credentials: credentials as CredentialsMode, mode: mode as RequestMode, outcome,
    initiator: typeof initiator === "string" ? initiator : null, time };
  if (pairs) a.headers = pairs;
  return a;
}

/**
 * What a relay sends up. ANNOTATE's items stay unread here: each is read (readAnnotation) after the
 * sender's rate limit, so one bad report costs only itself, and a flood costs no validation.
 */
export type RelayMessage =
  | { type: typeof MSG.ANNOTATE; annotations: unknown[] }
  | { type: typeof MSG.CAPTURE_QUERY };

export function readRelayMessage(x: unknown): RelayMessage | null {
  if (!isObject(x)) return null;
  if (x.type === MSG.CAPTURE_QUERY) return { type: MSG.CAPTURE_QUERY };
  if (x.type !== MSG.ANNOTATE || !Array.isArray(x.annotations) || x.annotations.length > ANNOTATE_BATCH_MAX) return null;
  return { type: MSG.ANNOTATE, annotations: x.annotations };
}

/** Whether the tab is under full capture; `stamp` orders answers and pushes (a larger one is newer). */
export interface CaptureStateMessage {
  type: typeof MSG.CAPTURE_STATE;
  full: boolean;
  stamp: number;
}

export function readCaptureState(x: unknown): CaptureStateMessage | null {
  if (!isObject(x) || x.type !== MSG.CAPTURE_STATE || typeof x.full !== "boolean") return null;
  if (typeof x.stamp !== "number" || !Number.isFinite(x.stamp)) return null;
  return { type: MSG.CAPTURE_STATE, full: x.full, stamp: x.stamp };
}

/** The relay's channel (runtime messages): reports and the capture query up (readRelayMessage), the capture state down (readCaptureState), as CAPTURE_QUERY's answer and as pushes. */
export type RelayChannel = Channel<RelayMessage, CaptureStateMessage>;
