// The request list: an ARIA grid with fixed-height rows, virtualized (only the visible rows plus an
// overscan are in the DOM), so 10,000 rows scroll and filter smoothly.
import type { JSX } from "preact";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { Entry } from "../shared/protocol";
import { entryId, preflightOf, statusOf, type Status } from "./state";

export const ROW_HEIGHT = 21;
const OVERSCAN = 12;
/** Viewport height assumed before layout is measured (and in jsdom, which has no layout). */
const FALLBACK_HEIGHT = 600;

export const STATUS_LABEL: Record<Status, string> = { blocked: "Blocked", failed: "Failed", warning: "Warning", ok: "OK" };

export interface RequestListProps {
  entries: readonly Entry[];
  selectedId: string | null;
  onSelect(id: string, open: boolean): void;
  onMove(to: number | "first" | "last"): void;
  onOpen(): void;
  gridRef?: { current: HTMLDivElement | null };
  emptyText: JSX.Element | string;
}

function splitUrl(url: string): { host: string; path: string } {
  try {
    const u = new URL(url);
    return { host: u.host, path: (u.pathname + u.search) || "/" };
  } catch {
    return { host: "", path: url };
  }
}

const COLUMNS = ["Status", "Method", "HTTP", "URL", "Origin", "Credentials", "Preflight", "CORS error"];

/**
 * The HTTP status the way the Network panel's Status column reads: the last response received
 * (a redirect chain shows where it ended); a request stopped at its preflight shows the
 * preflight's status; none at all, "—".
 */
export function httpStatusOf(e: Entry): { text: string; title: string } {
  const hops = e.exchange.hops;
  for (let i = hops.length - 1; i >= 0; i--) {
    const h = hops[i]!;
    if (h.response) return { text: String(h.response.status), title: hops.length > 1 ? `status of hop ${i + 1} of ${hops.length}` : "response status" };
    if (h.preflight) return { text: `${h.preflight.status}`, title: "the preflight's status (the request itself was not sent)" };
  }
  return { text: "—", title: "no response recorded" };
}

function Row(props: { entry: Entry; index: number; selected: boolean; onSelect: RequestListProps["onSelect"] }): JSX.Element {
  const { entry: e, index } = props;
  const status = statusOf(e);
  const d = e.diagnosis;
  const { host, path } = splitUrl(e.exchange.request.url);
  const pf = preflightOf(e);
  const code = d.code ?? (d.networkError ? d.networkError : d.blocked ? "unknown" : "");
  const mode = d.credentials?.mode ?? e.exchange.request.credentials;
  const http = httpStatusOf(e);
  return (
    <div
      role="row"
      id={`cl-row-${index}`}
      aria-rowindex={index + 2}
      aria-selected={props.selected}
      class={`row status-${status}${props.selected ? " selected" : ""}${index % 2 ? " odd" : ""}`}
      style={{ top: `${index * ROW_HEIGHT}px` }}
      onClick={() => props.onSelect(entryId(e), true)}
    >
      <div role="gridcell" class="c-status"><span class="dot" aria-hidden="true" />{STATUS_LABEL[status]}</div>
      <div role="gridcell" class="c-method">{e.exchange.request.method}</div>
      <div role="gridcell" class={`c-http${http.text === "—" ? " pf-none" : ""}`} title={http.title}>{http.text}{http.title.startsWith("the preflight") ? <span class="dim" aria-label=" (preflight)"> pf</span> : null}</div>
      <div role="gridcell" class="c-url" title={e.exchange.request.url}>
        <span class="path">{path}</span> <span class="host">{host}</span>
      </div>
      <div role="gridcell" class="c-origin" title={e.exchange.request.origin}>{e.exchange.request.origin}</div>
      <div role="gridcell" class="c-cred">
        {mode}
        {d.credentials?.inferred ? <span class="inferred" title="Inferred from evidence: the page did not report its credentials mode">?<span class="sr-only"> (inferred)</span></span> : null}
      </div>
      <div role="gridcell" class={`c-preflight pf-${pf}`}>{pf === "sent" ? "yes" : pf === "cached" ? "cached" : "—"}</div>
      <div role="gridcell" class="c-code" title={code}>{code}</div>
    </div>
  );
}

export function RequestList(props: RequestListProps): JSX.Element {
  const bodyRef = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(0);
  const n = props.entries.length;

  useLayoutEffect(() => {
    const el = bodyRef.current;
    if (!el) return;
    const measure = () => setHeight(el.clientHeight);
    measure();
    if (typeof ResizeObserver === "undefined") return;
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const viewH = height > 0 ? height : FALLBACK_HEIGHT;
  const maxTop = Math.max(0, n * ROW_HEIGHT - viewH);
  const top = Math.min(scrollTop, maxTop);
  const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(n, Math.ceil((top + viewH) / ROW_HEIGHT) + OVERSCAN);

  const selectedIndex = props.selectedId === null ? -1 : props.entries.findIndex((e) => entryId(e) === props.selectedId);

  // Keep the selected row in view when the keyboard moves it.
  useEffect(() => {
    const el = bodyRef.current;
    if (!el || selectedIndex < 0) return;
    const rowTop = selectedIndex * ROW_HEIGHT;
    let next = el.scrollTop;
    if (rowTop < next) next = rowTop;
    else if (rowTop + ROW_HEIGHT > next + viewH) next = rowTop + ROW_HEIGHT - viewH;
    if (next !== el.scrollTop) {
      el.scrollTop = next;
      setScrollTop(next);
    }
  }, [selectedIndex, viewH]);

  const onKeyDown = (ev: KeyboardEvent) => {
    const page = Math.max(1, Math.floor(viewH / ROW_HEIGHT) - 1);
    let to: number | "first" | "last" | null = null;
    switch (ev.key) {
      case "ArrowDown": to = 1; break;
      case "ArrowUp": to = -1; break;
      case "PageDown": to = page; break;
      case "PageUp": to = -page; break;
      case "Home": to = "first"; break;
      case "End": to = "last"; break;
      case "Enter":
        ev.preventDefault();
        props.onOpen();
        return;
      default:
        return;
    }
    ev.preventDefault();
    props.onMove(to);
  };

  const rows: JSX.Element[] = [];
  for (let i = first; i < last; i++) {
    const e = props.entries[i]!;
    rows.push(<Row key={entryId(e)} entry={e} index={i} selected={i === selectedIndex} onSelect={props.onSelect} />);
  }

  return (
    <div
      ref={props.gridRef}
      class="grid"
      role="grid"
      aria-label="Cross-origin requests"
      aria-rowcount={n + 1}
      aria-colcount={COLUMNS.length}
      aria-activedescendant={selectedIndex >= first && selectedIndex < last ? `cl-row-${selectedIndex}` : undefined}
      tabIndex={0}
      onKeyDown={onKeyDown}
    >
      <div role="rowgroup" class="grid-head">
        <div role="row" aria-rowindex={1} class="row head">
          {COLUMNS.map((c, i) => (
            <div role="columnheader" class={["c-status", "c-method", "c-http", "c-url", "c-origin", "c-cred", "c-preflight", "c-code"][i]} key={c}>{c}</div>
          ))}
        </div>
      </div>
      <div class="grid-body" ref={bodyRef} onScroll={(ev) => setScrollTop((ev.currentTarget as HTMLDivElement).scrollTop)}>
        {n === 0 ? <div class="empty">{props.emptyText}</div> : (
          <div role="rowgroup" class="grid-rows" style={{ height: `${n * ROW_HEIGHT}px` }}>{rows}</div>
        )}
      </div>
    </div>
  );
}
