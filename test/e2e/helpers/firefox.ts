// Firefox (firefox-esr) through puppeteer-core over WebDriver BiDi: for the Firefox e2e test, and
// reusable as an oracle (Firefox's own CORS reason, from its console). See docs/firefox.md.
//
// What BiDi gives and does not give here (firefox-esr 153, measured):
// - `browser.installExtension(dir)` (BiDi webExtension.install) installs the unpacked add-on as a
//   temporary add-on and returns its id.
// - Firefox refuses BiDi navigations to moz-extension:// unless it is started with
//   `--remote-allow-system-access`. With it, a tab navigates there and `page.evaluate` runs in the
//   extension page (with `browser.*`), but Firefox's BiDi skips extension documents for every event
//   (navigation, console: Bug 1755014): puppeteer never sees the navigation finish, and
//   page.on("console") stays silent there. openExtensionPage() polls the document instead.
// - Web pages' console (BiDi log.entryAdded) arrives as page.on("console") for console.* calls and
//   page.on("pageerror") for errors Firefox reports itself, such as "Cross-Origin Request Blocked: …".
//   Only error-level messages of the latter kind are forwarded (no warnings).
// - The add-on's own documents (background page, extension tabs, content scripts) are reached
//   through Firefox's stdout/stderr: "JavaScript error: <url>, line N: …" (browser.dom.window.dump.enabled,
//   set by puppeteer) and "console.error: …" (devtools.console.stdout.content). See extensionProblems().
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import JSZip from "jszip";
import { launch, type Browser, type Page } from "puppeteer-core";
import { waitFor } from "../extension";

export const FIREFOX_PATH = process.env.CORS_LENS_FIREFOX ?? "/usr/bin/firefox-esr";

/**
 * Lab host names on loopback (the counterpart of Chromium's --host-resolver-rules="MAP * 127.0.0.1"):
 * every name resolves to 127.0.0.1, without DNS over HTTPS, without a proxy, and http stays http.
 */
export const LAB_HOST_PREFS: Record<string, string | number | boolean> = {
  "network.dns.forceResolve": "127.0.0.1",
  "network.trr.mode": 5,
  "network.proxy.type": 0,
  "dom.security.https_first": false,
  "dom.security.https_first_pbm": false,
  "dom.security.https_first_schemeless": false,
  "dom.security.https_only_mode": false,
  "dom.security.https_only_mode_pbm": false,
};

/** Quiet: no requests of Firefox's own to the network, next to puppeteer's defaults. */
const QUIET_PREFS: Record<string, string | number | boolean> = {
  "network.captive-portal-service.enabled": false,
  "network.connectivity-service.enabled": false,
  "browser.safebrowsing.update.enabled": false,
  "browser.newtabpage.enabled": false,
  "browser.aboutwelcome.enabled": false,
  "toolkit.telemetry.reportingpolicy.firstRun": false,
};

export interface FirefoxExtension {
  /** The unpacked add-on directory. */
  path: string;
  /** Its gecko id (browser_specific_settings.gecko.id). */
  id: string;
  /** Pinned with extensions.webextensions.uuids, so the moz-extension:// host is known in advance. */
  uuid: string;
}

export interface FirefoxOptions {
  /** Installed as a temporary add-on; its pages can then be opened with openExtensionPage(). */
  extension?: FirefoxExtension;
  /** Over LAB_HOST_PREFS and the quiet prefs. */
  prefs?: Record<string, string | number | boolean>;
  /** For the TLS lab's self-signed certificate. */
  acceptInsecureCerts?: boolean;
}

export interface Firefox {
  browser: Browser;
  /** moz-extension://<uuid> when an extension was installed. */
  extensionOrigin: string | null;
  /** Firefox's stdout and stderr, by line (the last 5,000). */
  output: string[];
  close(): Promise<void>;
}

export function requireFirefox(): void {
  if (!existsSync(FIREFOX_PATH)) {
    throw new Error(`Firefox not found at ${FIREFOX_PATH}. Install Debian's "firefox-esr" package (apt-get install firefox-esr), ` +
      "or point CORS_LENS_FIREFOX at a Firefox binary.");
  }
}

/** Headless Firefox over WebDriver BiDi, with the lab's host mapping and, optionally, an add-on. */
export async function launchFirefox(options: FirefoxOptions = {}): Promise<Firefox> {
  requireFirefox();
  const ext = options.extension;
  const browser = await launch({
    browser: "firefox",
    protocol: "webDriverBiDi",
    executablePath: FIREFOX_PATH,
    headless: true,
    // Allows navigating a tab to moz-extension:// (refused otherwise).
    args: ext ? ["--remote-allow-system-access"] : [],
    acceptInsecureCerts: options.acceptInsecureCerts ?? false,
    env: { ...process.env, MOZ_CRASHREPORTER_DISABLE: "1" },
    extraPrefsFirefox: {
      ...QUIET_PREFS,
      ...LAB_HOST_PREFS,
      // console.* of content documents (the add-on's included) to stdout.
      "devtools.console.stdout.content": true,
      ...(ext ? { "extensions.webextensions.uuids": JSON.stringify({ [ext.id]: ext.uuid }) } : {}),
      ...options.prefs,
    },
  });
  const output: string[] = [];
  const proc = browser.process();
  for (const stream of [proc?.stdout, proc?.stderr]) {
    let rest = "";
    stream?.on("data", (d: Buffer) => {
      const lines = (rest + d.toString("utf8")).split("\n");
      rest = lines.pop() ?? "";
      output.push(...lines);
      if (output.length > 5000) output.splice(0, output.length - 5000);
    });
  }
  const close = () => browser.close().catch(() => { proc?.kill("SIGKILL"); });
  try {
    if (ext) {
      const id = await browser.installExtension(ext.path);
      if (id !== ext.id) throw new Error(`installExtension(${ext.path}) gave ${id}, not ${ext.id}`);
    }
  } catch (e) {
    await close();
    throw e;
  }
  return { browser, extensionOrigin: ext ? `moz-extension://${ext.uuid}` : null, output, close };
}

/**
 * A new tab on an extension page (moz-extension://…), once its document has loaded. Firefox sends
 * no BiDi events for it, so the navigation is not awaited: the document is polled, then the wait
 * that page.goto() would never end is aborted.
 */
export async function openExtensionPage(ff: Firefox, url: string, ms = 10000): Promise<Page> {
  const page = await ff.browser.newPage();
  const abort = new AbortController();
  const opened = new Error(`${url} opened`);
  const nav = page.goto(url, { signal: abort.signal, timeout: 0 }).then(() => null, (e: unknown) => e);
  try {
    await waitFor(`the extension page ${url}`, () =>
      page.evaluate(`location.href === ${JSON.stringify(url)} && document.readyState === "complete"`) as Promise<boolean>, ms);
  } finally {
    abort.abort(opened);
  }
  const err = await nav;
  if (err && err !== opened) throw err;
  return page;
}

/** Evaluates `expr` in the page (awaited when it is a promise); returns JSON.parse(JSON.stringify(value)). */
export async function evalJson<T>(page: Page, expr: string): Promise<T> {
  const text = await page.evaluate(`(async () => JSON.stringify(await (${expr}) ?? null))()`) as string;
  return JSON.parse(text) as T;
}

export interface ConsoleMessage {
  /** "javascript" for errors Firefox reports itself (CORS, uncaught exceptions); "console" for console.*. */
  source: "javascript" | "console";
  level: string;
  text: string;
}

/** Starts collecting `page`'s console (BiDi log.entryAdded) into the returned array. */
export function collectConsole(page: Page): ConsoleMessage[] {
  const out: ConsoleMessage[] = [];
  page.on("console", (m) => { out.push({ source: "console", level: m.type(), text: m.text() }); });
  page.on("pageerror", (e) => { out.push({ source: "javascript", level: "error", text: e instanceof Error ? e.message : String(e) }); });
  return out;
}

export interface OpenedPage {
  page: Page;
  /** Its console, from the start; grows while the page lives. */
  messages: ConsoleMessage[];
}

/** Opens `url` in a new tab with its console collected from the start; waits until `until` (a page expression) is truthy. */
export async function openPage(ff: Firefox, url: string, options: { until?: string; timeout?: number } = {}): Promise<OpenedPage> {
  const page = await ff.browser.newPage();
  const messages = collectConsole(page);
  await page.goto(url, { waitUntil: "load", timeout: options.timeout ?? 15000 });
  if (options.until) await page.waitForFunction(options.until, { timeout: options.timeout ?? 15000, polling: 50 });
  return { page, messages };
}

/**
 * The oracle's step: opens `url`, waits until `until` is truthy, then `settle` ms more for late
 * console messages, closes the tab and returns what Firefox logged for it.
 */
export async function consoleOf(ff: Firefox, url: string, options: { until?: string; timeout?: number; settle?: number } = {}): Promise<ConsoleMessage[]> {
  const { page, messages } = await openPage(ff, url, options);
  await new Promise((r) => setTimeout(r, options.settle ?? 250));
  await page.close();
  return [...messages];
}

// ---------------------------------------------------------------------------------------------
// Firefox's CORS reason, by its own en-US templates (security.properties in omni.ja).

export interface CorsReason {
  /** The security.properties key, e.g. "CORSMissingAllowOrigin2" (as in src/core/codes.ts). */
  key: string;
  text: string;
  /** The template's %N$S arguments: the URL, then the status, origin, token or header. */
  args: string[];
}

let templates: Promise<Array<{ key: string; re: RegExp }>> | null = null;

/** The CORS message templates of the Firefox at FIREFOX_PATH (its omni.ja), as regular expressions. */
export function corsTemplates(): Promise<Array<{ key: string; re: RegExp }>> {
  templates ??= (async () => {
    // /usr/bin/firefox-esr links to /usr/lib/firefox-esr/firefox-esr, next to omni.ja.
    const omni = join(dirname(realpathSync(FIREFOX_PATH)), "omni.ja");
    const zip = await JSZip.loadAsync(readFileSync(omni));
    const file = zip.file("chrome/en-US/locale/en-US/global/security/security.properties");
    if (!file) throw new Error(`${omni} has no en-US security.properties`);
    const out: Array<{ key: string; re: RegExp }> = [];
    for (const line of (await file.async("string")).split("\n")) {
      const m = /^(CORS\w+)=(.*)$/.exec(line.trim());
      if (!m) continue;
      const source = m[2]!.split(/%(?:\d+\$)?S/).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("(.*?)");
      out.push({ key: m[1]!, re: new RegExp(`^${source}$`) });
    }
    return out;
  })();
  return templates;
}

/** Every CORS message among `messages`, with its template key, in order. */
export async function corsMessages(messages: ConsoleMessage[]): Promise<CorsReason[]> {
  const list = await corsTemplates();
  const out: CorsReason[] = [];
  for (const m of messages) {
    for (const t of list) {
      const hit = t.re.exec(m.text);
      if (hit) { out.push({ key: t.key, text: m.text, args: hit.slice(1) }); break; }
    }
  }
  return out;
}

/**
 * Firefox's reason for a blocked request: the first CORS error other than the generic
 * CORSDidNotSucceed2 that follows most preflight failures; that one only when it is alone.
 * `url` narrows to the messages about that URL (the template's first argument).
 */
export async function corsReason(messages: ConsoleMessage[], url?: string): Promise<CorsReason | null> {
  const all = (await corsMessages(messages.filter((m) => m.level === "error")))
    .filter((r) => url === undefined || r.args[0]?.replace(/^‘|’$/g, "") === url);
  return all.find((r) => r.key !== "CORSDidNotSucceed2") ?? all[0] ?? null;
}

// ---------------------------------------------------------------------------------------------

/**
 * Errors from the add-on, from Firefox's output: uncaught errors in its documents and content
 * scripts ("JavaScript error: moz-extension://<uuid>/…"), console.error calls, and console.warn
 * calls starting with "cors-lens:". Firefox does not say which document a console.* line came from,
 * so a console.error of a web page counts too: pages that log errors do not mix with this check.
 */
export function extensionProblems(ff: Firefox): string[] {
  const origin = ff.extensionOrigin;
  return ff.output.filter((l) =>
    (origin !== null && l.startsWith(`JavaScript error: ${origin}/`)) ||
    l.startsWith("console.error: ") ||
    /^console\.warn: "?cors-lens:/.test(l));
}
