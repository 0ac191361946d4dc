import { MSG, type BackgroundMessage } from "../../../src/shared/protocol";
import {
  blockedCount, captureGap, initialState, MAX_ENTRIES, reduce, selectedEntry, textMatcher,
  visibleEntries, type Action, type PanelState,
} from "../../../src/panel/state";
import { preflightOf, statusOf } from "../../../src/panel/entry";
import {
  blockedPreflight, headerDisallowed, hop, makeEntry, manyEntries, makeExchange, methodDisallowed, passing, snapshot, warning,
  wildcardWithCredentials,
} from "./helpers/fixtures";

const run = (s: PanelState, ...actions: Action[]) => actions.reduce(reduce, s);
const msgs = (...messages: BackgroundMessage[]): Action => ({ type: "messages", messages });

function loaded() {
  const entries = [
    makeEntry(blockedPreflight("a")),
    makeEntry(passing("b")),
    makeEntry(wildcardWithCredentials("c")),
    makeEntry(warning("d")),
  ];
  return { entries, state: run(initialState(7), msgs(snapshot(entries))) };
}

describe("panel state: messages", () => {
  test("a snapshot replaces the entries and the tab's settings", () => {
    const { state, entries } = loaded();
    expect(state.ready).toBe(true);
    expect(state.connection).toBe("connected");
    expect(state.entries).toEqual(entries);
    const again = run(state, msgs(snapshot([entries[1]!], { preserve: true, dropped: 3, site: null })));
    expect(again.entries.map((e) => e.exchange.id)).toEqual(["b"]);
    expect(again.preserve).toBe(true);
    expect(again.dropped).toBe(3);
    expect(again.site).toBeNull();
  });

  test("EXCHANGE_ADDED appends; EXCHANGE_UPDATED replaces by exchange id (or appends when unknown)", () => {
    const { state } = loaded();
    const added = makeEntry(methodDisallowed("e"));
    const s1 = run(state, msgs({ type: MSG.EXCHANGE_ADDED, entry: added }));
    expect(s1.entries.map((e) => e.exchange.id)).toEqual(["a", "b", "c", "d", "e"]);
    const updated = makeEntry(passing("a"));
    const s2 = run(s1, msgs({ type: MSG.EXCHANGE_UPDATED, entry: updated }, { type: MSG.EXCHANGE_UPDATED, entry: makeEntry(passing("z")) }));
    expect(s2.entries.map((e) => e.exchange.id)).toEqual(["a", "b", "c", "d", "e", "z"]);
    expect(s2.entries[0]).toBe(updated);
    // The previous state is untouched.
    expect(s1.entries[0]!.diagnosis.blocked).toBe(true);
  });

  test("CLEARED empties the list and the selection", () => {
    const s = run(loaded().state, { type: "select", id: "a", open: true }, msgs({ type: MSG.CLEARED }));
    expect(s.entries).toEqual([]);
    expect(s.selectedId).toBeNull();
    expect(s.detailOpen).toBe(false);
  });

  test("NAVIGATED drops the previous page's entries unless Preserve log is on", () => {
    const { state } = loaded();
    const nav: BackgroundMessage = { type: MSG.NAVIGATED, page: 2, url: "https://app.example/next" };
    const newer = makeEntry(passing("n"), { page: 2 });
    const dropped = run(state, msgs(nav, { type: MSG.EXCHANGE_ADDED, entry: newer }));
    expect(dropped.entries.map((e) => e.exchange.id)).toEqual(["n"]);
    expect(dropped.pageUrl).toBe("https://app.example/next");
    const kept = run(state, { type: "preserve", on: true }, msgs(nav, { type: MSG.EXCHANGE_ADDED, entry: newer }));
    expect(kept.entries.map((e) => e.exchange.id)).toEqual(["a", "b", "c", "d", "n"]);
  });

  test("the selection goes when its entry does", () => {
    const s = run(loaded().state, { type: "select", id: "b", open: true }, msgs(snapshot([makeEntry(passing("x"))])));
    expect(s.selectedId).toBeNull();
    expect(s.detailOpen).toBe(false);
  });

  test("at most MAX_ENTRIES are kept; the overflow counts as dropped", () => {
    const many = manyEntries(MAX_ENTRIES, [passing("p")]);
    const s = run(initialState(7), msgs(snapshot(many)), msgs({ type: MSG.EXCHANGE_ADDED, entry: makeEntry(passing("last")) }));
    expect(s.entries).toHaveLength(MAX_ENTRIES);
    expect(s.entries[0]!.exchange.id).toBe("p-1");
    expect(s.dropped).toBe(1);
  });
});

describe("panel state: UI actions", () => {
  test("move walks the visible rows, clamped; Enter opens; Esc closes", () => {
    const { state } = loaded();
    let s = run(state, { type: "move", to: 1 });
    expect(s.selectedId).toBe("a");
    s = run(s, { type: "move", to: 1 }, { type: "move", to: 1 });
    expect(s.selectedId).toBe("c");
    s = run(s, { type: "move", to: 10 });
    expect(s.selectedId).toBe("d");
    s = run(s, { type: "move", to: "first" });
    expect(s.selectedId).toBe("a");
    s = run(s, { type: "move", to: -1 });
    expect(s.selectedId).toBe("a");
    expect(s.detailOpen).toBe(false);
    s = run(s, { type: "open" });
    expect(s.detailOpen).toBe(true);
    expect(selectedEntry(s)?.exchange.id).toBe("a");
    s = run(s, { type: "close" });
    expect(s.detailOpen).toBe(false);
  });

  test("move respects the filters", () => {
    const s = run(loaded().state, { type: "filter", patch: { blockedOnly: true } }, { type: "move", to: 1 }, { type: "move", to: 1 });
    expect(s.selectedId).toBe("c");
  });

  test("reveal resets when another entry is selected", () => {
    let s = run(loaded().state, { type: "select", id: "a", open: true }, { type: "reveal", on: true });
    expect(s.reveal).toBe(true);
    s = run(s, { type: "select", id: "a" });
    expect(s.reveal).toBe(true);
    s = run(s, { type: "select", id: "c" });
    expect(s.reveal).toBe(false);
    expect(s.detailOpen).toBe(true);
  });

  test("clear empties locally at once", () => {
    const s = run(loaded().state, { type: "clear" });
    expect(s.entries).toEqual([]);
  });
});

describe("panel state: filters and derived data", () => {
  test("text terms match method, URL, origin and code; -term excludes; /re/ is a regular expression", () => {
    const { entries } = loaded();
    const ids = (text: string) => entries.filter(textMatcher(text) ?? (() => true)).map((e) => e.exchange.id);
    expect(ids("")).toEqual(["a", "b", "c", "d"]);
    expect(ids("put")).toEqual(["a"]);
    expect(ids("/public")).toEqual(["b"]);
    expect(ids("wildcardorigin")).toEqual(["c"]);
    expect(ids("api.example -blocked")).toEqual(["b", "d"]);
    expect(ids("/items\\/\\d/")).toEqual(["a"]);
    expect(ids("/[/")).toEqual([]); // an invalid regular expression is a plain substring
  });

  test("Blocked only and Credentialed only", () => {
    const { entries } = loaded();
    const f = { text: "", blockedOnly: true, credentialedOnly: false };
    expect(visibleEntries(entries, f).map((e) => e.exchange.id)).toEqual(["a", "c"]);
    expect(visibleEntries(entries, { ...f, blockedOnly: false, credentialedOnly: true }).map((e) => e.exchange.id)).toEqual(["a", "c", "d"]);
  });

  test("visibleEntries is memoized on the entries array and filter values", () => {
    const { entries } = loaded();
    const f = { text: "api", blockedOnly: false, credentialedOnly: false };
    const a = visibleEntries(entries, f);
    expect(visibleEntries(entries, { ...f })).toBe(a);
    expect(visibleEntries([...entries], f)).not.toBe(a);
    const none = { text: "", blockedOnly: false, credentialedOnly: false };
    expect(visibleEntries(entries, none)).toBe(entries);
  });

  test("filtering 10,000 entries gives the right rows (speed is bench B4)", () => {
    const many = manyEntries(10_000, [blockedPreflight(), passing(), passing()]);
    const f = { text: "", blockedOnly: false, credentialedOnly: false };
    visibleEntries(many, { ...f, text: "warm" }); // builds the per-entry search text once
    for (const text of ["i", "it", "ite", "item", "items", "items/", "-put", "/p\\d+/"]) visibleEntries(many, { ...f, text });
    expect(visibleEntries(many, { ...f, blockedOnly: true })).toHaveLength(3334);
  });

  test("status, preflight kind and counts", () => {
    const { entries } = loaded();
    expect(entries.map(statusOf)).toEqual(["blocked", "ok", "blocked", "warning"]);
    expect(blockedCount(entries)).toBe(2);
    expect(preflightOf(entries[0]!)).toBe("sent");
    expect(preflightOf(entries[1]!)).toBe("none");
    const cached = makeEntry(makeExchange({ request: { method: "PUT" }, hops: [hop({ preflightCached: true, response: { status: 200, headers: {} } })] }));
    expect(preflightOf(cached)).toBe("cached");
    const failed = makeEntry(makeExchange({ hops: [hop()], browserError: "net::ERR_NAME_NOT_RESOLVED" }));
    expect(statusOf(failed)).toBe("failed");
    expect(statusOf(makeEntry(headerDisallowed()))).toBe("blocked");
  });

  test("the capture-gap bar", () => {
    const base = run(initialState(7), msgs(snapshot([])));
    expect(captureGap(base)).toBeNull();
    expect(captureGap(run(initialState(7), msgs(snapshot([], { suspected: 3 }))))).toBe(
      "CORS Lens was not capturing this tab fully: 3 cross-origin failures were seen but not recorded.");
    expect(captureGap(run(initialState(7), msgs(snapshot([], { missed: 1 }))))).toMatch(/1 cross-origin request was seen/);
    const count = run(initialState(7), msgs(snapshot([], { captureLevel: "count" })));
    expect(captureGap(count)).toMatch(/not capturing this tab fully/);
    // After a navigation the open panel captures fully: the bar goes.
    expect(captureGap(run(count, msgs({ type: MSG.NAVIGATED, page: 2, url: "https://app.example/" })))).toBeNull();
  });
});
