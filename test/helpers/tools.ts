// The external tools some tests check against (python3, javac, nginx, openssl, the built CLI). In CI
// (CI=true, as .ci/run runs) a missing one fails the run: a check never skips silently there. On a
// developer's machine its checks are skipped, and the test output says which.

const said = new Set<string>();

/** Whether `tool` may be used; throws in CI when it is missing. */
export function available(tool: string, present: boolean): boolean {
  if (present) return true;
  if (process.env.CI === "true") throw new Error(`${tool} is missing, and CI runs every check: .ci/run must install it`);
  if (!said.has(tool)) {
    said.add(tool);
    console.warn(`${tool} not found: its checks are skipped on this machine (CI fails instead)`);
  }
  return false;
}
