import fc from "fast-check";
import {
  anchoredRegex, configRegex, configSafeOrigin, configSafeToken, configString, csString, display, goString, javaString,
  jsString, literalList, pyString, regexLiteral, rubyString,
} from "../../../src/core/fix/escape";
import {
  decodeCs, decodeGo, decodeJava, decodeRuby, hasJava, hasPython, javaLiterals, javaUnicodePass, parseJs, pythonLiterals,
} from "./helpers/checkers";

/** Every character class that has broken a generated snippet somewhere. */
const HOSTILE = [
  "", "plain", "a'b", 'a"b', "a\\b", "\\", "'", '"', "\\'", "'\\", "\\\"", "ends with backslash\\",
  "new\nline", "cr\rlf", "tab\t", "nul\0after", "\x01\x08\x0b\x0c\x1b\x1f\x7f",
  "$dollar ${x} #{y} #@z #$w %{VAR}e %%", "`backtick` ${`nested`}", "{braces}", "</script><!-- -->",
  "\\u0041 \\x41 \\n \\u000a \\\\u0022", "u\\u0022", "\u2028\u2029", "é中😀", "\u0085\u00a0", "\x00\x007",
];
const LONE = ["\uD800", "a\uDC00b", "\uDBFF\uDBFF"];

/** Arbitrary strings mixing random code points with the troublemakers above. */
const hostileString = fc.string({
  unit: fc.oneof(
    fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
    fc.constantFrom("'", '"', "\\", "\n", "\r", "\0", "$", "`", "{", "}", "#", "<", "u", "x", "\u2028", "\x7f"),
  ),
  maxLength: 30,
});
const withLone = fc.string({ unit: fc.oneof(fc.constantFrom(...LONE, "a", "\\", '"'), fc.string({ unit: "binary", maxLength: 1 })), maxLength: 10 });
const noLone = (s: string) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

function jsValue(literal: string): string {
  const scan = parseJs(`x = ${literal};`);
  expect(scan.strings).toHaveLength(1);
  return scan.strings[0]!;
}

describe("jsString", () => {
  it("round-trips through acorn for the hostile corpus, lone surrogates included", () => {
    for (const s of [...HOSTILE, ...LONE]) expect(jsValue(jsString(s))).toBe(s);
  });
  it("round-trips arbitrary strings", () => {
    fc.assert(fc.property(fc.oneof(hostileString, withLone), (s) => jsValue(jsString(s)) === s), { numRuns: 300 });
  });
  it("never emits a raw line terminator or `</script`", () => {
    const out = jsString("a\nb\u2028c</script>");
    expect(out).not.toMatch(/[\n\r\u2028\u2029]/);
    expect(out.toLowerCase()).not.toContain("</script");
  });
  it("double-quoted on request, with the same guarantees", () => {
    for (const s of [...HOSTILE, ...LONE]) expect(jsValue(jsString(s, '"'))).toBe(s);
    fc.assert(fc.property(fc.oneof(hostileString, withLone), (s) => jsValue(jsString(s, '"')) === s), { numRuns: 300 });
    expect(jsString(`a'b"c`, '"')).toBe(`"a'b\\"c"`);
    const out = jsString("a\nb\u2028c</script>", '"');
    expect(out).not.toMatch(/[\n\r\u2028\u2029]/);
    expect(out.toLowerCase()).not.toContain("</script");
  });
  it("stays single-quoted when passed straight to map (index as second argument)", () => {
    expect(["a", "b"].map(jsString as unknown as (s: string, i: number) => string)).toEqual(["'a'", "'b'"]);
  });
});

describe("pyString", () => {
  const run = hasPython() ? it : it.skip;
  run("is decoded by Python's own parser (ast.literal_eval) to the input", () => {
    const sample = fc.sample(fc.oneof(hostileString, withLone), { numRuns: 150, seed: 7 });
    const inputs = [...HOSTILE, ...LONE, ...sample];
    expect(pythonLiterals(inputs.map(pyString))).toEqual(inputs);
  });
  it("is always one single-quoted line", () => {
    fc.assert(fc.property(hostileString, (s) => /^'[^\n\r]*'$/.test(pyString(s))));
  });
});

describe("javaString", () => {
  const run = hasJava() ? it : it.skip;
  run("compiles with javac and prints back the input", () => {
    const sample = fc.sample(fc.oneof(hostileString, withLone), { numRuns: 100, seed: 11 });
    const inputs = [...HOSTILE, ...LONE, ...sample];
    expect(javaLiterals(inputs.map(javaString))).toEqual(inputs);
  });
  it("survives Java's \\u pre-translation (decoded by the Java rules in TypeScript)", () => {
    fc.assert(
      fc.property(fc.oneof(hostileString, withLone), (s) => decodeJava(javaUnicodePass(javaString(s)).slice(1, -1)) === s),
      { numRuns: 300 },
    );
    // The pitfall itself: a \u000a escape would become a raw newline before lexing.
    expect(() => decodeJava(javaUnicodePass('"a\\u000ab"').slice(1, -1))).toThrow();
  });
});

describe("csString", () => {
  it("round-trips by the C# escape rules", () => {
    for (const s of [...HOSTILE, ...LONE]) expect(decodeCs(csString(s).slice(1, -1))).toBe(s);
    fc.assert(fc.property(fc.oneof(hostileString, withLone), (s) => decodeCs(csString(s).slice(1, -1)) === s), { numRuns: 300 });
  });
  it("never uses the variable-length \\x escape", () => {
    expect(csString("\x01A")).toBe('"\\u0001A"');
  });
});

describe("goString", () => {
  it("round-trips by the Go escape rules", () => {
    for (const s of HOSTILE) expect(decodeGo(goString(s).slice(1, -1))).toBe(s);
    fc.assert(fc.property(hostileString.filter(noLone), (s) => decodeGo(goString(s).slice(1, -1)) === s), { numRuns: 300 });
  });
  it("replaces a lone surrogate (not valid UTF-8) with U+FFFD instead of emitting an invalid escape", () => {
    expect(decodeGo(goString("a\uD800b").slice(1, -1))).toBe("a\uFFFDb");
  });
});

describe("rubyString", () => {
  it("round-trips by the Ruby escape rules, with no interpolation", () => {
    for (const s of HOSTILE) expect(decodeRuby(rubyString(s).slice(1, -1))).toBe(s);
    fc.assert(fc.property(hostileString.filter(noLone), (s) => decodeRuby(rubyString(s).slice(1, -1)) === s), { numRuns: 300 });
  });
  it("escapes every # so #{...} can never interpolate", () => {
    expect(rubyString("#{`id`}#@x#$y")).toBe('"\\#{`id`}\\#@x\\#$y"');
  });
  it("replaces a lone surrogate with U+FFFD", () => {
    expect(decodeRuby(rubyString("\uDC00").slice(1, -1))).toBe("\uFFFD");
  });
});

describe("the test decoders reject what the languages reject (so the round trips can fail)", () => {
  it.each([
    ["Ruby interpolation", () => decodeRuby("#{x}")],
    ["Ruby raw newline", () => decodeRuby("a\nb")],
    ["Go unknown escape", () => decodeGo("\\q")],
    ["Go surrogate escape", () => decodeGo("\\uD800")],
    ["Go raw quote", () => decodeGo('a"b')],
    ["C# unknown escape", () => decodeCs("\\q")],
    ["Java raw newline", () => decodeJava("a\nb")],
    ["Java unknown escape", () => decodeJava("\\x41")],
  ])("%s", (_, f) => expect(f).toThrow());
  it("acorn rejects a broken literal", () => {
    expect(() => parseJs("x = 'a'b';")).toThrow();
  });
});

describe("config values", () => {
  it("accepts real origins and HTTP tokens", () => {
    for (const o of ["https://app.example", "http://localhost:3000", "http://[::1]:8080", "https://xn--bcher-kva.example"]) {
      expect(configSafeOrigin(o)).toBe(true);
    }
    for (const t of ["x-token", "X_Custom.1", "x-a!b#c&d'e+f^g|h~i"]) expect(configSafeToken(t)).toBe(true);
  });
  it("rejects everything a config format would interpret", () => {
    for (const o of ['https://a"b', "https://a$b", "https://a{b}", "https://a\nb", "https://a b", "https://a;b", "https://a\\b", "https://a*b", "https://a%b", "null", ""]) {
      expect(configSafeOrigin(o)).toBe(false);
    }
    for (const t of ["x-$a", "x-%a", "x-`a`", "x-*", "x-{a}", "x;a", "x a", 'x"a', "x\\a", "x\na", ""]) expect(configSafeToken(t)).toBe(false);
  });
  it("configString quotes safe text and refuses the rest", () => {
    expect(configString("PUT, GET")).toBe('"PUT, GET"');
    expect(configString("https://app.example")).toBe('"https://app.example"');
    for (const bad of ['a"b', "a$b", "a\\b", "a\nb", "{a}", "a;b", "a%b"]) expect(configString(bad)).toBeNull();
  });
});

describe("anchoredRegex", () => {
  it("matches exactly the input and nothing else (dots escaped, anchored)", () => {
    const re = new RegExp(anchoredRegex("https://app.example"));
    expect(anchoredRegex("https://app.example")).toBe("^https://app\\.example$");
    expect(re.test("https://app.example")).toBe(true);
    for (const other of ["https://appXexample", "https://app.example.evil.com", "https://evil.com/https://app.example", "https://app.examplex"]) {
      expect(re.test(other)).toBe(false);
    }
  });
  it("escapes every metacharacter (checked with JavaScript's regex engine)", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(..."a.^$|?*+()[]{}\\/-:"), maxLength: 20 }), (s) => {
        const re = new RegExp(anchoredRegex(s), "u");
        return re.test(s) && !re.test(s + "a") && !re.test("a" + s);
      }),
    );
    expect(regexLiteral("a.b[c]")).toBe("a\\.b\\[c\\]");
  });
  it("configRegex quotes it for nginx/Apache, and refuses an unsafe origin", () => {
    expect(configRegex("http://[::1]:8080")).toBe('"^http://\\[::1\\]:8080$"');
    expect(configRegex('https://a"b')).toBeNull();
  });
});

describe("display and literalList", () => {
  it("shows ordinary values as they are and quotes anything unusual on one line", () => {
    expect(display("https://app.example")).toBe("https://app.example");
    expect(display("a\nb")).toBe('"a\\nb"');
    expect(display("x".repeat(100))).toMatch(/^"x{80}…"$/);
    expect(display("")).toBe('""');
  });
  it("joins literals", () => {
    expect(literalList(["a", "b'"], jsString)).toBe("'a', 'b\\''");
  });
});
