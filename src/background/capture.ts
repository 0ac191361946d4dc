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
// Worker start: the persisted state is only readable asynchronously, so the narrowed sets are
// re-added a few ms after start. Events in that gap (including the one that woke the worker) are
// not seen: requests in flight at a restart can be lost, completed ones never are (they are in
// storage.session). A start-up "bridge" set on all URLs that buffered the gap was tried and
// measured harmful in Chromium 156: a worker woken by a webRequest event got those events through
// the bridge, but every set it added afterwards stayed deaf until the next restart
// (test/e2e/capture.test.ts kills the worker during traffic to keep this honest).
import type { CaptureFilter, ListenerSet, Platform, RawRequestDetails, WebRequestEvent } from "../platform/browser";
import type { RequestRecord } from "./records";

const WORKER_TYPES = ["xmlhttprequest", "other"];

export class Capture {
  private sets = new Map<number | "workers", ListenerSet>();

  constructor(
    private p: Platform,
    private convert: (event: WebRequestEvent, d: RawRequestDetails) => RequestRecord | null,
    private sink: (rec: RequestRecord) => void,
  ) {}

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
  }

  private add(filter: CaptureFilter, workersOnly: boolean): ListenerSet {
    return this.p.listen(filter, (event, d) => {
      if (workersOnly && d.tabId !== -1) return;
      const r = this.convert(event, d);
      if (r) this.sink(r);
    });
  }
}
