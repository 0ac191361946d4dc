// Escaping for every target language of the generated fixes. Values come from the network and are
// hostile, so each function below is total: whatever the input, the output is one well-formed literal
// (programming languages), or null when the config format cannot carry the value safely.

const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, "0");

/** Code points, with lone surrogates kept as single units (for...of does that for us). */
function codePoints(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) out.push(ch.codePointAt(0)!);
  return out;
}

const isSurrogate = (cp: number) => cp >= 0xd800 && cp <= 0xdfff;

/**
 * JavaScript / TypeScript string literal, single-quoted unless `quote` is '"' (Copy as fetch, as DevTools
 * writes it). Non-printable and non-ASCII characters (U+2028/U+2029 too) become \x / \u escapes, and `<`
 * becomes \x3C so a snippet pasted into an HTML <script> cannot close it.
 */
export function jsString(s: string, quote: "'" | '"' = "'"): string {
  // Compared, not trusted: `xs.map(jsString)` passes an index here.
  const q = quote === '"' ? '"' : "'";
  let out = q;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c) out += "\\\\";
    else if (s[i] === q) out += "\\" + q;
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x09) out += "\\t";
    else if (c === 0x3c) out += "\\x3C";
    else if (c < 0x20 || c === 0x7f) out += "\\x" + hex(c, 2);
    else if (c > 0x7e) out += "\\u" + hex(c, 4);
    else out += s[i];
  }
  return out + q;
}

/** Python single-quoted str literal (not raw, not an f-string). */
export function pyString(s: string): string {
  let out = "'";
  for (const cp of codePoints(s)) {
    if (cp === 0x5c) out += "\\\\";
    else if (cp === 0x27) out += "\\'";
    else if (cp === 0x0a) out += "\\n";
    else if (cp === 0x0d) out += "\\r";
    else if (cp === 0x09) out += "\\t";
    else if (cp < 0x20 || cp === 0x7f) out += "\\x" + hex(cp, 2);
    else if (cp > 0xffff) out += "\\U" + hex(cp, 8);
    else if (cp > 0x7e) out += "\\u" + hex(cp, 4);
    else out += String.fromCodePoint(cp);
  }
  return out + "'";
}

/**
 * Ruby double-quoted string literal. `#` is always escaped so `#{`, `#@` and `#$` can never interpolate.
 * Ruby strings are UTF-8, so a lone surrogate cannot be represented: it becomes U+FFFD.
 */
export function rubyString(s: string): string {
  let out = '"';
  for (const cp of codePoints(s)) {
    if (cp === 0x5c) out += "\\\\";
    else if (cp === 0x22) out += '\\"';
    else if (cp === 0x23) out += "\\#";
    else if (cp === 0x0a) out += "\\n";
    else if (cp === 0x0d) out += "\\r";
    else if (cp === 0x09) out += "\\t";
    else if (cp < 0x20 || cp === 0x7f) out += "\\x" + hex(cp, 2);
    else if (isSurrogate(cp)) out += "\\u{FFFD}";
    else if (cp > 0x7e) out += "\\u{" + hex(cp, 4) + "}";
    else out += String.fromCodePoint(cp);
  }
  return out + '"';
}

/**
 * Java string literal. Java translates \uXXXX escapes before it lexes, so a control character is never
 * written as \u000a-style: it gets a named or octal escape. Non-ASCII UTF-16 units (>= 0x80) are safe as \u.
 */
export function javaString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // javac (17) misreads `\\` right after a \u-escaped surrogate; the octal \134 is the same backslash.
    if (c === 0x5c) out += i > 0 && s.charCodeAt(i - 1) > 0x7e ? "\\134" : "\\\\";
    else if (c === 0x22) out += '\\"';
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x09) out += "\\t";
    else if (c === 0x08) out += "\\b";
    else if (c === 0x0c) out += "\\f";
    else if (c < 0x20 || c === 0x7f) out += "\\" + c.toString(8).padStart(3, "0");
    else if (c > 0x7e) out += "\\u" + hex(c, 4);
    else out += s[i];
  }
  return out + '"';
}

/** C# regular (non-verbatim, non-interpolated) string literal. \x is variable-length in C#, so never used. */
export function csString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c) out += "\\\\";
    else if (c === 0x22) out += '\\"';
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x09) out += "\\t";
    else if (c < 0x20 || c > 0x7e) out += "\\u" + hex(c, 4);
    else out += s[i];
  }
  return out + '"';
}

/** Go interpreted string literal. Go strings are UTF-8: a lone surrogate becomes U+FFFD. */
export function goString(s: string): string {
  let out = '"';
  for (const cp of codePoints(s)) {
    if (cp === 0x5c) out += "\\\\";
    else if (cp === 0x22) out += '\\"';
    else if (cp === 0x0a) out += "\\n";
    else if (cp === 0x0d) out += "\\r";
    else if (cp === 0x09) out += "\\t";
    else if (cp < 0x20 || cp === 0x7f) out += "\\x" + hex(cp, 2);
    else if (isSurrogate(cp)) out += "\\uFFFD";
    else if (cp > 0xffff) out += "\\U" + hex(cp, 8);
    else if (cp > 0x7e) out += "\\u" + hex(cp, 4);
    else out += String.fromCodePoint(cp);
  }
  return out + '"';
}

// ---- Config formats (nginx, Apache, Caddy) --------------------------------------------------------
// These have no complete escaping: nginx interpolates `$name` with no escape, Apache expands `${VAR}`
// and mod_headers `%{...}` formats, Caddy expands `{placeholders}`, and none can hold a newline.
// So they get an allowlist of characters instead; anything else is dropped by the caller, with a note.

/** A serialized origin made only of characters every config format here carries verbatim in quotes. */
const CONFIG_SAFE_ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/[A-Za-z0-9._~:[\]-]+$/;
/** An HTTP token without `$`, `%`, `*` and backtick, which mean something in these formats. */
const CONFIG_SAFE_TOKEN = /^[A-Za-z0-9!#&'+.^_|~-]+$/;

export function configSafeOrigin(s: string): boolean {
  return CONFIG_SAFE_ORIGIN.test(s);
}

export function configSafeToken(s: string): boolean {
  return CONFIG_SAFE_TOKEN.test(s);
}

/** Characters that all three formats carry verbatim inside double quotes (origins, tokens, ", " lists). */
const CONFIG_SAFE_TEXT = /^[A-Za-z0-9!#&'+.^_|~:/[\], -]*$/;

/** A double-quoted config string, or null when `s` holds anything outside the safe set. */
export function configString(s: string): string | null {
  return CONFIG_SAFE_TEXT.test(s) ? `"${s}"` : null;
}

/** PCRE/POSIX-ERE literal for `s`: every metacharacter backslash-escaped. */
export function regexLiteral(s: string): string {
  return s.replace(/[\\^$.|?*+()[\]{}]/g, (m) => "\\" + m);
}

/** An anchored regex that matches exactly `s`: ^...$ with every metacharacter (dots too) escaped. */
export function anchoredRegex(s: string): string {
  return "^" + regexLiteral(s) + "$";
}

// ---- Plain text (titles, notes) --------------------------------------------------------------------

/** A hostile value shown in prose: short, on one line, quoted when it holds anything unusual. */
export function display(s: string, max = 80): string {
  const cut = s.length > max ? s.slice(0, max) + "…" : s;
  if (/^[A-Za-z0-9._~:/[\]@!&'()+,;=%-]*$/.test(s) && s.length <= max && s !== "") return cut;
  // JSON.stringify leaves DEL, C1 controls, U+2028/U+2029 (line breaks to many viewers) and bidi overrides as is.
  return JSON.stringify(cut).replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Literals for each value, joined: `'a', 'b'`. */
export function literalList(xs: readonly string[], quote: (s: string) => string, sep = ", "): string {
  return xs.map(quote).join(sep);
}

/**
 * A double-quoted, anchored regex (nginx `map`, Apache `SetEnvIf`) matching exactly `origin`, or null when
 * the origin is not config-safe. Inside nginx and Apache quotes `\.`, `\[`, `\+` stay as written.
 */
export function configRegex(origin: string): string | null {
  return configSafeOrigin(origin) ? `"${anchoredRegex(origin)}"` : null;
}
