/** @jest-environment jsdom */
// The panel's security audit section (src/panel/AuditView.tsx), alone and inside the detail.
import { fireEvent, render, screen, within } from "@testing-library/preact";
import { AuditView, findingsOf } from "../../../src/panel/AuditView";
import type { Entry } from "../../../src/shared/protocol";
import { APP, hop, makeEntry, makeExchange, okHeaders, passing, wildcardWithCredentials } from "./helpers/fixtures";
import { renderPanel } from "./helpers/render";

function openDetail(index = 0): HTMLElement {
  const rows = within(screen.getByRole("grid")).getAllByRole("row").filter((r) => r.getAttribute("aria-rowindex") !== "1");
  fireEvent.click(rows[index]!);
  return screen.getByRole("region", { name: "Request detail" });
}

function view(entry: Entry, onCopy: (text: string) => void = () => {}) {
  return render(<AuditView entry={entry} findings={findingsOf(entry)} onCopy={onCopy} />);
}

describe("AuditView", () => {
  test("a credentialed response naming the exact origin: no finding (a good allow-list looks the same), the probe offered quietly, copyable", () => {
    const copied: string[] = [];
    const { container } = view(makeEntry(makeExchange()), (t) => copied.push(t));
    expect(screen.queryByRole("region", { name: /Security audit/ })).toBeNull();
    expect(container.querySelector("[data-audit=probe] pre")!.textContent).toBe("cors-lens probe 'https://api.example/data' --origin 'https://app.example' --credentials --audit");
    fireEvent.click(screen.getByRole("button", { name: "Copy command" }));
    expect(copied).toEqual(["cors-lens probe 'https://api.example/data' --origin 'https://app.example' --credentials --audit"]);
  });

  test("a local page trusted with credentials by a public API: the suspected finding with severity, evidence, fix and the probe as a block", () => {
    const LOCAL = "http://localhost:5173";
    const ex = makeExchange({ request: { origin: LOCAL }, hops: [hop({ response: { status: 200, headers: okHeaders({ "access-control-allow-origin": LOCAL }) } })] });
    view(makeEntry(ex));
    const items = within(screen.getByRole("region", { name: /Security audit/ })).getAllByRole("listitem");
    const li = items.find((x) => x.getAttribute("data-finding") === "origin-reflected")!;
    expect(li.querySelector(".audit-sev")!.textContent).toBe("Low");
    expect(li.querySelector(".audit-title")!.textContent).toBe("The origin may be reflected with credentials");
    expect(li.querySelector(".audit-suspected")!.textContent).toBe("suspected");
    expect(li.querySelector(".audit-evidence")!.textContent).toBe(`Evidence access-control-allow-origin: ${LOCAL} (response)`);
    expect(li.querySelector(".audit-fix")!.textContent).toContain("exact list of trusted origins");
    expect(li.querySelector(".command pre")!.textContent).toBe(`cors-lens probe 'https://api.example/data' --origin '${LOCAL}' --credentials --audit`);
    // Backticks in the core's prose are inline code, not literal backticks.
    expect(li.querySelector(".audit-fix code")!.textContent).toBe("cors-lens explain --stack NAME");
    expect(li.querySelector(".audit-fix")!.textContent).not.toContain("`");
  });

  test("a blocked request is not headed 'This works'", () => {
    view(makeEntry(wildcardWithCredentials()));
    const intro = screen.getByRole("region", { name: /Security audit/ }).querySelector(".audit-intro")!.textContent!;
    expect(intro).not.toContain("This works");
    expect(intro).toContain("Beyond the block");
  });

  test("nothing to report: no section at all", () => {
    const { container } = view(makeEntry(passing()));
    expect(container.innerHTML).toBe("");
  });

  test("high first; a confirmed finding has no suspected marker; hops are named", () => {
    const ex = makeExchange({
      hops: [
        hop({ url: "https://api.example/a", response: { status: 302, headers: { "access-control-allow-origin": "null", "access-control-allow-credentials": "true", vary: "Origin", location: "https://cdn.example/b" } } }),
        hop({ url: "https://cdn.example/b", response: { status: 200, headers: { "access-control-allow-origin": "*", "cache-control": "private" } } }),
      ],
    });
    view(makeEntry(ex));
    const items = within(screen.getByRole("region", { name: "Security audit (2)" })).getAllByRole("listitem");
    expect(items.map((li) => [li.getAttribute("data-finding"), li.querySelector(".audit-sev")!.textContent])).toEqual([["null-origin", "High"], ["wildcard-private", "Medium"]]);
    expect(items[0]!.querySelector(".audit-suspected")).toBeNull();
    expect(items[1]!.querySelector(".audit-evidence")!.textContent).toBe("Evidence cache-control: private (response, hop 2 of 2)");
  });

  test("hostile values are text, and cookies never appear", () => {
    const markup = `http://x"><img src=x onerror="window.__pwned=1">`;
    const ex = makeExchange({ hops: [hop({ response: { status: 200, headers: okHeaders({ "access-control-allow-origin": markup }) } })] });
    const { container } = view(makeEntry(ex));
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
