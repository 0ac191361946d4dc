// Each stack's renderer: the request's real values appear, and the stack's pitfalls are respected.
import { generate, STACKS } from "../../../src/core/fix";
import { PLACEHOLDER_ORIGIN } from "../../../src/core/fix/policy";
import type { Diagnosis, Exchange, Stack } from "../../../src/core/types";
import { makeDiagnosis, makeExchange, uncredentialed } from "./helpers/fixtures";

const code = (stack: Stack, d: Diagnosis = makeDiagnosis(), x: Exchange = makeExchange()) => generate(stack, d, x).code;
const notes = (stack: Stack, d: Diagnosis = makeDiagnosis(), x: Exchange = makeExchange()) => generate(stack, d, x).notes.join("\n");

/** How each stack spells the origin, the method, the header and credentials in its own syntax. */
const SPELLING: Record<Stack, { origin: string; method: string; header: string; credentials: RegExp }> = {
  express: { origin: "'https://app.example'", method: "'PUT'", header: "'x-token'", credentials: /^ {2}credentials: true,$/m },
  fastify: { origin: "'https://app.example'", method: "'PUT'", header: "'x-token'", credentials: /^ {2}credentials: true,$/m },
  koa: { origin: "'https://app.example'", method: "'PUT'", header: "'x-token'", credentials: /^ {2}credentials: true,$/m },
  nextjs: { origin: "'https://app.example'", method: "'PUT, GET, HEAD, POST'", header: "'x-token'", credentials: /headers\.set\('Access-Control-Allow-Credentials', 'true'\);/ },
  cloudflare: { origin: "'https://app.example'", method: "'PUT, GET, HEAD, POST'", header: "'x-token'", credentials: /headers\.set\('Access-Control-Allow-Credentials', 'true'\);/ },
  nginx: { origin: '"~^https://app\\.example$"', method: '"PUT, GET, HEAD, POST"', header: '"x-token"', credentials: /add_header Access-Control-Allow-Credentials "true" always;/ },
  apache: { origin: '"^https://app\\.example$"', method: '"PUT, GET, HEAD, POST"', header: '"x-token"', credentials: /Header always set Access-Control-Allow-Credentials "true" env=CORS_ALLOW_ORIGIN/ },
  caddy: { origin: '"https://app.example"', method: '"PUT, GET, HEAD, POST"', header: '"x-token"', credentials: /\tAccess-Control-Allow-Credentials "true"/ },
  flask: { origin: "'https://app.example'", method: "'PUT'", header: "'x-token'", credentials: /supports_credentials=True,/ },
  django: { origin: "'https://app.example'", method: "'PUT'", header: "'x-token'", credentials: /^CORS_ALLOW_CREDENTIALS = True$/m },
  fastapi: { origin: "'https://app.example'", method: "'PUT'", header: "'x-token'", credentials: /allow_credentials=True,/ },
  spring: { origin: '"https://app.example"', method: '"PUT"', header: '"x-token"', credentials: /\.allowCredentials\(true\)/ },
  aspnet: { origin: '"https://app.example"', method: '"PUT"', header: '"x-token"', credentials: /\.AllowCredentials\(\)/ },
  go: { origin: '"https://app.example"', method: '"PUT"', header: '"x-token"', credentials: /AllowCredentials: true,/ },
  rails: { origin: '"https://app.example"', method: '"put"', header: '"x-token"', credentials: /^ {6}credentials: true,$/m },
};

/** Configurations that would allow any origin: never acceptable, least of all with credentials. */
const ANY_ORIGIN: Record<Stack, RegExp[]> = {
  express: [/origin:\s*(true|'\*'|"\*")/],
  fastify: [/origin:\s*(true|'\*'|"\*")/],
  koa: [/origin:\s*'\*'/, /origin:\s*\(ctx\)\s*=>\s*ctx\.get\('Origin'\)\s*,/],
  nextjs: [/'Access-Control-Allow-Origin', '\*'/],
  cloudflare: [/'Access-Control-Allow-Origin', '\*'/],
  nginx: [/Access-Control-Allow-Origin\s+("\*"|\*|\$http_origin)/],
  apache: [/Access-Control-Allow-Origin\s+"\*"/, /SetEnvIf Origin "\^\(\.\*\)\$"/],
  caddy: [/Access-Control-Allow-Origin\s+"\*"/],
  flask: [/origins=('\*'|"\*"|\['\*'\])/],
  django: [/CORS_ALLOW_ALL_ORIGINS/, /CORS_ORIGIN_ALLOW_ALL/],
  fastapi: [/allow_origins=\['\*'\]/, /allow_origin_regex/],
  spring: [/allowedOrigins\("\*"\)/, /allowedOriginPatterns\("\*"\)/],
  aspnet: [/AllowAnyOrigin/, /SetIsOriginAllowed/],
  go: [/"\*"/, /AllowOriginFunc/],
  rails: [/origins\s+['"]\*['"]/],
};

const ids = STACKS.map((s) => s.id);

describe.each(ids)("%s", (stack) => {
  const s = SPELLING[stack];
  it("contains the request's origin, method, header and credentials", () => {
    const c = code(stack);
    expect(c).toContain(s.origin);
    expect(c).toContain(s.method);
    expect(c).toContain(s.header);
    expect(c).toMatch(s.credentials);
  });
  it("allowlists explicitly: no wildcard or reflected origin", () => {
    const c = code(stack);
    for (const re of ANY_ORIGIN[stack]) expect(c).not.toMatch(re);
  });
  it("sends no credentials setting for an uncredentialed request", () => {
    const c = code(stack, uncredentialed());
    expect(c).not.toMatch(s.credentials);
    expect(c).toContain(s.origin);
  });
  it('uses a TODO placeholder, never "null", for an opaque origin', () => {
    const c = code(stack, makeDiagnosis(), makeExchange({ request: { origin: "null" } }));
    expect(c).toContain(PLACEHOLDER_ORIGIN.replace(/\./g, stack === "nginx" || stack === "apache" ? "\\." : "."));
    expect(c).toMatch(/TODO: replace with your page's real origin/);
    expect(c).not.toMatch(/['"]~?\^?null\$?['"]/);
    expect(notes(stack, makeDiagnosis(), makeExchange({ request: { origin: "null" } }))).toMatch(/trusting|would trust every sandboxed iframe/);
  });
  it("lists the exposed headers the response already had", () => {
    const x = makeExchange({ hops: [{ url: "https://api.example/x", preflight: null, response: { status: 200, headers: { "access-control-expose-headers": "x-request-id" } } }] });
    expect(code(stack, makeDiagnosis({ code: "AllowOriginMismatch", stage: "actual" }), x)).toContain("x-request-id");
    expect(code(stack)).not.toContain("xpose");
  });
  it("still renders when the request has no custom header", () => {
    const c = code(stack, makeDiagnosis(), makeExchange({ request: { method: "GET", headers: {} } }));
    expect(c).toContain(s.origin);
    expect(c).not.toContain("x-token");
  });
  it("emphasises answering the preflight before auth for PreflightInvalidStatus", () => {
    const x = makeExchange({ hops: [{ url: "https://api.example/x", preflight: { status: 401, headers: {} }, response: null }] });
    const before = notes(stack, makeDiagnosis({ code: "PreflightInvalidStatus" }), x);
    const after = notes(stack);
    expect(before.length).toBeGreaterThan(after.length);
    expect(before).toMatch(/before (authentication|auth|any|your|Warden)|above|outside|first|excludes OPTIONS|skip OPTIONS|through first|VirtualHost/i);
  });
  it("says how to get rid of the second layer for MultipleAllowOriginValues", () => {
    expect(notes(stack, makeDiagnosis({ code: "MultipleAllowOriginValues", received: "https://app.example, https://app.example" }))).toMatch(
      /remove|hide|drops|unset|header_down/i,
    );
  });
  it("handles Access-Control-Allow-Private-Network, in the snippet or in a note", () => {
    const f = generate(stack, makeDiagnosis({ code: "PreflightMissingAllowPrivateNetwork" }), makeExchange());
    expect(`${f.code}\n${f.notes.join("\n")}`).toMatch(/Private-?Network|PRIVATE_NETWORK|privateNetwork/);
  });
});

describe("stack-specific pitfalls", () => {
  it("nginx: map allowlist, `always` on every add_header, OPTIONS → 204 before auth", () => {
    const c = code("nginx");
    expect(c).toMatch(/^map \$http_origin \$cors_allow_origin \{$/m);
    expect(c).toMatch(/^ {4}default "";$/m);
    const addHeaders = c.split("\n").filter((l) => l.trim().startsWith("add_header"));
    expect(addHeaders.length).toBeGreaterThanOrEqual(5);
    for (const l of addHeaders) expect(l).toMatch(/ always;$/);
    expect(c).toContain("add_header Access-Control-Allow-Origin $cors_allow_origin always;");
    expect(c).toContain("add_header Vary Origin always;");
    expect(c).toMatch(/if \(\$request_method = OPTIONS\) \{\s+return 204;\s+\}/);
    expect(c).not.toContain("proxy_hide_header");
  });
  it("nginx: hides the upstream's copies for MultipleAllowOriginValues", () => {
    expect(code("nginx", makeDiagnosis({ code: "MultipleAllowOriginValues" }))).toContain("proxy_hide_header Access-Control-Allow-Origin;");
  });
  it("Apache: SetEnvIf allowlist, every header `always`, OPTIONS → 204 in server context", () => {
    const c = code("apache");
    expect(c).toContain('SetEnvIf Origin "^https://app\\.example$" CORS_ALLOW_ORIGIN=$0');
    for (const l of c.split("\n").filter((x) => /^Header (set|add|merge|append)/.test(x) || /^Header always/.test(x))) expect(l).toMatch(/^Header always /);
    expect(c).toContain('Header always set Access-Control-Allow-Origin "%{CORS_ALLOW_ORIGIN}e" env=CORS_ALLOW_ORIGIN');
    expect(c).toContain('Header always merge Vary "Origin"');
    expect(c).toMatch(/RewriteCond %\{REQUEST_METHOD\} =OPTIONS\nRewriteRule \^ - \[R=204,L\]/);
    expect(c).not.toContain("Header onsuccess unset Access-Control-Allow-Methods");
    expect(code("apache", makeDiagnosis({ code: "MultipleAllowOriginValues" }))).toContain("Header onsuccess unset Access-Control-Allow-Methods");
  });
  it("Caddy: exact header matcher, echoes {header.Origin} only inside it, 204 for the preflight", () => {
    const c = code("caddy");
    expect(c).toContain('@cors_origin header Origin "https://app.example"');
    expect(c).toMatch(/header @cors_origin \{\n\tAccess-Control-Allow-Origin "\{header\.Origin\}"/);
    expect(c.match(/\{header\.Origin\}/g)).toHaveLength(1);
    expect(c).toContain("respond @cors_preflight 204");
    expect(c).toContain("header +Vary Origin");
  });
  it("Spring: allowedOriginPatterns with credentials, and Spring Security's cors() when the preflight was rejected", () => {
    const c = code("spring");
    expect(c).toContain('.allowedOriginPatterns("https://app.example")');
    expect(c).not.toContain(".allowedOrigins(");
    expect(c).not.toContain("SecurityFilterChain securityFilterChain");
    const rejected = code("spring", makeDiagnosis({ code: "PreflightInvalidStatus" }));
    expect(rejected).toContain("http.cors(Customizer.withDefaults());");
    expect(rejected).toContain("import org.springframework.security.web.SecurityFilterChain;");
  });
  it("Spring: an origin with pattern syntax goes to allowedOrigins (exact), with a note", () => {
    const f = generate("spring", makeDiagnosis(), makeExchange({ request: { origin: "https://a\\E.b\\Q" } }));
    expect(f.code).toContain('.allowedOrigins("https://a\\\\E.b\\\\Q")');
    expect(f.code).not.toContain("allowedOriginPatterns(");
    expect(f.notes.join(" ")).toMatch(/exact match/);
  });
  it("ASP.NET: WithOrigins + AllowCredentials, UseCors between UseRouting and UseAuthentication", () => {
    const c = code("aspnet");
    expect(c).toContain('policy.WithOrigins("https://app.example")');
    const order = ["app.UseRouting();", "app.UseCors(CorsPolicyName);", "app.UseAuthentication();", "app.UseAuthorization();"].map((l) => c.indexOf(l));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(c).toContain(".SetPreflightMaxAge(TimeSpan.FromSeconds(600));");
  });
  it("Express: cors({origin: [...]}) with app.options in Express 5 path syntax before app.use", () => {
    const c = code("express");
    expect(c).toMatch(/origin: \[\n {4}'https:\/\/app\.example',\n {2}\]/);
    expect(c.indexOf("app.options('/{*splat}', cors(corsOptions));")).toBeGreaterThan(0);
    expect(c.indexOf("app.options('/{*splat}'")).toBeLessThan(c.indexOf("app.use(cors(corsOptions));"));
    expect(c).toContain("maxAge: 600,");
  });
  it("Koa: an origin function that returns '' for unlisted origins", () => {
    expect(code("koa")).toContain("origin: (ctx) => (allowedOrigins.has(ctx.get('Origin')) ? ctx.get('Origin') : ''),");
    expect(code("koa", makeDiagnosis({ code: "PreflightMissingAllowPrivateNetwork" }))).toContain("privateNetworkAccess: true,");
  });
  it("Fastify: registers @fastify/cors with an origin array", () => {
    expect(code("fastify")).toMatch(/await fastify\.register\(cors, \{\n {2}origin: \[\n {4}'https:\/\/app\.example',/);
  });
  it("rack-cors: insert_before 0, lower-case methods", () => {
    const c = code("rails");
    expect(c).toContain("Rails.application.config.middleware.insert_before 0, Rack::Cors do");
    expect(c).toContain('origins "https://app.example"');
    expect(c).toContain('methods: ["put", "get", "head", "post"],');
  });
  it("django: CORS_ALLOWED_ORIGINS, CorsMiddleware first, default headers kept", () => {
    const c = code("django");
    expect(c).toMatch(/CORS_ALLOWED_ORIGINS = \[\n {4}'https:\/\/app\.example',\n\]/);
    expect(c.indexOf("'corsheaders.middleware.CorsMiddleware'")).toBeLessThan(c.indexOf("# ... your other middleware ..."));
    expect(c).toContain("CORS_ALLOW_HEADERS = (*default_headers, 'x-token')");
    expect(code("django", makeDiagnosis(), makeExchange({ request: { headers: { "content-type": "application/json" } } }))).toContain("CORS_ALLOW_HEADERS = default_headers");
    expect(code("django", makeDiagnosis({ code: "PreflightMissingAllowPrivateNetwork" }))).toContain("CORS_ALLOW_PRIVATE_NETWORK = True");
  });
  it("FastAPI: allow_methods lists the method (the default is GET only)", () => {
    expect(code("fastapi")).toContain("allow_methods=['PUT', 'GET', 'HEAD', 'POST'],  # the default is GET only");
    expect(code("fastapi")).toContain("allow_origins=[");
  });
  it("Flask: a plain string origin, or an escaped exact pattern when Flask-CORS would read it as a regex", () => {
    expect(code("flask")).not.toContain("import re");
    const f = generate("flask", makeDiagnosis(), makeExchange({ request: { origin: "https://app.example$" } }));
    expect(f.code).toContain("import re");
    expect(f.code).toContain("re.compile(re.escape('https://app.example$') + r'\\Z'),");
    expect(f.notes.join(" ")).toMatch(/regular expression/);
  });
  it("Next.js: an OPTIONS export, the method's handler when it can be exported, the allowlist check", () => {
    const c = code("nextjs");
    expect(c).toContain("export async function OPTIONS(request: Request) {");
    expect(c).toContain("export async function PUT(request: Request) {");
    expect(c).toContain("if (origin !== null && ALLOWED_ORIGINS.has(origin)) {");
    const lower = code("nextjs", makeDiagnosis(), makeExchange({ request: { method: "patch" } }));
    expect(lower).not.toMatch(/export async function (patch|PATCH)/);
    expect(lower).toContain("// Add `headers: corsHeaders(request)`");
  });
  it("Cloudflare: OPTIONS handled in fetch before the app, Vary appended not replaced", () => {
    const c = code("cloudflare");
    expect(c.indexOf("if (request.method === 'OPTIONS') {")).toBeLessThan(c.indexOf("await handleRequest("));
    expect(c).toContain("request.headers.get('Origin')");
    expect(c).toContain("if (name === 'vary') withCors.headers.append(name, value);");
  });
  it("Go: rs/cors AllowedOrigins, wrapped outside auth", () => {
    const c = code("go");
    expect(c).toMatch(/AllowedOrigins: \[\]string\{\n\t\t\t"https:\/\/app\.example",\n\t\t\},/);
    expect(c).toContain("withCORS(authMiddleware(mux))");
    expect(code("go", makeDiagnosis({ code: "PreflightMissingAllowPrivateNetwork" }))).toContain("AllowPrivateNetwork: true,");
  });
});
