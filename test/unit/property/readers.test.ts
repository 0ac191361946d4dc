// Properties of the untrusted-input readers (exchange JSON and HAR): total, deterministic, one clear
// line on failure, and canonical on success (their output reads back as itself).
import { deepStrictEqual } from "node:assert";
import fc from "fast-check";
import { readExchange, readExchanges, type ReadResult } from "../../../src/core/exchange";
import { isHar, readHar } from "../../../src/core/har";
import type { Exchange } from "../../../src/core/types";
import { anyJson, rawExchangeArb, rawHarArb, roundTrip, RUNS, SEED } from "./arbitraries";

const anything = fc.anything({
  maxDepth: 3, withBigInt: true, withBoxedValues: true, withDate: true, withMap: true, withSet: true,
  withNullPrototype: true, withObjectString: true, withSparseArray: true, withTypedArray: true,
});

/**
 * Deep equality by node's rules (prototypes compared, not a `constructor` property: a header may be
 * named "constructor", which confuses jest's toStrictEqual).
 */
const same = (a: unknown, b: unknown) => deepStrictEqual(a, b);

/** A failure is one short line that says where the problem is. */
function expectClearError(r: ReadResult<unknown>): void {
  if (r.ok) return;
  expect(typeof r.error).toBe("string");
  expect(r.error.length).toBeGreaterThan(10);
  expect(r.error.length).toBeLessThan(400);
  // eslint-disable-next-line no-control-regex
  expect(r.error).not.toMatch(/[\u0000-\u001f\u007f\u2028\u2029]/);
}

/** Canonical shape (docs/exchange.md): lower-case trimmed names, string values, bounded, valid URLs. */
function expectCanonical(x: Exchange): void {
  expect(typeof x.id).toBe("string");
  expect(["include", "same-origin", "omit", "unknown"]).toContain(x.request.credentials);
  expect(["cors", "no-cors", "same-origin"]).toContain(x.request.mode);
  expect(x.hops.length).toBeGreaterThanOrEqual(1);
  expect(x.hops.length).toBeLessThanOrEqual(21);
  const headerMaps = [x.request.headers, x.request.sentHeaders ?? {},
    ...x.hops.flatMap((h) => [h.preflight?.headers ?? {}, h.response?.headers ?? {}])];
  for (const h of headerMaps) {
    for (const [name, v] of Object.entries(h)) {
      expect(name).toBe(name.trim().toLowerCase());
      for (const s of Array.isArray(v) ? v : [v]) expect(typeof s).toBe("string");
    }
  }
  for (const u of [x.request.url, ...x.hops.map((h) => h.url)]) expect(() => new URL(u)).not.toThrow();
}

describe("readExchange / readExchanges", () => {
  it("never throw, whatever the value (JSON or not)", () => {
    fc.assert(fc.property(fc.oneof(anything, anyJson, rawExchangeArb()), (v) => {
      const a = readExchange(v);
      const b = readExchanges(v);
      expectClearError(a);
      expectClearError(b);
    }), { seed: SEED, numRuns: RUNS(400) });
  });

  it("accept or refuse each exchange with a clear message; big and odd headers included", () => {
    fc.assert(fc.property(rawExchangeArb({ big: true }), (raw) => {
      const r = readExchange(raw);
      expectClearError(r);
      if (r.ok) expectCanonical(r.value);
    }), { seed: SEED, numRuns: RUNS(300) });
  });

  it("are deterministic, also after a JSON round trip of the input", () => {
    fc.assert(fc.property(rawExchangeArb({ big: true }), (raw) => {
      const a = readExchange(raw);
      same(readExchange(raw), a);
      same(readExchange(roundTrip(raw)), a);
      same(readExchanges([raw, raw]), readExchanges(roundTrip([raw, raw])));
    }), { seed: SEED, numRuns: RUNS(200) });
  });

  it("are idempotent: an accepted exchange reads back as itself (also after a JSON round trip)", () => {
    fc.assert(fc.property(rawExchangeArb(), (raw) => {
      const r = readExchange(raw);
      if (!r.ok) return;
      const again = readExchange(roundTrip(r.value));
      same(again, r);
    }), { seed: SEED, numRuns: RUNS(300) });
  });

  it("read a list as its items, and name the failing item", () => {
    fc.assert(fc.property(fc.array(rawExchangeArb(), { maxLength: 4 }), (list) => {
      const all = readExchanges(list);
      const each = list.map((x, i) => readExchange(x, String(i)));
      const firstBad = each.findIndex((r) => !r.ok);
      if (firstBad === -1) {
        same(all, { ok: true, value: each.map((r) => (r as { value: Exchange }).value) });
      } else {
        expect(all.ok).toBe(false);
        expect((all as { error: string }).error.startsWith(`[${firstBad}] `)).toBe(true);
      }
    }), { seed: SEED, numRuns: RUNS(150) });
  });
});

describe("readHar / isHar", () => {
  it("never throw, whatever the value", () => {
    fc.assert(fc.property(fc.oneof(anything, anyJson, rawHarArb, anyJson.map((entries) => ({ log: { entries } }))), (v) => {
      expect(typeof isHar(v)).toBe("boolean");
      expectClearError(readHar(v));
    }), { seed: SEED, numRuns: RUNS(400) });
  });

  it("are deterministic, also after a JSON round trip; every exchange is canonical and reads back as itself", () => {
    fc.assert(fc.property(rawHarArb, (har) => {
      expect(isHar(har)).toBe(true);
      const r = readHar(har);
      expectClearError(r);
      same(readHar(har), r);
      same(readHar(roundTrip(har)), r);
      if (!r.ok) return;
      for (const x of r.value) {
        expectCanonical(x);
        same(readExchange(roundTrip(x)), { ok: true, value: x });
      }
    }), { seed: SEED, numRuns: RUNS(300) });
  });

  it("a document that is not a HAR is refused with the reason, never read as one", () => {
    fc.assert(fc.property(anyJson, (v) => {
      if (isHar(v)) return;
      const r = readHar(v);
      expect(r.ok).toBe(false);
      expect((r as { error: string }).error).toMatch(/not a HAR file/);
    }), { seed: SEED, numRuns: RUNS(200) });
  });
});
