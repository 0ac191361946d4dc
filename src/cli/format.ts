// The CLI's human output, shared by `explain` (run.ts) and `probe` (probe.ts): colors, one-line
// cleaning of untrusted text, masked values, the per-exchange report, the summary line and usage errors.
import { parseArgs, styleText, type ParseArgsConfig } from "node:util";
import { codeInfo, mdnUrl } from "../core/codes";
import { disagreements, engineLine, engineVerdicts, type EngineVerdicts } from "../core/engines";
import { generate, STACKS } from "../core/fix/index";
import { hopName } from "../core/hops";
import { preflightCacheFinding, preflightCacheMessage } from "../core/preflight-cache";
import { isSecretHeader } from "../core/secrets";
import type { Diagnosis, Exchange, Fix, Stack } from "../core/types";

export function stackIds(): string[] {
  try {
    return STACKS.map((s) => s.id);
  } catch {
    return [];
  }
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

export interface Painter {
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
  cyan(s: string): string;
}

/** `on` is the caller's decision (its stdout is a terminal, no NO_COLOR, no --no-color). */
export function painter(on: boolean): Painter {
  // validateStream: false, or newer node versions judge process.stdout and NO_COLOR instead of the CLI's io.
  const style = (format: Parameters<typeof styleText>[0]) => (s: string) => (on ? styleText(format, s, { validateStream: false }) : s);
  return { red: style("red"), green: style("green"), yellow: style("yellow"), bold: style("bold"), dim: style("dim"), cyan: style("cyan") };
}

type ArgOptions = NonNullable<ParseArgsConfig["options"]>;

/**
 * The usage message for util.parseArgs' strict-mode error `e`, or null if `e` is not one. Its own
 * messages span lines and may not name the option, so the arguments are read again, loosely, to find it.
 * `needs` names an option's value for "--stack needs a NAME" (default "a value").
 */
export function argsProblem(e: unknown, args: string[], options: ArgOptions, needs: Record<string, string> = {}): string | null {
  const code = typeof e === "object" && e !== null && "code" in e ? String((e as { code: unknown }).code) : "";
  if (!code.startsWith("ERR_PARSE_ARGS_")) return null;
  const { tokens } = parseArgs({ args, options, allowPositionals: true, strict: false, tokens: true });
  for (const t of tokens) {
    if (t.kind !== "option") continue;
    const raw = clean(t.rawName);
    const o = options[t.name];
    if (!o) return `unknown option ${JSON.stringify(raw)}`;
    if (o.type === "boolean" && t.value !== undefined) return `${raw} takes no value`;
    if (o.type === "string" && t.value === undefined) return `${raw} needs ${needs[t.name] ?? "a value"}`;
    // Strict parseArgs refuses `--stack --json`: the value looks like an option.
    if (o.type === "string" && !t.inlineValue && t.value!.length > 1 && t.value!.startsWith("-")) {
      return `${raw} needs ${needs[t.name] ?? "a value"} (for one that starts with "-", write --${clean(t.name)}=${clean(t.value!)})`;
    }
  }
  return clean((e instanceof Error ? e.message : String(e)).split("\n")[0]!);
}

function indent(text: string, prefix: string): string {
  return text.replace(/\n+$/, "").split("\n").map((l) => (l.trim() === "" ? "" : prefix + clean(l))).join("\n");
}

export function tryFix(stack: Stack, d: Diagnosis, ex: Exchange): { fix: Fix | null; error: string | null } {
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

/** The closing line of `explain` and `probe`: "3 cross-origin requests, 1 blocked, 2 ok" and more parts. */
export function summaryLine(diagnoses: Diagnosis[], more: string[] = []): string {
  const nBlocked = diagnoses.filter((d) => d.blocked).length;
  const nNet = diagnoses.filter((d) => !d.blocked && d.networkError).length;
  const nOk = diagnoses.length - nBlocked - nNet;
  return [`${diagnoses.length} cross-origin request${diagnoses.length === 1 ? "" : "s"}`,
    `${nBlocked} blocked`, `${nOk} ok`, ...(nNet ? [`${nNet} network error${nNet === 1 ? "" : "s"}`] : []), ...more].join(", ");
}

/**
 * The report for one exchange, for a person. The verdict is Chrome's; each engine that judges the
 * exchange otherwise (src/core/engines.ts) gets one line of its own words.
 */
export function formatHuman(ex: Exchange, d: Diagnosis, p: Painter, stack: Stack | null,
  engines: EngineVerdicts = engineVerdicts(ex, d)): string {
  const out: string[] = [];
  const differ = disagreements(engines);
  // Firefox's reason from the Gecko model, not from Chrome's code (they differ on some exchanges).
  const firefoxKey = engines.firefox.reason ?? d.firefox;
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
  if (d.code) {
    const ff = !differ.includes("firefox") && engines.firefox.reason ? p.dim(`  (Firefox: ${engines.firefox.reason})`) : "";
    out.push(`  error     ${p.bold(d.code)}${ff}`);
  }
  for (const id of differ) out.push(`  ${p.yellow(id.padEnd(8))}  ${clean(engineLine(id, engines))}`);
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
    out.push(p.dim(`  more: ${mdnUrl(firefoxKey)}`));
  }
  for (const w of d.warnings) out.push(`  ${p.yellow("warning")}   ${clean(w.message)}${p.dim(` [${w.code}]`)}`);
  const cache = preflightCacheFinding(ex);
  if (cache) out.push(`  ${p.cyan("cache")}     ${clean(preflightCacheMessage(cache))}`);
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
