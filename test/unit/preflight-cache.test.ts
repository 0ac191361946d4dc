// The preflight cache finding (src/core/preflight-cache.ts) and where it travels: the classifier, the
// exchange reader, the HAR round trip and the CLI. The background's memory: test/unit/background/preflight-memory.test.ts.
import { run, type CliIO } from "../../src/cli/run";
import { diagnose } from "../../src/core/diagnose";
import { readExchange } from "../../src/core/exchange";
import { readHarEntries } from "../../src/core/har";
import { toHar } from "../../src/core/har-export";
import {
  effectiveMaxAge, formatSeconds, lifetimes, maxAgeCap, preflightCacheFinding, preflightCacheMessage,
} from "../../src/core/preflight-cache";
import type { Exchange, Hop } from "../../src/core/types";
import { API, APP, exchange, hop, response } from "../fixtures/exchange";

const ok = { "access-control-allow-origin": APP, "access-control-allow-credentials": "true" };

function put(h: Partial<Hop>): Exchange {
  return exchange({ id: "second", headers: {}, hops: [hop({ response: response(200, ok), ...h })], browserError: null });
}

describe("each engine's lifetime for Access-Control-Max-Age", () => {
  test("the caps: Chrome 2 h, Firefox 24 h, Safari 10 min", () => {
    expect([maxAgeCap("chrome"), maxAgeCap("firefox"), maxAgeCap("safari")]).toEqual([7200, 86400, 600]);
    expect(lifetimes("86400")).toEqual({ chrome: 7200, firefox: 86400, safari: 600 });
    expect(lifetimes("600")).toEqual({ chrome: 600, firefox: 600, safari: 600 });
  });
  test("absent: 5 s everywhere; a value an engine refuses", () => {
    expect(lifetimes(null)).toEqual({ chrome: 5, firefox: 5, safari: 5 });
    // Chromium invalidates, Firefox does not cache, WebKit falls back to its 5 s default.
    expect(lifetimes("ten")).toEqual({ chrome: 0, firefox: 0, safari: 5 });
    expect(lifetimes("-1")).toEqual({ chrome: 0, firefox: 0, safari: 0 });
    expect(effectiveMaxAge("chrome", " 30 ")).toBe(30);
  });
  test("formatSeconds", () => {
    expect([5, 60, 90, 600, 3600, 5400, 7200, 86400].map(formatSeconds)).toEqual(["5 s", "1 min", "1 min 30 s", "10 min", "1 h", "1 h 30 min", "2 h", "24 h"]);
  });
});

describe("preflightCacheFinding", () => {
  test("none when the preflight was sent, or none was needed", () => {
    expect(preflightCacheFinding(put({ preflight: { status: 204, headers: ok } }))).toBeNull();
    expect(preflightCacheFinding(put({}))).toBeNull();
  });
  test("the cached preflight seen: its Max-Age and each browser's lifetime", () => {
    const f = preflightCacheFinding(put({ preflightCached: true, preflightCachedBy: { exchange: "first", maxAge: "86400" } }));
    expect(f).toEqual({ hop: 0, from: "first", maxAge: "86400", lifetimes: { chrome: 7200, firefox: 86400, safari: 600 }, atMost: false });
    expect(preflightCacheMessage(f!)).toBe("Sent without a preflight: the browser reused a preflight it had cached (Access-Control-Max-Age: 86400). " +
      "Each browser keeps that answer: Chrome 2 h, Firefox 24 h, Safari 10 min. A change to the server's CORS headers shows only once it expires.");
  });
  test("a cached preflight without Max-Age", () => {
    const f = preflightCacheFinding(put({ preflightCached: true, preflightCachedBy: { exchange: "first", maxAge: null } }))!;
    expect(f.lifetimes).toEqual({ chrome: 5, firefox: 5, safari: 5 });
    expect(preflightCacheMessage(f)).toContain("(no Access-Control-Max-Age)");
  });
  test("not seen (a worker restart, a HAR from Chrome): at most each engine's cap", () => {
    const f = preflightCacheFinding(put({ preflightCached: true }))!;
    expect(f).toMatchObject({ from: null, maxAge: null, atMost: true, lifetimes: { chrome: 7200, firefox: 86400, safari: 600 } });
    expect(preflightCacheMessage(f)).toMatch(/from a preflight CORS Lens did not see\. Browsers keep a preflight at most: Chrome 2 h, Firefox 24 h, Safari 10 min\./);
  });
  test("a later hop names its hop; a hostile Max-Age stays one escaped value", () => {
    const ex = put({});
    ex.hops = [
      { url: API, preflight: { status: 204, headers: { ...ok, "access-control-allow-methods": "PUT" } }, response: { status: 307, headers: { ...ok, location: API + "/2" } } },
      { url: API + "/2", preflight: null, preflightCached: true, preflightCachedBy: { exchange: "e", maxAge: "1\n<b>\"" }, response: { status: 200, headers: ok } },
    ];
    const f = preflightCacheFinding(ex)!;
    expect(f.hop).toBe(1);
    const m = preflightCacheMessage(f);
    expect(m).toContain("at redirect hop 1");
    expect(m).toContain('Access-Control-Max-Age: 1\\n<b>\\"');
    expect(m).not.toContain("\n");
  });
});

describe("where the finding travels", () => {
  const cached = () => put({ preflightCached: true, preflightCachedBy: { exchange: "first", maxAge: "600" } });

  test("diagnose() carries it, and the verdict is unchanged", () => {
    const d = diagnose(cached());
    expect(d.blocked).toBe(false);
    expect(d.preflightCache).toEqual({ hop: 0, from: "first", maxAge: "600", lifetimes: { chrome: 600, firefox: 600, safari: 600 }, atMost: false });
    expect(diagnose(put({})).preflightCache).toBeUndefined();
  });

  test("the exchange reader keeps preflightCachedBy and refuses a bad one", () => {
    const r = readExchange(JSON.parse(JSON.stringify(cached())));
    expect(r.ok && r.value.hops[0]!.preflightCachedBy).toEqual({ exchange: "first", maxAge: "600" });
    for (const bad of [{ exchange: 1, maxAge: null }, { exchange: "a", maxAge: 600 }, "x", null]) {
      const x = JSON.parse(JSON.stringify(cached()));
      x.hops[0].preflightCachedBy = bad;
      const rr = readExchange(x);
      expect(rr.ok).toBe(false);
      if (!rr.ok) expect(rr.error).toMatch(/hops\[0\]\.preflightCachedBy must be/);
    }
  });

  test("a HAR export keeps it (_corsLensCachedBy on the _fromCache preflight) and reads it back", () => {
    const har = toHar([cached()]);
    const r = readHarEntries(JSON.parse(JSON.stringify(har)));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value[0]!.exchange.hops[0]).toMatchObject({ preflightCached: true, preflightCachedBy: { exchange: "first", maxAge: "600" } });
  });

  test("the CLI prints it, and --json carries it", async () => {
    let out = "";
    const io: CliIO = { stdout: { write: (s: string) => (out += s), isTTY: false }, stderr: { write: () => true }, env: {},
      readFile: async () => JSON.stringify(cached()) };
    expect(await run(["explain", "c.json"], io)).toBe(0);
    expect(out).toMatch(/^ {2}cache {5}Sent without a preflight: the browser reused a preflight it had cached \(Access-Control-Max-Age: 600\)\. Each browser keeps that answer: Chrome 10 min, Firefox 10 min, Safari 10 min\./m);
    out = "";
    await run(["explain", "--json", "c.json"], io);
    expect(JSON.parse(out)[0].preflightCache).toMatchObject({ maxAge: "600", from: "first" });
  });
});
