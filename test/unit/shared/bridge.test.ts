// The one bridge: typed handlers over a validated channel, both ends over walls, and the
// reconnecting wall that survives the MV3 worker.
import { BACKOFF, Bridge, HEARTBEAT_MS, hostBridge, memoryWalls, pageBridge, reconnectingWall, type Channel, type Wall } from "../../../src/shared/bridge";
import { FakeBrowser } from "../../fakes/browser";
import { manualClock } from "../panel/helpers/clock";

type Up = { type: "ASK"; n: number } | { type: "BYE" };
type Down = { type: "ANSWER"; n: number };
const isObj = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null;
const CH: Channel<Up, Down> = {
  up: (x) => (isObj(x) && x.type === "ASK" && typeof x.n === "number" ? { type: "ASK", n: x.n } : isObj(x) && x.type === "BYE" ? { type: "BYE" } : null),
  down: (x) => (isObj(x) && x.type === "ANSWER" && typeof x.n === "number" ? { type: "ANSWER", n: x.n } : null),
};

test("both ends over memory walls: typed handlers, every message read by the channel's reader first", () => {
  const [a, b] = memoryWalls();
  const host = hostBridge<typeof CH>(a, CH.up);
  const page = pageBridge<typeof CH>(b, CH.down);
  const answers: number[] = [];
  host.on("ASK", (m) => host.send({ type: "ANSWER", n: m.n * 2 }));
  page.on("ANSWER", (m) => { answers.push(m.n); });
  page.send({ type: "ASK", n: 21 });
  expect(answers).toEqual([42]);
  // Malformed, unknown and unhandled messages never reach a handler; they are counted.
  b.send({ type: "ASK", n: "21" });
  b.send("ASK");
  b.send({ type: "NOPE" });
  page.send({ type: "BYE" }); // valid, but the host handles no BYE
  expect(answers).toEqual([42]);
  expect(host.dropped).toBe(4);
});

test("a handler's return value is the answer where the wall has answers; request() reads it with its own reader", async () => {
  let hostFn: ((raw: unknown, ctx: { tab: number }) => unknown) | null = null;
  const hostWall: Wall<{ tab: number }> = { listen: (fn) => { hostFn = fn; return () => {}; }, send: () => {} };
  hostBridge<typeof CH, { tab: number }>(hostWall, CH.up).on("ASK", (m, ctx) => Promise.resolve({ type: "ANSWER", n: m.n + ctx.tab }));
  const pageWall: Wall = { listen: () => () => {}, send: () => {}, request: async (m) => hostFn!(JSON.parse(JSON.stringify(m)), { tab: 100 }) };
  const page = pageBridge<typeof CH>(pageWall, CH.down);
  expect(await page.request({ type: "ASK", n: 1 })).toEqual({ type: "ANSWER", n: 101 });
  // An answer out of shape reads as none.
  const liar: Wall = { listen: () => () => {}, send: () => {}, request: async () => ({ type: "ANSWER", n: "x" }) };
  expect(await new Bridge(liar, CH.down).request({ type: "BYE" } as never)).toBeNull();
  // A wall without answers.
  expect(await pageBridge<typeof CH>(memoryWalls()[0], CH.down).request({ type: "BYE" })).toBeNull();
});

test("shutdown stops listening", () => {
  const [a, b] = memoryWalls();
  const host = hostBridge<typeof CH>(a, CH.up);
  const seen: number[] = [];
  host.on("ASK", (m) => { seen.push(m.n); });
  host.shutdown();
  pageBridge<typeof CH>(b, CH.down).send({ type: "ASK", n: 1 });
  expect(seen).toEqual([]);
});

describe("reconnectingWall", () => {
  function setup(failConnects = 0) {
    const w = new FakeBrowser();
    const platform = w.panelPlatform();
    platform.failConnects = failConnects;
    const clock = manualClock();
    const events: string[] = [];
    const wall = reconnectingWall({
      connect: () => platform.connect(),
      hello: () => ({ type: "HELLO" }),
      ping: () => ({ type: "PING" }),
      schedule: clock.schedule,
      onOpen: (attempt) => events.push(`open ${attempt}`),
      onFail: (first) => events.push(first ? "unavailable" : "failed"),
      onDrop: () => events.push("drop"),
    });
    const heard: unknown[] = [];
    wall.listen((m) => { heard.push(m); });
    return { platform, clock, events, wall, heard };
  }

  test("nothing opens before start(); then hello first, and what was sent meanwhile after it", () => {
    const { platform, wall } = setup();
    wall.send({ type: "EARLY" });
    expect(platform.ports).toHaveLength(0);
    wall.start();
    expect(platform.port.posted).toEqual([{ type: "HELLO" }, { type: "EARLY" }]);
  });

  test("a dropped port reconnects with doubling backoff, says hello again, and replays the queue", () => {
    const { platform, clock, events, wall, heard } = setup();
    wall.start();
    platform.port.emit({ type: "X" });
    expect(heard).toEqual([{ type: "X" }]);
    platform.port.drop();
    wall.send({ type: "WHILE_AWAY" });
    expect(events).toEqual(["open 0", "drop"]);
    clock.advance(BACKOFF.first - 1);
    expect(platform.ports).toHaveLength(1);
    clock.advance(1);
    expect(platform.ports).toHaveLength(2);
    expect(platform.port.posted).toEqual([{ type: "HELLO" }, { type: "WHILE_AWAY" }]);
    // A message on the old port is not heard.
    platform.ports[0]!.emit({ type: "STALE" });
    expect(heard).toEqual([{ type: "X" }]);
    // Without connected(), the next drop waits twice as long.
    platform.port.drop();
    clock.advance(BACKOFF.first);
    expect(platform.ports).toHaveLength(2);
    clock.advance(BACKOFF.first);
    expect(platform.ports).toHaveLength(3);
    // connected() resets the backoff.
    wall.connected();
    platform.port.drop();
    clock.advance(BACKOFF.first);
    expect(platform.ports).toHaveLength(4);
  });

  test("a context that is gone: unavailable first, then retries until a connect succeeds", () => {
    const { platform, clock, events, wall } = setup(2);
    wall.start();
    expect(events).toEqual(["unavailable"]);
    clock.advance(BACKOFF.first);
    expect(events).toEqual(["unavailable", "failed"]);
    clock.advance(BACKOFF.first * 2);
    expect(events).toEqual(["unavailable", "failed", "open 2"]);
    expect(platform.ports).toHaveLength(1);
  });

  test("pings every HEARTBEAT_MS while open, on the open port only; close() disconnects and stops everything", () => {
    const { platform, clock, wall } = setup();
    wall.start();
    for (let i = 0; i < 3; i++) clock.advance(HEARTBEAT_MS);
    const pings = () => platform.ports.flatMap((p) => p.posted).filter((m) => (m as { type: string }).type === "PING").length;
    expect(pings()).toBe(3);
    wall.close();
    expect(platform.port.disconnected).toBe(true);
    for (let i = 0; i < 3; i++) clock.advance(HEARTBEAT_MS);
    wall.send({ type: "AFTER" });
    expect(pings()).toBe(3);
    expect(platform.ports).toHaveLength(1);
  });
});
