/** @jest-environment jsdom */
import { act, fireEvent, screen, within } from "@testing-library/preact";
import { MSG } from "../../../src/shared/protocol";
import {
  blockedPreflight, hop, makeEntry, manyEntries, makeExchange, passing, warning, wildcardWithCredentials, wire,
} from "./helpers/fixtures";
import { renderPanel } from "./helpers/render";

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
    ["Status", "Method", "HTTP", "URL", "Origin", "Credentials", "Preflight", "CORS error"]);
  const rows = bodyRows();
  expect(rows).toHaveLength(5);
  // HTTP: a request stopped at its preflight shows the preflight's status.
  expect(cells(rows[0]!)).toEqual(["Blocked", "PUT", "204 pf", "/items/1 api.example", "https://app.example", "include", "yes", "PreflightMissingAllowOriginHeader"]);
  expect(rows[0]!.className).toContain("status-blocked");
  expect(cells(rows[1]!)).toEqual(["OK", "GET", "200", "/public api.example", "https://app.example", "omit", "—", ""]);
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
