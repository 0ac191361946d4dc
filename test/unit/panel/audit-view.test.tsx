/** @jest-environment jsdom */
// The panel's security audit section (src/panel/AuditView.tsx), alone and inside the detail.
import { fireEvent, render, screen, within } from "@testing-library/preact";
import { AuditView } from "../../../src/panel/AuditView";
import { APP, hop, makeEntry, makeExchange, okHeaders, passing, wildcardWithCredentials } from "./helpers/fixtures";
import { renderPanel } from "./helpers/render";

function openDetail(index = 0): HTMLElement {
  const rows = within(screen.getByRole("grid")).getAllByRole("row").filter((r) => r.getAttribute("aria-rowindex") !== "1");
  fireEvent.click(rows[index]!);
  return screen.getByRole("region", { name: "Request detail" });
}

describe("AuditView", () => {
  test("a credentialed response echoing the origin: the suspected finding with severity, evidence and fix", () => {
    render(<AuditView entry={makeEntry(makeExchange())} />);
    const section = screen.getByRole("region", { name: "Security audit (1)" });
    const items = within(section).getAllByRole("listitem");
    expect(items).toHaveLength(1);
    const li = items[0]!;
    expect(li.getAttribute("data-finding")).toBe("origin-reflected");
    expect(li.querySelector(".audit-sev")!.textContent).toBe("Low");
    expect(li.querySelector(".audit-title")!.textContent).toBe("The origin may be reflected with credentials");
    expect(li.querySelector(".audit-suspected")!.textContent).toBe("suspected");
    expect(li.querySelector(".audit-evidence")!.textContent).toBe(`Evidence access-control-allow-origin: ${APP} (response)`);
    expect(li.querySelector(".audit-fix")!.textContent).toContain("exact list of trusted origins");
    expect(li.querySelector(".audit-explanation")!.textContent).toContain("cors-lens probe 'https://api.example/data' --origin 'https://app.example' --credentials --audit");
  });

  test("nothing to report: no section at all", () => {
    const { container } = render(<AuditView entry={makeEntry(passing())} />);
    expect(container.innerHTML).toBe("");
  });

  test("high first; a confirmed finding has no suspected marker; hops are named", () => {
    const ex = makeExchange({
      hops: [
        hop({ url: "https://api.example/a", response: { status: 302, headers: { "access-control-allow-origin": "null", "access-control-allow-credentials": "true", vary: "Origin", location: "https://cdn.example/b" } } }),
        hop({ url: "https://cdn.example/b", response: { status: 200, headers: { "access-control-allow-origin": "*", "cache-control": "private" } } }),
      ],
    });
    render(<AuditView entry={makeEntry(ex)} />);
    const items = within(screen.getByRole("region", { name: "Security audit (2)" })).getAllByRole("listitem");
    expect(items.map((li) => [li.getAttribute("data-finding"), li.querySelector(".audit-sev")!.textContent])).toEqual([["null-origin", "High"], ["wildcard-private", "Medium"]]);
    expect(items[0]!.querySelector(".audit-suspected")).toBeNull();
    expect(items[1]!.querySelector(".audit-evidence")!.textContent).toBe("Evidence cache-control: private (response, hop 1)");
  });

  test("hostile values are text, and cookies never appear", () => {
    const markup = `http://x"><img src=x onerror="window.__pwned=1">`;
    const ex = makeExchange({ hops: [hop({ response: { status: 200, headers: okHeaders({ "access-control-allow-origin": markup }) } })] });
    const { container } = render(<AuditView entry={makeEntry(ex)} />);
    expect(container.querySelector("img")).toBeNull();
    expect(container.textContent).toContain('onerror="window.__pwned=1"');
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
  });

  test("inside the detail, between the explanation and the fix; Set-Cookie evidence masked", () => {
    renderPanel([makeEntry(wildcardWithCredentials()), makeEntry(passing())]);
    let detail = openDetail(0);
    const section = within(detail).getByRole("region", { name: "Security audit (1)" });
    expect(section.querySelector("[data-finding]")!.getAttribute("data-finding")).toBe("wildcard-private");
    expect(section.querySelector(".audit-evidence")!.textContent).toBe("Evidence set-cookie: (present) (response)");
    expect(section.textContent).not.toContain("SECRET-SESSION");
    const headings = [...detail.querySelectorAll("h3")].map((h) => h.textContent);
    expect(headings.indexOf("Security audit (1)")).toBeGreaterThan(headings.indexOf("Explanation"));
    expect(headings.indexOf("Security audit (1)")).toBeLessThan(headings.indexOf("Fix"));
    detail = openDetail(1);
    expect(within(detail).queryByRole("region", { name: /Security audit/ })).toBeNull();
  });
});
