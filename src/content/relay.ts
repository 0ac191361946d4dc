// Isolated-world content script (document_start, all frames): forwards the page hook's reports,
// as much as the tab's capture level needs (relay-core.ts).
import { onExtensionMessage, requestRuntime, sendRuntimeMessage } from "../platform/content";
import { MSG } from "../shared/protocol";
import { HOOK_EVENT } from "./hook-protocol";
import { Relay } from "./relay-core";

const relay = new Relay({ send: sendRuntimeMessage, setTimer: (ms, fn) => { setTimeout(fn, ms); } });
const ask = () => requestRuntime({ type: MSG.CAPTURE_QUERY }).then((answer) => {
  if (!relay.control(answer)) relay.unanswered();
});
// Asked at the first report, not at load: a frame that makes no call sends nothing at all.
let asked = false;
document.addEventListener(HOOK_EVENT, (e) => {
  if (!asked) {
    asked = true;
    void ask();
  }
  relay.report((e as CustomEvent<unknown>).detail);
}, true);
onExtensionMessage((m) => relay.control(m));
// A page restored from the back/forward cache missed the pushes sent while it was away.
addEventListener("pageshow", (e) => { if (e.persisted && asked) void ask(); });
