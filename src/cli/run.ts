// The CLI's logic, free of process globals so tests can drive it: run(argv, io) -> exit code.
//   cors-lens explain FILE... [--json] [--stack NAME] [--browser chrome|firefox|safari] [--no-color]
// Exit codes: 0 nothing blocked, 1 something blocked, 2 bad usage or unreadable/invalid input.
import { parseArgs } from "node:util";
import { version } from "../../package.json";
import { diagnose } from "../core/diagnose";
import { ENGINE_IDS, ENGINE_NAMES, engineVerdicts, type EngineId, type EngineVerdicts } from "../core/engines";
import { readExchanges } from "../core/exchange";
import { isStack } from "../core/fix/index";
import { isHar, readHarEntries } from "../core/har";
import { isReport } from "../core/har-export";
import type { Diagnosis, Exchange, Stack } from "../core/types";
import { decodeText, parseJson } from "./json";
import { argsProblem, clean, formatHuman, painter, stackIds, summaryLine, tryFix } from "./format";
import { MAX_INPUT_BYTES, type CliIO } from "./io";
import { probe } from "./probe";

// Re-exported for the CLI's callers and tests.
export { MAX_INPUT_BYTES, type CliIO } from "./io";
export { clean, formatHuman, painter, shownValue, stackIds, summaryLine, type Painter } from "./format";

const USAGE = `Usage: cors-lens explain FILE... [--json] [--stack NAME] [--browser NAME] [--no-color]
       cors-lens probe URL --origin ORIGIN [--audit] [options]   (see cors-lens probe --help)
       cors-lens --help | --version

Explains why a browser blocked cross-origin requests, and writes the server fix.

  FILE            a HAR export (Chrome or Firefox DevTools) or exchange JSON
                  (one object or an array); "-" reads standard input
  --json          print one JSON array of diagnoses, in input order
  --stack NAME    add the server fix for NAME (one of: {stacks})
  --browser NAME  whose verdict sets the exit status: chrome (default), firefox
                  or safari; every report still shows where the engines differ
  --no-color      no colors (also: NO_COLOR=1); colors are used only on a terminal

Exit status: 0 nothing blocked, 1 something blocked (in --browser), 2 bad usage or unreadable input.
`;

class UsageError extends Error {}

interface Options {
  files: string[];
  json: boolean;
  stack: Stack | null;
  browser: EngineId;
  color: boolean;
  help: boolean;
  version: boolean;
}

const EXPLAIN_OPTIONS = {
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "V" },
  v: { type: "boolean" }, // -v, like -V
  json: { type: "boolean" },
  stack: { type: "string" },
  browser: { type: "string" },
  "no-color": { type: "boolean" },
  "no-colour": { type: "boolean" },
} as const;

function readExplainArgs(argv: string[]): Options & { stackName: string | null } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: EXPLAIN_OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    const problem = argsProblem(e, argv, EXPLAIN_OPTIONS, { stack: "a NAME", browser: "a NAME" });
    if (problem === null) throw e;
    throw new UsageError(problem);
  }
  const { values: v, positionals: [command, ...files] } = parsed;
  if (command !== undefined && command !== "explain" && command !== "help") {
    throw new UsageError(`unknown command ${JSON.stringify(clean(command))} (try: cors-lens explain FILE...)`);
  }
  if (v.stack === "") throw new UsageError("--stack needs a NAME");
  const browser = v.browser ?? "chrome";
  if (!(ENGINE_IDS as readonly string[]).includes(browser)) {
    throw new UsageError(`unknown browser ${JSON.stringify(clean(browser))}; valid browsers: ${ENGINE_IDS.join(", ")}`);
  }
  const o = {
    files, json: !!v.json, stack: null, stackName: v.stack ?? null, browser: browser as EngineId, color: !v["no-color"] && !v["no-colour"],
    help: !!v.help || command === "help", version: !!v.version || !!v.v,
  };
  if (!o.help && !o.version) {
    if (command === undefined) throw new UsageError("missing command (try: cors-lens explain FILE...)");
    if (o.files.length === 0) throw new UsageError('explain needs at least one FILE ("-" for standard input)');
  }
  return o;
}

function size(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${n} bytes`;
}

function fsProblem(e: unknown): string {
  const code = typeof e === "object" && e !== null && "code" in e ? String((e as { code: unknown }).code) : "";
  if (code === "ENOENT") return "no such file";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "is a directory, not a file";
  if (code === "ETOOBIG") return `larger than ${size(MAX_INPUT_BYTES)}; refusing to read it`;
  const msg = e instanceof Error ? e.message : String(e);
  return `cannot read it (${clean(msg.split("\n")[0]!.slice(0, 200))})`;
}

class InputError extends Error {
  constructor(readonly file: string, problem: string) {
    super(problem);
  }
}

/** Reads one input file into exchanges, or throws an InputError naming the problem. */
/** One exchange read from a file, with the HAR entry (log.entries index) its first request is. */
interface Loaded {
  exchange: Exchange;
  entry?: number;
}

async function load(file: string, io: CliIO): Promise<Loaded[]> {
  if (file !== "-" && io.stat) {
    let st: { size: number; isDirectory?(): boolean };
    try {
      st = await io.stat(file);
    } catch (e) {
      throw new InputError(file, fsProblem(e));
    }
    if (st.isDirectory?.()) throw new InputError(file, "is a directory, not a file");
    if (st.size > MAX_INPUT_BYTES) {
      throw new InputError(file, `file is ${size(st.size)}, larger than the ${size(MAX_INPUT_BYTES)} limit; refusing to read it`);
    }
  }
  let data: Uint8Array | string;
  try {
    data = await io.readFile(file);
  } catch (e) {
    throw new InputError(file, fsProblem(e));
  }
  if (data.length > MAX_INPUT_BYTES) {
    throw new InputError(file, `input is larger than the ${size(MAX_INPUT_BYTES)} limit; refusing to read it`);
  }
  const text = decodeText(data);
  if (!text.ok) throw new InputError(file, text.error);
  const parsed = parseJson(text.text);
  if (!parsed.ok) throw new InputError(file, parsed.error);
  const doc = parsed.value;
  const looksHar = typeof doc === "object" && doc !== null && !Array.isArray(doc) && "log" in doc;
  if (isHar(doc) || looksHar) {
    const r = readHarEntries(doc);
    if (!r.ok) throw new InputError(file, `not a valid HAR: ${r.error}`);
    return r.value;
  }
  // A CORS Lens report (src/core/har-export.ts toReport): its exchanges are diagnosed again.
  if (isReport(doc)) {
    if (!Array.isArray(doc.items)) throw new InputError(file, "not a valid CORS Lens report: items must be an array");
    const rr = readExchanges(doc.items.map((it: unknown) => (typeof it === "object" && it !== null ? (it as { exchange?: unknown }).exchange : it)));
    if (!rr.ok) throw new InputError(file, `not a valid CORS Lens report: ${rr.error}`);
    return rr.value.map((exchange) => ({ exchange }));
  }
  const r = readExchanges(doc);
  if (!r.ok) throw new InputError(file, `not a HAR nor valid exchange JSON: ${r.error}`);
  return r.value.map((exchange) => ({ exchange }));
}

/** Runs the CLI. Never throws: every failure becomes one line on stderr and exit code 2. */
const JSON_SLICE = 1000;
const TERMINAL_UNSAFE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** The characters JSON.stringify leaves raw (DEL, C1, U+2028/9, bidi controls), escaped: the JSON value is the same, a terminal shows it as it is. */
function escapeForTerminal(json: string): string {
  return json.replace(TERMINAL_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const err = (line: string) => {
    // One line, always: a file name may hold a newline (clean() keeps \n for multi-line reports).
    io.stderr.write(`cors-lens: ${line.replace(/[\n\r\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}\n`);
    return 2;
  };
  try {
    let opts: ReturnType<typeof readExplainArgs>;
    // `probe` has its own options (src/cli/probe.ts).
    if (argv[0] === "probe") return await probe(argv.slice(1), io);
    try {
      opts = readExplainArgs(argv);
    } catch (e) {
      if (e instanceof UsageError) return err(`${e.message}; see cors-lens --help`);
      throw e;
    }
    if (opts.help) {
      io.stdout.write(USAGE.replace("{stacks}", stackIds().join(", ")));
      return 0;
    }
    if (opts.version) {
      io.stdout.write(`cors-lens ${version}\n`);
      return 0;
    }
    let stack: Stack | null = null;
    if (opts.stackName !== null) {
      if (!isStack(opts.stackName)) {
        return err(`unknown stack ${JSON.stringify(clean(opts.stackName))}; valid stacks: ${stackIds().join(", ")}`);
      }
      stack = opts.stackName as Stack;
    }
    if (opts.files.filter((f) => f === "-").length > 1) return err('"-" (standard input) can be given only once');

    // Each unreadable file gets its one line on stderr; the readable ones are still reported, and the
    // exit status is 2 (bad input) whatever they hold.
    const inputs: Array<{ file: string; exchanges: Loaded[] }> = [];
    let unreadable = 0;
    for (const file of opts.files) {
      try {
        inputs.push({ file, exchanges: await load(file, io) });
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        err(`${clean(file === "-" ? "(stdin)" : file)}: ${e.message}`);
        unreadable++;
      }
    }
    if (inputs.length === 0) return 2;
    const exitCode = (blocked: boolean) => (unreadable > 0 ? 2 : blocked ? 1 : 0);

    type Result = { input: number; ex: Exchange; d: Diagnosis; engines: EngineVerdicts; entry?: number };
    // Every exchange judged in input order; `each` sees each result once. Null when diagnose() threw
    // (a bug, not input: it never throws on what the readers accept), after its line on stderr.
    const judgeAll = (each: (r: Result) => void): boolean | null => {
      let blocked = false;
      for (const [input, { file, exchanges }] of inputs.entries()) {
        for (const { exchange: ex, entry } of exchanges) {
          let d: Diagnosis;
          let engines: EngineVerdicts;
          try {
            d = diagnose(ex);
            engines = engineVerdicts(ex, d);
          } catch (e) {
            const msg = e instanceof Error ? e.message : String(e);
            err(`${clean(file)}: internal error while diagnosing ${clean(ex.id)}: ${clean(msg.split("\n")[0]!)}`);
            return null;
          }
          blocked ||= engines[opts.browser].blocked;
          each({ input, ex, d, engines, ...(entry === undefined ? {} : { entry }) });
        }
      }
      return blocked;
    };

    if (opts.json) {
      // Each diagnosis says which request it is and where it came from, so several files (or a CI
      // log) can be told apart: the request's url and method, the input file ("-" for stdin), and
      // for a HAR the index of its first entry in log.entries.
      // `engines`: each browser's own verdict on the exchange (the top-level fields are Chrome's).
      const item = ({ ex, d, engines, input, entry }: Result) => ({
        ...d, engines, url: ex.request.url, method: ex.request.method, file: inputs[input]!.file, ...(entry === undefined ? {} : { entry }),
        ...(stack ? { fix: tryFix(stack, d, ex).fix } : {}),
      });
      // The same bytes as JSON.stringify(list, null, 2), written as it is judged, in slices of 1,000
      // diagnoses: one 100 MB string (and its escaped copy, and its buffer) would cost more in GC than
      // the diagnosis, and holding every diagnosis until the end cost memory (B5, 100,000 exchanges:
      // peak RSS 532 -> 442 MB, ~0.2 s).
      // JSON.stringify([a, b], null, 2) is "[\n  a,\n  b\n]": its inside is already indented.
      let slice: unknown[] = [];
      let written = false;
      const writeSlice = () => {
        const json = JSON.stringify(slice, null, 2);
        io.stdout.write((written ? ",\n" : "[\n") + escapeForTerminal(json.slice(2, -2)));
        written = true;
        slice = [];
      };
      const blocked = judgeAll((r) => {
        slice.push(item(r));
        if (slice.length === JSON_SLICE) writeSlice();
      });
      if (slice.length) writeSlice();
      // After an internal error the array is closed where it stopped: what was written stays JSON.
      io.stdout.write(written ? "\n]\n" : "[]\n");
      return blocked === null ? 2 : exitCode(blocked);
    }

    const results: Result[] = [];
    const judged = judgeAll((r) => results.push(r));
    if (judged === null) return 2;
    const blocked = judged;

    const env = io.env ?? {};
    const color = opts.color && io.stdout.isTTY === true && !env.NO_COLOR;
    const p = painter(color);
    const blocks: string[] = [];
    for (const [input, { file, exchanges }] of inputs.entries()) {
      const name = file === "-" ? "(stdin)" : file;
      if (opts.files.length > 1) blocks.push(p.bold(`== ${clean(name)}`));
      if (exchanges.length === 0) blocks.push(p.dim(`${clean(name)}: no cross-origin requests found`));
      for (const r of results) if (r.input === input) blocks.push(formatHuman(r.ex, r.d, p, stack, r.engines));
    }
    const more: string[] = [];
    if (opts.browser !== "chrome") {
      more.push(`${results.filter((r) => r.engines[opts.browser].blocked).length} blocked in ${ENGINE_NAMES[opts.browser]}`);
    }
    if (unreadable) more.push(`${unreadable} unreadable file${unreadable === 1 ? "" : "s"} (see above)`);
    blocks.push(p.dim(summaryLine(results.map((r) => r.d), more)));
    io.stdout.write(blocks.join("\n\n") + "\n");
    return exitCode(blocked);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return err(`internal error: ${clean(msg.split("\n")[0]!.slice(0, 300))}`);
  }
}
