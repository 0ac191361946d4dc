// The devtools page: adds the "CORS" panel for the inspected tab (Chrome and Firefox).
// The panel page reads the tab from its query, so panel.html?tabId=N also works in a normal tab.
import { createDevtoolsPanel, inspectedTabId } from "../panel/platform";

const tabId = inspectedTabId();
if (tabId !== null) {
  createDevtoolsPanel("CORS", "icons/icon-32.png", `panel.html?tabId=${encodeURIComponent(String(tabId))}`);
}
