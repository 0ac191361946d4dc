// A highlighted code block built from tokens as text nodes: no HTML string is ever parsed.
import { useMemo } from "preact/hooks";
import type { JSX } from "preact";
import { highlight, languageFor, scopeClass, type Token } from "./highlight";

function render(tokens: Token[]): Array<string | JSX.Element> {
  return tokens.map((t, i) => (typeof t === "string" ? t : <span key={i} class={scopeClass(t.scope) || undefined}>{render(t.children)}</span>));
}

export function Code(props: { code: string; language: string; label: string }): JSX.Element {
  const tokens = useMemo(() => highlight(props.code, props.language), [props.code, props.language]);
  return (
    <pre class="code" role="group" aria-label={props.label} tabIndex={0}>
      <code class={`hljs language-${languageFor(props.language)}`}>{render(tokens)}</code>
    </pre>
  );
}
