// The README's CI recipe, end to end: an end-to-end run in headless Chromium with no extension,
// recorded by examples/ci/record-har.mjs (CDP → HAR), then the built `cors-lens explain` on that
// HAR must fail the job (exit 1) and give each blocked request Chromium's own verdict (CDP
// corsErrorStatus), for every lab scenario via fetch.
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Page } from "puppeteer-core";
import type { Diagnosis } from "../../src/core/types";
import { recordHar } from "../../examples/ci/record-har.mjs";
import { LabDriver, planRuns, runAll, sameFailedParameter, type RunResult } from "../lab/runner";
import { keyOfHopUrl as keyOf, startLab, type Lab } from "../lab/server";
import { scenarios } from "../scenarios";
import { launchChromium, type LaunchedChromium } from "./browser";

const OUTPUT_DIR = join(__dirname, "..", "output");
const CLI = resolve(process.env.CORS_LENS_DIST ?? resolve(__dirname, "../../dist"), "cli", "cors-lens.cjs");

type Explained = Diagnosis & { url: string; file: string; entry?: number };


describe("CI recipe: record a HAR with puppeteer-core, fail the job with cors-lens explain", () => {
  let lab: Lab;
  let chromium: LaunchedChromium;
  let results: RunResult[] = [];
  let status: number | null = null;
  let explained: Explained[] = [];
  let stderr = "";

  beforeAll(async () => {
    lab = await startLab();
    chromium = await launchChromium();
    const recorders: Array<Awaited<ReturnType<typeof recordHar>>> = [];
    const driver = new LabDriver(chromium.browser, lab, {
      // Recording starts before the page that makes the requests loads (the driver reloads it).
      setup: async (page: Page) => { recorders.push(await recordHar(page)); },
    });
    const runs = planRuns(scenarios, lab, { xhr: false });
    results = await runAll(driver, lab, runs, 4);
    mkdirSync(OUTPUT_DIR, { recursive: true });
    const files: string[] = [];
    for (const [i, r] of recorders.entries()) {
      const file = join(OUTPUT_DIR, `ci-recipe-${i}.har`);
      await r.save(file);
      await r.stop();
      files.push(file);
    }
    await driver.close();
    const p = spawnSync(process.execPath, [CLI, "explain", ...files, "--json"], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    status = p.status;
    stderr = p.stderr;
    explained = JSON.parse(p.stdout || "[]") as Explained[];
  }, 180_000);

  afterAll(async () => {
    await chromium?.cleanup();
    await lab?.close();
  });

  test("the job fails: exit 1, nothing unreadable", () => {
    expect(stderr).toBe("");
    expect(status).toBe(1);
  });

  test("every request Chromium blocked is blocked in the HAR's diagnosis, with Chromium's code, stage, failed parameter and hop", () => {
    const byKey = new Map<string, Explained>();
    for (const d of explained) {
      const k = keyOf(d.url);
      if (k) byKey.set(k, d);
    }
    const bad: string[] = [];
    let agree = 0;
    for (const r of results) {
      const v = r.verdict;
      const d = byKey.get(r.run.key);
      if (!v.blocked) {
        if (d?.blocked) bad.push(`${r.run.id}: blocked ${d.code}, Chromium passed`);
        else agree++;
        continue;
      }
      if (!d) bad.push(`${r.run.id}: no diagnosis for a request Chromium blocked (${v.code})`);
      else if (!d.blocked || d.code !== v.code || d.stage !== v.stage || !sameFailedParameter(v.failedParameter, d) || d.hop !== v.hop) {
        bad.push(`${r.run.id}: ${d.blocked ? `${d.code} @${d.stage}#${d.hop} (${d.failedParameter})` : "pass"}, Chromium ${v.code} @${v.stage}#${v.hop} (${v.failedParameter})`);
      } else agree++;
    }
    console.log(`ci recipe: cors-lens explain on the recorded HAR agrees with Chromium on ${agree} of ${results.length} fetch runs`);
    expect(bad).toEqual([]);
  });

  test("each diagnosis names its HAR file and entry", () => {
    expect(explained.length).toBeGreaterThan(0);
    for (const d of explained) {
      expect(d.file).toMatch(/ci-recipe-\d+\.har$/);
      expect(typeof d.entry).toBe("number");
    }
  });
});
