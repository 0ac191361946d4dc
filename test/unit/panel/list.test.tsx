/** @jest-environment jsdom */
import { act, fireEvent, screen, within } from "@testing-library/preact";
import { MSG } from "../../../src/shared/protocol";
import {
  blockedPreflight, hop, makeEntry, manyEntries, makeExchange, okHeaders as okHeadersFor, passing, warning, wildcardWithCredentials, wire,
} from "./helpers/fixtures";
import { fakePlatform } from "./helpers/fake-platform";
import { renderPanel, settle } from "./helpers/render";
import { ROW_HEIGHT, rowRuns } from "../../../src/panel/RequestList";

const grid = () => screen.getByRole("grid", { name: "Cross-origin requests" });
const bodyRows = () => within(grid()).getAllByRole("row").filter((r) => r.getAttribute("aria-rowindex") !== "1");
const cells = (row: HTMLElement) => within(row).getAllByRole("gridcell").map((c) => c.textContent);

test("one row per exchange with status, method, URL, origin, credentials, preflight and code", () => {
  const inferred = makeExchange({ id: "inf", request: { credentials: "unknown", url: "https://api.example/inf" } });
  renderPanel([
    makeEntry(blockedPreflight("a")), makeEntry(passing("b")), makeEntry(warning("c")), makeEntry(inferred),
    makeEntry(makeExchange({ id: "cached", request: { method: "DELETE" }, hops: [hop({ preflightCached: true, response: { status: 204, headers: { "access-control-allow-origin": "https://app.example", "access-control-allow-credentials": "true", vary: "origin" } } })] })),
  ]);
  expect(within(grid()).getAllByRole("columnheader").map((c) => c.textContent)).toEqual(
    ["Status", "Method", "HTTP", "URL", "Origin", "Credentials", "Preflight", "CORS error", "Time"]);
  const rows = bodyRows();
  expect(rows).toHaveLength(5);
  // HTTP: a request stopped at its preflight shows the preflight's status.
  expect(cells(rows[0]!)).toEqual(["Blocked", "PUT", "204 pf", "/items/1 api.example", "https://app.example", "include", "yes", "PreflightMissingAllowOriginHeader", "—"]);
  expect(rows[0]!.className).toContain("status-blocked");
  expect(cells(rows[1]!)).toEqual(["OK", "GET", "200", "/public api.example", "https://app.example", "omit", "—", "", "—"]);
  expect(cells(rows[2]!)[0]).toBe("Warning");
  expect(rows[2]!.className).toContain("status-warning");
  expect(cells(rows[3]!)[5]).toBe("same-origin? (inferred)");
  expect(cells(rows[4]!)[6]).toBe("cached");
  expect(cells(rows[4]!)[2]).toBe("204");
  expect(screen.getByTestId("counts").textContent).toBe("5 requests · 1 blocked · 0 dropped");
});

test("live additions and updates show up", () => {
  const { platform } = renderPanel([makeEntry(passing("a"))]);
  act(() => platform.port.emit(wire({ type: MSG.EXCHANGE_ADDED, entry: makeEntry(blockedPreflight("b")) })));
  expect(bodyRows()).toHaveLength(2);
  act(() => platform.port.emit(wire({ type: MSG.EXCHANGE_UPDATED, entry: makeEntry(wildcardWithCredentials("a")) })));
  expect(cells(bodyRows()[0]!)[0]).toBe("Blocked");
  expect(screen.getByTestId("counts").textContent).toBe("2 requests · 2 blocked · 0 dropped");
});

test("text filter, Blocked only and Credentialed only", () => {
  renderPanel([makeEntry(blockedPreflight("a")), makeEntry(passing("b")), makeEntry(wildcardWithCredentials("c")), makeEntry(warning("d"))], { snapshot: { dropped: 4 } });
  const filter = screen.getByRole("searchbox", { name: "Filter" });
  fireEvent.input(filter, { target: { value: "items" } });
  expect(bodyRows().map((r) => cells(r)[3])).toEqual(["/items/1 api.example"]);
  expect(screen.getByTestId("counts").textContent).toBe("1 / 4 requests · 2 blocked · 4 dropped");
  fireEvent.input(filter, { target: { value: "" } });
  fireEvent.click(screen.getByRole("checkbox", { name: "Blocked only" }));
  expect(bodyRows().map((r) => cells(r)[1])).toEqual(["PUT", "GET"]);
  fireEvent.click(screen.getByRole("checkbox", { name: "Blocked only" }));
  fireEvent.click(screen.getByRole("checkbox", { name: "Credentialed only" }));
  expect(bodyRows()).toHaveLength(3);
  fireEvent.input(filter, { target: { value: "nothing-matches-this" } });
  expect(screen.getByText("No requests match the filter.")).toBeTruthy();
});

test("10,000 rows: only the visible rows are in the DOM while scrolling and filtering (speed is bench B4)", () => {
  const entries = manyEntries(10_000, [blockedPreflight(), passing(), passing(), passing()]);
  renderPanel(entries);
  expect(grid().getAttribute("aria-rowcount")).toBe("10001");
  expect(bodyRows().length).toBeLessThan(80);
  const body = grid().querySelector(".grid-body") as HTMLElement;
  Object.defineProperty(body, "scrollTop", { configurable: true, value: 5000 * 21 });
  act(() => { fireEvent.scroll(body); });
  const indexes = bodyRows().map((r) => Number(r.getAttribute("aria-rowindex")));
  expect(Math.min(...indexes)).toBeGreaterThan(4900);
  expect(Math.max(...indexes)).toBeLessThan(5100);
  const filter = screen.getByRole("searchbox", { name: "Filter" });
  for (const v of ["i", "it", "ite", "item", "items"]) fireEvent.input(filter, { target: { value: v } });
  act(() => {});
  expect(grid().getAttribute("aria-rowcount")).toBe("2501");
  expect(bodyRows().length).toBeLessThan(80);
});

describe("rowRuns: the rows a scroll position renders", () => {
  const H = 600; // 28.6 rows in view
  const at = (row: number) => row * ROW_HEIGHT;
  test("filled: the rows in view and 12 more on each side, clamped to the list", () => {
    expect(rowRuns(at(5000), H, 10_000, true, { a: 0, b: 0 })).toEqual({ run: { a: 4988, b: 5041 }, old: null });
    expect(rowRuns(0, H, 10_000, true, { a: 0, b: 0 })).toEqual({ run: { a: 0, b: 41 }, old: null });
    expect(rowRuns(0, H, 5, true, { a: 0, b: 0 })).toEqual({ run: { a: 0, b: 5 }, old: null });
    expect(rowRuns(0, H, 0, true, { a: 0, b: 0 })).toEqual({ run: { a: 0, b: 0 }, old: null });
  });
  test("right after a jump far away: only the rows in view (nothing of the last render is near)", () => {
    expect(rowRuns(at(5000), H, 10_000, false, { a: 0, b: 41 })).toEqual({ run: { a: 5000, b: 5029 }, old: null });
  });
  test("right after a short scroll (rows stay in view): the whole window at once, its leading overscan included", () => {
    // Down by 10 rows from a filled window at row 100 (88..141): the new window is 98..151, whose
    // bottom 12 rows are where a wheel's next frames scroll to before the main thread renders.
    expect(rowRuns(at(110), H, 10_000, false, { a: 88, b: 141 })).toEqual({ run: { a: 98, b: 151 }, old: null });
    // Up by 10 rows: 78..131.
    expect(rowRuns(at(90), H, 10_000, false, { a: 88, b: 141 })).toEqual({ run: { a: 78, b: 131 }, old: null });
  });
  test("right after a jump that the last render's overscan reaches: one run from those rows to the rows in view, no new overscan yet", () => {
    // From a filled window at row 100 (88..141) down by 41 rows: in view 141..170, window 129..182.
    expect(rowRuns(at(141), H, 10_000, false, { a: 88, b: 141 })).toEqual({ run: { a: 129, b: 170 }, old: null });
  });
  test("right after a 1,000 px jump: the last render's rows still inside the window stay as a second run, not rebuilt and not removed", () => {
    // From a filled window at row 100 (88..141) down by 47.6 rows (1,000 px): in view 147..177, window 135..189.
    expect(rowRuns(at(100) + 1000, H, 10_000, false, { a: 88, b: 141 })).toEqual({ run: { a: 147, b: 177 }, old: { a: 135, b: 141 } });
  });
});

test("a scroll renders the rows in view and then, after that frame, the overscan around them", () => {
  renderPanel(manyEntries(10_000, [passing()]));
  const body = grid().querySelector(".grid-body") as HTMLElement;
  Object.defineProperty(body, "scrollTop", { configurable: true, value: 5000 * ROW_HEIGHT });
  act(() => { fireEvent.scroll(body); }); // act runs the effects, so the fill has come too
  const indexes = bodyRows().map((r) => Number(r.getAttribute("aria-rowindex")) - 2);
  expect(Math.min(...indexes)).toBe(4988);
  expect(Math.max(...indexes)).toBe(5040);
  expect(new Set(indexes).size).toBe(5041 - 4988);
  // The rows' DOM order is their order in the list (aria-rowindex ascending).
  expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
});

test("keyboard: Up/Down move the selection, Enter opens the detail, Esc closes it, Ctrl/Cmd+F focuses the filter", () => {
  renderPanel([makeEntry(blockedPreflight("a")), makeEntry(passing("b")), makeEntry(wildcardWithCredentials("c"))]);
  const g = grid();
  g.focus();
  fireEvent.keyDown(g, { key: "ArrowDown" });
  const selected = () => bodyRows().filter((r) => r.getAttribute("aria-selected") === "true").map((r) => cells(r)[3]);
  expect(selected()).toEqual(["/items/1 api.example"]);
  fireEvent.keyDown(g, { key: "ArrowDown" });
  fireEvent.keyDown(g, { key: "ArrowDown" });
  expect(selected()).toEqual(["/data api.example"]);
  expect(g.getAttribute("aria-activedescendant")).toBe("cl-row-2");
  fireEvent.keyDown(g, { key: "ArrowUp" });
  expect(selected()).toEqual(["/public api.example"]);
  expect(screen.queryByRole("region", { name: "Request detail" })).toBeNull();
  fireEvent.keyDown(g, { key: "Enter" });
  expect(screen.getByRole("region", { name: "Request detail" })).toBeTruthy();
  // Moving with the detail open follows the selection.
  fireEvent.keyDown(g, { key: "ArrowUp" });
  expect(screen.getByRole("region", { name: "Request detail" }).textContent).toContain("PreflightMissingAllowOriginHeader");
  fireEvent.keyDown(window, { key: "Escape" });
  expect(screen.queryByRole("region", { name: "Request detail" })).toBeNull();
  expect(document.activeElement).toBe(g);
  fireEvent.keyDown(window, { key: "f", ctrlKey: true });
  expect(document.activeElement).toBe(screen.getByRole("searchbox", { name: "Filter" }));
  g.focus();
  fireEvent.keyDown(window, { key: "F", metaKey: true });
  expect(document.activeElement).toBe(screen.getByRole("searchbox", { name: "Filter" }));
});

test("clicking a row opens its detail", () => {
  renderPanel([makeEntry(passing("a")), makeEntry(wildcardWithCredentials("b"))]);
  fireEvent.click(bodyRows()[1]!);
  const detail = screen.getByRole("region", { name: "Request detail" });
  expect(detail.textContent).toContain("WildcardOriginNotAllowed");
  fireEvent.click(within(detail).getByRole("button", { name: "Close detail" }));
  expect(screen.queryByRole("region", { name: "Request detail" })).toBeNull();
});

// ---- Columns: sort, show/hide, resize, remembered (columns.ts) ----

const header = (label: string) => within(grid()).getByRole("columnheader", { name: new RegExp(`^${label}`) });
const headers = () => within(grid()).getAllByRole("columnheader").map((c) => c.textContent?.replace(/ [▲▼]$/, ""));
const urls = () => bodyRows().map((r) => within(r).getAllByRole("gridcell")[3]!.textContent);

test("Time shows each request's duration, preflights and redirects included", () => {
  renderPanel([makeEntry(passing("a"), { start: 1000, end: 1850 }), makeEntry(blockedPreflight("b"), { start: 1000, end: 3500 })]);
  const time = (r: HTMLElement) => within(r).getAllByRole("gridcell")[headers().indexOf("Time")]!.textContent;
  expect(bodyRows().map(time)).toEqual(["850 ms", "2.50 s"]);
});

test("clicking a header sorts ascending, again descending, a third time back to capture order; the keyboard walks that order", async () => {
  const { platform } = renderPanel([
    makeEntry(passing("a"), { start: 0, end: 300 }),
    makeEntry(blockedPreflight("b"), { start: 0, end: 100 }),
    makeEntry(wildcardWithCredentials("c"), { start: 0, end: 200 }),
  ]);
  const sortBy = () => fireEvent.click(within(header("Time")).getByRole("button", { name: "Time" }));
  sortBy();
  expect(header("Time").getAttribute("aria-sort")).toBe("ascending");
  expect(urls()).toEqual(["/items/1 api.example", "/data api.example", "/public api.example"]);
  // Down from nothing selects the first row of the sorted list.
  grid().focus();
  fireEvent.keyDown(grid(), { key: "ArrowDown" });
  fireEvent.keyDown(grid(), { key: "ArrowDown" });
  expect(bodyRows().find((r) => r.getAttribute("aria-selected") === "true")!.textContent).toContain("/data");
  sortBy();
  expect(header("Time").getAttribute("aria-sort")).toBe("descending");
  expect(urls()).toEqual(["/public api.example", "/data api.example", "/items/1 api.example"]);
  sortBy();
  expect(header("Time").getAttribute("aria-sort")).toBe("none");
  expect(urls()).toEqual(["/public api.example", "/items/1 api.example", "/data api.example"]);
  await settle();
  expect(platform.storage.get("panel.columns")).toMatchObject({ sort: null });
});

test("Enter on a header's sort button sorts; it does not open the detail", () => {
  renderPanel([makeEntry(passing("a")), makeEntry(blockedPreflight("b"))]);
  const button = within(header("Method")).getByRole("button", { name: "Method" });
  button.focus();
  fireEvent.keyDown(button, { key: "Enter" });
  expect(screen.queryByRole("region", { name: "Request detail" })).toBeNull();
});

test("right-clicking the header row opens a column menu: hide Origin, show Size and Domain, reset", async () => {
  const { platform } = renderPanel([makeEntry(makeExchange({ id: "s", hops: [hop({ response: { status: 200, headers: { ...okHeadersFor(), "content-length": "2048" } } })] }))]);
  fireEvent.contextMenu(header("Status"), { clientX: 30, clientY: 10 });
  const menu = screen.getByRole("menu", { name: "Columns" });
  const item = (name: string) => within(menu).getByRole("menuitemcheckbox", { name });
  expect(item("Origin").getAttribute("aria-checked")).toBe("true");
  expect(item("Size").getAttribute("aria-checked")).toBe("false");
  expect(within(menu).queryByRole("menuitemcheckbox", { name: "URL" })).toBeNull(); // URL always stays
  fireEvent.click(item("Origin"));
  fireEvent.click(item("Size"));
  fireEvent.click(item("Domain"));
  expect(headers()).toEqual(["Status", "Method", "HTTP", "URL", "Domain", "Credentials", "Preflight", "CORS error", "Time", "Size"]);
  const row = bodyRows()[0]!;
  expect(cells(row)[headers().indexOf("Size")]).toBe("2.0 kB");
  expect(cells(row)[headers().indexOf("Domain")]).toBe("api.example");
  await settle();
  expect(platform.storage.get("panel.columns")).toMatchObject({ shown: ["status", "method", "http", "url", "domain", "cred", "preflight", "code", "time", "size"] });
  // Keys stay in the menu; Escape closes it without closing anything else.
  fireEvent.keyDown(item("Size"), { key: "Escape" });
  expect(screen.queryByRole("menu", { name: "Columns" })).toBeNull();
  fireEvent.contextMenu(header("Status"));
  fireEvent.click(within(screen.getByRole("menu", { name: "Columns" })).getByRole("menuitem", { name: "Reset columns" }));
  expect(headers()).toEqual(["Status", "Method", "HTTP", "URL", "Origin", "Credentials", "Preflight", "CORS error", "Time"]);
});

test("column choice, widths and sort are remembered: a new panel opens with them", async () => {
  const storage = new Map<string, unknown>([["panel.columns", { shown: ["status", "url", "code", "size"], widths: { code: 333 }, sort: { column: "code", dir: "desc" } }]]);
  renderPanel([makeEntry(passing("a")), makeEntry(blockedPreflight("b"))], { platform: fakePlatform({ storage }) });
  await settle();
  expect(headers()).toEqual(["Status", "URL", "CORS error", "Size"]);
  expect(header("CORS error").getAttribute("aria-sort")).toBe("descending");
  expect(bodyRows()[0]!.textContent).toContain("PreflightMissingAllowOriginHeader");
  expect(grid().style.getPropertyValue("--w-code")).toBe("333px");
});

// jsdom has no PointerEvent: without one, fireEvent.pointer* would make plain Events with no clientX.
class FakePointerEvent extends MouseEvent {
  pointerId: number;
  constructor(type: string, init: PointerEventInit = {}) {
    super(type, init);
    this.pointerId = init.pointerId ?? 0;
  }
}

test("dragging a header's right edge resizes the column and stores the width when the drag ends", async () => {
  (window as unknown as { PointerEvent: unknown }).PointerEvent ??= FakePointerEvent;
  // …and no onpointer* properties, so Preact would listen for "PointerDown" (its case-kept fallback).
  for (const n of ["onpointerdown", "onpointermove", "onpointerup", "onpointercancel"]) {
    if (!(n in HTMLElement.prototype)) Object.defineProperty(HTMLElement.prototype, n, { value: null, writable: true, configurable: true });
  }
  const { platform } = renderPanel([makeEntry(passing("a"))]);
  const resizer = header("Method").querySelector(".resizer")!;
  // The widths are the grid's --w-* properties, which the header's and every row's cells read
  // (panel.css), so cells stay under their headers; no row carries a width of its own.
  const width = () => grid().style.getPropertyValue("--w-method");
  // jsdom has no layout: the drag starts from the column's stored width (62 px).
  fireEvent.pointerDown(resizer, { clientX: 100, pointerId: 1 });
  fireEvent.pointerMove(resizer, { clientX: 140, pointerId: 1 });
  expect(width()).toBe("102px");
  expect(platform.storage.get("panel.columns")).toBeUndefined();
  fireEvent.pointerUp(resizer, { clientX: 160, pointerId: 1 });
  expect(width()).toBe("122px");
  await settle();
  expect(platform.storage.get("panel.columns")).toMatchObject({ widths: { method: 122 } });
  expect(bodyRows()[0]!.getAttribute("style")).not.toMatch(/width|grid/);
});
