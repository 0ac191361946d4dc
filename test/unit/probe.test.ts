// `cors-lens probe` against the real lab (raw TCP on 127.0.0.1, plus a TLS lab with a certificate made
// by openssl at test time). Host names stay on loopback through --resolve, like curl's: no DNS.
import { available } from "../helpers/tools";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Finding } from "../../src/core/audit";
import { hostileOrigins, parseProbeArgs } from "../../src/cli/probe";
import { run, type CliIO } from "../../src/cli/run";
import type { Diagnosis, Exchange, Hop } from "../../src/core/types";
import { startLab, type Lab, type LabRequest } from "../lab/server";

const HOSTS = ["api.example.com", "cdn.example.com", "app.example.com"];
const RUN = Date.now().toString(36);
let lab: Lab;
let APP: string;

const hasOpenssl = available("openssl", spawnSync("openssl", ["version"]).status === 0);
let tlsLab: Lab | null = null;
let certDir: string | null = null;

function io(): CliIO & { out: () => string; err: () => string } {
  let out = "";
  let err = "";
  return {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    readFile: async () => "",
    env: {},
    out: () => out,
    err: () => err,
  };
}

function resolveArgs(port: number): string[] {
  return HOSTS.flatMap((h) => ["--resolve", `${h}:${port}:127.0.0.1`]);
}

async function probe(args: string[], port = lab.port) {
  const o = io();
  const code = await run(["probe", ...args, ...resolveArgs(port), "--timeout", "20"], o);
  return { code, out: o.out(), err: o.err() };
}

interface JsonResult {
  exchange: Exchange;
  diagnosis: Diagnosis;
  requests: Array<{ kind: string; method: string; url: string; origin: string; status: number | null }>;
  audit?: { findings: Finding[]; hostile: Array<{ origin: string; trusted: boolean; credentials: boolean }> };
}

async function probeJson(args: string[], port = lab.port): Promise<{ code: number; r: JsonResult; err: string }> {
  const res = await probe([...args, "--json"], port);
  return { code: res.code, r: JSON.parse(res.out || "null") as JsonResult, err: res.err };
}

/** The value of header `name` in a lab log entry, as received. */
function hv(headers: Array<[string, string]>, name: string): string | undefined {
  return headers.find(([n]) => n.toLowerCase() === name)?.[1];
}

const allow = () => ({ "access-control-allow-origin": APP, "access-control-allow-credentials": "true", vary: "Origin" });

function scenario(name: string, hops: (url: (hop: number, host?: string) => string) => Hop[]): string {
  const key = `${name}-${RUN}`;
  const url = (hop: number, host = "api.example.com") => lab.hopUrl(key, hop, host);
  lab.register(key, { hops: hops(url) });
  return key;
}

/** A lab route that answers CORS with `decide(origin)`, recording what it received. */
function corsRoute(path: string, decide: (origin: string) => boolean, extra: (req: LabRequest) => Record<string, string> = () => ({})): LabRequest[] {
  const seen: LabRequest[] = [];
  lab.route(path, (req) => {
    seen.push(req);
    const origin = hv(req.headers, "origin") ?? "";
    const ok = decide(origin);
    const headers: Record<string, string> = { vary: "Origin", ...(ok ? { "access-control-allow-origin": origin, "access-control-allow-credentials": "true" } : {}), ...extra(req) };
    return { status: req.method === "OPTIONS" ? 204 : 200, headers, body: "{}" };
  });
  return seen;
}

beforeAll(async () => {
  lab = await startLab();
  APP = lab.origin("app.example.com");
  if (hasOpenssl) {
    certDir = mkdtempSync(join(tmpdir(), "cors-lens-tls-"));
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(certDir, "key.pem"), "-out", join(certDir, "cert.pem"),
      "-days", "1", "-subj", "/CN=api.example.com", "-addext", "subjectAltName=DNS:api.example.com"], { stdio: "ignore" });
    tlsLab = await startLab({ tls: { key: readFileSync(join(certDir, "key.pem")), cert: readFileSync(join(certDir, "cert.pem")) } });
  }
});

afterAll(async () => {
  await lab.close();
  await tlsLab?.close();
  if (certDir) rmSync(certDir, { recursive: true, force: true });
});

describe("probe: what a browser sends", () => {
  test("a passing preflight: OPTIONS with Chromium's headers, then the request; exit 0", async () => {
    const key = scenario("pass", (url) => [{ url: url(0), preflight: { status: 204, headers: { ...allow(), "access-control-allow-methods": "PUT", "access-control-allow-headers": "Content-Type, X-Token" } },
      response: { status: 200, headers: allow() } }]);
    const res = await probe([lab.hopUrl(key, 0, "api.example.com"), "--origin", APP, "--credentials", "--method", "put",
      "--header", "X-Token: 1", "--header", "Content-Type: application/json", "--cookie", "sid=abc"]);
    expect(res.err).toBe("");
    expect(res.code).toBe(0);
    expect(res.out).toContain(`OK put ${lab.hopUrl(key, 0, "api.example.com")}`); // as the script wrote it
    const log = lab.log(key);
    expect(log.map((e) => [e.method, e.preflight])).toEqual([["OPTIONS", true], ["PUT", false]]);
    const pre = log[0]!.headers;
    expect(hv(pre, "access-control-request-method")).toBe("PUT");
    expect(hv(pre, "access-control-request-headers")).toBe("content-type,x-token");
    expect(hv(pre, "origin")).toBe(APP);
    expect(hv(pre, "cookie")).toBeUndefined(); // never on a preflight
    expect(hv(pre, "host")).toBe(`api.example.com:${lab.port}`);
    const actual = log[1]!.headers;
    expect(hv(actual, "origin")).toBe(APP);
    expect(hv(actual, "cookie")).toBe("sid=abc");
    expect(hv(actual, "x-token")).toBe("1");
  });

  test("a failing preflight: exit 1, the core's code, and the request is never sent", async () => {
    const key = scenario("fail", (url) => [{ url: url(0), preflight: { status: 204, headers: { "access-control-allow-origin": APP, "access-control-allow-methods": "PUT", "access-control-allow-headers": "x-token" } },
      response: { status: 200, headers: allow() } }]);
    const { code, r } = await probeJson([lab.hopUrl(key, 0, "api.example.com"), "--origin", APP, "--credentials", "--method", "PUT", "--header", "x-token: 1"]);
    expect(code).toBe(1);
    expect(r.diagnosis.code).toBe("PreflightInvalidAllowCredentials");
    expect(r.diagnosis.blocked).toBe(true);
    expect(lab.log(key).map((e) => e.method)).toEqual(["OPTIONS"]);
    expect(r.exchange.hops[0]!.response).toBeNull();
  });

  test("no preflight for a simple request; without --credentials the wildcard passes, with it it is blocked", async () => {
    const key = scenario("simple", (url) => [{ url: url(0), preflight: null, response: { status: 200, headers: { "access-control-allow-origin": "*" } } }]);
    const omit = await probeJson([lab.hopUrl(key, 0, "api.example.com"), "--origin", APP, "--header", "content-type: text/plain"]);
    expect(omit.code).toBe(0);
    expect(omit.r.diagnosis.credentials).toEqual({ mode: "omit", inferred: false });
    const inc = await probeJson([lab.hopUrl(key, 0, "api.example.com"), "--origin", APP, "--credentials"]);
    expect(inc.code).toBe(1);
    expect(inc.r.diagnosis.code).toBe("WildcardOriginNotAllowed");
    expect(lab.log(key).map((e) => e.method)).toEqual(["GET", "GET"]);
  });

  test("a same-origin redirect (302) is followed with the page's Origin", async () => {
    const key = scenario("redir-same", (url) => [
      { url: url(0), preflight: null, response: { status: 302, headers: { ...allow(), location: url(1) } } },
      { url: url(1), preflight: null, response: { status: 200, headers: allow() } }]);
    const { code, r } = await probeJson([lab.hopUrl(key, 0, "api.example.com"), "--origin", APP, "--credentials"]);
    expect(code).toBe(0);
    expect(r.exchange.hops.map((h) => h.response?.status)).toEqual([302, 200]);
    expect(lab.log(key).map((e) => [e.hop, e.method, hv(e.headers, "origin")])).toEqual([[0, "GET", APP], [1, "GET", APP]]);
  });

  test("a cross-origin redirect taints the Origin to null; the core checks the next hop against null", async () => {
    const key = scenario("redir-cross", (url) => [
      { url: url(0), preflight: null, response: { status: 302, headers: { ...allow(), location: url(1, "cdn.example.com") } } },
      { url: url(1, "cdn.example.com"), preflight: null, response: { status: 200, headers: allow() } }]);
    const { code, r } = await probeJson([lab.hopUrl(key, 0, "api.example.com"), "--origin", APP, "--credentials"]);
    expect(lab.log(key).map((e) => [e.host, hv(e.headers, "origin")])).toEqual([[`api.example.com:${lab.port}`, APP], [`cdn.example.com:${lab.port}`, "null"]]);
    expect(code).toBe(1);
    expect(r.diagnosis).toMatchObject({ stage: "actual", hop: 1, code: "AllowOriginMismatch", expected: "null" });
  });

  test("303 turns PUT into GET (and a custom header still needs a preflight on the new hop); 301 turns POST into GET", async () => {
    const key = scenario("redir-303", (url) => [
      { url: url(0), preflight: { status: 204, headers: { ...allow(), "access-control-allow-methods": "PUT", "access-control-allow-headers": "x-token" } },
        response: { status: 303, headers: { ...allow(), location: url(1) } } },
      { url: url(1), preflight: { status: 204, headers: { ...allow(), "access-control-allow-headers": "x-token" } }, response: { status: 200, headers: allow() } }]);
    const a = await probeJson([lab.hopUrl(key, 0, "api.example.com"), "--origin", APP, "--credentials", "--method", "PUT", "--header", "x-token: 1", "--header", "content-type: text/plain"]);
    expect(a.code).toBe(0);
    const log = lab.log(key).map((e) => [e.hop, e.method, e.preflight ? hv(e.headers, "access-control-request-method") : null, e.preflight ? hv(e.headers, "access-control-request-headers") : hv(e.headers, "content-type") ?? null]);
    // Hop 1: the body header content-type is dropped with the method change; x-token stays.
    expect(log).toEqual([[0, "OPTIONS", "PUT", "x-token"], [0, "PUT", null, "text/plain"], [1, "OPTIONS", "GET", "x-token"], [1, "GET", null, null]]);

    const key2 = scenario("redir-301", (url) => [
      { url: url(0), preflight: null, response: { status: 301, headers: { ...allow(), location: url(1) } } },
      { url: url(1), preflight: null, response: { status: 200, headers: allow() } }]);
    const b = await probeJson([lab.hopUrl(key2, 0, "api.example.com"), "--origin", APP, "--credentials", "--method", "POST"]);
    expect(b.code).toBe(0);
    expect(lab.log(key2).map((e) => [e.hop, e.method])).toEqual([[0, "POST"], [1, "GET"]]);
  });

  test("a redirect that fails the CORS check stops there (exit 1, stage redirect)", async () => {
    const key = scenario("redir-bad", (url) => [
      { url: url(0), preflight: null, response: { status: 302, headers: { location: url(1) } } },
      { url: url(1), preflight: null, response: { status: 200, headers: allow() } }]);
    const { code, r } = await probeJson([lab.hopUrl(key, 0, "api.example.com"), "--origin", APP]);
    expect(code).toBe(1);
    expect(r.diagnosis).toMatchObject({ stage: "redirect", hop: 0, code: "MissingAllowOriginHeader" });
    expect(lab.log(key)).toHaveLength(1);
  });

  test("more than 20 redirects: a network error, exit 2, after 21 requests", async () => {
    const seen: LabRequest[] = [];
    lab.route("/loop", (req) => {
      seen.push(req);
      return { status: 307, headers: { ...allow(), location: "/loop" } };
    });
    const res = await probe([`http://api.example.com:${lab.port}/loop`, "--origin", APP]);
    expect(res.code).toBe(2);
    expect(res.err.trim().split("\n")).toHaveLength(1);
    expect(res.err).toContain("ERR_TOO_MANY_REDIRECTS");
    expect(seen).toHaveLength(21);
  });

  test("unreachable host: one line, exit 2", async () => {
    const port = await new Promise<number>((done) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => done(p));
      });
    });
    const res = await probe([`http://api.example.com:${port}/x`, "--origin", APP], port);
    expect(res.code).toBe(2);
    expect(res.out).toBe("");
    expect(res.err).toMatch(/^cors-lens: connection refused by api\.example\.com:\d+ \[net::ERR_CONNECTION_REFUSED\]\n$/);
  });

  test("a server that never answers: --timeout, one line, exit 2", async () => {
    const socks = new Set<import("node:net").Socket>();
    const silent = createServer((sock) => {
      socks.add(sock);
      sock.on("error", () => undefined);
    });
    await new Promise<void>((done) => silent.listen(0, "127.0.0.1", () => done()));
    const port = (silent.address() as { port: number }).port;
    try {
      const o = io();
      const code = await run(["probe", `http://api.example.com:${port}/x`, "--origin", APP, "--timeout", "0.3", "--resolve", `api.example.com:${port}:127.0.0.1`], o);
      expect(code).toBe(2);
      expect(o.err()).toMatch(/^cors-lens: no answer from api\.example\.com:\d+ within 300 ms \[net::ERR_TIMED_OUT\]\n$/);
    } finally {
      for (const sock of socks) sock.destroy();
      await new Promise<void>((done) => silent.close(() => done()));
    }
  });

  test("bad usage: exit 2 with one line", async () => {
    const cases: Array<[string[], RegExp]> = [
      [["http://api.example.com/"], /needs --origin/],
      [["--origin", APP], /needs a URL/],
      [["ftp://x/", "--origin", APP], /only http and https/],
      [["http://api.example.com/", "--origin", "not an origin"], /--origin needs/],
      [["http://api.example.com/", "--origin", APP, "--header", "Cookie: a=b"], /forbidden header.*--cookie/],
      [["http://api.example.com/", "--origin", APP, "--method", "TRACE"], /forbidden method/],
      [["http://api.example.com/", "--origin", APP, "--timeout", "x"], /--timeout/],
      [["http://api.example.com/", "--origin", APP, "--stack", "cobol"], /unknown stack/],
      [["http://api.example.com/", "--origin", APP, "--bogus"], /^cors-lens: unknown option "--bogus"; see cors-lens probe --help\n$/],
      [["http://api.example.com/", "--origin", APP, "-z"], /^cors-lens: unknown option "-z"; see/],
      [["http://api.example.com/", "--origin"], /^cors-lens: --origin needs a value; see/],
      [["http://api.example.com/", "--origin", APP, "-H"], /^cors-lens: -H needs a value; see/],
      [["http://api.example.com/", "--origin", APP, "--header"], /^cors-lens: --header needs a value; see/],
      [["http://api.example.com/", "--origin", APP, "--timeout", "-1"], /^cors-lens: --timeout needs a value \(for one that starts with "-", write --timeout=-1\); see/],
      [["http://api.example.com/", "--origin", APP, "--timeout=-1"], /^cors-lens: --timeout needs SECONDS between 0 and 600, got "-1"; see/],
      [["http://api.example.com/", "--origin", APP, "--json=1"], /^cors-lens: --json takes no value; see/],
      [["http://api.example.com/", "--origin", APP, "-H", "x-a: 1", "-H", "nocolon"], /--header needs "NAME: VALUE", got "nocolon"/],
      [["http://api.example.com/", "--origin", APP, "--resolve", "a:1:127.0.0.1", "--resolve", "bad"], /--resolve needs HOST:PORT:ADDRESS, got "bad"/],
      [["http://api.example.com/", "http://cdn.example.com/", "--origin", APP], /takes one URL/],
    ];
    for (const [args, re] of cases) {
      const o = io();
      expect(await run(["probe", ...args], o)).toBe(2);
      expect(o.err()).toMatch(re);
      expect(o.err().trim().split("\n")).toHaveLength(1);
    }
    const help = io();
    expect(await run(["probe", "--help"], help)).toBe(0);
    expect(help.out()).toContain("--audit");
  });
});

describe("parseProbeArgs", () => {
  const base = ["http://api.example.com/x", "--origin", "https://app.example.com"];

  test("--header and -H repeat, in order; the same name again replaces the earlier one", () => {
    const o = parseProbeArgs([...base, "-H", "X-A: 1", "--header", "x-b: 2", "--header=X-C:3", "-H", "x-a:  3 "]);
    expect(o.headers).toEqual([["x-b", "2"], ["x-c", "3"], ["x-a", "3"]]);
  });

  test("short options: -X (also -XPUT), -k, -h; --resolve repeats; --no-colour", () => {
    expect(parseProbeArgs([...base, "-X", "put"]).method).toBe("put");
    const o = parseProbeArgs([...base, "-XPUT", "-k", "--resolve", "api.example.com:80:127.0.0.1", "--resolve=[::1]:443:[::1]", "--no-colour", "--timeout=2.5"]);
    expect(o.method).toBe("PUT");
    expect(o.http).toMatchObject({ insecure: true, timeoutMs: 2500 });
    expect([...o.http.resolve]).toEqual([["api.example.com:80", "127.0.0.1"], ["::1:443", "::1"]]);
    expect(o.color).toBe(false);
    expect(parseProbeArgs(["-h"]).help).toBe(true);
  });

  test("-- ends the options: what follows is the URL", () => {
    expect(parseProbeArgs(["--origin", "https://app.example.com", "--", "http://api.example.com/y"]).url).toBe("http://api.example.com/y");
  });

  test("defaults, and the last --origin wins", () => {
    const o = parseProbeArgs([...base, "--origin", "null"]);
    expect(o).toMatchObject({ origin: "null", method: "GET", headers: [], credentials: false, cookie: null, audit: false, json: false, stack: null, color: true });
    expect(o.http.timeoutMs).toBe(10000);
    expect(parseProbeArgs([...base, "--cookie", "sid=1"]).credentials).toBe(true);
  });
});

describe("probe over TLS", () => {
  const maybe = hasOpenssl ? test : test.skip;
  maybe("a self-signed lab: --insecure works, without it exit 2 with a TLS line", async () => {
    const t = tlsLab!;
    const key = `tls-${RUN}`;
    const origin = t.origin("app.example.com", "https");
    const url = t.hopUrl(key, 0, "api.example.com", "https");
    t.register(key, { hops: [{ url, preflight: null, response: { status: 200, headers: { "access-control-allow-origin": origin, vary: "Origin" } } }] });
    const ok = await probe([url, "--origin", origin, "--insecure"], t.port);
    expect(ok.err).toBe("");
    expect(ok.code).toBe(0);
    expect(ok.out).toContain(`OK GET ${url}`);
    const bad = await probe([url, "--origin", origin], t.port);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^cors-lens: TLS error with api\.example\.com:\d+: .*self[- ]signed.*--insecure.*\n$/);
    expect(t.log(key)).toHaveLength(1);
  });
});

describe("probe --audit", () => {
  const findings = (r: JsonResult) => r.audit!.findings;
  const trusted = (r: JsonResult) => r.audit!.hostile.filter((h) => h.trusted).map((h) => h.origin);

  test("a route that reflects any origin with credentials (and any requested header): confirmed, high", async () => {
    corsRoute("/reflect", () => true, (req): Record<string, string> => (req.method === "OPTIONS"
      ? { "access-control-allow-methods": "GET, PUT", "access-control-allow-headers": hv(req.headers, "access-control-request-headers") ?? "" }
      : {}));
    const { code, r } = await probeJson([`http://api.example.com:${lab.port}/reflect`, "--origin", APP, "--credentials", "--audit"]);
    expect(code).toBe(1); // not blocked, but a HIGH finding: a CI step fails on it
    const f = findings(r);
    expect(f.find((x) => x.id === "origin-reflected")).toMatchObject({ severity: "high", suspected: false });
    const evil = f.find((x) => x.id === "hostile-origin-trusted" && x.origin === "https://evil.example");
    expect(evil).toMatchObject({ severity: "high", suspected: false, evidence: { header: "access-control-allow-origin", value: "https://evil.example" } });
    expect(f.find((x) => x.id === "hostile-origin-trusted" && x.origin === "null")).toMatchObject({ severity: "high" });
    expect(f.find((x) => x.id === "allow-headers-reflected")).toMatchObject({ severity: "medium", suspected: false });
    // Every hostile origin was trusted; siblings are medium, the rest high.
    expect(trusted(r)).toEqual(r.audit!.hostile.map((h) => h.origin));
    expect(f.filter((x) => x.id === "hostile-origin-trusted" && x.severity === "medium").map((x) => x.origin)).toEqual([`http://evil-sibling.example.com:${lab.port}`]);
    expect(f[0]!.severity).toBe("high");
  });

  test("the human report lists the findings", async () => {
    const res = await probe([`http://api.example.com:${lab.port}/reflect`, "--origin", APP, "--credentials", "--audit"]);
    expect(res.code).toBe(1);
    expect(res.out).toMatch(/1 cross-origin request, 0 blocked, 1 ok, audit: \d+ high/);
    // No --stack: the pointer says how to get the allow-list, not "the Fix section".
    expect(res.out).not.toContain("The Fix section");
    expect(res.out).toContain("Add --stack NAME for your server's exact allow-list.");
    expect(res.out).toContain("Audit (11 hostile origins tried, 11 trusted)");
    expect(res.out).toMatch(/HIGH +Trusts the hostile origin https:\/\/evil\.example with credentials \[hostile-origin-trusted\]/);
    expect(res.out).toMatch(/HIGH +Any origin is reflected with credentials \[origin-reflected\]/);
  });

  test("a strict allow-list: nothing trusted, no reflection finding (refuted), exit 0", async () => {
    const seen = corsRoute("/strict", (o) => o === APP);
    const { code, r } = await probeJson([`http://api.example.com:${lab.port}/strict`, "--origin", APP, "--credentials", "--audit"]);
    expect(code).toBe(0);
    expect(trusted(r)).toEqual([]);
    expect(findings(r)).toEqual([]);
    // The hostile origins really were sent.
    expect(seen.map((q) => hv(q.headers, "origin"))).toContain("https://evil.example");
    expect(seen.map((q) => hv(q.headers, "origin"))).toContain("null");
    expect(seen.filter((q) => hv(q.headers, "cookie") !== undefined)).toEqual([]);
  });

  test("an unanchored regex with unescaped dots: the look-alikes it lets through are flagged", async () => {
    // What a careless server writes: /^http:\/\/app.example.com/ (dots unescaped, no end anchor).
    corsRoute("/regex", (o) => /^http:\/\/app.example.com/.test(o));
    const { r } = await probeJson([`http://api.example.com:${lab.port}/regex`, "--origin", APP, "--credentials", "--audit"]);
    const p = lab.port;
    expect(trusted(r).sort()).toEqual([`http://app.example.com.evil.example:${p}`, `http://app.examplexcom:${p}`, `http://appxexample.com:${p}`].sort());
    expect(findings(r).filter((x) => x.id === "hostile-origin-trusted").every((x) => x.severity === "high")).toBe(true);
    expect(findings(r).some((x) => x.id === "origin-reflected")).toBe(false);
  });
});

describe("hostileOrigins", () => {
  test("an attacker's list for api.example.com called from https://app.example.com", () => {
    expect(hostileOrigins("https://api.example.com/x", "https://app.example.com").map((h) => h.origin)).toEqual([
      "https://evil.example",
      "null",
      "https://api.example.com.evil.example",
      "https://evilapi.example.com",
      "https://app.example.com.evil.example",
      "https://evilapp.example.com",
      "https://example.com.evil.example",
      "https://evilexample.com",
      "http://app.example.com",
      "https://evil-sibling.example.com",
      "https://appxexample.com",
      "https://app.examplexcom",
    ]);
  });

  test("a null origin and an IP target: only the generic ones", () => {
    expect(hostileOrigins("http://127.0.0.1:8080/", "null").map((h) => h.origin)).toEqual(["https://evil.example"]);
    expect(hostileOrigins("https://api.example/", "https://app.example").map((h) => [h.origin, h.sibling ?? false])).toEqual([
      ["https://evil.example", false], ["null", false], ["https://api.example.evil.example", false], ["https://evilapi.example", false],
      ["https://app.example.evil.example", false], ["https://evilapp.example", false], ["http://app.example", false],
      ["https://evil.app.example", true], ["https://appxexample", false],
    ]);
  });
});
