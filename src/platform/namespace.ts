// The one place that finds the extension namespace, for every context (background, content
// scripts, devtools page, panel, options). Firefox's `browser` is promise-based; Chrome's MV3
// `chrome` returns promises too for every API used here (the only callback-only case,
// runtime.onMessage's answer, is handled in background.ts). So no context needs
// webextension-polyfill (measured: docs/architecture.md, "The browser seam").

/** Structural types of the raw events and ports used here. */
export interface RawEvent<F> {
  addListener(cb: F, ...rest: unknown[]): void;
  removeListener?(cb: F): void;
}

export interface RawPort {
  name: string;
  sender?: { id?: string; url?: string; tab?: { id?: number }; frameId?: number };
  postMessage(m: unknown): void;
  onMessage: RawEvent<(m: unknown) => void>;
  onDisconnect: RawEvent<() => void>;
  disconnect(): void;
}

export interface RawMessageSender {
  id?: string;
  url?: string;
  tab?: { id?: number };
  frameId?: number;
}

export interface RawStorageArea {
  get(keys: string[]): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string[]): Promise<void>;
}

/** chrome.scripting.RegisteredContentScript (https://developer.chrome.com/docs/extensions/reference/api/scripting#type-RegisteredContentScript). */
export interface RawRegisteredScript {
  id: string;
  js?: string[];
  matches?: string[];
  excludeMatches?: string[];
  runAt?: "document_start" | "document_end" | "document_idle";
  allFrames?: boolean;
  matchOriginAsFallback?: boolean;
  world?: "MAIN" | "ISOLATED";
  persistAcrossSessions?: boolean;
}

export interface RawNamespace {
  runtime?: {
    id?: string;
    lastError?: unknown;
    getURL(path: string): string;
    getBrowserInfo?: unknown;
    getManifest?(): { content_scripts?: unknown[] };
    connect(info: { name: string }): RawPort;
    sendMessage(m: unknown): Promise<unknown> | undefined;
    onMessage?: RawEvent<(m: unknown, sender: RawMessageSender, sendResponse: (answer: unknown) => void) => unknown>;
    onConnect?: RawEvent<(port: RawPort) => void>;
  };
  storage?: {
    local: RawStorageArea;
    session?: RawStorageArea;
    onChanged?: RawEvent<(changes: Record<string, unknown>, area: string) => void>;
  };
  webRequest?: Record<string, unknown>;
  webNavigation?: {
    onBeforeNavigate: RawEvent<(d: { tabId: number; frameId: number; url: string }) => void>;
    onCommitted: RawEvent<(d: { tabId: number; frameId: number; url: string }) => void>;
  };
  tabs?: {
    get(id: number): Promise<{ url?: string }>;
    reload(id: number): Promise<void>;
    sendMessage(id: number, m: unknown): Promise<unknown>;
    onRemoved: RawEvent<(tabId: number) => void>;
    onUpdated: RawEvent<(tabId: number, info: { status?: string; url?: string }) => void>;
  };
  action?: {
    setBadgeText(d: { tabId: number; text: string }): Promise<void>;
    setBadgeBackgroundColor(d: { tabId: number; color: string }): Promise<void>;
    setTitle(d: { tabId: number; title: string }): Promise<void>;
  };
  /** Chrome only here: the Firefox build declares its content scripts in the manifest. */
  scripting?: {
    registerContentScripts(scripts: RawRegisteredScript[]): Promise<void>;
    updateContentScripts(scripts: RawRegisteredScript[]): Promise<void>;
    unregisterContentScripts(filter?: { ids?: string[] }): Promise<void>;
    getRegisteredContentScripts(filter?: { ids?: string[] }): Promise<RawRegisteredScript[]>;
    executeScript(injection: { target: { tabId: number; allFrames?: boolean }; files: string[]; world?: "MAIN" | "ISOLATED"; injectImmediately?: boolean }): Promise<unknown>;
  };
  cookies?: unknown;
  devtools?: {
    panels?: {
      create(title: string, icon: string, page: string, cb?: (panel: unknown) => void): Promise<unknown> | void;
      themeName?: string;
      onThemeChanged?: RawEvent<(theme: string) => void>;
      openResource?(url: string, lineNumber: number, columnNumber?: number, cb?: (result?: { isError?: boolean }) => void): void;
    };
    inspectedWindow?: { tabId?: number };
  };
}

/** Firefox's `browser` when present, else Chrome's `chrome`; null outside an extension context. */
export function extensionApi(): RawNamespace | null {
  const g = globalThis as { browser?: RawNamespace; chrome?: RawNamespace };
  if (g.browser?.runtime?.id) return g.browser;
  if (g.chrome?.runtime?.id) return g.chrome;
  return null;
}

/** Runs a browser call whose failure must not stop anything (a tab that just closed, a context gone). */
export function ignore(call: () => Promise<unknown> | undefined | void): void {
  try {
    const r = call();
    if (r && typeof (r as Promise<unknown>).catch === "function") (r as Promise<unknown>).catch(() => {});
  } catch {
    // nothing to do
  }
}
