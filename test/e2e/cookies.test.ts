// "Why was the cookie not sent", in headless Chromium with the built extension, against the lab, with
// third-party cookies BLOCKED and ALLOWED in the profile. The oracle is the wire: the Cookie header the lab
// received. Every cookie the panel lists must be "sent" exactly when its name is in that header, and each
// "not sent" must carry the reason the scenario was built for.
//
// Hosts are *.localhost names (every name mapped to 127.0.0.1): each is its own site (localhost is not in the
// Public Suffix List, so Chromium takes the whole host as the site) and a secure context, so Secure,
// SameSite=None and Partitioned cookies work over the lab's plain http.
//
// The third-party cookie setting is the profile preference profile.cookie_controls_mode (0 = allow,
// 1 = block third-party cookies), written to <profile>/Default/Preferences before launch. Chromium 156
// honours it: measured by whether a SameSite=None; Secure cookie goes cross-site (the "allowed" run
// below fails if it does not). With no preference this build blocks them.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Page } from "puppeteer-core";
import { startLab, type Lab } from "../lab/server";
import { launchWithExtension, snapshot, tabIdOf, waitFor, type ExtensionSession } from "./extension";

declare const chrome: { cookies: {
  getAll(d: object): Promise<Array<{ name: string; partitionKey?: { topLevelSite?: string } }>>;
  set(d: object): Promise<unknown>;
} };

interface CookieRow { name: string; reason: string; certainty: string; sent: boolean; value: string; partition: boolean }
interface CookieSection { rows: CookieRow[]; thirdParty: string | null; findings: Array<{ code: string; name: string }>; text: string }

/** Screenshots of the cookie section (test/output/cookies-blocked.png, cookies-allowed.png). */
const OUTPUT = resolve(__dirname, "../output");

const MODES = [
  { name: "blocked", controls: 1 },
  { name: "allowed", controls: 0 },
] as const;

/** The first-party cookies set on api.localhost by a top-level visit. */
const FIRST_PARTY = [
  "lax=1; SameSite=Lax; Path=/",
  "strict=1; SameSite=Strict; Path=/",
  "unspec=1; Path=/",
  "nonesec=1; SameSite=None; Secure; Path=/",
  "pathc=1; SameSite=None; Secure; Path=/only",
];

describe.each(MODES)("cookies with third-party cookies $name", ({ name: mode, controls }) => {
  let lab: Lab;
  let s: ExtensionSession;
  let profile: string;
  const RUN = `${mode}-${Date.now().toString(36)}`;
  let API: string, APP: string, OTHER: string;
  let other: Page, app: Page;
  const key = (k: string) => `${k}-${RUN}`;

  function define(k: string, page: string, setCookie: string[] = [], host = "api.localhost"): string {
    const url = lab.hopUrl(key(k), 0, host);
    lab.register(key(k), { hops: [{ url, preflight: null, response: { status: 200, headers: {
      "access-control-allow-origin": page, "access-control-allow-credentials": "true", vary: "Origin",
      ...(setCookie.length ? { "set-cookie": setCookie } : {}) } } }] });
    return url;
  }

  /** Names in the Cookie header the lab received for a scenario (the oracle). */
  function wire(k: string): string[] {
    const log = lab.log(key(k));
    expect(log).toHaveLength(1);
    const cookie = log[0]!.headers.find(([n]) => n.toLowerCase() === "cookie")?.[1] ?? "";
    return cookie.split(/;\s*/).filter(Boolean).map((p) => p.split("=")[0]!).sort();
  }

  async function fetchFrom(page: Page, url: string): Promise<string> {
    return page.evaluate((u: string) => fetch(u, { credentials: "include" }).then((r) => `ok ${r.status}`, (e: Error) => `error ${e.message}`), url);
  }

  async function jarNames(): Promise<string[]> {
    const all = await s.control.evaluate(() => chrome.cookies.getAll({ domain: "api.localhost", partitionKey: {} }));
    return all.map((c) => c.name + (c.partitionKey?.topLevelSite ? `@${c.partitionKey.topLevelSite}` : "")).sort();
  }

  /** Opens the panel for a tab, selects the row of `url`, reads the cookie jar there and returns what it shows. */
  async function cookieSection(page: Page, url: string, screenshot?: string): Promise<CookieSection> {
    const tabId = await tabIdOf(s.control, page);
    // Recorded, and the page hook's report applied: the relay batches the reports of successful
    // calls (50 ms), so the credentials mode can arrive after the exchange; until then it is inferred.
    await waitFor("the exchange recorded and annotated", async () => (await snapshot(s.control, tabId)).entries.some((e) =>
      e.exchange.request.url === url && e.exchange.hops[0]?.response && e.annotated), 20000);
    const panel = await s.browser.newPage();
    try {
      await panel.setViewport({ width: 1280, height: 900 });
      await panel.goto(`chrome-extension://${s.extensionId}/panel.html?tabId=${tabId}`);
      await panel.waitForSelector('[role="grid"]');
      const path = new URL(url).pathname;
      const index = await waitFor(`row ${path}`, () => panel.$$eval(".grid-rows > [role=row]", (els, p) => {
        const r = els.find((e) => e.querySelector(".c-url .path")?.textContent === p);
        return r ? { index: Number(r.getAttribute("aria-rowindex")) - 2 } : null;
      }, path), 20000);
      await panel.click(`#cl-row-${index.index}`);
      await panel.waitForFunction((want: string) => document.querySelector(".detail-title")?.textContent?.includes(want), { timeout: 10000 }, path);
      const button = await panel.waitForSelector('section[aria-labelledby="sec-cookies"] .section-head button', { timeout: 10000 });
      expect(await button!.evaluate((b) => b.textContent)).toBe(`Read cookies for ${new URL(url).hostname}`);
      await button!.click();
      await panel.waitForSelector("table.cookies-table tbody tr", { timeout: 10000 });
      if (screenshot) {
        mkdirSync(OUTPUT, { recursive: true });
        const el = await panel.$('section[aria-labelledby="sec-cookies"]');
        await el!.screenshot({ path: join(OUTPUT, screenshot) });
      }
      return await panel.$eval('section[aria-labelledby="sec-cookies"]', (sec) => ({
        rows: [...sec.querySelectorAll("table.cookies-table tbody tr")].map((tr) => ({
          name: tr.getAttribute("data-cookie") ?? "",
          reason: tr.getAttribute("data-reason") ?? "",
          certainty: tr.getAttribute("data-certainty") ?? "",
          sent: tr.classList.contains("sent"),
          value: tr.querySelectorAll("td")[0]?.textContent ?? "",
          partition: (tr.querySelectorAll("td")[1]?.textContent ?? "").includes("partitioned"),
        })),
        thirdParty: sec.querySelector("[data-third-party]")?.getAttribute("data-third-party") ?? null,
        findings: [...sec.querySelectorAll(".cookie-findings li")].map((li) => ({
          code: li.getAttribute("data-code") ?? "", name: /Set-Cookie (\S+)/.exec(li.textContent ?? "")?.[1] ?? "" })),
        text: sec.textContent ?? "",
      }));
    } finally {
      await panel.close();
    }
  }

  /** Every listed cookie is "sent" exactly when the wire carried it. */
  function expectAgreesWithWire(section: CookieSection, onWire: string[]): void {
    const said = section.rows.filter((r) => r.sent).map((r) => r.name).sort();
    expect({ said, onWire }).toEqual({ said: onWire, onWire });
  }

  beforeAll(async () => {
    lab = await startLab();
    // The profile, with the third-party cookie setting, before Chromium reads it. The later --user-data-dir
    // wins over launchChromium's own (Chromium keeps the last value of a repeated switch).
    profile = mkdtempSync(join(tmpdir(), `cors-lens-cookies-${mode}-`));
    mkdirSync(join(profile, "Default"), { recursive: true });
    writeFileSync(join(profile, "Default", "Preferences"), JSON.stringify({ profile: { cookie_controls_mode: controls } }));
    s = await launchWithExtension([`--user-data-dir=${profile}`]);
    API = lab.origin("api.localhost");
    APP = lab.origin("app.localhost");
    OTHER = lab.origin("other.localhost");
    lab.route("/set-cookies", { status: 200, headers: { "content-type": "text/html", "set-cookie": FIRST_PARTY }, body: "<!doctype html><title>set</title>" });
    lab.route("/set-part", (req) => ({ status: 200, body: "ok", headers: {
      "access-control-allow-origin": req.headers.find(([n]) => n.toLowerCase() === "origin")?.[1] ?? "*",
      "access-control-allow-credentials": "true",
      "set-cookie": "chip=1; SameSite=None; Secure; Path=/; Partitioned" } }));

    // First-party cookies: a top-level visit to the API's own site.
    const setter = await s.browser.newPage();
    await setter.goto(`${API}/set-cookies`);
    await setter.close();
    // A partitioned cookie, set by a cross-site response while app.localhost is the top-level site.
    app = await s.browser.newPage();
    await app.goto(`${APP}/page.html?cookies=${RUN}`);
    expect(await fetchFrom(app, `${API}/set-part`)).toBe("ok 200");
    other = await s.browser.newPage();
    await other.goto(`${OTHER}/page.html?cookies=${RUN}`);
  }, 120000);

  afterAll(async () => {
    await s?.cleanup();
    if (profile) rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
    await lab?.close();
  });

  test("the jar holds what the scenario set (CHIPS cookie partitioned under app.localhost)", async () => {
    expect(await jarNames()).toEqual(["chip@http://app.localhost", "lax", "nonesec", "pathc", "strict", "unspec"]);
  });

  test("a cross-site request from other.localhost: each missing cookie with its reason, as the wire shows", async () => {
    const url = define("cross", OTHER, ["bad=1; SameSite=None; Path=/", "good=1; SameSite=None; Secure; Path=/"]);
    expect(await fetchFrom(other, url)).toBe("ok 200");
    const onWire = wire("cross");
    // What Chromium did: the SameSite=None; Secure cookie crosses only when third-party cookies are allowed.
    expect(onWire).toEqual(mode === "allowed" ? ["nonesec"] : []);

    const sec = await cookieSection(other, url, `cookies-${mode}.png`);
    expectAgreesWithWire(sec, onWire);
    const by = Object.fromEntries(sec.rows.map((r) => [r.name, r]));
    expect(by.lax).toMatchObject({ reason: "same-site-lax", certainty: "wire" });
    expect(by.strict).toMatchObject({ reason: "same-site-strict", certainty: "wire" });
    expect(by.unspec).toMatchObject({ reason: "same-site-lax-by-default", certainty: "wire" });
    expect(by.pathc).toMatchObject({ reason: "path-mismatch", certainty: "wire" });
    expect(by.chip).toMatchObject({ reason: "partitioned-elsewhere", certainty: "wire", partition: true });
    // Stored by this very response (only where third-party cookies are allowed), so not on its request.
    if (mode === "allowed") expect(by.good).toMatchObject({ reason: "set-by-this-response", sent: false });
    else expect(by.good).toBeUndefined();
    if (mode === "blocked") {
      expect(by.nonesec).toMatchObject({ reason: "third-party-blocked", certainty: "likely", sent: false });
      expect(sec.thirdParty).toBe("likely-blocked");
    } else {
      expect(by.nonesec).toMatchObject({ reason: "sent", certainty: "wire", sent: true });
      expect(sec.thirdParty).toBe("likely-allowed");
    }
    // Values stay masked; the jar is said to be read now.
    expect(sec.rows.every((r) => r.value === "[masked]")).toBe(true);
    expect(sec.text).toContain("not at request time");

    // Set-Cookie: SameSite=None without Secure is flagged, the unpartitioned third-party one warned about.
    expect(sec.findings).toEqual([{ code: "SameSiteNoneInsecure", name: "bad" }, { code: "ThirdPartyUnpartitioned", name: "good" }]);
    // The oracle for Set-Cookie: what Chromium stored, and what the next request carries.
    const jar = await jarNames();
    expect(jar).not.toContain("bad");
    expect(jar.includes("good")).toBe(mode === "allowed");
    const after = define("after", OTHER);
    expect(await fetchFrom(other, after)).toBe("ok 200");
    expect(wire("after")).toEqual(mode === "allowed" ? ["good", "nonesec"] : []);
  });

  test("from app.localhost, the partitioned cookie goes (third-party cookies blocked or not)", async () => {
    const url = define("home", APP);
    expect(await fetchFrom(app, url)).toBe("ok 200");
    const onWire = wire("home");
    expect(onWire).toEqual(mode === "allowed" ? ["chip", "good", "nonesec"] : ["chip"]);
    const sec = await cookieSection(app, url);
    expectAgreesWithWire(sec, onWire);
    const by = Object.fromEntries(sec.rows.map((r) => [r.name, r]));
    expect(by.chip).toMatchObject({ reason: "sent", certainty: "wire", partition: true });
    expect(by.lax!.reason).toBe("same-site-lax");
    expect(by.nonesec!.reason).toBe(mode === "allowed" ? "sent" : "third-party-blocked");
  });

  test("Secure over http, and a host-only cookie of the parent domain (both set through chrome.cookies)", async () => {
    // *.test hosts: captured without opening the panel first (src/shared/sites.ts DEFAULT_CAPTURE_PATTERNS).
    // A Secure cookie cannot be set over http by a server; the extension API can set it for https.
    await s.control.evaluate(async () => {
      await chrome.cookies.set({ url: "https://api.sec.test/", name: "sec", value: "1", secure: true, sameSite: "no_restriction", path: "/" });
      await chrome.cookies.set({ url: "http://sec.test/", name: "hostonly", value: "1", sameSite: "lax", path: "/" });
    });
    const page = await s.browser.newPage();
    try {
      const origin = lab.origin("app.test");
      await page.goto(`${origin}/page.html?cookies=${RUN}`);
      const url = define("plain", origin, [], "api.sec.test");
      expect(await fetchFrom(page, url)).toBe("ok 200");
      const onWire = wire("plain");
      expect(onWire).toEqual([]);
      const sec = await cookieSection(page, url);
      expectAgreesWithWire(sec, onWire);
      expect(sec.rows.map((r) => [r.name, r.reason, r.certainty]).sort()).toEqual([
        ["hostonly", "domain-mismatch", "wire"],
        ["sec", "secure-over-http", "wire"],
      ]);
    } finally {
      await page.close();
    }
  });
});
