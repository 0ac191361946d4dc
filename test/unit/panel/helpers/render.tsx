// Renders the panel over a fake platform and feeds it a snapshot, as the background would.
import { act, render } from "@testing-library/preact";
import { App, type Theme } from "../../../../src/panel/App";
import { loadDetail } from "../../../../src/panel/lazy-detail";
import type { Entry, SnapshotMessage } from "../../../../src/shared/protocol";
import { fakePlatform, type FakePlatform } from "./fake-platform";
import { manualClock } from "./clock";
import { snapshot, wire } from "./fixtures";

export { manualClock };

// The panel loads the detail's chunk when it is idle (src/panel/lazy-detail.ts); these tests open a
// detail at once, so it is loaded before them (app.test.tsx covers a detail opened before it loaded).
beforeAll(() => loadDetail());


export interface RenderOptions {
  platform?: FakePlatform;
  snapshot?: Partial<SnapshotMessage>;
  theme?: Theme | null;
}

export function renderPanel(entries: Entry[], o: RenderOptions = {}) {
  const platform = o.platform ?? fakePlatform();
  const clock = manualClock();
  const r = render(<App platform={platform} tabId={7} theme={o.theme ?? null} connection={{ batchMs: 0, schedule: clock.schedule }} />);
  act(() => platform.port.emit(wire(snapshot(entries, o.snapshot))));
  return { ...r, platform, clock };
}

/** Lets pending promises (storage, clipboard) settle and re-renders. */
export async function settle(): Promise<void> {
  await act(async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  });
}
