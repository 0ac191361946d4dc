// Real syntax checkers for the generated snippets, and independent decoders for the string literals of
// the languages with no toolchain on this machine (Go, C#, Ruby). Each decoder follows the language's
// own rules and throws on anything the language would reject.
import { available } from "../../../helpers/tools";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import * as acorn from "acorn";
import { transformSync } from "esbuild";

const made: string[] = [];
// Loaded per test file: clean that file's directories when it finishes.
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory, removed after the test file. */
export function tmp(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `cors-lens-${prefix}-`));
  made.push(dir);
  return dir;
}

// ---- JavaScript / TypeScript ----------------------------------------------------------------------

export interface JsScan {
  strings: string[];
  /** Source text of every token that is not a string literal, plus every comment. */
  nonString: string[];
}

/** Parses with acorn (throws on a syntax error) and splits string literals from everything else. */
export function parseJs(code: string): JsScan {
  const tokens: acorn.Token[] = [];
  const comments: acorn.Comment[] = [];
  const ast = acorn.parse(code, {
    ecmaVersion: "latest",
    sourceType: "module",
    allowAwaitOutsideFunction: true,
    onToken: tokens,
    onComment: comments,
  });
  const strings: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== "object") return;
    const n = node as { type?: string; value?: unknown };
    if (n.type === "Literal" && typeof n.value === "string") strings.push(n.value);
    for (const v of Object.values(node)) if (v && typeof v === "object") walk(v);
  };
  walk(ast);
  const nonString = [
    ...tokens.filter((t) => t.type.label !== "string").map((t) => code.slice(t.start, t.end)),
    ...comments.map((c) => c.value),
  ];
  return { strings, nonString };
}

/** Strips TypeScript with esbuild (which throws on a syntax error), then parses the result with acorn. */
export function parseTs(code: string): JsScan {
  const js = transformSync(code, { loader: "ts", format: "esm" }).code;
  const out = parseJs(js);
  // Comments are dropped by esbuild: check them on the TypeScript source itself.
  const comments = code.split("\n").filter((l) => l.trim().startsWith("//"));
  return { strings: out.strings, nonString: [...out.nonString, ...comments] };
}

// ---- Python ----------------------------------------------------------------------------------------

export interface PyResult {
  ok: boolean;
  error?: string;
  /** Every str constant in the AST. */
  strings: string[];
  /** Text of every token that is not a STRING (comments included). */
  nonString: string[];
}

const PY_CHECK = String.raw`
import ast, io, json, py_compile, sys, tokenize
out = []
for path in json.load(sys.stdin):
    try:
        py_compile.compile(path, doraise=True)
        src = open(path, encoding="utf-8").read()
        strings = [n.value for n in ast.walk(ast.parse(src)) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
        non = [t.string for t in tokenize.generate_tokens(io.StringIO(src).readline) if t.type != tokenize.STRING]
        out.append({"ok": True, "strings": strings, "nonString": non})
    except Exception as e:
        out.append({"ok": False, "error": repr(e), "strings": [], "nonString": []})
print(json.dumps(out))
`;

let python: boolean | undefined;
export function hasPython(): boolean {
  return (python ??= available("python3", spawnSync("python3", ["--version"]).status === 0));
}

/** py_compile + ast + tokenize on each snippet, in one python3 process. */
export function checkPython(snippets: string[]): PyResult[] {
  const dir = tmp("py");
  const paths = snippets.map((s, i) => {
    const p = join(dir, `snippet_${i}.py`);
    writeFileSync(p, s, "utf-8");
    return p;
  });
  const out = execFileSync("python3", ["-c", PY_CHECK], { input: JSON.stringify(paths), encoding: "utf-8" });
  return JSON.parse(out) as PyResult[];
}

/** Python's own decoding of string literals (ast.literal_eval), for the escaper tests. */
export function pythonLiterals(literals: string[]): string[] {
  const script = String.raw`
import ast, json, sys
print(json.dumps([ast.literal_eval(s) for s in json.load(sys.stdin)]))
`;
  const out = execFileSync("python3", ["-c", script], { input: JSON.stringify(literals), encoding: "utf-8" });
  return JSON.parse(out) as string[];
}

// ---- nginx -----------------------------------------------------------------------------------------

const nginxPath = ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"].find((p) => existsSync(p)) ?? null;
export const NGINX = available("nginx", nginxPath !== null) ? nginxPath : null;

/** `nginx -t` on the snippet wrapped in a minimal config: the snippet goes inside http {}. */
export function nginxTest(snippet: string): { ok: boolean; output: string } {
  if (!NGINX) throw new Error("nginx is not installed");
  const dir = tmp("nginx");
  const conf = join(dir, "nginx.conf");
  const log = join(dir, "error.log");
  writeFileSync(conf, `pid ${join(dir, "nginx.pid")};\nerror_log ${log};\nevents {}\nhttp {\n${snippet}\n}\n`);
  const r = spawnSync(NGINX, ["-t", "-p", dir, "-c", conf, "-e", log], { encoding: "utf-8" });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

// ---- Java ------------------------------------------------------------------------------------------

let java: boolean | undefined;
export function hasJava(): boolean {
  return (java ??= available("javac and java (a JDK)", spawnSync("javac", ["-version"]).status === 0 && spawnSync("java", ["-version"]).status === 0));
}

/** Minimal stand-ins for the Spring types the snippet uses: they record every call and its arguments. */
const SPRING_STUBS: Record<string, string> = {
  "org/springframework/context/annotation/Configuration.java":
    "package org.springframework.context.annotation;\npublic @interface Configuration {}\n",
  "org/springframework/context/annotation/Bean.java": "package org.springframework.context.annotation;\npublic @interface Bean {}\n",
  "org/springframework/web/servlet/config/annotation/WebMvcConfigurer.java":
    "package org.springframework.web.servlet.config.annotation;\npublic interface WebMvcConfigurer { default void addCorsMappings(CorsRegistry registry) {} }\n",
  "org/springframework/web/servlet/config/annotation/CorsRegistry.java": `package org.springframework.web.servlet.config.annotation;
public class CorsRegistry {
  public final java.util.List<String> calls = new java.util.ArrayList<>();
  public CorsRegistration addMapping(String pattern) { calls.add("addMapping\\0" + pattern); return new CorsRegistration(calls); }
}
`,
  "org/springframework/web/servlet/config/annotation/CorsRegistration.java": `package org.springframework.web.servlet.config.annotation;
public class CorsRegistration {
  private final java.util.List<String> calls;
  CorsRegistration(java.util.List<String> calls) { this.calls = calls; }
  private CorsRegistration log(String name, String... args) { calls.add(name + "\\0" + String.join("\\0", args)); return this; }
  public CorsRegistration allowedOrigins(String... v) { return log("allowedOrigins", v); }
  public CorsRegistration allowedOriginPatterns(String... v) { return log("allowedOriginPatterns", v); }
  public CorsRegistration allowedMethods(String... v) { return log("allowedMethods", v); }
  public CorsRegistration allowedHeaders(String... v) { return log("allowedHeaders", v); }
  public CorsRegistration exposedHeaders(String... v) { return log("exposedHeaders", v); }
  public CorsRegistration allowCredentials(boolean v) { return log("allowCredentials", String.valueOf(v)); }
  public CorsRegistration maxAge(long v) { return log("maxAge", String.valueOf(v)); }
}
`,
  "org/springframework/security/config/Customizer.java":
    "package org.springframework.security.config;\npublic interface Customizer<T> { void customize(T t); static <T> Customizer<T> withDefaults() { return t -> {}; } }\n",
  "org/springframework/security/config/annotation/web/builders/HttpSecurity.java":
    "package org.springframework.security.config.annotation.web.builders;\nimport org.springframework.security.config.Customizer;\nimport org.springframework.security.web.SecurityFilterChain;\npublic class HttpSecurity { public HttpSecurity cors(Customizer<?> c) { return this; } public SecurityFilterChain build() throws Exception { return new SecurityFilterChain() {}; } }\n",
  "org/springframework/security/web/SecurityFilterChain.java": "package org.springframework.security.web;\npublic interface SecurityFilterChain {}\n",
};

function hexOut(expr: string): string {
  return `{ String s = ${expr}; StringBuilder b = new StringBuilder(); for (int k = 0; k < s.length(); k++) { if (k > 0) b.append(' '); b.append(Integer.toHexString(s.charAt(k))); } System.out.println(b); }`;
}

function unhex(line: string): string {
  return line === "" ? "" : String.fromCharCode(...line.split(" ").map((h) => parseInt(h, 16)));
}

function runJava(files: Record<string, string>, main: string): { ok: boolean; output: string; lines: string[] } {
  const dir = tmp("java");
  const all = { ...SPRING_STUBS, ...files };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text, "utf-8");
  }
  const javac = spawnSync("javac", ["-encoding", "UTF-8", "-d", join(dir, "out"), ...Object.keys(all).map((p) => join(dir, p))], {
    encoding: "utf-8",
  });
  if (javac.status !== 0) return { ok: false, output: javac.stderr + javac.stdout, lines: [] };
  const run = spawnSync("java", ["-cp", join(dir, "out"), main], { encoding: "utf-8" });
  if (run.status !== 0) return { ok: false, output: run.stderr + run.stdout, lines: [] };
  return { ok: true, output: run.stdout, lines: run.stdout.replace(/\n$/, "").split("\n") };
}

/**
 * Compiles each Spring snippet as-is (in its own package) against the stubs, runs addCorsMappings, and
 * returns the calls it made with their decoded arguments: [["allowedOriginPatterns", "https://…"], …].
 */
export function runSpring(snippets: string[]): { ok: boolean; output: string; calls: string[][][] } {
  const files: Record<string, string> = {};
  snippets.forEach((s, i) => (files[`c${i}/CorsConfig.java`] = `package c${i};\n${s}\n`));
  const body = snippets
    .map(
      (_, i) =>
        `{ org.springframework.web.servlet.config.annotation.CorsRegistry r = new org.springframework.web.servlet.config.annotation.CorsRegistry(); new c${i}.CorsConfig().addCorsMappings(r); System.out.println("#case"); for (String c : r.calls) ${hexOut("c")} }`,
    )
    .join("\n");
  files["Main.java"] = `public class Main { public static void main(String[] a) throws Exception {\n${body}\n} }\n`;
  const r = runJava(files, "Main");
  if (!r.ok) return { ok: false, output: r.output, calls: [] };
  const calls: string[][][] = [];
  for (const line of r.lines) {
    if (line === "#case") calls.push([]);
    else calls[calls.length - 1]!.push(unhex(line).split("\u0000"));
  }
  return { ok: true, output: r.output, calls };
}

/** Java's own decoding of string literals: compiles them into a class and prints each one back. */
export function javaLiterals(literals: string[]): string[] {
  const body = literals.map((l) => hexOut(l)).join("\n");
  const r = runJava({ "Lit.java": `public class Lit { public static void main(String[] a) {\n${body}\n} }\n` }, "Lit");
  if (!r.ok) throw new Error(r.output);
  return r.lines.map(unhex);
}

// ---- Literal scanners and decoders (Go, C#, Ruby, Java) ----------------------------------------------

export type Lang = "go" | "csharp" | "ruby" | "java";

export interface Scan {
  literals: string[];
  /** The code with literals and comments removed. */
  skeleton: string;
}

const hexDigits = (s: string, n: number, at: number): number => {
  const h = s.slice(at, at + n);
  if (h.length !== n || !/^[0-9a-fA-F]+$/.test(h)) throw new Error(`bad hex escape at ${at}`);
  return parseInt(h, 16);
};
const surrogate = (cp: number) => cp >= 0xd800 && cp <= 0xdfff;

/** Go interpreted string literal body. */
export function decodeGo(body: string): string {
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === "\n" || c === '"') throw new Error("raw newline or quote in a Go string");
    if (c !== "\\") { out += c; continue; }
    const e = body[++i];
    const simple: Record<string, string> = { a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "\\": "\\", '"': '"' };
    if (e !== undefined && simple[e] !== undefined) out += simple[e];
    else if (e === "x") { const b = hexDigits(body, 2, i + 1); if (b > 0x7f) throw new Error("non-ASCII byte"); out += String.fromCharCode(b); i += 2; }
    else if (e === "u" || e === "U") {
      const n = e === "u" ? 4 : 8;
      const cp = hexDigits(body, n, i + 1);
      if (surrogate(cp) || cp > 0x10ffff) throw new Error("invalid Unicode code point in a Go string");
      out += String.fromCodePoint(cp);
      i += n;
    } else if (e !== undefined && /[0-7]/.test(e)) {
      const o = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(o)) throw new Error("bad octal escape");
      out += String.fromCharCode(parseInt(o, 8));
      i += 2;
    } else throw new Error(`unknown Go escape \\${e}`);
  }
  return out;
}

/** C# regular string literal body. */
export function decodeCs(body: string): string {
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === "\n" || c === "\r" || c === '"') throw new Error("raw newline or quote in a C# string");
    if (c !== "\\") { out += c; continue; }
    const e = body[++i];
    const simple: Record<string, string> = { "'": "'", '"': '"', "\\": "\\", "0": "\0", a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v" };
    if (e !== undefined && simple[e] !== undefined) out += simple[e];
    else if (e === "u") { out += String.fromCharCode(hexDigits(body, 4, i + 1)); i += 4; }
    else if (e === "U") { const cp = hexDigits(body, 8, i + 1); if (cp > 0x10ffff) throw new Error("bad \\U"); out += String.fromCodePoint(cp); i += 8; }
    else if (e === "x") {
      const m = /^[0-9a-fA-F]{1,4}/.exec(body.slice(i + 1));
      if (!m) throw new Error("bad \\x");
      out += String.fromCharCode(parseInt(m[0], 16));
      i += m[0].length;
    } else throw new Error(`unknown C# escape \\${e}`);
  }
  return out;
}

/** Ruby double-quoted string literal body; interpolation (#{ #@ #$) is an error here. */
export function decodeRuby(body: string): string {
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === "\n" || c === '"') throw new Error("raw newline or quote in a Ruby string");
    if (c === "#" && /[{@$]/.test(body[i + 1] ?? "")) throw new Error("interpolation in a Ruby string");
    if (c !== "\\") { out += c; continue; }
    const e = body[++i];
    const simple: Record<string, string> = { n: "\n", t: "\t", r: "\r", s: " ", e: "\x1b", a: "\x07", b: "\b", f: "\f", v: "\v" };
    if (e === undefined) throw new Error("dangling backslash");
    if (simple[e] !== undefined) out += simple[e];
    else if (e === "x") {
      const m = /^[0-9a-fA-F]{1,2}/.exec(body.slice(i + 1));
      if (!m) throw new Error("bad \\x");
      const b = parseInt(m[0], 16);
      if (b > 0x7f) throw new Error("non-ASCII byte");
      out += String.fromCharCode(b);
      i += m[0].length;
    } else if (e === "u" && body[i + 1] === "{") {
      const end = body.indexOf("}", i);
      if (end < 0) throw new Error("unterminated \\u{");
      for (const h of body.slice(i + 2, end).trim().split(/\s+/)) {
        if (!/^[0-9a-fA-F]{1,6}$/.test(h)) throw new Error("bad \\u{}");
        const cp = parseInt(h, 16);
        if (surrogate(cp) || cp > 0x10ffff) throw new Error("invalid Unicode code point in a Ruby string");
        out += String.fromCodePoint(cp);
      }
      i = end;
    } else if (e === "u") {
      const cp = hexDigits(body, 4, i + 1);
      if (surrogate(cp)) throw new Error("invalid Unicode code point in a Ruby string");
      out += String.fromCodePoint(cp);
      i += 4;
    } else if (/[0-7]/.test(e)) {
      const m = /^[0-7]{1,3}/.exec(body.slice(i))!;
      out += String.fromCharCode(parseInt(m[0], 8));
      i += m[0].length - 1;
    } else out += e; // Ruby: an unknown escape is the character itself (\" \\ \# included)
  }
  return out;
}

/** Java's \uXXXX translation, which happens before lexing (a \ preceded by an odd number of \ is not one). */
export function javaUnicodePass(src: string): string {
  let out = "";
  for (let i = 0; i < src.length; i++) {
    if (src[i] === "\\") {
      let j = i;
      while (src[j] === "\\") j++;
      const run = j - i;
      if (run % 2 === 1 && src[j] === "u") {
        out += "\\".repeat(run - 1);
        let k = j;
        while (src[k] === "u") k++;
        out += String.fromCharCode(hexDigits(src, 4, k));
        i = k + 3;
        continue;
      }
      out += "\\".repeat(run);
      i = j - 1;
      continue;
    }
    out += src[i];
  }
  return out;
}

/** Java string literal body (after the \u pass). */
export function decodeJava(body: string): string {
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === "\n" || c === "\r" || c === '"') throw new Error("raw line terminator or quote in a Java string");
    if (c !== "\\") { out += c; continue; }
    const e = body[++i];
    const simple: Record<string, string> = { b: "\b", t: "\t", n: "\n", f: "\f", r: "\r", s: " ", '"': '"', "'": "'", "\\": "\\" };
    if (e !== undefined && simple[e] !== undefined) out += simple[e];
    else if (e !== undefined && /[0-7]/.test(e)) {
      const m = /^(?:[0-3][0-7]{2}|[0-7]{1,2})/.exec(body.slice(i))!;
      out += String.fromCharCode(parseInt(m[0], 8));
      i += m[0].length - 1;
    } else throw new Error(`unknown Java escape \\${e}`);
  }
  return out;
}

const DECODERS: Record<Lang, (body: string) => string> = { go: decodeGo, csharp: decodeCs, ruby: decodeRuby, java: decodeJava };

/**
 * Splits a snippet into decoded string literals and the rest, the way the language's lexer would:
 * comments (// and /* *\/, or # for Ruby), "…" strings, Ruby '…' strings. Throws on an unterminated
 * literal or an escape the language rejects.
 */
export function scanLiterals(code: string, lang: Lang): Scan {
  const src = lang === "java" ? javaUnicodePass(code) : code;
  const literals: string[] = [];
  let skeleton = "";
  let i = 0;
  const lineComment = lang === "ruby" ? "#" : "//";
  while (i < src.length) {
    const c = src[i]!;
    if (src.startsWith(lineComment, i)) {
      while (i < src.length && src[i] !== "\n") i++;
      continue;
    }
    if (lang !== "ruby" && src.startsWith("/*", i)) {
      const end = src.indexOf("*/", i + 2);
      if (end < 0) throw new Error("unterminated block comment");
      i = end + 2;
      continue;
    }
    if (c === '"' || (lang === "ruby" && c === "'")) {
      let j = i + 1;
      while (j < src.length && src[j] !== c) {
        if (src[j] === "\\") j++;
        j++;
      }
      if (j >= src.length) throw new Error(`unterminated ${lang} string literal`);
      const body = src.slice(i + 1, j);
      literals.push(c === "'" ? decodeRubySingle(body) : DECODERS[lang](body));
      skeleton += c + c;
      i = j + 1;
      continue;
    }
    skeleton += c;
    i++;
  }
  return { literals, skeleton };
}

function decodeRubySingle(body: string): string {
  return body.replace(/\\([\\'])/g, "$1");
}

/** Brackets in the skeleton pair up: a literal that leaked into code usually breaks this. */
export function balanced(skeleton: string): boolean {
  const stack: string[] = [];
  const pairs: Record<string, string> = { ")": "(", "]": "[", "}": "{" };
  for (const ch of skeleton) {
    if ("([{".includes(ch)) stack.push(ch);
    else if (ch in pairs) {
      if (stack.pop() !== pairs[ch]) return false;
    }
  }
  return stack.length === 0;
}

/**
 * Line grammars of the Apache and Caddy snippets (no binaries here): anything else (an injected
 * directive, a broken quote) fails. Quoted tokens hold no quote, brace, backslash, `$`, `*` or
 * backtick; `+` is allowed (a scheme such as app+web://, escaped as \+ in the regex: configSafeOrigin allows it).
 */
export const APACHE_LINE = [
  /^$/, /^# [^\n]*$/,
  /^SetEnvIf Origin "\^[A-Za-z0-9\\.:/[\]_~+-]+\$" CORS_ALLOW_ORIGIN=\$0$/,
  /^Header onsuccess unset Access-Control-[A-Za-z-]+$/,
  /^Header always set Access-Control-Allow-Origin "%\{CORS_ALLOW_ORIGIN\}e" env=CORS_ALLOW_ORIGIN$/,
  /^Header always set Access-Control-[A-Za-z-]+ "[A-Za-z0-9!#&'+.^_|~, -]+" env=CORS_ALLOW_ORIGIN$/,
  /^Header always merge Vary "Origin"$/,
  /^RewriteEngine On$/, /^RewriteCond %\{REQUEST_METHOD\} =OPTIONS$/, /^RewriteRule \^ - \[R=204,L\]$/,
];
export const CADDY_LINE = [
  /^$/, /^# [^\n]*$/,
  /^@cors_origin header Origin "[A-Za-z0-9.:/[\]_~+-]+"$/,
  /^@cors_preflight \{$/, /^\tmethod OPTIONS$/, /^\theader Origin "[A-Za-z0-9.:/[\]_~+-]+"$/, /^\}$/,
  /^header \+Vary Origin$/, /^header @cors_origin \{$/,
  /^\tAccess-Control-Allow-Origin "\{header\.Origin\}"$/,
  /^\tAccess-Control-[A-Za-z-]+ "[A-Za-z0-9!#&'+.^_|~, -]+"$/,
  /^respond @cors_preflight 204$/,
];
