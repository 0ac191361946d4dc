// Properties of diagnose() over random and adversarial exchanges (read through readExchange, as the CLI
// and the panel do): total, deterministic, internally consistent, and monotonic in what it demands.
import { deepStrictEqual } from "node:assert";
import fc from "fast-check";
import { ALL_CODES, codeInfo } from "../../../src/core/codes";
import { diagnose, isCorsBlockError } from "../../../src/core/diagnose";
import { readExchange } from "../../../src/core/exchange";
import { readHar } from "../../../src/core/har";
import type { Diagnosis, Exchange } from "../../../src/core/types";
import { rawExchangeArb, rawHarArb, roundTrip, RUNS, SEED } from "./arbitraries";

const same = (a: unknown, b: unknown) => deepStrictEqual(a, b);

/** Exchanges the reader accepts (most generated ones), big header lists included. */
const exchangeArb = (big = false): fc.Arbitrary<Exchange> =>
  rawExchangeArb({ big, valid: true }).map((raw) => readExchange(raw)).filter((r) => r.ok).map((r) => (r as { value: Exchange }).value);

const harExchangesArb: fc.Arbitrary<Exchange[]> = rawHarArb.map((h) => readHar(h)).map((r) => (r.ok ? r.value : []));

const STAGES = ["request", "preflight", "redirect", "actual"];

/** The invariants every diagnosis keeps, whatever the exchange. */
function expectConsistent(ex: Exchange, d: Diagnosis): void {
  expect(d.id).toBe(ex.id);
  expect(typeof d.blocked).toBe("boolean");
  expect(typeof d.message).toBe("string");
  expect(d.message.length).toBeGreaterThan(0);
  // A named check ⇔ a stage and a hop; a named check always blocks.
  expect(d.stage === null).toBe(d.code === null);
  expect(d.hop === null).toBe(d.code === null);
  if (d.code !== null) {
    expect(d.blocked).toBe(true);
    expect(ALL_CODES).toContain(d.code);
    const info = codeInfo(d.code)!;
    expect(info).not.toBeNull();
    expect(d.firefox).toBe(info.firefox);
    expect(STAGES).toContain(d.stage);
    expect(Number.isInteger(d.hop)).toBe(true);
    expect(d.hop).toBeGreaterThanOrEqual(0);
    expect(d.hop!).toBeLessThan(ex.hops.length);
    // The header named is the catalog's, except a scheme refused in a redirect's Location.
    if (!(d.code === "CorsDisabledScheme" && d.stage === "redirect")) expect(d.header).toBe(info.header);
    if (d.stage === "preflight") expect(d.code.startsWith("Preflight") || /PreflightResponse$/.test(d.code)).toBe(true);
    expect(d.failedParameter).not.toBeNull();
  } else {
    expect(d.firefox).toBeNull();
    expect(d.header).toBeNull();
    expect(d.failedParameter).toBeNull();
    // Blocked without a named check only on the browser's word.
    if (d.blocked) expect(isCorsBlockError(ex.browserError)).toBe(true);
  }
  if (d.networkError) expect(d.blocked).toBe(false);
  // Credentials: stated modes are kept; "unknown" is inferred, and says so.
  expect(d.credentials.inferred).toBe(ex.request.credentials === "unknown");
  if (ex.request.credentials !== "unknown") expect(d.credentials.mode).toBe(ex.request.credentials);
  else expect(["include", "same-origin"]).toContain(d.credentials.mode);
  expect(typeof d.preflightNeeded).toBe("boolean");
  for (const w of d.warnings) {
    expect(typeof w.code).toBe("string");
    expect(typeof w.message).toBe("string");
  }
  // Messages quote recorded values on one line (the panel and CLI print them as text).
  expect(d.message).not.toMatch(/[\n\r]/);
}

describe("diagnose", () => {
  it("never throws and is internally consistent (random exchanges, 500 headers, 64 KB values)", () => {
    fc.assert(fc.property(exchangeArb(true), (ex) => {
      expectConsistent(ex, diagnose(ex));
    }), { seed: SEED, numRuns: RUNS(250) });
  });

  it("is consistent on every exchange read from random HAR files", () => {
    fc.assert(fc.property(harExchangesArb, (list) => {
      for (const ex of list) expectConsistent(ex, diagnose(ex));
    }), { seed: SEED, numRuns: RUNS(200) });
  });

  it("is deterministic, also after a JSON round trip of the exchange, and its output is plain JSON", () => {
    fc.assert(fc.property(exchangeArb(), (ex) => {
      const d = diagnose(ex);
      same(diagnose(ex), d);
      same(diagnose(roundTrip(ex)), d);
      same(roundTrip(d), JSON.parse(JSON.stringify(d)));
      // Diagnosing does not modify the exchange it was given.
      same(ex, roundTrip(ex));
    }), { seed: SEED, numRuns: RUNS(300) });
  });

  it("does not depend on the case of header names or the whitespace around values in the input", () => {
    const upper = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(upper);
      if (typeof v !== "object" || v === null) return v;
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === "headers" && x && typeof x === "object" && !Array.isArray(x)
        ? Object.fromEntries(Object.entries(x).map(([n, y]) => [n.toUpperCase(), Array.isArray(y) ? y.map((s) => ` ${s}\t`) : ` ${y}\t`]))
        : upper(x)]));
    };
    fc.assert(fc.property(exchangeArb(), (ex) => {
      const changed = readExchange(upper(roundTrip(ex)));
      if (!changed.ok) return; // a header name that upper-cases into a clash; nothing to compare
      const a = diagnose(ex);
      const b = diagnose(changed.value);
      expect([b.blocked, b.code, b.stage, b.hop]).toEqual([a.blocked, a.code, a.stage, a.hop]);
    }), { seed: SEED, numRuns: RUNS(200) });
  });

  it("credentials only ever add requirements: what passes with include passes with omit", () => {
    fc.assert(fc.property(exchangeArb(), (ex) => {
      const withMode = (credentials: "include" | "omit") => diagnose({ ...ex, request: { ...ex.request, credentials } });
      const inc = withMode("include");
      const omit = withMode("omit");
      if (inc.code === null) expect(omit.code).toBeNull();
      // An inferred mode is one of the two answers.
      if (ex.request.credentials === "unknown") {
        const d = diagnose(ex);
        same(d.code, (d.credentials.mode === "include" ? inc : omit).code);
      }
    }), { seed: SEED, numRuns: RUNS(300) });
  });

  it("response headers that CORS does not read change nothing", () => {
    const IRRELEVANT = ["x-powered-by", "server", "content-length", "etag", "x-zq"];
    fc.assert(fc.property(exchangeArb(), fc.subarray(IRRELEVANT, { minLength: 1 }), fc.string({ maxLength: 20 }), (ex, names, value) => {
      const extra = Object.fromEntries(names.map((n) => [n, value]));
      const more: Exchange = {
        ...ex,
        hops: ex.hops.map((h) => ({
          ...h,
          preflight: h.preflight && { ...h.preflight, headers: { ...h.preflight.headers, ...extra } },
          response: h.response && { ...h.response, headers: { ...h.response.headers, ...extra } },
        })),
      };
      same(diagnose(more), diagnose(ex));
    }), { seed: SEED, numRuns: RUNS(200) });
  });
});
