// The annotation matcher: which captured request a page-hook report tells about. Reports are
// untrusted (any script on the page can send them through the relay): they are rate-limited per
// tab before they are read, can only annotate a request of the sender's own tab, and never create
// an exchange. A report that arrives before its request settles waits (PendingAnnotations); one
// that never finds its request expires as "missed".
import { originOf } from "../core/fetch";
import { type Annotation, type Entry, isTabId, readAnnotation } from "../shared/protocol";
import { PendingAnnotations, TabAnnotationLimiter, distance } from "./annotate";
import { stripFragment } from "../shared/url";
import type { RequestView } from "./correlate";

/** Where a report goes. */
export type Route =
  | { kind: "ignored" }
  /** Below full capture: a CORS-mode call rejected with a TypeError (what a CORS block looks like to the page). */
  | { kind: "suspected" }
  | { kind: "in-flight"; requestId: string }
  | { kind: "stored"; entry: Entry }
  /** Held until its request settles (take()) or it expires. */
  | { kind: "held" };

/** What the matcher needs to know of the tab, as of the report's arrival. */
export interface TabFacts {
  /** The reporting document's origin (the sender's URL), else the tab's page origin. */
  pageOrigin: string | null;
  watched: boolean;
  /** Asked only under full capture: a report below it costs no look-up. */
  inFlight(): readonly RequestView[];
  /** The tab's latest stored entries. */
  recent(): readonly Entry[];
}

export class AnnotationMatcher {
  private limiter = new TabAnnotationLimiter();
  private pending: PendingAnnotations;
  /**
   * Reports of same-origin calls, under full capture: most stay same-origin and are never
   * captured, but one that redirects to another origin is (the SSO pattern), and its report is
   * matched by the URL the script called. Their expiry is silent: nothing was missed.
   */
  private sameOriginPending: PendingAnnotations;
  /** Reports received per tab for its current page, this worker life (the SNAPSHOT's `reports`). */
  private counts = new Map<number, number>();

  constructor(setTimer: (ms: number, fn: () => void) => () => void, onMissed: (tab: number) => void, private now: () => number) {
    this.pending = new PendingAnnotations(setTimer, (tab) => onMissed(tab));
    this.sameOriginPending = new PendingAnnotations(setTimer, () => {});
  }

  /** Rate limit first, then validation: a flood costs no parsing. Null when refused. */
  admit(tab: number, raw: unknown): Annotation | null {
    if (!isTabId(tab) || !this.limiter.take(tab, this.now())) return null;
    return readAnnotation(raw);
  }

  route(tab: number, a: Annotation, facts: TabFacts): Route {
    this.counts.set(tab, (this.counts.get(tab) ?? 0) + 1);
    if (facts.pageOrigin === null) return { kind: "ignored" };
    const sameOriginCall = originOf(a.url) === facts.pageOrigin;
    // Below full capture a same-origin call says nothing (a rejection there is a network error far
    // more often than a redirect to another origin); under it, it may have left the origin.
    if (!facts.watched) return !sameOriginCall && a.mode === "cors" && a.outcome === "rejected TypeError" ? { kind: "suspected" } : { kind: "ignored" };
    const url = stripFragment(a.url);
    let bestD = Infinity;
    let best: Route | null = null;
    for (const v of facts.inFlight()) {
      const d = distance(a, v.hops[0]!.url, v.hops[0]!.method, v.start);
      if (d !== null && d < bestD) {
        bestD = d;
        best = { kind: "in-flight", requestId: v.id };
      }
    }
    for (const e of facts.recent()) {
      if (e.annotated || e.exchange.request.url !== url) continue;
      const d = distance(a, e.exchange.request.url, e.exchange.request.method, e.start);
      if (d !== null && d < bestD) {
        bestD = d;
        best = { kind: "stored", entry: e };
      }
    }
    if (best) return best;
    (sameOriginCall ? this.sameOriginPending : this.pending).add(tab, a);
    return { kind: "held" };
  }

  /** The held report for a request that just settled, if one waits. */
  take(tab: number, url: string, method: string, start: number): Annotation | null {
    return this.pending.take(tab, url, method, start) ?? this.sameOriginPending.take(tab, url, method, start);
  }

  reports(tab: number): number {
    return this.counts.get(tab) ?? 0;
  }

  /** A new page, or Clear: the held reports and the count start again. */
  reset(tab: number): void {
    this.pending.forget(tab);
    this.sameOriginPending.forget(tab);
    this.counts.delete(tab);
  }

  removeTab(tab: number): void {
    this.reset(tab);
    this.limiter.forget(tab);
  }
}
