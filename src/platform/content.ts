// The content scripts' side of the browser seam, so the relay stays plain TypeScript.
// relay.js runs at document_start on every page, and MV3's runtime.sendMessage returns a promise
// in Chrome and Firefox alike.
import type { Wall } from "../shared/bridge";
import { extensionApi } from "./namespace";

const runtime = () => extensionApi()?.runtime;

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

/** RELAY_CHANNEL's wall on the content script's side (shared/bridge.ts). */
export function runtimeWall(): Wall {
  return {
    listen(fn) {
      onExtensionMessage((m) => { fn(m, undefined); });
      return () => {};
    },
    send: sendRuntimeMessage,
    request: requestRuntime,
  };
}
