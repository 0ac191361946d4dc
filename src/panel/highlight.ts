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

interface RawNode {
  scope?: unknown;
  children?: unknown;
}

function convert(node: unknown, depth: number): Token[] | null {
  if (depth > 64) return null;
  const n = node as RawNode;
  if (typeof n !== "object" || n === null || !Array.isArray(n.children)) return null;
  const out: Token[] = [];
  for (const c of n.children) {
    if (typeof c === "string") {
      out.push(c);
      continue;
    }
    const kids = convert(c, depth + 1);
    if (!kids) return null;
    const scope = typeof (c as RawNode).scope === "string" ? ((c as RawNode).scope as string) : "";
    out.push(scope && !scope.startsWith("language:") ? { scope, children: kids } : { scope: "", children: kids });
  }
  return out;
}

function flatText(tokens: Token[]): string {
  return tokens.map((t) => (typeof t === "string" ? t : flatText(t.children))).join("");
}

/**
 * Tokens for `code` in `language`. Walks highlight.js's token tree (its emitter's root node) instead
 * of using its HTML; if that tree is not there or does not add up to the input, the code is one plain token.
 */
export function highlight(code: string, language: string): Token[] {
  try {
    const r = hljs.highlight(code, { language: languageFor(language), ignoreIllegals: true });
    const root = (r as unknown as { _emitter?: { rootNode?: unknown } })._emitter?.rootNode;
    const tokens = convert(root, 0);
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
