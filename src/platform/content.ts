// The content scripts' side of the browser seam: one call, so the relay stays plain TypeScript.
// No webextension-polyfill here: relay.js runs at document_start on every page, and MV3's
// runtime.sendMessage returns a promise in Chrome and Firefox alike.
type Runtime = { id?: string; sendMessage(m: unknown): Promise<unknown> | undefined };

/** Fire-and-forget message to the background; a stopped worker is woken by it, a missing one ignored. */
export function sendRuntimeMessage(message: unknown): void {
  const g = globalThis as { browser?: { runtime?: Runtime }; chrome?: { runtime?: Runtime } };
  const runtime = g.browser?.runtime?.id ? g.browser.runtime : g.chrome?.runtime;
  try {
    runtime?.sendMessage(message)?.catch(() => {});
  } catch {
    // The extension was reloaded or disabled under this page: nothing to report to.
  }
}
