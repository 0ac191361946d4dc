// Preflighted requests: the preflight's ACAO/ACAC, its status, Location, Allow-Methods,
// Allow-Headers and Max-Age; then the actual response after a passing preflight.
import type { ResponseRecord } from "../../src/core/types";
import { ACAC, ACAH, ACAM, ACAO, AMA, cors, H, type Kit, type Line, lines, okPreflight, okRes, res, type Scenario } from "./kit";
import { ACAC_VARIANTS, ACAO_VARIANTS } from "./origin";

const PUT = { method: "PUT", body: "x" };

/** A PUT whose preflight answers `preflight`, and whose actual response passes. */
function putWith(name: string, group: string, preflight: (k: Kit) => ResponseRecord | null, extra: Partial<Scenario> = {}): Scenario {
  return {
    name,
    group,
    request: PUT,
    hops: (k) => [{ url: k.url(0), preflight: preflight(k), response: okRes(k) }],
    ...extra,
  };
}

const PREFLIGHT_ACAO = new Set([
  "exact", "wildcard", "missing", "empty", "two-lines-same", "two-lines-different", "comma-list", "space-list",
  "null", "mixed-case", "trailing-slash", "other-origin", "no-scheme", "quoted", "padded-spaces", "double-star",
  "long-garbage", "name-lower",
]);
const PREFLIGHT_ACAC = new Set(["true", "missing", "TRUE", "quoted", "false", "empty", "two-lines-true", "padded"]);

const methodCases: Array<[string, string, string | string[] | null]> = [
  // [case, script method, ACAM]
  ["PUT/PUT", "PUT", "PUT"],
  ["PUT/put", "PUT", "put"],
  ["PUT/Put", "PUT", "Put"],
  ["PUT/GET-POST", "PUT", "GET, POST"],
  ["PUT/wildcard", "PUT", "*"],
  ["PUT/missing", "PUT", null],
  ["PUT/empty", "PUT", ""],
  ["PUT/padded", "PUT", "   PUT   "],
  ["PUT/no-space-list", "PUT", "GET,PUT"],
  ["PUT/two-lines", "PUT", ["GET", "PUT"]],
  ["PUT/two-lines-without", "PUT", ["GET", "POST"]],
  ["PUT/trailing-comma", "PUT", "PUT,"],
  ["PUT/leading-comma", "PUT", ",PUT"],
  ["PUT/empty-item", "PUT", "GET, , PUT"],
  ["PUT/space-separated", "PUT", "GET PUT"],
  ["PUT/semicolon", "PUT", "PUT;"],
  ["PUT/bad-token", "PUT", "P(T"],
  ["PUT/wildcard-and-PUT", "PUT", "PUT, *"],
  ["PUT/quoted", "PUT", '"PUT"'],
  ["put-script/PUT", "put", "PUT"],
  ["DELETE/DELETE", "DELETE", "DELETE"],
  ["delete-script/delete", "delete", "delete"],
  ["DELETE/PUT", "DELETE", "PUT"],
  ["PATCH/PATCH", "PATCH", "PATCH"],
  ["PATCH/patch", "PATCH", "patch"],
  ["patch/PATCH", "patch", "PATCH"],
  ["patch/patch", "patch", "patch"],
  ["patch/wildcard", "patch", "*"],
  ["patch/missing", "patch", null],
  ["chicken/chicken", "chicken", "chicken"],
  ["chicken/CHICKEN", "chicken", "CHICKEN"],
  ["CHICKEN/chicken", "CHICKEN", "chicken"],
  ["chicken/wildcard", "chicken", "*"],
  ["OPTIONS/OPTIONS", "OPTIONS", "OPTIONS"],
  ["options-script/OPTIONS", "options", "OPTIONS"],
  ["PUT/long-list", "PUT", Array.from({ length: 200 }, (_, i) => `M${i}`).join(", ") + ", PUT"],
];

const headerCases: Array<[string, Record<string, string>, string | string[] | null]> = [
  // [case, script headers, ACAH]
  ["custom/exact", { "X-Custom": "1" }, "X-Custom"],
  ["custom/lower", { "X-Custom": "1" }, "x-custom"],
  ["custom/upper", { "X-Custom": "1" }, "X-CUSTOM"],
  ["custom/wildcard", { "X-Custom": "1" }, "*"],
  ["custom/missing", { "X-Custom": "1" }, null],
  // Which header Chromium names when several are not allowed: the script's order, or sorted?
  ["order/zeta-then-alpha-none-allowed", { "X-Zeta": "1", "X-Alpha": "1" }, null],
  ["order/alpha-then-zeta-none-allowed", { "X-Alpha": "1", "X-Zeta": "1" }, null],
  ["order/zeta-mid-alpha-only-mid-allowed", { "X-Zeta": "1", "X-Mid": "1", "X-Alpha": "1" }, "x-mid"],
  ["order/long-accept-then-custom", { "Accept": "a".repeat(200), "X-Custom": "1" }, null],
  ["order/custom-then-long-accept", { "X-Custom": "1", "Accept": "a".repeat(200) }, "x-custom"],
  ["custom/empty", { "X-Custom": "1" }, ""],
  ["custom/other", { "X-Custom": "1" }, "X-Other"],
  ["custom/list", { "X-Custom": "1" }, "X-Other, X-Custom"],
  ["custom/two-lines", { "X-Custom": "1" }, ["X-Other", "X-Custom"]],
  ["custom/odd-whitespace", { "X-Custom": "1" }, "  x-other ,   x-custom  "],
  ["custom/trailing-comma", { "X-Custom": "1" }, "x-custom,"],
  ["custom/empty-item", { "X-Custom": "1" }, "x-other, , x-custom"],
  ["custom/space-separated", { "X-Custom": "1" }, "X-Other X-Custom"],
  ["custom/bad-token", { "X-Custom": "1" }, "X(Custom"],
  ["custom/semicolon", { "X-Custom": "1" }, "x-custom;"],
  ["custom/wildcard-and-name", { "X-Custom": "1" }, "*, X-Custom"],
  ["custom/empty-value", { "X-Custom": "" }, "X-Custom"],
  ["custom/long-value", { "X-Custom": "v".repeat(8000) }, "X-Custom"],
  ["custom/long-list", { "X-Custom": "1" }, Array.from({ length: 300 }, (_, i) => `X-H${i}`).join(", ") + ", X-Custom"],
  ["two/first-only", { "X-A": "1", "X-B": "2" }, "X-A"],
  ["two/second-only", { "X-A": "1", "X-B": "2" }, "X-B"],
  ["two/both-reversed", { "X-A": "1", "X-B": "2" }, "x-b, x-a"],
  ["authorization/wildcard", { Authorization: "Bearer t" }, "*"],
  ["authorization/named", { Authorization: "Bearer t" }, "authorization"],
  ["authorization/wildcard-and-named", { Authorization: "Bearer t" }, "*, Authorization"],
  ["authorization/missing", { Authorization: "Bearer t" }, null],
  ["content-type/json-missing", { "Content-Type": "application/json" }, null],
  ["content-type/json-named", { "Content-Type": "application/json" }, "Content-Type"],
  ["content-type/json-wildcard", { "Content-Type": "application/json" }, "*"],
  ["content-type/text-plain", { "Content-Type": "text/plain" }, null],
  ["content-type/text-plain-charset", { "Content-Type": "text/plain; charset=utf-8" }, null],
  ["content-type/text-plain-quoted-param", { "Content-Type": 'text/plain; x="a"' }, null],
  ["content-type/multipart", { "Content-Type": "multipart/form-data; boundary=x" }, null],
  ["content-type/urlencoded-upper", { "Content-Type": "APPLICATION/X-WWW-FORM-URLENCODED" }, null],
  ["accept/short", { Accept: "application/json" }, null],
  ["accept/long", { Accept: "a/" + "b".repeat(200) }, null],
  ["accept/long-named", { Accept: "a/" + "b".repeat(200) }, "accept"],
  ["accept-language/plain", { "Accept-Language": "en-US,en;q=0.9" }, null],
  ["content-language/unsafe", { "Content-Language": "de@x" }, null],
  ["range/simple", { Range: "bytes=0-10" }, null],
  ["range/open-ended", { Range: "bytes=5-" }, null],
  ["range/suffix", { Range: "bytes=-5" }, null],
  ["range/reversed", { Range: "bytes=10-5" }, null],
  ["range/multiple", { Range: "bytes=0-1,3-4" }, null],
  ["range/suffix-named", { Range: "bytes=-5" }, "range"],
  ["safelisted-and-custom/only-custom", { Accept: "text/plain", "X-Custom": "1" }, "x-custom"],
];

export const preflightScenarios: Scenario[] = [
  // The preflight's access check, with a passing actual response behind it.
  ...ACAO_VARIANTS.filter(([label]) => PREFLIGHT_ACAO.has(label)).map(([label, acao]) =>
    putWith(`preflight-acao/${label}`, "preflight-acao", (k) => res(204, H(...acao(k), [ACAC, "true"], [ACAM, "PUT"]))),
  ),
  ...ACAC_VARIANTS.filter(([label]) => PREFLIGHT_ACAC.has(label)).map(([label, acac]) =>
    putWith(`preflight-acac/${label}`, "preflight-acac", (k) => res(204, H([ACAO, k.origin], ...acac, [ACAM, "PUT"]))),
  ),
  putWith("preflight-acac/wildcard-without-acac", "preflight-acac", () => res(204, H([ACAO, "*"], [ACAM, "PUT"]))),
  // Preflight passes, actual response fails.
  {
    name: "preflight-then-actual/actual-missing-acao",
    group: "preflight-then-actual",
    request: PUT,
    hops: (k) => [{ url: k.url(0), preflight: okPreflight(k), response: res(200, H(["Content-Type", "text/plain"])) }],
  },
  {
    name: "preflight-then-actual/actual-wildcard",
    group: "preflight-then-actual",
    request: PUT,
    hops: (k) => [{ url: k.url(0), preflight: okPreflight(k), response: res(200, H([ACAO, "*"])) }],
  },
  {
    name: "preflight-then-actual/actual-missing-acac",
    group: "preflight-then-actual",
    request: PUT,
    hops: (k) => [{ url: k.url(0), preflight: okPreflight(k), response: res(200, H([ACAO, k.origin])) }],
  },
  {
    name: "preflight-then-actual/actual-500",
    group: "preflight-then-actual",
    request: PUT,
    hops: (k) => [{ url: k.url(0), preflight: okPreflight(k), response: okRes(k, 500) }],
  },
  {
    name: "preflight-then-actual/preflight-wildcard-actual-exact",
    group: "preflight-then-actual",
    request: PUT,
    hops: (k) => [{ url: k.url(0), preflight: res(204, H([ACAO, "*"], [ACAM, "PUT"])), response: okRes(k) }],
  },
  // Preflight status, with and without CORS headers: the access check runs first.
  ...[200, 201, 204, 299, 300, 301, 302, 303, 304, 307, 308, 400, 401, 403, 404, 405, 500, 503].flatMap((status): Scenario[] => {
    const location = (k: Kit): Line[] => (status >= 300 && status < 400 && status !== 304 ? [["Location", k.url(1)]] : []);
    return [
      putWith(`preflight-status/${status}-with-cors`, "preflight-status", (k) =>
        res(status, cors(k, { acam: "PUT", extra: location(k) })),
      ),
      putWith(`preflight-status/${status}-without-cors`, "preflight-status", (k) => res(status, H(...location(k)))),
    ];
  }),
  putWith("preflight-status/302-without-location", "preflight-status", (k) => res(302, cors(k, { acam: "PUT" }))),
  putWith("preflight-status/401-wildcard", "preflight-status", () => res(401, H([ACAO, "*"], [ACAM, "PUT"]))),
  putWith("preflight-status/404-no-preflight-record", "preflight-status", () => null),
  putWith("preflight-status/500-missing-acac", "preflight-status", (k) => res(500, H([ACAO, k.origin], [ACAM, "PUT"]))),
  // Methods.
  ...methodCases.map(([label, method, acam]): Scenario => ({
    name: `methods/${label}`,
    group: "methods",
    request: { method, body: method.toUpperCase() === "GET" || method.toUpperCase() === "HEAD" ? undefined : "x" },
    hops: (k) => [{ url: k.url(0), preflight: res(204, H([ACAO, k.origin], [ACAC, "true"], ...lines(ACAM, acam))), response: okRes(k) }],
  })),
  {
    name: "methods/GET-with-custom-header-no-acam",
    group: "methods",
    request: { headers: { "X-Custom": "1" } },
    hops: (k) => [{ url: k.url(0), preflight: res(204, cors(k, { acah: "X-Custom" })), response: okRes(k) }],
  },
  {
    name: "methods/POST-json-acam-PUT",
    group: "methods",
    request: { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" },
    hops: (k) => [{ url: k.url(0), preflight: res(204, cors(k, { acam: "PUT", acah: "content-type" })), response: okRes(k) }],
  },
  {
    name: "methods/HEAD-with-custom-header-empty-acam",
    group: "methods",
    request: { method: "HEAD", headers: { "X-Custom": "1" } },
    hops: (k) => [{ url: k.url(0), preflight: res(204, cors(k, { acam: "", acah: "x-custom" })), response: okRes(k) }],
  },
  {
    name: "methods/bad-acam-but-GET",
    group: "methods",
    request: { headers: { "X-Custom": "1" } },
    hops: (k) => [{ url: k.url(0), preflight: res(204, cors(k, { acam: "P(T", acah: "x-custom" })), response: okRes(k) }],
  },
  {
    name: "methods/bad-acam-and-disallowed-header",
    group: "methods",
    request: { method: "PUT", headers: { "X-Custom": "1" }, body: "x" },
    hops: (k) => [{ url: k.url(0), preflight: res(204, cors(k, { acam: "P(T", acah: "x-other" })), response: okRes(k) }],
  },
  {
    name: "methods/good-acam-bad-acah-method-disallowed",
    group: "methods",
    request: { method: "PUT", headers: { "X-Custom": "1" }, body: "x" },
    hops: (k) => [{ url: k.url(0), preflight: res(204, cors(k, { acam: "DELETE", acah: "X(Custom" })), response: okRes(k) }],
  },
  {
    name: "methods/method-and-header-disallowed",
    group: "methods",
    request: { method: "PUT", headers: { "X-Custom": "1" }, body: "x" },
    hops: (k) => [{ url: k.url(0), preflight: res(204, cors(k, { acam: "DELETE", acah: "x-other" })), response: okRes(k) }],
  },
  // Request headers.
  ...headerCases.map(([label, headers, acah]): Scenario => ({
    name: `headers/${label}`,
    group: "headers",
    request: { method: "POST", headers, body: "x" },
    hops: (k) => [{ url: k.url(0), preflight: res(204, H([ACAO, k.origin], [ACAC, "true"], ...lines(ACAH, acah))), response: okRes(k) }],
  })),
  // Max-Age never changes the verdict of a first request.
  ...["0", "5", "600", "86400", "-1", "abc", ""].map((maxAge): Scenario =>
    putWith(`max-age/${maxAge === "" ? "empty" : maxAge}`, "max-age", (k) => res(204, cors(k, { acam: "PUT", maxAge }))),
  ),
  {
    name: "max-age/two-lines",
    group: "max-age",
    request: PUT,
    hops: (k) => [{ url: k.url(0), preflight: res(204, H([ACAO, k.origin], [ACAC, "true"], [ACAM, "PUT"], [AMA, "10"], [AMA, "20"])), response: okRes(k) }],
  },
];
