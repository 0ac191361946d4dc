// The panel: the store, the port, the toolbar, the capture bar, the list and the detail.
import { readSplit, Splitter, SPLIT_KEY } from "./Splitter";
import type { JSX } from "preact";
import { useCallback, useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState } from "preact/hooks";
import type { Stack } from "../core/types";
import { MSG, type PanelMessage } from "../shared/protocol";
import { openConnection, type Connection, type ConnectionOptions } from "./connection";
import { version } from "../../package.json";
import { toHar, toReport } from "../core/har-export";
import type { CopyWhat } from "./Detail";
import { detailModule, loadDetail } from "./lazy-detail";
import { MASK, SecretContext } from "./headers";
import { MASK_SETTINGS_KEY, readMaskSettings, secretTest, type MaskSettings } from "../core/secrets";
import type { PanelPlatform } from "../platform/panel";
import { RequestList } from "./RequestList";
import { COLUMNS_KEY, defaultColumnPrefs, readColumnPrefs, type ColumnPrefs, type SortSpec } from "./columns";
import { EMPTY_PREFS, loadStackPrefs, STACK_PREFS_KEY, withChoice, type StackPrefs } from "./stack";
import {
  blockedCount, captureGap, initialState, reduce, selectedEntry, visibleEntries, type Filters,
} from "./state";
import { Toolbar } from "./Toolbar";

export type Theme = "light" | "dark";

export interface AppProps {
  platform: PanelPlatform;
  tabId: number | null;
  /** A `?theme=` override; otherwise DevTools' theme. */
  theme?: Theme | null;
  /** Test hooks for the connection (timers, batching). */
  connection?: Pick<ConnectionOptions, "schedule" | "batchMs">;
}

export function themeFrom(name: string | null | undefined): Theme {
  return name === "dark" ? "dark" : "light";
}

type Copied = { what: CopyWhat; ok: boolean } | null;

export function App(props: AppProps): JSX.Element {
  const { platform, tabId } = props;
  const [state, dispatch] = useReducer(reduce, tabId, initialState);
  const [theme, setTheme] = useState<Theme>(() => props.theme ?? themeFrom(platform.themeName()));
  const [prefs, setPrefs] = useState<StackPrefs>(EMPTY_PREFS);
  const [copied, setCopied] = useState<Copied>(null);
  const conn = useRef<Connection | null>(null);
  const filterRef = useRef<HTMLInputElement | null>(null);
  const gridRef = useRef<HTMLDivElement | null>(null);
  const [detail, setDetail] = useState<ReturnType<typeof detailModule> | Error>(detailModule);
  const Detail = detail && !(detail instanceof Error) ? detail.Detail : null;
  // The detail's chunk: once the list has rows and the page is idle (so that evaluating it waits for
  // the rows' frame), or at once when a detail opens first.
  const wantDetail = state.entries.length > 0 || state.detailOpen;
  useEffect(() => {
    if (detail || !wantDetail) return;
    let live = true;
    const start = () => {
      loadDetail().then((m) => { if (live) setDetail(m); }, (e: unknown) => { if (live) setDetail(e instanceof Error ? e : new Error(String(e))); });
    };
    if (state.detailOpen || typeof requestIdleCallback !== "function") {
      start();
      return () => { live = false; };
    }
    const idle = requestIdleCallback(start, { timeout: 2000 });
    return () => { live = false; cancelIdleCallback(idle); };
  }, [detail, wantDetail, state.detailOpen]);

  // The port: HELLO, snapshot, live messages, reconnect. Opened as the App mounts (a layout effect),
  // not after its first frame: the port opened ~8 ms sooner (B4r "connect", docs/performance.md).
  useLayoutEffect(() => {
    if (tabId === null) return;
    const c = openConnection({
      platform, tabId,
      onMessages: (messages) => dispatch({ type: "messages", messages }),
      onStatus: (status) => dispatch({ type: "connection", status }),
      ...props.connection,
    });
    conn.current = c;
    return () => {
      conn.current = null;
      c.close();
    };
  }, [platform, tabId]);

  // DevTools theme (Firefox tells when it changes).
  useEffect(() => {
    if (props.theme) return;
    return platform.onThemeChanged((t) => setTheme(themeFrom(t)));
  }, [platform, props.theme]);
  useEffect(() => {
    const root = document.documentElement;
    root.dataset.theme = theme;
    root.style.colorScheme = theme;
  }, [theme]);

  // The user's masking settings (the options page): read once, and again when they change.
  const [maskSettings, setMaskSettings] = useState<MaskSettings>({ extra: [], plain: [] });
  useEffect(() => {
    let live = true;
    const load = () => void platform.storageGet([MASK_SETTINGS_KEY]).then((r) => { if (live) setMaskSettings(readMaskSettings(r[MASK_SETTINGS_KEY])); });
    load();
    const off = platform.onStorageChanged?.([MASK_SETTINGS_KEY], load);
    return () => { live = false; off?.(); };
  }, [platform]);
  const isSecret = useMemo(() => secretTest(maskSettings), [maskSettings]);

  // The list/detail split (Splitter.tsx), remembered.
  const [split, setSplit] = useState<number | null>(null);
  useEffect(() => {
    let live = true;
    // A move made before the stored value arrives wins.
    void platform.storageGet([SPLIT_KEY]).then((r) => { if (live) setSplit((cur) => cur ?? readSplit(r[SPLIT_KEY])); });
    return () => { live = false; };
  }, [platform]);
  const onSplit = useCallback((pct: number, done: boolean) => {
    setSplit(pct);
    if (done) void platform.storageSet({ [SPLIT_KEY]: pct });
  }, [platform]);

  // The list's columns (columns.ts): shown, widths and sort, remembered together in COLUMNS_KEY.
  // The sort lives in the reducer (the keyboard walks the sorted list); the rest here.
  const [columns, setColumns] = useState<ColumnPrefs | null>(null);
  const columnsTouched = useRef(false);
  useEffect(() => {
    let live = true;
    void platform.storageGet([COLUMNS_KEY]).then((r) => {
      if (!live || columnsTouched.current) return;
      const stored = readColumnPrefs(r[COLUMNS_KEY]);
      setColumns(stored);
      if (stored.sort) dispatch({ type: "sort", sort: stored.sort });
    });
    return () => { live = false; };
  }, [platform]);
  const saveColumns = (p: ColumnPrefs, sort: SortSpec | null) => void platform.storageSet({ [COLUMNS_KEY]: { shown: p.shown, widths: p.widths, sort } });
  const onColumns = (p: ColumnPrefs, done: boolean) => {
    columnsTouched.current = true;
    setColumns(p);
    if (done) saveColumns(p, state.sort);
  };
  const onSort = (sort: SortSpec | null) => {
    columnsTouched.current = true;
    dispatch({ type: "sort", sort });
    saveColumns(columns ?? defaultColumnPrefs(), sort);
  };

  // Remembered stack choices.
  useEffect(() => {
    let live = true;
    void loadStackPrefs(platform).then((p) => { if (live) setPrefs(p); });
    return () => { live = false; };
  }, [platform]);

  const chooseStack = useCallback((origin: string, stack: Stack) => {
    setPrefs((p) => {
      const next = withChoice(p, origin, stack);
      void platform.storageSet({ [STACK_PREFS_KEY]: next });
      return next;
    });
  }, [platform]);

  const send = useCallback((m: PanelMessage) => conn.current?.send(m), []);

  // "Copied" stays visible for a moment.
  const copyTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const copy = useCallback((what: CopyWhat, text: string) => {
    void platform.copyText(text).then((ok) => {
      setCopied({ what, ok });
      if (copyTimer.current) clearTimeout(copyTimer.current);
      copyTimer.current = setTimeout(() => setCopied(null), 2500);
    });
  }, [platform]);
  useEffect(() => () => { if (copyTimer.current) clearTimeout(copyTimer.current); }, []);
  useEffect(() => setCopied(null), [state.selectedId]);

  // Global keys: Ctrl/Cmd+F focuses the filter; Esc closes the detail.
  const detailOpen = state.detailOpen;
  useEffect(() => {
    const onKey = (ev: KeyboardEvent) => {
      if ((ev.ctrlKey || ev.metaKey) && !ev.altKey && ev.key.toLowerCase() === "f") {
        ev.preventDefault();
        filterRef.current?.focus();
        filterRef.current?.select();
      } else if (ev.key === "Escape" && detailOpen) {
        ev.preventDefault();
        dispatch({ type: "close" });
        gridRef.current?.focus();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [detailOpen]);

  const visible = visibleEntries(state.entries, state.filters, state.sort);
  const blocked = blockedCount(state.entries);
  const entry = selectedEntry(state);
  const gap = captureGap(state);
  const onFilter = useCallback((patch: Partial<Filters>) => dispatch({ type: "filter", patch }), []);
  const onSelect = useCallback((id: string, open: boolean) => dispatch({ type: "select", id, open }), []);
  const onMove = useCallback((to: number | "first" | "last") => dispatch({ type: "move", to }), []);
  const onOpen = useCallback(() => dispatch({ type: "open" }), []);

  // Export HAR / report: the shown requests, masked except the one request whose secrets the user
  // revealed (reveal is per selected request; it must not unmask every other exported request).
  const download = useMemo(() => platform.download?.bind(platform), [platform]);
  const onExport = useCallback((kind: "har" | "report") => {
    if (!download) return;
    const revealed = state.reveal ? state.selectedId : null;
    const meta = { version, pageUrl: state.pageUrl, reveal: (id: string) => id === revealed, isSecret, mask: MASK };
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    const site = (state.site ?? "requests").replace(/[^A-Za-z0-9.-]/g, "_");
    if (kind === "har") {
      void download(`cors-lens-${site}-${stamp}.har`, JSON.stringify(toHar(visible, meta), null, 2), "application/json");
    } else {
      void download(`cors-lens-report-${site}-${stamp}.json`, JSON.stringify(toReport(visible, meta), null, 2), "application/json");
    }
  }, [download, visible, state.pageUrl, state.reveal, state.selectedId, state.site, isSecret]);

  const emptyText = useMemo(() => {
    if (tabId === null) return <>Open this panel from DevTools (or add <code>?tabId=N</code> to its URL).</>;
    if (!state.ready) return "Connecting to CORS Lens…";
    if (state.entries.length) return "No requests match the filter.";
    return (
      <>
        No cross-origin requests recorded yet. Make a request, or{" "}
        <button type="button" class="link" onClick={() => send({ type: MSG.RELOAD_AND_CAPTURE })}>reload the page</button>{" "}
        to capture from the start.
      </>
    );
  }, [tabId, state.ready, state.entries.length, send]);

  return (
    <SecretContext.Provider value={isSecret}>
    <div class="app" data-theme={theme}>
      <Toolbar
        filters={state.filters}
        onFilter={onFilter}
        filterRef={filterRef}
        preserve={state.preserve}
        onPreserve={(on) => { dispatch({ type: "preserve", on }); send({ type: MSG.SET_PRESERVE, on }); }}
        site={state.site}
        alwaysCapture={state.alwaysCapture}
        onAlwaysCapture={(on) => {
          if (!state.site) return;
          dispatch({ type: "alwaysCapture", on });
          send({ type: MSG.SET_ALWAYS_CAPTURE, site: state.site, on });
        }}
        onClear={() => { dispatch({ type: "clear" }); send({ type: MSG.CLEAR }); }}
        total={state.entries.length}
        shown={visible.length}
        blocked={blocked}
        dropped={state.dropped}
        loading={state.more}
        connection={state.connection}
        onExport={download ? onExport : undefined}
      />
      {gap ? (
        <div class="capture-bar" role="status">
          <span>{gap}</span>
          <button type="button" onClick={() => send({ type: MSG.RELOAD_AND_CAPTURE })}>Reload and capture</button>
        </div>
      ) : null}
      <div class={`main${state.detailOpen && entry ? " with-detail" : ""}`}
        style={split !== null ? { "--split": `${split}%` } : undefined}>
        <RequestList
          entries={visible}
          selectedId={state.selectedId}
          onSelect={onSelect}
          onMove={onMove}
          onOpen={onOpen}
          gridRef={gridRef}
          emptyText={emptyText}
          columns={columns ?? undefined}
          onColumns={onColumns}
          sort={state.sort}
          onSort={onSort}
        />
        {state.detailOpen && entry ? <Splitter value={split} onChange={onSplit} /> : null}
        {state.detailOpen && entry ? (
          Detail ? <Detail
            entry={entry}
            reveal={state.reveal}
            onReveal={(on) => dispatch({ type: "reveal", on })}
            onClose={() => { dispatch({ type: "close" }); gridRef.current?.focus(); }}
            prefs={prefs}
            onChooseStack={chooseStack}
            onCopy={copy}
            copied={copied}
            onOpenSource={platform.openResource ? (url, line, column) => platform.openResource!(url, line, column) : undefined}
          /> : detail instanceof Error
            ? <div class="detail" role="alert"><p>The detail view could not be loaded ({detail.message}). Reopen DevTools to try again.</p></div>
            : <div class="detail" aria-busy="true"><p class="dim">Loading…</p></div>
        ) : null}
      </div>
    </div>
    </SecretContext.Provider>
  );
}
