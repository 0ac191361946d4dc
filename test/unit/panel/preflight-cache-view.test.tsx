/** @jest-environment jsdom */
// The preflight cache finding in the detail's Stages section (src/core/preflight-cache.ts).
import { fireEvent, screen, within } from "@testing-library/preact";
import { API, hop, makeEntry, makeExchange, okHeaders } from "./helpers/fixtures";
import { renderPanel } from "./helpers/render";

function open(): HTMLElement {
  const rows = within(screen.getByRole("grid")).getAllByRole("row").filter((r) => r.getAttribute("aria-rowindex") !== "1");
  fireEvent.click(rows[0]!);
  return screen.getByRole("region", { name: "Request detail" });
}

test("a request sent without a preflight because of a cached one says whose, and each browser's lifetime", () => {
  renderPanel([makeEntry(makeExchange({
    request: { method: "PUT" },
    hops: [hop({ url: `${API}/data`, preflightCached: true, preflightCachedBy: { exchange: "first", maxAge: "86400" }, response: { status: 200, headers: okHeaders() } })],
  }))]);
  const note = open().querySelector("[data-finding=preflight-cache]")!;
  expect(note.textContent).toBe("Sent without a preflight: the browser reused a preflight it had cached (Access-Control-Max-Age: 86400). " +
    "Each browser keeps that answer: Chrome 2 h, Firefox 24 h, Safari 10 min. A change to the server's CORS headers shows only once it expires.");
  expect(note.closest("section")!.querySelector("h3")!.textContent).toBe("Stages");
});

test("none when the preflight was sent", () => {
  renderPanel([makeEntry(makeExchange({
    request: { method: "PUT" },
    hops: [hop({ url: `${API}/data`, preflight: { status: 204, headers: { ...okHeaders(), "access-control-allow-methods": "PUT" } }, response: { status: 200, headers: okHeaders() } })],
  }))]);
  expect(open().querySelector("[data-finding=preflight-cache]")).toBeNull();
});
