// Syntax highlighting with highlight.js core and only the languages the fixes use. The result is
// returned as a token tree (text + scope names), never as HTML: components render it as text nodes.
import hljs from "highlight.js/lib/core";
import apache from "highlight.js/lib/languages/apache";
import bash from "highlight.js/lib/languages/bash";
import csharp from "highlight.js/lib/languages/csharp";
import go from "highlight.js/lib/languages/go";
import java from "highlight.js/lib/languages/java";
import javascript from "highlight.js/lib/languages/javascript";
import nginx from "highlight.js/lib/languages/nginx";
import plaintext from "highlight.js/lib/languages/plaintext";
import python from "highlight.js/lib/languages/python";
import ruby from "highlight.js/lib/languages/ruby";
import typescript from "highlight.js/lib/languages/typescript";

const LANGUAGES = { apache, bash, csharp, go, java, javascript, nginx, plaintext, python, ruby, typescript };
for (const [name, lang] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, lang);

/** Fix languages without a grammar of their own. */
const ALIASES: Record<string, string> = { caddy: "plaintext", shell: "bash", sh: "bash", text: "plaintext" };

export type Token = string | { scope: string; children: Token[] };

export function languageFor(tag: string): string {
  const t = tag.toLowerCase();
  const name = ALIASES[t] ?? t;
  return Object.hasOwn(LANGUAGES, name) ? name : "plaintext";
}

// highlight.js's only public output is its HTML (`result.value`; the token tree is the private `_emitter`).
// It is read back here by a strict parser that knows exactly what highlight.js writes: `<span class="...">`,
// `</span>` and five entities. Anything else means the format changed, and the code goes out as plain text.
const PIECE = /<span class="([^"]*)">|<\/span>|&(amp|lt|gt|quot|#x27);|[^<>&"']+/y;
const ENTITY: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', "#x27": "'" };
const NAME = /^[A-Za-z0-9_-]+$/;

/** The scope behind a class attribute ("hljs-title function_" → "title.function"; "language-xml" → ""). */
function scopeOfClass(cls: string): string | null {
  if (/^language-[A-Za-z0-9_-]+$/.test(cls)) return "";
  const [first = "", ...rest] = cls.split(" ");
  if (!first.startsWith("hljs-") || !NAME.test(first.slice(5))) return null;
  const pieces = [first.slice(5)];
  for (const [i, p] of rest.entries()) {
    // Tier i+1 of a scope is written with i+1 trailing underscores.
    const tail = "_".repeat(i + 1);
    if (!p.endsWith(tail) || !NAME.test(p.slice(0, -tail.length))) return null;
    pieces.push(p.slice(0, -tail.length));
  }
  return pieces.join(".");
}

/** Tokens from highlight.js's HTML, or null for anything it would not have written. */
export function readHighlightHtml(html: string): Token[] | null {
  const root: Token[] = [];
  const open: Token[][] = [root];
  PIECE.lastIndex = 0;
  while (PIECE.lastIndex < html.length) {
    const at = PIECE.lastIndex;
    const m = PIECE.exec(html);
    if (!m || m.index !== at) return null;
    const top = open[open.length - 1]!;
    if (m[1] !== undefined) {
      const scope = scopeOfClass(m[1]);
      if (scope === null || open.length > 64) return null;
      const children: Token[] = [];
      top.push({ scope, children });
      open.push(children);
    } else if (m[0] === "</span>") {
      if (open.length === 1) return null;
      open.pop();
    } else {
      // Adjacent text (split by entities) is one text node.
      const text = m[2] !== undefined ? ENTITY[m[2]]! : m[0];
      if (typeof top[top.length - 1] === "string") top[top.length - 1] += text;
      else top.push(text);
    }
  }
  return open.length === 1 ? root : null;
}

function flatText(tokens: Token[]): string {
  return tokens.map((t) => (typeof t === "string" ? t : flatText(t.children))).join("");
}

/**
 * Tokens for `code` in `language`, read from highlight.js's public HTML output and never inserted as
 * markup; if they do not add up to the input, the code is one plain token.
 */
export function highlight(code: string, language: string): Token[] {
  try {
    const r = hljs.highlight(code, { language: languageFor(language), ignoreIllegals: true });
    const tokens = readHighlightHtml(r.value);
    if (tokens && flatText(tokens) === code) return tokens;
  } catch {
    // fall through to plain text
  }
  return [code];
}

/** CSS class for a highlight.js scope ("title.function" → "hl-title hl-title-function"). */
export function scopeClass(scope: string): string {
  if (!scope) return "";
  const parts = scope.split(".").map((p) => p.replace(/[^a-zA-Z0-9_-]/g, ""));
  const classes = [`hl-${parts[0]}`];
  if (parts.length > 1) classes.push(`hl-${parts.join("-")}`);
  return classes.join(" ");
}
