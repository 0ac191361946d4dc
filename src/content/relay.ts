// Isolated-world content script (document_start, all frames): forwards the page hook's reports,
// as much as the tab's capture level needs (relay-core.ts). Two bridges: HookChannel from the page
// (a document event) and RelayChannel to the background (runtime messages).
import { runtimeWall } from "../platform/content";
import { eventWall, hostBridge, pageBridge } from "../shared/bridge";
import { MSG, readCaptureState, type RelayChannel } from "../shared/protocol";
import { HOOK_CALL, HOOK_EVENT, HOOK_LEVEL_EVENT, readHookMessage, type HookChannel } from "./hook-protocol";
import { Relay } from "./relay-core";

// Chrome injects this file into a held tab's loaded document (background/hooks.ts), where the
// registered copy may already run: one relay per document, or every report would go twice.
declare const globalThis: { __corsLensRelay?: boolean };
if (!globalThis.__corsLensRelay) {
globalThis.__corsLensRelay = true;
const background = pageBridge<RelayChannel>(runtimeWall(), readCaptureState);
const relay = new Relay({
  send: (m) => background.send(m),
  setTimer: (ms, fn) => { setTimeout(fn, ms); },
  // A string detail crosses from this isolated world to the page's (objects would not).
  onLevel: (level) => { document.dispatchEvent(new CustomEvent(HOOK_LEVEL_EVENT, { detail: level })); },
});
background.on(MSG.CAPTURE_STATE, (m) => { relay.control(m); });
const ask = () => background.request({ type: MSG.CAPTURE_QUERY }).then((answer) => {
  if (!answer || !relay.control(answer)) relay.unanswered();
});
// Asked at the first report, not at load: a frame that makes no call sends nothing at all.
let asked = false;
hostBridge<HookChannel>(eventWall(document, HOOK_EVENT), readHookMessage).on(HOOK_CALL, (m) => {
  if (!asked) {
    asked = true;
    void ask();
  }
  relay.accept(m.call);
});
// A page restored from the back/forward cache missed the pushes sent while it was away.
addEventListener("pageshow", (e) => { if (e.persisted && asked) void ask(); });
}
