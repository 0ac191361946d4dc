// The fix: a stack selector (remembered per server, guessed from Server / X-Powered-By / Via when not
// chosen), the highlighted snippet, the client-side alternative beside it, and "Copy fix".
import { cookieFixNote } from "../core/cookies";
import type { JSX } from "preact";
import { useMemo } from "preact/hooks";
import { generate, isStack, STACKS } from "../core/fix/index";
import type { Stack } from "../core/types";
import type { Entry } from "../shared/protocol";
import { Code } from "./Code";
import { guessStack, resolveStack, serverOrigin, type StackPrefs, type StackReason } from "./stack";

export interface FixViewProps {
  entry: Entry;
  prefs: StackPrefs;
  onChooseStack(origin: string, stack: Stack): void;
  onCopy(what: "fix", text: string): void;
  /** The fix was just copied: its button says so. */
  copied?: boolean;
}

function reasonText(r: StackReason): string {
  switch (r.kind) {
    case "chosen": return "your choice for this server";
    case "guessed": return `guessed from ${r.guess.header}: ${r.guess.value}`;
    case "last": return "your last choice; pick the stack of this server";
    case "default": return "not chosen yet; pick your server's stack";
  }
}

export function FixView(props: FixViewProps): JSX.Element {
  const { exchange, diagnosis } = props.entry;
  const origin = useMemo(() => serverOrigin(exchange, diagnosis), [exchange, diagnosis]);
  const guess = useMemo(() => guessStack(exchange, diagnosis), [exchange, diagnosis]);
  const { stack, reason } = resolveStack(props.prefs, origin, guess);
  const fix = useMemo(() => generate(stack, diagnosis, exchange), [stack, diagnosis, exchange]);
  const label = STACKS.find((s) => s.id === stack)?.label ?? stack;
  const cookie = useMemo(() => cookieFixNote(exchange, diagnosis), [exchange, diagnosis]);

  return (
    <div class="fix">
      {cookie ? (
        <div class="fix-cookie" role="note" data-fix="cookie">
          <p><strong>The cookie, too.</strong> {cookie.text} Set the session cookie like this (the Cookies section below names each cookie and why it stayed home):</p>
          <pre class="code mono">{cookie.setCookie}</pre>
        </div>
      ) : null}
      <div class="fix-bar">
        <label class="field">
          <span>Server stack</span>
          <select
            aria-label="Server stack"
            value={stack}
            onChange={(ev) => {
              const v = (ev.currentTarget as HTMLSelectElement).value;
              if (isStack(v)) props.onChooseStack(origin, v);
            }}
          >
            {STACKS.map((s) => <option key={s.id} value={s.id}>{s.label}</option>)}
          </select>
        </label>
        <span class={`stack-reason reason-${reason.kind}`} data-testid="stack-reason">{reasonText(reason)}</span>
        <span class="spacer" />
        <button type="button" aria-label="Copy fix" onClick={() => props.onCopy("fix", fix.code)}>{props.copied ? "Copied" : "Copy fix"}</button>
      </div>
      <div class={fix.client ? "fix-columns two" : "fix-columns"}>
        <div class="fix-server">
          <h4>{fix.title}</h4>
          <Code code={fix.code} language={fix.language} label={`${label} fix`} />
        </div>
        {fix.client ? (
          <div class="fix-client">
            <h4>Or change the page</h4>
            <p class="note">{fix.client.note}</p>
            <Code code={fix.client.code} language={fix.client.language} label="Client-side alternative" />
          </div>
        ) : null}
      </div>
      {fix.notes.length ? (
        <ul class="fix-notes">
          {fix.notes.map((n, i) => <li key={i}>{n}</li>)}
        </ul>
      ) : null}
    </div>
  );
}
