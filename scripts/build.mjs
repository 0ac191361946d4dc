// One build for everything: the CLI (node, cjs) and the extension for each browser from one
// base manifest. Usage: node scripts/build.mjs [--target chrome|firefox|all] [--no-cli] [--cli-only] [--out DIR]
// The extension's version is package.json's (one version for the CLI, the manifests and the packages
// that scripts/package.mjs writes).
import { parse } from "acorn";
import { build } from "esbuild";
import { cpSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const targetArg = args.includes("--target") ? args[args.indexOf("--target") + 1] : "all";
const outArg = args.includes("--out") ? args[args.indexOf("--out") + 1] : process.env.CORS_LENS_DIST;
const distDir = outArg ? resolve(process.cwd(), outArg) : join(root, "dist");
const targets = args.includes("--cli-only") ? [] : targetArg === "all" ? ["chrome", "firefox"] : [targetArg];
if (!targets.every((t) => t === "chrome" || t === "firefox")) {
  console.error(`build: unknown --target ${targetArg} (chrome, firefox or all)`);
  process.exit(2);
}
const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
// Chrome takes one to four dot-separated integers (no "-beta.1"); Firefox accepts the same.
if (!/^\d{1,9}(\.\d{1,9}){0,3}$/.test(version)) {
  console.error(`build: package.json version "${version}" is not a valid extension version (1 to 4 dot-separated integers)`);
  process.exit(2);
}

/**
 * The panel is an ES module split in chunks (panel.html loads it with type="module"): the detail's code
 * (src/panel/lazy-detail.ts) is a chunk loaded after the list's first rows, not before them.
 */
const PANEL_ENTRY = "src/panel/index.tsx";

// Extension entry points: output name -> source (one per script the manifest names).
const ENTRIES = {
  background: "src/background/index.ts",
  devtools: "src/devtools/index.ts",
  options: "src/options/index.ts",
  hook: "src/content/hook.ts",
  relay: "src/content/relay.ts",
};

/** The base manifest.json turned into one browser's manifest. */
export function manifestFor(target, base) {
  const m = structuredClone(base);
  delete m.$comment;
  m.background = target === "chrome" ? { service_worker: "background.js" } : { scripts: ["background.js"] };
  if (target === "chrome") {
    // Chrome: the page scripts are registered only where a capture reads them (src/background/hooks.ts),
    // with "scripting"; the base manifest's declaration is what Firefox keeps, and what they are
    // registered as (src/shared/page-scripts.ts: the same files and worlds; test/e2e/package.test.ts checks both manifests).
    delete m.content_scripts;
    m.permissions = [...m.permissions, "scripting"];
  }
  if (target === "firefox") {
    delete m.minimum_chrome_version;
    // data_collection_permissions (required on AMO for new add-ons) is read from Firefox 140 on
    // desktop (also the current ESR) and 142 on Android; a lower minimum is a web-ext lint warning.
    // The other keys we rely on are older: MV3 background scripts 109, storage.session 115,
    // content_scripts "world": "MAIN" 128. Android has no DevTools panels; gecko_android only sets
    // its minimum (whether AMO lists the add-on for Android is chosen on AMO). See docs/firefox.md.
    m.browser_specific_settings = {
      gecko: {
        id: "cors-lens@cors-lens.dev",
        strict_min_version: "140.0",
        data_collection_permissions: { required: ["none"] },
      },
      gecko_android: { strict_min_version: "142.0" },
    };
  }
  return m;
}

// ---- No HTML sinks in the extension bundles ----
//
// Extension pages must never parse HTML strings (AMO's linter flags every `x.innerHTML = value`
// as UNSAFE_VAR_ASSIGNMENT, and it cannot tell library code we never call from our own). Our code
// builds DOM only through Preact's createElement and text nodes. Two bundled libraries contain an
// HTML sink on a path we never take; the plugin below replaces exactly those assignments with a
// throw, at build time, on the AST (acorn), leaving every other byte of the library as published:
//   preact/dist/preact.mjs    diff(): applies the `dangerouslySetInnerHTML` prop, which our
//                             components never pass (checked below for src/).
//   highlight.js/lib/core.js  highlightElement() / highlightAll(): write highlighted HTML into a
//                             DOM element; src/panel/highlight.ts only calls hljs.highlight() and
//                             reads its HTML string back into text tokens.
// The expected count per file makes a library upgrade that moves, adds or removes a sink fail the
// build instead of silently shipping (or silently keeping) one: re-check the new code, then update
// the table. Any other node_modules file that writes innerHTML/outerHTML also fails the build.
const HTML_SINKS = {
  "preact/dist/preact.mjs": 1,
  "highlight.js/lib/core.js": 1,
};
const SINK_PROPS = new Set(["innerHTML", "outerHTML"]);
/** What our own source may never contain (a comment that names these without the syntax is fine). */
const SRC_SINK_RE = /dangerouslySetInnerHTML\s*[=:]|\.(innerHTML|outerHTML)\s*\+?=(?!=)|insertAdjacentHTML\s*\(|document\.write(ln)?\s*\(/;

/** Every assignment to `.innerHTML` / `.outerHTML` (also `["innerHTML"]`) in a parsed program. */
function htmlSinks(ast) {
  const found = [];
  const visit = (node) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node.type !== "string") return;
    if (node.type === "AssignmentExpression" && node.left.type === "MemberExpression") {
      const p = node.left.property;
      const name = node.left.computed ? (p.type === "Literal" ? p.value : null) : p.name;
      if (SINK_PROPS.has(name)) found.push(node);
    }
    for (const key of Object.keys(node)) {
      if (key !== "type" && key !== "start" && key !== "end" && typeof node[key] === "object") visit(node[key]);
    }
  };
  visit(ast);
  return found;
}

function parseAny(code) {
  try {
    return parse(code, { ecmaVersion: "latest", sourceType: "module" });
  } catch {
    return parse(code, { ecmaVersion: "latest", sourceType: "script" });
  }
}

const noHtmlSinks = {
  name: "no-html-sinks",
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/].*\.[cm]?js$/ }, (args) => {
      const code = readFileSync(args.path, "utf8");
      if (!/innerHTML|outerHTML/.test(code)) return undefined;
      const key = args.path.split(sep).join("/").replace(/^.*\/node_modules\//, "");
      const sinks = htmlSinks(parseAny(code));
      const expected = HTML_SINKS[key] ?? 0;
      if (sinks.length !== expected) {
        return { errors: [{ text: `${key}: ${sinks.length} innerHTML/outerHTML assignment(s), expected ${expected}. ` +
          "Review the library's new code and update HTML_SINKS in scripts/build.mjs." }] };
      }
      if (!sinks.length) return undefined;
      let out = code;
      for (const n of [...sinks].sort((a, z) => z.start - a.start)) {
        const msg = JSON.stringify(`cors-lens: ${key} tried to set HTML from a string; this build removes that path (scripts/build.mjs)`);
        out = out.slice(0, n.start) + `(() => { throw new Error(${msg}); })()` + out.slice(n.end);
      }
      return { contents: out, loader: "js" };
    });
    b.onLoad({ filter: /\.tsx?$/ }, (args) => {
      if (!args.path.startsWith(join(root, "src") + sep)) return undefined;
      const m = SRC_SINK_RE.exec(readFileSync(args.path, "utf8"));
      if (!m) return undefined;
      return { errors: [{ text: `${relative(root, args.path)}: "${m[0]}": extension code builds DOM with Preact and text nodes, never from HTML strings.` }] };
    });
  },
};

/**
 * The page hook runs in the page's own world and wraps fetch, XHR and EventSource, so without help
 * DevTools shows hook.js as the initiator of every fetch (Network panel, Console links). DevTools
 * skips frames whose source map puts their source in `x_google_ignoreList`
 * (https://developer.chrome.com/docs/devtools/x-google-ignore-list), as framework dev builds do.
 * The map needs no real mappings: one segment at the start of each generated line, all to the one
 * ignore-listed source, covers every position (about 5 bytes a line, inline so DevTools never has to
 * fetch an extension resource). test/e2e/initiator.test.ts checks it in the real DevTools frontend.
 */
export function withIgnoreListMap(code, source = "cors-lens/hook.js") {
  const lines = code.split("\n").length;
  // "AAAA" = generated column 0, source 0, original line 0, column 0; "AACA" moves one original line on.
  const mappings = ["AAAA", ...Array.from({ length: lines - 1 }, () => "AACA")].join(";");
  const map = { version: 3, file: "hook.js", sources: [source], names: [], mappings, x_google_ignoreList: [0] };
  return `${code.replace(/\n?$/, "\n")}//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString("base64")}\n`;
}

async function buildExtension(target) {
  const out = join(distDir, target);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const common = {
    outdir: out,
    bundle: true,
    target: target === "chrome" ? "chrome120" : "firefox140",
    jsx: "automatic",
    jsxImportSource: "preact",
    legalComments: "none",
    logLevel: "warning",
    plugins: [noHtmlSinks],
  };
  await build({ ...common, entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([k, v]) => [k, join(root, v)])), format: "iife" });
  const panel = await build({
    ...common, entryPoints: { panel: join(root, PANEL_ENTRY) }, absWorkingDir: root, metafile: true,
    format: "esm", splitting: true, chunkNames: "chunks/[name]-[hash]",
  });
  const hook = join(out, "hook.js");
  writeFileSync(hook, withIgnoreListMap(readFileSync(hook, "utf8")));
  cpSync(join(root, "extension"), out, { recursive: true });
  // panel.js imports its shared chunks: preloaded from panel.html, so they load beside panel.js rather
  // than after it (a module's imports are found only once it has loaded).
  const entry = Object.entries(panel.metafile.outputs).find(([, o]) => o.entryPoint === PANEL_ENTRY)?.[1];
  const preload = (entry?.imports ?? []).filter((i) => i.kind === "import-statement")
    .map((i) => `  <link rel="modulepreload" href="${relative(out, join(root, i.path)).split(sep).join("/")}">\n`).join("");
  const html = join(out, "panel.html");
  const page = readFileSync(html, "utf8");
  if (!page.includes('<script type="module" src="panel.js">')) throw new Error("extension/panel.html: no module script panel.js");
  writeFileSync(html, page.replace("</head>", `${preload}</head>`));
  const base = JSON.parse(readFileSync(join(root, "manifest.json"), "utf8"));
  const manifest = { ...manifestFor(target, base), version };
  writeFileSync(join(out, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
  console.log(`build: ${out}`);
}

async function buildCli() {
  const outfile = join(distDir, "cli/cors-lens.cjs");
  const result = await build({
    entryPoints: [join(root, "src/cli/main.ts")],
    outfile,
    write: false,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    banner: { js: "#!/usr/bin/env node" },
    legalComments: "none",
    logLevel: "warning",
  });
  // Written next to the old file, then renamed over it: a test running the CLI while `npm pack`
  // (prepack) rebuilds it never reads a half-written file.
  mkdirSync(dirname(outfile), { recursive: true });
  const tmp = `${outfile}.${process.pid}.tmp`;
  writeFileSync(tmp, result.outputFiles[0].contents, { mode: 0o755 });
  renameSync(tmp, outfile);
  console.log(`build: ${outfile}`);
}

for (const t of targets) await buildExtension(t);
if (!args.includes("--no-cli")) await buildCli();
