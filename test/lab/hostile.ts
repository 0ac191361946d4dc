// Hostile pages for the e2e tests (test/e2e/hostile.test.ts): page scripts that poke at, rewrap and
// abuse fetch, XMLHttpRequest and EventSource, and record everything a page can observe about them.
// They are plain JavaScript strings so the very same text runs in a browser with and without the
// extension (and can go into an inline <script>); the results must be identical.
import { createServer } from "node:http";
import type { Lab } from "./server";

/**
 * `(async (api) => {...})`: `api` is a cross-origin lab origin. Resolves to a flat record of what the
 * page saw: identities, names, lengths, source text, property descriptors, errors (type, message and
 * the stack frames that are the page's own), how often page getters ran, call logs of the page's own
 * wrappers, and the outcome of real requests.
 */
export const PAGE_PROBE = String.raw`async (api) => {
  const out = {};
  const err = (e) => e && typeof e === "object" ? ("throws " + (e.constructor && e.constructor.name) + " " + e.name + ": " + e.message) : "throws " + String(e);
  const rec = (k, f) => { try { out[k] = f(); } catch (e) { out[k] = err(e); } };
  const recA = async (k, f) => { try { out[k] = await f(); } catch (e) { out[k] = err(e); } };
  const src = (f) => Function.prototype.toString.call(f);
  const desc = (o, k) => { const d = Object.getOwnPropertyDescriptor(o, k); return d && { w: d.writable, e: d.enumerable, c: d.configurable, get: typeof d.get, set: typeof d.set, v: typeof d.value }; };
  const shape = (f) => ({ type: typeof f, name: f.name, length: f.length, src: src(f), str: String(f), own: Object.getOwnPropertyNames(f).sort(), proto: Object.getPrototypeOf(f) === Function.prototype, hasProto: "prototype" in f, ext: Object.isExtensible(f) });
  // The page's own frames of a stack (frames of chrome-extension:// scripts are the extension's).
  const frames = (e) => String(e && e.stack).split("\n").filter((l) => /^\s+at /.test(l)).map((l) => l.trim());
  const url = (p) => api + "/s/probe-" + p + "/h0";

  // ---- Identity and shape ----
  const XHR = XMLHttpRequest, P = XHR.prototype, ES = EventSource;
  rec("fetch", () => shape(fetch));
  rec("fetch.desc", () => desc(window, "fetch"));
  rec("fetch.proto.desc", () => desc(Window.prototype, "fetch"));
  rec("fetch===window.fetch", () => fetch === window.fetch && fetch === self.fetch && fetch === globalThis.fetch);
  rec("fetch.toString.toString", () => src(fetch.toString));
  rec("toString.src", () => src(Function.prototype.toString));
  rec("toString.shape", () => shape(Function.prototype.toString));
  rec("fetch.bind", () => shape(fetch.bind(window)));
  rec("fetch.keys", () => Object.keys(fetch));
  rec("open", () => shape(P.open));
  rec("send", () => shape(P.send));
  rec("open.desc", () => desc(P, "open"));
  rec("send.desc", () => desc(P, "send"));
  rec("XHR", () => shape(XHR));
  rec("XHR.proto.constructor", () => P.constructor === XHR);
  rec("xhr.constructor", () => new XHR().constructor === XHR);
  rec("ES", () => shape(ES));
  rec("ES.desc", () => desc(window, "EventSource"));
  rec("ES.proto.constructor", () => ES.prototype.constructor === ES);
  rec("ES.statics", () => [ES.CONNECTING, ES.OPEN, ES.CLOSED]);
  rec("windowKeys", () => Object.getOwnPropertyNames(window).filter((k) => /cors|lens|hook/i.test(k)));
  rec("windowSymbols", () => Object.getOwnPropertySymbols(window).map(String));
  rec("windowKeyCount", () => Object.keys(window).length);

  // ---- Errors thrown synchronously ----
  rec("fetch.call({})", () => { fetch.call({}, url("x")); return "no throw"; });
  rec("new fetch", () => { new fetch(url("x")); return "no throw"; });
  rec("open.call({})", () => { P.open.call({}, "GET", url("x")); return "no throw"; });
  rec("open bad method", () => { new XHR().open("GE T", url("x")); return "no throw"; });
  rec("open bad url", () => { new XHR().open("GET", "http://[::1"); return "no throw"; });
  rec("send before open", () => { new XHR().send(); return "no throw"; });
  rec("open no args", () => { new XHR().open(); return "no throw"; });
  rec("new ES bad url", () => { new ES("http://[::1"); return "no throw"; });
  rec("ES()", () => { ES(url("x")); return "no throw"; });
  rec("ES no args", () => { new ES(); return "no throw"; });
  rec("stack open bad method", () => { try { new XHR().open("GE T", url("x")); } catch (e) { return frames(e); } });
  rec("stack fetch.call", () => { try { fetch.call({}, url("x")); } catch (e) { return frames(e); } });

  // ---- Rejections ----
  await recA("fetch()", () => fetch().then(() => "resolved", err));
  await recA("fetch bad url", () => fetch("http://[::1").then(() => "resolved", err));
  await recA("fetch bad method", () => fetch(url("x"), { method: "GE T" }).then(() => "resolved", err));
  await recA("fetch forbidden method", () => fetch(url("x"), { method: "CONNECT" }).then(() => "resolved", err));
  await recA("fetch bad init", () => fetch(url("x"), 5).then(() => "resolved", err));
  await recA("fetch symbol url", () => fetch(Symbol("s")).then(() => "resolved", err));
  await recA("fetch stack", () => fetch("http://[::1").then(() => [], (e) => frames(e)));

  // ---- Getters and conversions the page can count ----
  {
    const log = [];
    const init = {};
    for (const k of ["method", "credentials", "mode", "headers", "body", "cache", "redirect", "referrer", "signal", "priority", "keepalive", "integrity"]) {
      Object.defineProperty(init, k, { enumerable: true, get() { log.push(k); return undefined; } });
    }
    const input = { toString() { log.push("toString"); return url("getters"); } };
    await recA("fetch getters", () => fetch(input, init).then((r) => r.status, err));
    out["fetch getter log"] = log;
  }
  {
    let n = 0;
    const init = { get method() { n++; if (n === 1) throw new RangeError("first read"); return "GET"; } };
    await recA("fetch throwing getter", () => fetch(url("throwing"), init).then((r) => "resolved " + r.status, err));
    out["fetch throwing getter reads"] = n;
  }
  {
    let n = 0;
    const input = { toString() { n++; if (n === 1) throw new URIError("first toString"); return url("throwing-url"); } };
    await recA("fetch throwing toString", () => fetch(input).then((r) => "resolved " + r.status, err));
    out["fetch throwing toString calls"] = n;
  }
  {
    const log = [];
    const x = new XHR();
    rec("xhr open objects", () => x.open({ toString() { log.push("method"); return "GET"; } }, { toString() { log.push("url"); return url("xhr-objects"); } }));
    out["xhr open log"] = log;
    x.abort();
  }
  {
    let n = 0;
    const x = new XHR();
    rec("xhr open throwing toString", () => x.open("GET", { toString() { n++; if (n === 1) throw new EvalError("first"); return url("x"); } }));
    out["xhr open throwing toString calls"] = n;
  }
  {
    const log = [];
    const x = new XHR();
    x.open("GET", url("xhr-wc"));
    const d = Object.getOwnPropertyDescriptor(P, "withCredentials");
    Object.defineProperty(P, "withCredentials", { configurable: true, get() { log.push("get"); return d.get.call(this); }, set(v) { log.push("set"); d.set.call(this, v); } });
    try {
      x.send();
      x.abort();
    } finally {
      Object.defineProperty(P, "withCredentials", d);
    }
    out["xhr withCredentials reads"] = log;
  }
  {
    const log = [];
    const initES = { get withCredentials() { log.push("withCredentials"); return false; } };
    rec("es getters", () => { const e = new ES({ toString() { log.push("toString"); return url("es"); } }, initES); e.close(); return e.readyState; });
    out["es getter log"] = log;
  }

  // ---- Built-ins the page patched: how often do they run during requests? ----
  {
    const counts = {};
    const restore = [];
    const patch = (obj, key, name) => {
      const d = Object.getOwnPropertyDescriptor(obj, key);
      restore.push(() => Object.defineProperty(obj, key, d));
      const orig = d.value;
      Object.defineProperty(obj, key, { ...d, value: function () { counts[name] = (counts[name] || 0) + 1; return orig.apply(this, arguments); } });
    };
    patch(String.prototype, "slice", "slice");
    patch(String.prototype, "split", "split");
    patch(String.prototype, "includes", "includes");
    patch(String.prototype, "trim", "trim");
    patch(RegExp.prototype, "exec", "exec");
    patch(WeakMap.prototype, "get", "WeakMap.get");
    patch(WeakMap.prototype, "set", "WeakMap.set");
    patch(Promise.prototype, "then", "then");
    patch(JSON, "stringify", "stringify");
    patch(Array.prototype, Symbol.iterator, "iterator");
    Object.defineProperty(Object.prototype, "toJSON", { configurable: true, get() { counts.toJSON = (counts.toJSON || 0) + 1; return undefined; } });
    Object.defineProperty(Object.prototype, "detail", { configurable: true, get() { counts.detail = (counts.detail || 0) + 1; return undefined; } });
    const rUrl = Object.getOwnPropertyDescriptor(Response.prototype, "status");
    Object.defineProperty(Response.prototype, "status", { ...rUrl, get() { counts.status = (counts.status || 0) + 1; return rUrl.get.call(this); } });
    restore.push(() => { delete Object.prototype.toJSON; delete Object.prototype.detail; Object.defineProperty(Response.prototype, "status", rUrl); });
    const prevLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    Error.prepareStackTrace = () => { counts.prepareStackTrace = (counts.prepareStackTrace || 0) + 1; return "page"; };
    try {
      // The page's formatter runs when someone reads an error's stack. Chromium itself does so at
      // times of its own (seen: 0 or 3 calls over these three requests without any extension), so
      // what must match is the count during the synchronous calls, where the hook does its work.
      const before = counts.prepareStackTrace || 0;
      const pending = [fetch(url("ok"), { credentials: "include" }), fetch(url("blocked"), { credentials: "include" })];
      counts.prepareStackTraceDuringCalls = (counts.prepareStackTrace || 0) - before;
      await Promise.allSettled(pending);
      const f = await fetch(url("ok"), { credentials: "include" }).then(() => "resolved", (e) => e.name);
      const b = await fetch(url("blocked"), { credentials: "include" }).then(() => "resolved", (e) => e.name);
      const x = await new Promise((done) => { const r = new XMLHttpRequest(); r.open("GET", url("ok")); r.onloadend = () => done(r.status); r.send(); });
      out["patched results"] = [f, b, x];
    } finally {
      for (const r of restore.reverse()) r();
      delete Error.prepareStackTrace;
      Error.stackTraceLimit = prevLimit;
    }
    // (The page's own calls above count too; they are the same in both browsers.)
    out["patched counts"] = counts;
  }

  // ---- The page's own wrappers, installed after the hook ----
  const orig = { fetch: window.fetch, open: P.open, send: P.send, ES: window.EventSource };
  const calls = [];
  try {
    window.fetch = function fetch(input, init) { calls.push("wrapped fetch " + String(input).split("/").pop()); return orig.fetch.apply(this, arguments); };
    rec("wrapped.shape", () => shape(window.fetch));
    await recA("wrapped fetch", () => fetch(url("wrapped")).then((r) => r.status, err));
    window.fetch = new Proxy(orig.fetch, { apply(t, th, args) { calls.push("proxy fetch"); return Reflect.apply(t, th, args); }, get(t, k) { if (k === "name") return "proxied"; return Reflect.get(t, k); } });
    rec("proxied.shape", () => ({ name: fetch.name, length: fetch.length, src: src(fetch) }));
    await recA("proxied fetch", () => fetch(url("proxied")).then((r) => r.status, err));
    await recA("proxied fetch rejects", () => fetch(url("proxied"), { method: "GE T" }).then(() => "resolved", err));
    P.open = function open(m, u) { calls.push("open " + m); return orig.open.apply(this, arguments); };
    P.send = function send() { calls.push("send"); return orig.send.apply(this, arguments); };
    await recA("wrapped xhr", () => new Promise((done) => {
      const x = new XHR();
      x.open("GET", url("wrapped-xhr"));
      x.onloadend = () => done([x.status, x.responseText.length, x.readyState]);
      x.send();
    }));
    // Frozen: the page's own wrappers stay; assignments fail silently (sloppy) or throw (strict).
    Object.freeze(P);
    rec("frozen assign", () => { P.open = null; return typeof P.open; });
    rec("frozen strict assign", () => (function () { "use strict"; P.send = null; return "no throw"; })());
    await recA("frozen xhr", () => new Promise((done) => {
      const x = new XHR();
      x.open("GET", url("frozen-xhr"));
      x.onloadend = () => done(x.status);
      x.send();
    }));
    // A getter that throws for fetch; then a deleted fetch.
    Object.defineProperty(window, "fetch", { configurable: true, get() { calls.push("fetch getter"); throw new ReferenceError("no fetch for you"); } });
    rec("throwing getter", () => { fetch(url("getter")); return "no throw"; });
    delete window.fetch;
    rec("deleted", () => [typeof window.fetch, "fetch" in window, typeof Window.prototype.fetch]);
    rec("deleted call", () => { fetch(url("deleted")); return "no throw"; });
    Object.defineProperty(window, "fetch", { value: orig.fetch, writable: true, enumerable: true, configurable: true });
    await recA("restored fetch", () => fetch(url("restored")).then((r) => r.status, err));
    // A fetch taken before the page wrapped it, called with a foreign this and through call/apply/bind.
    await recA("call/apply/bind", () => Promise.all([
      orig.fetch.call(window, url("call")), orig.fetch.apply(undefined, [url("apply")]), orig.fetch.bind(null)(url("bind")),
    ].map((p) => p.then((r) => r.status, err))));
    await recA("Reflect.apply", () => Reflect.apply(orig.fetch, window, [new Request(url("request"), { method: "POST", body: "x" })]).then((r) => r.status, err));
    // Subclassing EventSource and XHR.
    rec("ES subclass", () => { class S extends orig.ES { tag() { return "sub"; } } const e = new S(url("es-sub")); e.close(); return [e.tag(), e instanceof S, e instanceof orig.ES, Object.getPrototypeOf(e) === S.prototype, e.constructor === S]; });
    rec("XHR subclass", () => { class X extends XHR {} const x = new X(); x.open("GET", url("xhr-sub")); x.abort(); return [x instanceof X, x.constructor === X]; });
  } finally {
    Object.defineProperty(window, "fetch", { value: orig.fetch, writable: true, enumerable: true, configurable: true });
  }
  out.calls = calls;

  // ---- Unhandled rejections and microtask order ----
  {
    const seen = [];
    const onUnhandled = (e) => { seen.push("unhandled " + (e.reason && e.reason.name)); e.preventDefault(); };
    window.addEventListener("unhandledrejection", onUnhandled);
    fetch("http://[::1");
    fetch(url("blocked-unhandled"), { credentials: "include" });
    await new Promise((r) => setTimeout(r, 1500));
    window.removeEventListener("unhandledrejection", onUnhandled);
    out.unhandled = seen.sort();
  }
  {
    const order = [];
    const a = fetch(url("order-a")).then(() => order.push("a"), () => order.push("a!"));
    const b = fetch(url("order-b")).then(() => order.push("b"), () => order.push("b!"));
    await Promise.all([a, b]);
    out.orderCount = order.length;
  }

  // ---- Results of a scripted sequence of real requests ----
  const seq = [];
  for (const [p, init] of [["ok", {}], ["blocked", { credentials: "include" }], ["preflight", { method: "PUT", headers: { "x-h": "1" } }], ["ok-post", { method: "POST", body: "b" }]]) {
    seq.push(await fetch(url(p), init).then(async (r) => [p, r.status, r.type, r.ok, await r.text(), [...r.headers.keys()].sort()], (e) => [p, err(e)]));
  }
  seq.push(await new Promise((done) => {
    const x = new XHR();
    x.open("GET", url("xhr-blocked"));
    x.withCredentials = true;
    const ev = [];
    for (const t of ["loadstart", "progress", "error", "load", "loadend", "readystatechange"]) x.addEventListener(t, () => ev.push(t + x.readyState));
    x.onloadend = () => setTimeout(() => done(["xhr-blocked", x.status, ev]), 0);
    x.send();
  }));
  out.sequence = seq;
  return out;
}`;

/** The lab paths PAGE_PROBE requests ("blocked…" ones answer with a wildcard, blocked with credentials). */
const PROBE_KEYS = ["apply", "bind", "blocked", "blocked-unhandled", "call", "deleted", "es", "es-sub", "frozen-xhr", "getter",
  "getters", "ok", "ok-post", "order-a", "order-b", "preflight", "proxied", "request", "restored", "throwing", "throwing-url",
  "wrapped", "wrapped-xhr", "x", "xhr-blocked", "xhr-objects", "xhr-sub", "xhr-wc"];

/** Registers PAGE_PROBE's endpoints on the lab for pages of origin `app`. */
export function registerProbe(lab: Lab, app: string): void {
  for (const key of PROBE_KEYS) {
    const blocked = key.includes("blocked");
    const allow: Record<string, string> = blocked ? { "access-control-allow-origin": "*" }
      : { "access-control-allow-origin": app, "access-control-allow-credentials": "true", vary: "Origin", "x-probe": key };
    lab.register(`probe-${key}`, { hops: [{
      url: "",
      preflight: { status: 204, headers: { ...allow, "access-control-allow-methods": "PUT, POST", "access-control-allow-headers": "x-h" } },
      response: { status: 200, headers: { ...allow, "access-control-expose-headers": "x-probe" } },
    }] });
  }
}

/**
 * A keep-alive CORS server for request bursts (the lab closes every connection, which makes 10,000
 * requests a matter of 10,000 TCP handshakes): /ok… allows `origin` with credentials, /blocked…
 * answers with a wildcard (blocked for a credentialed request), anything else has no CORS headers;
 * `d=<ms>` in the query delays the answer.
 */
export async function startBurstServer(origin: string): Promise<{ port: number; count(): number; close(): Promise<void> }> {
  let n = 0;
  const server = createServer((req, res) => {
    n++;
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const headers: Record<string, string> = path.startsWith("/ok")
      ? { "access-control-allow-origin": origin, "access-control-allow-credentials": "true", vary: "Origin" }
      : path.startsWith("/blocked") ? { "access-control-allow-origin": "*" } : {};
    const send = () => {
      res.writeHead(200, { ...headers, "content-type": "text/plain", "content-length": "2" });
      res.end("ok");
    };
    const delay = Number(/[?&]d=(\d+)/.exec(req.url ?? "")?.[1] ?? 0);
    if (delay > 0) setTimeout(send, delay);
    else send();
  });
  server.keepAliveTimeout = 60000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("burst server: no TCP address");
  return {
    port: address.port,
    count: () => n,
    close: () => new Promise<void>((done) => {
      server.closeAllConnections();
      server.close(() => done());
    }),
  };
}

/** Header values built to break a careless renderer or snippet writer. */
export const HOSTILE_VALUES = {
  markup: `<img src=x onerror=alert(1)><script>window.__pwned=1</script><svg onload="window.__pwned=2">`,
  quotes: `"double" 'single' \`back\` \\back\\slash\\ \\" \\' \\n </td></tr></table>`,
  templates: "${alert(1)} #{`id`} {{constructor.constructor('alert(1)')()}} <%= 7*7 %> $(id) %s%n %{x}e {$x} @{x}",
  // UTF-8 bytes written as single octets (the lab writes header lines in latin1).
  nonAscii: Buffer.from("héllo — 日本語 🎉 \u202Eevil\u202C \u200B zero-width ‘smart’ «quotes»", "utf8").toString("latin1"),
  control: "a\u0001b\u0007c\u001b[31mred\u001b[0m\u007fd\tend",
  long: "L".repeat(65536 - 40) + `<img src=x onerror=alert(1)>end`,
};

export interface HostileCase {
  name: string;
  /** Path on any host; the route answers GET and preflights. */
  path: string;
  /** The raw header lines of the response. */
  lines: Array<[string, string]>;
  /** Text the page's recorded headers must contain somewhere, decoded as the browser gives it. */
  marker: string;
}

/**
 * Routes /hostile/<name> answering with hostile header values; ACAO is valid (`app`) but the
 * credentials header is missing, so a credentialed request is blocked and the panel explains it.
 * The "acao" case puts the markup in Access-Control-Allow-Origin itself (the culprit).
 */
export function registerHostileServer(lab: Lab, app: string): HostileCase[] {
  const v = HOSTILE_VALUES;
  const cors: Array<[string, string]> = [["Access-Control-Allow-Origin", app]];
  const cases: HostileCase[] = [
    { name: "acao", path: "", lines: [["Access-Control-Allow-Origin", v.markup], ["Access-Control-Allow-Credentials", "true"], ["Server", v.markup]], marker: "onerror=alert(1)" },
    { name: "markup", path: "", lines: [...cors, ["X-Hostile", v.markup], ["Server", `nginx ${v.markup}`], ["X-Powered-By", v.templates]], marker: "onerror=alert(1)" },
    { name: "quotes", path: "", lines: [...cors, ["X-Hostile", v.quotes], ["Access-Control-Allow-Credentials", v.quotes]], marker: `\\back\\slash\\` },
    { name: "templates", path: "", lines: [...cors, ["X-Hostile", v.templates], ["Access-Control-Expose-Headers", v.templates]], marker: "{{constructor.constructor" },
    // obs-fold (RFC 9112 §5.2): a line starting with whitespace continues the previous value.
    { name: "obsfold", path: "", lines: [...cors, ["X-Hostile", `first <img src=x onerror=alert(1)>\r\n   second\r\n\tthird`]], marker: "second" },
    { name: "nonascii", path: "", lines: [...cors, ["X-Hostile", v.nonAscii]], marker: "zero-width" },
    { name: "control", path: "", lines: [...cors, ["X-Hostile", v.control]], marker: "red" },
    { name: "long", path: "", lines: [...cors, ["X-Hostile", v.long], ["X-Hostile-2", v.long]], marker: "L".repeat(1000) },
    { name: "many", path: "", lines: [...cors, ...Array.from({ length: 500 }, (_, i): [string, string] => [`X-Many-${i}`, `${i} ${v.markup}`])], marker: "198 <img" },
    // Header names that are Object.prototype members: a careless `out[name]` merges them with functions.
    { name: "protonames", path: "", lines: [...cors, ["constructor", v.markup], ["__proto__", "{\"polluted\":1}"], ["toString", "x"],
      ["hasOwnProperty", "y"], ["valueOf", "z"], ["__defineGetter__", "g"]], marker: "constructor: <img" },
    // The CORS headers after 500 others: a bound on what is recorded must not lose them.
    { name: "late", path: "", lines: [...Array.from({ length: 500 }, (_, i): [string, string] => [`X-Many-${i}`, `${i} ${v.markup}`]), ...cors, ["Vary", "Origin"]], marker: "x-many-0: 0 <img" },
  ];
  // The fix case: a preflighted request whose method and header names are valid tokens full of
  // characters that mean something in some language; the preflight answer is hostile too.
  cases.push({ name: "fix", path: "", lines: [["Access-Control-Allow-Origin", v.markup], ["Access-Control-Allow-Credentials", "true"],
    ["Access-Control-Allow-Methods", v.templates], ["Access-Control-Allow-Headers", v.quotes], ["Server", v.markup]], marker: "onerror=alert(1)" });
  for (const c of cases) {
    c.path = `/hostile/${c.name}`;
    lab.route(c.path, (req) => (req.method === "OPTIONS"
      ? { status: 204, headers: c.lines }
      : { status: 200, headers: [...c.lines, ["Content-Type", "text/plain"]], body: "hostile" }));
  }
  return cases;
}

/** The fix case's request: a method and header names that are valid tokens, "zz"-marked. */
export const HOSTILE_REQUEST = { method: "PU'ZZm$`T", headers: ["x-$zzn", "x-`zzo`", "x-'zzp'", "x-#zzq", "x-%zzr|^~!&+."] };
