// The devtools page's port: HELLO {tabId, hold: true} on PanelChannel, so the background captures
// the tab fully while DevTools is open on it, whichever panel is shown. Such a port is sent
// nothing; it only reconnects when the worker stops and pings to keep it up.
import type { PanelPlatform } from "../platform/panel";
import { pageBridge, reconnectingWall } from "./bridge";
import { MSG, type PanelChannel, type PanelMessage } from "./protocol";

export function holdTab(
  platform: Pick<PanelPlatform, "connect">,
  tabId: number,
  schedule: (ms: number, fn: () => void) => () => void = (ms, fn) => { const t = setTimeout(fn, ms); return () => clearTimeout(t); },
): { close(): void } {
  const wall = reconnectingWall({
    connect: () => platform.connect(),
    hello: () => ({ type: MSG.HELLO, tabId, hold: true }) satisfies PanelMessage,
    ping: () => ({ type: MSG.PING }) satisfies PanelMessage,
    schedule,
    // No snapshot ever comes to a holding port: a connect that did not throw is the success.
    onOpen: () => wall.connected(),
  });
  // Nothing comes down to a holding port, so its reader takes nothing (and the devtools page
  // carries no reader of entries).
  const bridge = pageBridge<PanelChannel>(wall, () => null);
  wall.start();
  return { close: () => { bridge.shutdown(); wall.close(); } };
}
