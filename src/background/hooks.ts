// Where the page scripts run (Chrome's build; Firefox's manifest declares them for every page).
// The hook's per-call work (Proxy traps on fetch and its init, the call record) was the idle cost
// CORS Lens added over an empty extension holding the same permission (docs/performance.md), and
// in a tab nobody watches nothing reads its reports there: Chromium's webRequest errors count the
// badge (engine.ts countError). So the hook loads only where a capture may read it:
//   - on the always-captured sites (dev origins and the user's), registered for their match patterns;
//   - on every page while a port holds any tab (DevTools or a CORS panel is open: the developer is
//     debugging), and injected at once into the held tab's loaded document, so its next calls are
//     reported without a reload.
// Registrations outlive the worker (persistAcrossSessions), so a new life only corrects them.
import type { Platform } from "../platform/background";
import type { HookScope } from "../shared/page-scripts";

export class HookPlacement {
  /** The scope last asked for, as JSON (undefined: none yet in this worker life). */
  private wanted: string | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(private p: Platform) {}

  /** Registers the page scripts for `scope` (after what was asked before); a scope overtaken before its turn is skipped. */
  set(scope: HookScope | null): void {
    const key = JSON.stringify(scope);
    if (key === this.wanted) return;
    this.wanted = key;
    this.chain = this.chain
      .then(() => (this.wanted === key ? this.p.placeHooks(scope) : undefined))
      .catch((e) => console.warn("cors-lens: registering the page scripts", e));
  }

  /** Resolves once every scope asked for so far is registered (a reload must find the hook in place). */
  settled(): Promise<void> {
    return this.chain;
  }

  /** Into the tab's loaded document, now: hook.js and relay.js guard against a second copy. */
  inject(tab: number): Promise<void> {
    return this.p.injectHooks(tab).catch(() => {});
  }
}
