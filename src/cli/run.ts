// The CLI's logic, free of process globals so tests can drive it: run(argv, io) -> exit code.
//   cors-lens explain FILE... [--json] [--stack NAME] [--no-color]
// Exit codes: 0 nothing blocked, 1 something blocked, 2 bad usage or unreadable/invalid input.
import { version } from "../../package.json";
import { codeInfo, mdnUrl } from "../core/codes";
import { diagnose } from "../core/diagnose";
import { readExchanges } from "../core/exchange";
import { generate, isStack, STACKS } from "../core/fix/index";
import { isHar, readHarEntries } from "../core/har";
import { isReport } from "../core/har-export";
import { hopName } from "../core/hops";
import { isSecretHeader } from "../core/secrets";
import type { Diagnosis, Exchange, Fix, Stack } from "../core/types";
import { decodeText, parseJson } from "./json";
import { probe } from "./probe";

/** Inputs larger than this are refused before reading (a HAR with bodies can be huge). */
export const MAX_INPUT_BYTES = 100 * 1024 * 1024;

export interface CliIO {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown };
  /** Reads a whole file; "-" means standard input. */
  readFile(path: string): Promise<Uint8Array | string>;
  /** File metadata, checked before reading. Optional: without it the size check happens after reading. */
  stat?(path: string): Promise<{ size: number; isDirectory?(): boolean }>;
  env?: Record<string, string | undefined>;
}

const USAGE = `Usage: cors-lens explain FILE... [--json] [--stack NAME] [--no-color]
       cors-lens probe URL --origin ORIGIN [--audit] [options]   (see cors-lens probe --help)
       cors-lens --help | --version

Explains why a browser blocked cross-origin requests, and writes the server fix.

  FILE            a HAR export (Chrome or Firefox DevTools) or exchange JSON
                  (one object or an array); "-" reads standard input
  --json          print one JSON array of diagnoses, in input order
  --stack NAME    add the server fix for NAME (one of: {stacks})
  --no-color      no colors (also: NO_COLOR=1); colors are used only on a terminal

Exit status: 0 nothing blocked, 1 something blocked, 2 bad usage or unreadable input.
`;

class UsageError extends Error {}

interface Options {
  files: string[];
  json: boolean;
  stack: Stack | null;
  color: boolean;
  help: boolean;
  version: boolean;
}

export function stackIds(): string[] {
  try {
    return STACKS.map((s) => s.id);
  } catch {
    return [];
  }
}

function parseArgs(argv: string[]): Options & { stackName: string | null } {
  const o = { files: [] as string[], json: false, stack: null, stackName: null as string | null, color: true, help: false, version: false };
  let command: string | null = null;
  let rest = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!rest && a.startsWith("-") && a !== "-") {
      if (a === "--") rest = true;
      else if (a === "--help" || a === "-h") o.help = true;
      else if (a === "--version" || a === "-V" || a === "-v") o.version = true;
      else if (a === "--json") o.json = true;
      else if (a === "--no-color" || a === "--no-colour") o.color = false;
      else if (a === "--stack" || a.startsWith("--stack=")) {
        const v = a === "--stack" ? argv[++i] : a.slice("--stack=".length);
        if (v === undefined || v === "") throw new UsageError("--stack needs a NAME");
        o.stackName = v;
      } else throw new UsageError(`unknown option ${JSON.stringify(a)}`);
      continue;
    }
    if (command === null) {
      command = a;
      if (a === "help") o.help = true;
      else if (a !== "explain") throw new UsageError(`unknown command ${JSON.stringify(a)} (try: cors-lens explain FILE...)`);
      continue;
    }
    o.files.push(a);
  }
  if (!o.help && !o.version) {
    if (command === null) throw new UsageError("missing command (try: cors-lens explain FILE...)");
    if (o.files.length === 0) throw new UsageError('explain needs at least one FILE ("-" for standard input)');
  }
  return o;
}

/** Shown text from untrusted input, on one line: control characters (terminal escapes, line breaks) made visible. */
export function clean(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** A header value as printed: secrets masked. */
export function shownValue(header: string | null, value: string | null): string {
  if (value === null) return "(missing)";
  if (header && isSecretHeader(header, value)) return `(masked, ${value.length} characters)`;
  return value === "" ? '""' : value;
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

export interface Painter {
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
  cyan(s: string): string;
}

export function painter(on: boolean): Painter {
  const wrap = (open: number, close: number) => (s: string) => (on ? `\u001b[${open}m${s}\u001b[${close}m` : s);
  return { red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39), bold: wrap(1, 22), dim: wrap(2, 22), cyan: wrap(36, 39) };
}

function indent(text: string, prefix: string): string {
  return text.replace(/\n+$/, "").split("\n").map((l) => (l.trim() === "" ? "" : prefix + clean(l))).join("\n");
}

function tryFix(stack: Stack, d: Diagnosis, ex: Exchange): { fix: Fix | null; error: string | null } {
  try {
    return { fix: generate(stack, d, ex), error: null };
  } catch (e) {
    return { fix: null, error: e instanceof Error ? e.message : String(e) };
  }
}

function stackLabel(stack: Stack): string {
  try {
    return STACKS.find((s) => s.id === stack)?.label ?? stack;
  } catch {
    return stack;
  }
}

/** The report for one exchange, for a person. */
/** The closing line of `explain` and `probe`: "3 cross-origin requests, 1 blocked, 2 ok" and more parts. */
export function summaryLine(diagnoses: Diagnosis[], more: string[] = []): string {
  const nBlocked = diagnoses.filter((d) => d.blocked).length;
  const nNet = diagnoses.filter((d) => !d.blocked && d.networkError).length;
  const nOk = diagnoses.length - nBlocked - nNet;
  return [`${diagnoses.length} cross-origin request${diagnoses.length === 1 ? "" : "s"}`,
    `${nBlocked} blocked`, `${nOk} ok`, ...(nNet ? [`${nNet} network error${nNet === 1 ? "" : "s"}`] : []), ...more].join(", ");
}

export function formatHuman(ex: Exchange, d: Diagnosis, p: Painter, stack: Stack | null): string {
  const out: string[] = [];
  const label = d.blocked ? p.red(p.bold("BLOCKED")) : d.networkError ? p.yellow(p.bold("NETWORK ERROR")) : p.green(p.bold("OK"));
  out.push(`${label} ${p.bold(clean(ex.request.method))} ${clean(ex.request.url)}`);
  const cred = `${d.credentials.mode}${d.credentials.inferred ? " (inferred)" : ""}`;
  out.push(p.dim(`  origin ${clean(ex.request.origin)} · credentials ${cred} · mode ${ex.request.mode} · id ${clean(ex.id)}`));
  if (d.stage !== null) {
    const hop = d.hop ?? 0;
    const where = ex.hops.length > 1
      ? `${d.stage}, ${hopName(hop, ex.hops.length)} (${clean(ex.hops[hop]?.url ?? "?")})`
      : d.stage;
    out.push(`  stage     ${where}`);
  }
  if (d.code) out.push(`  error     ${p.bold(d.code)}${d.firefox ? p.dim(`  (Firefox: ${d.firefox})`) : ""}`);
  if (d.header) {
    out.push(`  header    ${p.cyan(d.header)}`);
    out.push(`  received  ${clean(shownValue(d.header, d.received))}`);
    out.push(`  expected  ${clean(shownValue(d.header, d.expected))}`);
  } else if (d.received !== null || d.expected !== null) {
    out.push(`  received  ${clean(d.received ?? "(missing)")}`);
    out.push(`  expected  ${clean(d.expected ?? "(missing)")}`);
  }
  if (d.networkError) out.push(`  network   ${clean(d.networkError)}`);
  out.push(`  ${clean(d.message)}`);
  const info = codeInfo(d.code);
  if (info) {
    out.push(p.dim(`  why: ${clean(info.why)}`));
    out.push(p.dim(`  more: ${mdnUrl(d.firefox)}`));
  }
  for (const w of d.warnings) out.push(`  ${p.yellow("warning")}   ${clean(w.message)}${p.dim(` [${w.code}]`)}`);
  if (ex.initiator) out.push(p.dim(`  called from ${clean(ex.initiator)}`));
  if (stack && d.blocked) {
    const { fix, error } = tryFix(stack, d, ex);
    if (fix) {
      out.push("");
      // The title names the stack already ("Express (cors): allow …").
      out.push(`  ${p.bold("Fix:")} ${clean(fix.title || stackLabel(stack))}`);
      out.push(indent(fix.code, "    "));
      for (const n of fix.notes) out.push(`  - ${clean(n)}`);
      if (fix.client) {
        out.push(`  ${p.bold("Client-side alternative:")} ${clean(fix.client.note)}`);
        out.push(indent(fix.client.code, "    "));
      }
    } else {
      out.push(`  ${p.yellow("no fix")}: ${clean(error ?? "unknown error")}`);
    }
  }
  return out.join("\n");
}

/** Runs the CLI. Never throws: every failure becomes one line on stderr and exit code 2. */
export async function run(argv: string[], io: CliIO): Promise<number> {
  const err = (line: string) => {
    // One line, always: a file name may hold a newline (clean() keeps \n for multi-line reports).
    io.stderr.write(`cors-lens: ${line.replace(/[\n\r\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}\n`);
    return 2;
  };
  try {
    let opts: ReturnType<typeof parseArgs>;
    // `probe` has its own options (src/cli/probe.ts).
    if (argv[0] === "probe") return await probe(argv.slice(1), io);
    try {
      opts = parseArgs(argv);
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

    const results: Array<{ input: number; ex: Exchange; d: Diagnosis; entry?: number }> = [];
    for (const [input, { file, exchanges }] of inputs.entries()) {
      for (const { exchange: ex, entry } of exchanges) {
        let d: Diagnosis;
        try {
          d = diagnose(ex);
        } catch (e) {
          const msg = e instanceof Error ? e.message : String(e);
          return err(`${clean(file)}: internal error while diagnosing ${clean(ex.id)}: ${clean(msg.split("\n")[0]!)}`);
        }
        results.push({ input, ex, d, ...(entry === undefined ? {} : { entry }) });
      }
    }
    const blocked = results.some((r) => r.d.blocked);

    if (opts.json) {
      // Each diagnosis says which request it is and where it came from, so several files (or a CI
      // log) can be told apart: the request's url and method, the input file ("-" for stdin), and
      // for a HAR the index of its first entry in log.entries.
      const list = results.map(({ ex, d, input, entry }) => ({
        ...d, url: ex.request.url, method: ex.request.method, file: inputs[input]!.file, ...(entry === undefined ? {} : { entry }),
        ...(stack ? { fix: tryFix(stack, d, ex).fix } : {}),
      }));
      // The same JSON value, with the characters JSON.stringify leaves raw (DEL, C1, U+2028/9, bidi) escaped for terminals.
      io.stdout.write(JSON.stringify(list, null, 2).replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`) + "\n");
      return exitCode(blocked);
    }

    const env = io.env ?? {};
    const color = opts.color && io.stdout.isTTY === true && !env.NO_COLOR;
    const p = painter(color);
    const blocks: string[] = [];
    for (const [input, { file, exchanges }] of inputs.entries()) {
      const name = file === "-" ? "(stdin)" : file;
      if (opts.files.length > 1) blocks.push(p.bold(`== ${clean(name)}`));
      if (exchanges.length === 0) blocks.push(p.dim(`${clean(name)}: no cross-origin requests found`));
      for (const r of results) if (r.input === input) blocks.push(formatHuman(r.ex, r.d, p, stack));
    }
    blocks.push(p.dim(summaryLine(results.map((r) => r.d), unreadable ? [`${unreadable} unreadable file${unreadable === 1 ? "" : "s"} (see above)`] : [])));
    io.stdout.write(blocks.join("\n\n") + "\n");
    return exitCode(blocked);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return err(`internal error: ${clean(msg.split("\n")[0]!.slice(0, 300))}`);
  }
}
