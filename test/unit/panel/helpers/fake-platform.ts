// The panel tests' view of the one fake browser (test/fakes/browser.ts): a panel platform whose
// ports the test drives by hand (emit/drop), with no worker behind them.
import { FakeBrowser, FakePort, type FakePanelPlatform } from "../../../fakes/browser";

export { FakePort };
export type FakePlatform = FakePanelPlatform;

export function fakePlatform(o: { storage?: Map<string, unknown>; copy?: (text: string) => Promise<boolean>; theme?: string | null } = {}): FakePlatform {
  return new FakeBrowser().panelPlatform(o);
}
