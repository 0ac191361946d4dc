// The toolbar: filter, toggles, Clear, Preserve log, Always capture, counts and the connection state.
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import type { ConnectionStatus, Filters } from "./state";

export interface ToolbarProps {
  filters: Filters;
  onFilter(patch: Partial<Filters>): void;
  filterRef?: { current: HTMLInputElement | null };
  preserve: boolean;
  onPreserve(on: boolean): void;
  site: string | null;
  alwaysCapture: boolean;
  onAlwaysCapture(on: boolean): void;
  onClear(): void;
  total: number;
  shown: number;
  blocked: number;
  dropped: number;
  /** Entries of the snapshot still arriving. */
  loading?: number;
  connection: ConnectionStatus;
  /** Export the shown requests as a HAR / a JSON report of diagnoses (absent: no buttons). */
  onExport?(kind: "har" | "report"): void;
}

const CONNECTION_TEXT: Record<ConnectionStatus, string> = {
  connecting: "Connecting…",
  connected: "",
  reconnecting: "Reconnecting…",
  unavailable: "Not connected to CORS Lens",
};

function Toggle(props: { label: string; checked: boolean; onChange(on: boolean): void; title?: string }): JSX.Element {
  return (
    <label class="toggle" title={props.title}>
      <input type="checkbox" checked={props.checked} onChange={(ev) => props.onChange((ev.currentTarget as HTMLInputElement).checked)} />
      {props.label}
    </label>
  );
}

const plural = (n: number, one: string, many: string) => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

export function Toolbar(props: ToolbarProps): JSX.Element {
  const filtered = props.shown !== props.total;
  // Narrow (DevTools docked at 600 px): one row, as DevTools' own toolbars; the controls used less
  // often move behind "⋯" (CSS container query on .toolbar decides; the button shows only then).
  const [more, setMore] = useState(false);
  return (
    <div class="toolbar" role="toolbar" aria-label="CORS Lens toolbar">
      <button type="button" class="icon clear" aria-label="Clear" title="Clear" onClick={props.onClear}>
        <span aria-hidden="true">⊘</span>
      </button>
      <span class="sep" aria-hidden="true" />
      <input
        ref={props.filterRef}
        type="search"
        class="filter"
        aria-label="Filter"
        placeholder="Filter"
        spellcheck={false}
        value={props.filters.text}
        onInput={(ev) => props.onFilter({ text: (ev.currentTarget as HTMLInputElement).value })}
      />
      <Toggle label="Blocked only" checked={props.filters.blockedOnly} onChange={(on) => props.onFilter({ blockedOnly: on })} />
      <Toggle label="Credentialed only" checked={props.filters.credentialedOnly} onChange={(on) => props.onFilter({ credentialedOnly: on })} />
      <button type="button" class="icon more" aria-label="More options" aria-expanded={more} title="More options"
        onClick={() => setMore(!more)}><span aria-hidden="true">⋯</span></button>
      <div class={more ? "secondary open" : "secondary"}>
      <span class="sep" aria-hidden="true" />
      <Toggle label="Preserve log" checked={props.preserve} onChange={props.onPreserve} title="Keep records across navigations" />
      {props.site ? (
        <Toggle label={`Always capture on ${props.site}`} checked={props.alwaysCapture} onChange={props.onAlwaysCapture}
          title="Capture this site fully even when DevTools is closed" />
      ) : null}
      {props.onExport ? (
        <>
          <span class="sep" aria-hidden="true" />
          <button type="button" class="export" disabled={props.shown === 0} title="Save the shown requests as a HAR file (secrets masked unless revealed)"
            onClick={() => props.onExport?.("har")}>Export HAR</button>
          <button type="button" class="export" disabled={props.shown === 0} title="Save the diagnoses of the shown requests as JSON (cors-lens explain reads it)"
            onClick={() => props.onExport?.("report")}>Export report</button>
        </>
      ) : null}
      </div>
      <span class="spacer" />
      {props.connection !== "connected" ? <span class="connection" role="status">{CONNECTION_TEXT[props.connection]}</span> : null}
      <span class="counts" data-testid="counts">
        {filtered ? `${props.shown.toLocaleString("en-US")} / ` : ""}
        {plural(props.total, "request", "requests")} · {plural(props.blocked, "blocked", "blocked")}
        {" · "}{plural(props.dropped, "dropped", "dropped")}
        {props.loading ? ` · loading ${props.loading.toLocaleString("en-US")} more…` : ""}
      </span>
    </div>
  );
}
