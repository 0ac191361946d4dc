// One build for everything: the CLI (node, cjs) and the extension for each browser from one
// base manifest. Usage: node scripts/build.mjs [--target chrome|firefox|all] [--no-cli]
import { build } from "esbuild";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const targetArg = args.includes("--target") ? args[args.indexOf("--target") + 1] : "all";
const outArg = args.includes("--out") ? args[args.indexOf("--out") + 1] : process.env.CORS_LENS_DIST;
const distDir = outArg ? resolve(process.cwd(), outArg) : join(root, "dist");
const targets = targetArg === "all" ? ["chrome", "firefox"] : [targetArg];
if (!targets.every((t) => t === "chrome" || t === "firefox")) {
  console.error(`build: unknown --target ${targetArg} (chrome, firefox or all)`);
  process.exit(2);
}

// Extension entry points: output name -> source. Only those that exist in this revision are
// listed in the manifest (see manifestFor).
const ENTRIES = {
  background: "src/background/index.ts",
  devtools: "src/devtools/index.ts",
  panel: "src/panel/index.tsx",
  hook: "src/content/hook.ts",
  relay: "src/content/relay.ts",
};

function present() {
  return Object.fromEntries(Object.entries(ENTRIES).filter(([, src]) => existsSync(join(root, src))));
}

/** The base manifest.json turned into one browser's manifest. */
export function manifestFor(target, base, entries) {
  const m = structuredClone(base);
  delete m.$comment;
  if (entries.background) {
    m.background = target === "chrome"
      ? { service_worker: "background.js" }
      : { scripts: ["background.js"] };
  }
  if (!entries.devtools) delete m.devtools_page;
  if (!entries.hook || !entries.relay) delete m.content_scripts;
  if (target === "firefox") {
    delete m.minimum_chrome_version;
    m.browser_specific_settings = {
      gecko: {
        id: "cors-lens@cors-lens.dev",
        strict_min_version: "128.0",
        data_collection_permissions: { required: ["none"] },
      },
    };
  }
  return m;
}

async function buildExtension(target) {
  const out = join(distDir, target);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const entries = present();
  if (Object.keys(entries).length) {
    await build({
      entryPoints: Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, join(root, v)])),
      outdir: out,
      bundle: true,
      format: "iife",
      target: target === "chrome" ? "chrome120" : "firefox128",
      jsx: "automatic",
      jsxImportSource: "preact",
      define: { __TARGET__: JSON.stringify(target) },
      legalComments: "none",
      logLevel: "warning",
    });
  }
  cpSync(join(root, "extension"), out, { recursive: true });
  const base = JSON.parse(readFileSync(join(root, "manifest.json"), "utf8"));
  writeFileSync(join(out, "manifest.json"), JSON.stringify(manifestFor(target, base, entries), null, 2) + "\n");
  console.log(`build: ${out} (${Object.keys(entries).join(", ") || "static files only"})`);
}

async function buildCli() {
  await build({
    entryPoints: [join(root, "src/cli/main.ts")],
    outfile: join(distDir, "cli/cors-lens.cjs"),
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    banner: { js: "#!/usr/bin/env node" },
    legalComments: "none",
    logLevel: "warning",
  });
  console.log(`build: ${join(distDir, "cli/cors-lens.cjs")}`);
}

for (const t of targets) await buildExtension(t);
if (!args.includes("--no-cli") && existsSync(join(root, "src/cli/main.ts"))) await buildCli();
