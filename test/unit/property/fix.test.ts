// Properties of every fix generator (15 stacks): total, deterministic, and every snippet stays valid in its
// own language with hostile origins, methods and header names, which decode back to exactly the policy's
// values and never leak outside a literal. Cheap in-process checkers run on many inputs; python3,
// `nginx -t` and javac run once over a modest batch.
import { deepStrictEqual } from "node:assert";
import fc from "fast-check";
import { ALL_CODES } from "../../../src/core/codes";
import { diagnose } from "../../../src/core/diagnose";
import { readExchange } from "../../../src/core/exchange";
import { generate, STACKS } from "../../../src/core/fix";
import { anchoredRegex } from "../../../src/core/fix/escape";
import { computePolicy, configView, PLACEHOLDER_ORIGIN, type Policy } from "../../../src/core/fix/policy";
import type { Diagnosis, Exchange, Fix, Stack } from "../../../src/core/types";
import { exchange, preflight, response } from "../../fixtures/exchange";
import {
  APACHE_LINE, balanced, CADDY_LINE, checkPython, hasJava, hasPython, NGINX, nginxTest, parseJs, parseTs, runSpring, scanLiterals, type Lang,
} from "../fix/helpers/checkers";
import { anyJson, MARK, rawExchangeArb, roundTrip, RUNS, SEED } from "./arbitraries";

const same = (a: unknown, b: unknown) => deepStrictEqual(a, b);
const MARK_RE = new RegExp(MARK, "i");
const ALL: Stack[] = STACKS.map((s) => s.id);
const LANGUAGE = Object.fromEntries(STACKS.map((s) => [s.id, s.language])) as Record<Stack, string>;

// ---- Inputs ---------------------------------------------------------------------------------------

const TOKEN_CHARS = [..."!#$%&'+-.^_`|~", ..."abcxyzABC019"];
/** Valid HTTP tokens (so the policy keeps them) full of characters that mean something in some language. */
const hostileToken = fc.array(fc.oneof(fc.constantFrom(...TOKEN_CHARS), fc.constant(MARK)), { minLength: 1, maxLength: 12 }).map((a) => a.join(""));
/** Printable ASCII but space and `*`: what the policy still accepts as an origin. */
const PRINTABLE = Array.from({ length: 0x7f - 0x21 }, (_, i) => String.fromCharCode(0x21 + i)).filter((c) => c !== "*");
const hostileOrigin = fc.oneof(
  { weight: 3, arbitrary: fc.array(fc.oneof(fc.constantFrom(...PRINTABLE), fc.constant(MARK)), { maxLength: 20 }).map((a) => `https://evil.example${a.join("")}`) },
  { weight: 1, arbitrary: fc.constantFrom("https://app.example", "http://[::1]:8080", "app+web://x.example", "null", "", "https://é.example", "https://a.example\nx-zq: 1", "https://zq.example/\u2028") },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 20 }).map((s) => `https://x.example${s}${MARK}`) },
);
const hostileHeaderName = fc.oneof(
  { weight: 3, arbitrary: hostileToken.map((t) => `x-${t}`) },
  { weight: 1, arbitrary: fc.constantFrom("x-\"zq", "x-\\zq", "x-{zq}", "x-</script>zq", "x-\nzq", "x zq", "", "*", "__proto__", "constructor", "authorization") },
);

/** An exchange built directly (not through the reader): what a page message or a stale record may hold. */
const hostileExchange: fc.Arbitrary<Exchange> = fc.record({
  origin: hostileOrigin,
  method: fc.oneof(hostileToken, fc.constantFrom("PUT", "patch", "GET", "PROPFIND", "GE T", "", "PU'zq$`T")),
  headers: fc.array(fc.tuple(hostileHeaderName, fc.constantFrom("v", "", "application/json")), { maxLength: 6 }),
  credentials: fc.constantFrom("include", "omit", "same-origin", "unknown") as fc.Arbitrary<Exchange["request"]["credentials"]>,
  expose: fc.constantFrom("", "x-request-id, etag", "x-$zq, x-`zq`", "*"),
  preflightStatus: fc.constantFrom(204, 401, 301),
}).map((o): Exchange => exchange({
  id: "p", method: o.method, origin: o.origin, credentials: o.credentials, headers: Object.fromEntries(o.headers),
  preflight: preflight({}, o.preflightStatus),
  response: response(200, o.expose ? { "access-control-expose-headers": o.expose } : {}),
  browserError: "net::ERR_FAILED",
}));

/** A diagnosis for it: the real one, or any catalog code (every branch of every renderer). */
const diagnosisFor = (x: Exchange): fc.Arbitrary<Diagnosis> =>
  fc.oneof(
    fc.constant(diagnose(x)),
    fc.record({
      code: fc.constantFrom(...ALL_CODES, "PreflightMissingAllowPrivateNetwork", "SomethingNew", null),
      mode: fc.constantFrom("include", "omit", "same-origin") as fc.Arbitrary<Diagnosis["credentials"]["mode"]>,
      hop: fc.constantFrom(0, 1, -1, null),
    }).map(({ code, mode, hop }) => ({ ...diagnose(x), code, blocked: code !== null, hop, stage: code ? "preflight" as const : null, credentials: { mode, inferred: false } })),
  );

const typedInput: fc.Arbitrary<{ x: Exchange; d: Diagnosis }> = fc.oneof(
  hostileExchange,
  rawExchangeArb({ valid: true }).map((r) => readExchange(r)).filter((r) => r.ok).map((r) => (r as { value: Exchange }).value),
).chain((x) => diagnosisFor(x).map((d) => ({ x, d })));

// ---- Checkers -------------------------------------------------------------------------------------

/** corsheaders.defaults.default_headers (django-cors-headers 4). */
const DJANGO_DEFAULT_HEADERS = ["accept", "authorization", "content-type", "user-agent", "x-csrftoken", "x-requested-with"];

/** Rails lower-cases methods for rack-cors. */
const expectedMethod = (stack: Stack, m: string) => (stack === "rails" ? m.toLowerCase() : m);

/** The decoded literals carry the policy's exact values (a list may be one ", "-joined literal). */
function expectKept(stack: Stack, strings: string[], p: Policy): void {
  const has = (v: string) => strings.some((s) => s === v || s.split(", ").includes(v));
  // django-cors-headers allows its default_headers already; the snippet spreads them in by name.
  const headers = stack === "django" ? p.headers.filter((h) => !DJANGO_DEFAULT_HEADERS.includes(h)) : p.headers;
  const missing = [p.origin, ...(p.method ? [expectedMethod(stack, p.method)] : []), ...headers].filter((v) => !has(v));
  if (missing.length) throw new Error(`${stack}: values not found as literals: ${JSON.stringify(missing)} in ${JSON.stringify(strings)}`);
}

const outsideQuotes = (code: string) => code.replace(/"[^"\n]*"/g, '""');


const SCANNED: Partial<Record<Stack, Lang>> = { go: "go", aspnet: "csharp", rails: "ruby", spring: "java" };

/** Every check that runs in this process, for one stack's fix. */
function checkInProcess(stack: Stack, f: Fix, p: Policy): void {
  const lang = LANGUAGE[stack];
  if (lang === "javascript" || lang === "typescript") {
    const scan = lang === "javascript" ? parseJs(f.code) : parseTs(f.code);
    for (const t of scan.nonString) if (MARK_RE.test(t)) throw new Error(`${stack}: input outside a literal: ${JSON.stringify(t)}`);
    expectKept(stack, scan.strings, p);
    expect(f.code.toLowerCase()).not.toContain("</script");
  } else if (SCANNED[stack]) {
    const scan = scanLiterals(f.code, SCANNED[stack]!);
    if (MARK_RE.test(scan.skeleton)) throw new Error(`${stack}: input outside a literal`);
    expect(balanced(scan.skeleton)).toBe(true);
    expectKept(stack, scan.literals, p);
  } else if (stack === "apache" || stack === "caddy") {
    const grammar = stack === "apache" ? APACHE_LINE : CADDY_LINE;
    for (const line of f.code.split("\n")) {
      if (!grammar.some((re) => re.test(line))) throw new Error(`unexpected ${stack} line: ${JSON.stringify(line)}`);
    }
    expect(outsideQuotes(f.code)).not.toMatch(MARK_RE);
    const view = configView(p, stack);
    // The allowlisted origin is exactly the policy's (or the placeholder), as an anchored regex or a quoted string.
    if (stack === "apache") expect(f.code).toContain(`SetEnvIf Origin "${anchoredRegex(view.origin)}" CORS_ALLOW_ORIGIN=$0`);
    else expect(f.code).toContain(`@cors_origin header Origin "${view.origin}"`);
  } else if (stack === "nginx") {
    expect(outsideQuotes(f.code)).not.toMatch(MARK_RE);
    const view = configView(p, "nginx");
    const re = /^ {4}"~(.*)" \$http_origin;$/m.exec(f.code);
    expect(re?.[1]).toBe(anchoredRegex(view.origin));
    expect(new RegExp(re![1]!).test(view.origin)).toBe(true);
  }
  // Python: in the batch below (py_compile); here only the shape.
  if (f.client?.language === "javascript") parseJs(f.client.code);
}

// ---- Properties -----------------------------------------------------------------------------------

describe("generate(stack, diagnosis, exchange)", () => {
  it("never throws, whatever the input (any JSON, unknown stacks), and returns a well-formed Fix", () => {
    fc.assert(fc.property(fc.constantFrom<string>(...ALL, "nope", "__proto__", ""), anyJson, anyJson, (stack, d, x) => {
      const f = generate(stack as Stack, d as unknown as Diagnosis, x as unknown as Exchange);
      expect(ALL).toContain(f.stack);
      expect(f.language).toBe(LANGUAGE[f.stack]);
      expect(typeof f.code).toBe("string");
      expect(typeof f.title).toBe("string");
      expect(f.notes.every((n) => typeof n === "string")).toBe(true);
      same(generate(stack as Stack, roundTrip(d) as unknown as Diagnosis, roundTrip(x) as unknown as Exchange), f);
    }), { seed: SEED, numRuns: RUNS(300) });
  });

  it("is deterministic (also after a JSON round trip), and never falls back on well-typed input", () => {
    fc.assert(fc.property(typedInput, fc.constantFrom(...ALL), ({ x, d }, stack) => {
      const f = generate(stack, d, x);
      same(generate(stack, d, x), f);
      same(generate(stack, roundTrip(d), roundTrip(x)), f);
      expect(f.code).not.toContain("could not build a configuration");
      expect(f.stack).toBe(stack);
      // The title and notes are prose: one line each, recorded values shown through display().
      for (const s of [f.title, ...f.notes]) expect(s).not.toMatch(/[\n\r\u2028\u2029]/);
    }), { seed: SEED, numRuns: RUNS(300) });
  });

  it("the policy keeps exactly what a browser could have sent, and nothing else", () => {
    fc.assert(fc.property(typedInput, ({ x, d }) => {
      const p = computePolicy(d, x);
      if (p.placeholder) expect(p.origin).toBe(PLACEHOLDER_ORIGIN);
      else expect(p.origin).toBe(x.request.origin);
      expect(p.origin).not.toBe("null");
      expect(p.origin).not.toMatch(/[\s*]/);
      for (const h of p.headers) {
        expect(Object.keys(x.request.headers).map((n) => n.toLowerCase())).toContain(h);
        expect(h).toMatch(/^[!#$%&'*+.^_`|~0-9a-z-]+$/);
      }
      if (p.method) expect(p.method).toMatch(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/);
    }), { seed: SEED, numRuns: RUNS(300) });
  });

  it.each(ALL)("%s: the snippet parses in its language, and hostile values decode to exactly the input, inside literals", (stack) => {
    if (LANGUAGE[stack] === "python") return; // checked in one python3 process below
    fc.assert(fc.property(typedInput, ({ x, d }) => {
      checkInProcess(stack, generate(stack, d, x), computePolicy(d, x));
    }), { seed: SEED, numRuns: RUNS(LANGUAGE[stack] === "typescript" ? 60 : 100) });
  });
});

describe("external toolchains on one batch of hostile inputs (one process per tool)", () => {
  const batch = fc.sample(typedInput, { numRuns: RUNS(70), seed: SEED });

  (hasPython() ? it : it.skip)("Python (flask, django, fastapi): py_compile, and the literals decode to the policy's values", () => {
    const stacks: Stack[] = ["flask", "django", "fastapi"];
    const cases = batch.flatMap(({ x, d }) => stacks.map((stack) => ({ stack, f: generate(stack, d, x), p: computePolicy(d, x) })));
    const results = checkPython(cases.map((c) => c.f.code));
    results.forEach((r, i) => {
      const { stack, f, p } = cases[i]!;
      if (!r.ok) throw new Error(`${stack}: ${r.error}\n${f.code}`);
      for (const t of r.nonString) if (MARK_RE.test(t)) throw new Error(`${stack}: input outside a literal: ${JSON.stringify(t)}`);
      expectKept(stack, r.strings, p);
    });
    expect(results).toHaveLength(batch.length * 3);
  });

  (NGINX ? it : it.skip)("nginx: `nginx -t` accepts every snippet", () => {
    // nginx -t takes one config; the fixed variable names of two snippets would clash in one http {}.
    for (const { x, d } of batch.slice(0, RUNS(30))) {
      const f = generate("nginx", d, x);
      const r = nginxTest(f.code);
      if (!r.ok) throw new Error(`${r.output}\n${f.code}`);
    }
  });

  (hasJava() ? it : it.skip)("Spring: javac compiles every snippet, and Spring receives exactly the policy's values", () => {
    const cases = batch.slice(0, RUNS(25)).map(({ x, d }) => ({ f: generate("spring", d, x), p: computePolicy(d, x) }));
    const r = runSpring(cases.map((c) => c.f.code));
    if (!r.ok) throw new Error(r.output);
    cases.forEach(({ p }, i) => {
      const calls = r.calls[i]!;
      const call = (name: string) => calls.find((c) => c[0] === name)?.slice(1);
      expect(call("allowedOriginPatterns") ?? call("allowedOrigins")).toEqual([p.origin]);
      if (p.method) expect(call("allowedMethods")![0]).toBe(p.method);
      if (p.headers.length) expect([...call("allowedHeaders")!].sort()).toEqual([...p.headers].sort());
      expect(call("allowCredentials")).toEqual(p.credentials ? ["true"] : undefined);
    });
  });
});
