// Privacy in the real browser (issue 5): the extension itself sends nothing anywhere, and Cookie,
// Set-Cookie and Authorization values leave the panel (copy, export) only after the user reveals them.
//
// Every host name resolves to one logging TCP front (--host-resolver-rules=MAP * 127.0.0.1:<front>,
// every port too), which records each request head and pipes the connection to the lab: whatever the
// browser sends to any host lands there. Each must be one the page made (Chromium's own account of
// the page's requests, CDP on the page). The extension's pages are watched with CDP Network; the
// service worker is attached to with CDP Network for this test only: an attached worker is kept
// alive, which can hide restart bugs (tested elsewhere without attaching) but cannot hide a request —
// a worker kept alive can only make more of them, all visible here. IP-literal URLs bypass the
// resolver rules; the worker's and pages' CDP logs catch those.
import { createServer, connect, type Server, type Socket } from "node:net";
import type { CDPSession } from "puppeteer-core";
import { startLab, type Lab } from "../lab/server";
import { launchWithExtension, snapshot, tabIdOf, waitFor, type ExtensionSession } from "./extension";

interface FrontEntry { method: string; target: string; host: string; origin: string | null; secFetchSite: string | null; tls: boolean }

/** The server name of a TLS ClientHello (RFC 8446 §4.1.2, RFC 6066 §3), or "" when it has none. */
function sni(b: Buffer): string {
  try {
    let p = 5 + 4 + 2 + 32; // record header, handshake header, version, random
    p += 1 + b[p]!; // session id
    p += 2 + b.readUInt16BE(p); // cipher suites
    p += 1 + b[p]!; // compression methods
    const end = p + 2 + b.readUInt16BE(p);
    p += 2;
    while (p + 4 <= end) {
      const type = b.readUInt16BE(p);
      const len = b.readUInt16BE(p + 2);
      if (type === 0) return b.subarray(p + 9, p + 9 + b.readUInt16BE(p + 7)).toString("latin1");
      p += 4 + len;
    }
  } catch { /* a partial ClientHello */ }
  return "";
}

/** A TCP front that logs each connection's request head and pipes the bytes to `port`. */
async function startFront(port: number): Promise<{ port: number; log: FrontEntry[]; close(): Promise<void> }> {
  const log: FrontEntry[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => client.destroy());
    let head = Buffer.alloc(0);
    let logged = false;
    const upstream = connect(port, "127.0.0.1");
    sockets.add(upstream);
    upstream.on("close", () => { sockets.delete(upstream); client.destroy(); });
    upstream.on("error", () => client.destroy());
    client.on("data", (chunk: Buffer) => {
      if (!logged) {
        head = Buffer.concat([head, chunk]);
        if (head[0] === 0x16) {
          // A TLS ClientHello: not HTTP we can read, but a request all the same.
          logged = true;
          log.push({ method: "TLS", target: "", host: sni(head), origin: null, secFetchSite: null, tls: true });
        } else {
          const end = head.indexOf("\r\n\r\n");
          if (end >= 0 || head.length > 65536) {
            logged = true;
            const lines = head.subarray(0, end < 0 ? head.length : end).toString("latin1").split("\r\n");
            const [method = "", target = ""] = (lines[0] ?? "").split(" ");
            const h = (n: string) => lines.slice(1).find((l) => l.toLowerCase().startsWith(`${n}:`))?.slice(n.length + 1).trim() ?? null;
            log.push({ method, target, host: h("host") ?? "", origin: h("origin"), secFetchSite: h("sec-fetch-site"), tls: false });
          }
        }
      }
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => client.write(chunk));
    client.on("end", () => upstream.end());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("front: no address");
  return {
    port: address.port,
    log,
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((done) => server.close(() => done()));
    },
  };
}

/**
 * Chromium's own services that these switches cannot turn off (update checks, sign-in, Safe Browsing's
 * check of a download — here the exports). They are the browser's: the worker's and the extension
 * pages' CDP logs below show no request at all, and none carries an extension Origin.
 */
const CHROMIUM_OWN = ["update.googleapis.com", "accounts.google.com", "sb-ssl.google.com", "safebrowsing.googleapis.com", "clients2.google.com"];

interface NetEvent { target: string; url: string; initiator: string; type: string }

/** CDP Network on a target: every request it makes. */
async function netLog(session: CDPSession, target: string, into: NetEvent[]): Promise<void> {
  session.on("Network.requestWillBeSent", (e) => {
    into.push({ target, url: e.request.url, initiator: e.initiator?.type ?? "", type: e.type ?? "" });
  });
  await session.send("Network.enable");
}

let lab: Lab;
let front: Awaited<ReturnType<typeof startFront>>;
let s: ExtensionSession;

beforeAll(async () => {
  lab = await startLab();
  front = await startFront(lab.port);
  // (The last --host-resolver-rules wins: every host and port goes to the front.)
  s = await launchWithExtension([`--host-resolver-rules=MAP * 127.0.0.1:${front.port}`,
    // Chromium's own background traffic, off where a switch exists (what remains: CHROMIUM_OWN).
    "--safebrowsing-disable-download-protection", "--disable-client-side-phishing-detection", "--disable-domain-reliability",
    "--no-pings", "--disable-default-apps",
    // (Replaces launchChromium's --disable-features: its two come again.)
    "--disable-features=HttpsUpgrades,HttpsFirstBalancedModeAutoEnable,NetworkTimeServiceQuerying,OptimizationHints,AutofillServerCommunication,MediaRouter"]);
}, 60000);

afterAll(async () => {
  await s?.cleanup();
  await front?.close();
  await lab?.close();
});

const SECRETS = {
  auth: `Bearer SECRET-AUTH-${Math.random().toString(36).slice(2)}`,
  cookie: `SECRET-COOKIE-${Math.random().toString(36).slice(2)}`,
  setCookie: `SECRET-SETCOOKIE-${Math.random().toString(36).slice(2)}`,
};

describe("privacy", () => {
  test("a whole session (traffic, panel, fix, copy, export, reveal) sends nothing but the page's own requests; secrets leave only after Reveal", async () => {
    // Same site (site.test), cross origin: the page's cookie goes with a credentialed request.
    const APP = lab.origin("app.site.test");
    const API = lab.origin("api.site.test");
    const allow = { "access-control-allow-origin": APP, "access-control-allow-credentials": "true", vary: "Origin" };
    lab.register("private", { hops: [{ url: "", preflight: { status: 204, headers: { ...allow, "access-control-allow-methods": "GET", "access-control-allow-headers": "authorization" } },
      // The actual response lacks Access-Control-Allow-Credentials: blocked, so there is a fix to copy.
      response: { status: 200, headers: { "access-control-allow-origin": APP, "set-cookie": `sid2=${SECRETS.setCookie}; Path=/; SameSite=Lax` } } }] });
    const url = `${API}/s/private/h0`;

    // Every request the extension's pages and worker make, from before the session starts.
    const events: NetEvent[] = [];
    const swTarget = await s.browser.waitForTarget((t) => t.type() === "service_worker" && t.url().startsWith(`chrome-extension://${s.extensionId}/`));
    const sw = await swTarget.createCDPSession();
    await netLog(sw, "service worker", events);
    await netLog(await s.control.createCDPSession(), "control page", events);

    const page = await s.browser.newPage();
    const pageEvents: NetEvent[] = [];
    await netLog(await page.createCDPSession(), "page", pageEvents);
    await page.goto(`${APP}/page.html?privacy=1`);
    const tabId = await tabIdOf(s.control, page);

    const cdp = await s.browser.target().createCDPSession();
    await cdp.send("Browser.grantPermissions", { origin: `chrome-extension://${s.extensionId}`, permissions: ["clipboardReadWrite", "clipboardSanitizedWrite"] });
    const panel = await s.browser.newPage();
    await netLog(await panel.createCDPSession(), "panel", events);
    // Exports are Blob downloads: keep each Blob's text to read it.
    await panel.evaluateOnNewDocument(() => {
      const w = window as unknown as { __blobs: Promise<string>[] };
      w.__blobs = [];
      const create = URL.createObjectURL.bind(URL);
      URL.createObjectURL = (o: Blob | MediaSource) => {
        if (o instanceof Blob) w.__blobs.push(o.text());
        return create(o);
      };
    });
    await panel.setViewport({ width: 1280, height: 900 });
    await panel.goto(`chrome-extension://${s.extensionId}/panel.html?tabId=${tabId}`);
    await panel.waitForSelector('[role="grid"]');
    await waitFor("full capture", async () => (await snapshot(s.control, tabId)).captureLevel === "full");

    // The page: a same-site cookie, then a credentialed request with Authorization.
    expect(await page.evaluate(async (u: string, auth: string, cookie: string) => {
      document.cookie = `sid=${cookie}; domain=site.test; path=/; SameSite=Lax`;
      return fetch(u, { credentials: "include", headers: { authorization: auth } }).then((r) => `ok ${r.status}`, (e: Error) => `error ${e.name}`);
    }, url, SECRETS.auth, SECRETS.cookie)).toBe("error TypeError");
    await waitFor("the exchange", async () => (await snapshot(s.control, tabId)).entries.some((e) => e.exchange.request.url === url));

    await panel.bringToFront();
    await panel.waitForSelector(".grid-rows > [role=row]");
    await panel.click("#cl-row-0");
    await panel.waitForFunction((u: string) => document.querySelector(".detail-title")?.textContent?.endsWith(u), {}, url);
    // Wait for the page hook's credentials mode, so the entry is final.
    await waitFor("the final entry", async () => (await snapshot(s.control, tabId)).entries.find((e) => e.exchange.request.url === url)?.annotated);

    /** Everything the panel can hand out: each copy button's clipboard text, each export's file. */
    const handOut = async (): Promise<Record<string, string>> => {
      const out: Record<string, string> = {};
      const names = await panel.$$eval("button", (bs) => bs.map((b) => b.textContent ?? "").filter((t) => /^(Copy|Export)\b/.test(t)));
      for (const name of names) {
        if (name.startsWith("Export")) {
          const before = await panel.evaluate(() => (window as unknown as { __blobs: unknown[] }).__blobs.length);
          await (await panel.waitForSelector(`::-p-aria([name="${name}"][role="button"])`))!.click();
          await panel.waitForFunction((n: number) => (window as unknown as { __blobs: unknown[] }).__blobs.length > n, { timeout: 5000 }, before);
          out[name] = await panel.evaluate((n: number) => (window as unknown as { __blobs: Promise<string>[] }).__blobs[n]!, before);
        } else {
          const sentinel = `sentinel-${Math.random()}`;
          await panel.bringToFront();
          await panel.evaluate((t: string) => navigator.clipboard.writeText(t), sentinel);
          await (await panel.waitForSelector(`::-p-aria([name="${name}"][role="button"])`))!.click();
          await panel.waitForFunction(() => document.querySelector(".copy-status")?.textContent === "Copied", { timeout: 5000 });
          const text = await panel.evaluate(() => navigator.clipboard.readText());
          expect({ name, copied: text !== sentinel }).toEqual({ name, copied: true });
          out[name] = text;
          // Let the confirmation go, so the next copy's "Copied" is its own.
          await panel.waitForFunction(() => document.querySelector(".copy-status")?.textContent === "", { timeout: 5000 });
        }
      }
      return out;
    };
    const leaks = (texts: Record<string, string>) => Object.entries(texts).flatMap(([name, text]) =>
      Object.entries(SECRETS).filter(([, v]) => text.includes(v.replace(/^Bearer /, ""))).map(([k]) => `${name}: ${k}`));

    // The fix for two stacks, then every hand-out, masked.
    await panel.select('select[aria-label="Server stack"]', "express");
    await panel.select('select[aria-label="Server stack"]', "nginx");
    const masked = await handOut();
    expect(Object.keys(masked)).toEqual(expect.arrayContaining(["Copy fix", "Copy as JSON"]));
    expect(leaks(masked)).toEqual([]);
    expect(await panel.evaluate(() => document.body.textContent ?? "")).not.toContain(SECRETS.auth);
    // Masked, not dropped: the names are there, with the mask.
    expect(masked["Copy as JSON"]).toMatch(/"authorization": "\[masked\]"/);

    // After Reveal: the recorded secrets are in the copies (and on screen).
    await (await panel.waitForSelector('::-p-aria([name="Reveal secrets"][role="button"])'))!.click();
    await panel.waitForSelector('::-p-aria([name="Hide secrets"][role="button"])');
    const revealed = await handOut();
    const entry = (await snapshot(s.control, tabId)).entries.find((e) => e.exchange.request.url === url)!;
    const recordedText = JSON.stringify(entry.exchange);
    const recordedSecrets = Object.entries(SECRETS).filter(([, v]) => recordedText.includes(v)).map(([k]) => k);
    // Authorization is always recorded (it is a request header the script set); the cookies when Chrome shows them.
    expect(recordedSecrets).toContain("auth");
    for (const k of recordedSecrets) {
      expect({ k, json: revealed["Copy as JSON"]!.includes(SECRETS[k as keyof typeof SECRETS]) }).toEqual({ k, json: true });
    }
    for (const name of ["Copy as curl", "Copy as fetch"]) {
      if (revealed[name] !== undefined) expect({ name, auth: revealed[name]!.includes(SECRETS.auth.replace(/^Bearer /, "")) }).toEqual({ name, auth: true });
    }
    expect(revealed["Copy fix"]).toBe(masked["Copy fix"]);
    expect(leaks({ fix: revealed["Copy fix"]! })).toEqual([]);
    expect(await panel.evaluate(() => document.body.textContent ?? "")).toContain(SECRETS.auth);
    console.log(`privacy: hand-outs ${Object.keys(masked).join(", ")}; secrets recorded: ${recordedSecrets.join(", ")}`);

    // Nothing but the page's own requests reached any host.
    await new Promise((r) => setTimeout(r, 1000));
    const pageRequests = pageEvents.map((e) => new URL(e.url)).filter((u) => u.protocol.startsWith("http"));
    const fromPage = (f: FrontEntry) => pageRequests.some((u) => u.host === f.host && `${u.pathname}${u.search}` === f.target);
    const chromiums = front.log.filter((f) => f.tls && CHROMIUM_OWN.includes(f.host));
    console.log(`privacy: the front saw ${front.log.length} connections: ${front.log.map((f) => `${f.method} ${f.host}${f.target}`).join(", ")}`);
    const foreign = front.log.filter((f) => !fromPage(f) && !(f.method === "GET" && f.target === "/favicon.ico") && !chromiums.includes(f));
    expect(foreign).toEqual([]);
    expect(front.log.filter((f) => f.origin?.startsWith("chrome-extension://"))).toEqual([]);
    // The page's request and its preflight, as the page made them.
    expect(front.log.filter((f) => f.target === "/s/private/h0").map((f) => [f.method, f.origin])).toEqual([["OPTIONS", APP], ["GET", APP]]);
    // The extension's pages loaded only their own files (and the exports' Blob URLs); the worker nothing.
    expect(events.filter((e) => !e.url.startsWith(`chrome-extension://${s.extensionId}/`) && !e.url.startsWith("blob:chrome-extension://") && !e.url.startsWith("data:"))).toEqual([]);
    expect(events.filter((e) => e.target === "service worker")).toEqual([]);
    expect(events.filter((e) => e.target === "panel").length).toBeGreaterThan(0);

    await sw.detach().catch(() => {});
    await cdp.detach().catch(() => {});
    await panel.close();
    await page.close();
  });
});
