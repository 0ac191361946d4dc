// The isolated-world relay's logic: page events in, validated and rate-limited annotations out.
// The page can dispatch HOOK_EVENT itself, so nothing here trusts it: validateHookCall() shapes it,
// the rate limiter bounds it, and the background takes the tab from the message sender, not from here.
//
// What it forwards depends on the tab's capture level (engine.ts), which only the background knows:
//   "count" (the default for every site): only the CORS-mode calls the page saw fail with a network
//           error (what the background counts as suspected failures there: engine.ts suspect()). It
//           does nothing with the others, and a runtime message per call was the whole idle cost of
//           CORS Lens (docs/performance.md: 1.2-1.3x on 2,000 fetches; without it ~1.0x).
//   "full"  (a CORS panel open, or an always-captured site): every call, for the credentials and
//           mode of every captured request.
// The relay asks once per document, at its first report (CAPTURE_QUERY); until the answer it
// forwards failures and holds up to RELAY_LIMITS.holdLimit other reports, sent if the answer is
// "full", dropped otherwise. The
// background also pushes CAPTURE_STATE to the tab's frames whenever the level changes; the
// larger stamp wins, so a late answer cannot undo a newer push. Control messages arrive only
// through runtime.onMessage from our own extension (relay.ts checks the sender), never from the page.
// Reports of calls that succeeded go out in batches (one message per RELAY_LIMITS.batchMs): a
// message costs far more than a report. A failure goes at once.
// Each level it learns goes to the page hook too (onLevel → HOOK_LEVEL_EVENT): at "count" the hook
// sends no event for a call that succeeds and takes no stack at all, since nothing would read them
// (the idle page's cost was the hook's per-call stack, JSON and event: docs/performance.md).
import { ANNOTATE_BATCH_MAX, MSG, readCaptureState, type Annotation, type RelayMessage } from "../shared/protocol";
import { PageReportLimiter, validateHookCall, type HookCall } from "./hook-protocol";

export const RELAY_LIMITS = { holdLimit: 200, batchMs: 50, batchMax: ANNOTATE_BATCH_MAX };

export function toAnnotation(c: HookCall): Annotation {
  // XHR's and EventSource's "error" event is the same network-error signal fetch reports as a TypeError.
  const outcome = c.outcome === "resolved"
    ? (c.status !== undefined ? `resolved ${c.status}` : "resolved")
    : c.outcome === "rejected" ? "rejected" : "rejected TypeError";
  const a: Annotation = {
    url: c.url, method: c.method,
    credentials: c.credentials as Annotation["credentials"],
    mode: c.mode as Annotation["mode"],
    outcome, initiator: c.initiator || null, time: c.time,
  };
  if (c.headers) a.headers = c.headers;
  return a;
}

/** A call the "count" level needs: a CORS-mode call that failed with a network error (what a CORS block looks like to the page). */
function suspect(c: HookCall): boolean {
  return c.mode === "cors" && (c.outcome === "rejected-typeerror" || c.outcome === "error");
}

export type CaptureMode = "unknown" | "full" | "count";

export interface RelayOptions {
  send(message: RelayMessage): void;
  /** Runs `fn` once after `ms` (the batch timer). */
  setTimer(ms: number, fn: () => void): void;
  limiter?: PageReportLimiter;
  /** The level is known or changed: tells the page hook (HOOK_LEVEL_EVENT), which then holds back what this level drops. */
  onLevel?(level: "full" | "count"): void;
}

export class Relay {
  mode: CaptureMode = "unknown";
  private stamp = -Infinity;
  /** Reports that are not failures, held while the mode is unknown. */
  private held: Annotation[] = [];
  private batch: Annotation[] = [];
  private timerSet = false;
  private limiter: PageReportLimiter;

  constructor(private o: RelayOptions) {
    this.limiter = o.limiter ?? new PageReportLimiter();
  }

  /** One HOOK_EVENT detail from the page. True when it was forwarded or held. */
  report(detail: unknown): boolean {
    const call = validateHookCall(detail);
    return call ? this.accept(call) : false;
  }

  /** One validated call (HOOK_CHANNEL's reader has read it). True when it was forwarded or held. */
  accept(call: HookCall): boolean {
    if (this.mode === "full" || suspect(call)) return this.forward(toAnnotation(call));
    if (this.mode === "count" || this.held.length >= RELAY_LIMITS.holdLimit) return false;
    this.held.push(toAnnotation(call));
    return true;
  }

  /**
   * A CAPTURE_STATE from the background (an answer or a push; the caller has checked that it comes
   * from our extension). Anything else, or an older stamp, changes nothing. True when applied.
   */
  control(message: unknown): boolean {
    const m = readCaptureState(message);
    if (!m || m.stamp <= this.stamp) return false;
    this.stamp = m.stamp;
    this.mode = m.full ? "full" : "count";
    const held = this.held;
    this.held = [];
    if (m.full) for (const a of held) this.forward(a);
    this.o.onLevel?.(this.mode);
    return true;
  }

  /** The query got no usable answer (no background, or an older one): forward failures only. */
  unanswered(): void {
    if (this.mode !== "unknown") return;
    this.mode = "count";
    this.held = [];
    this.o.onLevel?.("count");
  }

  private forward(a: Annotation): boolean {
    if (!this.limiter.take()) return false;
    this.batch.push(a);
    // A failure goes at once (with the batch): it is rare, it is what the badge counts, and an
    // exchange the browser already settled is shown without the page's credentials mode until it comes.
    if (this.batch.length >= RELAY_LIMITS.batchMax || a.outcome.startsWith("rejected")) this.flush();
    else if (!this.timerSet) {
      this.timerSet = true;
      this.o.setTimer(RELAY_LIMITS.batchMs, () => {
        this.timerSet = false;
        this.flush();
      });
    }
    return true;
  }

  /** Sends the pending batch now. */
  flush(): void {
    if (!this.batch.length) return;
    const annotations = this.batch;
    this.batch = [];
    this.o.send({ type: MSG.ANNOTATE, annotations });
  }
}
