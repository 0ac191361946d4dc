// test/helpers/tools.ts: in CI a missing checker fails the run instead of skipping its checks.
import { available } from "../helpers/tools";

test("a present tool is available, in CI or not", () => {
  expect(available("x", true)).toBe(true);
});

test("a missing tool fails in CI and is skipped (with a warning) elsewhere", () => {
  const saved = process.env.CI;
  const warn = jest.spyOn(console, "warn").mockImplementation(() => {});
  try {
    process.env.CI = "true";
    expect(() => available("javac", false)).toThrow("javac is missing, and CI runs every check");
    delete process.env.CI;
    expect(available("javac", false)).toBe(false);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("javac not found"));
  } finally {
    if (saved === undefined) delete process.env.CI;
    else process.env.CI = saved;
    warn.mockRestore();
  }
});
