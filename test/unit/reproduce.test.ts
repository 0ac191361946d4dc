// "Copy as curl" / "Copy as fetch": what they replay, masking, and escaping. The curl text is run by
// real shells (bash and POSIX sh) with `curl` defined as a function that dumps its argv, so the exact
// words curl would get are checked; the fetch text is parsed with acorn.
import { spawnSync } from "node:child_process";
import * as acorn from "acorn";
import fc from "fast-check";
import { shellQuote, toCurl, toFetch } from "../../src/core/reproduce";
import type { Exchange } from "../../src/core/types";
import { API, APP, cors, exchange, preflight, response, type ExchangeSpec } from "../fixtures/exchange";

/** Fixture factory: a credentialed PUT with x-trace from APP to API, preflight and response passing. */
function ex(over: ExchangeSpec = {}): Exchange {
  return exchange({ headers: { "x-trace": "1" }, preflight: preflight(cors()), response: response(200, cors()), ...over });
}

const SHELLS = ["bash", "sh"];

/** Runs the script in `shell` with curl (and anything dangerous) stubbed; returns each curl call's argv. */
function curlCalls(script: string, shell = "bash"): string[][] {
  const prelude = [
    `curl() { for a in "$@"; do printf '%s\\036' "$a"; done; printf '\\035'; }`,
    // If a value broke out of its quotes, these would run: the test sees it.
    `rm() { printf 'PWNED\\035'; }`, `touch() { printf 'PWNED\\035'; }`, `echo() { printf 'PWNED\\035'; }`,
  ].join("\n");
  const r = spawnSync(shell, ["-c", `${prelude}\n${script}`], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${shell} failed (${r.status}): ${r.stderr}\n${script}`);
  expect(r.stderr).toBe("");
  const calls = r.stdout.split("\x1d").slice(0, -1);
  return calls.map((c) => {
    if (c === "PWNED") throw new Error("a command other than curl ran");
    return c.split("\x1e").slice(0, -1);
  });
}

describe("toCurl", () => {
  test("a preflighted request: the preflight as the browser sent it, then the actual request, both with -i", () => {
    const text = toCurl(ex({ headers: { "x-trace": "1", "content-type": "application/json" } }));
    for (const shell of SHELLS) {
      expect(curlCalls(text, shell)).toEqual([
        ["-i", "-X", "OPTIONS", API, "-H", `origin: ${APP}`, "-H", "access-control-request-method: PUT",
          "-H", "access-control-request-headers: content-type,x-trace"],
        ["-i", "-X", "PUT", API, "-H", `origin: ${APP}`, "-H", "x-trace: 1", "-H", "content-type: application/json"],
      ]);
    }
    expect(text).toMatch(/^# Preflight/m);
    expect(text).toMatch(/request body was not recorded/);
    expect(text).toMatch(/no Cookie was recorded/);
  });

  test("a simple GET: no preflight, no -X; forbidden headers the script set are not sent", () => {
    const e = ex({ method: "get", headers: { accept: "text/plain", cookie: "x=1", "sec-foo": "1" }, hops: [{ url: API, preflight: null, response: null }] });
    expect(curlCalls(toCurl(e))).toEqual([["-i", API, "-H", `origin: ${APP}`, "-H", "accept: text/plain"]]);
  });

  test("a cross-origin GET with a recorded preflight still shows it (the page sent one)", () => {
    const e = ex({ method: "GET", headers: {} });
    expect(curlCalls(toCurl(e))[0]).toEqual(["-i", "-X", "OPTIONS", API, "-H", `origin: ${APP}`, "-H", "access-control-request-method: GET"]);
  });

  test("HEAD uses --head (curl -X HEAD would wait for a body)", () => {
    const e = ex({ method: "head", headers: {}, hops: [{ url: API, preflight: null, response: null }] });
    expect(curlCalls(toCurl(e))).toEqual([["-i", "--head", API, "-H", `origin: ${APP}`]]);
  });

  test("a cached preflight is sent anyway and says so; no-cors sends none and says so", () => {
    const cached = toCurl(ex({ hops: [{ url: API, preflight: null, preflightCached: true, response: null }] }));
    expect(cached).toMatch(/from its cache/);
    expect(curlCalls(cached)).toHaveLength(2);
    const noCors = toCurl(ex({ mode: "no-cors", method: "POST", headers: { "content-type": "text/plain" } }));
    expect(noCors).toMatch(/no-cors/);
    expect(curlCalls(noCors)).toHaveLength(1);
  });

  test("a same-origin request has no preflight", () => {
    const e = ex({ url: `${APP}/y`, hops: [{ url: `${APP}/y`, preflight: null, response: null }] });
    expect(curlCalls(toCurl(e))).toHaveLength(1);
  });

  test("secrets: Authorization and the wire Cookie masked by default, sent after reveal; the panel's own secret test", () => {
    const e = ex({ headers: { "x-trace": "1", authorization: "Bearer s3cret" }, sentHeaders: { cookie: "sid=abc; b=2" } });
    const masked = toCurl(e);
    expect(masked).not.toMatch(/s3cret|sid=abc/);
    expect(masked).toMatch(/Secret header values are masked/);
    expect(curlCalls(masked)[1]).toEqual(["-i", "-X", "PUT", API, "-H", `origin: ${APP}`, "-H", "x-trace: 1",
      "-H", "authorization: [masked]", "-H", "cookie: [masked]"]);
    const shown = toCurl(e, { reveal: true });
    expect(shown).not.toMatch(/masked/);
    expect(curlCalls(shown)[1]).toEqual(["-i", "-X", "PUT", API, "-H", `origin: ${APP}`, "-H", "x-trace: 1",
      "-H", "authorization: Bearer s3cret", "-H", "cookie: sid=abc; b=2"]);
    // The preflight never carries credentials.
    expect(curlCalls(shown)[0]!.join(" ")).not.toMatch(/cookie|authorization:/);
    const custom = curlCalls(toCurl(e, { isSecret: (n) => n === "x-trace", mask: "<hidden>" }))[1]!;
    expect(custom).toContain("x-trace: <hidden>");
    expect(custom).toContain("authorization: Bearer s3cret");
  });

  test("no Cookie without credentials: omit never sends the recorded cookie", () => {
    const e = ex({ credentials: "omit", sentHeaders: { cookie: "sid=abc" } });
    expect(curlCalls(toCurl(e, { reveal: true }))[1]!.join(" ")).not.toMatch(/cookie/);
  });

  test("credentials unknown: inferred from the evidence (a Cookie on the wire means include)", () => {
    expect(toCurl(ex({ credentials: "unknown", sentHeaders: { cookie: "a=1" } }))).toMatch(/credentials: include, inferred/);
    expect(toFetch(ex({ credentials: "unknown" }))).toMatch(/"credentials": "same-origin"/);
  });

  test("redirects: replays the first hop and says so; hop N replays later hops with fetch's method change and Origin null", () => {
    const B = "https://b.example/y";
    const e = ex({ method: "PUT", hops: [
      { url: API, preflight: { status: 204, headers: {} }, response: { status: 303, headers: { location: B } } },
      { url: B, preflight: null, response: { status: 200, headers: {} } },
    ] });
    const first = toCurl(e);
    expect(first).toMatch(/followed 1 redirect .*replays hop 1 of 2 only/);
    expect(curlCalls(first).map((c) => c[3])).toEqual([API, API]);
    const second = curlCalls(toCurl(e, { hop: 1 }));
    // 303 turns PUT into GET; api -> b from a URL not of the page's origin taints it: Origin null.
    expect(second).toEqual([
      ["-i", "-X", "OPTIONS", B, "-H", "origin: null", "-H", "access-control-request-method: GET", "-H", "access-control-request-headers: x-trace"],
      ["-i", B, "-H", "origin: null", "-H", "x-trace: 1"],
    ]);
    expect(curlCalls(toCurl(e, { hop: 99 }))[1]![1]).toBe(B); // clamped
  });

  test("an empty header value uses curl's `name;` syntax; globs in the URL are turned off", () => {
    const url = "https://api.example/x?a[0]={1}";
    const e = ex({ url, headers: { "x-trace": "" }, hops: [{ url, preflight: null, response: null }] });
    const calls = curlCalls(toCurl(e));
    expect(calls[1]).toEqual(["-i", "--globoff", "-X", "PUT", url, "-H", `origin: ${APP}`, "-H", "x-trace;"]);
    // Never answered (the preflight failed): the empty value may be an unknown one, and the text says so.
    expect(toCurl(e)).toMatch(/may be unknown rather than empty: x-trace/);
    expect(toCurl(ex({ headers: { "x-trace": "" } }))).not.toMatch(/may be unknown/);
  });

  test("hostile values stay inside their word; invalid header names (curl's @file) are skipped, comments stay one line", () => {
    const evil = `a'b"c $(echo x) \`echo y\` \\ ; rm -rf / #\n'; touch /tmp/pwned; '`;
    const url = `https://api.example/x'$(rm -rf /)\n; rm -rf /`;
    const e = ex({ url, method: "PUT", headers: { "x-trace": evil, "@/etc/passwd": "1", "x y": "2" },
      sentHeaders: { cookie: evil }, hops: [{ url, preflight: null, response: null }] });
    for (const shell of SHELLS) {
      const calls = curlCalls(toCurl(e, { reveal: true }), shell);
      expect(calls).toHaveLength(2);
      const line = evil.replace(/\n/g, " ");
      expect(calls[1]).toEqual(["-i", "-X", "PUT", url, "-H", `origin: ${APP}`, "-H", `x-trace: ${line}`, "-H", `cookie: ${line}`]);
    }
    expect(toCurl(e)).toMatch(/Skipped header names that are not valid tokens: @\/etc\/passwd, x y/);
  });

  test("property: any URL, header value and origin reach curl as exactly one word each", () => {
    const text = fc.string({ unit: "binary", maxLength: 40 });
    fc.assert(fc.property(text, text, text, (path, value, origin) => {
      const url = `https://api.example/${path}`;
      const e = ex({ url, origin, headers: { "x-trace": value }, hops: [{ url, preflight: null, response: null }] });
      const calls = curlCalls(toCurl(e));
      const clean = (s: string) => s.replace(/\0/g, "");
      const line = (s: string) => s.replace(/[\r\n\0]/g, " ");
      const actual = calls[calls.length - 1]!;
      const urlWord = /[[\]{}]/.test(url) ? actual.slice(4, 5) : actual.slice(3, 4);
      expect(urlWord).toEqual([clean(url)]);
      expect(actual).toContain(origin === "" ? "origin;" : `origin: ${line(origin)}`);
      expect(actual).toContain(value === "" ? "x-trace;" : `x-trace: ${line(value)}`);
    }), { numRuns: 60, seed: 6 });
  });

  test("shellQuote: the textbook quote-close, escaped quote, quote-open", () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote("")).toBe("''");
  });
});

// ---- fetch ----

type Node = acorn.Node & Record<string, any>;

/** Parses the snippet: exactly one statement, a fetch(url, {…}) call; returns the URL and the options as values. */
function parseFetch(text: string): { url: string; options: Record<string, unknown>; comments: number } {
  const comments: acorn.Comment[] = [];
  const ast = acorn.parse(text, { ecmaVersion: 2022, onComment: comments }) as Node;
  expect(ast.body).toHaveLength(1);
  const call = ast.body[0].expression as Node;
  expect(call.type).toBe("CallExpression");
  expect(call.callee).toMatchObject({ type: "Identifier", name: "fetch" });
  expect(call.arguments).toHaveLength(2);
  const value = (n: Node): unknown => {
    if (n.type === "Literal") return n.value;
    if (n.type === "ObjectExpression") {
      const o: Record<string, unknown> = {};
      for (const p of n.properties as Node[]) {
        expect(p.type).toBe("Property");
        expect(p.computed).toBe(false);
        o[p.key.type === "Literal" ? p.key.value : p.key.name] = value(p.value);
      }
      return o;
    }
    throw new Error(`unexpected ${n.type}`);
  };
  return { url: value(call.arguments[0]) as string, options: value(call.arguments[1]) as Record<string, unknown>, comments: comments.length };
}

describe("toFetch", () => {
  test("DevTools' shape: fetch(url, { headers, body, method, mode, credentials })", () => {
    const { url, options } = parseFetch(toFetch(ex()));
    expect(url).toBe(API);
    expect(options).toEqual({ headers: { "x-trace": "1" }, body: null, method: "PUT", mode: "cors", credentials: "include" });
    expect(Object.keys(options)).toEqual(["headers", "body", "method", "mode", "credentials"]);
  });

  test("a redirect chain says which hop it replays and follows redirects, as the page did", () => {
    const B = "https://b.example/y";
    const text = toFetch(ex({ hops: [
      { url: API, preflight: null, response: { status: 307, headers: { location: B } } },
      { url: B, preflight: null, response: null },
    ] }));
    expect(text).toMatch(/^\/\/ .*replays hop 1 of 2/m);
    expect(parseFetch(text).options.redirect).toBe("follow");
  });

  test("secrets masked by default, shown after reveal; cookies are the browser's (credentials), not a header", () => {
    const e = ex({ headers: { authorization: "Bearer s3cret" }, sentHeaders: { cookie: "sid=abc" } });
    expect(parseFetch(toFetch(e)).options.headers).toEqual({ authorization: "[masked]" });
    expect(parseFetch(toFetch(e, { reveal: true })).options.headers).toEqual({ authorization: "Bearer s3cret" });
    expect(toFetch(e, { reveal: true })).not.toMatch(/sid=abc/);
  });

  test("mode and credentials as recorded", () => {
    expect(parseFetch(toFetch(ex({ mode: "no-cors", credentials: "omit" }))).options).toMatchObject({ mode: "no-cors", credentials: "omit" });
  });

  test("property: hostile URL, header names, values and comments never break out of their literal", () => {
    const s = fc.string({ unit: "binary", maxLength: 40 });
    fc.assert(fc.property(s, s, s, (path, value, origin) => {
      const url = `https://api.example/${path}\u2028*/\n})//`;
      const e = ex({ url, origin, headers: { "x-trace": value, "x-b": `${value}"');` }, hops: [{ url, preflight: null, response: null }] });
      const parsed = parseFetch(toFetch(e));
      expect(parsed.url).toBe(url);
      expect(parsed.options.headers).toEqual({ "x-trace": value, "x-b": `${value}"');` });
    }), { numRuns: 200, seed: 6 });
  });

  test("strings are double-quoted (DevTools' style) and cannot close a <script> or break a line", () => {
    const url = `${API}?q=</script>\u2028\u2029`;
    const text = toFetch(ex({ url, hops: [{ url, preflight: null, response: null }] }));
    const call = text.slice(text.indexOf("fetch("));
    expect(call).toContain('fetch("https://');
    expect(call.toLowerCase()).not.toContain("</script");
    expect(call).not.toMatch(/[\u2028\u2029]/);
    expect(parseFetch(text).url).toBe(url);
  });
});
