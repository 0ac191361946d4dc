// The panel's and the devtools page's one seam over browser APIs. Components receive a
// `PanelPlatform`; tests pass a fake. Only this file touches `browser` / `chrome`, `navigator.clipboard`
// and `document.execCommand`.
//
// It reads the raw extension namespace (Firefox's promise-based `browser`, else Chrome's `chrome`, whose
// MV3 APIs used here also return promises or are synchronous) instead of importing
// webextension-polyfill, so that this module loads in jsdom tests and in a normal tab.
import { PORT_NAME } from "../shared/protocol";

/** A runtime port as the panel sees it. */
export interface PanelPort {
  post(message: unknown): void;
  onMessage(cb: (message: unknown) => void): void;
  onDisconnect(cb: () => void): void;
  disconnect(): void;
}

export interface PanelPlatform {
  /** Opens a runtime port named PORT_NAME to the background. Throws when the extension context is gone. */
  connect(): PanelPort;
  storageGet(keys: string[]): Promise<Record<string, unknown>>;
  storageSet(items: Record<string, unknown>): Promise<void>;
  /** DevTools' theme ("default", "dark", …), or null outside DevTools. */
  themeName(): string | null;
  /** Calls `cb` with the new theme name when DevTools switches theme (Firefox only); returns an unsubscribe. */
  onThemeChanged(cb: (theme: string) => void): () => void;
  /** Writes text to the clipboard; resolves false when every method was refused. */
  copyText(text: string): Promise<boolean>;
}

// ---- Minimal structural types of the raw namespaces used here ----

interface RawEvent<F> {
  addListener(cb: F): void;
  removeListener?(cb: F): void;
}
interface RawPort {
  postMessage(m: unknown): void;
  onMessage: RawEvent<(m: unknown) => void>;
  onDisconnect: RawEvent<() => void>;
  disconnect(): void;
}
interface RawNamespace {
  runtime?: { id?: string; connect(info: { name: string }): RawPort; lastError?: unknown };
  storage?: { local: { get(keys: string[]): Promise<Record<string, unknown>> | void; set(items: Record<string, unknown>): Promise<void> | void } };
  devtools?: {
    panels?: {
      create(title: string, icon: string, page: string, cb?: (panel: unknown) => void): Promise<unknown> | void;
      themeName?: string;
      onThemeChanged?: RawEvent<(theme: string) => void>;
    };
    inspectedWindow?: { tabId?: number };
  };
}

/** Firefox's `browser` when present, else Chrome's `chrome`; null outside an extension page. */
export function rawNamespace(): RawNamespace | null {
  const g = globalThis as { browser?: RawNamespace; chrome?: RawNamespace };
  if (g.browser?.runtime?.id) return g.browser;
  if (g.chrome?.runtime?.id) return g.chrome;
  return null;
}

// ---- Clipboard ----

export interface ClipboardEnv {
  clipboard?: { writeText(text: string): Promise<void> } | undefined;
  document?: Document | undefined;
}

/**
 * navigator.clipboard first; DevTools panels are often refused it (not focused / permissions policy),
 * so fall back to a hidden textarea and document.execCommand("copy"), which still works there.
 */
export async function copyText(text: string, env: ClipboardEnv = defaultClipboardEnv()): Promise<boolean> {
  const clip = env.clipboard;
  if (clip && typeof clip.writeText === "function") {
    try {
      await clip.writeText(text);
      return true;
    } catch {
      // refused: fall through
    }
  }
  return execCommandCopy(text, env.document);
}

function defaultClipboardEnv(): ClipboardEnv {
  return {
    clipboard: typeof navigator !== "undefined" ? (navigator.clipboard as ClipboardEnv["clipboard"]) : undefined,
    document: typeof document !== "undefined" ? document : undefined,
  };
}

function execCommandCopy(text: string, doc: Document | undefined): boolean {
  if (!doc?.body || typeof doc.execCommand !== "function") return false;
  const ta = doc.createElement("textarea");
  ta.value = text;
  ta.setAttribute("readonly", "");
  ta.setAttribute("aria-hidden", "true");
  ta.style.position = "fixed";
  ta.style.top = "0";
  ta.style.left = "-9999px";
  ta.style.opacity = "0";
  const previous = doc.activeElement as HTMLElement | null;
  doc.body.appendChild(ta);
  try {
    ta.focus();
    ta.select();
    ta.setSelectionRange(0, text.length);
    return doc.execCommand("copy") === true;
  } catch {
    return false;
  } finally {
    ta.remove();
    previous?.focus?.();
  }
}

// ---- The real implementation ----

function wrapPort(port: RawPort): PanelPort {
  return {
    post: (m) => {
      try {
        port.postMessage(m);
      } catch {
        // disconnected: the onDisconnect handler reconnects
      }
    },
    onMessage: (cb) => port.onMessage.addListener((m) => cb(m)),
    onDisconnect: (cb) => port.onDisconnect.addListener(() => {
      // Chrome logs "Unchecked runtime.lastError" unless it is read.
      void (rawNamespace()?.runtime?.lastError);
      cb();
    }),
    disconnect: () => {
      try {
        port.disconnect();
      } catch {
        // already gone
      }
    },
  };
}

/** In-memory storage for a panel page opened outside an extension (e.g. served by a dev server). */
function memoryStorage(): Pick<PanelPlatform, "storageGet" | "storageSet"> {
  const data = new Map<string, unknown>();
  return {
    storageGet: async (keys) => Object.fromEntries(keys.filter((k) => data.has(k)).map((k) => [k, data.get(k)])),
    storageSet: async (items) => { for (const [k, v] of Object.entries(items)) data.set(k, v); },
  };
}

export function createBrowserPanelPlatform(): PanelPlatform {
  const ns = rawNamespace();
  const memory = memoryStorage();
  return {
    connect() {
      if (!ns?.runtime) throw new Error("Not running in an extension page.");
      return wrapPort(ns.runtime.connect({ name: PORT_NAME }));
    },
    async storageGet(keys) {
      if (!ns?.storage) return memory.storageGet(keys);
      try {
        return (await ns.storage.local.get(keys)) ?? {};
      } catch {
        return {};
      }
    },
    async storageSet(items) {
      if (!ns?.storage) return memory.storageSet(items);
      try {
        await ns.storage.local.set(items);
      } catch {
        // quota or context gone: the choice just is not remembered
      }
    },
    themeName() {
      const t = ns?.devtools?.panels?.themeName;
      return typeof t === "string" ? t : null;
    },
    onThemeChanged(cb) {
      const ev = ns?.devtools?.panels?.onThemeChanged;
      if (!ev) return () => {};
      const f = (t: string) => cb(t);
      ev.addListener(f);
      return () => ev.removeListener?.(f);
    },
    copyText: (text) => copyText(text),
  };
}

// ---- The devtools page ----

/** The tab DevTools inspects, or null outside a devtools page. */
export function inspectedTabId(): number | null {
  const id = rawNamespace()?.devtools?.inspectedWindow?.tabId;
  return typeof id === "number" ? id : null;
}

/** Adds a DevTools panel (Chrome takes a callback, Firefox returns a promise; neither is needed here). */
export function createDevtoolsPanel(title: string, icon: string, page: string): void {
  const panels = rawNamespace()?.devtools?.panels;
  if (!panels) return;
  const r = panels.create(title, icon, page);
  if (r && typeof (r as Promise<unknown>).catch === "function") (r as Promise<unknown>).catch(() => {});
}
