// What survives the MV3 worker besides the exchanges (store.ts): the capture policy's state in
// storage.session (which tabs were held, for the panel grace after a restart) and the
// always-captured sites in storage.local (the user's choice, kept across browser restarts).
// https://developer.chrome.com/docs/extensions/reference/api/storage#property-session
import type { StorageArea } from "../platform/background";
import type { CapturePolicy } from "./policy";
import type { Store } from "./store";

const STATE_KEY = "cl:state";
const SITES_KEY = "cl:sites";

export class Persistence {
  private chain: Promise<void> = Promise.resolve();
  private scheduled = false;

  constructor(private session: StorageArea, private local: StorageArea, private store: Store, private policy: CapturePolicy) {}

  /** Reads everything a new worker life needs, and restores the policy from it. */
  async load(): Promise<void> {
    const [state, local] = await Promise.all([this.session.get([STATE_KEY]), this.local.get([SITES_KEY])]);
    await this.store.load();
    this.policy.restore(state[STATE_KEY], local[SITES_KEY]);
  }

  /** Writes the policy's state once per burst of changes, in order. */
  savePolicy(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.chain = this.chain.then(async () => {
      this.scheduled = false;
      try {
        await this.session.set({ [STATE_KEY]: this.policy.persisted() });
      } catch (e) {
        console.warn("cors-lens: state", e);
      }
    });
  }

  saveSites(): void {
    this.local.set({ [SITES_KEY]: this.policy.siteLists() }).catch((e) => console.warn("cors-lens: sites", e));
  }

  /** Every write so far done (tests). */
  async idle(): Promise<void> {
    for (let i = 0; i < 3; i++) {
      await this.store.flush();
      await this.chain;
    }
  }
}
