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
    ...(p.serverError ? ["  // Koa's error handler removes every header already set; this puts the CORS ones back on the error."] : []),
    "  keepHeadersOnError: true,",
    "}));",
  ];
  const notes: string[] = [];
  const errorNotes = p.serverError
    ? [
        "When a middleware throws, Koa's default error handler (ctx.onerror) removes every header already set and sends only err.headers; keepHeadersOnError: true makes @koa/cors copy its headers onto the error, so the 4xx/5xx keeps them. Put cors first in app.use order, above the auth middleware, so every error is thrown inside it.",
      ]
    : [];
  if (p.preflightBeforeAuth) notes.push("Koa runs middleware in app.use order: put cors above the middleware that checks the session or token.");
  if (p.duplicateLayer) notes.push("If a proxy in front of Koa also adds Access-Control-* headers, remove them there, or drop this middleware.");
  return { code: lines.join("\n"), notes, errorNotes };
}
