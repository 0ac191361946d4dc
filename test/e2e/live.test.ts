// The whole scenario set through the built extension: every lab scenario, in every credentials
// mode, via fetch, XHR and EventSource, spread over three tabs of a site that is not a dev default
// (app.example), each request's row in the CORS panel (read through the real panel port) held to
// Chromium's own verdict for that very request (CDP Network.loadingFailed.corsErrorStatus).
//
// Two arms, each in a fresh browser:
//   - "panels": the real panel page (panel.html?tabId=N, as DevTools loads it) open for each tab
//     before its page loads, three tabs working at once, and meanwhile more panels for every tab
//     opening and closing (a second DevTools window, a panel reloaded);
//   - "devtools": DevTools open on every tab (--auto-open-devtools-for-tabs), the CORS panel never
//     shown: capture must start when DevTools opens, as the Network panel's recording does.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "puppeteer-core";
import type { Entry } from "../../src/shared/protocol";
import { LabDriver, planRuns, runAll, sameFailedParameter, type RunResult } from "../lab/runner";
import { keyOfHopUrl as keyOf, startLab, type Lab } from "../lab/server";
import { scenarios } from "../scenarios";
import { badge, launchWithExtension, snapshot, tabIdOf, waitFor, type ExtensionSession } from "./extension";

const OUTPUT_DIR = join(__dirname, "..", "output");
const TABS = 3;
const CONCURRENCY = 9;

interface Row {
  id: string;
  tab: number;
  browser: string;
  ours: string;
  why: string;
}


function verdictText(v: { blocked: boolean; code: string | null; failedParameter: string | null; stage: string | null; hop: number | null }): string {
  if (!v.blocked) return "pass";
  return `${v.code ?? "?"}${v.failedParameter ? `(${JSON.stringify(v.failedParameter)})` : ""} @${v.stage ?? "?"}#${v.hop ?? "?"}`;
}

/** Whether the request ever went to another origin than the page's (CDP's URLs), i.e. was a CORS request. */
function crossedOrigins(r: RunResult, appOrigin: string): boolean {
  if (r.run.page === "sandbox") return true;
  const urls = r.observation.urls.length ? r.observation.urls : [r.run.exchange.request.url];
  return urls.some((u) => {
    try {
      return new URL(u).origin !== appOrigin;
    } catch {
      return true;
    }
  });
}

/** What is wrong with the panel's entry for this run, or null when it agrees with Chromium. */
/**
 * Chromium's verdict in the panel's terms: Blink enforces request mode "same-origin" itself (CDP
 * loadingFailed blockedReason "origin", no corsErrorStatus), which is CorsError DisallowedByMode.
 */
function browserVerdict(r: RunResult): RunResult["verdict"] {
  // (Blink also refuses a same-origin Location with user:password@ this way: that is not the mode.)
  if (r.verdict.networkError !== "blocked:origin" || r.run.exchange.request.mode !== "same-origin") return r.verdict;
  return { ...r.verdict, blocked: true, code: "DisallowedByMode", networkError: null, stage: null, hop: null, failedParameter: "" };
}

export function judgeEntry(r: RunResult, entry: Entry | undefined, appOrigin: string): string | null {
  const v = browserVerdict(r);
  const modeOnly = v.code === "DisallowedByMode";
  if (!entry) {
    if (v.blocked) return "no row for a request Chromium blocked";
    if (crossedOrigins(r, appOrigin) && !v.networkError) return "no row for a cross-origin request";
    return null;
  }
  const d = entry.diagnosis;
  if (d.blocked !== v.blocked) return `blocked ${d.blocked}, Chromium ${v.blocked}`;
  if (v.blocked) {
    if (d.code !== v.code) return "code";
    // Blink's own refusal comes with no stage or hop to compare.
    if (!modeOnly && d.stage !== v.stage) return "stage";
    if (!modeOnly && !sameFailedParameter(v.failedParameter, d)) return "failedParameter";
    if (!modeOnly && d.hop !== v.hop) return "hop";
  }
  if (!entry.annotated) return "the page hook's report was not matched";
  if (d.credentials.mode !== r.run.credentials) return `credentials ${d.credentials.mode}${d.credentials.inferred ? " (inferred)" : ""}, script ${r.run.credentials}`;
  return null;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.min(60, Math.max(...rows.map((r) => (r[c] ?? "").length))));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join("  ").trimEnd()).join("\n");
}

/** Waits until DevTools' devtools_page (our devtools.html) runs for `n` tabs. */
async function devtoolsPages(s: ExtensionSession, n: number): Promise<void> {
  await waitFor(`${n} DevTools pages`, async () => {
    const pages = s.browser.targets().filter((t) => t.url().startsWith(`chrome-extension://${s.extensionId}/devtools.html`));
    return pages.length >= n;
  }, 20_000);
}

/**
 * Waits until the tab is captured with no CORS panel open: a probe request made while no panel
 * port exists must appear in the next snapshot (the snapshot's own port opens only afterwards).
 * This is what the devtools page's hold has to achieve, and the start of DevTools' own recording.
 */
async function capturedWithoutPanel(s: ExtensionSession, lab: Lab, page: Page): Promise<void> {
  const tab = await tabIdOf(s.control, page);
  let n = 0;
  await waitFor(`tab ${tab} captured with DevTools open and no panel`, async () => {
    const key = `probe${tab}x${n++}`;
    const url = lab.hopUrl(key, 0);
    lab.register(key, { hops: [{ url, preflight: null, response: { status: 200, headers: { "Access-Control-Allow-Origin": lab.origin("app.example") } } }] });
    await page.evaluate((u: string) => fetch(u).then((r) => r.text()).catch(() => ""), url);
    await new Promise((done) => setTimeout(done, 200));
    const snap = await snapshot(s.control, tab);
    return snap.entries.some((e) => e.exchange.request.url === url);
  }, 15_000);
}

for (const arm of ["panels", "devtools"] as const) {
  describe(`live capture agrees with Chromium: ${arm === "panels" ? "three tabs with a CORS panel each" : "DevTools open, CORS panel never shown"}`, () => {
    let lab: Lab;
    let s: ExtensionSession;
    let results: RunResult[] = [];
    const entries = new Map<string, { entry: Entry; tab: number }>();
    const tabOf = new Map<string, number>();
    const badges = new Map<number, string>();
    let appOrigin = "";

    beforeAll(async () => {
      const started = Date.now();
      lab = await startLab();
      appOrigin = lab.origin("app.example");
      s = await launchWithExtension(arm === "devtools" ? ["--auto-open-devtools-for-tabs"] : []);
      let opened = 1; // the control page has DevTools too
      const panelTabs: number[] = [];
      const panelUrl = (tab: number) => `chrome-extension://${s.extensionId}/panel.html?tabId=${tab}`;
      const driver = new LabDriver(s.browser, lab, {
        tabsPerKind: TABS,
        setup: async (page: Page) => {
          if (arm === "devtools") {
            await devtoolsPages(s, ++opened);
            await capturedWithoutPanel(s, lab, page);
            return;
          }
          const tab = await tabIdOf(s.control, page);
          panelTabs.push(tab);
          const panel = await s.browser.newPage();
          await panel.goto(panelUrl(tab));
          // Its SNAPSHOT arrived (the empty list offers to reload): the tab is captured from here on.
          await panel.waitForSelector(".empty button.link", { timeout: 10_000 });
        },
      });
      const runs = planRuns(scenarios, lab, { fetchCredentials: ["omit", "same-origin", "include"], eventSource: true });
      // Panels opening and closing for every tab while all of them work.
      let churning = arm === "panels";
      let churned = 0;
      const churn = (async () => {
        await driver.prepare(["app"]);
        while (churning) {
          for (const tab of panelTabs) {
            if (!churning) break;
            const extra = await s.browser.newPage();
            await extra.goto(panelUrl(tab)).catch(() => undefined);
            await new Promise((done) => setTimeout(done, 150));
            await extra.close().catch(() => undefined);
            churned++;
          }
        }
      })();
      results = await runAll(driver, lab, runs, CONCURRENCY);
      churning = false;
      await churn;
      if (arm === "panels") console.log(`live (panels): ${churned} extra panels opened and closed during the runs`);
      const pages = new Map<string, Page>();
      for (const kind of new Set(runs.map((r) => r.page))) for (let i = 0; i < TABS; i++) pages.set(`${kind}#${i}`, await driver.page(kind, i));
      const ids = new Map<string, number>();
      for (const [k, p] of pages) ids.set(k, await tabIdOf(s.control, p));
      for (const r of results) tabOf.set(r.run.id, ids.get(`${r.run.page}#${r.slot}`)!);
      // Rows settle within the correlator's grace (a blocked request waits 1.5 s for a late preflight).
      const want = new Map<number, number>();
      for (const r of results) if (browserVerdict(r).blocked) want.set(tabOf.get(r.run.id)!, (want.get(tabOf.get(r.run.id)!) ?? 0) + 1);
      await new Promise((done) => setTimeout(done, 2500));
      for (const tab of new Set(ids.values())) {
        const snap = await waitFor(`tab ${tab}'s rows`, async () => {
          const sn = await snapshot(s.control, tab);
          return sn.entries.filter((e) => e.diagnosis.blocked).length >= (want.get(tab) ?? 0) ? sn : null;
        }, 8000).catch(() => snapshot(s.control, tab));
        for (const e of snap.entries) {
          const key = keyOf(e.exchange.request.url) ?? e.exchange.hops.map((h) => keyOf(h.url)).find((k) => k) ?? null;
          if (key) entries.set(key, { entry: e, tab });
        }
        badges.set(tab, (await badge(s.control, tab)).text);
      }
      console.log(`live (${arm}): ${results.length} runs in ${TABS} tabs per page kind in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      await driver.close();
    }, 240_000);

    afterAll(async () => {
      await s?.cleanup();
      await lab?.close();
    });

    test("every request's row agrees with Chromium's verdict, for fetch, XHR and EventSource in every credentials mode", () => {
      const bad: Row[] = [];
      const counts = new Map<string, [number, number]>();
      for (const r of results) {
        const got = entries.get(r.run.key);
        const why = judgeEntry(r, got?.entry, appOrigin);
        const k = `${r.run.api}/${r.run.credentials}`;
        const c = counts.get(k) ?? [0, 0];
        c[1]++;
        if (!why) c[0]++;
        counts.set(k, c);
        if (why) bad.push({ id: r.run.id, tab: tabOf.get(r.run.id)!, browser: verdictText(browserVerdict(r)), ours: got ? verdictText(got.entry.diagnosis) : "(no row)", why });
      }
      const summary = [...counts].sort().map(([k, [ok, n]]) => `  ${k}: ${ok} of ${n}`).join("\n");
      console.log(`live (${arm}): agreement with Chromium per API and credentials mode\n${summary}`);
      if (bad.length) {
        mkdirSync(OUTPUT_DIR, { recursive: true });
        writeFileSync(join(OUTPUT_DIR, `live-${arm}-mismatches.json`), JSON.stringify(bad.map((b) => ({
          ...b, result: results.find((r) => r.run.id === b.id), entry: entries.get(results.find((r) => r.run.id === b.id)!.run.key)?.entry,
        })), null, 1));
        console.log(`live (${arm}): ${bad.length} of ${results.length} disagree\n` + table([["run", "tab", "chromium", "panel", "why"], ...bad.map((b) => [b.id, String(b.tab), b.browser, b.ours, b.why])]));
      }
      expect(bad.map((b) => `${b.id}: ${b.why}`)).toEqual([]);
    });

    test("every row has its end time (the panel's Time column), at or after its start, in every tab and API", () => {
      const missing = results.map((r) => ({ r, e: entries.get(r.run.key)?.entry })).filter(({ e }) => e !== undefined)
        .filter(({ e }) => typeof e!.end !== "number" || e!.end < e!.start).map(({ r }) => `${r.run.id} (${r.run.api}/${r.run.credentials})`);
      expect(missing).toEqual([]);
    });

    test("each tab's badge counts exactly the requests Chromium blocked in it", () => {
      const want = new Map<number, number>();
      for (const r of results) {
        const tab = tabOf.get(r.run.id)!;
        want.set(tab, (want.get(tab) ?? 0) + (browserVerdict(r).blocked ? 1 : 0));
      }
      const got = [...want.keys()].map((tab) => [tab, badges.get(tab) ?? ""]);
      expect(got).toEqual([...want].map(([tab, n]) => [tab, n ? String(n) : ""]));
    });
  });
}
