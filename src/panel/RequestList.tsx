// The request list: an ARIA grid with fixed-height rows, virtualized (only the visible rows plus an
// overscan are in the DOM), so 10,000 rows scroll and filter smoothly. Its columns (columns.ts) are
// chosen, resized and sorted as in the Network panel: click a header to sort, drag its right edge
// to resize, right-click the header row to show or hide columns.
import { Component, type JSX } from "preact";
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import type { Entry } from "../shared/protocol";
import {
  codeOf, COLUMNS, defaultColumnPrefs, durationOf, formatDuration, formatSize, layout, nextSort, resizeColumn, sizeOf,
  lastStatus, toggleColumn, urlParts, widthOf, type ColumnDef, type ColumnId, type ColumnPrefs, type SortSpec,
} from "./columns";
import { ENGINE_NAMES } from "../core/engines";
import { enginesOf, entryId, preflightOf, statusOf, type Status } from "./entry";

export const ROW_HEIGHT = 21;
/**
 * Rows kept in the DOM beyond each edge of the viewport, so that the compositor's own scrolling
 * (wheel, touch) shows rows before the main thread renders. Filled after the frame a scroll paints
 * (see `filled` below), not in it.
 */
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
  /** Shown columns and their widths (default: the default set). */
  columns?: ColumnPrefs;
  /** A column shown, hidden or resized; `done` when a drag ends (then it is worth storing). */
  onColumns?(p: ColumnPrefs, done: boolean): void;
  sort?: SortSpec | null;
  onSort?(s: SortSpec | null): void;
}

/**
 * The HTTP status the way the Network panel's Status column reads: the last response received
 * (a redirect chain shows where it ended); a request stopped at its preflight shows the
 * preflight's status; none at all, "—".
 */
export function httpStatusOf(e: Entry): { text: string; title: string } {
  const last = lastStatus(e);
  if (!last) return { text: "—", title: "no response recorded" };
  if (last.preflight) return { text: String(last.status), title: "the preflight's status (the request itself was not sent)" };
  const n = e.exchange.hops.length;
  return { text: String(last.status), title: n > 1 ? `status of hop ${last.hop + 1} of ${n}` : "response status" };
}

/** A run of row indexes, `a` included, `b` not. */
export interface Run { a: number; b: number }

/**
 * The rows to render for a scroll position: the rows in view plus OVERSCAN on each side. Right after
 * a jump (not yet `filled`, and most rows in view were not in the last render, `prev`): the rows in
 * view, joined to the rows of `prev` still inside the window when they touch, or else with those as a
 * second run, `old`, for this frame (they are laid out and painted already); the overscan comes with
 * the fill. A scroll that keeps most rows in view (a wheel, a drag) renders the whole window at once:
 * its new rows are few (the rows that stay are not rendered again), and the leading overscan is what
 * the compositor scrolls into next. Pure: list.test.tsx drives it.
 */
export function rowRuns(top: number, viewH: number, n: number, filled: boolean, prev: Run): { run: Run; old: Run | null } {
  const seenA = Math.min(n, Math.max(0, Math.floor(top / ROW_HEIGHT)));
  const seenB = Math.min(n, Math.max(seenA, Math.ceil((top + viewH) / ROW_HEIGHT)));
  const win = { a: Math.max(0, seenA - OVERSCAN), b: Math.min(n, seenB + OVERSCAN) };
  const stayed = Math.max(0, Math.min(seenB, prev.b) - Math.max(seenA, prev.a));
  if (filled || 2 * stayed >= seenB - seenA) return { run: win, old: null };
  const keptA = Math.max(win.a, prev.a);
  const keptB = Math.min(win.b, prev.b);
  if (keptA >= keptB) return { run: { a: seenA, b: seenB }, old: null };
  if (keptA <= seenB && keptB >= seenA) return { run: { a: Math.min(seenA, keptA), b: Math.max(seenB, keptB) }, old: null };
  return { run: { a: seenA, b: seenB }, old: { a: keptA, b: keptB } };
}

function Cell(props: { c: ColumnDef; e: Entry }): JSX.Element {
  const { c, e } = props;
  const d = e.diagnosis;
  switch (c.id) {
    case "status":
      return <div role="gridcell" class={c.cls}><span class="dot" aria-hidden="true" />{STATUS_LABEL[statusOf(e)]}</div>;
    case "method":
      return <div role="gridcell" class={c.cls}>{e.exchange.request.method}</div>;
    case "http": {
      const http = httpStatusOf(e);
      return (
        <div role="gridcell" class={`${c.cls}${http.text === "—" ? " pf-none" : ""}`} title={http.title}>
          {http.text}{http.title.startsWith("the preflight") ? <span class="dim" aria-label=" (preflight)"> pf</span> : null}
        </div>
      );
    }
    case "url": {
      // The host keeps its own box so that a long path is what gets cut, not the host.
      const { host, path } = urlParts(e.exchange.request.url);
      // Marked when Firefox or Safari judges the request otherwise than Chrome (src/core/engines.ts).
      const differ = enginesOf(e).differ;
      return (
        <div role="gridcell" class={c.cls} title={e.exchange.request.url}>
          {differ.length ? (
            <span class="engines-differ" title={`${differ.map((id) => ENGINE_NAMES[id]).join(" and ")} ${differ.length > 1 ? "judge" : "judges"} this request otherwise than Chrome`}
              aria-label={`(${differ.map((id) => ENGINE_NAMES[id]).join(" and ")} ${differ.length > 1 ? "differ" : "differs"})`}>≠</span>
          ) : null}
          <span class="path">{path}</span> <span class="host">{host}</span>
        </div>
      );
    }
    case "domain":
      return <div role="gridcell" class={c.cls}>{urlParts(e.exchange.request.url).host}</div>;
    case "origin":
      return <div role="gridcell" class={c.cls} title={e.exchange.request.origin}>{e.exchange.request.origin}</div>;
    case "cred": {
      const mode = d.credentials?.mode ?? e.exchange.request.credentials;
      return (
        <div role="gridcell" class={c.cls}>
          {mode}
          {d.credentials?.inferred ? <span class="inferred" title="Inferred from evidence: the page did not report its credentials mode">?<span class="sr-only"> (inferred)</span></span> : null}
        </div>
      );
    }
    case "preflight": {
      const pf = preflightOf(e);
      return <div role="gridcell" class={`${c.cls} pf-${pf}`}>{pf === "sent" ? "yes" : pf === "cached" ? "cached" : "—"}</div>;
    }
    case "code": {
      const code = codeOf(e);
      return <div role="gridcell" class={c.cls} title={code}>{code}</div>;
    }
    case "type":
      return <div role="gridcell" class={c.cls}>{e.type}</div>;
    case "time": {
      const ms = durationOf(e);
      return <div role="gridcell" class={`${c.cls}${ms === null ? " pf-none" : ""}`} title={ms === null ? "the end of the request was not seen" : "from the request's start to its end, preflights and redirects included"}>{formatDuration(ms)}</div>;
    }
    case "size": {
      const b = sizeOf(e);
      return <div role="gridcell" class={`${c.cls}${b === null ? " pf-none" : ""}`} title="Content-Length of the last response (webRequest reports no transferred bytes)">{formatSize(b)}</div>;
    }
  }
}

interface RowProps { entry: Entry; index: number; selected: boolean; columns: readonly ColumnDef[]; onSelect: RequestListProps["onSelect"] }

/**
 * One row. It renders again only when one of its props changed: after a scroll the rows that stay
 * keep their DOM and are not diffed again (an entry is replaced, never changed, when its exchange grows).
 */
class Row extends Component<RowProps> {
  override shouldComponentUpdate(next: RowProps): boolean {
    const p = this.props;
    return next.entry !== p.entry || next.index !== p.index || next.selected !== p.selected || next.columns !== p.columns || next.onSelect !== p.onSelect;
  }

  override render(): JSX.Element {
    const { entry: e, index } = this.props;
    return (
      <div
        role="row"
        id={`cl-row-${index}`}
        aria-rowindex={index + 2}
        aria-selected={this.props.selected}
        class={`row status-${statusOf(e)}${this.props.selected ? " selected" : ""}${index % 2 ? " odd" : ""}`}
        style={{ top: `${index * ROW_HEIGHT}px` }}
        onClick={() => this.props.onSelect(entryId(e), true)}
      >
        {this.props.columns.map((c) => <Cell key={c.id} c={c} e={e} />)}
      </div>
    );
  }
}

/** Right-click on the header row: which columns to show, as DevTools' own header menu. */
function ColumnMenu(props: { at: { x: number; y: number }; prefs: ColumnPrefs; onToggle(id: ColumnId): void; onReset(): void; onClose(): void }): JSX.Element {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    (ref.current?.querySelector("[role=menuitemcheckbox]") as HTMLElement | null)?.focus();
    const away = (ev: Event) => { if (!ref.current?.contains(ev.target as Node)) props.onClose(); };
    document.addEventListener("pointerdown", away, true);
    return () => document.removeEventListener("pointerdown", away, true);
  }, []);
  const onKeyDown = (ev: KeyboardEvent) => {
    ev.stopPropagation(); // the grid's own keys (arrows, Enter) must not move the selection behind the menu
    const items = [...(ref.current?.querySelectorAll<HTMLElement>("[role^=menuitem]") ?? [])];
    const i = items.indexOf(document.activeElement as HTMLElement);
    if (ev.key === "Escape") { ev.preventDefault(); ev.stopPropagation(); props.onClose(); }
    else if (ev.key === "ArrowDown") { ev.preventDefault(); items[(i + 1) % items.length]?.focus(); }
    else if (ev.key === "ArrowUp") { ev.preventDefault(); items[(i - 1 + items.length) % items.length]?.focus(); }
  };
  return (
    <div ref={ref} class="menu column-menu" role="menu" aria-label="Columns" style={{ left: `${props.at.x}px`, top: `${props.at.y}px` }} onKeyDown={onKeyDown}>
      {COLUMNS.filter((c) => c.id !== "url").map((c) => (
        <button type="button" role="menuitemcheckbox" key={c.id} aria-checked={props.prefs.shown.includes(c.id)}
          onClick={() => props.onToggle(c.id)}>
          <span class="check" aria-hidden="true">{props.prefs.shown.includes(c.id) ? "✓" : ""}</span>{c.label}
        </button>
      ))}
      <div class="menu-sep" role="separator" />
      <button type="button" role="menuitem" onClick={props.onReset}>Reset columns</button>
    </div>
  );
}

function HeaderCell(props: {
  c: ColumnDef; prefs: ColumnPrefs; sort: SortSpec | null; last: boolean;
  onSort(id: ColumnId): void; onColumns(p: ColumnPrefs, done: boolean): void;
}): JSX.Element {
  const { c, sort } = props;
  const dir = sort?.column === c.id ? sort.dir : null;
  const drag = useRef<{ x: number; w: number; prefs: ColumnPrefs } | null>(null);
  const onPointerDown = (ev: PointerEvent) => {
    const cell = (ev.currentTarget as HTMLElement).parentElement;
    const w = cell ? cell.getBoundingClientRect().width : widthOf(props.prefs, c);
    drag.current = { x: ev.clientX, w: w || widthOf(props.prefs, c), prefs: props.prefs };
    (ev.currentTarget as HTMLElement).setPointerCapture?.(ev.pointerId);
    ev.preventDefault();
    ev.stopPropagation();
  };
  const resized = (ev: PointerEvent) => drag.current ? resizeColumn(drag.current.prefs, c.id, drag.current.w + ev.clientX - drag.current.x) : null;
  return (
    <div role="columnheader" class={c.cls} aria-sort={dir === "asc" ? "ascending" : dir === "desc" ? "descending" : "none"}>
      <button type="button" class="sort" title={`Sort by ${c.label}`} onClick={() => props.onSort(c.id)}>
        {c.label}{dir ? <span class="sort-arrow" aria-hidden="true">{dir === "asc" ? " ▲" : " ▼"}</span> : null}
      </button>
      {props.last ? null : (
        <div class="resizer" aria-hidden="true" title={`Resize ${c.label}`}
          onPointerDown={onPointerDown}
          onPointerMove={(ev) => { const p = resized(ev); if (p) props.onColumns(p, false); }}
          onPointerUp={(ev) => { const p = resized(ev); drag.current = null; if (p) props.onColumns(p, true); }}
          onPointerCancel={() => { drag.current = null; }}
          onClick={(ev) => ev.stopPropagation()} />
      )}
    </div>
  );
}

export function RequestList(props: RequestListProps): JSX.Element {
  const bodyRef = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(0);
  const [width, setWidth] = useState(0);
  const [menu, setMenu] = useState<{ x: number; y: number } | null>(null);
  // False from a scroll event to the task after the frame that painted it (rowRuns): a 1,000 px jump
  // then builds the ~36 rows seen, not those plus 24 nobody sees yet; style, layout and paint scale
  // with the rows (bench B4 "scroll step").
  const [filled, setFilled] = useState(true);
  const shown = useRef<Run>({ a: 0, b: 0 });
  const n = props.entries.length;
  const prefs = props.columns ?? defaultColumnPrefs();
  const sort = props.sort ?? null;
  const onColumns = props.onColumns ?? (() => undefined);
  // Memoized: the same `columns` array lets the rows that stay skip rendering (Row).
  const { columns, vars } = useMemo(() => layout(prefs, width), [prefs, width]);

  useLayoutEffect(() => {
    const el = bodyRef.current;
    if (!el) return;
    const measure = () => {
      setHeight(el.clientHeight);
      setWidth(el.clientWidth);
    };
    measure();
    if (typeof ResizeObserver === "undefined") return;
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const viewH = height > 0 ? height : FALLBACK_HEIGHT;
  const maxTop = Math.max(0, n * ROW_HEIGHT - viewH);
  const top = Math.min(scrollTop, maxTop);
  const { run, old } = rowRuns(top, viewH, n, filled, shown.current);
  const rendered = (i: number) => (i >= run.a && i < run.b) || (old !== null && i >= old.a && i < old.b);

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
    // Only the grid's own focus moves the selection; a header's sort button keeps Enter and Space.
    if (ev.target !== ev.currentTarget) return;
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

  useLayoutEffect(() => {
    shown.current = run;
  });
  // After the frame that painted the scroll (Preact runs effects in a task after the next frame),
  // the overscan; not when another scroll is already on its way (the element has moved since this
  // render), which will render its own rows in view first.
  useEffect(() => {
    if (filled) return;
    const el = bodyRef.current;
    if (el && el.scrollTop !== scrollTop) return;
    setFilled(true);
  }, [filled, scrollTop]);

  const rows: JSX.Element[] = [];
  const push = (i: number) => {
    const e = props.entries[i]!;
    rows.push(<Row key={entryId(e)} entry={e} index={i} selected={i === selectedIndex} columns={columns} onSelect={props.onSelect} />);
  };
  if (old && old.b <= run.a) for (let i = old.a; i < old.b; i++) push(i);
  for (let i = run.a; i < run.b; i++) push(i);
  if (old && old.a >= run.b) for (let i = old.a; i < old.b; i++) push(i);

  return (
    <div
      ref={props.gridRef}
      class="grid"
      role="grid"
      aria-label="Cross-origin requests"
      aria-rowcount={n + 1}
      aria-colcount={columns.length}
      aria-activedescendant={selectedIndex >= 0 && rendered(selectedIndex) ? `cl-row-${selectedIndex}` : undefined}
      tabIndex={0}
      onKeyDown={onKeyDown}
      style={vars}
    >
      <div role="rowgroup" class="grid-head" onContextMenu={(ev) => {
        ev.preventDefault();
        const r = (ev.currentTarget as HTMLElement).getBoundingClientRect();
        // A keyboard's context-menu key fires at (0, 0): open under the header instead.
        setMenu({ x: Math.max(0, ev.clientX - r.left), y: ev.clientY > 0 ? ev.clientY - r.top : r.height });
      }}>
        <div role="row" aria-rowindex={1} class="row head">
          {columns.map((c, i) => (
            <HeaderCell key={c.id} c={c} prefs={prefs} sort={sort} last={i === columns.length - 1}
              onSort={(id) => props.onSort?.(nextSort(sort, id))} onColumns={onColumns} />
          ))}
        </div>
        {menu ? (
          <ColumnMenu at={menu} prefs={prefs}
            onToggle={(id) => { onColumns(toggleColumn(prefs, id), true); if (sort?.column === id && prefs.shown.includes(id)) props.onSort?.(null); }}
            onReset={() => { onColumns(defaultColumnPrefs(), true); setMenu(null); }}
            onClose={() => { setMenu(null); (props.gridRef?.current)?.focus(); }} />
        ) : null}
      </div>
      <div class="grid-body" ref={bodyRef} onScroll={(ev) => { setScrollTop((ev.currentTarget as HTMLDivElement).scrollTop); setFilled(false); }}>
        {n === 0 ? <div class="empty">{props.emptyText}</div> : (
          <div role="rowgroup" class="grid-rows" style={{ height: `${n * ROW_HEIGHT}px` }}>{rows}</div>
        )}
      </div>
    </div>
  );
}
