// The page hook's reports: rate-limited per tab, matched to a captured request of the same tab by
// URL, method and time, and held briefly when they arrive before the request settles.
import type { Annotation } from "../shared/protocol";
import { TokenBucket } from "../shared/rate";
import { stripFragment } from "../shared/url";

/** Per tab: a burst of 200 reports, then 100 a second. */
export const ANNOTATE_RATE = { burst: 200, perSecond: 100 };
/** A captured request matches a report whose call time is at most 1 s after / 10 s before its start. */
export const MATCH_WINDOW = { before: 1000, after: 10_000 };
export const PENDING = { ms: 5000, max: 100 };

/** How far apart a report and a request are, or null when they cannot be the same call. */
export function distance(a: Annotation, url: string, method: string, start: number): number | null {
  if (stripFragment(a.url) !== url || a.method.toUpperCase() !== method.toUpperCase()) return null;
  if (start < a.time - MATCH_WINDOW.before || start > a.time + MATCH_WINDOW.after) return null;
  return Math.abs(start - a.time);
}

/** The background's limit on hook reports: one bucket per tab, so a flooding page cannot starve another tab's. */
export class TabAnnotationLimiter {
  private buckets = new Map<number, TokenBucket>();

  take(tab: number, now: number): boolean {
    let b = this.buckets.get(tab);
    if (!b) this.buckets.set(tab, (b = new TokenBucket(ANNOTATE_RATE.perSecond, ANNOTATE_RATE.burst, () => now)));
    return b.take(now);
  }

  forget(tab: number): void {
    this.buckets.delete(tab);
  }
}

interface Held {
  a: Annotation;
  cancel: () => void;
}

/** Reports waiting for their request to settle; on expiry they count as missed. */
export class PendingAnnotations {
  private byTab = new Map<number, Held[]>();

  constructor(
    private setTimer: (ms: number, fn: () => void) => () => void,
    private onExpire: (tab: number, a: Annotation) => void,
  ) {}

  add(tab: number, a: Annotation): void {
    const list = this.byTab.get(tab) ?? [];
    if (list.length >= PENDING.max) list.shift()!.cancel();
    const held: Held = {
      a,
      cancel: this.setTimer(PENDING.ms, () => {
        const l = this.byTab.get(tab);
        const k = l?.indexOf(held) ?? -1;
        if (k < 0) return;
        l!.splice(k, 1);
        this.onExpire(tab, a);
      }),
    };
    list.push(held);
    this.byTab.set(tab, list);
  }

  /** The closest held report for this request, removed from the list. */
  take(tab: number, url: string, method: string, start: number): Annotation | null {
    const list = this.byTab.get(tab);
    if (!list) return null;
    let best = -1;
    let bestD = Infinity;
    list.forEach((h, k) => {
      const d = distance(h.a, url, method, start);
      if (d !== null && d < bestD) {
        best = k;
        bestD = d;
      }
    });
    if (best < 0) return null;
    const [held] = list.splice(best, 1);
    held!.cancel();
    return held!.a;
  }

  forget(tab: number): void {
    for (const h of this.byTab.get(tab) ?? []) h.cancel();
    this.byTab.delete(tab);
  }
}
