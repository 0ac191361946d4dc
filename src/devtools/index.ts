// The devtools page: adds the "CORS" panel for the inspected tab (Chrome and Firefox), and holds the
// tab's full capture for as long as DevTools is open on it, whichever panel is shown: Chrome runs
// the devtools_page when DevTools opens, but a panel's own page only when its tab is first
// selected, so a developer who reproduces a failure on the Console and then opens "CORS" would
// otherwise find it "seen but not recorded". Closing DevTools closes this page and its port.
// The panel page reads the tab from its query, so panel.html?tabId=N also works in a normal tab.
import { createBrowserPanelPlatform, createDevtoolsPanel, inspectedTabId } from "../platform/panel";
import { holdTab } from "../shared/hold";

const tabId = inspectedTabId();
if (tabId !== null) {
  createDevtoolsPanel("CORS", "icons/icon-32.png", `panel.html?tabId=${encodeURIComponent(String(tabId))}`);
  holdTab(createBrowserPanelPlatform(), tabId);
}
