// The content scripts' side of the browser seam: one call, so the relay stays plain TypeScript.
import browser from "webextension-polyfill";

/** Fire-and-forget message to the background; a stopped worker is woken by it, a missing one ignored. */
export function sendRuntimeMessage(message: unknown): void {
  try {
    browser.runtime.sendMessage(message).catch(() => {});
  } catch {
    // The extension was reloaded or disabled under this page: nothing to report to.
  }
}
