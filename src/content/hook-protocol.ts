// What the page hook says to the relay. Everything here arrives from the page and is untrusted:
// anyone on the page can dispatch this event, so validate() is the only way in.

import { isToken } from "../core/fetch";
import { readHeaderPairs } from "../shared/protocol";
import type { Channel } from "../shared/bridge";
import { TokenBucket } from "../shared/rate";

export const HOOK_EVENT = "cors-lens:call";
/**
 * The relay → hook direction: the tab's capture level, as a CustomEvent on the document whose detail
 * is "full" or "count" (HookLevel). "count": the hook keeps the calls that succeed to itself; "full":
 * it reports every call. Until the first one the hook holds its successes (HOOK_HOLD_LIMIT). A page
 * can dispatch it too: at worst it silences its own successes or makes the hook report them (the relay
 * still validates and rate-limits); failures are always reported.
 */
export const HOOK_LEVEL_EVENT = "cors-lens:level";
export type HookLevel = "full" | "count";
export const HOOK_HOLD_LIMIT = 200;

export interface HookCall {
  api: "fetch" | "xhr" | "eventsource";
  url: string;
  method: string;
  credentials: string;
  mode: string;
  outcome: "pending" | "resolved" | "rejected" | "rejected-typeerror" | "error";
  status?: number;
  initiator: string;
  time: number;
  /** The script's headers as the browser read them (fetch init, Headers, Request; XHR setRequestHeader). */
  headers?: Array<[string, string]>;
}

export const HOOK_LIMITS = { detailBytes: 16384, url: 2048, initiator: 512, method: 32 };

const APIS = ["fetch", "xhr", "eventsource"];
const OUTCOMES = ["resolved", "rejected", "rejected-typeerror", "error"];
const CREDENTIALS = ["include", "same-origin", "omit"];
const MODES = ["cors", "no-cors", "same-origin"];

/** Parses one event detail into a HookCall, or null when it is anything else. Never throws. */
export function validateHookCall(detail: unknown): HookCall | null {
  if (typeof detail !== "string" || detail.length > HOOK_LIMITS.detailBytes) return null;
  let v: unknown;
  try {
    v = JSON.parse(detail);
  } catch {
    return null;
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  const str = (x: unknown, max: number) => typeof x === "string" && x.length <= max;
  if (!APIS.includes(o.api as string) || !OUTCOMES.includes(o.outcome as string)) return null;
  if (!str(o.url, HOOK_LIMITS.url) || !/^https?:\/\//i.test(o.url as string)) return null;
  if (!str(o.method, HOOK_LIMITS.method) || !isToken(o.method as string)) return null;
  if (!CREDENTIALS.includes(o.credentials as string) || !MODES.includes(o.mode as string)) return null;
  if (!str(o.initiator, HOOK_LIMITS.initiator)) return null;
  if (typeof o.time !== "number" || !Number.isFinite(o.time)) return null;
  if (o.status !== undefined && (typeof o.status !== "number" || !Number.isInteger(o.status) || o.status < 0 || o.status > 999)) return null;
  const call: HookCall = {
    api: o.api as HookCall["api"], url: o.url as string, method: o.method as string,
    credentials: o.credentials as string, mode: o.mode as string, outcome: o.outcome as HookCall["outcome"],
    initiator: o.initiator as string, time: o.time,
  };
  if (typeof o.status === "number") call.status = o.status;
  if (o.headers !== undefined) {
    const h = readHeaderPairs(o.headers);
    if (!h) return null;
    call.headers = h;
  }
  return call;
}

/** HOOK_CHANNEL's one message: a call the hook saw. */
export const HOOK_CALL = "call";
export interface HookMessage {
  type: typeof HOOK_CALL;
  call: HookCall;
}

/**
 * The page hook → relay channel, HookChannel (a CustomEvent on the document, detail a JSON string). Only `up`:
 * the relay never answers the page. The hook sends through primordials it captured before any page
 * script ran (hook.ts), not through a Bridge, so a page cannot see or stop its reports by patching
 * dispatchEvent; what it sends is HookCall, read here.
 */
export type HookChannel = Channel<HookMessage, never>;
export function readHookMessage(detail: unknown): HookMessage | null {
  const call = validateHookCall(detail);
  return call ? { type: HOOK_CALL, call } : null;
}

/** The relay's limit on one page's hook reports: a page can report at most this fast. */
export class PageReportLimiter extends TokenBucket {
  constructor(perSecond = 100, burst = 300, clock: () => number = Date.now) {
    super(perSecond, burst, clock);
  }
}
