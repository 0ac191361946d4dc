import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  COLUMNS, defaultColumnPrefs, durationOf, formatDuration, formatSize, layout, nextSort, readColumnPrefs, resizeColumn,
  sizeOf, sortEntries, toggleColumn,
} from "../../../src/panel/columns";
import { blockedPreflight, hop, makeEntry, makeExchange, okHeaders, passing } from "./helpers/fixtures";

const ids = (cs: ReadonlyArray<{ id: string }>) => cs.map((c) => c.id);

describe("stored column prefs", () => {
  test("garbage reads as the defaults", () => {
    for (const v of [undefined, null, 3, "x", [], { shown: "url" }, { widths: [1] }, { sort: { column: "nope", dir: "asc" } }]) {
      expect(readColumnPrefs(v)).toEqual(defaultColumnPrefs());
    }
  });
  test("unknown columns are dropped, URL is always shown, order is the columns' own", () => {
    expect(readColumnPrefs({ shown: ["size", "evil<script>", "status"] }).shown).toEqual(["status", "url", "size"]);
  });
  test("widths are clamped to the column's minimum and 2000 px; non-numbers dropped", () => {
    expect(readColumnPrefs({ widths: { status: 1, origin: 99999, method: "50", size: NaN, nope: 10 } }).widths)
      .toEqual({ status: 60, origin: 2000 });
  });
  test("a valid sort is kept", () => {
    expect(readColumnPrefs({ sort: { column: "time", dir: "desc" } }).sort).toEqual({ column: "time", dir: "desc" });
    expect(readColumnPrefs({ sort: { column: "time", dir: "up" } }).sort).toBeNull();
  });
});

test("toggling shows and hides a column, never URL, and drops a sort on a hidden column", () => {
  const p = { ...defaultColumnPrefs(), sort: { column: "origin" as const, dir: "asc" as const } };
  const hidden = toggleColumn(p, "origin");
  expect(hidden.shown).not.toContain("origin");
  expect(hidden.sort).toBeNull();
  expect(toggleColumn(hidden, "origin").shown).toEqual(p.shown);
  expect(toggleColumn(p, "url")).toBe(p);
  expect(toggleColumn(p, "size").shown.at(-1)).toBe("size");
});

test("resizing clamps to the minimum", () => {
  expect(resizeColumn(defaultColumnPrefs(), "code", 10).widths.code).toBe(80);
  expect(resizeColumn(defaultColumnPrefs(), "code", 321.4).widths.code).toBe(321);
});

test("a header click sorts ascending, then descending, then back to capture order", () => {
  const a = nextSort(null, "time");
  expect(a).toEqual({ column: "time", dir: "asc" });
  const d = nextSort(a, "time");
  expect(d).toEqual({ column: "time", dir: "desc" });
  expect(nextSort(d, "time")).toBeNull();
  expect(nextSort(d, "method")).toEqual({ column: "method", dir: "asc" });
});

describe("layout", () => {
  test("at 1280 px every default column fits, URL takes the rest", () => {
    const l = layout(defaultColumnPrefs(), 1280);
    expect(ids(l.columns)).toEqual(defaultColumnPrefs().shown);
    expect(l.dropped).toEqual([]);
    expect(Object.keys(l.vars)).toEqual(l.columns.map((c) => `--w-${c.id}`));
    expect(l.vars["--w-url"]).toBe("140px"); // its minimum: the flex row gives it the rest
    expect(l.vars["--w-status"]).toBe("84px");
  });
  test("every column's cells read their width from panel.css (a new column without a rule would collapse)", () => {
    const css = readFileSync(join(__dirname, "../../../extension/panel.css"), "utf8");
    for (const c of COLUMNS) {
      expect(css).toMatch(new RegExp(`\\.row > \\.${c.cls} \\{[^}]*(width|min-width): var\\(--w-${c.id}\\)`));
    }
  });
  test("at 600 px the least useful columns go first: Status, Method, HTTP, URL and CORS error stay", () => {
    const l = layout(defaultColumnPrefs(), 600);
    expect(ids(l.columns)).toEqual(["status", "method", "http", "url", "code"]);
    expect(ids(l.dropped)).toEqual(["time", "origin", "preflight", "cred"]);
  });
  test("a width the user dragged counts", () => {
    const wide = resizeColumn(defaultColumnPrefs(), "code", 600);
    expect(layout(wide, 1280).vars["--w-code"]).toBe("600px");
    expect(ids(layout(wide, 1280).dropped).length).toBeGreaterThan(0);
  });
  test("unmeasured (0 px, as in jsdom): nothing is dropped", () => {
    expect(layout(defaultColumnPrefs(), 0).dropped).toEqual([]);
  });
  test("even at 200 px the URL column is kept", () => {
    expect(ids(layout(defaultColumnPrefs(), 200).columns)).toEqual(["url"]);
  });
});

describe("time and size", () => {
  test("the duration is end minus start; unknown or backwards is null", () => {
    expect(durationOf(makeEntry(passing(), { start: 1000, end: 1234 }))).toBe(234);
    expect(durationOf(makeEntry(passing(), { start: 1000 }))).toBeNull();
    expect(durationOf(makeEntry(passing(), { start: 1000, end: 999 }))).toBeNull();
  });
  test("the size is the last response's Content-Length, only when it is one number", () => {
    const withLen = (v: string | string[]) => makeEntry(makeExchange({ hops: [hop({ response: { status: 200, headers: okHeaders({ "content-length": v }) } })] }));
    expect(sizeOf(withLen("1536"))).toBe(1536);
    expect(sizeOf(withLen("12, 12"))).toBeNull();
    expect(sizeOf(withLen("-1"))).toBeNull();
    expect(sizeOf(makeEntry(blockedPreflight()))).toBeNull(); // no response at all
    expect(sizeOf(makeEntry(passing()))).toBeNull(); // no Content-Length
  });
  test("formats read as the Network panel's", () => {
    expect([formatDuration(null), formatDuration(0.4), formatDuration(850), formatDuration(1250), formatDuration(12_345), formatDuration(150_000)])
      .toEqual(["—", "0 ms", "850 ms", "1.25 s", "12.3 s", "2.5 min"]);
    expect([formatSize(null), formatSize(0), formatSize(999), formatSize(1536), formatSize(3_200_000)])
      .toEqual(["—", "0 B", "999 B", "1.5 kB", "3.2 MB"]);
  });
});

describe("sorting", () => {
  const a = makeEntry(passing("a"), { start: 0, end: 300 });
  const b = makeEntry(blockedPreflight("b"), { start: 0, end: 100 });
  const c = makeEntry(passing("c"), { start: 0 });
  const d = makeEntry(passing("d"), { start: 0, end: 100 });
  const order = (s: Parameters<typeof sortEntries>[1]) => sortEntries([a, b, c, d], s).map((e) => e.exchange.id);
  test("no sort: capture order, the same array", () => {
    const list = [a, b];
    expect(sortEntries(list, null)).toBe(list);
  });
  test("by time, unknown first ascending; ties keep capture order both ways", () => {
    expect(order({ column: "time", dir: "asc" })).toEqual(["c", "b", "d", "a"]);
    expect(order({ column: "time", dir: "desc" })).toEqual(["a", "b", "d", "c"]);
  });
  test("by status, blocked first", () => {
    expect(order({ column: "status", dir: "asc" })[0]).toBe("b");
  });
  test("every column sorts without throwing", () => {
    for (const col of COLUMNS) for (const dir of ["asc", "desc"] as const) expect(order({ column: col.id, dir })).toHaveLength(4);
  });
});
