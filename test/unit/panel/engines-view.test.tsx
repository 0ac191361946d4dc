/** @jest-environment jsdom */
// Each browser's verdict in the panel (src/core/engines.ts): the line in the detail, the list's marker.
import { fireEvent, screen, within } from "@testing-library/preact";
import { API, APP, blockedPreflight, hop, makeEntry, makeExchange, passing } from "./helpers/fixtures";
import { renderPanel } from "./helpers/render";

function rows(): HTMLElement[] {
  return within(screen.getByRole("grid")).getAllByRole("row").filter((r) => r.getAttribute("aria-rowindex") !== "1");
}

/** A PUT answered 303: Chrome follows as a GET without a preflight; Firefox and Safari preflight again and get a 404. */
function sticky() {
  const ok = { "access-control-allow-origin": APP, "access-control-allow-credentials": "true", "access-control-allow-methods": "PUT" };
  return makeExchange({
    id: "sticky",
    request: { method: "PUT", url: `${API}/items/1` },
    hops: [
      hop({ url: `${API}/items/1`, preflight: { status: 204, headers: ok }, response: { status: 303, headers: { ...ok, location: `${API}/items/2` } } }),
      hop({ url: `${API}/items/2`, preflight: { status: 404, headers: {} }, response: { status: 200, headers: ok } }),
    ],
  });
}

/** A credentialed PUT whose preflight is answered 401 without CORS headers: WebKit names the status first. */
function preflight401() {
  return makeExchange({
    id: "p401",
    request: { method: "PUT", url: `${API}/items/1` },
    hops: [hop({ url: `${API}/items/1`, preflight: { status: 401, headers: {} }, response: null })],
    browserError: "net::ERR_FAILED",
  });
}

describe("per-browser verdicts in the panel", () => {
  test("the list marks the rows where the browsers disagree, and only those", () => {
    renderPanel([makeEntry(passing("ok")), makeEntry(sticky()), makeEntry(preflight401())]);
    const marks = rows().map((r) => r.querySelector(".engines-differ")?.getAttribute("aria-label") ?? null);
    expect(marks).toEqual([null, "(Firefox and Safari differ)", "(Safari differs)"]);
  });

  test("the detail shows one compact line with each browser's words", () => {
    renderPanel([makeEntry(preflight401())]);
    fireEvent.click(rows()[0]!);
    const line = screen.getByLabelText("Each browser's verdict");
    expect(line.textContent).toBe(
      "Chrome ✗ PreflightMissingAllowOriginHeader · Firefox ✗ CORSMissingAllowOrigin (401) · Safari ✗ Preflight response is not successful. Status code: 401");
    expect([...line.querySelectorAll(".engine.differs")].map((s) => s.textContent)).toEqual(["Safari ✗ Preflight response is not successful. Status code: 401"]);
    const facts = screen.getByRole("region", { name: "Request detail" }).querySelector(".facts")!;
    const dd = (name: string) => [...facts.querySelectorAll("dt")].find((d) => d.textContent === name)!.nextElementSibling!.textContent;
    expect(dd("Firefox")).toBe("CORSMissingAllowOrigin (status 401)");
    expect(dd("Safari")).toBe("Preflight response is not successful. Status code: 401");
  });

  test("a request Chrome lets through but Firefox blocks says so", () => {
    renderPanel([makeEntry(sticky())]);
    fireEvent.click(rows()[0]!);
    const line = screen.getByLabelText("Each browser's verdict");
    expect(line.textContent).toBe(
      "Chrome ✓ not blocked · Firefox ✗ CORSMissingAllowOrigin (404) · Safari ✗ Preflight response is not successful. Status code: 404");
  });

  test("a hostile value stays text", () => {
    const ex = blockedPreflight("hostile");
    ex.hops[0]!.preflight!.headers["access-control-allow-origin"] = "<img src=x onerror=alert(1)>";
    renderPanel([makeEntry(ex)]);
    fireEvent.click(rows()[0]!);
    const line = screen.getByLabelText("Each browser's verdict");
    expect(line.querySelector("img")).toBeNull();
    expect(line.textContent).toContain("‘<img src=x onerror=alert(1)>’");
  });
});
