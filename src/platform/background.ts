// The background's side of the browser seam. Everything behind `Platform` is plain data and
// callbacks, so the engine runs unchanged over the test fake (test/fakes/browser.ts).
import { PAGE_SCRIPTS, type HookScope } from "../shared/page-scripts";
import { LISTENED_EVENTS, type WebRequestEvent } from "../shared/web-request";
import { extensionApi, ignore, type RawNamespace, type RawRegisteredScript, type RawStorageArea } from "./namespace";
import { wrapPort, type Port } from "./port";

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

export type { Port } from "./port";

export interface ListenerSet {
  remove(): void;
}

export interface StorageArea {
  get(keys: string[]): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string[]): Promise<void>;
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
  /**
   * Registers the page scripts (hook.js, relay.js) for the pages `scope` matches (null: none),
   * replacing the last scope. Nothing where the manifest declares them for every page (Firefox).
   */
  placeHooks(scope: HookScope | null): Promise<void>;
  /** Injects the page scripts into every frame of the tab's loaded document (a script already there does nothing twice); nothing where the manifest declares them. */
  injectHooks(tabId: number): Promise<void>;
  /**
   * One onErrorOccurred listener for fetch-like requests of every tab, without extraHeaders (call at
   * the worker's top level). It costs only the requests that fail (docs/performance.md).
   */
  onRequestError(cb: (details: RawRequestDetails) => void): void;
  /** Adds one listener to each of the LISTENED_EVENTS, for all URLs narrowed by `filter`. */
  listen(filter: CaptureFilter, handler: (event: WebRequestEvent, details: RawRequestDetails) => void): ListenerSet;
  readonly session: StorageArea;
  readonly local: StorageArea;
  setBadgeText(tabId: number, text: string): void;
  setBadgeBackgroundColor(tabId: number, color: string): void;
  setTitle(tabId: number, title: string): void;
  onTabRemoved(cb: (tabId: number) => void): void;
  onNavigation(cb: (nav: Navigation) => void): void;
  onConnect(cb: (port: Port) => void): void;
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
 * Firefox shows them anyway and throws "Invalid enumeration value" on the option (its schema has
 * no such value: https://developer.mozilla.org/en-US/docs/Mozilla/Add-ons/WebExtensions/API/webRequest/onBeforeSendHeaders;
 * the same throw broke another add-on: https://github.com/simplesamlphp/SAML-tracer/issues/82), so it is
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
  // Firefox's onErrorOccurred takes no extraInfoSpec at all: even an empty one throws "Incorrect argument types"
  // (addListener(listener, filter): https://developer.mozilla.org/en-US/docs/Mozilla/Add-ons/WebExtensions/API/webRequest/onErrorOccurred).
  if (spec.length) ev.addListener(cb, filter, spec);
  else ev.addListener(cb, filter);
}

/** fetch() and XHR are "xmlhttprequest"; EventSource is "other" (Chromium's webRequest resource types). */
const ERROR_TYPES = ["xmlhttprequest", "other"];

export function createBrowserPlatform(api: RawNamespace | null = extensionApi()): Platform {
  const { runtime, tabs, action, storage } = api ?? {};
  const sessionArea = storage?.session;
  if (!runtime || !tabs || !action || !storage || !sessionArea) throw new Error("cors-lens: not an extension background");
  const wr = api!.webRequest;
  const extraHeaders = !!wr && extraHeadersFor(wr, "OnBeforeSendHeadersOptions") !== null;
  const scripting = api!.scripting;
  const declared = runtime.getManifest?.().content_scripts;
  // Chrome's build declares no content scripts and registers them itself (background/hooks.ts).
  const hookOnDemand = !!scripting && !(Array.isArray(declared) && declared.length > 0);
  const area = (a: RawStorageArea): StorageArea => ({ get: (k) => a.get(k), set: (i) => a.set(i), remove: (k) => a.remove(k) });

  return {
    extensionId: runtime.id ?? "",
    extensionOrigin: new URL(runtime.getURL("/")).origin,
    extraHeaders,
    // runtime.getBrowserInfo exists only in Firefox
    // (https://developer.mozilla.org/en-US/docs/Mozilla/Add-ons/WebExtensions/API/runtime/getBrowserInfo).
    blocksAreErrors: typeof runtime.getBrowserInfo !== "function",
    async placeHooks(scope) {
      if (!hookOnDemand) return;
      const ids = PAGE_SCRIPTS.map((x) => x.id);
      const existing = new Set((await scripting!.getRegisteredContentScripts({ ids })).map((x) => x.id));
      if (!scope || scope.matches.length === 0) {
        if (existing.size) await scripting!.unregisterContentScripts({ ids: [...existing] });
        return;
      }
      const scripts: RawRegisteredScript[] = PAGE_SCRIPTS.map((x) => ({
        id: x.id, js: [x.file], matches: scope.matches, excludeMatches: scope.excludeMatches,
        runAt: "document_start", allFrames: true, world: x.world,
        // The manifest's match_about_blank: about:blank, srcdoc, data: and blob: frames of a matched page.
        matchOriginAsFallback: true,
      }));
      const update = scripts.filter((x) => existing.has(x.id));
      const add = scripts.filter((x) => !existing.has(x.id));
      if (update.length) await scripting!.updateContentScripts(update);
      if (add.length) await scripting!.registerContentScripts(add);
    },
    async injectHooks(tabId) {
      if (!hookOnDemand) return;
      for (const x of PAGE_SCRIPTS) {
        try {
          await scripting!.executeScript({ target: { tabId, allFrames: true }, files: [x.file], world: x.world, injectImmediately: true });
        } catch {
          // A page no extension may script (chrome://, the Web Store) or a tab that just closed.
          return;
        }
      }
    },
    onRequestError(cb) {
      const ev = wr?.onErrorOccurred as RawEvent | undefined;
      ev?.addListener((d) => cb(d), { urls: ["<all_urls>"], types: ERROR_TYPES });
    },
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
    session: area(sessionArea),
    local: area(storage.local),
    // Badge calls fail when the tab has just closed: never let that stop capture.
    setBadgeText: (tabId, text) => ignore(() => action.setBadgeText({ tabId, text })),
    setBadgeBackgroundColor: (tabId, color) => ignore(() => action.setBadgeBackgroundColor({ tabId, color })),
    setTitle: (tabId, title) => ignore(() => action.setTitle({ tabId, title })),
    onTabRemoved: (cb) => tabs.onRemoved.addListener((tabId) => cb(tabId)),
    onNavigation(cb) {
      const nav = api!.webNavigation;
      if (nav) {
        nav.onBeforeNavigate.addListener((d) => { if (d.frameId === 0) cb({ tabId: d.tabId, url: d.url, phase: "start" }); });
        nav.onCommitted.addListener((d) => { if (d.frameId === 0) cb({ tabId: d.tabId, url: d.url, phase: "commit" }); });
      } else {
        // Without the webNavigation permission: "loading" with a URL is the closest to a commit.
        tabs.onUpdated.addListener((tabId, info) => {
          if (info.status === "loading" && info.url) cb({ tabId, url: info.url, phase: "commit" });
        });
      }
    },
    onConnect: (cb) => runtime.onConnect?.addListener((port) => cb(wrapPort(port, () => runtime.lastError))),
    onMessage(cb) {
      // Chrome's runtime.onMessage ignores a returned promise (it answers only through
      // sendResponse, kept open by returning true); Firefox takes either. So: sendResponse for both.
      // https://developer.chrome.com/docs/extensions/develop/concepts/messaging#simple
      runtime.onMessage?.addListener((message, sender, sendResponse) => {
        const answer = cb(message, { id: sender.id, tabId: sender.tab?.id, frameId: sender.frameId, url: sender.url });
        if (!answer) return undefined;
        answer.then((a) => sendResponse(a), () => sendResponse(undefined));
        return true;
      });
    },
    sendToTab: (tabId, message) => ignore(() => tabs.sendMessage(tabId, message)),
    async tabUrl(tabId) {
      try {
        return (await tabs.get(tabId)).url;
      } catch {
        return undefined;
      }
    },
    async reloadTab(tabId) {
      await tabs.reload(tabId);
    },
    now: () => Date.now(),
    setTimer(ms, fn) {
      const t = setTimeout(fn, ms);
      return () => clearTimeout(t);
    },
  };
}
