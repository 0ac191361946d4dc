// Properties of run() (the CLI's logic, in process) over random files: it never throws, exits 0, 1 or 2,
// and a bad file is exactly one stderr line naming it; reports never carry a raw control character.
import fc from "fast-check";
import { run } from "../../../src/cli/run";
import { memoryIo as io } from "../../fixtures/cli-io";
import { rawExchangeArb, rawHarArb, RUNS, SEED } from "./arbitraries";

/** File contents: valid-ish documents, the same cut short or with bytes flipped, and random bytes. */
const contents: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  rawExchangeArb({ valid: true }).map((x) => JSON.stringify(x)),
  fc.array(rawExchangeArb({ valid: true }), { maxLength: 3 }).map((x) => JSON.stringify(x)),
  rawHarArb.map((h) => JSON.stringify(h)),
  fc.tuple(rawHarArb.map((h) => JSON.stringify(h)), fc.nat()).map(([s, n]) => s.slice(0, n % (s.length + 1))),
  fc.tuple(rawExchangeArb().map((x) => Buffer.from(JSON.stringify(x))), fc.nat(), fc.integer({ min: 0, max: 255 }))
    .map(([b, i, v]) => { const c = Uint8Array.from(b); if (c.length) c[i % c.length] = v; return c; }),
  fc.uint8Array({ maxLength: 200 }),
);

/** What must never reach a terminal raw (tab and newline may: snippets are indented with them). */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe("run(explain) on random files", () => {
  it("never throws; exit 2 ⇔ one stderr line per bad file; output has no raw control characters", async () => {
    await fc.assert(fc.asyncProperty(fc.array(contents, { minLength: 1, maxLength: 3 }), fc.boolean(), fc.constantFrom(null, "express", "nginx"), async (datas, json, stack) => {
      const names = datas.map((_, i) => `f${i}.json`);
      const t = io(Object.fromEntries(names.map((n, i) => [n, datas[i]!])));
      const args = ["explain", ...names, ...(json ? ["--json"] : []), ...(stack ? ["--stack", stack] : [])];
      const code = await run(args, t.c);
      expect([0, 1, 2]).toContain(code);
      const errLines = t.err() === "" ? [] : t.err().replace(/\n$/, "").split("\n");
      for (const l of errLines) expect(l).toMatch(/^cors-lens: f\d\.json: \S/);
      expect(errLines.length > 0).toBe(code === 2);
      expect(t.err()).not.toMatch(/\n\s+at /);
      expect(t.out()).not.toMatch(RAW_CONTROL);
      if (errLines.length === names.length) expect(t.out()).toBe("");
      else if (json) expect(Array.isArray(JSON.parse(t.out()))).toBe(true);
      else expect(t.out()).toMatch(/\d+ cross-origin requests?, \d+ blocked, \d+ ok/);
    }), { seed: SEED, numRuns: RUNS(150) });
  });
});
