// The content scripts' side of the browser seam, so the relay stays plain TypeScript.
// No webextension-polyfill here: relay.js runs at document_start on every page, and MV3's
// runtime.sendMessage returns a promise in Chrome and Firefox alike.
type Runtime = {
  id?: string;
  sendMessage(m: unknown): Promise<unknown> | undefined;
  onMessage?: { addListener(cb: (m: unknown, sender: { id?: string }) => void): void };
};

function runtime(): Runtime | undefined {
  const g = globalThis as { browser?: { runtime?: Runtime }; chrome?: { runtime?: Runtime } };
  return g.browser?.runtime?.id ? g.browser.runtime : g.chrome?.runtime;
}

/** Fire-and-forget message to the background; a stopped worker is woken by it, a missing one ignored. */
export function sendRuntimeMessage(message: unknown): void {
  try {
    runtime()?.sendMessage(message)?.catch(() => {});
  } catch {
    // The extension was reloaded or disabled under this page: nothing to report to.
  }
}

/** A message to the background and its answer; undefined when there is none (or no background). */
export async function requestRuntime(message: unknown): Promise<unknown> {
  try {
    return await runtime()?.sendMessage(message);
  } catch {
    return undefined;
  }
}

/**
 * Messages from our own extension (tabs.sendMessage from the background). Web pages cannot reach
 * runtime.onMessage at all; the sender's id is checked anyway, as the one thing the browser vouches for.
 */
export function onExtensionMessage(cb: (message: unknown) => void): void {
  const rt = runtime();
  try {
    rt?.onMessage?.addListener((m, sender) => {
      if (sender?.id === rt.id) cb(m);
    });
  } catch {
    // no runtime: nothing will come
  }
}
