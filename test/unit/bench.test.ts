// Smoke test of the benches B1 and B2 (bench/): tiny N, the output's shape, and that B2 really went
// through the background's real handlers. No timing is asserted (benchmarks, not tests).
import { diagnose } from "../../src/core/diagnose";
import type { Entry } from "../../src/shared/protocol";
import { runCapture } from "../../bench/capture";
import { runClassifier } from "../../bench/classifier";
import { exchangeAt, templates } from "../../bench/corpus";

test("the corpus is deterministic and varied", () => {
  expect(JSON.stringify(exchangeAt(1234))).toBe(JSON.stringify(exchangeAt(1234)));
  const ds = Array.from({ length: 2000 }, (_, i) => diagnose(exchangeAt(i)));
  const stages = new Set(ds.filter((d) => d.blocked).map((d) => d.stage));
  expect([...stages].sort()).toEqual(expect.arrayContaining(["actual", "preflight", "redirect"]));
  expect(ds.filter((d) => !d.blocked && !d.networkError).length).toBeGreaterThan(ds.length / 2);
  expect(ds.some((d) => d.networkError)).toBe(true);
});

test("B1 reports diagnose and JSON.parse costs and the corpus's mix", () => {
  const r = runClassifier({ n: 600, passes: 1 });
  expect(r).toMatchObject({ bench: "B1", n: 600, passes: 1 });
  for (const v of [r.diagnoseUs, r.parseUs, r.ratio, r.wall.diagnoseUs, r.wall.parseUs]) expect(Number.isFinite(v) && v >= 0).toBe(true);
  expect(r.mix.blocked + r.mix.passing + r.mix.networkError).toBe(600);
  expect(r.mix.blocked).toBeGreaterThan(0);
  expect(r.mix.preflighted).toBeGreaterThan(0);
  expect(r.mix.redirected).toBeGreaterThan(0);
});

test("B2 replays through the real engine: the store ends with the requests' exchanges, bounded per tab", async () => {
  const tpl = templates(4 * 338);
  let entries: Entry[][] = [];
  const r = await runCapture({
    requests: 900, tabs: 3, limit: 200, checkpoints: [450], chunk: 300,
    inspect: async (engine) => { entries = await Promise.all([1, 2, 3].map((t) => engine.entries(t))); },
  });
  expect(r).toMatchObject({ bench: "B2", requests: 900, tabs: 3, limit: 200 });
  expect(r.events).toBeGreaterThan(900 * 4);
  expect(r.checkpoints.map((c) => c.requests)).toEqual([450, 900]);
  for (const v of [r.eventsPerSec, r.baselinePerSec, r.ratio]) expect(Number.isFinite(v) && v > 0).toBe(true);
  // 300 requests per tab, the bound 200: full, the rest counted as dropped.
  expect(r.storedPerTab).toEqual([200, 200, 200]);
  expect(entries.map((e) => e.length)).toEqual([200, 200, 200]);
  for (const d of r.droppedPerTab) expect(d).toBeGreaterThan(50);
  // Tab t held requests i ≡ t-1 (mod 3): each stored exchange is one of them, and where the page's
  // credentials were "include" (the Cookie on the wire tells the engine), the engine's verdict is
  // the corpus's own diagnosis of that exchange.
  let compared = 0;
  for (const [k, list] of entries.entries()) {
    for (const e of list) {
      const path = new URL(e.exchange.request.url).pathname; // /s/<i>/0
      const i = Number(path.split("/")[2]);
      expect(i % 3).toBe(k);
      const t = tpl[i % tpl.length]!;
      expect(e.exchange.request.url).toBe(t.ex.request.url);
      expect(e.exchange.hops.length).toBeGreaterThan(0);
      if (t.ex.request.credentials === "include" && !t.d.networkError) {
        expect({ id: i, blocked: e.diagnosis.blocked, code: e.diagnosis.code }).toEqual({ id: i, blocked: t.d.blocked, code: t.d.code });
        compared++;
      }
    }
  }
  expect(compared).toBeGreaterThan(50);
  expect(r.blockedStored).toBeGreaterThan(0);
}, 60_000);
