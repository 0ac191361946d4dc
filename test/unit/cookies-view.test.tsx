/** @jest-environment jsdom */
// The cookie section: read on demand through the seam, verdicts per cookie, values masked until revealed,
// Set-Cookie problems shown without reading the jar, and shown only for credentialed exchanges.
import { act, fireEvent, render, screen, within } from "@testing-library/preact";
import { CookieView, toCookieInfo, type CookieReader } from "../../src/panel/CookieView";
import type { RawCookie } from "../../src/platform/panel";
import { API, APP, hop, makeEntry, makeExchange, passing } from "./panel/helpers/fixtures";
import { renderPanel } from "./panel/helpers/render";

const jar: RawCookie[] = [
  { name: "sid", value: "SECRET-SID", domain: "api.example", hostOnly: true, path: "/", secure: true, httpOnly: true, sameSite: "no_restriction", partitionKey: null },
  { name: "pref", value: "SECRET-PREF", domain: "api.example", hostOnly: true, path: "/", secure: false, sameSite: "lax" },
  { name: "adm", value: "SECRET-ADM", domain: "api.example", hostOnly: true, path: "/admin", secure: false, sameSite: "no_restriction" },
  { name: "chip", value: "SECRET-CHIP", domain: "api.example", hostOnly: true, path: "/", secure: true, sameSite: "no_restriction", partitionKey: { topLevelSite: "https://shop.example" } },
];

function fakeReader(cookies: RawCookie[] = jar) {
  const calls: Array<[string, string]> = [];
  const read: CookieReader = async (url, domain) => {
    calls.push([url, domain]);
    return { cookies, topLevelUrl: `${APP}/`, allPartitions: true };
  };
  return { read, calls };
}

async function flush(): Promise<void> {
  await act(async () => { for (let i = 0; i < 5; i++) await Promise.resolve(); });
}

const rows = (el: Element) => [...el.querySelectorAll("table.cookies-table tbody tr")].map((tr) => ({
  name: tr.getAttribute("data-cookie"), reason: tr.getAttribute("data-reason"), certainty: tr.getAttribute("data-certainty"),
  value: tr.querySelectorAll("td")[0]!.textContent,
}));

describe("CookieView", () => {
  test("reads the jar only when asked, then explains each cookie against the recorded Cookie header", async () => {
    const ex = makeExchange({ request: { sentHeaders: { cookie: "sid=SECRET-SID" } } });
    const { read, calls } = fakeReader();
    const { container } = render(<CookieView entry={makeEntry(ex)} reveal={false} read={read} />);
    expect(calls).toEqual([]);
    expect(container.textContent).toMatch(/not at request time/);
    fireEvent.click(screen.getByRole("button", { name: "Read cookies for api.example" }));
    await flush();
    expect(calls).toEqual([[`${API}/data`, "api.example"]]);
    expect(rows(container)).toEqual([
      { name: "adm", reason: "path-mismatch", certainty: "wire", value: "[masked]" },
      { name: "chip", reason: "partitioned-elsewhere", certainty: "wire", value: "[masked]" },
      { name: "pref", reason: "same-site-lax", certainty: "wire", value: "[masked]" },
      { name: "sid", reason: "sent", certainty: "wire", value: "[masked]" },
    ]);
    expect(container.querySelector("[data-third-party]")!.getAttribute("data-third-party")).toBe("likely-allowed");
    expect(container.textContent).not.toMatch(/SECRET-/);
    expect(screen.getByRole("button", { name: "Read again" })).toBeTruthy();
  });

  test("reveal shows the values", async () => {
    const { read } = fakeReader();
    const { container } = render(<CookieView entry={makeEntry(makeExchange())} reveal={true} read={read} />);
    fireEvent.click(screen.getByRole("button", { name: /Read cookies/ }));
    await flush();
    expect(rows(container).map((r) => r.value)).toContain("SECRET-SID");
  });

  test("a None; Secure cookie missing from a cross-site request: likely blocked by third-party settings", async () => {
    const ex = makeExchange({ request: { sentHeaders: { "sec-fetch-site": "cross-site" } } });
    const { read } = fakeReader([jar[0]!]);
    const { container } = render(<CookieView entry={makeEntry(ex)} reveal={false} read={read} />);
    fireEvent.click(screen.getByRole("button", { name: /Read cookies/ }));
    await flush();
    expect(rows(container)).toEqual([{ name: "sid", reason: "third-party-blocked", certainty: "likely", value: "[masked]" }]);
    expect(container.querySelector("[data-third-party]")!.textContent).toMatch(/likely blocked/);
  });

  test("a failed read is reported, not thrown", async () => {
    const read: CookieReader = async () => { throw new Error("no permission"); };
    const { container } = render(<CookieView entry={makeEntry(makeExchange())} reveal={false} read={read} />);
    fireEvent.click(screen.getByRole("button", { name: /Read cookies/ }));
    await flush();
    expect(container.textContent).toMatch(/no permission/);
  });

  test("Set-Cookie problems show before the jar is read, without values", () => {
    const ex = makeExchange({ hops: [hop({ response: { status: 200, headers: { "set-cookie": "sid=SECRET-SET; SameSite=None" } } })] });
    const { container } = render(<CookieView entry={makeEntry(ex)} reveal={false} read={fakeReader().read} />);
    const list = screen.getByRole("list", { name: "Set-Cookie problems" });
    expect(within(list).getAllByRole("listitem").map((li) => li.getAttribute("data-code"))).toEqual(["SameSiteNoneInsecure"]);
    expect(container.textContent).not.toMatch(/SECRET-SET/);
  });

  test("not shown for an uncredentialed exchange without Set-Cookie problems", () => {
    const { container } = render(<CookieView entry={makeEntry(passing())} reveal={false} read={fakeReader().read} />);
    expect(container.textContent).toBe("");
  });

  test("in the detail of a credentialed exchange", () => {
    renderPanel([makeEntry(makeExchange())]);
    const grid = screen.getByRole("grid");
    const row = within(grid).getAllByRole("row").find((r) => r.getAttribute("aria-rowindex") === "2")!;
    fireEvent.click(row);
    const detail = screen.getByRole("region", { name: "Request detail" });
    expect(within(detail).getByRole("region", { name: "Cookies" })).toBeTruthy();
  });

  test("toCookieInfo: untrusted shapes", () => {
    expect(toCookieInfo(null as unknown as RawCookie)).toBeNull();
    expect(toCookieInfo({ name: "a", domain: "x", hostOnly: true, path: "", secure: false, sameSite: "weird" })).toMatchObject({ sameSite: "unspecified", path: "/", partitionKey: null });
  });
});
