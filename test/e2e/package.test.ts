// The packages a user installs, from this checkout:
// - `npm run package` (scripts/package.mjs): the Chrome Web Store zip and the Firefox .xpi, checked
//   by the script itself (manifest version = package.json's, icons, `web-ext lint` 0/0/0, the zip
//   loads in headless Chromium); here the .xpi is also installed in real Firefox ESR.
// - the CLI as npm publishes it: `npm pack` (prepack builds the CLI), installed offline into a fresh
//   directory, then `npx cors-lens explain` on a bundled example.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { launch } from "puppeteer-core";
import { PAGE_SCRIPTS } from "../../src/shared/page-scripts";
import { FIREFOX_PATH, requireFirefox } from "./helpers/firefox";

const ROOT = resolve(__dirname, "../..");
const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };

interface Manifest {
  version: string;
  permissions?: string[];
  content_scripts?: Array<{ js: string[]; world?: string; matches: string[]; run_at?: string; all_frames?: boolean; match_about_blank?: boolean }>;
}

interface PackageReport {
  version: string;
  packages: Record<"chrome" | "firefox", { path: string; bytes: number; files: string[]; manifest: Manifest }>;
  lint: { errors: number; warnings: number; notices: number; messages: string[] };
  chromeLoad: { version?: string; extensionId?: string; error?: string };
  problems: string[];
}

describe("npm run package: the store packages", () => {
  let tmp: string;
  let report: PackageReport;
  let status: number | null;
  let output: string;

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), "cors-lens-pkg-test-"));
    const r = spawnSync(process.execPath, [join(ROOT, "scripts/package.mjs"), "--dist", join(tmp, "dist"), "--report", join(tmp, "report.json")],
      { cwd: ROOT, encoding: "utf8", timeout: 240_000 });
    status = r.status;
    output = `${r.stdout}\n${r.stderr}`;
    report = JSON.parse(readFileSync(join(tmp, "report.json"), "utf8")) as PackageReport;
  }, 300_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  test("the script passes its own checks", () => {
    expect({ status, problems: report.problems }).toEqual({ status: 0, problems: [] });
    expect(output).toContain("package: ok");
  });

  test("web-ext lint: 0 errors, 0 warnings, 0 notices", () => {
    expect(report.lint).toMatchObject({ errors: 0, warnings: 0, notices: 0, messages: [] });
  });

  test("the Chrome zip loads in headless Chromium with package.json's version", () => {
    expect(report.chromeLoad.error).toBeUndefined();
    expect(report.chromeLoad.version).toBe(version);
    expect(report.chromeLoad.extensionId).toMatch(/^[a-p]{32}$/);
  });

  test("both packages hold every script the manifest names and nothing from the sources", () => {
    for (const target of ["chrome", "firefox"] as const) {
      const p = report.packages[target];
      expect(p.manifest.version).toBe(version);
      expect(p.files).toEqual(expect.arrayContaining(["manifest.json", "background.js", "hook.js", "relay.js", "panel.js", "devtools.js", "icons/icon-128.png"]));
      expect(p.files.filter((f) => /\.(map|ts|tsx)$/.test(f))).toEqual([]);
    }
  });

  test("the page scripts: Chrome registers them itself (scripting, no content_scripts); Firefox declares the same files in the same worlds for every page", () => {
    const chrome = report.packages.chrome.manifest;
    expect(chrome.content_scripts).toBeUndefined();
    expect(chrome.permissions).toContain("scripting");
    const firefox = report.packages.firefox.manifest;
    expect(firefox.permissions).not.toContain("scripting");
    expect(firefox.content_scripts!.map((c) => [c.js, c.world ?? "ISOLATED"]).sort())
      .toEqual(PAGE_SCRIPTS.map((x) => [[x.file], x.world]).sort());
    for (const c of firefox.content_scripts!) {
      expect(c).toMatchObject({ matches: ["<all_urls>"], run_at: "document_start", all_frames: true, match_about_blank: true });
    }
  });

  test("the .xpi installs in Firefox ESR under its gecko id", async () => {
    requireFirefox();
    const manifest = JSON.parse(readFileSync(join(tmp, "dist/firefox/manifest.json"), "utf8")) as {
      browser_specific_settings: { gecko: { id: string } };
    };
    const browser = await launch({ browser: "firefox", protocol: "webDriverBiDi", executablePath: FIREFOX_PATH, headless: true,
      env: { ...process.env, MOZ_CRASHREPORTER_DISABLE: "1" } });
    try {
      expect(await browser.installExtension(report.packages.firefox.path)).toBe(manifest.browser_specific_settings.gecko.id);
    } finally {
      await browser.close();
    }
  }, 120_000);
});

describe("the CLI as npm publishes it", () => {
  let tmp: string;
  beforeAll(() => { tmp = mkdtempSync(join(tmpdir(), "cors-lens-npm-test-")); });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  test("npm pack, install offline in a fresh directory, npx cors-lens explain", () => {
    const npm = (args: string[], cwd: string) => {
      const r = spawnSync("npm", args, { cwd, encoding: "utf8", timeout: 180_000, env: { ...process.env, NO_UPDATE_NOTIFIER: "1" } });
      if (r.status !== 0) throw new Error(`npm ${args.join(" ")} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
      return r.stdout;
    };
    // prepack's build prints its own lines before npm's JSON.
    const packOut = npm(["pack", "--json", "--pack-destination", tmp], ROOT);
    const [packed] = JSON.parse(packOut.slice(packOut.search(/^\[/m))) as [{ filename: string; files: Array<{ path: string }> }];
    // Only what the command needs: one bundled file, with no runtime dependencies to fetch.
    expect(packed.files.map((f) => f.path).sort()).toEqual(["README.md", "dist/cli/cors-lens.cjs", "package.json"]);
    const app = join(tmp, "app");
    mkdirSync(app);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "fresh-app", version: "1.0.0", private: true }));
    npm(["install", "--offline", "--no-audit", "--no-fund", join(tmp, packed.filename)], app);
    expect(readdirSync(join(app, "node_modules")).filter((d) => !d.startsWith("."))).toEqual(["cors-lens"]);

    const example = join(ROOT, "examples/chrome-missing-allow-credentials.har");
    const r = spawnSync("npx", ["--offline", "--no", "--", "cors-lens", "explain", example, "--json"], { cwd: app, encoding: "utf8", timeout: 60_000 });
    expect(r.stderr).toBe("");
    // One blocked request: exit 1, Chromium's verdict and the per-engine verdicts in the JSON.
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout) as { diagnoses: Array<{ code: string; engines: { chrome: { blocked: boolean } } }> } | Array<{ code: string }>;
    const diagnoses = Array.isArray(out) ? out : out.diagnoses;
    expect(diagnoses.map((d) => d.code)).toEqual(["InvalidAllowCredentials"]);

    const v = spawnSync("npx", ["--offline", "--no", "--", "cors-lens", "--version"], { cwd: app, encoding: "utf8" });
    expect(v.stdout.trim()).toContain(version);
  }, 300_000);
});
