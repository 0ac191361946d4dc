// The panel's security audit in headless Chromium with the built extension, against the lab: a lab
// route that reflects any Origin with credentials looks like a correct allow-list from an ordinary
// origin (no finding, the probe command offered quietly) and is suspected when a local page is
// trusted by the public host; a public `*` route shows no audit section. (Confirming a reflection
// is the CLI probe's job.)
import type { Page } from "puppeteer-core";
import { startLab, type Lab } from "../lab/server";
import { launchWithExtension, snapshot, tabIdOf, waitFor, type ExtensionSession } from "./extension";

let lab: Lab;
let s: ExtensionSession;
let app: Page;
let panel: Page;
let tabId: number;
let local: Page;
let localPanel: Page;
let APP: string;
const RUN = Date.now().toString(36);

beforeAll(async () => {
  lab = await startLab();
  APP = lab.origin("app.example");
  const hv = (h: Array<[string, string]>, n: string) => h.find(([k]) => k.toLowerCase() === n)?.[1];
  lab.route(`/reflect-${RUN}`, (req) => ({
    status: 200,
    headers: { "access-control-allow-origin": hv(req.headers, "origin") ?? "", "access-control-allow-credentials": "true", vary: "Origin", "content-type": "application/json" },
    body: "{}",
  }));
  lab.route(`/public-${RUN}`, { status: 200, headers: { "access-control-allow-origin": "*", "content-type": "application/json" }, body: "{}" });
  s = await launchWithExtension();
  app = await s.browser.newPage();
  await app.goto(`${APP}/page.html?audit=${RUN}`);
  tabId = await tabIdOf(s.control, app);
  panel = await s.browser.newPage();
  await panel.setViewport({ width: 1280, height: 800 });
  await panel.goto(`chrome-extension://${s.extensionId}/panel.html?tabId=${tabId}`);
  await panel.waitForSelector('[role="grid"]');
  await waitFor("full capture", async () => (await snapshot(s.control, tabId)).captureLevel === "full", 20000);
  const fetched = await app.evaluate(async (a: string, b: string) => {
    const one = (u: string, credentials: RequestCredentials) => fetch(u, { credentials }).then((r) => `ok ${r.status}`, (e: Error) => `error ${e.name}`);
    return [await one(a, "include"), await one(b, "omit")];
  }, lab.origin("api.example") + `/reflect-${RUN}`, lab.origin("api.example") + `/public-${RUN}`);
  expect(fetched).toEqual(["ok 200", "ok 200"]);
  // The same route called from a page on localhost (a dev page, always captured).
  local = await s.browser.newPage();
  await local.goto(`${lab.origin("localhost")}/page.html?audit=${RUN}`);
  const localTab = await tabIdOf(s.control, local);
  localPanel = await s.browser.newPage();
  await localPanel.goto(`chrome-extension://${s.extensionId}/panel.html?tabId=${localTab}`);
  await localPanel.waitForSelector('[role="grid"]');
  expect(await local.evaluate((u: string) => fetch(u, { credentials: "include" }).then((r) => `ok ${r.status}`, (e: Error) => `error ${e.name}`),
    lab.origin("api.example") + `/reflect-${RUN}`)).toBe("ok 200");
}, 120000);

afterAll(async () => {
  await s?.cleanup();
  await lab?.close();
});

async function open(path: string, p0: Page = panel): Promise<void> {
  const panel = p0;
  await panel.bringToFront(); // input goes to the page in front (a background page's click never lands)
  const id = await waitFor(`row for ${path}`, () => panel.evaluate((p: string) => {
    const row = [...document.querySelectorAll(".grid-rows > [role=row]")].find((r) => r.querySelector(".c-url .path")?.textContent === p);
    return row?.id || null;
  }, path), 20000);
  await panel.click(`#${id}`);
  await panel.waitForFunction((p: string) => document.querySelector(".detail-title")?.textContent?.includes(p), { timeout: 20000 }, path);
}

interface AuditDom { heading: string | null; findings: Array<{ id: string | null; severity: string; title: string; suspected: string | null; evidence: string }> }

function readAudit(p: Page = panel): Promise<AuditDom> {
  return p.evaluate(() => {
    const section = document.querySelector("section.audit");
    return {
      heading: section?.querySelector("h3")?.textContent ?? null,
      findings: [...(section?.querySelectorAll("li.audit-finding") ?? [])].map((li) => ({
        id: li.getAttribute("data-finding"),
        severity: li.querySelector(".audit-sev")?.textContent ?? "",
        title: li.querySelector(".audit-title")?.textContent ?? "",
        suspected: li.querySelector(".audit-suspected")?.textContent ?? null,
        evidence: li.querySelector(".audit-evidence")?.textContent ?? "",
      })),
    };
  });
}

describe("the security audit in the panel (Chromium)", () => {
  test("a credentialed route reflecting an ordinary origin: no finding (an allow-list looks the same), the probe offered quietly", async () => {
    await open(`/reflect-${RUN}`);
    await panel.waitForSelector("[data-audit=probe] pre", { timeout: 20000 });
    expect((await readAudit()).heading).toBeNull();
    expect(await panel.$eval("[data-audit=probe] pre", (e) => e.textContent))
      .toBe(`cors-lens probe '${lab.origin("api.example")}/reflect-${RUN}' --origin '${APP}' --credentials --audit`);
  }, 60000);

  test("the same route trusting a local page with credentials: the suspected finding, with the probe as a block", async () => {
    await open(`/reflect-${RUN}`, localPanel);
    await localPanel.waitForSelector("section.audit li.audit-finding", { timeout: 20000 });
    const dom = await readAudit(localPanel);
    expect(dom.heading).toBe("Security audit (1)");
    expect(dom.findings).toEqual([{
      id: "origin-reflected", severity: "Low", title: "The origin may be reflected with credentials", suspected: "suspected",
      evidence: `Evidence access-control-allow-origin: ${lab.origin("localhost")} (response)`,
    }]);
    expect(await localPanel.$eval("section.audit .command pre", (e) => e.textContent)).toContain("--credentials --audit");
  }, 60000);

  test("a public * route without credentials: no audit section", async () => {
    await open(`/public-${RUN}`);
    expect((await readAudit()).heading).toBeNull();
  }, 60000);
});
