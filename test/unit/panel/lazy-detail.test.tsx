/** @jest-environment jsdom */
// The detail's code is a chunk loaded after the list (src/panel/lazy-detail.ts). A detail opened before
// it has loaded says so, then shows; the list never waits for it. This file does not use
// helpers/render.tsx, which loads the chunk before each file's tests (each test file has its own
// module registry, so here the chunk starts unloaded).
import { act, fireEvent, render, screen, within } from "@testing-library/preact";
import { App } from "../../../src/panel/App";
import { detailModule, loadDetail } from "../../../src/panel/lazy-detail";
import { fakePlatform } from "./helpers/fake-platform";
import { blockedPreflight, makeEntry, snapshot, wire } from "./helpers/fixtures";

test("a detail opened before its chunk has loaded says Loading…, then shows the detail; the list is there at once", async () => {
  expect(detailModule()).toBeNull();
  const platform = fakePlatform();
  render(<App platform={platform} tabId={7} theme={null} connection={{ batchMs: 0 }} />);
  expect(detailModule()).toBeNull(); // no rows yet: not asked for
  act(() => platform.port.emit(wire(snapshot([makeEntry(blockedPreflight("a"))]))));
  const grid = screen.getByRole("grid", { name: "Cross-origin requests" });
  const row = within(grid).getAllByRole("row").find((r) => r.getAttribute("aria-rowindex") === "2")!;
  expect(row.textContent).toContain("PreflightMissingAllowOriginHeader");
  expect(detailModule()).toBeNull(); // asked for once the list has rows, not loaded yet
  fireEvent.click(row);
  expect(document.querySelector(".detail[aria-busy=true]")?.textContent).toBe("Loading…");
  await act(async () => { await loadDetail(); });
  expect(detailModule()).not.toBeNull();
  expect(document.querySelector(".detail[aria-busy=true]")).toBeNull();
  expect(screen.getByRole("region", { name: "Request detail" }).textContent).toContain("PreflightMissingAllowOriginHeader");
});
