import { BACKOFF, HEARTBEAT_MS, openConnection } from "../../../src/panel/connection";
import type { ConnectionStatus } from "../../../src/panel/state";
import { MSG, type BackgroundMessage } from "../../../src/shared/protocol";
import { manualClock } from "./helpers/clock";
import { fakePlatform } from "./helpers/fake-platform";
import { makeEntry, passing, snapshot, wire } from "./helpers/fixtures";


function setup(batchMs = 0) {
  const platform = fakePlatform();
  const c = manualClock();
  const received: BackgroundMessage[][] = [];
  const statuses: ConnectionStatus[] = [];
  const conn = openConnection({
    platform, tabId: 7, schedule: c.schedule, batchMs,
    onMessages: (m) => received.push(m),
    onStatus: (s) => statuses.push(s),
  });
  return { platform, clock: c, received, statuses, conn };
}

test("opens one port and says HELLO with the tab", () => {
  const { platform } = setup();
  expect(platform.ports).toHaveLength(1);
  expect(platform.port.posted).toEqual([{ type: MSG.HELLO, tabId: 7 }]);
});

test("validates every message; ignores malformed ones and another tab's snapshot", () => {
  const { platform, received, statuses } = setup();
  platform.port.emit({ type: MSG.SNAPSHOT, tabId: 7 }); // malformed
  platform.port.emit("hello");
  platform.port.emit(null);
  platform.port.emit(wire(snapshot([], { tabId: 8 })));
  expect(received).toEqual([]);
  platform.port.emit(wire(snapshot([makeEntry(passing("a"))])));
  platform.port.emit(wire({ type: MSG.EXCHANGE_ADDED, entry: { exchange: {}, diagnosis: {} } }));
  expect(received).toHaveLength(1);
  expect(received[0]![0]!.type).toBe(MSG.SNAPSHOT);
  expect(statuses).toContain("connected");
});

test("live messages are batched; a snapshot is delivered at once", () => {
  const { platform, received, clock: c } = setup(16);
  platform.port.emit(wire(snapshot([])));
  expect(received).toHaveLength(1);
  for (let i = 0; i < 5; i++) platform.port.emit(wire({ type: MSG.EXCHANGE_ADDED, entry: makeEntry(passing(`e${i}`)) }));
  expect(received).toHaveLength(1);
  c.advance(16);
  expect(received).toHaveLength(2);
  expect(received[1]).toHaveLength(5);
});

test("reconnects with backoff after a disconnect and says HELLO again", () => {
  const { platform, statuses, clock: c, received } = setup();
  platform.port.emit(wire(snapshot([])));
  platform.port.drop();
  expect(statuses[statuses.length - 1]).toBe("reconnecting");
  expect(platform.ports).toHaveLength(1);
  c.advance(BACKOFF.first - 1);
  expect(platform.ports).toHaveLength(1);
  c.advance(1);
  expect(platform.ports).toHaveLength(2);
  expect(platform.port.posted).toEqual([{ type: MSG.HELLO, tabId: 7 }]);
  // Messages from the old port are ignored.
  platform.ports[0]!.emit(wire(snapshot([makeEntry(passing("old"))])));
  expect(received).toHaveLength(1);
  platform.port.emit(wire(snapshot([makeEntry(passing("new"))])));
  expect(received).toHaveLength(2);
  expect(statuses[statuses.length - 1]).toBe("connected");
});

test("backoff doubles while connect() throws, up to the maximum, and resets after a snapshot", () => {
  const { platform, clock: c } = setup();
  platform.failConnects = 20;
  platform.port.drop();
  let waited = 0;
  const delays: number[] = [];
  for (let i = 0; i < 8; i++) {
    const before = 20 - platform.failConnects;
    let step = 0;
    while (20 - platform.failConnects === before) { c.advance(1); step++; waited++; }
    delays.push(step);
  }
  expect(delays).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000]);
  expect(waited).toBeGreaterThan(0);
  platform.failConnects = 0;
  c.advance(5000);
  expect(platform.ports).toHaveLength(2);
  platform.port.emit(wire(snapshot([])));
  platform.port.drop();
  c.advance(BACKOFF.first);
  expect(platform.ports).toHaveLength(3);
});

test("messages sent while disconnected are sent after the next HELLO", () => {
  const { platform, conn, clock: c } = setup();
  platform.port.drop();
  conn.send({ type: MSG.SET_PRESERVE, on: true });
  c.advance(BACKOFF.first);
  expect(platform.port.posted).toEqual([{ type: MSG.HELLO, tabId: 7 }, { type: MSG.SET_PRESERVE, on: true }]);
});

test("close() disconnects and stops reconnecting", () => {
  const { platform, conn, clock: c } = setup();
  const port = platform.port;
  conn.close();
  expect(port.disconnected).toBe(true);
  c.advance(60_000);
  expect(platform.ports).toHaveLength(1);
});

test("a connected panel pings the worker under Chrome's 30 s idle limit, and stops when closed", () => {
  const { platform, clock: c, conn } = setup();
  expect(HEARTBEAT_MS).toBeLessThan(30_000);
  for (let i = 0; i < 3; i++) c.advance(HEARTBEAT_MS);
  expect(platform.port.posted.filter((m) => (m as { type: string }).type === MSG.PING)).toHaveLength(3);
  conn.close();
  for (let i = 0; i < 3; i++) c.advance(HEARTBEAT_MS);
  expect(platform.port.posted.filter((m) => (m as { type: string }).type === MSG.PING)).toHaveLength(3);
});

test("an entry's end time is kept when it is a number, dropped (not the entry) when it is not", () => {
  const { platform, received } = setup();
  const ok = makeEntry(passing("a"), { start: 100, end: 250 });
  const bad = { ...makeEntry(passing("b"), { start: 100 }), end: "soon" };
  platform.port.emit(wire(snapshot([ok, bad as unknown as typeof ok])));
  const entries = (received[0]![0] as { entries: Array<{ end?: number }> }).entries;
  expect(entries.map((e) => e.end)).toEqual([250, undefined]);
});
