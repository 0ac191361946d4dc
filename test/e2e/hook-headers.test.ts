// The page hook reports the script's headers as the browser read them, for every way a script sets
// them: after a failed preflight webRequest shows no header of the actual request at all (Chromium
// 156), so these values exist only through the hook. Each call's row must carry the script's own
// value of X-Csrf-Token; a sequence of pairs is not recorded (its value stays unknown: "").
import type { Page } from "puppeteer-core";
import { startLab, type Lab } from "../lab/server";
import { launchWithExtension, snapshot, tabIdOf, waitFor, type ExtensionSession } from "./extension";

let lab: Lab;
let s: ExtensionSession;
let page: Page;

beforeAll(async () => {
  lab = await startLab();
  s = await launchWithExtension();
  page = await s.browser.newPage();
  // A dev default site (*.test): captured without a panel.
  await page.goto(`${lab.origin("app.test")}/page.html?hook-headers`);
}, 60_000);

afterAll(async () => {
  await s?.cleanup();
  await lab?.close();
});

test("plain object, Headers, Request and XHR: the script's header values reach the row; pairs stay unknown", async () => {
  const app = lab.origin("app.test");
  const kinds = ["object", "headers", "request", "pairs", "xhr"] as const;
  const urls: Record<string, string> = {};
  for (const k of kinds) {
    const key = `hookhdr-${k}-${Date.now().toString(36)}`;
    urls[k] = lab.hopUrl(key, 0, "api.example");
    // The preflight allows the origin but no header: HeaderDisallowedByPreflightResponse, the request never goes out.
    lab.register(key, { hops: [{ url: urls[k]!, preflight: { status: 204, headers: { "access-control-allow-origin": app, "access-control-allow-methods": "POST" } },
      response: { status: 200, headers: { "access-control-allow-origin": app } } }] });
  }
  const seen = await page.evaluate(async (u: Record<string, string>) => {
    const out: string[] = [];
    const done = (p: Promise<unknown>) => p.then(() => "ok", (e) => String(e));
    out.push(await done(fetch(u.object!, { method: "POST", body: "x", headers: { "X-Csrf-Token": "t-object" } })));
    out.push(await done(fetch(u.headers!, { method: "POST", body: "x", headers: new Headers({ "X-Csrf-Token": "t-headers" }) })));
    out.push(await done(fetch(new Request(u.request!, { method: "POST", body: "x", headers: { "X-Csrf-Token": "t-request" } }))));
    out.push(await done(fetch(u.pairs!, { method: "POST", body: "x", headers: [["X-Csrf-Token", "t-pairs"]] })));
    out.push(await new Promise<string>((resolve) => {
      const x = new XMLHttpRequest();
      x.open("POST", u.xhr!);
      x.setRequestHeader("X-Csrf-Token", "t-xhr");
      x.onload = () => resolve("ok");
      x.onerror = () => resolve("error");
      x.send("x");
    }));
    return out;
  }, urls);
  expect(seen.every((r) => r !== "ok")).toBe(true); // every one blocked at its preflight
  const tab = await tabIdOf(s.control, page);
  const rows = await waitFor("five annotated rows", async () => {
    const snap = await snapshot(s.control, tab);
    const mine = kinds.map((k) => snap.entries.find((e) => e.exchange.request.url === urls[k]));
    return mine.every((e) => e?.annotated) ? mine : null;
  }, 15_000);
  expect(rows.map((e) => [e!.diagnosis.code, e!.diagnosis.failedParameter])).toEqual(kinds.map(() => ["HeaderDisallowedByPreflightResponse", "x-csrf-token"]));
  expect(rows.map((e) => e!.exchange.request.headers["x-csrf-token"])).toEqual(["t-object", "t-headers", "t-request", "", "t-xhr"]);
});
