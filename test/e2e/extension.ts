// Drives the built extension in headless Chromium the way a user's DevTools would: state is read
// through the real panel protocol from an extension page (panel.html?tabId=N), never by attaching
// to the service worker (an attached DevTools client keeps the worker alive and would hide restarts).
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Browser, CDPSession, Page } from "puppeteer-core";
import type { BackgroundMessage, SnapshotMessage } from "../../src/shared/protocol";
import { startLab, type Lab } from "../lab/server";
import { launchChromium, type LaunchedChromium } from "./browser";

/** The few extension APIs the tests call inside extension pages (page.evaluate bodies run there). */
interface PortLike {
  postMessage(m: unknown): void;
  disconnect(): void;
  onMessage: { addListener(f: (m: { type?: string }) => void): void };
  onDisconnect: { addListener(f: () => void): void };
}
export interface ChromeLike {
  tabs: { query(q: object): Promise<Array<{ id?: number; url?: string }>> };
  runtime: { connect(o: { name: string }): PortLike };
  action: { getBadgeText(o: { tabId: number }): Promise<string>; getTitle(o: { tabId: number }): Promise<string> };
  scripting: { executeScript(o: { target: { tabId: number }; world: "MAIN"; func: () => unknown }): Promise<Array<{ result?: unknown }>> };
}
declare const chrome: ChromeLike;

/** The built Chrome extension: dist/chrome, or $CORS_LENS_DIST/chrome (see scripts/build.mjs --out). */
export const DIST_CHROME = resolve(process.env.CORS_LENS_DIST ?? resolve(__dirname, "../../dist"), "chrome");

export interface ExtensionSession extends LaunchedChromium {
  extensionId: string;
  /** An extension page used to talk to the background (tabs.query, action.getBadgeText, ports). */
  control: Page;
}

export async function launchWithExtension(extraArgs: string[] = []): Promise<ExtensionSession> {
  if (!existsSync(resolve(DIST_CHROME, "manifest.json"))) {
    throw new Error(`${DIST_CHROME} is missing: run "npm run build" first (npm test does).`);
  }
  const launched = await launchChromium({ extensionDir: DIST_CHROME, extraArgs });
  const sw = await launched.browser.waitForTarget(
    (t) => t.type() === "service_worker" && t.url().startsWith("chrome-extension://"), { timeout: 15000 });
  const extensionId = new URL(sw.url()).host;
  const control = await launched.browser.newPage();
  // The options page: an extension page with the extension's APIs that opens no port (a panel's
  // port would hold a tab, and while one does the page hook is registered on every page: hooks.ts).
  await control.goto(`chrome-extension://${extensionId}/options.html`);
  return { ...launched, extensionId, control };
}

/** A test file's lab and browser with the built extension: started before its tests, closed after them. */
export function labWithExtension(): { lab: Lab; s: ExtensionSession; app: string } {
  const env = {} as { lab: Lab; s: ExtensionSession; app: string };
  beforeAll(async () => {
    env.lab = await startLab();
    env.s = await launchWithExtension();
    env.app = env.lab.origin("app.example");
  }, 60000);
  afterAll(async () => {
    await env.s?.cleanup();
    await env.lab?.close();
  });
  return env;
}

/** The tab id of a page, as the extension sees it. */
export async function tabIdOf(control: Page, page: Page): Promise<number> {
  const url = page.url();
  const id = await control.evaluate(async (u: string) => {
    const tabs = await chrome.tabs.query({});
    return tabs.find((t) => t.url === u)?.id ?? -1;
  }, url);
  if (id < 0) throw new Error(`no tab with URL ${url}`);
  return id;
}

/** One HELLO over a fresh port: the background's snapshot for the tab. Retries while the worker starts. */
export async function snapshot(control: Page, tabId: number): Promise<SnapshotMessage> {
  for (let attempt = 0; ; attempt++) {
    const snap = await control.evaluate((id: number) => new Promise<unknown>((done) => {
      let port: PortLike;
      try {
        port = chrome.runtime.connect({ name: "cors-lens/panel" });
      } catch (e) {
        done(null);
        return;
      }
      const t = setTimeout(() => { port.disconnect(); done(null); }, 3000);
      // The snapshot comes in pages, each pulled with SNAPSHOT_NEXT (src/shared/protocol.ts snapshotPages).
      let snap: { entries: unknown[]; more?: number } | null = null;
      port.onMessage.addListener((m: { type?: string; entries?: unknown[]; more?: number }) => {
        if (m && m.type === "SNAPSHOT") snap = m as { entries: unknown[]; more?: number };
        else if (m && m.type === "SNAPSHOT_MORE" && snap) snap.entries.push(...(m.entries ?? []));
        else return;
        if (m.more) { port.postMessage({ type: "SNAPSHOT_NEXT" }); return; }
        clearTimeout(t);
        port.disconnect();
        done({ ...snap, more: undefined });
      });
      port.onDisconnect.addListener(() => { clearTimeout(t); done(null); });
      port.postMessage({ type: "HELLO", tabId: id });
    }), tabId) as BackgroundMessage | null;
    if (snap && snap.type === "SNAPSHOT") return snap;
    if (attempt >= 5) throw new Error(`no SNAPSHOT for tab ${tabId}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

export async function badge(control: Page, tabId: number): Promise<{ text: string; title: string }> {
  return control.evaluate(async (id: number) => ({
    text: await chrome.action.getBadgeText({ tabId: id }),
    title: await chrome.action.getTitle({ tabId: id }),
  }), tabId);
}

/**
 * Stops the extension's running service worker the way Chrome does when it idles (its memory goes
 * with it). Wake it first (snapshot() does): killing a worker in the middle of its own start-up is
 * not something Chrome does, and it leaves the worker's listeners in an undefined state.
 */
export async function stopWorker(browser: Browser, extensionId: string): Promise<boolean> {
  const cdp: CDPSession = await browser.target().createCDPSession();
  try {
    const { targetInfos } = await cdp.send("Target.getTargets");
    const sw = targetInfos.find((t) => t.type === "service_worker" && t.url.startsWith(`chrome-extension://${extensionId}/`));
    if (!sw) return false;
    await cdp.send("Target.closeTarget", { targetId: sw.targetId });
    return true;
  } catch {
    return false;
  } finally {
    await cdp.detach().catch(() => {});
  }
}

export interface CdpVerdict {
  url: string;
  corsError: string | null;
  failedParameter: string | null;
  errorText: string | null;
}

/** Chromium's own verdict for every request of a page (the oracle): CDP Network.loadingFailed. */
export async function recordVerdicts(page: Page): Promise<{ verdicts: CdpVerdict[]; finished: Set<string>; session: CDPSession }> {
  const session = await page.createCDPSession();
  const urls = new Map<string, string>();
  const verdicts: CdpVerdict[] = [];
  const finished = new Set<string>();
  session.on("Network.requestWillBeSent", (e) => {
    // Keyed by the request's first URL: a redirect reuses the requestId with the next hop's URL.
    if (e.type !== "Preflight" && !urls.has(e.requestId)) urls.set(e.requestId, e.request.url);
  });
  session.on("Network.loadingFailed", (e) => {
    const url = urls.get(e.requestId);
    if (!url) return;
    verdicts.push({ url, corsError: e.corsErrorStatus?.corsError ?? null, failedParameter: e.corsErrorStatus?.failedParameter ?? null, errorText: e.errorText });
  });
  session.on("Network.loadingFinished", (e) => {
    const url = urls.get(e.requestId);
    if (url) finished.add(url);
  });
  await session.send("Network.enable");
  return { verdicts, finished, session };
}

export async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms = 10000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/**
 * Keeps a panel port open for the tab from the control page (full capture, as an open panel does),
 * reconnecting when the worker drops it. Records what the "panel" was shown (window.__shown[tab]:
 * [exchange id, when, port life]) and when each port life ended (window.__died).
 */
export async function watch(control: Page, tabId: number): Promise<void> {
  await control.evaluate((id: number) => {
    type Msg = { type?: string; entry?: { exchange: { id: string } }; entries?: Array<{ exchange: { id: string } }>; more?: number };
    type Port = { postMessage(m: unknown): void; disconnect(): void; onDisconnect: { addListener(f: () => void): void }; onMessage: { addListener(f: (m: Msg) => void): void } };
    const w = window as unknown as { __watched?: Record<number, { port: Port | null; on: boolean }>; __shown?: Record<number, Array<[string, number, number]>>; __died?: number[] };
    w.__watched ??= {};
    // Every exchange the panel was shown (live or in a snapshot): what the user saw.
    w.__shown ??= {};
    // ...and when each port's worker life ended (the port is cut when the worker stops).
    w.__died ??= [];
    const died = w.__died;
    const shown = (w.__shown[id] ??= []);
    if (w.__watched[id]?.on) return;
    const c = (globalThis as unknown as { chrome: { runtime: { connect(o: object): Port } } }).chrome;
    const slot: { port: Port | null; on: boolean } = { port: null, on: true };
    w.__watched[id] = slot;
    const open = () => {
      if (!slot.on) return;
      const port = c.runtime.connect({ name: "cors-lens/panel" });
      slot.port = port;
      const life = died.push(0) - 1;
      port.onMessage.addListener((m) => {
        if (m?.type === "EXCHANGE_ADDED" && m.entry) shown.push([m.entry.exchange.id, Date.now(), life]);
        if (m?.type === "SNAPSHOT" || m?.type === "SNAPSHOT_MORE") {
          for (const e of m.entries ?? []) shown.push([e.exchange.id, Date.now(), life]);
          if (m.more) port.postMessage({ type: "SNAPSHOT_NEXT" });
        }
      });
      port.onDisconnect.addListener(() => {
        died[life] = Date.now();
        setTimeout(open, 100);
      });
      port.postMessage({ type: "HELLO", tabId: id });
    };
    open();
  }, tabId);
  await hooked(control, tabId);
}

/**
 * Chrome injects the page hook into a tab's loaded document when the tab's first port comes,
 * without holding up the SNAPSHOT (engine.ts hold): waits until the top frame has it, as a user's
 * next click in the page comes after it. A page no extension may script has nothing to wait for.
 */
export async function hooked(control: Page, tabId: number): Promise<void> {
  await waitFor(`the page hook in tab ${tabId}`, () => control.evaluate(async (id: number) => {
    try {
      const [r] = await chrome.scripting.executeScript({ target: { tabId: id }, world: "MAIN", func: () => "__corsLensHooked" in window });
      return r?.result === true;
    } catch {
      return true;
    }
  }, tabId));
}

export async function unwatch(control: Page, tabId: number): Promise<void> {
  await control.evaluate((id: number) => {
    const w = window as unknown as { __watched?: Record<number, { port: { disconnect(): void } | null; on: boolean }> };
    const slot = w.__watched?.[id];
    if (!slot) return;
    slot.on = false;
    slot.port?.disconnect();
  }, tabId);
}
