/** @jest-environment jsdom */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { act, fireEvent, render, screen, within } from "@testing-library/preact";
import { App } from "../../../src/panel/App";
import { readQuery } from "../../../src/panel/index";
import { BACKOFF } from "../../../src/panel/connection";
import { MSG } from "../../../src/shared/protocol";
import { fakePlatform } from "./helpers/fake-platform";
import { blockedPreflight, makeEntry, passing, snapshot, wildcardWithCredentials, wire } from "./helpers/fixtures";
import { renderPanel } from "./helpers/render";

const rowCount = () => within(screen.getByRole("grid")).getAllByRole("row").length - 1;

test("reconnects after the port disconnects, says HELLO again, and the new snapshot replaces the list", () => {
  const { platform, clock } = renderPanel([makeEntry(blockedPreflight("a")), makeEntry(passing("b"))]);
  expect(rowCount()).toBe(2);
  expect(platform.port.posted).toEqual([{ type: MSG.HELLO, tabId: 7 }]);
  act(() => platform.port.drop());
  expect(screen.getByRole("status").textContent).toBe("Reconnecting…");
  // The list stays while reconnecting.
  expect(rowCount()).toBe(2);
  act(() => clock.advance(BACKOFF.first));
  expect(platform.ports).toHaveLength(2);
  expect(platform.port.posted).toEqual([{ type: MSG.HELLO, tabId: 7 }]);
  act(() => platform.port.emit(wire(snapshot([makeEntry(wildcardWithCredentials("c"))]))));
  expect(rowCount()).toBe(1);
  expect(screen.queryByText("Reconnecting…")).toBeNull();
});

test("a selection survives a reconnect when its entry is still there", () => {
  const a = makeEntry(blockedPreflight("a"));
  const { platform, clock } = renderPanel([a, makeEntry(passing("b"))]);
  fireEvent.click(within(screen.getByRole("grid")).getAllByRole("row")[1]!);
  act(() => platform.port.drop());
  act(() => clock.advance(BACKOFF.first));
  act(() => platform.port.emit(wire(snapshot([a]))));
  expect(screen.getByRole("region", { name: "Request detail" })).toBeTruthy();
});

test("the capture-gap bar offers Reload and capture", () => {
  const { platform } = renderPanel([], { snapshot: { captureLevel: "count", suspected: 3 } });
  const bar = screen.getByText(/CORS Lens was not capturing this tab fully: 3 cross-origin failures were seen but not recorded\./);
  fireEvent.click(within(bar.parentElement!).getByRole("button", { name: "Reload and capture" }));
  expect(platform.port.posted).toContainEqual({ type: MSG.RELOAD_AND_CAPTURE });
  act(() => platform.port.emit(wire({ type: MSG.NAVIGATED, page: 2, url: "https://app.example/" })));
  expect(screen.queryByText(/not capturing this tab fully/)).toBeNull();
});

test("no bar when capture was full and nothing was missed", () => {
  renderPanel([]);
  expect(screen.queryByText(/not capturing this tab fully/)).toBeNull();
  expect(screen.getByText(/No cross-origin requests recorded yet/)).toBeTruthy();
});

test("Preserve log, Always capture on <site> and Clear send their messages", () => {
  const { platform } = renderPanel([makeEntry(passing("a"))], { snapshot: { site: "app.example" } });
  fireEvent.click(screen.getByRole("checkbox", { name: "Preserve log" }));
  expect(platform.port.posted).toContainEqual({ type: MSG.SET_PRESERVE, on: true });
  expect((screen.getByRole("checkbox", { name: "Preserve log" }) as HTMLInputElement).checked).toBe(true);
  fireEvent.click(screen.getByRole("checkbox", { name: "Always capture on app.example" }));
  expect(platform.port.posted).toContainEqual({ type: MSG.SET_ALWAYS_CAPTURE, site: "app.example", on: true });
  fireEvent.click(screen.getByRole("button", { name: "Clear" }));
  expect(platform.port.posted).toContainEqual({ type: MSG.CLEAR });
  expect(screen.getByTestId("counts").textContent).toBe("0 requests · 0 blocked · 0 dropped");
});

test("no Always capture toggle without a site", () => {
  renderPanel([], { snapshot: { site: null } });
  expect(screen.queryByRole("checkbox", { name: /Always capture/ })).toBeNull();
});

test("every control has an accessible name", () => {
  renderPanel([makeEntry(blockedPreflight())]);
  fireEvent.click(within(screen.getByRole("grid")).getAllByRole("row")[1]!);
  for (const role of ["button", "checkbox", "searchbox", "combobox", "link", "grid"] as const) {
    expect(screen.queryAllByRole(role).length).toBeGreaterThan(0);
    expect(screen.queryAllByRole(role, { name: (n) => n.trim() === "" })).toEqual([]);
  }
});

test("theme: DevTools' dark theme, or ?theme=dark", () => {
  const dark = render(<App platform={fakePlatform({ theme: "dark" })} tabId={7} />);
  expect(dark.container.querySelector(".app")!.getAttribute("data-theme")).toBe("dark");
  expect(document.documentElement.dataset.theme).toBe("dark");
  dark.unmount();
  const light = render(<App platform={fakePlatform({ theme: "default" })} tabId={7} />);
  expect(light.container.querySelector(".app")!.getAttribute("data-theme")).toBe("light");
  light.unmount();
  const forced = render(<App platform={fakePlatform({ theme: "default" })} tabId={7} theme="dark" />);
  expect(forced.container.querySelector(".app")!.getAttribute("data-theme")).toBe("dark");
});

test("readQuery: tabId and theme from the panel URL", () => {
  expect(readQuery("?tabId=12&theme=dark")).toEqual({ tabId: 12, theme: "dark" });
  expect(readQuery("?tabId=-1")).toEqual({ tabId: null, theme: null });
  expect(readQuery("?tabId=1e3&theme=<b>")).toEqual({ tabId: null, theme: null });
  expect(readQuery("")).toEqual({ tabId: null, theme: null });
});

test("without a tab id the panel says how to open it and connects nowhere", () => {
  const platform = fakePlatform();
  render(<App platform={platform} tabId={null} />);
  expect(platform.ports).toHaveLength(0);
  expect(screen.getByText(/Open this panel from DevTools/)).toBeTruthy();
});

test("the devtools page creates the CORS panel for the inspected tab", () => {
  const create = jest.fn();
  const g = globalThis as { chrome?: unknown };
  g.chrome = { runtime: { id: "abc" }, devtools: { panels: { create }, inspectedWindow: { tabId: 42 } } };
  try {
    jest.isolateModules(() => { require("../../../src/devtools/index"); });
    expect(create).toHaveBeenCalledWith("CORS", "icons/icon-32.png", "panel.html?tabId=42");
  } finally {
    delete g.chrome;
  }
});

test("the static pages load their scripts (no inline script, for the extension CSP)", () => {
  const root = join(__dirname, "../../../extension");
  const panel = readFileSync(join(root, "panel.html"), "utf8");
  const devtools = readFileSync(join(root, "devtools.html"), "utf8");
  expect(panel).toContain('<script type="module" src="panel.js"></script>');
  expect(panel).toContain('<link rel="stylesheet" href="panel.css">');
  expect(devtools).toContain('<script src="devtools.js"></script>');
  for (const html of [panel, devtools]) expect(html).not.toMatch(/<script>(?!<)/);
});
