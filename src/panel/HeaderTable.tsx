// A header table: every value rendered as text, credentials masked unless revealed, and an
// optional culprit row (a missing culprit gets its own "missing" row).
import type { JSX } from "preact";
import { useContext, useState } from "preact/hooks";
import type { Headers } from "../core/types";
import { headerRows, SecretContext } from "./headers";

const LONG = 2000;

/** Text that is cut at LONG characters until the user asks for all of it. */
export function LongText(props: { text: string }): JSX.Element {
  const [all, setAll] = useState(false);
  if (all || props.text.length <= LONG) return <>{props.text}</>;
  return (
    <>
      {props.text.slice(0, LONG)}…{" "}
      <button type="button" class="link" onClick={() => setAll(true)}>Show all {props.text.length.toLocaleString("en-US")} characters</button>
    </>
  );
}

export interface HeaderTableProps {
  caption: string;
  headers: Headers | null | undefined;
  reveal: boolean;
  /** Lower-case name of the header to highlight. */
  culprit?: string | null;
  /** Show a "missing" row when the culprit is absent. */
  showMissing?: boolean;
  emptyText?: string;
}

export function HeaderTable(props: HeaderTableProps): JSX.Element {
  const rows = headerRows(props.headers);
  const isSecret = useContext(SecretContext);
  const culprit = props.culprit?.toLowerCase() ?? null;
  const missing = culprit !== null && props.showMissing && !rows.some(([n]) => n.toLowerCase() === culprit);
  return (
    <table class="headers">
      <caption>{props.caption}</caption>
      <tbody>
        {rows.length === 0 && !missing ? (
          <tr><td class="none" colSpan={2}>{props.emptyText ?? "No headers recorded."}</td></tr>
        ) : null}
        {rows.map(([name, value], i) => {
          const hit = culprit !== null && name.toLowerCase() === culprit;
          const masked = isSecret(name, value) && !props.reveal;
          return (
            <tr key={i} class={hit ? "culprit" : undefined} data-culprit={hit ? "true" : undefined}>
              <th scope="row">{name}{hit ? <span class="sr-only"> (the failing header)</span> : null}</th>
              <td class={masked ? "value masked" : "value"}>
                {masked ? <span aria-label={`${name} value hidden`}>••••••••</span> : <LongText text={value} />}
              </td>
            </tr>
          );
        })}
        {missing ? (
          <tr class="culprit missing" data-culprit="true">
            <th scope="row">{culprit}<span class="sr-only"> (the failing header)</span></th>
            <td class="value"><em class="missing-text">missing</em></td>
          </tr>
        ) : null}
      </tbody>
    </table>
  );
}
