// fix.notes: 1–3 sentences per code that say what changed and why, plus stage and warning notes.
import { generate } from "../../../src/core/fix";
import { codeNotes, crossOriginRedirect, oneLine, preflightLocation, stageNotes, warningNotes } from "../../../src/core/fix/notes";
import { computePolicy } from "../../../src/core/fix/policy";
import type { Diagnosis, Exchange } from "../../../src/core/types";
import { makeDiagnosis, makeExchange } from "./helpers/fixtures";

function notesFor(d: Diagnosis, x: Exchange = makeExchange()): string[] {
  return codeNotes(d, x, computePolicy(d, x));
}

const sentences = (ns: string[]) => ns.join(" ").split(/(?<=[.!?])\s+(?=[A-Z])/).length;

describe("codeNotes: one short explanation per code family", () => {
  it.each([
    ["MissingAllowOriginHeader", /had no Access-Control-Allow-Origin header[\s\S]*every response, error statuses included/],
    ["PreflightMissingAllowOriginHeader", /OPTIONS preflight response had no Access-Control-Allow-Origin/],
    ["WildcardOriginNotAllowed", /\* is never accepted for a credentialed request[\s\S]*explicit allowlist[\s\S]*reflecting any origin/],
    ["PreflightWildcardOriginNotAllowed", /failed on the OPTIONS preflight response/],
    ["AllowOriginMismatch", /allowed https:\/\/other\.example, but the page's origin is https:\/\/app\.example/],
    ["InvalidAllowOriginValue", /https:\/\/other\.example on the response is not a valid origin value/],
    ["MultipleAllowOriginValues", /two layers[\s\S]*both add the header[\s\S]*remove it from the other/],
    ["InvalidAllowCredentials", /must be exactly true, in lower case; it was https:\/\/other\.example/],
    ["PreflightInvalidStatus", /never carries cookies[\s\S]*204[\s\S]*before authentication/],
    ["PreflightDisallowedRedirect", /never follows a redirect for a preflight[\s\S]*serve OPTIONS at this URL/],
    ["MethodDisallowedByPreflightResponse", /did not include PUT[\s\S]*\* does not count with credentials/],
    ["HeaderDisallowedByPreflightResponse", /did not include x-token[\s\S]*\(x-token\)/],
    ["InvalidAllowMethodsPreflightResponse", /Access-Control-Allow-Methods is not a valid/],
    ["InvalidAllowHeadersPreflightResponse", /Access-Control-Allow-Headers is not a valid/],
    ["RedirectContainsCredentials", /user:password@[\s\S]*Remove the userinfo/],
    ["DisallowedByMode", /fix is on the client, not the server/],
    ["CorsDisabledScheme", /fix is on the client, not the server[\s\S]*http\(s\)/],
    ["InvalidResponse", /no valid HTTP response/],
    ["PreflightMissingAllowPrivateNetwork", /Access-Control-Allow-Private-Network: true/],
    ["SomethingBrandNew", /Unrecognized CORS error SomethingBrandNew/],
  ])("%s", (code, re) => {
    const failedParameter = code.startsWith("Method") ? "PUT" : code.startsWith("Header") ? "x-token" : "";
    const ns = notesFor(makeDiagnosis({ code, received: "https://other.example", failedParameter }));
    expect(ns.join(" ")).toMatch(re);
    expect(sentences(ns)).toBeLessThanOrEqual(3);
    expect(ns.join(" ")).not.toMatch(/\n/);
  });
  it("explains a lower-case custom method (matched case-sensitively)", () => {
    const d = makeDiagnosis({ code: "MethodDisallowedByPreflightResponse", failedParameter: "patch" });
    expect(notesFor(d, makeExchange({ request: { method: "patch" } })).join(" ")).toMatch(/patch is sent and matched as written, so have the page send PATCH/);
    expect(notesFor(d).join(" ")).not.toMatch(/matched as written/);
  });
  it("names where the preflight was redirected", () => {
    const x = makeExchange({ hops: [{ url: "https://api.example/x", preflight: { status: 301, headers: { location: "/x/" } }, response: null }] });
    expect(notesFor(makeDiagnosis({ code: "PreflightDisallowedRedirect" }), x)[0]).toContain("to https://api.example/x/");
  });
  it("gives the preflight status for PreflightInvalidStatus", () => {
    const x = makeExchange({ hops: [{ url: "https://api.example/x", preflight: { status: 401, headers: {} }, response: null }] });
    expect(notesFor(makeDiagnosis({ code: "PreflightInvalidStatus" }), x)[0]).toContain("(status 401)");
  });
  it("when nothing was blocked, says the config is the correct setup", () => {
    const ns = notesFor(makeDiagnosis({ blocked: false, code: null, stage: null }));
    expect(ns).toEqual([expect.stringMatching(/^Nothing was blocked\. .*explicit origin allowlist.*Vary: Origin, and credentials\.$/)]);
  });
  it("a network error is reported as what it is", () => {
    const ns = notesFor(makeDiagnosis({ code: null, networkError: "net::ERR_NAME_NOT_RESOLVED" }));
    expect(ns).toEqual([expect.stringMatching(/network error \(net::ERR_NAME_NOT_RESOLVED\), not a CORS check/)]);
  });
  it("shows a hostile received value quoted, on one line", () => {
    const ns = notesFor(makeDiagnosis({ code: "AllowOriginMismatch", received: "https://x\n<script>" }));
    expect(ns[0]).toContain('"https://x\\n<script>"');
  });
});

describe("stageNotes", () => {
  const redirected = makeExchange({
    hops: [
      { url: "https://api.example/x", preflight: null, response: { status: 302, headers: { location: "https://cdn.example/x" } } },
      { url: "https://cdn.example/x", preflight: null, response: { status: 200, headers: {} } },
    ],
  });
  it("a failing redirect response needs the headers too", () => {
    const d = makeDiagnosis({ stage: "redirect", code: "MissingAllowOriginHeader", hop: 0 });
    expect(stageNotes(d, redirected, computePolicy(d, redirected)).join(" ")).toMatch(/redirect must pass the CORS check itself/);
  });
  it("after a cross-origin redirect: Origin is null, call the final URL instead", () => {
    const d = makeDiagnosis({ stage: "actual", code: "AllowOriginMismatch", hop: 1 });
    expect(crossOriginRedirect(d, redirected)).toEqual({ finalUrl: "https://cdn.example/x" });
    expect(stageNotes(d, redirected, computePolicy(d, redirected)).join(" ")).toMatch(/Origin: null\. Don't allowlist null/);
  });
  it("the mismatch note names the null Origin the browser sent, not the page's origin", () => {
    const d = makeDiagnosis({ stage: "actual", code: "AllowOriginMismatch", hop: 1, received: "https://app.example", expected: "null" });
    const text = codeNotes(d, redirected, computePolicy(d, redirected)).join(" ");
    expect(text).toMatch(/sent Origin: null/);
    expect(text).not.toMatch(/but the page's origin is/);
  });
  it("nothing extra for a plain preflight failure", () => {
    const d = makeDiagnosis();
    expect(stageNotes(d, makeExchange(), computePolicy(d, makeExchange()))).toEqual([]);
    expect(crossOriginRedirect(d, makeExchange())).toBeNull();
  });
  it("preflightLocation ignores non-http redirect targets", () => {
    const x = makeExchange({ hops: [{ url: "https://api.example/x", preflight: { status: 302, headers: { location: "javascript:alert(1)" } }, response: null }] });
    expect(preflightLocation(makeDiagnosis({ code: "PreflightDisallowedRedirect" }), x)).toBeNull();
  });
});

describe("warningNotes", () => {
  const w = (code: string) => ({ code, header: null, message: `message for ${code}` });
  it.each([
    ["MissingVaryOrigin", /Vary: Origin is sent/],
    ["ExposeHeadersWildcardWithCredentials", /Expose-Headers: \* is a literal name/],
    ["AllowHeadersWildcardWithCredentials", /Allow-Headers: \* counts only without credentials/],
    ["AllowMethodsWildcardWithCredentials", /Allow-Methods: \* counts only without credentials/],
    ["MaxAgeAboveCap", /caps Access-Control-Max-Age at 7200 s.*uses 600/],
    ["SomeOtherWarning", /^Also: message for SomeOtherWarning$/],
  ])("%s", (code, re) => {
    const d = makeDiagnosis({ warnings: [w(code), w(code)] });
    const ns = warningNotes(d, computePolicy(d, makeExchange()));
    expect(ns).toHaveLength(1);
    expect(ns[0]).toMatch(re);
  });
  it("names the exposed headers when the response listed some", () => {
    const d = makeDiagnosis({ warnings: [w("ExposeHeadersWildcardWithCredentials")] });
    const x = makeExchange({ hops: [{ url: "https://api.example/x", preflight: null, response: { status: 200, headers: { "access-control-expose-headers": "*, etag" } } }] });
    expect(warningNotes(d, computePolicy(d, x))[0]).toMatch(/by name \(etag\)/);
  });
  it("are part of generate()'s notes", () => {
    expect(generate("express", makeDiagnosis({ warnings: [w("MaxAgeAboveCap")] }), makeExchange()).notes.join(" ")).toMatch(/7200/);
  });
  it("oneLine flattens and shortens", () => {
    expect(oneLine("a\nb\u2028c", 10)).toBe("a b c");
    expect(oneLine("x".repeat(30), 10)).toBe("x".repeat(10) + "…");
  });
});
