// Access-Control-Allow-Origin and Access-Control-Allow-Credentials on a simple (unpreflighted)
// GET, and the same values on a preflight.
import { ACAC, ACAO, cors, H, type Kit, type Line, lines, okRes, res, type Scenario } from "./kit";

/** ACAO variants: label -> the ACAO lines (or raw lines) for this run. */
export const ACAO_VARIANTS: Array<[string, (k: Kit) => Line[]]> = [
  ["exact", (k) => lines(ACAO, k.origin)],
  ["wildcard", () => lines(ACAO, "*")],
  ["missing", () => []],
  ["empty", () => lines(ACAO, "")],
  ["two-lines-same", (k) => lines(ACAO, [k.origin, k.origin])],
  ["two-lines-different", (k) => lines(ACAO, [k.origin, k.other])],
  ["two-lines-wildcard", () => lines(ACAO, ["*", "*"])],
  ["wildcard-then-origin", (k) => lines(ACAO, ["*", k.origin])],
  ["line-then-empty-line", (k) => lines(ACAO, [k.origin, ""])],
  ["name-case-twins", (k) => [[ACAO, k.origin], [ACAO.toLowerCase(), k.origin]]],
  ["comma-list", (k) => lines(ACAO, `${k.origin}, ${k.other}`)],
  ["comma-no-space", (k) => lines(ACAO, `${k.origin},${k.other}`)],
  ["space-list", (k) => lines(ACAO, `${k.origin} ${k.other}`)],
  ["trailing-comma", (k) => lines(ACAO, `${k.origin},`)],
  ["null", () => lines(ACAO, "null")],
  ["NULL", () => lines(ACAO, "NULL")],
  ["scheme-upper", (k) => lines(ACAO, k.origin.replace(/^http:/, "HTTP:"))],
  ["mixed-case", (k) => lines(ACAO, k.origin.replace(/^http:\/\/app/, "Http://App"))],
  ["host-upper", (k) => lines(ACAO, k.origin.replace("app.example", "APP.EXAMPLE"))],
  ["trailing-slash", (k) => lines(ACAO, `${k.origin}/`)],
  ["with-path", (k) => lines(ACAO, `${k.origin}/page.html`)],
  ["no-port", () => lines(ACAO, "http://app.example")],
  ["port-80", () => lines(ACAO, "http://app.example:80")],
  ["https", (k) => lines(ACAO, k.origin.replace(/^http:/, "https:"))],
  ["other-origin", (k) => lines(ACAO, k.other)],
  ["target-origin", (k) => lines(ACAO, k.api)],
  ["no-scheme", (k) => lines(ACAO, k.origin.replace(/^http:\/\//, ""))],
  ["quoted", (k) => lines(ACAO, `"${k.origin}"`)],
  ["padded-spaces", (k) => lines(ACAO, `   ${k.origin}   `)],
  ["padded-tabs", (k) => lines(ACAO, `\t${k.origin}\t`)],
  ["double-star", () => lines(ACAO, "**")],
  ["star-subdomain", (k) => lines(ACAO, `http://*.example:${k.port}`)],
  ["userinfo", (k) => lines(ACAO, k.origin.replace("://", "://user@"))],
  ["semicolon", (k) => lines(ACAO, `${k.origin};`)],
  ["opaque-url", () => lines(ACAO, "foo:bar")],
  ["file-url", () => lines(ACAO, "file://")],
  ["long-garbage", () => lines(ACAO, "x".repeat(4096))],
  ["long-path", (k) => lines(ACAO, `${k.origin}/${"a".repeat(4000)}`)],
  ["name-lower", (k) => [[ACAO.toLowerCase(), k.origin]]],
  ["name-upper", (k) => [[ACAO.toUpperCase(), k.origin]]],
];

/** ACAC variants, with a matching ACAO. */
export const ACAC_VARIANTS: Array<[string, Line[]]> = [
  ["true", lines(ACAC, "true")],
  ["missing", []],
  ["TRUE", lines(ACAC, "TRUE")],
  ["True", lines(ACAC, "True")],
  ["quoted", lines(ACAC, '"true"')],
  ["one", lines(ACAC, "1")],
  ["false", lines(ACAC, "false")],
  ["empty", lines(ACAC, "")],
  ["padded", lines(ACAC, "   true   ")],
  ["two-lines-true", lines(ACAC, ["true", "true"])],
  ["two-lines-true-false", lines(ACAC, ["true", "false"])],
  ["comma-list", lines(ACAC, "true, true")],
  ["semicolon", lines(ACAC, "true;")],
  ["yes", lines(ACAC, "yes")],
  ["truee", lines(ACAC, "truee")],
  ["name-lower", [[ACAC.toLowerCase(), "true"]]],
  ["name-upper", [[ACAC.toUpperCase(), "true"]]],
];

export const originScenarios: Scenario[] = [
  // ACAO on a simple GET, with ACAC: true so that only ACAO decides in include mode.
  ...ACAO_VARIANTS.map(([label, acao]): Scenario => ({
    name: `acao/${label}`,
    group: "acao",
    xhr: true,
    hops: (k) => [{ url: k.url(0), preflight: null, response: res(200, H(...acao(k), [ACAC, "true"], ["Content-Type", "text/plain"])) }],
  })),
  // ACAC with a matching ACAO.
  ...ACAC_VARIANTS.map(([label, acac]): Scenario => ({
    name: `acac/${label}`,
    group: "acac",
    xhr: true,
    hops: (k) => [{ url: k.url(0), preflight: null, response: res(200, H([ACAO, k.origin], ...acac)) }],
  })),
  {
    name: "acac/wildcard-without-acac",
    group: "acac",
    xhr: true,
    hops: (k) => [{ url: k.url(0), preflight: null, response: res(200, H([ACAO, "*"])) }],
  },
  {
    name: "acac/wildcard-acac-false",
    group: "acac",
    hops: (k) => [{ url: k.url(0), preflight: null, response: res(200, H([ACAO, "*"], [ACAC, "false"])) }],
  },
  {
    name: "acac/mismatch-and-bad-acac",
    group: "acac",
    hops: (k) => [{ url: k.url(0), preflight: null, response: res(200, H([ACAO, k.other], [ACAC, "TRUE"])) }],
  },
  // The status of the actual response is never checked; its CORS headers are.
  ...[201, 204, 302, 304, 400, 404, 500, 503].flatMap((status): Scenario[] => [
    {
      name: `status/${status}-with-cors`,
      group: "status",
      hops: (k) => [{ url: k.url(0), preflight: null, response: res(status, cors(k)) }],
    },
    {
      name: `status/${status}-without-cors`,
      group: "status",
      hops: (k) => [{ url: k.url(0), preflight: null, response: res(status, H(["Content-Type", "text/plain"])) }],
    },
  ]),
  {
    name: "simple/head",
    group: "simple",
    request: { method: "HEAD" },
    hops: (k) => [{ url: k.url(0), preflight: null, response: okRes(k) }],
  },
  {
    name: "simple/post-text-plain",
    group: "simple",
    xhr: true,
    request: { method: "POST", headers: { "Content-Type": "text/plain" }, body: "hello" },
    hops: (k) => [{ url: k.url(0), preflight: null, response: okRes(k) }],
  },
  {
    name: "simple/post-lowercase-method",
    group: "simple",
    request: { method: "post", body: "hello" },
    hops: (k) => [{ url: k.url(0), preflight: null, response: okRes(k) }],
  },
  {
    name: "simple/expose-wildcard",
    group: "simple",
    hops: (k) => [{ url: k.url(0), preflight: null, response: res(200, cors(k, { aceh: "*", extra: [["X-Secret", "1"]] })) }],
  },
  {
    name: "simple/expose-list-and-wildcard-origin",
    group: "simple",
    hops: (k) => [{ url: k.url(0), preflight: null, response: res(200, H([ACAO, "*"], ["Access-Control-Expose-Headers", "X-Secret, *"])) }],
  },
  {
    name: "simple/vary-origin",
    group: "simple",
    hops: (k) => [{ url: k.url(0), preflight: null, response: res(200, cors(k, { extra: [["Vary", "Origin"]] })) }],
  },
];
