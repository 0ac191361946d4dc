// The Node side of the benches (B1, B2), bundled by bench/run.mjs into bench/tmp/node.cjs and run
// as `node --expose-gc bench/tmp/node.cjs B1|B2 [--n N]`; prints one JSON result on stdout.
import { writeFileSync } from "node:fs";
import { runCapture } from "./capture";
import { runClassifier } from "./classifier";
import { exchangeAt } from "./corpus";

async function main(): Promise<void> {
  const [which, ...rest] = process.argv.slice(2);
  const n = rest.includes("--n") ? Number(rest[rest.indexOf("--n") + 1]) : 100_000;
  const quick = n < 100_000;
  if (which === "B1") {
    process.stdout.write(JSON.stringify(runClassifier({ n, passes: quick ? 3 : 5 })) + "\n");
  } else if (which === "B2") {
    const checkpoints = quick ? [n / 4, n / 2, n].map(Math.round) : [10_000, 25_000, 50_000, 100_000];
    process.stdout.write(JSON.stringify(await runCapture({ requests: n, checkpoints })) + "\n");
  } else if (which === "B5-corpus") {
    // The CLI bench's input: one exchange JSON file (an array) of n corpus exchanges.
    const out = rest[rest.indexOf("--out") + 1]!;
    const all = Array.from({ length: n }, (_, i) => exchangeAt(i));
    writeFileSync(out, JSON.stringify(all));
    process.stdout.write(JSON.stringify({ n, file: out }) + "\n");
  } else {
    throw new Error(`usage: node.cjs B1|B2|B5-corpus [--n N] [--out FILE] (got ${which})`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
