// The panel page's entry: panel.html?tabId=N[&theme=dark]. The devtools page passes the inspected
// tab; the same URL opened in a normal tab works the same (the e2e tests use that).
import { render } from "preact";
import { isTabId } from "../shared/protocol";
import { App, type Theme } from "./App";
import { createBrowserPanelPlatform } from "../platform/panel";

export function readQuery(search: string): { tabId: number | null; theme: Theme | null } {
  const q = new URLSearchParams(search);
  const raw = q.get("tabId");
  const n = raw !== null && /^\d+$/.test(raw) ? Number(raw) : NaN;
  const t = q.get("theme");
  return { tabId: isTabId(n) ? n : null, theme: t === "dark" || t === "light" ? t : null };
}

const root = typeof document !== "undefined" ? document.getElementById("app") : null;
if (root) {
  const { tabId, theme } = readQuery(location.search);
  render(<App platform={createBrowserPanelPlatform()} tabId={tabId} theme={theme} />, root);
}
