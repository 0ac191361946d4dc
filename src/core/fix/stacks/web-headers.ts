// The allowlist check shared by the two stacks that build a Fetch-API `Headers` by hand (Next.js route
// handlers and Cloudflare Workers): the same JavaScript, with or without TypeScript annotations.
import { jsString as q } from "../escape";
import { TODO_ORIGIN, headerPairs, type Policy } from "../policy";

export function corsHeadersFunction(p: Policy, ts: boolean): string[] {
  return [
    ts ? "const ALLOWED_ORIGINS = new Set<string>([" : "const ALLOWED_ORIGINS = new Set([",
    ...(p.placeholder ? [`  // ${TODO_ORIGIN}`] : []),
    `  ${q(p.origin)},`,
    "]);",
    "",
    "// CORS headers for this request: the Origin is echoed only when it is on the allowlist.",
    ts ? "function corsHeaders(request: Request): Headers {" : "function corsHeaders(request) {",
    "  const headers = new Headers({ Vary: 'Origin' });",
    "  const origin = request.headers.get('Origin');",
    "  if (origin !== null && ALLOWED_ORIGINS.has(origin)) {",
    "    headers.set('Access-Control-Allow-Origin', origin);",
    ...headerPairs(p).map(([name, value]) => `    headers.set(${q(name)}, ${q(value)});`),
    "  }",
    "  return headers;",
    "}",
  ];
}
