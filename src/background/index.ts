// The background entry (MV3 service worker on Chrome, background script on Firefox). Everything
// is registered synchronously during this first turn, so the event that woke the worker finds
// its listener (https://developer.chrome.com/docs/extensions/develop/concepts/service-workers/events).
import { createBrowserPlatform } from "../platform/background";
import { Engine } from "./engine";

// The start-up bridge (capture.ts) only where a worker is woken by webRequest events: Chrome.
const engine = new Engine(createBrowserPlatform(), { startupBridge: "ServiceWorkerGlobalScope" in globalThis });
void engine.start();
