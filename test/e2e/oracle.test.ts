// The oracle: for every lab scenario, Chromium's own CORS verdict (CDP corsErrorStatus) and
// diagnose() must agree on {blocked, stage, code, failedParameter}. Labels come only from the
// browser; the scenarios never say what to expect.
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { diagnose } from "../../src/core/diagnose";
import type { Diagnosis, Exchange } from "../../src/core/types";
import { LabDriver, planRuns, runAll, sameFailedParameter, type BrowserVerdict, type RunResult } from "../lab/runner";
import { startLab, type Lab } from "../lab/server";
import { scenarios } from "../scenarios";
import { chromiumVersion, launchChromium, type LaunchedChromium } from "./browser";

const OUTPUT_DIR = join(__dirname, "..", "output");
const VERDICTS_FILE = join(OUTPUT_DIR, "oracle-verdicts.json");
const MISMATCH_FILE = join(OUTPUT_DIR, "oracle-mismatches.json");
const CONCURRENCY = 8;

/** Every CorsError the classifier can return that the scenarios are built to provoke. */
const TARGET_CODES = [
  "WildcardOriginNotAllowed", "MissingAllowOriginHeader", "MultipleAllowOriginValues", "InvalidAllowOriginValue",
  "AllowOriginMismatch", "InvalidAllowCredentials",
  "PreflightWildcardOriginNotAllowed", "PreflightMissingAllowOriginHeader", "PreflightMultipleAllowOriginValues",
  "PreflightInvalidAllowOriginValue", "PreflightAllowOriginMismatch", "PreflightInvalidAllowCredentials",
  "PreflightInvalidStatus", "PreflightDisallowedRedirect",
  "InvalidAllowMethodsPreflightResponse", "InvalidAllowHeadersPreflightResponse",
  "MethodDisallowedByPreflightResponse", "HeaderDisallowedByPreflightResponse",
  "RedirectContainsCredentials", "CorsDisabledScheme",
];
/**
 * Codes the classifier can return that Chromium 156 never reports through CDP for fetch/XHR:
 * - DisallowedByMode: Blink enforces mode "same-origin" itself. A direct cross-origin fetch is
 *   rejected before any network request; a same-origin URL redirecting to another origin fails
 *   with loadingFailed {errorText: "", blockedReason: "origin"} and no corsErrorStatus.
 */
const NEVER_PRODUCED = ["DisallowedByMode"];
/**
 * Runs that may fail without a CORS error, on purpose: redirects to data: and file:
 * (net::ERR_UNSAFE_REDIRECT), a same-origin-mode redirect to another origin (plain and with
 * user:password@), a no-cors-mode redirect to another origin with user:password@, and a
 * same-origin request redirected to its own origin with user:password@ in the Location (all of
 * them Blink's own blockedReason "origin", no corsErrorStatus), each in two credentials modes.
 * Keep them rare.
 */
const MAX_NON_CORS_RUNS = 12;

type Compared = Pick<Diagnosis, "blocked" | "stage" | "code" | "failedParameter" | "disallowedHeaders">;

function pick(v: Compared | BrowserVerdict): Compared {
  return { blocked: v.blocked, stage: v.stage, code: v.code, failedParameter: v.failedParameter,
    ...("disallowedHeaders" in v && v.disallowedHeaders ? { disallowedHeaders: v.disallowedHeaders } : {}) };
}

function show(v: Compared): string {
  if (!v.blocked) return "pass";
  return `${v.code ?? "?"}${v.failedParameter ? `(${JSON.stringify(v.failedParameter)})` : ""} @${v.stage ?? "?"}`;
}

function same(browser: Compared, ours: Compared): boolean {
  return browser.blocked === ours.blocked && browser.stage === ours.stage && browser.code === ours.code &&
    sameFailedParameter(browser.failedParameter, ours);
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.min(70, Math.max(...rows.map((r) => (r[c] ?? "").length))));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join("  ").trimEnd()).join("\n");
}

describe("oracle: diagnose() agrees with Chromium", () => {
  let chromium: LaunchedChromium | undefined;
  let lab: Lab | undefined;
  let driver: LabDriver | undefined;
  let version = "";
  let results: RunResult[] = [];

  beforeAll(async () => {
    const started = Date.now();
    lab = await startLab();
    chromium = await launchChromium();
    version = await chromiumVersion(chromium.browser);
    driver = new LabDriver(chromium.browser, lab);
    const runs = planRuns(scenarios, lab);
    results = await runAll(driver, lab, runs, CONCURRENCY);

    const codes: Record<string, number> = {};
    for (const r of results) if (r.verdict.code) codes[r.verdict.code] = (codes[r.verdict.code] ?? 0) + 1;
    mkdirSync(OUTPUT_DIR, { recursive: true });
    writeFileSync(
      VERDICTS_FILE,
      JSON.stringify(
        {
          chromium: version,
          generated: new Date().toISOString(),
          scenarios: scenarios.length,
          runs: results.length,
          codes,
          results: results.map((r) => ({
            id: r.run.id,
            scenario: r.run.scenario,
            group: r.run.group,
            api: r.run.api,
            credentials: r.run.credentials,
            page: r.run.page,
            browser: r.verdict,
            cdp: { errorText: r.observation.errorText, corsErrorStatus: r.observation.corsErrorStatus, urls: r.observation.urls },
            script: r.observation.script,
            exchange: r.seen,
          })),
        },
        null,
        1,
      ),
    );
    const blocked = results.filter((r) => r.verdict.blocked).length;
    console.log(
      `oracle: ${version} (${chromium.browser.process()?.spawnfile ?? "chromium"}); ` +
        `${scenarios.length} scenarios, ${results.length} runs (${blocked} blocked by CORS) ` +
        `in ${((Date.now() - started) / 1000).toFixed(1)} s; verdicts in ${VERDICTS_FILE}\n` +
        Object.entries(codes).sort(([a], [b]) => a.localeCompare(b)).map(([c, n]) => `  ${c}: ${n}`).join("\n"),
    );
  }, 110_000);

  afterAll(async () => {
    await driver?.close();
    await chromium?.cleanup();
    await lab?.close();
  });

  test("Chromium settled every run, and non-CORS failures stay rare", () => {
    expect(results.length).toBeGreaterThan(0);
    const unsettled = results.filter((r) => !r.observation.settled).map((r) => `${r.run.id}: ${JSON.stringify(r.observation.script)}`);
    expect(unsettled).toEqual([]);
    const nonCors = results.filter((r) => r.verdict.networkError).map((r) => `${r.run.id}: ${r.verdict.networkError}`);
    if (nonCors.length) console.log(`oracle: non-CORS failures (counted as not blocked by CORS):\n  ${nonCors.join("\n  ")}`);
    expect(nonCors.length).toBeLessThanOrEqual(MAX_NON_CORS_RUNS);
    // The page script and CDP must tell the same story.
    const disagree = results.filter((r) => r.observation.script.ok === (r.observation.errorText !== null)).map((r) => r.run.id);
    expect(disagree).toEqual([]);
  });

  test("the scenarios make Chromium produce every targeted CorsError", () => {
    const seen = new Set(results.map((r) => r.verdict.code));
    expect(TARGET_CODES.filter((c) => !seen.has(c))).toEqual([]);
    const surprise = NEVER_PRODUCED.filter((c) => seen.has(c));
    if (surprise.length) console.log(`oracle: Chromium now produces ${surprise.join(", ")}: move it to TARGET_CODES.`);
  });

  test("diagnose() returns Chromium's {blocked, stage, code, failedParameter} for every run", () => {
    type Mismatch = { id: string; browser: Compared; ours: Compared | { error: string }; hop: { browser: number | null; ours: number | null }; exchange: Exchange; diagnosis: Diagnosis | null };
    const mismatches: Mismatch[] = [];
    for (const r of results) {
      let diagnosis: Diagnosis | null = null;
      let ours: Compared | { error: string };
      try {
        diagnosis = diagnose(structuredClone(r.seen));
        ours = pick(diagnosis);
      } catch (err) {
        ours = { error: String(err) };
      }
      const browser = pick(r.verdict);
      if ("error" in ours || !same(browser, ours)) {
        mismatches.push({ id: r.run.id, browser, ours, hop: { browser: r.verdict.hop, ours: diagnosis?.hop ?? null }, exchange: r.seen, diagnosis });
      } else if (r.verdict.blocked && diagnosis?.hop !== r.verdict.hop) {
        // The hop is checked too: the same code at another hop would point the user at the wrong response.
        mismatches.push({ id: r.run.id, browser, ours, hop: { browser: r.verdict.hop, ours: diagnosis?.hop ?? null }, exchange: r.seen, diagnosis });
      }
    }
    mkdirSync(OUTPUT_DIR, { recursive: true });
    if (mismatches.length) {
      writeFileSync(MISMATCH_FILE, JSON.stringify({ chromium: version, mismatches }, null, 1));
      const rows = [["scenario", "api/credentials", "browser", "ours"]];
      for (const m of mismatches) {
        const [scenario = m.id, api = "", credentials = ""] = m.id.split(" ");
        rows.push([scenario, `${api}/${credentials}`, show(m.browser), "error" in m.ours ? `THROWS ${m.ours.error}` : show(m.ours)]);
      }
      console.log(`oracle: ${mismatches.length} of ${results.length} runs disagree with ${version} (details in ${MISMATCH_FILE}):\n${table(rows)}`);
    } else {
      rmSync(MISMATCH_FILE, { force: true });
    }
    expect(mismatches.map((m) => m.id)).toEqual([]);
  });

  test("the built `cors-lens explain --json` gives every run Chromium's verdict too", () => {
    // The CLI's whole path: file reading, validation, diagnose, JSON output, exit status.
    const cli = resolve(process.env.CORS_LENS_DIST ?? resolve(__dirname, "../../dist"), "cli", "cors-lens.cjs");
    const file = join(OUTPUT_DIR, "oracle-exchanges.json");
    mkdirSync(OUTPUT_DIR, { recursive: true });
    writeFileSync(file, JSON.stringify(results.map((r) => r.seen)));
    const p = spawnSync(process.execPath, [cli, "explain", file, "--json"], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    expect(p.stderr).toBe("");
    expect(p.status).toBe(results.some((r) => r.verdict.blocked) ? 1 : 0);
    const got = JSON.parse(p.stdout) as Diagnosis[];
    expect(got).toHaveLength(results.length);
    const bad = results.filter((r, i) => !same(pick(r.verdict), pick(got[i]!)) || (r.verdict.blocked && got[i]!.hop !== r.verdict.hop))
      .map((r) => r.run.id);
    console.log(`oracle: cors-lens explain agrees with ${version} on ${results.length - bad.length} of ${results.length} runs`);
    expect(bad).toEqual([]);
  });
});
