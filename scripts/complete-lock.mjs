// The npm registry reachable here serves only some platforms' builds of jest 30's native resolver
// (unrs-resolver), so `npm install` leaves the other platforms' optional packages out of
// package-lock.json, and `npm ci` then refuses the lock. This adds them the way a lock made against
// the full registry has them: optional, limited to their os/cpu/libc, never installed elsewhere.
// Run after any lock refresh: node scripts/complete-lock.mjs
import { readFileSync, writeFileSync } from "node:fs";

const path = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(path, "utf8"));
const pkgs = lock.packages;
const OS = { android: "android", darwin: "darwin", freebsd: "freebsd", linux: "linux", openharmony: "openharmony", win32: "win32", wasm32: null };
let added = 0;
for (const [key, meta] of Object.entries(pkgs)) {
  for (const [dep, version] of Object.entries(meta.optionalDependencies ?? {})) {
    const at = `node_modules/${dep}`;
    if (pkgs[at] || !dep.startsWith("@unrs/resolver-binding-")) continue;
    const parts = dep.replace("@unrs/resolver-binding-", "").split("-");
    const os = OS[parts[0]];
    const entry = { version, dev: meta.dev ?? true, optional: true };
    if (os) entry.os = [os];
    const cpu = parts[0] === "wasm32" ? "wasm32" : parts[1];
    entry.cpu = [cpu === "arm" ? "arm" : cpu];
    if (parts[0] === "linux") entry.libc = [/musl/.test(parts[2] ?? "") ? "musl" : "glibc"];
    pkgs[at] = entry;
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(pkgs).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : a > b ? 1 : 0)));
writeFileSync(path, JSON.stringify(lock, null, 2) + "\n");
console.log(`complete-lock: added ${added} optional platform entries`);
