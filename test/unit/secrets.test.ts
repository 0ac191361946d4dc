// What counts as a secret header value (src/core/secrets.ts): masked the same way in the panel,
// the CLI, Copy as curl/fetch/JSON, the HAR and report exports, and audit evidence.
import { isSecretHeader, maskExchange, maskHeaders, secretTest } from "../../src/core/secrets";
import { toCurl } from "../../src/core/reproduce";
import { toHar } from "../../src/core/har-export";
import type { Exchange } from "../../src/core/types";

test("the credential headers, by name", () => {
  for (const n of ["Authorization", "cookie", "Set-Cookie", "Proxy-Authorization"]) expect(isSecretHeader(n)).toBe(true);
});

test("any name that says it carries a key, token, secret, session, auth, password, CSRF token or signature", () => {
  for (const n of ["X-API-Key", "x-auth-token", "X-CSRF-Token", "X-XSRF-TOKEN", "x-session-id", "X-Client-Secret",
    "X-Amz-Signature", "X-Password", "x-passwd", "WWW-Authenticate"]) expect([n, isSecretHeader(n)]).toEqual([n, true]);
  for (const n of ["Content-Type", "Accept", "Origin", "X-Request-Id", "Keep-Alive", "Vary"]) expect([n, isSecretHeader(n)]).toEqual([n, false]);
});

test("values that look like credentials, whatever the name: JWTs and HTTP auth schemes", () => {
  const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl";
  expect(isSecretHeader("X-Forwarded-User", jwt)).toBe(true);
  expect(isSecretHeader("X-Upstream", "Bearer abcdefgh12345")).toBe(true);
  expect(isSecretHeader("X-Upstream", "Basic dXNlcjpwYXNz")).toBe(true);
  expect(isSecretHeader("X-Upstream", "text/plain")).toBe(false);
  expect(isSecretHeader("X-Upstream", "bearer")).toBe(false);
});

test("the CORS headers and pseudo headers are never masked: they name headers and origins", () => {
  expect(isSecretHeader("Access-Control-Allow-Headers", "x-api-key, authorization")).toBe(false);
  expect(isSecretHeader("Access-Control-Request-Headers", "x-csrf-token")).toBe(false);
  expect(isSecretHeader(":authority", "api.example")).toBe(false);
});

test("settings: extra names masked, plain names shown", () => {
  const t = secretTest({ extra: ["X-Tenant"], plain: ["x-api-key"] });
  expect(t("x-tenant")).toBe(true);
  expect(t("X-API-Key")).toBe(false);
  expect(t("Authorization")).toBe(true);
  expect(secretTest()).toBe(isSecretHeader);
});

test("every output masks the same: headers, the exchange, Copy as curl, the HAR", () => {
  const ex: Exchange = {
    id: "s", request: { url: "https://api.example/x", method: "GET", origin: "https://app.example", credentials: "include", mode: "cors",
      headers: { "x-api-key": "sekret", "x-trace": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln", accept: "text/plain" } },
    hops: [{ url: "https://api.example/x", preflight: null, response: { status: 200, headers: { "x-session": "abc" } } }],
  };
  expect(maskHeaders(ex.request.headers)).toEqual({ "x-api-key": "[masked]", "x-trace": "[masked]", accept: "text/plain" });
  expect(maskExchange(ex).hops[0]!.response!.headers).toEqual({ "x-session": "[masked]" });
  const curl = toCurl(ex);
  expect(curl).not.toContain("sekret");
  expect(curl).not.toContain("eyJ");
  const har = JSON.stringify(toHar([ex]));
  expect(har).not.toContain("sekret");
  expect(har).not.toContain("eyJhbGci");
  expect(toCurl(ex, { reveal: true })).toContain("sekret");
});
