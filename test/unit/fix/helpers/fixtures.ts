// Fixture factories for the fix generator tests. Defaults: a credentialed PUT from https://app.example
// to https://api.example/x with the custom header x-token, whose preflight failed the origin check.
// The exchanges come from the shared factory (test/fixtures/exchange.ts).
import type { Diagnosis, Exchange } from "../../../../src/core/types";
import { API, exchange, hop, okPreflight, preflight, response, type ExchangeOverrides } from "../../../fixtures/exchange";

export type { ExchangeOverrides };

export function makeDiagnosis(overrides: Partial<Diagnosis> = {}): Diagnosis {
  return {
    id: "ex-1",
    blocked: true,
    stage: "preflight",
    hop: 0,
    code: "PreflightMissingAllowOriginHeader",
    failedParameter: "",
    header: "access-control-allow-origin",
    received: null,
    expected: "https://app.example",
    credentials: { mode: "include", inferred: false },
    firefox: "CORSMissingAllowOrigin2",
    message: "Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
    warnings: [],
    preflightNeeded: true,
    ...overrides,
  };
}

/** The default exchange: its preflight (204, no CORS header) failed; no actual response. */
export function makeExchange(overrides: ExchangeOverrides = {}): Exchange {
  return exchange({
    id: "ex-1",
    url: API,
    headers: { "x-token": "secret-value", "content-type": "text/plain" },
    hops: [hop({ preflight: preflight(), response: null })],
    browserError: "net::ERR_FAILED",
    ...overrides,
  });
}

/** A diagnosis without credentials (mode "omit") on the same request. */
export function uncredentialed(d: Partial<Diagnosis> = {}): Diagnosis {
  return makeDiagnosis({ credentials: { mode: "omit", inferred: false }, ...d });
}

/**
 * The CORS error hides a server error (Diagnosis.serverError): the failing response, the preflight or the
 * actual one, was `status` with no CORS headers at all. The diagnosis is the one diagnose() gives for it.
 */
export function serverErrorCase(
  stage: "preflight" | "actual" = "actual",
  status = 500,
  overrides: { d?: Partial<Diagnosis>; x?: ExchangeOverrides } = {},
): { d: Diagnosis; x: Exchange } {
  const x = makeExchange({
    hops: [hop({
      preflight: stage === "preflight" ? preflight({}, status) : okPreflight(),
      response: stage === "actual" ? response(status, { "content-type": "text/html" }) : null,
    })],
    ...overrides.x,
  });
  const d = makeDiagnosis({
    stage,
    code: stage === "preflight" ? "PreflightMissingAllowOriginHeader" : "MissingAllowOriginHeader",
    serverError: { stage, hop: 0, status },
    ...overrides.d,
  });
  return { d, x };
}
