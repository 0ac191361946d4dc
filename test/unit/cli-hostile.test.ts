// The BUILT CLI (dist/cli/cors-lens.cjs, or $CORS_LENS_DIST/cli/cors-lens.cjs) on broken and hostile input:
// every bad input exits 2 with exactly one line on stderr that names the file and the problem, never a
// stack trace; with several files, every good one is still reported; and no input, however large or
// however it lies about its size, costs more memory than the 100 MB cap allows. Peak memory is the
// child's own getrusage maxRSS, written at exit by a --require'd hook (exact, no polling).
import { available } from "../helpers/tools";
import { spawn, spawnSync, type SpawnSyncOptions } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import fc from "fast-check";
import { MAX_INPUT_BYTES } from "../../src/cli/run";

const root = join(__dirname, "../..");
const bin = join(process.env.CORS_LENS_DIST ? resolve(process.env.CORS_LENS_DIST) : join(root, "dist"), "cli/cors-lens.cjs");
const built = available(`the built CLI (${bin}: npm run build)`, existsSync(bin));
const maybe = built ? test : test.skip;
const example = (name: string) => readFileSync(join(root, "examples", name), "utf8");

const dir = mkdtempSync(join(tmpdir(), "cors-lens-hostile-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, data: string | Uint8Array) => {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
};

const PEAK_HOOK = file("peak-hook.cjs", `process.on("exit", () => require("fs").writeFileSync(process.env.CORS_LENS_PEAK_FILE, String(process.resourceUsage().maxRSS)));\n`);
/** Generous: the cap is 100 MB of input; before the bounded reader, /dev/zero went past 1.5 GB. */
const PEAK_LIMIT_KB = 400 * 1024;

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The child's peak resident set size, in KB. */
  peakKb: number;
}

/** The CLI as a shell command (paths quoted for sh). */
const shq = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
const CLI_SHELL = `${shq(process.execPath)} --require ${shq(PEAK_HOOK)} ${shq(bin)}`;

let runs = 0;
/** Runs the CLI (or a shell pipeline ending in "$CLI") and reads its peak RSS. */
function cli(args: string[], o: { input?: string | Uint8Array; stdin?: number; shell?: string } = {}): Result {
  const peakFile = join(dir, `peak-${runs++}`);
  const env = { ...process.env, CORS_LENS_PEAK_FILE: peakFile, NO_COLOR: "1" };
  const opts: SpawnSyncOptions = { encoding: "utf8", env, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 };
  if (o.input !== undefined) opts.input = o.input;
  if (o.stdin !== undefined) opts.stdio = [o.stdin, "pipe", "pipe"];
  const r = o.shell
    ? spawnSync("sh", ["-c", o.shell], opts)
    : spawnSync(process.execPath, ["--require", PEAK_HOOK, bin, ...args], opts);
  const peakKb = existsSync(peakFile) ? Number(readFileSync(peakFile, "utf8")) : NaN;
  return { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr), peakKb };
}

/** Exit 2, exactly one stderr line per bad file, naming it; no stack trace; memory bounded. */
function expectRefused(r: Result, lines: RegExp[]): void {
  expect(r.stderr).not.toMatch(/\n\s+at |Error:|node:internal/);
  const got = r.stderr.split("\n");
  expect(got.pop()).toBe(""); // ends with a newline
  expect(got).toHaveLength(lines.length);
  got.forEach((line, i) => expect(line).toMatch(lines[i]!));
  expect(r.status).toBe(2);
  expect(r.peakKb).toBeLessThan(PEAK_LIMIT_KB);
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const line = (path: string, problem: string) => new RegExp(`^cors-lens: ${esc(path)}: ${problem}$`);

if (!built) it("the built CLI is missing: run `node scripts/build.mjs` (or set CORS_LENS_DIST) first", () => console.warn(`not built: ${bin}`));

describe("broken files", () => {
  const har = (entries: unknown) => JSON.stringify({ log: { version: "1.2", entries } });
  const entry = (request: unknown, response: unknown = { status: 200, headers: [] }) => ({ startedDateTime: "2024-06-30T04:14:55.000Z", request, response });
  const req = { method: "GET", url: "https://api.example/x", headers: [{ name: "Origin", value: "https://app.example" }] };

  const CASES: Array<[string, string | Uint8Array, string]> = [
    ["truncated.har", har([entry(req)]).slice(0, 60), "not JSON \\(unterminated string at line 1, column 61, position 60\\)"],
    ["truncated-2.har", har([entry(req)]).slice(0, 36), "not JSON \\(unexpected end of input at line 1, column 37, position 36\\)"],
    ["entries-string.har", JSON.stringify({ log: { entries: "x" } }), "not a valid HAR: not a HAR file: log\\.entries must be an array"],
    ["log-null.har", JSON.stringify({ log: null }), "not a valid HAR: not a HAR file: no \"log\" object"],
    ["entry-null.har", har([null]), "not a valid HAR: log\\.entries\\[0\\] must be an object"],
    ["headers-string.har", har([entry({ ...req, headers: "Origin: x" })]), "not a valid HAR: log\\.entries\\[0\\]\\.request\\.headers: headers must be an object of name -> value"],
    ["header-name-number.har", har([entry({ ...req, headers: [{ name: 7, value: "x" }] })]), "not a valid HAR: log\\.entries\\[0\\]\\.request\\.headers: a header entry needs a string \"name\""],
    ["url-number.har", har([entry({ ...req, url: 5 })]), "not a valid HAR: log\\.entries\\[0\\]\\.request\\.url must be a string"],
    ["method-number.har", har([entry({ ...req, method: 5 })]), "not a valid HAR: log\\.entries\\[0\\]\\.request\\.method must be a string"],
    ["method-empty.har", har([entry({ ...req, method: "" })]), "not a valid HAR: log\\.entries\\[0\\]\\.request\\.method must be a method name \\(1 to 64 characters\\)"],
    ["status-word.har", har([entry(req, { status: "ok", headers: [] })]), "not a valid HAR: log\\.entries\\[0\\]\\.response\\.status must be an HTTP status number"],
    ["response-headers-number.har", har([entry(req, { status: 200, headers: 42 })]), "not a valid HAR: log\\.entries\\[0\\]\\.response\\.headers: headers must be an object of name -> value"],
    ["exchange-url-number.json", JSON.stringify({ request: { url: 1, origin: "https://app.example" } }), "not a HAR nor valid exchange JSON: exchange 0: request\\.url: must be a URL string"],
    ["exchange-hops-object.json", JSON.stringify({ request: { url: "https://api.example/", origin: "https://app.example" }, hops: {} }), "not a HAR nor valid exchange JSON: exchange 0: \"hops\" must be a non-empty array"],
    ["exchange-newline-header.json", JSON.stringify({ id: "a\nb", request: { url: "https://api.example/", origin: "https://app.example", headers: { ["x\n" + "y".repeat(70000)]: {} } } }),
      "not a HAR nor valid exchange JSON: exchange \"a\\\\nb\": request\\.headers: header \"x\\\\ny{98}…\" must be a string or an array of strings"],
    ["deep.json", "[".repeat(200_000) + "]".repeat(200_000), "not a HAR nor valid exchange JSON: \\[0\\] an exchange must be a JSON object"],
    ["deep-truncated.json", "[".repeat(200_000), "not JSON \\(unexpected end of input at line 1, column 200001, position 200000\\)"],
    ["number.json", "42", "not a HAR nor valid exchange JSON: an exchange must be a JSON object"],
    ["empty.json", "", "empty file, not JSON"],
    ["blank.json", " \n\t\r\n ", "empty file, not JSON"],
    ["nul.har", new Uint8Array(1000), "binary data, not JSON \\(contains NUL bytes\\)"],
    ["nul-inside.json", '{"a":"\u0000"}', "binary data, not JSON \\(contains NUL bytes\\)"],
    ["invalid-utf8.json", Uint8Array.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]), "binary data, not JSON \\(not valid UTF-8 text\\)"],
    ["utf16-odd.json", Uint8Array.from([0xff, 0xfe, 0x7b, 0x00, 0x7d]), "binary data, not JSON \\(invalid UTF-16\\)"],
    ["utf16-garbage.json", Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from("not json", "utf16le").swap16()]), "not JSON \\(unexpected 'n' at line 1, column 1, position 0\\)"],
    ["png.har", Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]), "binary data, not JSON.*"],
  ];

  // All in one run (one process for ${CASES.length} files, to keep the suite fast): one line per file, in order.
  maybe(`${CASES.length} broken files: one line each, naming the file and the problem; exit 2`, () => {
    const paths = CASES.map(([name, data]) => file(name, data));
    const r = cli(["explain", ...paths]);
    expectRefused(r, CASES.map(([, , problem], i) => line(paths[i]!, problem)));
    expect(r.stdout).toBe("");
  });

  maybe.each(CASES.filter(([name]) => ["truncated.har", "headers-string.har", "nul.har"].includes(name)))("%s alone: exit 2, one line, nothing on stdout", (name, data, problem) => {
    const p = file(name, data);
    const r = cli(["explain", p]);
    expectRefused(r, [line(p, problem)]);
    expect(r.stdout).toBe("");
  });

  maybe("random bytes (20 seeded samples, one file each): exit 2, one line, never a stack trace", () => {
    const samples = fc.sample(fc.uint8Array({ minLength: 1, maxLength: 4096 }), { numRuns: 20, seed: 5 });
    const paths = samples.map((bytes, i) => file(`random-${i}.bin`, bytes));
    // All in one run: one line per file, in order, and nothing on stdout since none is readable.
    const r = cli(["explain", ...paths]);
    expectRefused(r, paths.map((p) => line(p, "(binary data, not JSON|not JSON \\(|not a HAR|empty file).*")));
  });

  maybe("a directory, a missing file, a file name with control characters", () => {
    const sub = join(dir, "a-directory");
    mkdirSync(sub, { recursive: true });
    expectRefused(cli(["explain", sub]), [line(sub, "is a directory, not a file")]);
    const missing = join(dir, "no-such-file.har");
    expectRefused(cli(["explain", missing]), [line(missing, "no such file")]);
    const odd = file("odd\nname\u001b[31m.json", "[");
    const r = cli(["explain", odd]);
    expectRefused(r, [/^cors-lens: .*odd\\u000aname\\u001b\[31m\.json: not JSON/]);
    expect(r.stderr).not.toContain("\u001b");
  });

  maybe("UTF-8 and UTF-16 (LE and BE) with a byte order mark are read, not refused", () => {
    const text = example("header-not-allowed.json");
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, "utf16le").swap16()]);
    for (const data of [Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), le, be]) {
      const r = cli(["explain", file("bom.json", data)]);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(1);
      expect(r.stdout).toContain("HeaderDisallowedByPreflightResponse");
    }
  });
});

describe("several files: every good file is still reported", () => {
  maybe("human output: the good files' reports, one stderr line per bad file, exit 2", () => {
    const good1 = file("good1.json", example("header-not-allowed.json"));
    const good2 = file("good2.json", example("passing-credentialed-put.json"));
    const bad = file("bad.har", "{\"log\":");
    const missing = join(dir, "missing.json");
    const r = cli(["explain", good1, bad, missing, good2]);
    expectRefused(r, [line(bad, "not JSON .*"), line(missing, "no such file")]);
    expect(r.stdout).toContain(`== ${good1}`);
    expect(r.stdout).toContain(`== ${good2}`);
    expect(r.stdout).toContain("HeaderDisallowedByPreflightResponse");
    expect(r.stdout).toMatch(/^OK PUT /m);
    expect(r.stdout).toContain("2 cross-origin requests, 1 blocked, 1 ok, 2 unreadable files (see above)");
  });

  maybe("--json: stdout is still one JSON array of the good files' diagnoses", () => {
    const good = file("good.json", example("header-not-allowed.json"));
    const bad = file("bad.json", new Uint8Array([0, 1, 2]));
    const r = cli(["explain", bad, good, "--json", "--stack", "nginx"]);
    expectRefused(r, [line(bad, "binary data, not JSON.*")]);
    const list = JSON.parse(r.stdout);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ blocked: true, code: "HeaderDisallowedByPreflightResponse" });
    expect(list[0].fix.stack).toBe("nginx");
  });
});

describe("large input and input that lies about its size: refused, memory bounded", () => {
  const MB = 1024 * 1024;

  maybe("a 200 MB (sparse) file is refused from its size, before reading", () => {
    const p = join(dir, "big.har");
    closeSync(openSync(p, "w"));
    truncateSync(p, 200 * MB);
    try {
      const r = cli(["explain", p]);
      expectRefused(r, [line(p, "file is 200\\.0 MB, larger than the 100\\.0 MB limit; refusing to read it")]);
      expect(r.peakKb).toBeLessThan(150 * 1024);
    } finally {
      rmSync(p, { force: true });
    }
  });

  maybe("a 200 MB file on standard input (redirected) is refused from its size, before reading", () => {
    const p = join(dir, "big-stdin.har");
    closeSync(openSync(p, "w"));
    truncateSync(p, 200 * MB);
    const fd = openSync(p, "r");
    try {
      const r = cli(["explain", "-"], { stdin: fd });
      expectRefused(r, [/^cors-lens: \(stdin\): larger than 100\.0 MB; refusing to read it$/]);
      expect(r.peakKb).toBeLessThan(150 * 1024);
    } finally {
      closeSync(fd);
      rmSync(p, { force: true });
    }
  });

  maybe("200 MB through a pipe on standard input: refused while reading", () => {
    const r = cli([], { shell: `head -c ${200 * MB} /dev/zero | ${CLI_SHELL} explain -` });
    expectRefused(r, [/^cors-lens: \(stdin\): larger than 100\.0 MB; refusing to read it$/]);
  });

  maybe("an endless standard input (/dev/zero) is refused, not read forever", () => {
    const fd = openSync("/dev/zero", "r");
    try {
      expectRefused(cli(["explain", "-"], { stdin: fd }), [/^cors-lens: \(stdin\): larger than 100\.0 MB; refusing to read it$/]);
    } finally {
      closeSync(fd);
    }
  });

  maybe("a device that says it is empty and never ends (/dev/zero as FILE) is refused while reading", () => {
    expectRefused(cli(["explain", "/dev/zero"]), [line("/dev/zero", "larger than 100\\.0 MB; refusing to read it")]);
  });

  maybe("a FIFO (stat size 0) carrying 150 MB is refused while reading; a FIFO with real JSON is read", () => {
    const fifo = join(dir, "fifo");
    if (spawnSync("mkfifo", [fifo]).status !== 0) return console.warn("mkfifo unavailable: FIFO case skipped");
    const writer = spawn("sh", ["-c", `head -c ${150 * MB} /dev/zero > "${fifo}"`], { stdio: "ignore" });
    try {
      expectRefused(cli(["explain", fifo]), [line(fifo, "larger than 100\\.0 MB; refusing to read it")]);
    } finally {
      writer.kill();
    }
    const good = file("fifo-source.json", example("header-not-allowed.json"));
    const w2 = spawn("sh", ["-c", `cat "${good}" > "${fifo}"`], { stdio: "ignore" });
    try {
      const r = cli(["explain", fifo]);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(1);
    } finally {
      w2.kill();
    }
  });

  maybe("a file that keeps growing while it is read: exit 2, one line, memory bounded", () => {
    const p = file("growing.har", "");
    // The writer appends 150 MB while the CLI reads: stat sees a few MB (or more), the reader must stop at the cap.
    const writer = spawn("sh", ["-c", `head -c ${150 * MB} /dev/zero >> "${p}"`], { stdio: "ignore" });
    try {
      const r = cli(["explain", p]);
      // Depending on the race: refused from its size, while reading, or read early and refused as binary.
      expectRefused(r, [line(p, "(file is [\\d.]+ MB, larger than the 100\\.0 MB limit; refusing to read it|larger than 100\\.0 MB; refusing to read it|binary data, not JSON.*|empty file, not JSON)")]);
    } finally {
      writer.kill();
      rmSync(p, { force: true });
    }
  });

  maybe("just under the cap, a valid file is still read", () => {
    const p = join(dir, "padded.har");
    const fd = openSync(p, "w");
    const body = JSON.stringify({ log: { entries: [] } });
    writeFileSync(fd, body);
    writeFileSync(fd, Buffer.alloc(MAX_INPUT_BYTES - body.length - 1, 0x20));
    closeSync(fd);
    try {
      const r = cli(["explain", p]);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      expect(r.stdout).toContain("no cross-origin requests found");
      expect(r.peakKb).toBeLessThan(PEAK_LIMIT_KB);
    } finally {
      rmSync(p, { force: true });
    }
  });
});

describe("standard input", () => {
  maybe("empty, garbage, a directory: exit 2 with one line", () => {
    expectRefused(cli(["explain", "-"], { input: "" }), [/^cors-lens: \(stdin\): empty file, not JSON$/]);
    expectRefused(cli(["explain", "-"], { input: "{oops" }), [/^cors-lens: \(stdin\): not JSON \(expected a property name in double quotes, found 'o' at line 1, column 2, position 1\)$/]);
    expectRefused(cli(["explain", "-"], { input: new Uint8Array([0xff, 0x00, 0xfe]) }), [/^cors-lens: \(stdin\): binary data, not JSON/]);
    const fd = openSync(dir, "r");
    try {
      expectRefused(cli(["explain", "-"], { stdin: fd }), [/^cors-lens: \(stdin\): is a directory, not a file$/]);
    } finally {
      closeSync(fd);
    }
  });

  maybe("stdin and a bad file together: stdin's report is kept", () => {
    const bad = file("bad2.json", "nope");
    const r = cli(["explain", "-", bad], { input: example("header-not-allowed.json") });
    expectRefused(r, [line(bad, "not JSON .*")]);
    expect(r.stdout).toContain("== (stdin)");
    expect(r.stdout).toContain("HeaderDisallowedByPreflightResponse");
  });
});
