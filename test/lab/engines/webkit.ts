// WebKitGTK (Safari's engine) as a CORS oracle: every lab run in a WebKit2.WebView hosted by
// webkit-host.py, its verdict read from the console messages WebKit writes to the web process's
// stderr (WebKitSettings enable-write-console-messages-to-stdout), bracketed by our own markers.
//
// Host names: WebKit resolves through the system resolver, so each host runs in a private mount
// namespace whose /etc/hosts maps the lab's names to 127.0.0.1 (`unshare --mount`, or with
// `--map-root-user` when not root). The lab stays in this network namespace: WebKit looks names up
// over IPv4 only and glibc refuses when 127.0.0.1 is the only IPv4 address, so this needs a
// non-loopback IPv4 address on the machine (a fresh network namespace would need one added to lo).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { networkInterfaces, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import type { Exchange } from "../../../src/core/types";
import { exchangeAsSeen, type Run } from "../runner";
import type { Lab } from "../server";
import { BEGIN, END, pool, scriptBody, specOf, type ScriptOutcome } from "./script";

export const PYTHON = process.env.CORS_LENS_PYTHON ?? "/usr/bin/python3";
export const HOST_SCRIPT = process.env.CORS_LENS_WEBKIT_HOST ?? resolve(__dirname, "webkit-host.py");
export const LAB_HOSTS = ["app.example", "api.example", "other.example"];

const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;

/** The namespace wrapper: `unshare --mount` (root) or `unshare --map-root-user --mount`. */
function unshareArgs(): string[] {
  return isRoot() ? ["--mount", "--propagation", "private"] : ["--map-root-user", "--mount", "--propagation", "private"];
}

/** Why WebKitGTK cannot run here, or null when everything it needs is present. */
export function webkitMissing(): string | null {
  const gi = spawnSync(PYTHON, ["-c", "import gi; gi.require_version('Gtk', '3.0'); gi.require_version('WebKit2', '4.1'); from gi.repository import WebKit2; print(WebKit2.get_major_version(), WebKit2.get_minor_version(), WebKit2.get_micro_version())"], { encoding: "utf8" });
  if (gi.error || gi.status !== 0) {
    return `${PYTHON} cannot load WebKit2 4.1 through PyGObject (${(gi.error?.message ?? gi.stderr).trim().split("\n").at(-1)}). ` +
      'Install Debian\'s "python3-gi", "gir1.2-webkit2-4.1" and "libwebkit2gtk-4.1-0" (or point CORS_LENS_PYTHON at a python3 that has them).';
  }
  for (const tool of ["xvfb-run", "unshare", "mount"]) {
    const w = spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" });
    if (w.status !== 0) return `${tool} not found (Debian packages "xvfb" for xvfb-run, "util-linux" for unshare and mount)`;
  }
  const ns = spawnSync("unshare", [...unshareArgs(), "sh", "-c", "mount --bind /etc/hosts /etc/hosts"], { encoding: "utf8" });
  if (ns.status !== 0) return `cannot make a private mount namespace (unshare ${unshareArgs().join(" ")}): ${ns.stderr.trim()}`;
  const ipv4 = Object.values(networkInterfaces()).flat().some((a) => a && a.family === "IPv4" && !a.internal);
  if (!ipv4) return "no non-loopback IPv4 address: glibc's resolver (AI_ADDRCONFIG) then refuses WebKit's IPv4 lookups of the lab names";
  return null;
}

export function webkitVersion(): string {
  const p = spawnSync(PYTHON, ["-c", "import gi; gi.require_version('WebKit2', '4.1'); from gi.repository import WebKit2; print(f'{WebKit2.get_major_version()}.{WebKit2.get_minor_version()}.{WebKit2.get_micro_version()}')"], { encoding: "utf8" });
  return `WebKitGTK ${p.stdout.trim()}`;
}

/** A console line of WebKitGTK: "CONSOLE <SOURCE> <LEVEL> <text>". */
export interface WebKitConsoleLine {
  source: string;
  level: string;
  text: string;
}

export function parseConsoleLine(line: string): WebKitConsoleLine | null {
  const m = /^CONSOLE (.+?) (LOG|ERROR|WARN|WARNING|INFO|DEBUG) (.*)$/s.exec(line);
  return m ? { source: m[1]!, level: m[2]!, text: m[3]! } : null;
}

type Reply = { ok: boolean; error?: string; value?: unknown; url?: string; ready?: boolean; webkit?: string };

/** One webkit-host.py process: one WebView, commands answered in order. */
export class WebKitHost {
  private proc: ChildProcess;
  private replies: Array<(r: Reply) => void> = [];
  /** Every stderr line (the web process's console messages among them). */
  readonly lines: string[] = [];
  private lineWaiters = new Set<() => void>();
  private dir: string;
  private exited: string | null = null;
  readonly ready: Promise<Reply>;

  constructor(hostsFile: string) {
    this.dir = mkdtempSync(join(tmpdir(), "cors-lens-webkit-"));
    const script = 'mount --bind "$0" /etc/hosts && exec xvfb-run -a "$@"';
    this.proc = spawn("unshare", [...unshareArgs(), "sh", "-c", script, hostsFile, PYTHON, HOST_SCRIPT, this.dir], {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, NO_AT_BRIDGE: "1", GTK_A11Y: "none" },
    });
    let readyResolve!: (r: Reply) => void;
    this.ready = new Promise<Reply>((r) => { readyResolve = r; });
    this.replies.push(readyResolve);
    createInterface({ input: this.proc.stdout! }).on("line", (line) => {
      if (!line.startsWith("@@host ")) return;
      this.replies.shift()?.(JSON.parse(line.slice(7)) as Reply);
    });
    createInterface({ input: this.proc.stderr! }).on("line", (line) => {
      this.lines.push(line);
      for (const w of this.lineWaiters) w();
    });
    this.proc.on("exit", (code, signal) => {
      this.exited = `webkit-host exited (${code ?? signal}): ${this.lines.slice(-5).join(" | ")}`;
      for (const r of this.replies.splice(0)) r({ ok: false, error: this.exited });
      for (const w of this.lineWaiters) w();
    });
  }

  private send(cmd: object): Promise<Reply> {
    if (this.exited) return Promise.resolve({ ok: false, error: this.exited });
    return new Promise<Reply>((r) => {
      this.replies.push(r);
      this.proc.stdin!.write(JSON.stringify(cmd) + "\n");
    });
  }

  async load(url: string): Promise<void> {
    const r = await this.send({ cmd: "load", url });
    if (!r.ok) throw new Error(`WebKit could not load ${url}: ${r.error}`);
  }

  call(body: string, args: unknown): Promise<Reply> {
    return this.send({ cmd: "call", body, args });
  }

  /** Waits until a stderr line equal to `CONSOLE LOG <text>` arrived after index `from`, or `ms`. */
  async waitForLog(text: string, from: number, ms: number): Promise<number> {
    const want = `CONSOLE LOG ${text}`;
    const deadline = Date.now() + ms;
    for (;;) {
      const i = this.lines.indexOf(want, from);
      if (i >= 0 || this.exited || Date.now() > deadline) return i;
      await new Promise<void>((wake) => {
        const done = () => {
          clearTimeout(timer);
          this.lineWaiters.delete(done);
          wake();
        };
        const timer = setTimeout(done, Math.max(1, deadline - Date.now()));
        this.lineWaiters.add(done);
      });
    }
  }

  async close(): Promise<void> {
    if (!this.exited) {
      const gone = new Promise<void>((r) => this.proc.once("exit", () => r()));
      this.proc.stdin!.end(JSON.stringify({ cmd: "quit" }) + "\n");
      const t = setTimeout(() => this.proc.kill("SIGKILL"), 5000);
      await gone;
      clearTimeout(t);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface SafariVerdict {
  /** The script failed and WebKit logged an error for the run. */
  blocked: boolean;
  /** WebKit's reason: the first error other than "<API> cannot load <url> due to access control checks." (that one when alone). */
  message: string | null;
  /** Every console error of the run, as "SOURCE LEVEL text" lines. */
  raw: string[];
  script: ScriptOutcome;
  /** The script failed without any console error. */
  networkError: string | null;
  /** Both console markers of the run arrived, so its messages are attributed. */
  marked: boolean;
}

const GENERIC = /^(Fetch API|XMLHttpRequest|EventSource) cannot load .* due to access control checks\.$/s;

export function safariVerdict(lines: WebKitConsoleLine[], script: ScriptOutcome, marked = true): SafariVerdict {
  const errors = lines.filter((l) => l.level === "ERROR");
  const reason = errors.find((l) => !GENERIC.test(l.text)) ?? errors[0] ?? null;
  const blocked = !script.ok && errors.length > 0;
  return {
    blocked,
    message: blocked ? (reason?.text ?? null) : null,
    raw: errors.map((l) => `${l.source} ${l.level} ${l.text}`),
    script,
    networkError: !script.ok && errors.length === 0 ? (script.error ?? "failed") : null,
    marked,
  };
}

export interface WebKitOracleOptions {
  /** webkit-host processes (one WebView each) at once. Default 3. */
  hosts?: number;
  /** Milliseconds the page waits after the call before its END marker. Default 20. */
  settleMs?: number;
}

export interface WebKitRunResult {
  run: Run;
  verdict: SafariVerdict;
  seen: Exchange;
}

/** Runs every run in WebKitGTK; returns its verdict per run (in the order of `runs`). */
export async function runWebKitOracle(lab: Lab, runs: Run[], options: WebKitOracleOptions = {}): Promise<{ version: string; results: WebKitRunResult[] }> {
  const dir = mkdtempSync(join(tmpdir(), "cors-lens-hosts-"));
  const hostsFile = join(dir, "hosts");
  writeFileSync(hostsFile, `127.0.0.1 localhost\n::1 localhost\n127.0.0.1 ${LAB_HOSTS.join(" ")}\n`);
  const hosts: WebKitHost[] = [];
  try {
    // One after the other: concurrent `xvfb-run -a` can pick the same display.
    let version = "";
    for (let i = 0; i < Math.max(1, options.hosts ?? 3); i++) {
      const h = new WebKitHost(hostsFile);
      hosts.push(h);
      const r = await h.ready;
      if (!r.ok || !r.ready) throw new Error(`webkit-host did not start: ${r.error ?? JSON.stringify(r)}\n${h.lines.slice(-20).join("\n")}`);
      version = `WebKitGTK ${r.webkit}`;
    }
    const kinds = hosts.map((): string | null => null);
    const body = scriptBody(options.settleMs ?? 20);
    const byId = new Map<string, { lines: WebKitConsoleLine[]; script: ScriptOutcome; marked: boolean }>();
    const order = [...runs].sort((a, b) => Number(a.page === "sandbox") - Number(b.page === "sandbox"));
    await pool(order, hosts.length, async (run, w) => {
      const host = hosts[w]!;
      lab.register(run.key, run.exchange);
      if (kinds[w] !== run.page) {
        await host.load(`${lab.origin("app.example")}/${run.page === "sandbox" ? "sandbox" : "page"}.html?wk=${w}`);
        kinds[w] = run.page;
      }
      const from = host.lines.length;
      const r = await host.call(body, specOf(run));
      const script: ScriptOutcome = r.ok ? (r.value as ScriptOutcome) : { ok: false, error: `call: ${r.error}` };
      const end = await host.waitForLog(END + run.id, from, 3000);
      const begin = host.lines.indexOf(`CONSOLE LOG ${BEGIN}${run.id}`, from);
      const lines = host.lines.slice(begin < 0 ? from : begin + 1, end < 0 ? host.lines.length : end)
        .map(parseConsoleLine).filter((l): l is WebKitConsoleLine => l !== null);
      byId.set(run.id, { lines, script, marked: begin >= 0 && end >= 0 });
    });
    return {
      version,
      results: runs.map((run) => {
        const got = byId.get(run.id) ?? { lines: [], script: { ok: false, error: "not run" }, marked: false };
        return { run, verdict: safariVerdict(got.lines, got.script, got.marked), seen: exchangeAsSeen(run, lab.log(run.key)) };
      }),
    };
  } finally {
    for (const h of hosts) await h.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
