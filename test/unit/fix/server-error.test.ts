// "The CORS error hides a server error" (Diagnosis.serverError): every stack's fix leads with the note
// that the status is the real problem, then with the stack's own way to put the CORS headers on error
// responses too; without serverError, none of that appears.
import { generate, STACKS } from "../../../src/core/fix";
import { computePolicy } from "../../../src/core/fix/policy";
import type { Diagnosis, Fix, Stack } from "../../../src/core/types";
import { makeDiagnosis, makeExchange, serverErrorCase } from "./helpers/fixtures";

const fixFor = (stack: Stack, c = serverErrorCase()): Fix => generate(stack, c.d, c.x);
const everything = (f: Fix) => `${f.code}\n${f.notes.join("\n")}`;

/** The stack's error-path mechanism: a phrase of its note, and what its snippet must show. */
const ERROR_PATH: Record<Stack, { note: RegExp; code?: (code: string) => void }> = {
  express: {
    note: /Express's error handlers.*keep the headers already set, so register cors before every other middleware/,
    code: (c) => expect(c.indexOf("before express.json()")).toBeLessThan(c.indexOf("app.use(cors(corsOptions));")),
  },
  fastify: { note: /onRequest hook, and Fastify's error handler keeps the headers already set/ },
  koa: {
    note: /ctx\.onerror\) removes every header already set.*keepHeadersOnError: true makes @koa\/cors copy its headers onto the error/,
    code: (c) => expect(c).toMatch(/removes every header already set; this puts the CORS ones back on the error\.\n {2}keepHeadersOnError: true,/),
  },
  nextjs: {
    note: /a handler that throws gets Next\.js's own 500 without them/,
    code: (c) => expect(c).toMatch(/ {2}\} catch \(error\) \{\n[^]*return Response\.json\(\{ error: 'Internal Server Error' \}, \{ status: 500, headers: corsHeaders\(request\) \}\);/),
  },
  nginx: { note: /Without `always`, nginx adds a header only to 200, 201, 204, 206, 301, 302, 303, 304, 307 and 308 responses/ },
  apache: { note: /Plain `Header set` writes to the `onsuccess` table, which Apache sends with 2xx responses only; `Header always set`/ },
  caddy: { note: /`header` directive runs first.*stay on error responses:.*handle_errors.*a deferred header block/ },
  flask: { note: /intercept_exceptions option \(on by default\) wraps Flask's exception handlers.*Not in debug mode/ },
  django: {
    note: /Django turns an exception from a view or a lower middleware into a response.*with CorsMiddleware first/,
    code: (c) => expect(c).toMatch(/# First: every response from below it, errors included .*\n {4}'corsheaders\.middleware\.CorsMiddleware',/),
  },
  fastapi: {
    note: /Starlette wraps every middleware you add in its ServerErrorMiddleware/,
    code: (c) => {
      expect(c).toContain("@app.middleware('http')\nasync def errors_inside_cors(request: Request, call_next):");
      expect(c.indexOf("@app.middleware('http')")).toBeLessThan(c.indexOf("app.add_middleware("));
      expect(c).toContain("return JSONResponse({'detail': 'Internal Server Error'}, status_code=500)");
    },
  },
  spring: {
    note: /a 401\/403 from Spring Security never gets its headers\. http\.cors\(\.\.\.\).*adds a CorsFilter/,
    code: (c) => expect(c).toContain("http.cors(Customizer.withDefaults());"),
  },
  aspnet: {
    note: /adds its headers when the response starts.*app\.UseExceptionHandler\(\) before UseRouting and UseCors/,
    code: (c) => {
      const order = ["builder.Services.AddProblemDetails();", "app.UseExceptionHandler();", "app.UseRouting();", "app.UseCors(CorsPolicyName);", "app.UseAuthentication();"]
        .map((l) => c.indexOf(l));
      expect(order.every((i) => i >= 0)).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
    },
  },
  go: {
    note: /rs\/cors sets its headers before it calls the handler it wraps.*Wrap the outermost handler/,
    code: (c) => {
      expect(c).toContain("func recoverPanics(next http.Handler) http.Handler {");
      expect(c).toContain('\t"log"\n\t"net/http"');
      expect(c).toContain("// http.ListenAndServe(\":8080\", withCORS(recoverPanics(authMiddleware(mux))))");
    },
  },
  rails: { note: /insert_before 0 makes Rack::Cors the outermost middleware.*ActionDispatch::ShowExceptions/ },
  cloudflare: {
    note: /an exception thrown in the Worker itself becomes Cloudflare's error page 1101/,
    code: (c) => {
      expect(c).toMatch(/ {4}try \{\n {6}response = await handleRequest\(request, env, ctx\);/);
      expect(c.indexOf("response = new Response('Internal Server Error', { status: 500 });")).toBeLessThan(c.indexOf("const withCors"));
    },
  },
};

const LEAD_ACTUAL = /^The response was 500 Internal Server Error with no CORS headers at all: the CORS error hides a server error\. Fix that error first/;

describe.each(STACKS.map((s) => s.id))("%s", (stack) => {
  const path = ERROR_PATH[stack];
  it("leads with the hidden server error, then the stack's own error-path mechanism", () => {
    const f = fixFor(stack);
    expect(f.notes[0]).toMatch(LEAD_ACTUAL);
    expect(f.notes[1]).toMatch(path.note);
    path.code?.(f.code);
  });
  it("leads the same way for a 401 preflight, and still answers the preflight before auth", () => {
    const f = fixFor(stack, serverErrorCase("preflight", 401));
    expect(f.notes[0]).toMatch(/^The preflight \(OPTIONS\) got 401 Unauthorized with no CORS headers at all: the CORS error hides an authentication error\. Browsers never send cookies or Authorization on a preflight/);
    expect(f.notes[1]).toMatch(path.note);
    path.code?.(f.code);
    // The 401 preflight also sets preflightBeforeAuth: the stack's own note about it is still there.
    expect(f.notes.length).toBeGreaterThan(fixFor(stack).notes.length);
  });
  it("says nothing of it without serverError (a 200 without ACAO, a rejected preflight with CORS headers)", () => {
    for (const f of [
      generate(stack, makeDiagnosis(), makeExchange()),
      generate(stack, makeDiagnosis({ stage: "actual", code: "MissingAllowOriginHeader" }), makeExchange()),
      generate(stack, makeDiagnosis({ code: "PreflightInvalidStatus" }), makeExchange({ hops: [{ url: "https://api.example/x", preflight: { status: 401, headers: {} }, response: null }] })),
    ]) {
      expect(everything(f)).not.toMatch(path.note);
      expect(everything(f)).not.toMatch(/hides (a server|an authentication) error/);
    }
  });
  it("changes only notes and the error path: the allowlist values are the same as without serverError", () => {
    const plain = generate(stack, makeDiagnosis({ stage: "actual", code: "MissingAllowOriginHeader" }), makeExchange()).code;
    const lines = (c: string) => c.split("\n").filter((l) => /app\.example|'PUT'|"PUT"|"put"|x-token/.test(l));
    expect(lines(fixFor(stack).code)).toEqual(lines(plain));
  });
});

describe("the lead note", () => {
  const lead = (d: Partial<Diagnosis>) => generate("express", makeDiagnosis(d), makeExchange()).notes[0];
  it("names the status with its reason phrase, or the bare number", () => {
    expect(lead({ serverError: { stage: "actual", hop: 0, status: 502 } })).toMatch(/^The response was 502 Bad Gateway with no CORS headers/);
    expect(lead({ serverError: { stage: "actual", hop: 0, status: 599 } })).toMatch(/^The response was 599 with no CORS headers/);
  });
  it("for a preflight 404 or 500: answer OPTIONS with 204", () => {
    expect(lead({ serverError: { stage: "preflight", hop: 0, status: 404 } })).toMatch(/^The preflight \(OPTIONS\) got 404 Not Found.*hides a server error\. Answer OPTIONS with 204/);
    expect(lead({ serverError: { stage: "preflight", hop: 0, status: 500 } })).toMatch(/^The preflight \(OPTIONS\) got 500 Internal Server Error/);
  });
  it("for a preflight 403: an authentication error", () => {
    expect(lead({ serverError: { stage: "preflight", hop: 0, status: 403 } })).toMatch(/got 403 Forbidden.*hides an authentication error/);
  });
});

describe("the policy reads serverError defensively", () => {
  const policy = (serverError: unknown) => computePolicy(makeDiagnosis({ serverError } as Partial<Diagnosis>), makeExchange()).serverError;
  it("keeps a well-formed value", () => {
    expect(policy({ stage: "actual", hop: 0, status: 500 })).toEqual({ stage: "actual", status: 500 });
    expect(policy({ stage: "preflight", hop: 0, status: 401 })).toEqual({ stage: "preflight", status: 401 });
  });
  it.each([
    [undefined], [null], ["500"], [{ stage: "redirect", hop: 0, status: 500 }], [{ stage: "actual", status: "500" }],
    [{ stage: "actual", status: 200 }], [{ stage: "actual", status: 500.5 }], [{ stage: "actual", status: 1e9 }], [[500]],
  ])("ignores %j", (v) => {
    expect(policy(v)).toBeNull();
    expect(generate("nginx", makeDiagnosis({ serverError: v } as Partial<Diagnosis>), makeExchange()).notes.join(" ")).not.toMatch(/hides a server error/);
  });
});
