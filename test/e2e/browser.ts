// Launches the system Chromium through puppeteer-core, for the e2e tests and the lab demo.
//
// puppeteer-core 25 is ESM-only. Jest runs our tests as CommonJS through its own module
// registry, which cannot load ESM from node_modules on Node < 24.9, and it hands test code a
// subclass of node's Module whose createRequire (and process.getBuiltinModule) stay inside that
// registry. Node's own require (>= 20.19) loads ESM fine, so puppeteer is loaded through the
// base-most Module class's createRequire; only its types are imported statically.
import * as nodeModule from "node:module";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import type { Browser, LaunchOptions } from "puppeteer-core";

export const CHROMIUM_PATH = process.env.CORS_LENS_CHROMIUM ?? "/usr/lib/chromium/chromium";

type PuppeteerCore = { launch(options: LaunchOptions): Promise<Browser> };

type CreateRequire = (path: string) => (id: string) => unknown;

/** Node's real createRequire, also from inside Jest (whose Module class extends node's). */
function nativeCreateRequire(): CreateRequire {
  let found: CreateRequire | undefined;
  for (let cls: unknown = nodeModule.Module; typeof cls === "function"; cls = Object.getPrototypeOf(cls)) {
    if (Object.hasOwn(cls, "createRequire")) found = (cls as unknown as { createRequire: CreateRequire }).createRequire;
  }
  return found ?? (nodeModule.createRequire as CreateRequire);
}

function loadPuppeteer(): PuppeteerCore {
  const base = typeof __filename === "string" ? __filename : join(process.cwd(), "noop.js");
  const mod = nativeCreateRequire()(base)("puppeteer-core") as PuppeteerCore & { default?: PuppeteerCore };
  return typeof mod.launch === "function" ? mod : (mod.default as PuppeteerCore);
}

export interface LaunchChromiumOptions {
  /** Unpacked extension directory to load (made absolute). */
  extensionDir?: string;
  /** Appended after the standard flags. */
  extraArgs?: string[];
}

export interface LaunchedChromium {
  browser: Browser;
  /** The fresh profile directory (removed by cleanup). */
  userDataDir: string;
  /** Closes the browser (if still open) and removes the profile directory. Safe to call twice. */
  cleanup(): Promise<void>;
}

/** Launches headless Chromium with a fresh profile, every host name mapped to 127.0.0.1. */
export async function launchChromium(options: LaunchChromiumOptions = {}): Promise<LaunchedChromium> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}. Install Debian's "chromium" package, ` +
        `or point CORS_LENS_CHROMIUM at a Chromium binary.`,
    );
  }
  const userDataDir = mkdtempSync(join(tmpdir(), "cors-lens-chromium-"));
  const args = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    `--user-data-dir=${userDataDir}`,
    "--host-resolver-rules=MAP * 127.0.0.1",
    "--no-proxy-server",
    "--disable-features=HttpsUpgrades,HttpsFirstBalancedModeAutoEnable",
  ];
  if (options.extensionDir !== undefined) {
    const dir = isAbsolute(options.extensionDir) ? options.extensionDir : resolve(options.extensionDir);
    if (!existsSync(join(dir, "manifest.json"))) throw new Error(`No manifest.json in extension dir ${dir}`);
    args.push(`--load-extension=${dir}`, `--disable-extensions-except=${dir}`);
  }
  args.push(...(options.extraArgs ?? []), "about:blank");

  let browser: Browser;
  try {
    browser = await loadPuppeteer().launch({
      executablePath: CHROMIUM_PATH,
      ignoreDefaultArgs: true,
      pipe: true,
      args,
    });
  } catch (err) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw err;
  }
  let done = false;
  return {
    browser,
    userDataDir,
    async cleanup() {
      if (done) return;
      done = true;
      try {
        if (browser.connected) await browser.close();
      } finally {
        rmSync(userDataDir, { recursive: true, force: true, maxRetries: 3 });
      }
    },
  };
}

/** The browser's product string, e.g. "Chrome/156.0.8078.79" ("HeadlessChrome/…" in headless mode). */
export async function chromiumVersion(browser: Browser): Promise<string> {
  return browser.version();
}
