// The JavaScript, TypeScript and Python snippets are executed against small stand-ins for their
// libraries: the options they pass must hold the exact (possibly hostile) values, and the hand-written
// allowlists (Koa, Next.js, Cloudflare, Flask patterns) must echo the listed origin and nothing else.
import { execFileSync } from "node:child_process";
import { runInNewContext } from "node:vm";
import { transformSync } from "esbuild";
import { generate } from "../../../src/core/fix";
import { PLACEHOLDER_ORIGIN } from "../../../src/core/fix/policy";
import type { Diagnosis, Exchange, Stack } from "../../../src/core/types";
import { hasPython } from "./helpers/checkers";
import { makeDiagnosis, makeExchange, serverErrorCase } from "./helpers/fixtures";

const HOSTILE_ORIGIN = "https://evil.example\"'\\$`{}</script>#{x}${y}%;\\n\\u0041\\x41";
const HOSTILE_METHOD = "PU'$`T";
const HOSTILE_HEADERS = ["x-$a", "x-`b`", "x-'c'"];

interface Case {
  name: string;
  d: Diagnosis;
  x: Exchange;
  origin: string;
  method: string;
  headers: string[];
}

const CASES: Case[] = [
  { name: "default", d: makeDiagnosis(), x: makeExchange(), origin: "https://app.example", method: "PUT", headers: ["x-token"] },
  {
    name: "hostile",
    d: makeDiagnosis(),
    x: makeExchange({ request: { origin: HOSTILE_ORIGIN, method: HOSTILE_METHOD, headers: Object.fromEntries(HOSTILE_HEADERS.map((h) => [h, "1"])) } }),
    origin: HOSTILE_ORIGIN,
    method: HOSTILE_METHOD,
    headers: [...HOSTILE_HEADERS].sort(),
  },
];
const OPAQUE = { d: makeDiagnosis(), x: makeExchange({ request: { origin: "null" } }) };

const notAllowed = (origin: string) => [origin + "x", "x" + origin, "https://evil.example", "null", ""];

/** Runs a JS/TS snippet in a fresh context with the given globals; returns its exports. */
async function run(code: string, loader: "js" | "ts", globals: Record<string, unknown>): Promise<Record<string, unknown>> {
  let js: string;
  if (/^export /m.test(code)) {
    js = transformSync(code, { loader, format: "cjs" }).code;
  } else {
    // Top-level await (Fastify) is not allowed in CommonJS: run the module body inside an async function.
    const esm = transformSync(code, { loader, format: "esm" }).code;
    js = `module.exports.__done = (async () => {\n${esm.replace(/^import (\w+) from ("[^"]+");$/gm, "const $1 = require($2);")}\n})();`;
  }
  const module = { exports: {} as Record<string, unknown> };
  runInNewContext(js, { module, exports: module.exports, Headers, Response, ...globals });
  await module.exports.__done;
  return module.exports;
}

function requireStub(modules: Record<string, unknown>) {
  return (name: string) => {
    if (!(name in modules)) throw new Error(`unexpected require(${name})`);
    return modules[name];
  };
}

const fakeRequest = (method: string, origin: string | null) => ({
  method,
  headers: { get: (n: string) => (n.toLowerCase() === "origin" ? origin : null) },
});

describe.each(CASES)("$name values reach the library options exactly", (c) => {
  const code = (stack: Stack) => generate(stack, c.d, c.x).code;

  it("express: cors(options) with the origin allowlist, before app.use", async () => {
    const options: Array<Record<string, unknown>> = [];
    const calls: string[] = [];
    const cors = (o: Record<string, unknown>) => (options.push(o), () => undefined);
    const app = { options: (path: string) => calls.push(`options ${path}`), use: () => calls.push("use") };
    await run(code("express"), "js", { require: requireStub({ cors }), app });
    expect(calls).toEqual(["options /{*splat}", "use"]);
    expect(options).toHaveLength(2);
    expect(options[0]).toEqual({ origin: [c.origin], credentials: true, methods: [c.method, "GET", "HEAD", "POST"], allowedHeaders: c.headers, maxAge: 600 });
  });

  it("fastify: register(@fastify/cors, options)", async () => {
    const registered: Array<[unknown, Record<string, unknown>]> = [];
    const plugin = () => undefined;
    const fastify = { register: async (p: unknown, o: Record<string, unknown>) => void registered.push([p, o]) };
    await run(code("fastify"), "js", { require: requireStub({ "@fastify/cors": plugin }), fastify });
    expect(registered).toHaveLength(1);
    expect(registered[0]![0]).toBe(plugin);
    expect(registered[0]![1]).toMatchObject({ origin: [c.origin], credentials: true, allowedHeaders: c.headers });
  });

  it("koa: the origin function echoes the listed origin only", async () => {
    const options: Array<Record<string, unknown>> = [];
    const app = { use: () => undefined };
    await run(code("koa"), "js", { require: requireStub({ "@koa/cors": (o: Record<string, unknown>) => (options.push(o), () => undefined) }), app });
    const origin = options[0]!.origin as (ctx: unknown) => string;
    const ctx = (o: string) => ({ get: (n: string) => (n === "Origin" ? o : "") });
    expect(origin(ctx(c.origin))).toBe(c.origin);
    for (const o of notAllowed(c.origin)) expect(origin(ctx(o))).toBe("");
    expect(options[0]).toMatchObject({ credentials: true, allowMethods: [c.method, "GET", "HEAD", "POST"], allowHeaders: c.headers });
  });

  it("nextjs: OPTIONS answers 204 with CORS headers for the listed origin only", async () => {
    const mod = await run(code("nextjs"), "ts", {});
    const OPTIONS = mod.OPTIONS as (r: unknown) => Promise<Response>;
    const ok = await OPTIONS(fakeRequest("OPTIONS", c.origin));
    expect(ok.status).toBe(204);
    expect(ok.headers.get("access-control-allow-origin")).toBe(c.origin);
    expect(ok.headers.get("access-control-allow-credentials")).toBe("true");
    expect(ok.headers.get("access-control-allow-headers")).toBe(c.headers.join(", "));
    expect(ok.headers.get("vary")).toBe("Origin");
    for (const o of notAllowed(c.origin)) {
      const no = await OPTIONS(fakeRequest("OPTIONS", o));
      expect(no.headers.get("access-control-allow-origin")).toBeNull();
      expect(no.headers.get("access-control-allow-credentials")).toBeNull();
    }
  });

  it("cloudflare: preflight answered in fetch; app responses get the headers, Vary appended", async () => {
    const handleRequest = async () => new Response("ok", { headers: { vary: "Accept" } });
    const mod = await run(code("cloudflare"), "js", { handleRequest });
    const worker = mod.default as { fetch: (r: unknown, env: unknown, ctx: unknown) => Promise<Response> };
    const pre = await worker.fetch(fakeRequest("OPTIONS", c.origin), {}, {});
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe(c.origin);
    const actual = await worker.fetch(fakeRequest("PUT", c.origin), {}, {});
    expect(await actual.text()).toBe("ok");
    expect(actual.headers.get("access-control-allow-origin")).toBe(c.origin);
    expect(actual.headers.get("vary")).toBe("Accept, Origin");
    const other = await worker.fetch(fakeRequest("PUT", "https://evil.example"), {}, {});
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("a hidden server error: the error path gets the CORS headers too", () => {
  const { d, x } = serverErrorCase("actual", 500);
  it("cloudflare: an exception in the Worker becomes a 500 with the headers; the origin's 503 keeps them", async () => {
    let fail = true;
    const handleRequest = async () => {
      if (fail) throw new Error("boom");
      return new Response("down", { status: 503 });
    };
    const mod = await run(generate("cloudflare", d, x).code, "js", { handleRequest, console: { error: () => undefined } });
    const worker = mod.default as { fetch: (r: unknown, env: unknown, ctx: unknown) => Promise<Response> };
    const crashed = await worker.fetch(fakeRequest("PUT", "https://app.example"), {}, {});
    expect(crashed.status).toBe(500);
    expect(crashed.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(crashed.headers.get("access-control-allow-credentials")).toBe("true");
    fail = false;
    const down = await worker.fetch(fakeRequest("PUT", "https://app.example"), {}, {});
    expect(down.status).toBe(503);
    expect(down.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect((await worker.fetch(fakeRequest("PUT", "https://evil.example"), {}, {})).headers.get("access-control-allow-origin")).toBeNull();
  });
  it("nextjs: the handler still answers with the headers, and OPTIONS still 204", async () => {
    const mod = await run(generate("nextjs", d, x).code, "ts", { console: { error: () => undefined } });
    const put = await (mod.PUT as (r: unknown) => Promise<Response>)(fakeRequest("PUT", "https://app.example"));
    expect(put.status).toBe(200);
    expect(put.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect((await (mod.OPTIONS as (r: unknown) => Promise<Response>)(fakeRequest("OPTIONS", "https://app.example"))).status).toBe(204);
  });
});

describe("an opaque origin is never allowed by the hand-written allowlists", () => {
  it.each([["nextjs"], ["cloudflare"]] as const)("%s", async (stack) => {
    const mod = await run(generate(stack, OPAQUE.d, OPAQUE.x).code, stack === "nextjs" ? "ts" : "js", { handleRequest: async () => new Response("") });
    const call = stack === "nextjs"
      ? (o: string) => (mod.OPTIONS as (r: unknown) => Promise<Response>)(fakeRequest("OPTIONS", o))
      : (o: string) => (mod.default as { fetch: (r: unknown) => Promise<Response> }).fetch(fakeRequest("OPTIONS", o));
    expect((await call("null")).headers.get("access-control-allow-origin")).toBeNull();
    expect((await call(PLACEHOLDER_ORIGIN)).headers.get("access-control-allow-origin")).toBe(PLACEHOLDER_ORIGIN);
  });
});

// ---- Python: exec the snippet with stand-in modules --------------------------------------------------

const PY_RUN = String.raw`
import asyncio, json, logging, re, sys, types
DEFAULT_HEADERS = ("accept", "authorization", "content-type", "user-agent", "x-csrftoken", "x-requested-with")
def enc(v):
    if isinstance(v, re.Pattern): return {"re": v.pattern}
    if isinstance(v, (list, tuple)): return [enc(x) for x in v]
    return v
out = []
for item in json.load(sys.stdin):
    cap = {}
    order = []
    http_middleware = []
    class App:
        def add_middleware(self, cls, **kw):
            order.append("add_middleware " + cls.__name__)
            cap["middleware"] = cls.__name__
            cap.update(kw)
        def middleware(self, kind):
            def register(f):
                order.append("middleware " + kind)
                http_middleware.append(f)
                return f
            return register
    flask_cors = types.ModuleType("flask_cors")
    def CORS(app, **kw): cap.update(kw)
    flask_cors.CORS = CORS
    defaults = types.ModuleType("corsheaders.defaults")
    defaults.default_headers = DEFAULT_HEADERS
    corsheaders = types.ModuleType("corsheaders")
    corsheaders.defaults = defaults
    starlette = types.ModuleType("fastapi.middleware.cors")
    class CORSMiddleware: pass
    starlette.CORSMiddleware = CORSMiddleware
    fastapi = types.ModuleType("fastapi")
    fastapi.Request = type("Request", (), {})
    responses = types.ModuleType("fastapi.responses")
    class JSONResponse:
        def __init__(self, content, status_code=200):
            self.content, self.status_code = content, status_code
    responses.JSONResponse = JSONResponse
    sys.modules.update({"flask_cors": flask_cors, "corsheaders": corsheaders, "corsheaders.defaults": defaults,
        "fastapi": fastapi, "fastapi.middleware": types.ModuleType("fastapi.middleware"),
        "fastapi.middleware.cors": starlette, "fastapi.responses": responses})
    g = {"app": App(), "__name__": "snippet"}
    exec(compile(item["code"], "snippet.py", "exec"), g)
    if item["stack"] == "django":
        cap = {k: v for k, v in g.items() if k.startswith("CORS_") or k in ("MIDDLEWARE", "INSTALLED_APPS")}
    # Flask-CORS's own matching: a compiled pattern uses re.match, a plain string compares exactly.
    origins = cap.get("origins", [])
    allowed = {p: any((re.match(o, p) is not None) if isinstance(o, re.Pattern) else o == p for o in origins) for p in item["probes"]}
    # The catch-all error middleware (serverError): run it on a handler that raises.
    caught = None
    if http_middleware:
        async def failing(request):
            raise RuntimeError("boom")
        logging.disable(logging.CRITICAL)
        r = asyncio.run(http_middleware[0](fastapi.Request(), failing))
        caught = {"status": r.status_code, "content": r.content}
    out.append({"values": {k: enc(v) for k, v in cap.items()}, "allowed": allowed, "order": order, "caught": caught})
print(json.dumps(out))
`;

describe("Python snippets, executed with stand-in modules", () => {
  const stacks: Stack[] = ["flask", "django", "fastapi"];
  const items = CASES.flatMap((c) => stacks.map((stack) => ({ c, stack })));
  const results: Array<{ values: Record<string, unknown>; allowed: Record<string, boolean> }> = hasPython()
    ? JSON.parse(
        execFileSync("python3", ["-c", PY_RUN], {
          encoding: "utf-8",
          input: JSON.stringify(items.map(({ c, stack }) => ({ stack, code: generate(stack, c.d, c.x).code, probes: [c.origin, ...notAllowed(c.origin)] }))),
        }),
      )
    : [];
  const run = hasPython() ? it.each(items.map((it, i) => [it.c.name, it.stack, it.c, i] as const)) : it.skip.each([] as Array<[string, Stack, Case, number]>);
  run("%s / %s", (_, stack, c, i) => {
    const { values, allowed } = results[i]!;
    if (stack === "flask") {
      expect(values).toMatchObject({ supports_credentials: true, methods: [c.method, "GET", "HEAD", "POST"], allow_headers: c.headers, max_age: 600 });
      expect(allowed[c.origin]).toBe(true);
      for (const o of notAllowed(c.origin)) expect(allowed[o]).toBe(false);
    } else if (stack === "django") {
      expect(values.CORS_ALLOWED_ORIGINS).toEqual([c.origin]);
      expect(values.CORS_ALLOW_CREDENTIALS).toBe(true);
      expect(values.CORS_ALLOW_METHODS).toEqual([c.method, "GET", "HEAD", "POST"]);
      expect(values.CORS_ALLOW_HEADERS).toEqual(["accept", "authorization", "content-type", "user-agent", "x-csrftoken", "x-requested-with", ...c.headers]);
      expect((values.MIDDLEWARE as string[])[0]).toBe("corsheaders.middleware.CorsMiddleware");
    } else {
      expect(values).toEqual({
        middleware: "CORSMiddleware", allow_origins: [c.origin], allow_credentials: true,
        allow_methods: [c.method, "GET", "HEAD", "POST"], allow_headers: c.headers, max_age: 600,
      });
    }
  });
  if (!hasPython()) it("python3 not found: Python execution checks skipped", () => undefined);
});

describe("FastAPI with a hidden server error, executed with stand-in modules", () => {
  const run = hasPython() ? it : it.skip;
  run("the catch-all middleware is registered before CORSMiddleware (so inside it) and answers a raised exception with a 500", () => {
    const { d, x } = serverErrorCase("actual", 500);
    const [r] = JSON.parse(execFileSync("python3", ["-c", PY_RUN], {
      encoding: "utf-8",
      input: JSON.stringify([{ stack: "fastapi", code: generate("fastapi", d, x).code, probes: [] }]),
    })) as Array<{ order: string[]; caught: { status: number; content: unknown } | null; values: Record<string, unknown> }>;
    expect(r!.order).toEqual(["middleware http", "add_middleware CORSMiddleware"]);
    expect(r!.caught).toEqual({ status: 500, content: { detail: "Internal Server Error" } });
    expect(r!.values).toMatchObject({ middleware: "CORSMiddleware", allow_origins: ["https://app.example"], allow_credentials: true });
  });
});
