import { HOOK_LIMITS, RateLimiter, validateHookCall, type HookCall } from "../../../src/content/hook-protocol";
import { createRelay, toAnnotation } from "../../../src/content/relay-core";
import { MSG, readAnnotateMessage } from "../../../src/shared/protocol";

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

describe("the relay", () => {
  test("forwards a valid call as an ANNOTATE message the background accepts", () => {
    const sent: unknown[] = [];
    const relay = createRelay((m) => sent.push(m));
    expect(relay(JSON.stringify(call({ outcome: "resolved", status: 200 })))).toBe(true);
    expect(sent).toEqual([{ type: MSG.ANNOTATE, annotation: expect.objectContaining({ outcome: "resolved 200" }) }]);
    expect(readAnnotateMessage(sent[0])).not.toBeNull();
  });
  test("XHR errors and fetch TypeErrors read the same to the background", () => {
    expect(toAnnotation(call({ api: "xhr", outcome: "error" })).outcome).toBe("rejected TypeError");
    expect(toAnnotation(call()).outcome).toBe("rejected TypeError");
  });
  test("drops forged junk and floods beyond the rate limit", () => {
    let t = 0;
    const sent: unknown[] = [];
    const relay = createRelay((m) => sent.push(m), new RateLimiter(10, 20, () => t));
    for (let i = 0; i < 1000; i++) relay(i % 2 ? "garbage" : JSON.stringify(call()));
    expect(sent).toHaveLength(20);
    t += 1000; // one second refills 10
    for (let i = 0; i < 100; i++) relay(JSON.stringify(call()));
    expect(sent).toHaveLength(30);
  });
});
