// https://fetch.spec.whatwg.org/#http-redirect-fetch step 12, shared by diagnose, the probe, the
// exports, the audit and the background's correlation.
import { afterRedirect, redirectMethod } from "../../src/core/fetch";

test("301 and 302 turn only POST into GET", () => {
  for (const s of [301, 302]) {
    expect(redirectMethod("POST", s)).toBe("GET");
    expect(redirectMethod("PUT", s)).toBe("PUT");
    expect(redirectMethod("GET", s)).toBe("GET");
  }
});

test("303 turns everything but GET and HEAD into GET", () => {
  expect(redirectMethod("PUT", 303)).toBe("GET");
  expect(redirectMethod("DELETE", 303)).toBe("GET");
  expect(redirectMethod("HEAD", 303)).toBe("HEAD");
  expect(redirectMethod("GET", 303)).toBe("GET");
});

test("307 and 308 keep the method", () => {
  expect(redirectMethod("POST", 307)).toBe("POST");
  expect(redirectMethod("PATCH", 308)).toBe("PATCH");
});

test("the body headers go only when the method changes; the others stay", () => {
  const h = { "Content-Type": "application/json", "content-language": "en", "x-token": "1" };
  expect(afterRedirect("POST", h, 302)).toEqual({ method: "GET", headers: { "x-token": "1" } });
  const kept = afterRedirect("POST", h, 307);
  expect(kept).toEqual({ method: "POST", headers: h });
});
