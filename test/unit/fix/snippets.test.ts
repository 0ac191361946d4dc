// Every snippet, for every stack and every branch, must parse in its own language — above all when the
// origin, method and header names are hostile. Hostile values carry "zz" markers: a marker may appear
// only inside a string literal of a programming language, and never in a config file (where those values
// are dropped with a note).
import { generate, STACKS } from "../../../src/core/fix";
import { anchoredRegex } from "../../../src/core/fix/escape";
import { PLACEHOLDER_ORIGIN } from "../../../src/core/fix/policy";
import type { Diagnosis, Exchange, Fix, Stack } from "../../../src/core/types";
import {
  APACHE_LINE, balanced, CADDY_LINE, checkPython, hasJava, hasPython, NGINX, nginxTest, parseJs, parseTs, runSpring, scanLiterals, type Lang,
} from "./helpers/checkers";
import { makeDiagnosis, makeExchange, serverErrorCase, uncredentialed } from "./helpers/fixtures";

const MARK = /zz/i;
/** A config file with its double-quoted values blanked out. */
const outsideQuotes = (code: string) => code.replace(/"[^"\n]*"/g, '""');
export const HOSTILE_ORIGIN = "https://evil.example\"ZZa'ZZb\\ZZc$ZZd`ZZe{ZZf}ZZg</script>ZZh#{ZZi}${ZZj}%ZZk;ZZl\\nZZm\\u0041ZZn\\x41";
export const HOSTILE_METHOD = "PU'ZZm$`T";
/** Valid tokens (so they are kept) full of characters that mean something in some language. */
export const HOSTILE_KEPT_HEADERS = ["x-$zzn", "x-`zzo`", "x-'zzp'", "x-#zzq", "x-%zzr|^~!&+."];
/** Not tokens: a browser cannot send them, so they are dropped everywhere. */
const HOSTILE_DROPPED_HEADERS = ['x-"zzs', "x-\\zzt", "x-{zzu}", "x-</script>zzv", "x-\nzzw", "x zzx"];

const hostileExchange = makeExchange({
  request: {
    origin: HOSTILE_ORIGIN,
    method: HOSTILE_METHOD,
    headers: Object.fromEntries([...HOSTILE_KEPT_HEADERS, ...HOSTILE_DROPPED_HEADERS].map((h) => [h, "v"])),
  },
});

interface Scenario {
  name: string;
  d: Diagnosis;
  x: Exchange;
  /** Values that must survive, decoded, in a programming-language snippet. */
  kept?: { origin: string; method: string; headers: string[] };
}

const SCENARIOS: Scenario[] = [
  { name: "default", d: makeDiagnosis(), x: makeExchange(), kept: { origin: "https://app.example", method: "PUT", headers: ["x-token"] } },
  { name: "opaque origin", d: makeDiagnosis(), x: makeExchange({ request: { origin: "null" } }) },
  { name: "uncredentialed GET, no custom header", d: uncredentialed({ code: "MissingAllowOriginHeader", stage: "actual" }), x: makeExchange({ request: { method: "GET", headers: {} } }) },
  {
    name: "rejected preflight + exposed headers",
    d: makeDiagnosis({ code: "PreflightInvalidStatus" }),
    x: makeExchange({ hops: [{ url: "https://api.example/x", preflight: { status: 401, headers: {} }, response: { status: 200, headers: { "access-control-expose-headers": "x-request-id, etag" } } }] }),
  },
  { name: "two layers", d: makeDiagnosis({ code: "MultipleAllowOriginValues" }), x: makeExchange() },
  { name: "private network", d: makeDiagnosis({ code: "PreflightMissingAllowPrivateNetwork" }), x: makeExchange() },
  {
    name: "odd but config-safe values",
    d: makeDiagnosis(),
    x: makeExchange({ request: { origin: "http://[::1]:8080", method: "PROPFIND", headers: { "x-a!b#c&d'e+f^g|h~i": "1" } } }),
    kept: { origin: "http://[::1]:8080", method: "PROPFIND", headers: ["x-a!b#c&d'e+f^g|h~i"] },
  },
  { name: "hostile", d: makeDiagnosis({ received: HOSTILE_ORIGIN, code: "AllowOriginMismatch" }), x: hostileExchange, kept: { origin: HOSTILE_ORIGIN, method: HOSTILE_METHOD, headers: HOSTILE_KEPT_HEADERS } },
  {
    name: "a 500 the CORS error hides",
    ...serverErrorCase("actual", 500),
    kept: { origin: "https://app.example", method: "PUT", headers: ["x-token"] },
  },
  { name: "a 401 preflight the CORS error hides", ...serverErrorCase("preflight", 401) },
  { name: "a hidden server error, no exportable handler", ...serverErrorCase("actual", 502, { x: { request: { method: "patch" } } }) },
  {
    name: "hostile, with a hidden server error",
    ...serverErrorCase("actual", 500, { d: { received: HOSTILE_ORIGIN }, x: { request: hostileExchange.request } }),
    kept: { origin: HOSTILE_ORIGIN, method: HOSTILE_METHOD, headers: HOSTILE_KEPT_HEADERS },
  },
  {
    name: "control characters",
    d: makeDiagnosis({ received: "a\nb" }),
    x: makeExchange({ request: { origin: "https://app.example\nZZ: injected", method: "GET\r\nZZ", headers: { "x-ok": "1", "x-\r\nzz": "1" } } }),
  },
];

const byLanguage = (lang: string) => STACKS.filter((s) => s.language === lang).map((s) => s.id);
const cases = (stacks: Stack[]) => SCENARIOS.flatMap((sc) => stacks.map((stack) => [sc.name, stack, sc] as const));
const fixOf = (stack: Stack, sc: Scenario): Fix => generate(stack, sc.d, sc.x);

/** Rails lower-cases methods for rack-cors. */
const expectedMethod = (stack: Stack, m: string) => (stack === "rails" ? m.toLowerCase() : m);

function expectKept(stack: Stack, strings: string[], kept: NonNullable<Scenario["kept"]>) {
  const has = (v: string) => strings.some((s) => s === v || s.split(", ").includes(v));
  expect(has(kept.origin)).toBe(true);
  expect(has(expectedMethod(stack, kept.method))).toBe(true);
  for (const h of kept.headers) expect(has(h)).toBe(true);
}

describe("JavaScript snippets parse with acorn; hostile values stay inside string literals", () => {
  it.each(cases(byLanguage("javascript")))("%s / %s", (_, stack, sc) => {
    const f = fixOf(stack, sc);
    const js = parseJs(f.code);
    for (const t of js.nonString) expect(t).not.toMatch(MARK);
    if (sc.kept) expectKept(stack, js.strings, sc.kept);
    expect(f.code.toLowerCase()).not.toContain("</script");
    if (f.client?.language === "javascript") parseJs(f.client.code);
  });
});

describe("TypeScript snippets compile with esbuild; hostile values stay inside string literals", () => {
  it.each(cases(byLanguage("typescript")))("%s / %s", (_, stack, sc) => {
    const f = fixOf(stack, sc);
    const ts = parseTs(f.code);
    for (const t of ts.nonString) expect(t).not.toMatch(MARK);
    if (sc.kept) expectKept(stack, ts.strings, sc.kept);
  });
  it("the checker itself rejects a TypeScript syntax error", () => {
    expect(() => parseTs("const a: = 1;")).toThrow();
  });
});

describe("Python snippets pass py_compile; hostile values stay inside string literals", () => {
  const pyCases = cases(byLanguage("python"));
  const results = hasPython() ? checkPython(pyCases.map(([, stack, sc]) => fixOf(stack, sc).code)) : [];
  const run = hasPython() ? it.each(pyCases.map((c, i) => [...c, i] as const)) : it.skip.each(pyCases.map((c, i) => [...c, i] as const));
  run("%s / %s", (_, stack, sc, i) => {
    const r = results[i]!;
    expect(r.error).toBeUndefined();
    expect(r.ok).toBe(true);
    for (const t of r.nonString) expect(t).not.toMatch(MARK);
    if (sc.kept) expectKept(stack, r.strings, sc.kept);
  });
  it("the checker itself rejects broken Python", () => {
    if (!hasPython()) return console.warn("python3 not found: Python syntax checks skipped");
    const [bad] = checkPython(["x = ['a',\n"]);
    expect(bad!.ok).toBe(false);
  });
});

describe("Java (Spring) snippets compile with javac against stubs, and pass the exact values to Spring", () => {
  const javaCases = cases(["spring"]);
  const compiled = hasJava() ? runSpring(javaCases.map(([, stack, sc]) => fixOf(stack, sc).code)) : null;
  const run = hasJava() ? it.each(javaCases.map((c, i) => [...c, i] as const)) : it.skip.each(javaCases.map((c, i) => [...c, i] as const));
  run("%s / %s", (_, stack, sc, i) => {
    expect(compiled!.output).not.toMatch(/error:/);
    expect(compiled!.ok).toBe(true);
    const calls = compiled!.calls[i]!;
    const call = (name: string) => calls.find((c) => c[0] === name)?.slice(1);
    expect(call("addMapping")).toEqual(["/**"]);
    const origins = call("allowedOriginPatterns") ?? call("allowedOrigins");
    expect(origins).toHaveLength(1);
    expect(origins![0]).not.toBe("*");
    expect(call("allowCredentials")).toEqual(sc.d.credentials.mode === "include" ? ["true"] : undefined);
    if (sc.kept) {
      expect(origins).toEqual([sc.kept.origin]);
      expect(call("allowedMethods")![0]).toBe(sc.kept.method);
      expect(call("allowedHeaders")).toEqual([...sc.kept.headers].sort());
    }
    const scan = scanLiterals(fixOf(stack, sc).code, "java");
    expect(scan.skeleton).not.toMatch(MARK);
    expect(balanced(scan.skeleton)).toBe(true);
  });
  if (!hasJava()) it("javac not found: Java compile checks skipped (literal scans below still run)", () => undefined);
});

describe("Go, C#, Ruby, Java: every literal decodes by the language's rules; no marker outside literals", () => {
  const langs: Array<[Stack, Lang]> = [["go", "go"], ["aspnet", "csharp"], ["rails", "ruby"], ["spring", "java"]];
  it.each(SCENARIOS.flatMap((sc) => langs.map(([stack, lang]) => [sc.name, stack, lang, sc] as const)))("%s / %s", (_, stack, lang, sc) => {
    const scan = scanLiterals(fixOf(stack, sc).code, lang);
    expect(scan.skeleton).not.toMatch(MARK);
    expect(balanced(scan.skeleton)).toBe(true);
    if (sc.kept) expectKept(stack, scan.literals, sc.kept);
  });
  it("the scanner notices a literal that was not escaped", () => {
    expect(() => scanLiterals('x := "a\nb"', "go")).toThrow();
    expect(() => scanLiterals('origins "#{x}"', "ruby")).toThrow();
    expect(scanLiterals('f("a") + "b"zz', "csharp").skeleton).toMatch(MARK);
  });
});

describe("nginx snippets pass `nginx -t`", () => {
  const run = NGINX ? it.each(cases(["nginx"])) : it.skip.each(cases(["nginx"]));
  if (!NGINX) it("nginx not found: `nginx -t` checks skipped", () => console.warn("nginx is not installed: skipping nginx -t"));
  run("%s / %s", (_, stack, sc) => {
    const f = fixOf(stack, sc);
    const r = nginxTest(f.code);
    expect(r.output).toMatch(/syntax is ok/);
    expect(r.ok).toBe(true);
    expect(outsideQuotes(f.code)).not.toMatch(MARK);
  });
  it("the check itself fails on an injected $variable", () => {
    if (!NGINX) return;
    expect(nginxTest('server { location / { add_header X "a$zz" always; } }').ok).toBe(false);
  });
  it("drops hostile values with a note instead of breaking the config", () => {
    const f = fixOf("nginx", SCENARIOS.find((s) => s.name === "hostile")!);
    expect(f.code).toContain(PLACEHOLDER_ORIGIN.replace(/\./g, "\\."));
    expect(f.notes.join(" ")).toMatch(/nginx config cannot carry the origin/);
    expect(f.notes.join(" ")).toMatch(/nginx config cannot carry the header names/);
    // The two hostile names that are still config-safe tokens are kept, quoted; the others are gone.
    expect(f.code).toContain(`add_header Access-Control-Allow-Headers "x-#zzq, x-'zzp'" always;`);
    expect(f.code).not.toMatch(/zz[nor]/);
  });
});


describe("Apache and Caddy snippets (no binary here): strict line grammar, nothing hostile", () => {
  it.each(cases(["apache", "caddy"]))("%s / %s", (_, stack, sc) => {
    const f = fixOf(stack, sc);
    const grammar = stack === "apache" ? APACHE_LINE : CADDY_LINE;
    for (const line of f.code.split("\n")) {
      if (!grammar.some((re) => re.test(line))) throw new Error(`unexpected ${stack} line: ${JSON.stringify(line)}`);
    }
    expect(outsideQuotes(f.code)).not.toMatch(MARK);
    if (stack === "caddy") expect(balanced(f.code.replace(/"[^"]*"/g, '""'))).toBe(true);
  });
  it("the grammar rejects an injected line", () => {
    expect(APACHE_LINE.some((re) => re.test('Header always set Access-Control-Allow-Origin "*"'))).toBe(false);
    expect(CADDY_LINE.some((re) => re.test('\tAccess-Control-Allow-Origin "{http.request.uri}"'))).toBe(false);
  });
});

describe("the nginx map and Apache SetEnvIf regexes match exactly the allowlisted origin", () => {
  const probes = (o: string) => [o + ".evil.com", o + "x", "x" + o, o.replace(".", "X"), o.replace(".", ""), o.toUpperCase(), "null", ""];
  it.each([["https://app.example"], ["http://[::1]:8080"], ["https://a-b.c.example:8443"], ["app+web://x.example"]])("%s", (origin) => {
    const nginx = generate("nginx", makeDiagnosis(), makeExchange({ request: { origin } })).code;
    const apache = generate("apache", makeDiagnosis(), makeExchange({ request: { origin } })).code;
    const fromNginx = /^ {4}"~(.*)" \$http_origin;$/m.exec(nginx)![1]!;
    const fromApache = /^SetEnvIf Origin "(.*)" CORS_ALLOW_ORIGIN=\$0$/m.exec(apache)![1]!;
    expect(fromNginx).toBe(anchoredRegex(origin));
    expect(fromApache).toBe(anchoredRegex(origin));
    const re = new RegExp(fromNginx);
    expect(re.test(origin)).toBe(true);
    for (const p of probes(origin)) if (p !== origin) expect(re.test(p)).toBe(false);
  });
});
