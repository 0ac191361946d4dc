// Fixed examples of the bugs the property tests found, so they stay fixed whatever the seed.
import { run } from "../../../src/cli/run";
import { computePolicy } from "../../../src/core/fix/policy";
import { diagnose } from "../../../src/core/diagnose";
import { readExchange } from "../../../src/core/exchange";
import { display } from "../../../src/core/fix/escape";
import { generate } from "../../../src/core/fix";
import { readHar } from "../../../src/core/har";
import type { Exchange, Headers } from "../../../src/core/types";
import { cors, exchange, hop, preflight, response } from "../../fixtures/exchange";
import { chromeEntry, chromeHar, chromePreflight, chromeRequestHeaders, nv } from "../../fixtures/har/build";
import { makeDiagnosis } from "../fix/helpers/fixtures";

const base = { request: { url: "https://api.example/x", origin: "https://app.example" } };

describe("reader errors are one short line, whatever the input holds", () => {
  it("a header name with a newline, U+2028 and 70 000 characters is quoted and cut", () => {
    const name = "x\n\u2028" + "y".repeat(70_000);
    const r = readExchange({ ...base, request: { ...base.request, headers: { [name]: {} } } });
    expect(r).toEqual({ ok: false, error: expect.stringMatching(/^exchange 0: request\.headers: header "x\\n\\u2028y{97}…" must be a string or an array of strings$/) });
  });

  it("a hostile exchange id is quoted in every message", () => {
    const r = readExchange({ id: "a\nb\u202e", request: { url: 1, origin: "https://app.example" } });
    expect(r).toEqual({ ok: false, error: 'exchange "a\\nb\\u202e": request.url: must be a URL string' });
    const list = readExchange({ id: "x".repeat(500), request: {} });
    expect(list.ok || list.error.length).toBeLessThan(120);
  });

  it("an origin with a stray CR, tab or space is not an origin (the URL parser would silently drop it)", () => {
    for (const origin of ["https://evil.example\r", "https://app.example\t", " https://app.example"]) {
      const r = readExchange({ request: { url: "https://api.example/x", origin } });
      expect(r).toEqual({ ok: false, error: `exchange 0: request.origin is not an origin: ${JSON.stringify(origin)}` });
    }
  });

  it("a URL with DEL and bidi characters is escaped in the message", () => {
    const r = readExchange({ request: { url: "\u007f\u202enot a url", origin: "https://app.example" } });
    expect(r).toEqual({ ok: false, error: 'exchange 0: request.url: not an absolute URL: "\\u007f\\u202enot a url"' });
  });
});

describe("readHar", () => {
  const req = (extra: Record<string, string> = {}) => chromeRequestHeaders("https://api.example/x", "GET", "http://localhost:5173", extra);

  it("an entry with an empty method is refused (it would make an invalid exchange)", () => {
    const r = readHar(chromeHar([chromeEntry({ method: " ", url: "https://api.example/x", start: "2024-06-30T04:14:55.000Z", reqHeaders: req() })]));
    expect(r).toEqual({ ok: false, error: "log.entries[0].request.method must be a method name (1 to 64 characters)" });
  });

  it('a response header named "__proto__" stays a header and leaves the prototype alone', () => {
    const resHeaders = [...nv({ "access-control-allow-origin": "http://localhost:5173" }), { name: "__proto__", value: "a" }, { name: "__proto__", value: "b" }];
    const r = readHar(chromeHar([chromeEntry({ url: "https://api.example/x", start: "2024-06-30T04:14:55.000Z", reqHeaders: req(), resHeaders })]));
    if (!r.ok) throw new Error(r.error);
    const headers = r.value[0]!.hops[0]!.response!.headers;
    expect(Object.getPrototypeOf(headers)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(headers, "__proto__")?.value).toEqual(["a", "b"]);
    expect(readExchange(JSON.parse(JSON.stringify(r.value[0])))).toEqual({ ok: true, value: r.value[0] });
  });

  it('a preflight asking for a header named "constructor" keeps it in the request headers', () => {
    const pre = chromePreflight({ url: "https://api.example/x", origin: "http://localhost:5173", method: "PUT", headers: "constructor", start: "2024-06-30T04:14:55.001Z",
      resHeaders: nv({ "access-control-allow-origin": "http://localhost:5173", "access-control-allow-methods": "PUT" }) });
    const r = readHar(chromeHar([pre]));
    if (!r.ok) throw new Error(r.error);
    expect(Object.keys(r.value[0]!.request.headers)).toEqual(["constructor"]);
    expect(diagnose(r.value[0]!)).toMatchObject({ blocked: true, code: "HeaderDisallowedByPreflightResponse", failedParameter: "constructor" });
  });
});

describe("diagnose works on the URL as the browser parsed it", () => {
  /** An uncredentialed GET to `url` that passes, as the exchange reader reads it. */
  const parsed = (url: string): Exchange => {
    const r = readExchange(exchange({ id: "0", url, method: "GET", credentials: "omit", headers: {}, preflight: null, response: response(200, cors()) }));
    if (!r.ok) throw new Error(r.error);
    return r.value;
  };

  it("a leading space or an embedded tab does not turn https into a disabled scheme", () => {
    for (const url of [" https://api.example/x", "ht\ttps://api.example/x", "\nhttps://api.example/x"]) {
      expect(diagnose(parsed(url))).toMatchObject({ blocked: false, code: null });
    }
  });

  it("a newline in the URL never reaches the message", () => {
    const x = parsed("https://api.example/\nx");
    const d = diagnose({ ...x, request: { ...x.request, mode: "same-origin" } });
    expect(d.code).toBe("DisallowedByMode");
    expect(d.message).toContain("https://api.example/x");
    expect(d.message).not.toMatch(/\n/);
  });
});

describe("safelisted request headers are checked on their normalized value", () => {
  it('a script\'s " text/plain\t" needs no preflight, as the browser sends "text/plain"', () => {
    const r = readExchange({ request: { url: "https://api.example/x", origin: "https://app.example", method: "POST", credentials: "omit",
      headers: { "content-type": " text/plain\t", "accept-language": " \t" } },
    response: { status: 200, headers: { "access-control-allow-origin": "https://app.example" } } });
    if (!r.ok) throw new Error(r.error);
    expect(diagnose(r.value)).toMatchObject({ blocked: false, preflightNeeded: false });
  });
});

describe("fix generators", () => {
  it("display() keeps notes on one line: U+2028, DEL and bidi overrides are escaped", () => {
    expect(display("a\u2028b\u007f\u202e")).toBe('"a\\u2028b\\u007f\\u202e"');
  });

  it('a request header named "__proto__" is allowlisted like any other token', () => {
    // JSON.parse makes "__proto__" an own property, as the exchange reader does.
    const x = exchange({ id: "1", headers: JSON.parse('{"__proto__":"1"}') as Headers, hops: [hop({ preflight: preflight(), response: null })] });
    expect(computePolicy(makeDiagnosis(), x).headers).toEqual(["__proto__"]);
    expect(generate("express", makeDiagnosis(), x).code).toContain("allowedHeaders: ['__proto__']");
  });
});

describe("CLI human report", () => {
  it("a newline in a recorded URL cannot forge a report line", async () => {
    const ex = { request: { url: "https://api.example/\nOK GET https://forged.example/", origin: "https://app.example", credentials: "omit" },
      response: { status: 200, headers: {} } };
    let out = "";
    const code = await run(["explain", "x.json"], {
      stdout: { write: (s: string) => (out += s) }, stderr: { write: () => undefined },
      readFile: async () => JSON.stringify(ex),
    });
    expect(code).toBe(1);
    expect(out).not.toMatch(/^OK GET https:\/\/forged/m);
    expect(out).toContain("\\u000aOK GET https://forged.example/");
  });
});

describe("readHeaders takes an already normalized map as it is, and copies any other", () => {
  it("the same object for lower-case, trimmed names with string values; a copy for anything else", () => {
    const ready = { origin: "https://app.example", "x-token": "1" };
    const r = readExchange({ ...base, request: { ...base.request, headers: ready } });
    expect(r.ok && r.value.request.headers).toBe(ready);
    for (const other of [{ Origin: "https://app.example" }, { " x-token": "1" }, { "x-token": ["1", "2"] }, { "x-token": 1 }, { "x-pad": "p".repeat(256 * 1024 + 1) }]) {
      const c = readExchange({ ...base, request: { ...base.request, headers: other } });
      expect(c.ok && c.value.request.headers).not.toBe(other);
    }
    const mixed = readExchange({ ...base, request: { ...base.request, headers: { Origin: "a", " origin ": "b" } } });
    expect(mixed.ok && mixed.value.request.headers).toEqual({ origin: ["a", "b"] });
  });

  it("URL validation is deterministic for non-ASCII URLs (Node 20's URL.canParse was not, once optimized)", () => {
    const results = new Set<boolean>();
    for (let i = 0; i < 20_000; i++) {
      const r = readExchange({ request: { url: i % 2 ? "https://bücher.example/x" : "https://api.example/x", origin: "https://app.example" } });
      results.add(r.ok);
    }
    expect([...results]).toEqual([true]);
  });
});
