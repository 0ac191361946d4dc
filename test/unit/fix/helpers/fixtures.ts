// Fixture factories for the fix generator tests. Defaults: a credentialed PUT from https://app.example
// to https://api.example/x with the custom header x-token, whose preflight failed the origin check.
import type { Diagnosis, Exchange, ExchangeRequest } from "../../../../src/core/types";

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

export type ExchangeOverrides = Partial<Omit<Exchange, "request">> & { request?: Partial<ExchangeRequest> };

export function makeExchange(overrides: ExchangeOverrides = {}): Exchange {
  const { request, ...rest } = overrides;
  return {
    id: "ex-1",
    request: {
      url: "https://api.example/x",
      method: "PUT",
      origin: "https://app.example",
      credentials: "include",
      mode: "cors",
      headers: { "x-token": "secret-value", "content-type": "text/plain" },
      ...request,
    },
    hops: [
      {
        url: "https://api.example/x",
        preflight: { status: 204, headers: {} },
        response: null,
      },
    ],
    browserError: "net::ERR_FAILED",
    ...rest,
  };
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
  const preflightOk = {
    status: 204,
    headers: {
      "access-control-allow-origin": "https://app.example", "access-control-allow-credentials": "true",
      "access-control-allow-methods": "PUT", "access-control-allow-headers": "x-token",
    },
  };
  const x = makeExchange({
    hops: [{
      url: "https://api.example/x",
      preflight: stage === "preflight" ? { status, headers: {} } : preflightOk,
      response: stage === "actual" ? { status, headers: { "content-type": "text/html" } } : null,
    }],
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
