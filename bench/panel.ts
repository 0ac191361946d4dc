// B4: the panel in headless Chromium (bench/panel-page.tsx mounts the real App). Measured in the
// page with performance.now(), each figure ending after the next frame is produced:
//   first render  render(<App>) → SNAPSHOT delivered (JSON-parsed, as extension messaging does) →
//                 reduced → the list's first painted frame with rows
//   keystroke     puppeteer types into the real filter box; keydown's timestamp → the frame after
//                 the input was handled (the list filtered and re-rendered)
//   scroll        the list's scroll container moved 1,000 px per step (down, bouncing at the end);
//                 each step from setting scrollTop to the painted frame; and the renderer main
//                 thread's time per step (CDP Performance.getMetrics TaskDuration over the steps),
//                 which a frame's wall time rounds to whole frames
//   wheel         the same with 100 px steps (a wheel notch): most rows stay
// Baseline, same page, same code: the panel with 100 exchanges (what the panel costs when the
// list is small): the ratio is how 10,000 exchanges scale it. Medians over rounds.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import puppeteer from "puppeteer-core";
import { median, p95 } from "./stats";

export interface PanelArm {
  n: number;
  firstRenderMs: number;
  /** Until every page of the snapshot is in the list. */
  loadedMs: number;
  parseMs: number;
  /** readBackgroundMessage() of the same snapshot, timed alone (part of the first render). */
  validateMs: number;
  /** The snapshot's JSON, MB (UTF-16 length / 2^20). */
  snapshotMB: number;
  keyMs: number;
  keyP95Ms: number;
  scrollMs: number;
  scrollP95Ms: number;
  /** Renderer main-thread time per 1,000 px step (median over rounds). */
  scrollTaskMs: number;
  wheelMs: number;
  wheelTaskMs: number;
  samples: { firstRenderMs: number[]; keyMs: number[]; scrollMs: number[]; scrollTaskMs: number[]; wheelMs: number[]; wheelTaskMs: number[] };
}

export interface PanelResult {
  bench: "B4";
  chromium: string;
  rounds: number;
  filterText: string;
  arms: PanelArm[];
  /** Checks that the page really showed what was fed. */
  checks: string[];
}

const FILTER = "api.example:8080/s/1";

type Bench = {
  prepare(n: number): number;
  validate(n: number): number;
  mount(n: number): Promise<{ firstRenderMs: number; loadedMs: number; parseMs: number; rows: number; counts: string }>;
  resetKeys(): void;
  keys(): { latencies: number[]; counts: string };
  scroll(steps: number, px: number): Promise<{ stepMs: number[]; firstRowIndex: number; maxTop: number }>;
};
declare const __bench: Bench;

export async function runPanel(opts: { root: string; pageJs: string; chromium: string; sizes?: number[]; rounds?: number; trace?: string }): Promise<PanelResult> {
  const sizes = opts.sizes ?? [100, 10_000];
  const rounds = opts.rounds ?? 5;
  const dir = join(opts.root, "bench/tmp/panel");
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(opts.root, "extension/panel.css"), join(dir, "panel.css"));
  copyFileSync(opts.pageJs, join(dir, "bench.js"));
  writeFileSync(join(dir, "index.html"),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="stylesheet" href="panel.css"></head>` +
    `<body><script src="bench.js"></script></body></html>`);
  const profile = mkdtempSync(join(tmpdir(), "cors-lens-b4-"));
  const browser = await puppeteer.launch({
    executablePath: opts.chromium, ignoreDefaultArgs: true, pipe: true, networkEnabled: false,
    args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile, "--window-size=1280,800", "about:blank"],
  } as Parameters<typeof puppeteer.launch>[0]);
  const checks: string[] = [];
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 800 });
    await page.goto(pathToFileURL(join(dir, "index.html")).href);
    await page.waitForFunction(() => document.title === "ready");
    const cdp = await page.createCDPSession();
    await cdp.send("Performance.enable");
    const taskSeconds = async () => (await cdp.send("Performance.getMetrics")).metrics.find((m) => m.name === "TaskDuration")?.value ?? NaN;
    /** `steps` scroll steps of `px`: each step's wall time, and the main thread's time per step. */
    const scrolled = async (steps: number, px: number) => {
      const t0 = await taskSeconds();
      const s = await page.evaluate((k, d) => __bench.scroll(k, d), steps, px);
      return { ...s, taskMs: ((await taskSeconds()) - t0) * 1000 / steps };
    };
    const per = new Map<number, { first: number[]; loaded: number[]; parse: number[]; validate: number[]; key: number[]; scroll: number[]; scrollTask: number[]; wheel: number[]; wheelTask: number[]; chars: number }>();
    for (const n of sizes) {
      const chars = await page.evaluate((k) => __bench.prepare(k), n);
      per.set(n, { first: [], loaded: [], parse: [], validate: [], key: [], scroll: [], scrollTask: [], wheel: [], wheelTask: [], chars });
      await page.evaluate((k) => __bench.mount(k), n); // warm-up (JIT), untimed
    }
    for (let r = 0; r < rounds; r++) {
      for (const n of r % 2 ? [...sizes].reverse() : sizes) {
        const acc = per.get(n)!;
        const m = await page.evaluate((k) => __bench.mount(k), n);
        acc.first.push(m.firstRenderMs);
        acc.loaded.push(m.loadedMs);
        acc.parse.push(m.parseMs);
        acc.validate.push(await page.evaluate((k) => __bench.validate(k), n));
        if (r === 0) checks.push(`${n}: ${m.rows} rows in the DOM, counts "${m.counts.trim()}"`);
        if (opts.trace && n === sizes[sizes.length - 1] && r === 0) await page.tracing.start({ path: opts.trace, screenshots: false });
        // Keystrokes: type the filter, then erase it.
        await page.evaluate(() => __bench.resetKeys());
        await page.click("input.filter");
        await page.keyboard.type(FILTER, { delay: 60 });
        await new Promise((res) => setTimeout(res, 100));
        const typed = await page.evaluate(() => __bench.keys());
        for (let i = 0; i < FILTER.length; i++) await page.keyboard.press("Backspace", { delay: 20 }).then(() => new Promise((res) => setTimeout(res, 60)));
        await new Promise((res) => setTimeout(res, 100));
        const all = await page.evaluate(() => __bench.keys());
        acc.key.push(...all.latencies);
        if (r === 0) checks.push(`${n}: filter "${FILTER}" → counts "${typed.counts.trim()}"; ${all.latencies.length} keystrokes timed`);
        const s = await scrolled(40, 1000);
        acc.scroll.push(...s.stepMs);
        acc.scrollTask.push(s.taskMs);
        const w = await scrolled(40, 100);
        acc.wheel.push(...w.stepMs);
        acc.wheelTask.push(w.taskMs);
        if (opts.trace && n === sizes[sizes.length - 1] && r === 0) await page.tracing.stop();
        if (r === 0) checks.push(`${n}: scrolled 40 × 1000 px (range ${s.maxTop} px), last first row aria-rowindex ${s.firstRowIndex}`);
      }
    }
    const arms: PanelArm[] = sizes.map((n) => {
      const a = per.get(n)!;
      return {
        n, firstRenderMs: median(a.first), loadedMs: median(a.loaded), parseMs: median(a.parse), validateMs: median(a.validate), snapshotMB: a.chars / 2 ** 20, keyMs: median(a.key), keyP95Ms: p95(a.key),
        scrollMs: median(a.scroll), scrollP95Ms: p95(a.scroll), scrollTaskMs: median(a.scrollTask),
        wheelMs: median(a.wheel), wheelTaskMs: median(a.wheelTask),
        samples: { firstRenderMs: a.first, keyMs: a.key, scrollMs: a.scroll, scrollTaskMs: a.scrollTask, wheelMs: a.wheel, wheelTaskMs: a.wheelTask },
      };
    });
    return { bench: "B4", chromium: await browser.version(), rounds, filterText: FILTER, arms, checks };
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
  }
}
