// Jest transform: TypeScript 7 has no JS compiler API (so no ts-jest); esbuild strips types,
// and `npm run typecheck` (tsc 7) does the checking.
const { transformSync } = require("esbuild");
module.exports = {
  process(src, filename) {
    const loader = filename.endsWith(".tsx") ? "tsx" : filename.endsWith(".ts") ? "ts" : "js";
    const out = transformSync(src, {
      loader, format: "cjs", target: "node20", sourcemap: "inline", sourcefile: filename,
      jsx: "automatic", jsxImportSource: "preact",
      // In src/, import() as a require() in a promise: Jest's CommonJS modules cannot run a real one
      // without --experimental-vm-modules (src/panel/lazy-detail.ts loads the panel's detail chunk so).
      // Not in tests: their import()s run inside the browser (page.evaluate callbacks are serialized).
      ...(/[\\/]src[\\/]/.test(filename) ? { supported: { "dynamic-import": false } } : {}),
    });
    return { code: out.code };
  },
};
