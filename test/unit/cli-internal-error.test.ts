// `explain --json` writes each slice as it is judged (src/cli/run.ts): an internal error half-way
// (diagnose() throwing, a bug, which no input reaches) must still leave one JSON array on stdout holding
// every diagnosis made before it, one line on stderr and exit 2. diagnose() is the real one, made to
// throw on the 1,500th call.
import { memoryIo } from "../fixtures/cli-io";

let mockCalls = 0;
jest.mock("../../src/core/diagnose", () => {
  const actual = jest.requireActual("../../src/core/diagnose");
  return { ...actual, diagnose: (ex: unknown) => {
    if (++mockCalls === 1500) throw new Error("boom");
    return actual.diagnose(ex);
  } };
});

test("an internal error mid-way: one line on stderr, exit 2, and what was written is still one JSON array", async () => {
  // Required after jest.mock: the esbuild transform does not hoist it above imports.
  const { run } = require("../../src/cli/run") as typeof import("../../src/cli/run");
  const ORIGIN = "http://localhost:5173";
  const list = Array.from({ length: 2000 }, (_, i) => ({ id: `e${i}`, request: { url: `https://api.example/${i}`, origin: ORIGIN },
    response: { status: 200, headers: { "access-control-allow-origin": ORIGIN } } }));
  const { c, out, err } = memoryIo({ "many.json": JSON.stringify(list) });
  const code = await run(["explain", "many.json", "--json"], c);
  expect(mockCalls).toBeGreaterThanOrEqual(1500);
  expect(code).toBe(2);
  expect(err()).toBe("cors-lens: many.json: internal error while diagnosing e1499: boom\n");
  expect((JSON.parse(out()) as Array<{ id: string }>).map((d) => d.id)).toEqual(Array.from({ length: 1499 }, (_, i) => `e${i}`));
});
