import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { version } from "../../package.json";
import fc from "fast-check";
import { MAX_INPUT_BYTES, painter, run, shownValue, type CliIO } from "../../src/cli/run";
import { chromeEntry, chromeHar, chromeRequestHeaders, nv } from "../fixtures/har/build";

const root = join(__dirname, "../..");
const example = (name: string) => readFileSync(join(root, "examples", name), "utf8");

interface Captured {
  io: CliIO;
  out: () => string;
  err: () => string;
  reads: string[];
}

function mkIO(files: Record<string, string | Uint8Array>, o: { tty?: boolean; env?: Record<string, string>; sizes?: Record<string, number> } = {}): Captured {
  let out = "";
  let err = "";
  const reads: string[] = [];
  const enoent = (path: string) => Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: "ENOENT" });
  const io: CliIO = {
    stdout: { write: (s: string) => (out += s), isTTY: o.tty ?? false },
    stderr: { write: (s: string) => (err += s) },
    env: o.env ?? {},
    stat: async (path) => {
      if (!(path in files) && !(o.sizes && path in o.sizes)) throw enoent(path);
      return { size: o.sizes?.[path] ?? files[path]!.length, isDirectory: () => false };
    },
    readFile: async (path) => {
      reads.push(path);
      if (!(path in files)) throw enoent(path);
      return files[path]!;
    },
  };
  return { io, out: () => out, err: () => err, reads };
}

const ORIGIN = "http://localhost:5173";

describe("human output", () => {
  test("a blocked exchange: verdict, request, stage, both browsers' codes, header, received vs expected, message", async () => {
    const c = mkIO({ "h.json": example("header-not-allowed.json") });
    expect(await run(["explain", "h.json"], c.io)).toBe(1);
    const out = c.out();
    expect(out).toMatch(/^BLOCKED POST https:\/\/api\.example\.test\/v1\/orders$/m);
    expect(out).toContain("origin https://app.example.test");
    expect(out).toContain("credentials include");
    expect(out).not.toContain("(inferred)");
    expect(out).toMatch(/stage\s+preflight/);
    expect(out).toMatch(/error\s+HeaderDisallowedByPreflightResponse\s+\(Firefox: CORSMissingAllowHeaderFromPreflight\)/);
    expect(out).toMatch(/header\s+access-control-allow-headers/);
    expect(out).toMatch(/received\s+content-type/);
    expect(out).toMatch(/expected\s+x-csrf-token/);
    expect(out).toContain("does not list the request header x-csrf-token");
    expect(out).toContain("1 cross-origin request, 1 blocked, 0 ok");
    expect(c.err()).toBe("");
  });

  test("a missing header is shown as (missing); an inferred mode is marked (inferred)", async () => {
    const ex = JSON.parse(example("preflight-missing-allow-credentials.json"));
    ex.request.credentials = "unknown";
    const c = mkIO({ "p.json": JSON.stringify(ex) });
    expect(await run(["explain", "p.json"], c.io)).toBe(1);
    expect(c.out()).toMatch(/received\s+\(missing\)/);
    expect(c.out()).toMatch(/expected\s+true/);
    expect(c.out()).toContain("credentials include (inferred)");
  });

  test("a multi-hop failure names the hop and its URL", async () => {
    const c = mkIO({ "r.json": example("redirect-to-other-origin.json") });
    expect(await run(["explain", "r.json"], c.io)).toBe(1);
    expect(c.out()).toMatch(/stage\s+actual, hop 2 of 2 \(https:\/\/api-v2\.example\.test\/me\)/);
    expect(c.out()).toMatch(/expected\s+null/);
  });

  test("nothing blocked: OK and exit 0", async () => {
    const c = mkIO({ "ok.json": example("passing-credentialed-put.json") });
    expect(await run(["explain", "ok.json"], c.io)).toBe(0);
    expect(c.out()).toMatch(/^OK PUT https:\/\/api\.example\.test\/v1\/cart\/items\/42$/m);
  });

  test("--stack adds the fix, its notes and the client-side alternative for blocked exchanges", async () => {
    const c = mkIO({ "w.json": example("wildcard-with-credentials.json"), "ok.json": example("passing-credentialed-put.json") });
    expect(await run(["explain", "w.json", "ok.json", "--stack", "express"], c.io)).toBe(1);
    const out = c.out();
    expect(out.match(/^  Fix: Express/gm)).toHaveLength(1);
    expect(out).not.toMatch(/[ \t]+$/m); // no trailing whitespace, blank code lines included
    expect(out).toContain("https://app.example.test");
    expect(out).toContain("== w.json");
    expect(out).toContain("== ok.json");
  });

  test("colors only on a terminal, and never with --no-color or NO_COLOR", async () => {
    const files = { "w.json": example("wildcard-with-credentials.json") };
    const tty = mkIO(files, { tty: true });
    await run(["explain", "w.json"], tty.io);
    expect(tty.out()).toContain("\u001b[31m");
    const pipe = mkIO(files);
    await run(["explain", "w.json"], pipe.io);
    expect(pipe.out()).not.toContain("\u001b[");
    const flag = mkIO(files, { tty: true });
    await run(["explain", "--no-color", "w.json"], flag.io);
    expect(flag.out()).not.toContain("\u001b[");
    const env = mkIO(files, { tty: true, env: { NO_COLOR: "1" } });
    await run(["explain", "w.json"], env.io);
    expect(env.out()).not.toContain("\u001b[");
  });

  test("terminal escapes from the input are shown, not executed", async () => {
    const ex = JSON.parse(example("wildcard-with-credentials.json"));
    ex.request.url = "https://api.example.test/\u001b[2Jpwn";
    ex.response.headers["access-control-allow-origin"] = "*\u009b31m";
    const c = mkIO({ "e.json": JSON.stringify(ex) });
    await run(["explain", "e.json"], c.io);
    expect(c.out()).not.toMatch(/[\u001b\u009b]/);
    expect(c.out()).toContain("\\u001b[2Jpwn");
  });

  test("secrets in header values are masked", () => {
    expect(shownValue("Cookie", "sid=secret")).toBe("(masked, 10 characters)");
    expect(shownValue("authorization", "Bearer x")).not.toContain("Bearer");
    expect(shownValue("set-cookie", "a=b")).not.toContain("a=b");
    expect(shownValue("proxy-authorization", "Basic x")).not.toContain("Basic");
    expect(shownValue("access-control-allow-origin", "*")).toBe("*");
    expect(shownValue("access-control-allow-origin", null)).toBe("(missing)");
  });

  test("a HAR with no cross-origin request says so and exits 0", async () => {
    const har = chromeHar([chromeEntry({ url: ORIGIN + "/api", start: "2024-06-30T04:14:55.000Z",
      reqHeaders: nv({ referer: ORIGIN + "/", "sec-fetch-mode": "cors" }) })]);
    const c = mkIO({ "same.har": JSON.stringify(har) });
    expect(await run(["explain", "same.har"], c.io)).toBe(0);
    expect(c.out()).toContain("same.har: no cross-origin requests found");
  });

  test("HAR files are read like exchange files, also from standard input", async () => {
    const c = mkIO({ "-": example("chrome-missing-allow-credentials.har") });
    expect(await run(["explain", "-"], c.io)).toBe(1);
    expect(c.out()).toContain("InvalidAllowCredentials");
    expect(c.out()).toContain("id har:0");
  });
});

describe("--json", () => {
  test("one array of diagnoses in input order, ids kept, exit 1 when one is blocked", async () => {
    const c = mkIO({
      "ok.json": example("passing-credentialed-put.json"),
      "two.json": JSON.stringify([JSON.parse(example("header-not-allowed.json")), JSON.parse(example("wildcard-with-credentials.json"))]),
      "c.har": example("chrome-missing-allow-credentials.har"),
    });
    expect(await run(["explain", "--json", "ok.json", "two.json", "c.har"], c.io)).toBe(1);
    const list = JSON.parse(c.out());
    expect(list.map((d: { id: string }) => d.id)).toEqual(["passing-credentialed-put", "header-not-allowed", "wildcard-with-credentials", "har:0"]);
    expect(list.map((d: { blocked: boolean }) => d.blocked)).toEqual([false, true, true, true]);
    expect(list[1]).toMatchObject({ code: "HeaderDisallowedByPreflightResponse", stage: "preflight", hop: 0, expected: "x-csrf-token" });
    expect(list[0].fix).toBeUndefined();
  });

  test("with --stack each element gets a fix", async () => {
    const c = mkIO({ "w.json": example("wildcard-with-credentials.json"), "ok.json": example("passing-credentialed-put.json") });
    expect(await run(["explain", "w.json", "ok.json", "--json", "--stack=express"], c.io)).toBe(1);
    const list = JSON.parse(c.out());
    expect(list).toHaveLength(2);
    expect(list[0].fix).toMatchObject({ stack: "express" });
    expect(typeof list[0].fix.code).toBe("string");
    expect("fix" in list[1]).toBe(true);
  });

  test("each diagnosis names its request (url, method) and where it came from (file; entry for a HAR)", async () => {
    const c = mkIO({
      "two.json": JSON.stringify([JSON.parse(example("header-not-allowed.json")), JSON.parse(example("wildcard-with-credentials.json"))]),
      "c.har": example("chrome-missing-allow-credentials.har"),
    });
    await run(["explain", "--json", "two.json", "c.har"], c.io);
    const list = JSON.parse(c.out()) as Array<Record<string, unknown>>;
    const two = JSON.parse(c.io.readFile.length ? await c.io.readFile("two.json") as string : "[]") as Array<{ request: { url: string; method: string } }>;
    expect(list.map((d) => [d.file, d.entry, d.url, d.method])).toEqual([
      ["two.json", undefined, two[0]!.request.url, two[0]!.request.method],
      ["two.json", undefined, two[1]!.request.url, two[1]!.request.method],
      ["c.har", expect.any(Number), expect.stringMatching(/^https?:\/\//), expect.any(String)],
    ]);
    // The HAR entry is the request's own entry (not its preflight's).
    const har = JSON.parse(example("chrome-missing-allow-credentials.har")) as { log: { entries: Array<{ request: { url: string; method: string } }> } };
    const e = har.log.entries[list[2]!.entry as number]!;
    expect([e.request.method, e.request.url]).toEqual([list[2]!.method, list[2]!.url]);
  });

  test("exit 0 when nothing is blocked", async () => {
    const c = mkIO({ "ok.json": example("passing-credentialed-put.json") });
    expect(await run(["explain", "ok.json", "--json"], c.io)).toBe(0);
    expect(JSON.parse(c.out())).toHaveLength(1);
  });
});

describe("exit 2 with one clear line on stderr", () => {
  async function fails(argv: string[], c: Captured, pattern: RegExp) {
    expect(await run(argv, c.io)).toBe(2);
    expect(c.err()).toMatch(pattern);
    expect(c.err()).toMatch(/^cors-lens: [^\n]+\n$/); // exactly one line
    expect(c.err()).not.toMatch(/\n\s+at /); // no stack trace
    expect(c.out()).toBe("");
  }

  test("missing file", async () => {
    const c = mkIO({});
    await fails(["explain", "nope.json"], c, /^cors-lens: nope\.json: no such file\n$/);
  });

  test("truncated JSON names the file and the position", async () => {
    const text = example("header-not-allowed.json");
    const cut = text.trimEnd().slice(0, -1); // the closing brace lost
    const c = mkIO({ "examples/x.har": cut });
    await fails(["explain", "examples/x.har"], c,
      new RegExp(`^cors-lens: examples/x\\.har: not JSON \\(unexpected end of input at line \\d+, column \\d+, position ${cut.length}\\)\\n$`));
  });

  test("JSON errors never quote the file's contents", async () => {
    const c = mkIO({ "s.json": '{"cookie": "sid=SECRET" oops}' });
    await fails(["explain", "s.json"], c, /not JSON \(expected ',' or '}', found 'o' at line 1, column 25, position 24\)/);
    expect(c.err()).not.toContain("SECRET");
  });

  test("binary garbage", async () => {
    const c = mkIO({ "g.har": Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0x00]) });
    await fails(["explain", "g.har"], c, /^cors-lens: g\.har: binary data, not JSON/);
  });

  test("valid JSON that is neither a HAR nor an exchange", async () => {
    const c = mkIO({ "n.json": '{"hello": 1}' });
    await fails(["explain", "n.json"], c, /^cors-lens: n\.json: not a HAR nor valid exchange JSON: .*request/);
    const h = mkIO({ "b.har": '{"log": {"entries": [{"request": {"url": 1}}]}}' });
    await fails(["explain", "b.har"], h, /^cors-lens: b\.har: not a valid HAR: log\.entries\[0\]\.request\.url must be a string\n$/);
  });

  test("files over 100 MB are refused from their size, before reading", async () => {
    const c = mkIO({ "big.har": "{}" }, { sizes: { "big.har": MAX_INPUT_BYTES * 1.5 } });
    await fails(["explain", "big.har"], c, /^cors-lens: big\.har: file is 150\.0 MB, larger than the 100\.0 MB limit; refusing to read it\n$/);
    expect(c.reads).toEqual([]);
  });

  test("a bad file gets its one line on stderr; the good files are still reported, and the exit status is 2", async () => {
    const c = mkIO({ "ok.json": example("passing-credentialed-put.json"), "bad.json": "[" });
    expect(await run(["explain", "ok.json", "bad.json"], c.io)).toBe(2);
    expect(c.err()).toMatch(/^cors-lens: bad\.json: not JSON[^\n]*\n$/);
    expect(c.out()).toContain("== ok.json");
    expect(c.out()).toMatch(/^OK PUT /m);
    expect(c.out()).toContain("1 unreadable file (see above)");
  });

  test("unknown stack lists the valid ones", async () => {
    const c = mkIO({ "ok.json": example("passing-credentialed-put.json") });
    await fails(["explain", "ok.json", "--stack", "cobol"], c, /^cors-lens: unknown stack "cobol"; valid stacks: .*express.*nginx/);
  });

  test.each([
    [[], /missing command/],
    [["explain"], /explain needs at least one FILE/],
    [["frobnicate", "x"], /unknown command "frobnicate"/],
    [["explain", "x", "--bogus"], /unknown option "--bogus"/],
    [["explain", "x", "--stack"], /--stack needs a NAME/],
    // util.parseArgs' own errors, said in one line of the CLI's words (exit 2, not a TypeError).
    [["explain", "x", "--bogus"], /^cors-lens: unknown option "--bogus"; see cors-lens --help\n$/],
    [["explain", "x", "--bogus=1"], /^cors-lens: unknown option "--bogus"; see/],
    [["explain", "-z", "x"], /^cors-lens: unknown option "-z"; see/],
    [["explain", "x", "--stack="], /^cors-lens: --stack needs a NAME; see/],
    [["explain", "x", "--stack", "--json"], /^cors-lens: --stack needs a NAME \(for one that starts with "-", write --stack=--json\); see/],
    [["explain", "x", "--json=yes"], /^cors-lens: --json takes no value; see/],
    [["explain", "x", "--\u202e"], /^cors-lens: unknown option "--\\\\u202e"; see/],
    [["explain", "-", "-"], /^cors-lens: "-" \(standard input\) can be given only once\n$/],
    [["frobnicate"], /unknown command "frobnicate"/],
  ])("bad usage %j", async (argv, pattern) => {
    const c = mkIO({ x: "{}", "-": "{}" });
    await fails(argv, c, pattern);
  });

  test("random argv never throws out of run(): exit 0, 1 or 2, and each problem is one stderr line", async () => {
    const word = fc.constantFrom("explain", "help", "probe", "x", "-", "--", "--json", "--json=1", "--stack", "--stack=express", "express",
      "--no-color", "--no-colour", "-h", "-v", "-V", "-vh", "-", "-H", "-X", "--origin", "https://a.example", "--header", "x-a: 1",
      "--timeout", "-1", "--timeout=0", "--resolve", "--bogus", "-\u001b", "--=", "---", "", "\u2028");
    await fc.assert(fc.asyncProperty(fc.array(fc.oneof(word, fc.string({ maxLength: 6 })), { maxLength: 8 }), async (argv) => {
      // argv[0] "probe" with a URL would go to the network: keep probe runs to usage errors.
      fc.pre(!(argv[0] === "probe" && argv.some((a) => /^https?:/.test(a)) && argv.includes("--origin")));
      const c = mkIO({ x: "{}" });
      const code = await run(argv, c.io);
      expect([0, 1, 2]).toContain(code);
      expect(c.err()).not.toMatch(/\n\s+at |TypeError|ERR_PARSE_ARGS/);
      // Each problem is one line (several unreadable files: one each).
      expect(c.err()).toMatch(/^(cors-lens: [^\n]+\n)*$/);
      if (code === 2) expect(c.err()).not.toBe("");
    }), { seed: 7, numRuns: 300 });
  });
});

describe("arguments", () => {
  const files = { "w.json": example("wildcard-with-credentials.json"), "--json": example("passing-credentialed-put.json") };

  test("after --, a file may be named --json: it is read, and the output stays human", async () => {
    const c = mkIO(files);
    expect(await run(["explain", "--", "--json"], c.io)).toBe(0);
    expect(c.reads).toEqual(["--json"]);
    expect(c.out()).toMatch(/^OK PUT /m);
    expect(c.err()).toBe("");
  });

  test('"-" is a FILE (standard input), also next to other files and after options', async () => {
    const c = mkIO({ ...files, "-": example("header-not-allowed.json") });
    expect(await run(["explain", "--json", "w.json", "-"], c.io)).toBe(1);
    expect(c.reads).toEqual(["w.json", "-"]);
    expect(JSON.parse(c.out()).map((d: { file: string }) => d.file)).toEqual(["w.json", "-"]);
  });

  test("--stack NAME and --stack=NAME; the last one given wins", async () => {
    for (const argv of [["--stack", "express"], ["--stack=express"], ["--stack", "nginx", "--stack=express"]]) {
      const c = mkIO(files);
      expect(await run(["explain", "w.json", "--json", ...argv], c.io)).toBe(1);
      expect(JSON.parse(c.out())[0].fix).toMatchObject({ stack: "express" });
    }
  });

  test("--no-colour is --no-color", async () => {
    const c = mkIO(files, { tty: true });
    await run(["explain", "--no-colour", "w.json"], c.io);
    expect(c.out()).not.toContain("\u001b[");
  });

  test("-h, help, -V, -v and --version", async () => {
    for (const argv of [["-h"], ["help"], ["explain", "--help"]]) {
      const c = mkIO({});
      expect(await run(argv, c.io)).toBe(0);
      expect(c.out()).toContain("Usage: cors-lens explain FILE...");
    }
    for (const argv of [["-V"], ["-v"], ["--version"], ["explain", "-v"]]) {
      const c = mkIO({});
      expect(await run(argv, c.io)).toBe(0);
      expect(c.out()).toBe(`cors-lens ${version}\n`);
    }
  });
});

describe("painter", () => {
  test("the escapes are util.styleText's, whatever process.stdout is; off, the text is unchanged", () => {
    const p = painter(true);
    expect(p.red(p.bold("x"))).toBe("\u001b[31m\u001b[1mx\u001b[22m\u001b[39m");
    expect([p.green("g"), p.yellow("y"), p.dim("d"), p.cyan("c")]).toEqual(["\u001b[32mg\u001b[39m", "\u001b[33my\u001b[39m", "\u001b[2md\u001b[22m", "\u001b[36mc\u001b[39m"]);
    const off = painter(false);
    expect(off.red(off.bold("x"))).toBe("x");
  });
});

describe("--help and --version", () => {
  test("--help prints usage with the stacks and exits 0", async () => {
    const c = mkIO({});
    expect(await run(["--help"], c.io)).toBe(0);
    expect(c.out()).toContain("Usage: cors-lens explain FILE...");
    expect(c.out()).toMatch(/--stack NAME .*express/);
  });

  test("--version prints the package version", async () => {
    const c = mkIO({});
    expect(await run(["--version"], c.io)).toBe(0);
    expect(c.out()).toBe(`cors-lens ${version}\n`);
  });
});

describe("the built CLI (dist/cli/cors-lens.cjs)", () => {
  const bin = join(root, "dist/cli/cors-lens.cjs");
  const built = existsSync(bin);
  const maybe = built ? test : test.skip;

  maybe("exits 1 on a blocked example and 2 on a missing file, without a stack trace", () => {
    const blocked = spawnSync(process.execPath, [bin, "explain", join(root, "examples/header-not-allowed.json"), "--no-color"], { encoding: "utf8" });
    expect(blocked.status).toBe(1);
    expect(blocked.stdout).toContain("HeaderDisallowedByPreflightResponse");
    const missing = spawnSync(process.execPath, [bin, "explain", "no-such-file.har"], { encoding: "utf8" });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe("cors-lens: no-such-file.har: no such file\n");
  });

  maybe("reads standard input and prints JSON", () => {
    const r = spawnSync(process.execPath, [bin, "explain", "-", "--json"], { encoding: "utf8", input: example("passing-credentialed-put.json") });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)[0].id).toBe("passing-credentialed-put");
  });

  test("a real HAR round trip through run() matches the one through readHar", async () => {
    const har = chromeHar([chromeEntry({ method: "GET", url: "https://api.example.test/x", start: "2024-06-30T04:14:55.000Z",
      status: 0, error: "net::ERR_FAILED", reqHeaders: chromeRequestHeaders("https://api.example.test/x", "GET", ORIGIN) })]);
    const c = mkIO({ "a.har": JSON.stringify(har) });
    expect(await run(["explain", "a.har", "--json"], c.io)).toBe(1);
    expect(JSON.parse(c.out())[0]).toMatchObject({ id: "har:0", blocked: true, code: null });
  });
});

describe("per-browser verdicts (src/core/engines.ts)", () => {
  const APP = "https://app.example";
  const API = "https://api.example/x";
  /** A credentialed PUT whose preflight is answered 401 without any CORS header: WebKit names the status. */
  const preflight401 = JSON.stringify({
    id: "p401", request: { url: API, method: "PUT", origin: APP, credentials: "include", mode: "cors", headers: {} },
    hops: [{ url: API, preflight: { status: 401, headers: {} }, response: null }],
  });
  /**
   * A PUT answered 303: Chromium follows as a GET without a preflight; Firefox and WebKit keep the
   * preflight requirement across the redirect, and the second preflight gets a 404 (measured in the lab).
   */
  const ok = { "access-control-allow-origin": APP, "access-control-allow-credentials": "true", "access-control-allow-methods": "PUT" };
  const sticky = JSON.stringify({
    id: "sticky", request: { url: API, method: "PUT", origin: APP, credentials: "include", mode: "cors", headers: {} },
    hops: [
      { url: API, preflight: { status: 204, headers: ok }, response: { status: 303, headers: { ...ok, location: API + "/2" } } },
      { url: API + "/2", preflight: { status: 404, headers: {} }, response: { status: 200, headers: ok } },
    ],
  });

  test("--json: every diagnosis carries each engine's verdict, without a browserError", async () => {
    const c = mkIO({ "p.json": preflight401, "s.json": sticky });
    expect(await run(["explain", "--json", "p.json", "s.json"], c.io)).toBe(1);
    const [p, e] = JSON.parse(c.out());
    expect(p.code).toBe("PreflightMissingAllowOriginHeader");
    expect(p.engines).toEqual({
      chrome: { blocked: true, code: "PreflightMissingAllowOriginHeader" },
      firefox: { blocked: true, reason: "CORSMissingAllowOrigin", status: 401, value: null },
      safari: { blocked: true, message: "Preflight response is not successful. Status code: 401" },
    });
    expect(e.blocked).toBe(false);
    expect(e.engines).toEqual({
      chrome: { blocked: false, code: null },
      firefox: { blocked: true, reason: "CORSMissingAllowOrigin", status: 404, value: null },
      safari: { blocked: true, message: "Preflight response is not successful. Status code: 404" },
    });
  });

  test("the human report adds one line per engine that disagrees with Chrome", async () => {
    const c = mkIO({ "p.json": preflight401 });
    await run(["explain", "p.json"], c.io);
    expect(c.out()).toMatch(/\(Firefox: CORSMissingAllowOrigin\)/);
    expect(c.out()).toMatch(/^ {2}safari {4}Safari ✗ Preflight response is not successful\. Status code: 401$/m);
    expect(c.out()).not.toMatch(/^ {2}firefox /m);
    const d = mkIO({ "s.json": sticky });
    await run(["explain", "s.json"], d.io);
    expect(d.out()).toMatch(/^OK PUT /);
    expect(d.out()).toMatch(/^ {2}firefox {3}Firefox ✗ CORSMissingAllowOrigin \(404\)$/m);
    expect(d.out()).toMatch(/^ {2}safari {4}Safari ✗ Preflight response is not successful\. Status code: 404$/m);
  });

  test("--browser picks whose verdict sets the exit status", async () => {
    const files = { "s.json": sticky };
    expect(await run(["explain", "s.json"], mkIO(files).io)).toBe(0);
    expect(await run(["explain", "s.json", "--browser", "chrome"], mkIO(files).io)).toBe(0);
    expect(await run(["explain", "s.json", "--browser", "safari"], mkIO(files).io)).toBe(1);
    const c = mkIO(files);
    expect(await run(["explain", "s.json", "--browser=firefox"], c.io)).toBe(1);
    expect(c.out()).toMatch(/1 cross-origin request, 0 blocked, 1 ok, 1 blocked in Firefox$/m);
    expect(await run(["explain", "s.json", "--json", "--browser", "firefox"], mkIO(files).io)).toBe(1);
  });

  test("--browser takes only the three engines", async () => {
    const c = mkIO({ "s.json": sticky });
    expect(await run(["explain", "s.json", "--browser", "edge"], c.io)).toBe(2);
    expect(c.err()).toMatch(/^cors-lens: unknown browser "edge"; valid browsers: chrome, firefox, safari; see cors-lens --help\n$/);
    const d = mkIO({ "s.json": sticky });
    expect(await run(["explain", "s.json", "--browser"], d.io)).toBe(2);
  });
});

describe("--json written in slices", () => {
  const one = (i: number) => ({
    id: `e${i}`, request: { url: `https://api.example/x?u=\u2028${i}`, method: "GET", origin: "https://app.example", credentials: "omit", mode: "cors", headers: {} },
    hops: [{ url: `https://api.example/x?u=\u2028${i}`, preflight: null, response: { status: 200, headers: { "access-control-allow-origin": "https://app.example" } } }],
  });
  test.each([0, 1, 1000, 1001, 2500])("%i exchanges: one JSON array, JSON.stringify(…, null, 2)'s bytes, terminal-unsafe characters escaped", async (n) => {
    const c = mkIO({ "many.json": JSON.stringify(Array.from({ length: n }, (_, i) => one(i))) });
    expect(await run(["explain", "--json", "many.json"], c.io)).toBe(0);
    const parsed = JSON.parse(c.out()) as Array<{ id: string; url: string }>;
    expect(parsed.map((d) => d.id)).toEqual(Array.from({ length: n }, (_, i) => `e${i}`));
    expect(parsed[n - 1]?.url).toBe(n ? `https://api.example/x?u=\u2028${n - 1}` : undefined);
    expect(c.out()).not.toContain("\u2028");
    expect(c.out()).toBe(JSON.stringify(parsed, null, 2).replace(/\u2028/g, "\\u2028") + "\n");
  });
});
