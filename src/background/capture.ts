// Which webRequest listeners exist. Full capture costs every request of a page a trip to the
// extension: two empty listeners on all URLs made 2,000 loopback fetches ~20% slower (Chromium
// 156), and in MV3 every event also wakes the worker. So instead of one listener set whose
// handlers return at once for unwatched tabs (which would tax every tab, all the time), each
// watched tab gets its own set narrowed with `filter.tabId`: with no tab watched there are no
// webRequest listeners at all, and an unwatched tab never pays.
//
// Service workers' requests have tabId -1, and `tabId: -1` in a filter means "any tab"
// (extensions/browser/api/web_request/web_request_api.cc: `filter.tab_id != -1 && …`), so they
// need a set without a tab filter. It exists only while a CORS panel is open (the developer is
// debugging), limited to fetch-like types, and its handler drops everything but tabId -1.
//
// Worker start (Chrome): the watched tabs are only readable asynchronously, so the narrowed sets
// come back a few ms after start. Until then a start-up bridge on all URLs buffers events, and the
// first set() replays those of watched tabs. Chromium 156 sends webRequest events to a worker as a
// whole and matches them against the listeners that exist when they are delivered
// (WebRequestPerContextEventDispatch, DispatchEventToTargets in
// https://source.chromium.org/chromium/chromium/src/+/main:extensions/browser/api/web_request/extension_web_request_event_router.cc),
// so the bridge, added synchronously, also gets the events that woke the worker: with it, a
// restart woken by a watched tab's fetches loses none of them (without it, most). The bridge
// lives ~30–100 ms per start and is removed once the sets are registered, so no listener on all
// URLs outlives a start. Before that feature (sub-event names "webRequest.onX/sN", matched by
// name) the waking events still go unseen. Requests in flight across a stop are captured from
// their remaining events, without what the old worker saw (request headers, preflight).
import type { CaptureFilter, ListenerSet, Platform, RawRequestDetails, WebRequestEvent } from "../platform/background";
import type { RequestRecord } from "./records";

const WORKER_TYPES = ["xmlhttprequest", "other"];
const BRIDGE_LIMIT = 5000;
/** Same-origin requests in flight whose first events are held (long-lived ones are evicted oldest first). */
const HELD_LIMIT = 500;

export type Convert = (
  event: WebRequestEvent, d: RawRequestDetails,
  hold: ((event: WebRequestEvent, d: RawRequestDetails) => void) | undefined, force: boolean,
) => RequestRecord | null;

export class Capture {
  private sets = new Map<number | "workers", ListenerSet>();
  private bridge: { set: ListenerSet; buffer: Array<[WebRequestEvent, RawRequestDetails]> } | null = null;
  /**
   * A same-origin request's onBeforeRequest and onSendHeaders, kept as the browser gave them (no
   * conversion: most of a page's requests are same-origin and end so) until it ends or leaves the
   * origin. The SSO pattern — fetch("/api/me") → 302 → https://auth.example/… — is a CORS
   * request from its second hop on, and its exchange needs the first hop (URL, method, headers).
   */
  private held = new Map<string, Array<[WebRequestEvent, RawRequestDetails]>>();
  private readonly hold = (event: WebRequestEvent, d: RawRequestDetails): void => {
    const key = `${d.tabId}:${d.requestId}`;
    if (event === "completed" || event === "errorOccurred") {
      this.held.delete(key);
      return;
    }
    if (event !== "beforeRequest" && event !== "sendHeaders") return;
    let list = this.held.get(key);
    if (!list) {
      if (this.held.size >= HELD_LIMIT) this.held.delete(this.held.keys().next().value!);
      this.held.set(key, (list = []));
    }
    if (list.length < 4) list.push([event, d]);
  };

  constructor(
    private p: Platform,
    private convert: Convert,
    private sink: (rec: RequestRecord) => void,
  ) {}

  /** At the worker's top level: buffers every event until the first set(). */
  startBridge(): void {
    if (this.bridge) return;
    const buffer: Array<[WebRequestEvent, RawRequestDetails]> = [];
    const set = this.p.listen({}, (event, d) => {
      if (this.bridge?.buffer === buffer && buffer.length < BRIDGE_LIMIT) buffer.push([event, d]);
    });
    this.bridge = { set, buffer };
  }

  /** Makes the listener sets match: one per watched tab, plus the service-worker set when asked. */
  set(tabs: ReadonlySet<number>, workers: boolean): void {
    for (const [key, s] of this.sets) {
      if (key === "workers" ? !workers : !tabs.has(key)) {
        s.remove();
        this.sets.delete(key);
      }
    }
    for (const tab of tabs) {
      if (!this.sets.has(tab)) this.sets.set(tab, this.add({ tabId: tab }, false));
    }
    if (workers && !this.sets.has("workers")) this.sets.set("workers", this.add({ types: WORKER_TYPES }, true));
    if (this.bridge) this.endBridge(tabs, workers);
  }

  private endBridge(tabs: ReadonlySet<number>, workers: boolean): void {
    const { set, buffer } = this.bridge!;
    this.bridge = null; // from here on the bridge's handler drops everything: the sets have it
    for (const [event, d] of buffer) {
      if (d.tabId === -1 ? workers && WORKER_TYPES.includes(d.type) : tabs.has(d.tabId)) this.deliver(event, d, false);
    }
    // Removed after a round trip to the browser, which has then registered the new sets: their
    // addListener and the bridge's removeListener travel on different pipes.
    const remove = () => set.remove();
    this.p.session.get([]).then(remove, remove);
  }

  private add(filter: CaptureFilter, workersOnly: boolean): ListenerSet {
    return this.p.listen(filter, (event, d) => this.deliver(event, d, workersOnly));
  }

  private deliver(event: WebRequestEvent, d: RawRequestDetails, workersOnly: boolean): void {
    if (workersOnly && d.tabId !== -1) return;
    const r = this.convert(event, d, this.hold, false);
    if (!r) return;
    // (Every captured event of every watched tab passes here: look only when something is held.)
    const key = this.held.size ? `${d.tabId}:${d.requestId}` : "";
    const early = key ? this.held.get(key) : undefined;
    if (early) {
      // It just left its origin: its first hop's events come first.
      this.held.delete(key);
      for (const [e, x] of early) {
        const er = this.convert(e, x, undefined, true);
        if (er) this.sink(er);
      }
    }
    this.sink(r);
  }
}
