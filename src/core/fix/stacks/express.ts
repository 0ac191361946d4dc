// Express with the `cors` package (https://github.com/expressjs/cors), Express 5 path syntax.
import { jsString as q, literalList } from "../escape";
import { TODO_ORIGIN, type Policy, type Rendered } from "../policy";

/** The options object body that both `cors` (Express) and `@fastify/cors` take, under the same names. */
export function corsPackageOptions(p: Policy): string[] {
  return [
    "  origin: [",
    ...(p.placeholder ? [`    // ${TODO_ORIGIN}`] : []),
    `    ${q(p.origin)},`,
    "  ],",
    ...(p.credentials ? ["  credentials: true,"] : []),
    `  methods: [${literalList(p.methods, q)}],`,
    `  allowedHeaders: [${literalList(p.headers, q)}],`,
    ...(p.exposeHeaders.length ? [`  exposedHeaders: [${literalList(p.exposeHeaders, q)}],`] : []),
    `  maxAge: ${p.maxAge},`,
  ];
}

export function express(p: Policy): Rendered {
  const lines = [
    "const cors = require('cors');",
    "",
    "// An explicit allowlist: cors echoes the Origin only when it is listed, and adds Vary: Origin.",
    "const corsOptions = {",
    ...corsPackageOptions(p),
    "};",
    "",
    "// Register these before any auth middleware: the preflight (OPTIONS) never carries cookies,",
    "// so it must get its 204 and CORS headers before authentication can reject it.",
    ...(p.serverError
      ? [
          "// First of all, also before express.json(): headers set here stay on every later response,",
          "// error responses included (a thrown error, a 401, Express's 404).",
        ]
      : []),
    "app.options('/{*splat}', cors(corsOptions)); // Express 4: app.options('*', cors(corsOptions))",
    "app.use(cors(corsOptions));",
  ];
  const notes: string[] = [];
  const errorNotes = p.serverError
    ? [
        "Express's error handlers (yours, and its default one, which also sends the 404) keep the headers already set, so register cors before every other middleware: then a thrown error, a 401 from auth or a missing route still carries the CORS headers. An error raised by a middleware registered before cors (express.json() rejecting a malformed body, a rate limiter) has none, and an error handler must not remove headers.",
      ]
    : [];
  if (p.preflightBeforeAuth) notes.push("In Express, middleware runs in registration order: put the two cors lines above your session/passport/auth middleware.");
  if (p.duplicateLayer) notes.push("If a proxy in front of Express (nginx, a load balancer) also adds Access-Control-* headers, remove them there, or drop this middleware.");
  return { code: lines.join("\n"), notes, errorNotes };
}
