// Export: toHar (Chrome-style HAR 1.2) and toReport, and the round trip through what `cors-lens
// explain` reads: exchange -> toHar -> readHar -> diagnose must give diagnose(exchange)'s verdict,
// for every oracle scenario (test/scenarios) and for random exchanges.
import fc from "fast-check";
import type { Har } from "har-format";
import { run, type CliIO } from "../../src/cli/run";
import { diagnose } from "../../src/core/diagnose";
import { readExchange } from "../../src/core/exchange";
import { isHar, readHar } from "../../src/core/har";
import { isReport, REPORT_FORMAT, REPORT_VERSION, toHar, toReport, type ChromeHar, type ChromeHarEntry, type ExportItem } from "../../src/core/har-export";
import type { Diagnosis, Exchange, Headers, Hop } from "../../src/core/types";
import { API, APP, cors, exchange, preflight, response, type ExchangeSpec } from "../fixtures/exchange";
import { planRuns } from "../lab/runner";
import type { Lab } from "../lab/server";
import { scenarios } from "../scenarios";

/** Fixture factory: a credentialed PUT with x-trace from APP to API, preflight and response passing. */
function ex(over: ExchangeSpec = {}): Exchange {
  return exchange({
    id: "t1", headers: { "x-trace": "1" },
    preflight: preflight(cors({ credentials: true, methods: "PUT", headers: "x-trace" })),
    response: response(200, cors({ credentials: true })),
    ...over,
  });
}

const logOf = (doc: ChromeHar) => doc.log;
const hdr = (list: Array<{ name: string; value: string }>, name: string) => list.filter((h) => h.name === name).map((h) => h.value);

function readBack(list: Exchange[]): Exchange[] {
  // Through JSON, as a file would be.
  const r = readHar(JSON.parse(JSON.stringify(toHar(list))));
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

type Verdict = Pick<Diagnosis, "blocked" | "stage" | "hop" | "code" | "failedParameter">;
const verdict = (d: Diagnosis): Verdict =>
  ({ blocked: d.blocked, stage: d.stage, hop: d.hop, code: d.code, failedParameter: d.failedParameter });

describe("toHar: Chrome's shape", () => {
  test("a preflighted request: the request entry, then its preflight entry (_resourceType preflight, _initiator preflight)", () => {
    const log = logOf(toHar([ex()], { now: Date.UTC(2026, 0, 1), pageUrl: "https://app.example/page" }));
    expect(log.version).toBe("1.2");
    expect(log.creator.name).toBe("CORS Lens");
    expect(log.pages[0]!.title).toBe("https://app.example/page");
    expect(log.entries).toHaveLength(2);
    const [req, pre] = log.entries as [ChromeHarEntry, ChromeHarEntry];
    expect(req.request.method).toBe("PUT");
    expect(req._resourceType).toBe("fetch");
    expect(hdr(req.request.headers, "origin")).toEqual([APP]);
    expect(hdr(req.request.headers, "x-trace")).toEqual(["1"]);
    expect(req._corsLens).toMatchObject({ v: 1, id: "t1", credentials: "include", mode: "cors" });
    expect(pre.request.method).toBe("OPTIONS");
    expect(pre._resourceType).toBe("preflight");
    expect(pre._initiator).toMatchObject({ type: "preflight", url: API });
    expect(hdr(pre.request.headers, "access-control-request-method")).toEqual(["PUT"]);
    expect(hdr(pre.request.headers, "access-control-request-headers")).toEqual(["x-trace"]);
    expect(pre.response.status).toBe(204);
    // Chrome: the preflight starts just after the request it precedes.
    expect(Date.parse(pre.startedDateTime)).toBeGreaterThan(Date.parse(req.startedDateTime));
    expect(isHar(toHar([ex()]))).toBe(true);
  });

  test("every entry carries HAR 1.2's required fields (har-format's Har, checked by the compiler too)", () => {
    const har: Har = toHar([ex(), ex({ id: "t2", browserError: "net::ERR_FAILED", hops: [{ url: API, preflight: { status: 403, headers: {} }, response: null }] })]);
    for (const e of har.log.entries) {
      expect(Object.keys(e)).toEqual(expect.arrayContaining(["startedDateTime", "time", "request", "response", "cache", "timings"]));
      expect(Object.keys(e.request)).toEqual(expect.arrayContaining(["method", "url", "httpVersion", "cookies", "headers", "queryString", "headersSize", "bodySize"]));
      expect(Object.keys(e.response)).toEqual(expect.arrayContaining(["status", "statusText", "httpVersion", "cookies", "headers", "content", "redirectURL", "headersSize", "bodySize"]));
      expect(typeof e.timings.wait + typeof e.timings.receive).toBe("numbernumber");
    }
    expect(har.log.pages![0]).toMatchObject({ id: "page_1", pageTimings: {} });
  });

  test("a simple GET has no preflight entry", () => {
    const log = logOf(toHar([ex({ method: "GET", headers: {}, hops: [{ url: API, preflight: null, response: { status: 200, headers: {} } }] })]));
    expect(log.entries).toHaveLength(1);
  });

  test("redirects: one entry per hop, the 3xx with redirectURL; a POST after 302 becomes a GET; Origin null once tainted", () => {
    const B = "https://b.example/y";
    const C = "https://c.example/z";
    const log = logOf(toHar([ex({ method: "POST", headers: { "content-type": "text/plain" }, hops: [
      { url: API, preflight: null, response: { status: 302, headers: { location: B } } },
      { url: B, preflight: null, response: { status: 307, headers: { location: "/z2" } } },
      { url: "https://b.example/z2", preflight: null, response: { status: 200, headers: {} } },
    ] })]));
    void C;
    expect(log.entries.map((e) => [e.request.method, e.request.url, e.response.redirectURL])).toEqual([
      ["POST", API, B], ["GET", B, "https://b.example/z2"], ["GET", "https://b.example/z2", ""]]);
    // api -> b crosses origins from a URL not of the page's origin: the next hops send Origin: null.
    expect(log.entries.map((e) => hdr(e.request.headers, "origin")[0])).toEqual([APP, "null", "null"]);
    expect(log.entries.filter((e) => e._corsLens)).toHaveLength(1);
  });

  test("the browser's error goes on the last entry; a request never answered has status 0 and no headers", () => {
    const log = logOf(toHar([ex({ browserError: "net::ERR_FAILED", hops: [{ url: API, preflight: { status: 403, headers: {} }, response: null }] })]));
    const [req, pre] = log.entries as [ChromeHarEntry, ChromeHarEntry];
    expect(req.response).toMatchObject({ status: 0, headers: [], _error: "net::ERR_FAILED" });
    expect(pre.response.status).toBe(403);
    expect("_error" in pre.response).toBe(false);
  });

  test("browserError null is exported as _error null; absent stays absent", () => {
    expect(logOf(toHar([ex({ browserError: null })])).entries[0]!.response._error).toBeNull();
    expect("_error" in logOf(toHar([ex()])).entries[0]!.response).toBe(false);
  });

  test("a cached preflight is an OPTIONS entry marked _fromCache with no response, read back as preflightCached", () => {
    const e = ex({ hops: [{ url: API, preflight: null, preflightCached: true, response: { status: 200, headers: { "access-control-allow-origin": APP, "access-control-allow-credentials": "true" } } }] });
    const log = logOf(toHar([e]));
    expect(log.entries[1]).toMatchObject({ _fromCache: "memory", response: { status: 0, headers: [] } });
    const back = readBack([e])[0]!;
    expect(back.hops[0]).toMatchObject({ preflight: null, preflightCached: true });
    expect(diagnose(back).warnings.map((w) => w.code)).toEqual(diagnose(e).warnings.map((w) => w.code));
  });

  test("secrets are masked by default (the value says so), and exported as they are once revealed", () => {
    const e = ex({ headers: { "x-trace": "1", authorization: "Bearer s3cret" }, sentHeaders: { cookie: "sid=abc" } });
    e.hops[0]!.response!.headers["set-cookie"] = ["a=1", "b=2"];
    const masked = JSON.stringify(toHar([e]));
    expect(masked).not.toMatch(/s3cret|sid=abc|a=1/);
    const log = logOf(toHar([e]));
    expect(hdr(log.entries[0]!.request.headers, "authorization")).toEqual(["[masked]"]);
    expect(hdr(log.entries[0]!.request.headers, "cookie")).toEqual(["[masked]"]);
    expect(hdr(log.entries[0]!.response.headers, "set-cookie")).toEqual(["[masked]", "[masked]"]);
    expect(log.entries[0]!._corsLens?.masked).toBe(true);
    expect(log.creator.comment).toMatch(/masked/);
    const revealed = JSON.stringify(toHar([e], { reveal: true }));
    expect(revealed).toMatch(/Bearer s3cret/);
    expect(revealed).toMatch(/sid=abc/);
    // The panel's own notion of a secret and its mask text are honoured.
    const custom = logOf(toHar([e], { isSecret: (n) => n === "x-trace", mask: "<hidden>" }));
    expect(hdr(custom.entries[0]!.request.headers, "x-trace")).toEqual(["<hidden>"]);
    expect(hdr(custom.entries[0]!.request.headers, "authorization")).toEqual(["Bearer s3cret"]);
  });

  test("reveal per exchange: only the requests the user revealed leave unmasked, in the HAR and the report", () => {
    const a = ex({ id: "a", headers: { authorization: "Bearer aaa" } });
    const b = ex({ id: "b", headers: { authorization: "Bearer bbb" } });
    const meta = { reveal: (id: string) => id === "b" };
    const har = JSON.stringify(toHar([a, b], meta));
    expect(har).not.toMatch(/Bearer aaa/);
    expect(har).toMatch(/Bearer bbb/);
    expect(logOf(toHar([a, b], meta)).creator.comment).toMatch(/except in the requests the user revealed/);
    const report = toReport([a, b], meta);
    expect(report.items.map((i) => i.exchange.request.headers.authorization)).toEqual(["[masked]", "Bearer bbb"]);
  });

  test("the initiator goes back into Chrome's _initiator stack and reads back the same", () => {
    const e = ex({ initiator: "https://app.example/app.js:12:5" });
    expect(logOf(toHar([e])).entries[0]!._initiator).toMatchObject({ type: "script", stack: { callFrames: [{ lineNumber: 11, columnNumber: 4 }] } });
    expect(readBack([e])[0]!.initiator).toBe("https://app.example/app.js:12:5");
  });

  test("entries keep their start times, in order, and an XHR is _resourceType xhr", () => {
    const items: ExportItem[] = [
      { exchange: ex({ id: "a" }), start: Date.UTC(2026, 0, 1, 10), type: "xmlhttprequest" },
      { exchange: ex({ id: "b" }), start: Date.UTC(2026, 0, 1, 9) },
    ];
    const log = logOf(toHar(items));
    expect(log.entries[0]!._resourceType).toBe("xhr");
    const times = log.entries.map((e) => Date.parse(e.startedDateTime));
    expect([...times].sort((x, y) => x - y)).toEqual(times);
    expect(readBack(items.map((i) => i.exchange)).map((x) => x.id)).toEqual(["a", "b"]);
  });

  test("hostile header names and values are data, not structure: the HAR is valid JSON and reads back", () => {
    const evil = `"},{"name":"x","value":"</script><img onerror=alert(1)>\u2028\n`;
    const e = ex({ headers: { "x-trace": evil } });
    e.hops[0]!.response!.headers["x-evil"] = evil;
    const back = readBack([e])[0]!;
    expect(back.request.headers["x-trace"]).toBe(evil);
    expect(back.hops[0]!.response!.headers["x-evil"]).toBe(evil);
  });
});

describe("toReport", () => {
  test("a versioned report: format, version, the diagnosis given (the panel's) or computed, secrets masked", () => {
    const e = ex({ headers: { "x-trace": "1", authorization: "Bearer s3cret" } });
    const given = { ...diagnose(e), message: "as the panel showed it" };
    const r = toReport([{ exchange: e, diagnosis: given }, ex({ id: "t2" })], { version: "9.9.9", now: 0 });
    expect(r).toMatchObject({ format: REPORT_FORMAT, version: REPORT_VERSION, generator: "CORS Lens 9.9.9", created: "1970-01-01T00:00:00.000Z" });
    expect(r.items[0]!.diagnosis.message).toBe("as the panel showed it");
    expect(r.items[1]!.diagnosis).toEqual(diagnose(ex({ id: "t2" })));
    expect(r.items[0]!.exchange.request.headers.authorization).toBe("[masked]");
    expect(JSON.stringify(r)).not.toMatch(/s3cret/);
    expect(toReport([e], { reveal: true }).items[0]!.exchange.request.headers.authorization).toBe("Bearer s3cret");
    expect(isReport(JSON.parse(JSON.stringify(r)))).toBe(true);
    expect(isReport({ log: {} })).toBe(false);
  });
});

// ---- The round trip ----

/** The 338 oracle scenarios as exchanges, in every credentials mode the oracle runs them in. */
function scenarioExchanges(): Exchange[] {
  const lab = {
    port: 8123,
    origin: (host: string, scheme = "http") => `${scheme}://${host}:8123`,
    hopUrl: (key: string, hop: number, host = "api.example", scheme = "http") => `${scheme}://${host}:8123/s/${key}/h${hop}`,
  } as unknown as Lab;
  // Through readExchange, as the extension's capture and the CLI see them (header names lower-cased).
  return planRuns(scenarios, lab, { nonce: "rt", fetchCredentials: ["omit", "same-origin", "include"] }).map((r) => {
    const read = readExchange(r.exchange);
    if (!read.ok) throw new Error(`${r.id}: ${read.error}`);
    return read.value;
  });
}

function mismatches(list: Exchange[], back: Exchange[]): string[] {
  const out: string[] = [];
  const byId = new Map(back.map((b) => [b.id, b]));
  for (const e of list) {
    const b = byId.get(e.id);
    if (!b) {
      out.push(`${e.id}: not read back`);
      continue;
    }
    const want = verdict(diagnose(e));
    const got = verdict(diagnose(b));
    if (JSON.stringify(want) !== JSON.stringify(got)) out.push(`${e.id}: ${JSON.stringify(want)} != ${JSON.stringify(got)}`);
  }
  return out;
}

describe("round trip: exchange -> toHar -> readHar -> diagnose", () => {
  const list = scenarioExchanges();

  test(`every oracle scenario (${scenarios.length} scenarios, ${list.length} runs) keeps its verdict`, () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(338);
    const back = readBack(list);
    const ids = new Set(list.map((e) => e.id));
    expect(back.filter((b) => !ids.has(b.id)).map((b) => `${b.id} ${b.request.method} ${b.request.url}`)).toEqual([]);
    expect(mismatches(list, back)).toEqual([]);
    expect(back).toHaveLength(list.length);
  });

  test("each scenario also round-trips exported alone (no help from neighbours when pairing)", () => {
    const bad: string[] = [];
    for (const e of list) bad.push(...mismatches([e], readBack([e])));
    expect(bad).toEqual([]);
  });

  test("the report read by `cors-lens explain --json` gives the same verdicts", async () => {
    const report = JSON.stringify(toReport(list));
    let out = "";
    const io: CliIO = {
      stdout: { write: (s: string) => (out += s) }, stderr: { write: () => {} },
      readFile: async () => report,
    };
    const code = await run(["explain", "report.json", "--json"], io);
    expect(code).toBe(1);
    const got = JSON.parse(out) as Diagnosis[];
    expect(got.map(verdict)).toEqual(list.map((e) => verdict(diagnose(e))));
  });

  test("the HAR read by `cors-lens explain --json` gives the same verdicts", async () => {
    const har = JSON.stringify(toHar(list));
    let out = "";
    const io: CliIO = {
      stdout: { write: (s: string) => (out += s) }, stderr: { write: () => {} },
      readFile: async () => har,
    };
    await run(["explain", "export.har", "--json"], io);
    const got = JSON.parse(out) as Diagnosis[];
    expect(got.map(verdict)).toEqual(list.map((e) => verdict(diagnose(e))));
  });

  // Random exchanges: hops chained by Location, CORS headers drawn from values that pass and fail.
  const origin = fc.constantFrom(APP, "null", "http://localhost:5173");
  const hosts = ["https://api.example", "https://b.example", APP];
  const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
  const corsHeaders = fc.record({
    "access-control-allow-origin": maybe(fc.constantFrom(APP, "*", "null", `${APP}, ${APP}`, "https://evil.example", "")),
    "access-control-allow-credentials": maybe(fc.constantFrom("true", "TRUE", "false")),
    "access-control-allow-methods": maybe(fc.constantFrom("PUT", "*", "GET, POST", "put", "PATCH", "x y")),
    "access-control-allow-headers": maybe(fc.constantFrom("x-trace", "*", "content-type", "X-Trace, authorization", "x,,")),
    "access-control-max-age": maybe(fc.constantFrom("600", "86400")),
    vary: maybe(fc.constant("Origin")),
  }).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as Headers);
  const record = fc.option(fc.record({ status: fc.constantFrom(200, 204, 403, 500), headers: corsHeaders }), { nil: null });
  const arbExchange = fc.record({
    origin,
    credentials: fc.constantFrom("include" as const, "omit" as const, "same-origin" as const, "unknown" as const),
    mode: fc.constantFrom("cors" as const, "cors" as const, "no-cors" as const, "same-origin" as const),
    method: fc.constantFrom("GET", "POST", "PUT", "patch", "delete", "HEAD"),
    headers: fc.constantFrom<Headers>({}, { "x-trace": "1" }, { "content-type": "application/json" }, { "content-type": "text/plain" },
      { authorization: "Bearer z" }, { "x-trace": "1", accept: "x" }),
    cookie: fc.boolean(),
    browserError: fc.constantFrom<string | null | undefined>(undefined, null, "net::ERR_FAILED", "net::ERR_NAME_NOT_RESOLVED"),
    hops: fc.array(fc.record({
      host: fc.constantFrom(...hosts), preflight: record, response: record,
      redirect: fc.constantFrom(301, 302, 303, 307, 308), cached: fc.boolean(),
    }), { minLength: 1, maxLength: 4 }),
  }).map((r): Exchange => {
    const urls = r.hops.map((h, i) => `${h.host}/p${i}`);
    const hops: Hop[] = r.hops.map((h, i) => {
      const last = i === r.hops.length - 1;
      let response: Hop["response"] = h.response;
      if (!last) response = { status: h.redirect, headers: { ...(response?.headers ?? {}), location: urls[i + 1]! } };
      const hop: Hop = { url: urls[i]!, preflight: h.preflight, response };
      if (h.cached && !h.preflight) hop.preflightCached = true;
      return hop;
    });
    const e: Exchange = {
      id: "r",
      request: { url: urls[0]!, method: r.method, origin: r.origin, credentials: r.credentials, mode: r.mode, headers: r.headers,
        ...(r.cookie ? { sentHeaders: { cookie: "sid=1" } } : {}) },
      hops,
    };
    if (r.browserError !== undefined) e.browserError = r.browserError;
    return e;
  });

  test("random exchanges keep their verdict (and their warnings' codes)", () => {
    fc.assert(fc.property(arbExchange, (e) => {
      const back = readBack([e]);
      expect(back).toHaveLength(1);
      expect(verdict(diagnose(back[0]!))).toEqual(verdict(diagnose(e)));
      expect(diagnose(back[0]!).warnings.map((w) => w.code)).toEqual(diagnose(e).warnings.map((w) => w.code));
    }), { numRuns: 400, seed: 6 });
  });
});
