// Redirects, request modes, non-HTTP schemes, and pages with an opaque origin.
import { ACAC, ACAO, cors, H, type HostName, type Kit, okPreflight, okRes, redirect, res, type Scenario, type ScenarioRequest } from "./kit";

const JSON_POST: ScenarioRequest = { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" };
const TEXT_POST: ScenarioRequest = { method: "POST", headers: { "Content-Type": "text/plain" }, body: "x" };
const PUT: ScenarioRequest = { method: "PUT", body: "x" };

/** Passes for the origin a hop after a cross-origin redirect sees: "null". */
const nullOk = (k: Kit, status = 200) => res(status, cors(k, { acao: "null" }));

/** hop0 on api answers `status` with a passing redirect to hop1 on `host`. */
function twoHops(
  name: string,
  opts: { status?: number; host?: HostName; request?: ScenarioRequest; xhr?: boolean },
  hop0: ((k: Kit, next: string) => ReturnType<typeof res>) | null,
  hop1: (k: Kit) => { preflight: ReturnType<typeof res> | null; response: ReturnType<typeof res> | null },
): Scenario {
  const status = opts.status ?? 302;
  return {
    name,
    group: name.split("/")[0]!,
    request: opts.request,
    xhr: opts.xhr,
    hops: (k) => {
      const next = k.url(1, opts.host ?? "api.example");
      const first = hop0 ? hop0(k, next) : redirect(k, status, next);
      // A passing preflight for whatever the request needs (only played when the browser asks).
      const preflight = okPreflight(k, opts.request?.method ?? "GET", Object.keys(opts.request?.headers ?? {}).join(", ") || undefined);
      return [
        { url: k.url(0), preflight, response: first },
        { url: next, ...hop1(k) },
      ];
    },
  };
}

const STATUSES = [301, 302, 303, 307, 308];

/** `url` with user:password in its authority (a Location that carries credentials). */
function withUserinfo(url: string): string {
  return url.replace("://", "://user:secret@");
}

/**
 * The SSO/login pattern: the page calls its own origin (app.example), which redirects to another
 * origin. From that hop on it is a CORS request; webRequest saw a same-origin first hop.
 */
function sameOriginStart(
  name: string,
  opts: { request?: ScenarioRequest; xhr?: boolean },
  hops: (k: Kit) => Array<{ url: string; preflight?: ReturnType<typeof res> | null; response: ReturnType<typeof res> | null }>,
): Scenario {
  return {
    name: `same-origin-start/${name}`,
    group: "same-origin-start",
    request: opts.request,
    xhr: opts.xhr ?? true,
    hops: (k) => hops(k).map((h) => ({ url: h.url, preflight: h.preflight ?? null, response: h.response })),
  };
}

const sameOriginStartScenarios: Scenario[] = [
  ...STATUSES.map((status) => sameOriginStart(`${status}-to-api-ok`, { request: TEXT_POST }, (k) => [
    { url: k.url(0, "app.example"), response: res(status, H(["Location", k.url(1)])) },
    { url: k.url(1), response: okRes(k) },
  ])),
  ...STATUSES.map((status) => sameOriginStart(`${status}-to-api-missing-acao`, {}, (k) => [
    { url: k.url(0, "app.example"), response: res(status, H(["Location", k.url(1)])) },
    { url: k.url(1), response: res(200, H(["Content-Type", "text/plain"])) },
  ])),
  sameOriginStart("to-api-wildcard", {}, (k) => [
    { url: k.url(0, "app.example"), response: res(302, H(["Location", k.url(1)])) },
    { url: k.url(1), response: res(200, H([ACAO, "*"])) },
  ]),
  sameOriginStart("userinfo-location-cross-origin", {}, (k) => [
    { url: k.url(0, "app.example"), response: res(302, H(["Location", withUserinfo(k.url(1))])) },
    { url: k.url(1), response: okRes(k) },
  ]),
  sameOriginStart("userinfo-location-same-origin", {}, (k) => [
    { url: k.url(0, "app.example"), response: res(302, H(["Location", withUserinfo(k.url(1, "app.example"))])) },
    { url: k.url(1, "app.example"), response: res(200, H(["Content-Type", "text/plain"])) },
  ]),
  // Two cross-origin hops: the second one sees Origin: null.
  sameOriginStart("two-cross-origin-hops-acao-null", {}, (k) => [
    { url: k.url(0, "app.example"), response: res(302, H(["Location", k.url(1)])) },
    { url: k.url(1), response: redirect(k, 302, k.url(2, "other.example")) },
    { url: k.url(2, "other.example"), response: nullOk(k) },
  ]),
  sameOriginStart("two-cross-origin-hops-acao-page-origin", {}, (k) => [
    { url: k.url(0, "app.example"), response: res(302, H(["Location", k.url(1)])) },
    { url: k.url(1), response: redirect(k, 302, k.url(2, "other.example")) },
    { url: k.url(2, "other.example"), response: okRes(k) },
  ]),
  sameOriginStart("second-hop-redirect-missing-acao", {}, (k) => [
    { url: k.url(0, "app.example"), response: res(302, H(["Location", k.url(1)])) },
    { url: k.url(1), response: res(302, H(["Location", k.url(2, "other.example")])) },
    { url: k.url(2, "other.example"), response: nullOk(k) },
  ]),
  // A preflighted request: the cross-origin hop gets its own preflight.
  sameOriginStart("307-to-api-preflight-ok", { request: { method: "PUT", headers: { "X-Custom": "1" }, body: "x" } }, (k) => [
    { url: k.url(0, "app.example"), response: res(307, H(["Location", k.url(1)])) },
    { url: k.url(1), preflight: okPreflight(k, "PUT", "x-custom"), response: okRes(k) },
  ]),
  sameOriginStart("307-to-api-preflight-missing-acah", { request: { method: "PUT", headers: { "X-Custom": "1" }, body: "x" } }, (k) => [
    { url: k.url(0, "app.example"), response: res(307, H(["Location", k.url(1)])) },
    { url: k.url(1), preflight: okPreflight(k, "PUT"), response: okRes(k) },
  ]),
];

export const redirectScenarios: Scenario[] = [
  twoHops("redirect/same-origin-302", { xhr: true }, null, (k) => ({ preflight: null, response: okRes(k) })),
  twoHops("redirect/300-with-location", { status: 300 }, null, (k) => ({ preflight: null, response: okRes(k) })),
  twoHops("redirect/300-with-location-without-cors", {}, (k, next) => res(300, H(["Location", next])), (k) => ({ preflight: null, response: okRes(k) })),
  twoHops("redirect/without-cors-headers", { xhr: true }, (k, next) => res(302, H(["Location", next])), (k) => ({ preflight: null, response: okRes(k) })),
  twoHops("redirect/wildcard", { xhr: true }, (k, next) => res(302, H([ACAO, "*"], ["Location", next])), (k) => ({ preflight: null, response: okRes(k) })),
  twoHops("redirect/missing-acac", {}, (k, next) => res(302, H([ACAO, k.origin], ["Location", next])), (k) => ({ preflight: null, response: okRes(k) })),
  twoHops("redirect/acao-mismatch", {}, (k, next) => res(302, H([ACAO, k.other], [ACAC, "true"], ["Location", next])), (k) => ({ preflight: null, response: okRes(k) })),
  twoHops("redirect/acao-multiple", {}, (k, next) => res(302, H([ACAO, k.origin], [ACAO, k.origin], [ACAC, "true"], ["Location", next])), (k) => ({ preflight: null, response: okRes(k) })),
  twoHops("redirect/next-hop-missing-acao", {}, null, () => ({ preflight: null, response: res(200, H(["Content-Type", "text/plain"])) })),
  // Cross-origin redirect: the next hop sees Origin: null.
  twoHops("cross-redirect/next-acao-page-origin", { host: "other.example", xhr: true }, null, (k) => ({ preflight: null, response: okRes(k) })),
  twoHops("cross-redirect/next-acao-null", { host: "other.example", xhr: true }, null, (k) => ({ preflight: null, response: nullOk(k) })),
  twoHops("cross-redirect/next-acao-NULL", { host: "other.example" }, null, (k) => ({ preflight: null, response: res(200, cors(k, { acao: "NULL" })) })),
  twoHops("cross-redirect/next-acao-wildcard", { host: "other.example", xhr: true }, null, () => ({ preflight: null, response: res(200, H([ACAO, "*"])) })),
  twoHops("cross-redirect/next-acao-null-no-acac", { host: "other.example" }, null, () => ({ preflight: null, response: res(200, H([ACAO, "null"])) })),
  twoHops("cross-redirect/next-missing-acao", { host: "other.example" }, null, () => ({ preflight: null, response: res(200, H()) })),
  twoHops("cross-redirect/to-page-origin-without-cors", { host: "app.example" }, null, () => ({ preflight: null, response: res(200, H(["Content-Type", "text/plain"])) })),
  twoHops("cross-redirect/to-page-origin-acao-null", { host: "app.example" }, null, (k) => ({ preflight: null, response: nullOk(k) })),
  twoHops("cross-redirect/to-page-origin-acao-origin", { host: "app.example" }, null, (k) => ({ preflight: null, response: okRes(k) })),
  twoHops("cross-redirect/custom-header-preflight-null", { host: "other.example", request: { headers: { "X-Custom": "1" } } },
    (k, next) => redirect(k, 302, next),
    (k) => ({ preflight: res(204, cors(k, { acao: "null", acah: "x-custom" })), response: nullOk(k) })),
  twoHops("cross-redirect/custom-header-preflight-page-origin", { host: "other.example", request: { headers: { "X-Custom": "1" } } },
    (k, next) => redirect(k, 302, next),
    (k) => ({ preflight: res(204, cors(k, { acah: "x-custom" })), response: okRes(k) })),
  twoHops("cross-redirect/custom-header-no-preflight-record", { host: "other.example", request: { headers: { "X-Custom": "1" } } },
    (k, next) => redirect(k, 302, next),
    (k) => ({ preflight: null, response: nullOk(k) })),
  {
    name: "cross-redirect/there-and-back",
    group: "cross-redirect",
    hops: (k) => [
      { url: k.url(0), preflight: null, response: redirect(k, 302, k.url(1, "other.example")) },
      { url: k.url(1, "other.example"), preflight: null, response: redirect(k, 302, k.url(2), { acao: "null" }) },
      { url: k.url(2), preflight: null, response: nullOk(k) },
    ],
  },
  {
    name: "cross-redirect/there-and-back-page-origin",
    group: "cross-redirect",
    hops: (k) => [
      { url: k.url(0), preflight: null, response: redirect(k, 302, k.url(1, "other.example")) },
      { url: k.url(1, "other.example"), preflight: null, response: redirect(k, 302, k.url(2), { acao: "null" }) },
      { url: k.url(2), preflight: null, response: okRes(k) },
    ],
  },
  {
    name: "redirect/chain-of-three-same-origin",
    group: "redirect",
    hops: (k) => [
      { url: k.url(0), preflight: null, response: redirect(k, 301, k.url(1)) },
      { url: k.url(1), preflight: null, response: redirect(k, 307, k.url(2)) },
      { url: k.url(2), preflight: null, response: okRes(k) },
    ],
  },
  {
    name: "redirect/relative-location",
    group: "redirect",
    hops: (k) => [
      { url: k.url(0), preflight: null, response: redirect(k, 302, new URL(k.url(1)).pathname) },
      { url: k.url(1), preflight: null, response: okRes(k) },
    ],
  },
  {
    name: "redirect/scheme-relative-location",
    group: "redirect",
    hops: (k) => [
      { url: k.url(0), preflight: null, response: redirect(k, 302, k.url(1, "other.example").replace(/^http:/, "")) },
      { url: k.url(1, "other.example"), preflight: null, response: nullOk(k) },
    ],
  },
  // Method changes: 301/302 turn POST into GET, 303 turns everything but GET/HEAD into GET.
  ...STATUSES.flatMap((status): Scenario[] => [
    twoHops(`redirect-method/${status}-json-post-next-preflight-ok`, { status, request: JSON_POST }, null,
      (k) => ({ preflight: okPreflight(k, "POST", "content-type"), response: okRes(k) })),
    twoHops(`redirect-method/${status}-json-post-no-next-preflight`, { status, request: JSON_POST }, null,
      (k) => ({ preflight: null, response: okRes(k) })),
    twoHops(`redirect-method/${status}-json-post-cross-null`, { status, host: "other.example", request: JSON_POST }, null,
      (k) => ({ preflight: res(204, cors(k, { acao: "null", acah: "content-type" })), response: nullOk(k) })),
    twoHops(`redirect-method/${status}-text-post`, { status, request: TEXT_POST, xhr: true }, null,
      (k) => ({ preflight: null, response: okRes(k) })),
    twoHops(`redirect-method/${status}-put-no-next-preflight`, { status, request: PUT }, null,
      (k) => ({ preflight: null, response: okRes(k) })),
    twoHops(`redirect-method/${status}-put-next-preflight-ok`, { status, request: PUT }, null,
      (k) => ({ preflight: okPreflight(k), response: okRes(k) })),
  ]),
  // Credentials in the Location URL.
  ...([
    ["user-pass", "user:pass@"],
    ["user-only", "user@"],
    ["pass-only", ":pass@"],
  ] as const).flatMap(([label, userinfo]): Scenario[] => [
    twoHops(`redirect-userinfo/${label}`, { xhr: label === "user-pass" }, (k, next) => redirect(k, 302, next.replace("://", `://${userinfo}`)),
      (k) => ({ preflight: null, response: okRes(k) })),
    twoHops(`redirect-userinfo/${label}-cross-origin`, { host: "other.example" }, (k, next) => redirect(k, 302, next.replace("://", `://${userinfo}`)),
      (k) => ({ preflight: null, response: nullOk(k) })),
  ]),
  twoHops("redirect-userinfo/without-cors-headers", {}, (k, next) => res(302, H(["Location", next.replace("://", "://user:pass@")])),
    (k) => ({ preflight: null, response: okRes(k) })),
  // Redirects to other schemes.
  ...([
    ["ftp", "ftp://api.example/file"],
    ["ws", "ws://api.example/socket"],
    ["custom-scheme", "foo:bar"],
    ["wss", "wss://api.example/socket"],
    ["data", "data:text/plain,hi"],
    ["file", "file:///etc/hostname"],
  ] as const).map(([label, location]): Scenario => ({
    name: `redirect-scheme/${label}`,
    group: "redirect-scheme",
    hops: (k) => [{ url: k.url(0), preflight: null, response: redirect(k, 302, location) }],
  })),
  {
    name: "redirect-scheme/ftp-without-cors-headers",
    group: "redirect-scheme",
    hops: (k) => [{ url: k.url(0), preflight: null, response: res(302, H(["Location", "ftp://api.example/file"])) }],
  },
  // Same-origin requests and the same-origin request mode.
  {
    name: "same-origin/no-cors-headers",
    group: "same-origin",
    hops: (k) => [{ url: k.url(0, "app.example"), preflight: null, response: res(200, H(["Content-Type", "text/plain"])) }],
  },
  {
    name: "same-origin/put-no-preflight",
    group: "same-origin",
    request: PUT,
    hops: (k) => [{ url: k.url(0, "app.example"), preflight: null, response: res(200, H()) }],
  },
  {
    name: "same-origin/redirect-to-cross-origin-acao-origin",
    group: "same-origin",
    hops: (k) => [
      { url: k.url(0, "app.example"), preflight: null, response: res(302, H(["Location", k.url(1)])) },
      { url: k.url(1), preflight: null, response: okRes(k) },
    ],
  },
  {
    name: "same-origin/redirect-to-cross-origin-acao-null",
    group: "same-origin",
    hops: (k) => [
      { url: k.url(0, "app.example"), preflight: null, response: res(302, H(["Location", k.url(1)])) },
      { url: k.url(1), preflight: null, response: nullOk(k) },
    ],
  },
  {
    name: "same-origin/redirect-to-cross-origin-missing-acao",
    group: "same-origin",
    hops: (k) => [
      { url: k.url(0, "app.example"), preflight: null, response: res(302, H(["Location", k.url(1)])) },
      { url: k.url(1), preflight: null, response: res(200, H()) },
    ],
  },
  // A same-origin request redirected to another origin with user:password@, outside cors mode (in cors
  // mode: same-origin-start/userinfo-location-cross-origin).
  ...(["no-cors", "same-origin"] as const).map((mode): Scenario => ({
    name: `mode-${mode}/redirect-userinfo-to-cross-origin`,
    group: `mode-${mode}`,
    request: { mode },
    hops: (k) => [
      { url: k.url(0, "app.example"), preflight: null, response: res(302, H(["Location", withUserinfo(k.url(1))])) },
      { url: k.url(1), preflight: null, response: mode === "no-cors" ? res(200, H()) : okRes(k) },
    ],
  })),
  {
    name: "mode-same-origin/same-origin-url",
    group: "mode-same-origin",
    request: { mode: "same-origin" },
    hops: (k) => [{ url: k.url(0, "app.example"), preflight: null, response: res(200, H()) }],
  },
  {
    name: "mode-same-origin/redirect-to-cross-origin",
    group: "mode-same-origin",
    request: { mode: "same-origin" },
    hops: (k) => [
      { url: k.url(0, "app.example"), preflight: null, response: res(302, H(["Location", k.url(1)])) },
      { url: k.url(1), preflight: null, response: okRes(k) },
    ],
  },
  {
    name: "mode-same-origin/redirect-same-origin",
    group: "mode-same-origin",
    request: { mode: "same-origin" },
    hops: (k) => [
      { url: k.url(0, "app.example"), preflight: null, response: res(302, H(["Location", k.url(1, "app.example")])) },
      { url: k.url(1, "app.example"), preflight: null, response: res(200, H()) },
    ],
  },
  // A page with an opaque origin (CSP sandbox): Origin: null.
  ...([
    ["acao-null", (k: Kit) => okRes(k)],
    ["acao-NULL", (k: Kit) => res(200, cors(k, { acao: "NULL" }))],
    ["acao-wildcard", () => res(200, H([ACAO, "*"]))],
    ["acao-app-origin", (k: Kit) => res(200, cors(k, { acao: k.app }))],
    ["acao-missing", () => res(200, H())],
    ["acao-null-no-acac", () => res(200, H([ACAO, "null"]))],
  ] as const).map(([label, response]): Scenario => ({
    name: `opaque-origin/${label}`,
    group: "opaque-origin",
    page: "sandbox",
    xhr: true,
    hops: (k) => [{ url: k.url(0), preflight: null, response: response(k) }],
  })),
  {
    name: "opaque-origin/preflight-put",
    group: "opaque-origin",
    page: "sandbox",
    request: PUT,
    hops: (k) => [{ url: k.url(0), preflight: okPreflight(k), response: okRes(k) }],
  },
  {
    name: "opaque-origin/preflight-app-origin",
    group: "opaque-origin",
    page: "sandbox",
    request: PUT,
    hops: (k) => [{ url: k.url(0), preflight: res(204, cors(k, { acao: k.app, acam: "PUT" })), response: okRes(k) }],
  },
  {
    name: "opaque-origin/cross-redirect",
    group: "opaque-origin",
    page: "sandbox",
    hops: (k) => [
      { url: k.url(0), preflight: null, response: redirect(k, 302, k.url(1, "other.example")) },
      { url: k.url(1, "other.example"), preflight: null, response: okRes(k) },
    ],
  },
  ...sameOriginStartScenarios,
];
