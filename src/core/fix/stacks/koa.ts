// Koa with @koa/cors (https://github.com/koajs/cors): an origin function is its allowlist.
import { jsString as q, literalList } from "../escape";
import { TODO_ORIGIN, type Policy, type Rendered } from "../policy";

export function koa(p: Policy): Rendered {
  const lines = [
    "import cors from '@koa/cors';",
    "",
    "const allowedOrigins = new Set([",
    ...(p.placeholder ? [`  // ${TODO_ORIGIN}`] : []),
    `  ${q(p.origin)},`,
    "]);",
    "",
    "// Before your auth middleware: the preflight (OPTIONS) never carries cookies.",
    "app.use(cors({",
    "  // Echo only a listed origin; '' makes @koa/cors skip the CORS headers. It always adds Vary: Origin.",
    "  origin: (ctx) => (allowedOrigins.has(ctx.get('Origin')) ? ctx.get('Origin') : ''),",
    ...(p.credentials ? ["  credentials: true,"] : []),
    `  allowMethods: [${literalList(p.methods, q)}],`,
    `  allowHeaders: [${literalList(p.headers, q)}],`,
    ...(p.exposeHeaders.length ? [`  exposeHeaders: [${literalList(p.exposeHeaders, q)}],`] : []),
    `  maxAge: ${p.maxAge},`,
    ...(p.privateNetwork ? ["  privateNetworkAccess: true,"] : []),
    "  keepHeadersOnError: true,",
    "}));",
  ];
  const notes: string[] = [];
  if (p.preflightBeforeAuth) notes.push("Koa runs middleware in app.use order: put cors above the middleware that checks the session or token.");
  if (p.duplicateLayer) notes.push("If a proxy in front of Koa also adds Access-Control-* headers, remove them there, or drop this middleware.");
  return { code: lines.join("\n"), notes };
}
