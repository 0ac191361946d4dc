// The panel's security audit in headless Chromium with the built extension, against the lab: a lab
// route that reflects any Origin with credentials shows the suspected "origin-reflected" finding; a
// public `*` route shows no audit section. (Confirming a reflection is the CLI probe's job.)
import type { Page } from "puppeteer-core";
import { startLab, type Lab } from "../lab/server";
import { launchWithExtension, snapshot, tabIdOf, waitFor, type ExtensionSession } from "./extension";

let lab: Lab;
let s: ExtensionSession;
let app: Page;
let panel: Page;
let tabId: number;
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
}, 120000);

afterAll(async () => {
  await s?.cleanup();
  await lab?.close();
});

async function open(path: string): Promise<void> {
  const id = await waitFor(`row for ${path}`, () => panel.evaluate((p: string) => {
    const row = [...document.querySelectorAll(".grid-rows > [role=row]")].find((r) => r.querySelector(".c-url .path")?.textContent === p);
    return row?.id || null;
  }, path), 20000);
  await panel.click(`#${id}`);
  await panel.waitForFunction((p: string) => document.querySelector(".detail-title")?.textContent?.includes(p), { timeout: 20000 }, path);
}

interface AuditDom { heading: string | null; findings: Array<{ id: string | null; severity: string; title: string; suspected: string | null; evidence: string }> }

function readAudit(): Promise<AuditDom> {
  return panel.evaluate(() => {
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
  test("a credentialed route reflecting the origin: the suspected finding", async () => {
    await open(`/reflect-${RUN}`);
    await panel.waitForSelector("section.audit li.audit-finding", { timeout: 20000 });
    const dom = await readAudit();
    expect(dom.heading).toBe("Security audit (1)");
    expect(dom.findings).toEqual([{
      id: "origin-reflected", severity: "Low", title: "The origin may be reflected with credentials", suspected: "suspected",
      evidence: `Evidence access-control-allow-origin: ${APP} (response)`,
    }]);
  }, 60000);

  test("a public * route without credentials: no audit section", async () => {
    await open(`/public-${RUN}`);
    expect((await readAudit()).heading).toBeNull();
  }, 60000);
});
