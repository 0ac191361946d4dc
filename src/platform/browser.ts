// The one seam between the background and the browser. Everything behind `Platform` is plain
// data and callbacks, so the engine runs unchanged over the test fake (test/unit/background/fake-platform.ts).
import browser, { type Runtime } from "webextension-polyfill";

import { LISTENED_EVENTS, type WebRequestEvent } from "../shared/web-request";

export { LISTENED_EVENTS, WEB_REQUEST_EVENTS, type WebRequestEvent } from "../shared/web-request";

export interface RawHttpHeader {
  name: string;
  value?: string;
  binaryValue?: ArrayLike<number>;
}

/**
 * webRequest details as the browser hands them over (Chrome and Firefox fields). Only
 * src/background/records.ts reads this shape.
 */
export interface RawRequestDetails {
  requestId: string;
  tabId: number;
  frameId: number;
  type: string;
  url: string;
  method: string;
  timeStamp: number;
  /** Chrome: the serialized origin that started the request ("null" when opaque). */
  initiator?: string;
  /** Firefox: the URL of the resource / document that started the request. */
  originUrl?: string;
  documentUrl?: string;
  requestHeaders?: RawHttpHeader[];
  responseHeaders?: RawHttpHeader[];
  statusCode?: number;
  redirectUrl?: string;
  error?: string;
  fromCache?: boolean;
}

/** What a listener set listens to: all URLs, narrowed by tab and/or resource type. */
export interface CaptureFilter {
  tabId?: number;
  types?: string[];
}

export interface ListenerSet {
  remove(): void;
}

export interface StorageArea {
  get(keys: string[]): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string[]): Promise<void>;
}

/** A runtime port as the background sees it. */
export interface PortLike {
  readonly name: string;
  /** The connecting page's URL and extension id (from port.sender). */
  readonly senderUrl: string | undefined;
  readonly senderId: string | undefined;
  post(message: unknown): void;
  onMessage(cb: (message: unknown) => void): void;
  onDisconnect(cb: () => void): void;
  disconnect(): void;
}

export interface MessageSender {
  id?: string;
  tabId?: number;
  frameId?: number;
  url?: string;
}

/** A top-level navigation: "start" before the request goes out, "commit" when the new document replaces the old. */
export interface Navigation {
  tabId: number;
  url: string;
  phase: "start" | "commit";
}

export interface Platform {
  readonly extensionId: string;
  /** e.g. "chrome-extension://abc…": only pages of this origin may open a panel port. */
  readonly extensionOrigin: string;
  /** Whether listeners get `extraHeaders` (Chrome); without it preflights are invisible there. */
  readonly extraHeaders: boolean;
  /**
   * Whether webRequest reports every CORS block as an error (Chromium: net::ERR_FAILED), so that a
   * completed request means the page got the response. Firefox reports a block on the response
   * itself as completed (docs/firefox.md), so there completion proves nothing.
   */
  readonly blocksAreErrors: boolean;
  /** Adds one listener to each of the LISTENED_EVENTS, for all URLs narrowed by `filter`. */
  listen(filter: CaptureFilter, handler: (event: WebRequestEvent, details: RawRequestDetails) => void): ListenerSet;
  readonly session: StorageArea;
  readonly local: StorageArea;
  setBadgeText(tabId: number, text: string): void;
  setBadgeBackgroundColor(tabId: number, color: string): void;
  setTitle(tabId: number, title: string): void;
  onTabRemoved(cb: (tabId: number) => void): void;
  onNavigation(cb: (nav: Navigation) => void): void;
  onConnect(cb: (port: PortLike) => void): void;
  /** Runtime messages; a promise returned by `cb` is the answer to the sender (undefined: no answer). */
  onMessage(cb: (message: unknown, sender: MessageSender) => Promise<unknown> | undefined): void;
  /** A message to every frame of the tab's content scripts; none there (or the tab gone) is fine. */
  sendToTab(tabId: number, message: unknown): void;
  tabUrl(tabId: number): Promise<string | undefined>;
  reloadTab(tabId: number): Promise<void>;
  now(): number;
  /** Runs `fn` once after `ms`; returns a cancel function. */
  setTimer(ms: number, fn: () => void): () => void;
}

// ---- The real implementation ----

type Listener = (details: RawRequestDetails) => void;
interface RawEvent {
  addListener(cb: Listener, filter: { urls: string[]; tabId?: number; types?: string[] }, spec?: string[]): void;
  removeListener(cb: Listener): void;
}
type RawWebRequest = Record<string, unknown>;

const EVENT_SPEC: Record<WebRequestEvent, { name: string; options: string; spec: string[] }> = {
  beforeRequest: { name: "onBeforeRequest", options: "OnBeforeRequestOptions", spec: [] },
  beforeSendHeaders: { name: "onBeforeSendHeaders", options: "OnBeforeSendHeadersOptions", spec: ["requestHeaders"] },
  sendHeaders: { name: "onSendHeaders", options: "OnSendHeadersOptions", spec: ["requestHeaders"] },
  headersReceived: { name: "onHeadersReceived", options: "OnHeadersReceivedOptions", spec: ["responseHeaders"] },
  beforeRedirect: { name: "onBeforeRedirect", options: "OnBeforeRedirectOptions", spec: ["responseHeaders"] },
  responseStarted: { name: "onResponseStarted", options: "OnResponseStartedOptions", spec: ["responseHeaders"] },
  completed: { name: "onCompleted", options: "OnCompletedOptions", spec: ["responseHeaders"] },
  errorOccurred: { name: "onErrorOccurred", options: "OnErrorOccurredOptions", spec: [] },
};

/**
 * Chrome hides preflights, Origin and Cookie from listeners without "extraHeaders"
 * (https://developer.chrome.com/docs/extensions/reference/api/webRequest#life-cycle-of-requests);
 * Firefox shows them anyway and throws "Invalid enumeration value" on the option, so it is
 * feature-detected per event from the enum objects Chrome exposes.
 */
function extraHeadersFor(wr: RawWebRequest, options: string): string | null {
  const e = wr[options] as Record<string, unknown> | undefined;
  return typeof e?.EXTRA_HEADERS === "string" ? e.EXTRA_HEADERS : null;
}

function addWithSpec(ev: RawEvent, cb: Listener, filter: { urls: string[] }, spec: string[], extra: string | null): void {
  if (extra) {
    try {
      ev.addListener(cb, filter, [...spec, extra]);
      return;
    } catch {
      // An engine that lists the enum but rejects it: fall back to what every browser accepts.
    }
  }
  // Firefox's onErrorOccurred takes no extraInfoSpec at all: even an empty one throws "Incorrect argument types".
  if (spec.length) ev.addListener(cb, filter, spec);
  else ev.addListener(cb, filter);
}

function storageArea(area: { get(k: string[]): Promise<Record<string, unknown>>; set(i: Record<string, unknown>): Promise<void>; remove(k: string[]): Promise<void> }): StorageArea {
  return {
    get: (keys) => area.get(keys),
    set: (items) => area.set(items),
    remove: (keys) => area.remove(keys),
  };
}

/** Badge calls fail when the tab has just closed (or the manifest has no "action"): never let that stop capture. */
function ignore(call: () => Promise<unknown> | undefined): void {
  try {
    call()?.catch(() => {});
  } catch {
    // nothing to do
  }
}

export function createBrowserPlatform(): Platform {
  // webRequest goes through the raw namespace: the polyfill adds nothing to events, and the hot
  // path should not run through its Proxy.
  const g = globalThis as { chrome?: { webRequest?: RawWebRequest } };
  const wr = (g.chrome?.webRequest ?? (browser as unknown as { webRequest?: RawWebRequest }).webRequest) as RawWebRequest | undefined;
  const extraHeaders = !!wr && extraHeadersFor(wr, "OnBeforeSendHeadersOptions") !== null;
  const session = (browser.storage as unknown as { session: Parameters<typeof storageArea>[0] }).session;

  return {
    extensionId: browser.runtime.id,
    extensionOrigin: new URL(browser.runtime.getURL("/")).origin,
    extraHeaders,
    // runtime.getBrowserInfo exists only in Firefox.
    blocksAreErrors: typeof (browser.runtime as unknown as { getBrowserInfo?: unknown }).getBrowserInfo !== "function",
    listen(filter, handler) {
      if (!wr) {
        console.warn("cors-lens: no webRequest API (permission missing?)");
        return { remove: () => {} };
      }
      const f = { urls: ["<all_urls>"], ...filter };
      const added: Array<[RawEvent, Listener]> = [];
      for (const event of LISTENED_EVENTS) {
        const s = EVENT_SPEC[event];
        const ev = wr[s.name] as RawEvent;
        const cb: Listener = (d) => handler(event, d);
        addWithSpec(ev, cb, f, s.spec, extraHeadersFor(wr, s.options));
        added.push([ev, cb]);
      }
      return { remove: () => { for (const [ev, cb] of added) ev.removeListener(cb); } };
    },
    session: storageArea(session),
    local: storageArea(browser.storage.local),
    setBadgeText: (tabId, text) => ignore(() => browser.action.setBadgeText({ tabId, text })),
    setBadgeBackgroundColor: (tabId, color) => ignore(() => browser.action.setBadgeBackgroundColor({ tabId, color })),
    setTitle: (tabId, title) => ignore(() => browser.action.setTitle({ tabId, title })),
    onTabRemoved: (cb) => browser.tabs.onRemoved.addListener((tabId) => cb(tabId)),
    onNavigation(cb) {
      const nav = browser.webNavigation as typeof browser.webNavigation | undefined;
      if (nav) {
        nav.onBeforeNavigate.addListener((d) => { if (d.frameId === 0) cb({ tabId: d.tabId, url: d.url, phase: "start" }); });
        nav.onCommitted.addListener((d) => { if (d.frameId === 0) cb({ tabId: d.tabId, url: d.url, phase: "commit" }); });
      } else {
        // Without the webNavigation permission: "loading" with a URL is the closest to a commit.
        browser.tabs.onUpdated.addListener((tabId, info) => {
          if (info.status === "loading" && info.url) cb({ tabId, url: info.url, phase: "commit" });
        });
      }
    },
    onConnect(cb) {
      browser.runtime.onConnect.addListener((port) => {
        cb({
          name: port.name,
          senderUrl: port.sender?.url,
          senderId: port.sender?.id,
          post: (m) => { try { port.postMessage(m); } catch { /* disconnected */ } },
          onMessage: (f) => port.onMessage.addListener((m) => f(m)),
          onDisconnect: (f) => port.onDisconnect.addListener(() => f()),
          disconnect: () => port.disconnect(),
        });
      });
    },
    onMessage(cb) {
      browser.runtime.onMessage.addListener((message: unknown, sender: Runtime.MessageSender) => {
        return cb(message, { id: sender.id, tabId: sender.tab?.id, frameId: sender.frameId, url: sender.url });
      });
    },
    sendToTab: (tabId, message) => ignore(() => browser.tabs.sendMessage(tabId, message)),
    async tabUrl(tabId) {
      try {
        return (await browser.tabs.get(tabId)).url;
      } catch {
        return undefined;
      }
    },
    async reloadTab(tabId) {
      await browser.tabs.reload(tabId);
    },
    now: () => Date.now(),
    setTimer(ms, fn) {
      const t = setTimeout(fn, ms);
      return () => clearTimeout(t);
    },
  };
}
