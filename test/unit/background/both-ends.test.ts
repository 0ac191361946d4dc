// Both ends of PANEL_CHANNEL in one test, as in the browser: the real engine over the fake browser,
// and the real panel connection and devtools-page hold over the same fake's panel platform.
import { Engine } from "../../../src/background/engine";
import { openConnection } from "../../../src/panel/connection";
import { initialState, reduce, type ConnectionStatus } from "../../../src/panel/state";
import { HEARTBEAT_MS } from "../../../src/shared/bridge";
import { holdTab } from "../../../src/shared/hold";
import { MSG, SNAPSHOT_FIRST, type BackgroundMessage } from "../../../src/shared/protocol";
import { manualClock } from "../panel/helpers/clock";
import { API, setup } from "./helpers";

const noAcac = { "Access-Control-Allow-Origin": "http://localhost:3000" };
const flush = async () => { for (let i = 0; i < 20; i++) await Promise.resolve(); };

test("a panel gets its snapshot and live exchanges from the engine, and again from the next worker life", async () => {
  const { w, engine, tab } = await setup({ writeDelayMs: 0 });
  tab.request("GET", `${API}/before`, { browserHeaders: { Cookie: "s=1" } }).start().send().blocked(200, noAcac);
  await engine.idle();
  const received: BackgroundMessage[] = [];
  const statuses: ConnectionStatus[] = [];
  // The panel page has its own timers: it outlives worker lives.
  const panelClock = manualClock();
  const conn = openConnection({ platform: w.panelPlatform(), tabId: 1, batchMs: 0, schedule: panelClock.schedule,
    onMessages: (m) => received.push(...m), onStatus: (s) => statuses.push(s) });
  await engine.idle();
  await flush();
  expect(received.map((m) => m.type)).toEqual([MSG.SNAPSHOT]);
  const snap = received[0] as Extract<BackgroundMessage, { type: "SNAPSHOT" }>;
  expect(snap.entries.map((e) => e.exchange.request.url)).toEqual([`${API}/before`]);
  expect(snap.captureLevel).toBe("full");
  expect(statuses.at(-1)).toBe("connected");

  tab.request("GET", `${API}/live`, { browserHeaders: { Cookie: "s=1" } }).start().send().blocked(200, noAcac);
  await engine.idle();
  expect(received.map((m) => m.type)).toEqual([MSG.SNAPSHOT, MSG.EXCHANGE_ADDED]);

  // A command goes up through the same channel.
  conn.send({ type: MSG.CLEAR });
  await engine.idle();
  expect(received.at(-1)).toEqual({ type: MSG.CLEARED });

  // The worker stops: its ports drop, and the panel reconnects to the next life, which sends its own snapshot.
  w.kill();
  expect(statuses.at(-1)).toBe("reconnecting");
  const next = new Engine(w.platform(), { writeDelayMs: 0 });
  await next.start();
  received.length = 0;
  panelClock.advance(100);
  await next.idle();
  await flush();
  expect(received.map((m) => m.type)).toEqual([MSG.SNAPSHOT]);
  expect(statuses.at(-1)).toBe("connected");
  expect(w.ports.at(-1)!.posted[0]).toEqual({ type: MSG.HELLO, tabId: 1 });
  conn.close();
});

test("the devtools page's hold: full capture while it is open, pings keep the worker busy, none after close", async () => {
  const { w, engine } = await setup({ writeDelayMs: 0 }, "https://shop.example.com/");
  expect(engine.captureLevel(1)).toBe("count");
  const clock = manualClock();
  const hold = holdTab(w.panelPlatform(), 1, clock.schedule);
  await engine.idle();
  await flush();
  expect(engine.captureLevel(1)).toBe("full");
  const port = w.ports.at(-1)!;
  expect(port.posted[0]).toEqual({ type: MSG.HELLO, tabId: 1, hold: true });
  expect(port.received).toEqual([]); // a holding port is sent nothing
  clock.advance(HEARTBEAT_MS);
  expect(port.posted.filter((m) => (m as { type: string }).type === MSG.PING)).toHaveLength(1);
  hold.close();
  await engine.idle();
  w.advance(60_000); // the panel grace
  await engine.idle();
  expect(engine.captureLevel(1)).toBe("count");
});

test("a large snapshot arrives in pages: the first at once, each next one when the panel has painted the last, then live messages", async () => {
  const { w, engine, tab } = await setup({ writeDelayMs: 0 });
  const n = SNAPSHOT_FIRST + 1234;
  for (let i = 0; i < n; i++) tab.request("GET", `${API}/n${i}`, { browserHeaders: { Cookie: "s=1" } }).start().send().blocked(200, noAcac);
  await engine.idle();
  const batches: BackgroundMessage[][] = [];
  const painted: Array<() => void> = [];
  const panelClock = manualClock();
  const conn = openConnection({ platform: w.panelPlatform(), tabId: 1, batchMs: 16, schedule: panelClock.schedule,
    afterPaint: (fn) => painted.push(fn), onMessages: (m) => batches.push([...m]), onStatus: () => {} });
  await engine.idle();
  await flush();
  const types = () => batches.map((b) => b.map((m) => m.type));
  expect(types()).toEqual([[MSG.SNAPSHOT]]);
  const first = batches[0]![0] as Extract<BackgroundMessage, { type: "SNAPSHOT" }>;
  expect(first.entries).toHaveLength(SNAPSHOT_FIRST);
  expect(first.more).toBe(1234);
  // A live exchange now waits behind the pages not yet asked for.
  tab.request("GET", `${API}/live`, { browserHeaders: { Cookie: "s=1" } }).start().send().blocked(200, noAcac);
  await engine.idle();
  await flush();
  expect(types()).toEqual([[MSG.SNAPSHOT]]);
  // Painted: the panel asks for the next page, and so on.
  const paint = async () => { painted.shift()!(); await engine.idle(); await flush(); };
  await paint();
  expect(types()).toEqual([[MSG.SNAPSHOT], [MSG.SNAPSHOT_MORE]]);
  await paint();
  expect(painted).toHaveLength(0); // the last page asks for nothing
  panelClock.advance(16); // live messages go in batches
  await flush();
  const all = batches.flat();
  expect(all.map((m) => m.type)).toEqual([MSG.SNAPSHOT, MSG.SNAPSHOT_MORE, MSG.SNAPSHOT_MORE, MSG.EXCHANGE_ADDED]);
  expect(all.slice(1, 3).map((m) => [(m as { entries: unknown[] }).entries.length, (m as { more: number }).more])).toEqual([[1000, 234], [234, 0]]);
  const state = reduce(initialState(1), { type: "messages", messages: all });
  expect(state.more).toBe(0);
  expect(state.entries.map((e) => e.exchange.request.url)).toEqual([...Array.from({ length: n }, (_, i) => `${API}/n${i}`), `${API}/live`]);
  conn.close();
});

test("a new worker life sends the first page after reading only its chunks, the rest while the panel paints; what is recorded meanwhile comes once, live", async () => {
  const { w, engine, tab } = await setup({ writeDelayMs: 0, chunkSize: 25 });
  const n = 250;
  for (let i = 0; i < n; i++) tab.request("GET", `${API}/n${i}`, { browserHeaders: { Cookie: "s=1" } }).start().send().blocked(200, noAcac);
  await engine.idle();
  // The worker stops; a panel opens on the next life, whose read of the other chunks is slow.
  const engine2 = new Engine(w.platform(), { writeDelayMs: 0, chunkSize: 25 });
  await engine2.start();
  w.session.gets.length = 0;
  let release = () => {};
  const slowRead = new Promise<void>((r) => { release = r; });
  w.session.slow = (keys) => (keys.some((k) => k.startsWith("cl:c:")) && keys.length > 4 ? slowRead : undefined);
  const batches: BackgroundMessage[][] = [];
  const painted: Array<() => void> = [];
  const panelClock = manualClock();
  const conn = openConnection({ platform: w.panelPlatform(), tabId: 1, batchMs: 16, schedule: panelClock.schedule,
    afterPaint: (fn) => painted.push(fn), onMessages: (m) => batches.push([...m]), onStatus: () => {} });
  await flush();
  await flush();
  const first = batches.flat()[0] as Extract<BackgroundMessage, { type: "SNAPSHOT" }>;
  expect(first.type).toBe(MSG.SNAPSHOT);
  expect(first.entries.map((e) => e.exchange.request.url)).toEqual(Array.from({ length: SNAPSHOT_FIRST }, (_, i) => `${API}/n${i}`));
  expect(first.more).toBe(n - SNAPSHOT_FIRST);
  // Before the first page: the four chunks it is in, no other.
  const chunkReads = w.session.gets.filter((g) => g.some((k) => k.startsWith("cl:c:")));
  expect(chunkReads[0]).toEqual(["cl:c:1:0", "cl:c:1:1", "cl:c:1:2", "cl:c:1:3"]);
  // While the rest is read, an exchange completes: it is not in a page, it comes live after them.
  tab.request("GET", `${API}/live`, { browserHeaders: { Cookie: "s=1" } }).start().send().blocked(200, noAcac);
  await flush();
  painted.shift()!(); // the panel painted the first page and asks for the next: it waits for the read
  await flush();
  expect(batches.flat().map((m) => m.type)).toEqual([MSG.SNAPSHOT]);
  release();
  await engine2.idle();
  await flush();
  panelClock.advance(16);
  await flush();
  expect(painted).toHaveLength(0);
  const all = batches.flat();
  expect(all.map((m) => m.type)).toEqual([MSG.SNAPSHOT, MSG.SNAPSHOT_MORE, MSG.EXCHANGE_ADDED]);
  expect((all[1] as { more: number }).more).toBe(0);
  // Every exchange sent once: in a page or live, never both.
  const sent = all.flatMap((m) => ("entries" in m ? m.entries : "entry" in m ? [m.entry] : []).map((e) => e.exchange.request.url));
  expect(sent).toHaveLength(n + 1);
  expect(new Set(sent).size).toBe(n + 1);
  const state = reduce(initialState(1), { type: "messages", messages: all });
  expect(state.more).toBe(0);
  expect(state.entries.map((e) => e.exchange.request.url)).toEqual([...Array.from({ length: n }, (_, i) => `${API}/n${i}`), `${API}/live`]);
  conn.close();
});
