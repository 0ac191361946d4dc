// Isolated-world content script (document_start, all frames): forwards the page hook's reports.
import { sendRuntimeMessage } from "../platform/content";
import { HOOK_EVENT } from "./hook-protocol";
import { createRelay } from "./relay-core";

const relay = createRelay(sendRuntimeMessage);
document.addEventListener(HOOK_EVENT, (e) => {
  relay((e as CustomEvent<unknown>).detail);
}, true);
