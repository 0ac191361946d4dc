import { decodeText, locateJsonError, parseJson } from "../../src/cli/json";

describe("locateJsonError agrees with JSON.parse", () => {
  const valid = ['{}', '[]', ' {"a": [1, -2.5e3, true, false, null, "x\\u00e9\\n"]} ', '"s"', '0', '[[[]]]', '{"a":{"b":{}}}'];
  test.each(valid)("valid: %s", (t) => {
    expect(() => JSON.parse(t)).not.toThrow();
    expect(locateJsonError(t)).toBeNull();
  });

  const invalid: Array<[string, number, RegExp]> = [
    ['{"a": 1', 7, /unexpected end of input/],
    ['{"a": 1,}', 8, /expected a property name/],
    ['[1 2]', 3, /expected ',' or ']'/],
    ['{"a" 1}', 5, /expected ':'/],
    ['{"a": tru}', 6, /unexpected 't'/],
    ['[01]', 2, /expected ',' or ']'/],
    ['{} x', 3, /after the end of the JSON value/],
    ['"abc', 4, /unterminated string/],
    ['"a\tb"', 2, /unescaped character U\+0009/],
    ['"\\x"', 1, /bad escape/],
    ['-', 0, /unexpected '-'/],
    ["{'a': 1}", 1, /expected a property name in double quotes/],
  ];
  test.each(invalid)("invalid: %s", (t, pos, what) => {
    expect(() => JSON.parse(t)).toThrow();
    const loc = locateJsonError(t);
    expect(loc).not.toBeNull();
    expect(loc!.pos).toBe(pos);
    expect(loc!.what).toMatch(what);
  });

  test("deep nesting does not overflow the scanner", () => {
    const t = "[".repeat(200_000);
    expect(locateJsonError(t)).toEqual({ pos: 200_000, what: "unexpected end of input" });
  });
});

describe("parseJson", () => {
  test("reports line and column", () => {
    const r = parseJson('{\n  "a": 1,\n  "b": }');
    expect(r).toEqual({ ok: false, error: "not JSON (unexpected '}' at line 3, column 8, position 19)" });
  });

  test("empty input", () => {
    expect(parseJson("  \n")).toEqual({ ok: false, error: "empty file, not JSON" });
  });
});

describe("decodeText", () => {
  test("UTF-8 with and without BOM", () => {
    expect(decodeText(Buffer.from('\uFEFF{"a":"é"}'))).toEqual({ ok: true, text: '{"a":"é"}' });
  });

  test("UTF-16LE with BOM (Windows tools)", () => {
    const b = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"a":1}', "utf16le")]);
    expect(decodeText(b)).toEqual({ ok: true, text: '{"a":1}' });
  });

  test("invalid UTF-8 and NUL bytes are binary", () => {
    expect(decodeText(Uint8Array.from([0x7b, 0xc3, 0x28]))).toMatchObject({ ok: false, error: expect.stringMatching(/binary/) });
    expect(decodeText(Uint8Array.from([0x7b, 0x00, 0x7d]))).toMatchObject({ ok: false, error: expect.stringMatching(/NUL/) });
  });
});
