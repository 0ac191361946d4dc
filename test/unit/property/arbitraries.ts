// Generators of untrusted input for the property tests: exchange JSON and HAR documents as they arrive
// from a file or a page (raw JSON values, not the canonical types), with the shapes that break parsers:
// repeated header lines, empty values, non-ASCII, 64 KB values, hundreds of headers, odd casing and
// whitespace, invalid URLs, methods and origins. Small pools make matches (ACAO == origin, same-origin
// hops) frequent enough for every branch of diagnose() to be reached.
import fc from "fast-check";

/** Fixed seed for every property: fast-check prints it (and the shrunk path) on failure. */
export const SEED = Number(process.env.PROPERTY_SEED ?? 20261122);
/** Scales every numRuns (PROPERTY_RUNS=5 for a long soak). */
export const RUNS = (n: number) => Math.max(1, Math.round(n * Number(process.env.PROPERTY_RUNS ?? 1)));

/** A marker that must never appear in a snippet outside a string literal (it only comes from input). */
export const MARK = "zq";

export const HOSTS = ["api.example", "app.example", "API.Example", "xn--bcher-kva.example", "[::1]", "127.0.0.1", "bücher.example", "a"];
export const SCHEMES = ["https", "http", "HTTPS", "ftp", "data", "chrome-extension", "file", "ws"];

const hostileChar = fc.constantFrom(
  "'", '"', "\\", "\n", "\r", "\t", "\0", "$", "`", "{", "}", "#", "<", ">", "%", ";", "|", "*", " ", ",",
  "\u2028", "\u2029", "\x7f", "\x1b", "é", "中", "😀", "\uD800", "\uDC00", "\u202e", "\uFEFF", MARK,
);
/** Short strings made of the characters that break quoting, mixed with random code units. */
export const hostileString = fc.string({
  unit: fc.oneof({ weight: 3, arbitrary: hostileChar }, { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) }),
  maxLength: 16,
});

const port = fc.oneof(fc.constant(""), fc.constantFrom(":443", ":80", ":8080", ":0", ":65535", ":99999", ":x"));

/** Origins: the common good ones often, then odd, invalid and hostile ones. */
export const originArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("https://app.example", "http://localhost:5173", "https://api.example") },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...SCHEMES), fc.constantFrom(...HOSTS), port).map(([s, h, p]) => `${s}://${h}${p}`) },
  { weight: 1, arbitrary: fc.constantFrom("null", "", "*", "https://app.example/", "https://app.example/path", "HTTPS://APP.EXAMPLE", " https://app.example", "app.example", "https://user:pw@app.example") },
  { weight: 2, arbitrary: hostileString.map((s) => `https://evil.example${s}`) },
  { weight: 1, arbitrary: hostileString },
);

const pathArb = fc.oneof(fc.constantFrom("/x", "/", "/v1/orders?q=1", "/a#frag", "/%zz", "/é"), hostileString.map((s) => "/" + s));
/** URLs: mostly valid http(s) on a few hosts, sometimes other schemes, relative or unparseable. */
export const urlArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(fc.constantFrom("https", "http"), fc.constantFrom("api.example", "app.example", "localhost:5173", "other.example"), pathArb).map(([s, h, p]) => `${s}://${h}${p}`) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...SCHEMES), fc.constantFrom(...HOSTS), port, pathArb).map(([s, h, p, q]) => `${s}://${h}${p}${q}`) },
  { weight: 1, arbitrary: fc.constantFrom("", "/relative", "https://", "http://[::1", "https://user:pw@api.example/x", "data:,x", "javascript:alert(1)", "https://a b.example/") },
  { weight: 1, arbitrary: hostileString },
);

export const methodArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "get", "post", "patch", "Delete", "PROPFIND") },
  { weight: 1, arbitrary: fc.constantFrom("", " GET", "GE T", "CONNECT", "TRACE", "TRACK", "x".repeat(65)) },
  { weight: 1, arbitrary: hostileString },
);

export const credentialsArb = fc.constantFrom("include", "same-origin", "omit", "unknown", undefined, "INCLUDE", "", 1);
export const modeArb = fc.constantFrom("cors", "cors", "cors", "no-cors", "same-origin", undefined, "navigate");

const REQUEST_NAMES = [
  "content-type", "accept", "accept-language", "content-language", "range", "x-token", "x-csrf-token", "authorization",
  "cookie", "origin", "user-agent", "x-requested-with", "cache-control", "x-a!b#c", "x zz", "", "__proto__", "constructor",
];
const RESPONSE_NAMES = [
  "access-control-allow-origin", "access-control-allow-credentials", "access-control-allow-methods",
  "access-control-allow-headers", "access-control-expose-headers", "access-control-max-age", "vary", "location",
  "content-type", "set-cookie", "x-other", "access-control-allow-private-network", "__proto__",
];

/** The values that matter for each CORS header, plus random and hostile ones. */
function valuesFor(name: string): fc.Arbitrary<string> {
  const pick: Record<string, string[]> = {
    "access-control-allow-origin": ["https://app.example", "http://localhost:5173", "*", "null", "https://app.example/", "HTTPS://APP.EXAMPLE", "https://app.example, https://b.example", " https://app.example ", ""],
    "access-control-allow-credentials": ["true", "TRUE", "false", "", " true"],
    "access-control-allow-methods": ["GET, POST", "PUT", "*", "put", "GET,,PUT", "GET; PUT", "", "PATCH, DELETE, PUT"],
    "access-control-allow-headers": ["x-token", "*", "X-Token, content-type", "authorization", "x token", "", "x-csrf-token,x-token"],
    "access-control-expose-headers": ["*", "x-request-id, etag", "", "x id"],
    "access-control-max-age": ["600", "86400", "-1", "abc"],
    vary: ["Origin", "origin, accept", "*", ""],
    location: ["https://other.example/y", "/relative", "https://user:pw@api.example/z", "data:,x", "ftp://a.example/", "http://[::1", "https://app.example/back"],
    "content-type": ["application/json", "text/plain", "text/plain;charset=utf-8", "multipart/form-data; boundary=x"],
  };
  const key = name.trim().toLowerCase();
  const known = Object.hasOwn(pick, key) ? pick[key]! : null;
  return fc.oneof(
    { weight: known ? 6 : 0, arbitrary: fc.constantFrom(...(known ?? ["x"])) },
    { weight: 2, arbitrary: hostileString },
    { weight: 1, arbitrary: fc.constantFrom("", " ", "\t \t", "é中😀") },
  );
}

/** Odd casing and surrounding whitespace on a header name. */
const mangle = (name: fc.Arbitrary<string>) =>
  fc.tuple(name, fc.constantFrom("lower", "upper", "mixed"), fc.constantFrom("", " ", "\t", "  ")).map(([n, c, ws]) => {
    const cased = c === "lower" ? n : c === "upper" ? n.toUpperCase() : n.replace(/(^|-)([a-z])/g, (_, d: string, ch: string) => d + ch.toUpperCase());
    return ws + cased + (ws === "\t" ? " " : ws);
  });

export type RawHeaderLine = [string, string];

/** A header list: names from the pool (mangled), hostile names, repeats; sometimes huge. */
export function headerLines(names: string[], opts: { big?: boolean } = {}): fc.Arbitrary<RawHeaderLine[]> {
  const name = fc.oneof({ weight: 8, arbitrary: mangle(fc.constantFrom(...names)) }, { weight: 1, arbitrary: hostileString });
  const line = name.chain((n) => valuesFor(n).map((v): RawHeaderLine => [n, v]));
  const normal = fc.array(line, { maxLength: 8 });
  if (!opts.big) return normal;
  return fc.oneof(
    { weight: 20, arbitrary: normal },
    // 500 headers, many repeated lines of the same name.
    { weight: 1, arbitrary: fc.tuple(normal, fc.constantFrom(...names)).map(([l, n]) => [...l, ...Array.from({ length: 500 }, (_, i): RawHeaderLine => [i % 2 ? n : `x-h${i}`, String(i)])]) },
    // One 64 KB value (a CORS header or not).
    { weight: 1, arbitrary: fc.tuple(normal, fc.constantFrom(...names), fc.constantFrom("a", ",", " ", "é", "x-token, ")).map(([l, n, c]) => [...l, [n, c.repeat(Math.ceil(65536 / c.length))] as RawHeaderLine]) },
  );
}

/** Header lines as the exchange format carries them: an object (repeats as arrays) or a HAR-style list. */
export function headerContainer(lines: RawHeaderLine[], style: "object" | "list" | "numbers"): unknown {
  if (style === "list") return lines.map(([name, value]) => ({ name, value }));
  const out: Record<string, string | number | Array<string | number>> = {};
  for (const [name, value] of lines) {
    const v: string | number = style === "numbers" && /^\d{1,6}$/.test(value) ? Number(value) : value;
    // defineProperty: a "__proto__" name is an own key, as JSON.parse would make it.
    const prev = Object.prototype.hasOwnProperty.call(out, name) ? out[name] : undefined;
    Object.defineProperty(out, name, { value: prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v], enumerable: true, writable: true, configurable: true });
  }
  return out;
}

const containerStyle = fc.constantFrom("object", "object", "list", "numbers") as fc.Arbitrary<"object" | "list" | "numbers">;
const headersArb = (names: string[], big = false) =>
  fc.tuple(headerLines(names, { big }), containerStyle).map(([l, s]) => headerContainer(l, s));

const statusArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(200, 204, 301, 302, 303, 307, 308, 401, 403, 500) },
  { weight: 1, arbitrary: fc.constantFrom(0, 99, 999, 1000, -1, "204", "2x", 204.5, null) },
);

const responseArb = (big: boolean) =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 6, arbitrary: fc.record({ status: statusArb, headers: headersArb(RESPONSE_NAMES, big) }) },
  );

const hopArb = (big: boolean) =>
  fc.record(
    { url: urlArb, preflight: responseArb(big), response: responseArb(big), preflightCached: fc.constantFrom(true, false, "yes") },
    { requiredKeys: ["url", "response"] },
  );

const goodUrlArb = fc.tuple(fc.constantFrom("https", "http"), fc.constantFrom("api.example", "app.example", "localhost:5173", "other.example"), fc.constantFrom("/x", "/", "/v1/orders?q=1", "/a b", " /t\tab"))
  .map(([s, h, p]) => `${s}://${h}${p}`);
const goodStatus = fc.constantFrom(200, 204, 204, 200, 301, 302, 303, 307, 308, 401, 403, 500);
const goodResponse = (big: boolean) => fc.oneof(
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 6, arbitrary: fc.record({ status: goodStatus, headers: headersArb(RESPONSE_NAMES, big) }) },
);
const goodHopArb = (big: boolean) =>
  fc.record({ url: fc.oneof({ weight: 6, arbitrary: goodUrlArb }, { weight: 1, arbitrary: urlArb }), preflight: goodResponse(big), response: goodResponse(big), preflightCached: fc.constantFrom(true, false) },
    { requiredKeys: ["url", "response", "preflight"] });

export const browserErrorArb = fc.constantFrom("net::ERR_FAILED", "NS_ERROR_DOM_BAD_URI", "net::ERR_CONNECTION_REFUSED", null, undefined, "", 42);

/** A raw exchange JSON value, as a file or a page would hand it over. `big` allows 500-header and 64 KB cases. */
export function rawExchangeArb(opts: { big?: boolean; valid?: boolean } = {}): fc.Arbitrary<Record<string, unknown>> {
  const big = opts.big ?? false;
  // `valid`: mostly values the reader accepts, so that diagnose() and the fixes see many exchanges.
  const v = opts.valid ?? false;
  const request = fc.record(
    {
      url: v ? goodUrlArb : urlArb,
      method: v ? fc.oneof({ weight: 9, arbitrary: fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "get", "patch", "PROPFIND") }, { weight: 1, arbitrary: methodArb }) : methodArb,
      origin: v ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom("https://app.example", "http://localhost:5173", "https://api.example", "null", "http://[::1]:8080") }, { weight: 1, arbitrary: originArb }) : originArb,
      credentials: v ? fc.constantFrom("include", "same-origin", "omit", "unknown", undefined) : credentialsArb,
      mode: v ? fc.constantFrom("cors", "cors", "cors", "cors", "no-cors", "same-origin", undefined) : modeArb,
      headers: headersArb(REQUEST_NAMES, big), sentHeaders: headersArb(REQUEST_NAMES),
    },
    { requiredKeys: ["url", "origin"] },
  );
  return fc.record(
    {
      id: fc.oneof(fc.string({ maxLength: 8 }), fc.nat()),
      request,
      hops: fc.array(v ? goodHopArb(big) : hopArb(big), { minLength: 1, maxLength: 4 }),
      browserError: browserErrorArb,
      initiator: fc.string({ maxLength: 20 }),
    },
    { requiredKeys: ["request", "hops"] },
  ).map((x) => {
    // Keep the first hop on the request URL most of the time (a real record always is). No mutation:
    // fast-check reuses generated values while shrinking.
    const hops = x.hops as Array<Record<string, unknown>>;
    if (!hops.length || (x.id !== undefined && String(x.id).length % 3 === 0)) return x as Record<string, unknown>;
    return { ...x, hops: [{ ...hops[0], url: (x.request as Record<string, unknown>).url }, ...hops.slice(1)] };
  });
}

/** Any JSON value at all (the reader's first line of defence). */
export const anyJson = fc.jsonValue({ maxDepth: 4 });

// ---- HAR --------------------------------------------------------------------------------------------

const timeArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 20_000 }).map((ms) => new Date(Date.UTC(2024, 5, 30, 4, 14, 50) + ms).toISOString()) },
  { weight: 1, arbitrary: fc.constantFrom("", "yesterday", 12, null) },
);

const harEntryArb = fc.record(
  {
    startedDateTime: timeArb,
    _resourceType: fc.constantFrom("fetch", "xhr", "preflight", "preflight", "document", "image", "Fetch", 3),
    _fromCache: fc.constantFrom("disk", "", undefined),
    _corsLens: fc.constantFrom({ v: 1, id: "lens-1", credentials: "include", mode: "cors" }, { v: 1, id: "x\n".repeat(50), credentials: "bad" }, { v: 2 }, undefined),
    pageref: fc.constantFrom("page_1", "page_2", null),
    _initiator: fc.constantFrom(
      { type: "script", stack: { callFrames: [{ url: "http://localhost:5173/app.js", lineNumber: 3, columnNumber: 9 }] } },
      { type: "preflight" }, null, "x",
    ),
    request: fc.record(
      {
        method: fc.oneof({ weight: 20, arbitrary: fc.constantFrom("GET", "PUT", "OPTIONS", "OPTIONS", "POST", "DELETE") }, { weight: 1, arbitrary: methodArb }),
        url: fc.oneof({ weight: 6, arbitrary: goodUrlArb }, { weight: 1, arbitrary: urlArb }),
        headers: fc.tuple(
          // What a browser puts on a CORS request (often), then random and hostile lines.
          fc.option(fc.tuple(fc.constantFrom("http://localhost:5173", "https://app.example", "null", "https://api.example"), fc.constantFrom("cors", "cors", "no-cors", "navigate"), fc.option(fc.constantFrom("PUT", "GET", "DELETE", "patch")), fc.option(fc.constantFrom("x-token", "content-type,x-token", "X-CSRF-Token"))), { freq: 4 }),
          headerLines([...REQUEST_NAMES, "access-control-request-method", "access-control-request-headers", "sec-fetch-mode", "referer"]),
          fc.constantFrom("list", "list", "object") as fc.Arbitrary<"list" | "object">,
        ).map(([base, l, s]) => {
          const lines: RawHeaderLine[] = base ? [["Origin", base[0]], ["Sec-Fetch-Mode", base[1]]] : [];
          if (base?.[2]) lines.push(["Access-Control-Request-Method", base[2]]);
          if (base?.[3]) lines.push(["access-control-request-headers", base[3]]);
          return headerContainer([...lines, ...l], s);
        }),
        cookies: fc.oneof({ weight: 30, arbitrary: fc.constantFrom([], [{ name: "sid", value: "1" }], null) }, { weight: 1, arbitrary: fc.constant("x") }),
      },
      { requiredKeys: ["method", "url"] },
    ),
    response: fc.record(
      {
        status: fc.oneof({ weight: 6, arbitrary: goodStatus }, { weight: 1, arbitrary: statusArb }),
        headers: fc.tuple(headerLines(RESPONSE_NAMES), fc.constantFrom("list", "list", "object") as fc.Arbitrary<"list" | "object">).map(([l, s]) => headerContainer(l, s)),
        redirectURL: fc.constantFrom("", "https://other.example/y", "/z", "::"),
        _error: browserErrorArb,
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ["request"] },
);

/** A HAR document shaped like a DevTools export, with hostile entries mixed in. */
export const rawHarArb = fc.record({
  log: fc.record(
    {
      version: fc.constant("1.2"),
      pages: fc.constantFrom([{ id: "page_1", title: "http://localhost:5173/" }], [], [{ id: "page_2", title: "https://app.example/x" }], "x"),
      entries: fc.array(fc.oneof({ weight: 60, arbitrary: harEntryArb }, { weight: 1, arbitrary: anyJson }), { maxLength: 8 }),
    },
    { requiredKeys: ["entries"] },
  ),
}) as fc.Arbitrary<Record<string, unknown>>;

/** A JSON round trip: what the input looks like after being saved to a file and read back. */
export function roundTrip<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}
