// Which tabs are captured fully, and why (src/background/policy.ts), without the engine.
import { CapturePolicy } from "../../../src/background/policy";

function make() {
  const timers: Array<{ ms: number; fn: () => void; on: boolean }> = [];
  let changes = 0;
  const p = new CapturePolicy({
    setTimer: (ms, fn) => { const t = { ms, fn, on: true }; timers.push(t); return () => { t.on = false; }; },
    graceMs: 15_000,
    changed: () => { changes++; },
  });
  return { p, timers, changes: () => changes };
}

test("ports are counted: the tab stays held until the last one closes", () => {
  const { p } = make();
  p.hold(3);
  p.hold(3); // a panel and the devtools page
  p.release(3);
  expect(p.isWatched(3)).toBe(true);
  p.release(3);
  expect(p.isWatched(3)).toBe(false);
  expect(p.anyPort()).toBe(false);
});

test("dev sites are captured from the navigation's start; others only while held", () => {
  const { p } = make();
  p.navigationStart(1, "http://app.test/");
  p.navigationStart(2, "https://shop.example/");
  expect([p.isWatched(1), p.isWatched(2)]).toEqual([true, false]);
  p.navigationCommit(1, "https://shop.example/");
  expect(p.isWatched(1)).toBe(false);
});

test("a restarted worker keeps last life's held tabs for the grace, then drops them", () => {
  const a = make();
  a.p.hold(7);
  a.p.learnUrl(7, "https://shop.example/");
  const saved = JSON.parse(JSON.stringify(a.p.persisted()));
  expect(saved).toEqual({ panels: [7], urls: { 7: "https://shop.example/" } });
  const b = make();
  b.p.restore(saved, undefined);
  expect(b.p.isWatched(7)).toBe(true);
  expect(b.p.url(7)).toBe("https://shop.example/");
  b.p.hold(7); // the panel reconnected: the grace ending changes nothing
  b.timers[0]!.fn();
  expect(b.p.isWatched(7)).toBe(true);
  b.p.release(7);
  expect(b.p.isWatched(7)).toBe(false);
});

test("always capture: a user's site is added, a default one can be turned off; bad stored lists are ignored", () => {
  const { p, changes } = make();
  p.restore({ panels: ["x", -1, 2 ** 40], urls: { 4: "https://shop.example/a", 5: 12 } }, { on: ["x", 3], off: "no" });
  expect(p.persisted()).toEqual({ panels: [], urls: {} });
  expect(p.setSite("shop.example", true)).toEqual({ on: ["x", "shop.example"], off: [] });
  expect(p.isWatched(4)).toBe(true);
  p.setSite("*.test", false);
  expect(p.siteWatched("http://app.test/")).toBe(false);
  expect(changes()).toBe(2);
});

test("a removed tab is forgotten, its grace timer cancelled", () => {
  const { p, timers } = make();
  p.restore({ panels: [9], urls: {} }, undefined);
  p.removeTab(9);
  expect(p.isWatched(9)).toBe(false);
  expect(timers[0]!.on).toBe(false);
});
