// B1: the classifier. `diagnose` over N varied exchanges (bench/corpus.ts), against JSON.parse of
// the same exchanges' JSON in the same process: the cost of reading an exchange is the yardstick
// for the cost of judging it. Passes alternate (parse, diagnose, parse, …); medians are reported.
// Times are the process's CPU time (process.cpuUsage), not wall time: on a shared machine another
// process's load stretches wall time but not the CPU this one uses. Wall times are kept alongside.
import { diagnose } from "../src/core/diagnose";
import type { Exchange } from "../src/core/types";
import { exchangeAt } from "./corpus";
import { median } from "./stats";

export interface ClassifierResult {
  bench: "B1";
  n: number;
  passes: number;
  /** Median µs per exchange. */
  diagnoseUs: number;
  parseUs: number;
  /** diagnoseUs / parseUs. */
  ratio: number;
  /** The corpus's mix, from the diagnoses. */
  mix: { blocked: number; passing: number; networkError: number; preflighted: number; redirected: number; byStage: Record<string, number> };
  samples: { diagnoseUs: number[]; parseUs: number[] };
  /** The same passes in wall time (µs per exchange, medians). */
  wall: { diagnoseUs: number; parseUs: number };
}

/** CPU time of this process so far, ms. */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export function runClassifier(opts: { n: number; passes?: number }): ClassifierResult {
  const { n } = opts;
  const passes = opts.passes ?? 5;
  const exchanges: Exchange[] = [];
  const json: string[] = [];
  for (let i = 0; i < n; i++) {
    const ex = exchangeAt(i);
    exchanges.push(ex);
    json.push(JSON.stringify(ex));
  }
  const mix = { blocked: 0, passing: 0, networkError: 0, preflighted: 0, redirected: 0, byStage: {} as Record<string, number> };
  for (const ex of exchanges) {
    const d = diagnose(ex);
    if (d.blocked) {
      mix.blocked++;
      mix.byStage[d.stage ?? "unknown"] = (mix.byStage[d.stage ?? "unknown"] ?? 0) + 1;
    } else if (d.networkError) mix.networkError++;
    else mix.passing++;
    if (ex.hops.some((h) => h.preflight)) mix.preflighted++;
    if (ex.hops.length > 1) mix.redirected++;
  }
  let sink = 0;
  const wallD: number[] = [];
  const wallP: number[] = [];
  const parseAll = () => {
    const c = cpuMs();
    const t = performance.now();
    for (let i = 0; i < n; i++) sink += (JSON.parse(json[i]!) as Exchange).hops.length;
    wallP.push(((performance.now() - t) * 1000) / n);
    return ((cpuMs() - c) * 1000) / n;
  };
  const diagnoseAll = () => {
    const c = cpuMs();
    const t = performance.now();
    for (let i = 0; i < n; i++) sink += diagnose(exchanges[i]!).warnings.length;
    wallD.push(((performance.now() - t) * 1000) / n);
    return ((cpuMs() - c) * 1000) / n;
  };
  parseAll(); // warm-up (JIT)
  diagnoseAll();
  wallD.length = wallP.length = 0;
  const d: number[] = [];
  const p: number[] = [];
  for (let k = 0; k < passes; k++) {
    p.push(parseAll());
    d.push(diagnoseAll());
  }
  if (sink < 0) console.log(sink);
  const diagnoseUs = median(d);
  const parseUs = median(p);
  return { bench: "B1", n, passes, diagnoseUs, parseUs, ratio: diagnoseUs / parseUs, mix, samples: { diagnoseUs: d, parseUs: p },
    wall: { diagnoseUs: median(wallD), parseUs: median(wallP) } };
}
