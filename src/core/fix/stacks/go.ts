// Go net/http with github.com/rs/cors.
import { goString as q, literalList } from "../escape";
import { TODO_ORIGIN, type Policy, type Rendered } from "../policy";

export function go(p: Policy): Rendered {
  const lines = [
    "package main",
    "",
    "import (",
    '\t"net/http"',
    "",
    '\t"github.com/rs/cors"',
    ")",
    "",
    "// withCORS wraps the outermost handler, so the preflight is answered before any auth middleware.",
    "func withCORS(next http.Handler) http.Handler {",
    "\tc := cors.New(cors.Options{",
    "\t\t// An explicit allowlist: only a listed origin is echoed, with Vary: Origin.",
    "\t\tAllowedOrigins: []string{",
    ...(p.placeholder ? [`\t\t\t// ${TODO_ORIGIN}`] : []),
    `\t\t\t${q(p.origin)},`,
    "\t\t},",
    ...(p.credentials ? ["\t\tAllowCredentials: true,"] : []),
    `\t\tAllowedMethods: []string{${literalList(p.methods, q)}},`,
    `\t\tAllowedHeaders: []string{${literalList(p.headers, q)}},`,
    ...(p.exposeHeaders.length ? [`\t\tExposedHeaders: []string{${literalList(p.exposeHeaders, q)}},`] : []),
    `\t\tMaxAge: ${p.maxAge},`,
    ...(p.privateNetwork ? ["\t\tAllowPrivateNetwork: true,"] : []),
    "\t})",
    "\treturn c.Handler(next)",
    "}",
    "",
    "// http.ListenAndServe(\":8080\", withCORS(authMiddleware(mux)))",
  ];
  const notes: string[] = [];
  if (p.preflightBeforeAuth) notes.push("rs/cors answers the preflight itself without calling the next handler: wrap it outside your auth middleware, as in the last line.");
  if (p.duplicateLayer) notes.push("If a proxy in front of the Go server also adds Access-Control-* headers, remove them there, or drop rs/cors.");
  return { code: lines.join("\n"), notes };
}
