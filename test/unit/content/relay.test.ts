import { HOOK_LIMITS, PageReportLimiter, validateHookCall, type HookCall } from "../../../src/content/hook-protocol";
import { RELAY_LIMITS, Relay, toAnnotation } from "../../../src/content/relay-core";
import { ANNOTATE_BATCH_MAX, MSG, readAnnotation, readRelayMessage } from "../../../src/shared/protocol";

function call(over: Partial<HookCall> = {}): HookCall {
  return { api: "fetch", url: "https://api.example/x", method: "PUT", credentials: "include", mode: "cors",
    outcome: "rejected-typeerror", initiator: "https://app.example/app.js:10:5", time: 1_700_000_000_000, ...over };
}

describe("validateHookCall: page messages are untrusted", () => {
  test("a well-formed call passes", () => {
    expect(validateHookCall(JSON.stringify(call()))).toEqual(call());
  });
  test.each([
    ["an object instead of a string", call()],
    ["not JSON", "{"],
    ["an array", "[]"],
    ["oversized", JSON.stringify(call({ initiator: "x".repeat(HOOK_LIMITS.detailBytes) }))],
    ["a javascript: URL", JSON.stringify(call({ url: "javascript:alert(1)" }))],
    ["a method that is not a token", JSON.stringify(call({ method: "PUT X" }))],
    ["an unknown credentials mode", JSON.stringify(call({ credentials: "all" }))],
    ["an unknown outcome", JSON.stringify(call({ outcome: "blocked" as never }))],
    ["a pending call", JSON.stringify(call({ outcome: "pending" }))],
    ["a status out of range", JSON.stringify(call({ status: 1e6 }))],
    ["a non-numeric time", JSON.stringify({ ...call(), time: "now" })],
  ])("rejects %s", (_why, detail) => {
    expect(validateHookCall(detail)).toBeNull();
  });
});

/** A relay over a manual clock: `sent` is what reached runtime.sendMessage, `tick()` runs the batch timer. */
function relayOf(limiter?: PageReportLimiter) {
  const sent: Array<{ type: string; annotations: unknown[] }> = [];
  const levels: string[] = [];
  let timers: Array<() => void> = [];
  const relay = new Relay({
    send: (m) => sent.push(JSON.parse(JSON.stringify(m))),
    setTimer: (_ms, fn) => { timers.push(fn); },
    limiter,
    onLevel: (level) => { levels.push(level); },
  });
  const tick = () => { const due = timers; timers = []; for (const fn of due) fn(); };
  const reports = () => sent.flatMap((m) => m.annotations) as Array<{ outcome: string; url: string }>;
  return { relay, sent, tick, reports, levels, timers: () => timers.length };
}
const ok = (over: Partial<HookCall> = {}) => JSON.stringify(call({ outcome: "resolved", status: 200, ...over }));
const failed = (over: Partial<HookCall> = {}) => JSON.stringify(call(over));
const state = (full: boolean, stamp: number) => ({ type: MSG.CAPTURE_STATE, full, stamp });

describe("the relay", () => {
  test("forwards calls as ANNOTATE batches the background accepts; a failure goes at once", () => {
    const { relay, sent, tick } = relayOf();
    relay.control(state(true, 1));
    expect(relay.report(ok())).toBe(true);
    expect(relay.report(ok({ url: "https://api.example/2" }))).toBe(true);
    expect(sent).toEqual([]); // batched: one message per timer turn
    tick();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.annotations).toHaveLength(2);
    sent.length = 0;
    expect(relay.report(ok())).toBe(true);
    expect(relay.report(failed())).toBe(true);
    expect(sent).toHaveLength(1); // the failure took the batch with it, no timer turn needed
    tick();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.type).toBe(MSG.ANNOTATE);
    const items = (readRelayMessage(sent[0]) as { annotations: unknown[] }).annotations;
    expect(items.map((a) => readAnnotation(a)?.outcome)).toEqual(["resolved 200", "rejected TypeError"]);
  });

  test("a full batch goes at once, and no batch is longer than the background takes", () => {
    const { relay, sent, tick } = relayOf();
    relay.control(state(true, 1));
    for (let i = 0; i < ANNOTATE_BATCH_MAX * 2 + 3; i++) relay.report(ok({ url: `https://api.example/${i}` }));
    expect(sent.map((m) => m.annotations.length)).toEqual([ANNOTATE_BATCH_MAX, ANNOTATE_BATCH_MAX]);
    tick();
    expect(sent.map((m) => m.annotations.length)).toEqual([ANNOTATE_BATCH_MAX, ANNOTATE_BATCH_MAX, 3]);
    for (const m of sent) expect(readRelayMessage(m)).toEqual({ type: MSG.ANNOTATE, annotations: m.annotations });
  });

  test("XHR errors and fetch TypeErrors read the same to the background", () => {
    expect(toAnnotation(call({ api: "xhr", outcome: "error" })).outcome).toBe("rejected TypeError");
    expect(toAnnotation(call()).outcome).toBe("rejected TypeError");
  });

  test("drops forged junk and floods beyond the rate limit", () => {
    let t = 0;
    const { relay, reports, tick } = relayOf(new PageReportLimiter(10, 20, () => t));
    relay.control(state(true, 1));
    for (let i = 0; i < 1000; i++) relay.report(i % 2 ? "garbage" : failed());
    tick();
    expect(reports()).toHaveLength(20);
    t += 1000; // one second refills 10
    for (let i = 0; i < 100; i++) relay.report(failed());
    tick();
    expect(reports()).toHaveLength(30);
  });
});

describe("the relay's gating by capture level", () => {
  test("not captured: only CORS-mode calls the page saw fail with a network error go out", () => {
    const { relay, reports, tick } = relayOf();
    expect(relay.control(state(false, 1))).toBe(true);
    expect(relay.mode).toBe("count");
    for (let i = 0; i < 100; i++) expect(relay.report(ok())).toBe(false);
    expect(relay.report(failed())).toBe(true);
    expect(relay.report(failed({ api: "xhr", outcome: "error" }))).toBe(true);
    expect(relay.report(failed({ outcome: "rejected" }))).toBe(false); // an AbortError: not a block
    expect(relay.report(failed({ mode: "no-cors" }))).toBe(false); // no CORS check to fail
    tick();
    expect(reports().map((a) => a.outcome)).toEqual(["rejected TypeError", "rejected TypeError"]);
  });

  test("captured: everything goes out", () => {
    const { relay, reports, tick } = relayOf();
    relay.control(state(true, 1));
    for (let i = 0; i < 10; i++) relay.report(ok());
    relay.report(failed());
    tick();
    expect(reports()).toHaveLength(11);
  });

  test("before the answer: failures go out, the rest is held and sent if the tab is captured", () => {
    const { relay, reports, tick } = relayOf();
    expect(relay.mode).toBe("unknown");
    relay.report(ok({ url: "https://api.example/early" }));
    relay.report(failed());
    tick();
    expect(reports().map((a) => a.outcome)).toEqual(["rejected TypeError"]);
    relay.control(state(true, 5));
    tick();
    expect(reports().map((a) => a.url)).toEqual(["https://api.example/x", "https://api.example/early"]);
  });

  test("before the answer: held reports are dropped if the tab is not captured", () => {
    const { relay, reports, tick } = relayOf();
    relay.report(ok());
    relay.control(state(false, 5));
    tick();
    expect(reports()).toEqual([]);
  });

  test("the held reports are bounded", () => {
    const { relay, reports, tick } = relayOf(new PageReportLimiter(1e6, 1e6));
    let held = 0;
    for (let i = 0; i < 10_000; i++) if (relay.report(ok({ url: `https://api.example/${i}` }))) held++;
    expect(held).toBe(RELAY_LIMITS.holdLimit);
    relay.control(state(true, 1));
    tick();
    expect(reports()).toHaveLength(RELAY_LIMITS.holdLimit);
    expect(reports()[0]!.url).toBe("https://api.example/0");
  });

  test("no usable answer: failures only, nothing held", () => {
    const { relay, reports, tick } = relayOf();
    relay.report(ok());
    expect(relay.control(undefined)).toBe(false);
    relay.unanswered();
    expect(relay.mode).toBe("count");
    relay.report(ok());
    relay.report(failed());
    tick();
    expect(reports()).toHaveLength(1);
  });

  test("pushes change the level both ways; an older stamp (a late answer) changes nothing", () => {
    const { relay, reports, tick } = relayOf();
    relay.control(state(true, 10)); // pushed: a panel opened
    expect(relay.control(state(false, 9))).toBe(false); // the document's query, answered before the push
    expect(relay.mode).toBe("full");
    relay.report(ok());
    relay.control(state(false, 11)); // the panel closed
    relay.report(ok());
    relay.unanswered(); // no effect once a state is known
    expect(relay.mode).toBe("count");
    tick();
    expect(reports()).toHaveLength(1);
  });

  test("the page hook is told each level the relay learns (it then keeps back what the level drops)", () => {
    const { relay, levels } = relayOf();
    relay.control(state(false, 1));
    relay.control(state(true, 2));
    relay.control(state(true, 1)); // older: not applied, not told
    relay.control(state(false, 3));
    expect(levels).toEqual(["count", "full", "count"]);
    const other = relayOf();
    other.relay.unanswered();
    other.relay.unanswered();
    expect(other.levels).toEqual(["count"]);
  });

  test.each([
    ["not an object", "full"],
    ["another type", { type: MSG.ANNOTATE, full: true, stamp: 1 }],
    ["full not a boolean", { type: MSG.CAPTURE_STATE, full: "yes", stamp: 1 }],
    ["no stamp", { type: MSG.CAPTURE_STATE, full: true }],
    ["a non-finite stamp", { type: MSG.CAPTURE_STATE, full: true, stamp: Infinity }],
    ["a string stamp", { type: MSG.CAPTURE_STATE, full: true, stamp: "9" }],
  ])("ignores a malformed control message: %s", (_why, m) => {
    const { relay } = relayOf();
    expect(relay.control(m)).toBe(false);
    expect(relay.mode).toBe("unknown");
  });

  test("a page cannot switch it on: a control message dispatched as a hook event is just an invalid report", () => {
    const { relay, reports, tick } = relayOf();
    relay.control(state(false, 1));
    expect(relay.report(JSON.stringify(state(true, 2)))).toBe(false);
    expect(relay.report(state(true, 2))).toBe(false);
    expect(relay.mode).toBe("count");
    relay.report(ok());
    tick();
    expect(reports()).toEqual([]);
  });
});
