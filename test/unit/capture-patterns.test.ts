// src/shared/sites.ts: capture patterns (host names, "*." sub-domain patterns, bracketed IPv6), not HTML sites.
import {
  capturePatternMatches, DEFAULT_CAPTURE_PATTERNS, readCapturePattern,
} from "../../src/shared/sites";

describe("capture patterns", () => {
  test("read: host names, *. patterns and bracketed IPv6, lower-cased; anything else refused", () => {
    expect(readCapturePattern(" App.Example.COM ")).toBe("app.example.com");
    expect(readCapturePattern("*.test")).toBe("*.test");
    expect(readCapturePattern("[::1]")).toBe("[::1]");
    for (const bad of ["", "*.", "https://x.com", "a b", "x.com/path", 42, null]) expect(readCapturePattern(bad)).toBeNull();
  });
  test("match: exact host, or strictly below a *. pattern; no Public Suffix List involved", () => {
    expect(capturePatternMatches("*.github.io", "me.github.io")).toBe(true);
    expect(capturePatternMatches("*.test", "test")).toBe(false);
    expect(capturePatternMatches("localhost", "localhost")).toBe(true);
    expect(capturePatternMatches("localhost", "api.localhost")).toBe(false);
    expect(DEFAULT_CAPTURE_PATTERNS.some((p) => capturePatternMatches(p, "shop.test"))).toBe(true);
  });
});
