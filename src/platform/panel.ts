// The extension pages' side of the browser seam: the panel, the devtools page and the options page.
// Components receive a `PanelPlatform`; tests pass the fake (test/fakes/browser.ts). Besides
// src/platform/, only this file touches `navigator.clipboard` and `document.execCommand`. It loads
// in jsdom and in a normal tab too (panel.html?tabId=N), where there is no extension namespace.
import { PORT_NAME } from "../shared/protocol";
import { extensionApi, type RawNamespace } from "./namespace";
import { wrapPort, type Port } from "./port";

export type { Port } from "./port";

export interface PanelPlatform {
  /** Opens a runtime port named PORT_NAME to the background. Throws when the extension context is gone. */
  connect(): Port;
  storageGet(keys: string[]): Promise<Record<string, unknown>>;
  storageSet(items: Record<string, unknown>): Promise<void>;
  /** Calls `cb` when one of `keys` changes in storage.local (another page wrote it); returns an unsubscribe. Optional: fakes may omit it. */
  onStorageChanged?(keys: string[], cb: () => void): () => void;
  /** DevTools' theme ("default", "dark", …), or null outside DevTools. */
  themeName(): string | null;
  /** Calls `cb` with the new theme name when DevTools switches theme (Firefox only); returns an unsubscribe. */
  onThemeChanged(cb: (theme: string) => void): () => void;
  /** Writes text to the clipboard; resolves false when every method was refused. */
  copyText(text: string): Promise<boolean>;
  /** Saves text as a file (Export HAR / report); resolves false when it could not. Optional: fakes may omit it. */
  download?(filename: string, text: string, mime: string): Promise<boolean>;
  /**
   * Opens `url` at `line`:`column` (1-based, as the initiator has them) in DevTools' Sources panel.
   * Absent outside DevTools (panel.html in a tab) and where the browser has no such API (Firefox).
   */
  openResource?(url: string, line: number, column: number | null): Promise<boolean>;
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

// ---- Download ----

/**
 * A Blob URL and a clicked <a download>: works in a DevTools panel and in a normal tab without the
 * "downloads" permission. The URL is revoked a moment later (revoking at once can cancel the download in Chrome).
 */
export async function downloadText(filename: string, text: string, mime: string, doc: Document | undefined = typeof document !== "undefined" ? document : undefined): Promise<boolean> {
  if (!doc?.body || typeof URL.createObjectURL !== "function") return false;
  try {
    const url = URL.createObjectURL(new Blob([text], { type: mime }));
    const a = doc.createElement("a");
    a.href = url;
    a.download = filename;
    a.rel = "noopener";
    a.style.display = "none";
    doc.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    return true;
  } catch {
    return false;
  }
}

// ---- The real implementation ----

/** In-memory storage for a panel page opened outside an extension (e.g. served by a dev server). */
function memoryStorage(): Pick<PanelPlatform, "storageGet" | "storageSet"> {
  const data = new Map<string, unknown>();
  return {
    storageGet: async (keys) => Object.fromEntries(keys.filter((k) => data.has(k)).map((k) => [k, data.get(k)])),
    storageSet: async (items) => { for (const [k, v] of Object.entries(items)) data.set(k, v); },
  };
}

export function createBrowserPanelPlatform(): PanelPlatform {
  const ns = extensionApi();
  const memory = memoryStorage();
  return {
    connect() {
      if (!ns?.runtime) throw new Error("Not running in an extension page.");
      const runtime = ns.runtime;
      return wrapPort(runtime.connect({ name: PORT_NAME }), () => runtime.lastError);
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
    onStorageChanged(keys, cb) {
      const ev = ns?.storage?.onChanged;
      if (!ev) return () => {};
      const f = (changes: Record<string, unknown>, area: string) => {
        if (area === "local" && keys.some((k) => Object.hasOwn(changes, k))) cb();
      };
      ev.addListener(f);
      return () => ev.removeListener?.(f);
    },
    themeName() {
      const t = ns?.devtools?.panels?.themeName;
      if (typeof t === "string") return t;
      // panel.html opened in a normal tab: the system's light or dark preference.
      return globalThis.matchMedia?.("(prefers-color-scheme: dark)").matches ? "dark" : "default";
    },
    onThemeChanged(cb) {
      const ev = ns?.devtools?.panels?.onThemeChanged;
      if (ev) {
        const f = (t: string) => cb(t);
        ev.addListener(f);
        return () => ev.removeListener?.(f);
      }
      if (typeof ns?.devtools?.panels?.themeName === "string") return () => {};
      const mq = globalThis.matchMedia?.("(prefers-color-scheme: dark)");
      if (!mq) return () => {};
      const f = () => cb(mq.matches ? "dark" : "default");
      mq.addEventListener("change", f);
      return () => mq.removeEventListener("change", f);
    },
    copyText: (text) => copyText(text),
    download: (filename, text, mime) => downloadText(filename, text, mime),
    ...(typeof ns?.devtools?.panels?.openResource === "function" ? { openResource: (url: string, line: number, column: number | null) => openResource(ns, url, line, column) } : {}),
  };
}

/**
 * chrome.devtools.panels.openResource takes a 0-based line and column: DevTools passes them to
 * uiSourceCode.uiLocation() as they are (devtools-frontend front_end/models/extensions/ExtensionServer.ts,
 * onOpenResource), and Ember Inspector subtracts 1 from its 1-based line for the same reason.
 * The callback gets an error object ({isError, code: "E_NOTFOUND"}) for an unknown URL.
 */
function openResource(ns: RawNamespace, url: string, line: number, column: number | null): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), 3000);
    const done = (ok: boolean) => { clearTimeout(timer); resolve(ok); };
    try {
      ns.devtools!.panels!.openResource!(url, Math.max(0, line - 1), column === null ? undefined : Math.max(0, column - 1),
        (result) => done(!(result && result.isError)));
    } catch {
      done(false);
    }
  });
}

// ---- Cookies: the jar, read on demand by the cookie section (src/panel/CookieView.tsx) ----

/** What chrome.cookies / browser.cookies return (the fields CORS Lens uses). */
export interface RawCookie {
  name: string; value?: string; domain: string; hostOnly: boolean; path: string; secure: boolean; httpOnly?: boolean;
  sameSite?: string; partitionKey?: { topLevelSite?: string; hasCrossSiteAncestor?: boolean } | null;
}
interface RawCookies {
  getAll(details: { url?: string; domain?: string; partitionKey?: { topLevelSite?: string } }): Promise<RawCookie[]>;
}
interface RawTabs { get(id: number): Promise<{ url?: string }> }

export interface CookieJarRead {
  cookies: RawCookie[];
  /** The inspected tab's top-level URL now (null when unknown). */
  topLevelUrl: string | null;
  /** Whether cookies of other partitions (CHIPS) could be listed too, or only the top-level site's. */
  allPartitions: boolean;
  /** Set when the jar could not be read (no permission, not in an extension page). */
  error?: string;
}

function panelTabId(): number | null {
  const id = inspectedTabId();
  if (id !== null) return id;
  const q = typeof location !== "undefined" ? Number(new URLSearchParams(location.search).get("tabId")) : NaN;
  return Number.isInteger(q) && q >= 0 ? q : null;
}

/**
 * Every cookie the browser holds for `url`'s site, with partitioned (CHIPS) ones. Reads by domain, not by
 * url: getAll({url}) leaves out the cookies whose Path or Secure flag do not match, which are exactly the
 * ones to explain. Partitions: Firefox and Chrome 119+ read every partition with `partitionKey: {}`
 * (https://developer.chrome.com/docs/extensions/reference/api/cookies#type-CookieDetails); a browser that
 * refuses it gets the top-level site's partition only ({topLevelSite}), then unpartitioned cookies.
 */
export async function readCookieJar(url: string, domain: string): Promise<CookieJarRead> {
  const ns = extensionApi() as { cookies?: RawCookies; tabs?: RawTabs } | null;
  const api = ns?.cookies;
  let topLevelUrl: string | null = null;
  const tab = panelTabId();
  if (tab !== null && ns?.tabs) {
    try {
      const t = await ns.tabs.get(tab);
      topLevelUrl = typeof t?.url === "string" && t.url ? t.url : null;
    } catch {
      // the tab is gone: the exchange's origin stands in for it
    }
  }
  if (!api) return { cookies: [], topLevelUrl, allPartitions: false, error: "The cookies API is not available here (not an extension page, or the permission is missing)." };
  const all: RawCookie[] = [];
  const add = (list: unknown) => { if (Array.isArray(list)) all.push(...(list as RawCookie[])); };
  try {
    add(await api.getAll({ domain }));
    add(await api.getAll({ url }));
  } catch (e) {
    return { cookies: [], topLevelUrl, allPartitions: false, error: `The browser refused to list cookies: ${String(e)}` };
  }
  let allPartitions = false;
  try {
    add(await api.getAll({ domain, partitionKey: {} }));
    allPartitions = true;
  } catch {
    // no "every partition" query here: read the top-level site's partition below
  }
  if (!allPartitions && topLevelUrl) {
    try {
      // Loaded here, not at the top: core/cookies holds the public suffix list (~185 KB), which the
      // panel's list does not need (src/panel/lazy-detail.ts); by now the detail has loaded it.
      const { schemefulSite } = await import("../core/cookies");
      const topLevelSite = schemefulSite(topLevelUrl);
      if (topLevelSite) add(await api.getAll({ domain, partitionKey: { topLevelSite } }));
    } catch {
      // no partitioned cookies (an older browser): unpartitioned only
    }
  }
  const seen = new Set<string>();
  const cookies = all.filter((c) => {
    const k = `${c.name}\u0000${c.domain}\u0000${c.path}\u0000${c.partitionKey?.topLevelSite ?? ""}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return { cookies, topLevelUrl, allPartitions };
}

// ---- The devtools page ----

/** The tab DevTools inspects, or null outside a devtools page. */
export function inspectedTabId(): number | null {
  const id = extensionApi()?.devtools?.inspectedWindow?.tabId;
  return typeof id === "number" ? id : null;
}

/** Adds a DevTools panel (Chrome takes a callback, Firefox returns a promise; neither is needed here). */
export function createDevtoolsPanel(title: string, icon: string, page: string): void {
  const panels = extensionApi()?.devtools?.panels;
  if (!panels) return;
  const r = panels.create(title, icon, page);
  if (r && typeof (r as Promise<unknown>).catch === "function") (r as Promise<unknown>).catch(() => {});
}
