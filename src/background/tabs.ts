// Tab lifecycle: a top-level navigation starts a new page of the tab (the list keeps earlier pages
// only with "preserve log"), and a closed tab takes everything of its own with it.
import type { Navigation } from "../platform/background";
import type { Ledger } from "./ledger";
import type { AnnotationMatcher } from "./matcher";
import type { CapturePolicy } from "./policy";

export class TabLifecycle {
  constructor(
    private policy: CapturePolicy,
    private ledger: Ledger,
    private matcher: AnnotationMatcher,
    /** Drops the tab's requests in flight (its correlator). */
    private dropRequests: (tab: number) => void,
  ) {}

  navigation(n: Navigation): void {
    const { tabId: tab, url } = n;
    if (n.phase === "start") {
      // Register before the new page's first request.
      this.policy.navigationStart(tab, url);
      return;
    }
    this.policy.navigationCommit(tab, url);
    this.matcher.reset(tab);
    if (this.ledger.has(tab) || this.policy.isWatched(tab)) this.ledger.navigate(tab, url);
  }

  removed(tab: number): void {
    this.ledger.removeTab(tab);
    this.dropRequests(tab);
    this.policy.removeTab(tab);
    this.matcher.removeTab(tab);
  }
}
