// Go net/http with github.com/rs/cors.
import { goString as q, literalList } from "../escape";
import { TODO_ORIGIN, type Policy, type Rendered } from "../policy";

export function go(p: Policy): Rendered {
  const lines = [
    "package main",
    "",
    "import (",
    ...(p.serverError ? ['\t"log"'] : []),
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
    ...(p.serverError
      ? [
          "// recoverPanics answers a panic with a 500 inside withCORS, so it keeps the CORS headers (net/http's",
          "// own recovery closes the connection instead, and the browser sees a network error).",
          "func recoverPanics(next http.Handler) http.Handler {",
          "\treturn http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {",
          "\t\tdefer func() {",
          "\t\t\tif err := recover(); err != nil {",
          '\t\t\t\tlog.Printf("panic: %v", err)',
          '\t\t\t\thttp.Error(w, "Internal Server Error", http.StatusInternalServerError)',
          "\t\t\t}",
          "\t\t}()",
          "\t\tnext.ServeHTTP(w, r)",
          "\t})",
          "}",
          "",
          "// Wrap the whole mux, not single routes: every status written inside withCORS keeps its headers.",
          "// http.ListenAndServe(\":8080\", withCORS(recoverPanics(authMiddleware(mux))))",
        ]
      : ["// http.ListenAndServe(\":8080\", withCORS(authMiddleware(mux)))"]),
  ];
  const notes: string[] = [];
  const errorNotes = p.serverError
    ? [
        "rs/cors sets its headers before it calls the handler it wraps, so every status written inside it keeps them: http.Error's 500, a 401 from your auth middleware, the mux's 404. Wrap the outermost handler (the whole mux, auth inside), not single routes, as in the last line; a handler or middleware outside withCORS answers without them.",
      ]
    : [];
  if (p.preflightBeforeAuth) notes.push("rs/cors answers the preflight itself without calling the next handler: wrap it outside your auth middleware, as in the last line.");
  if (p.duplicateLayer) notes.push("If a proxy in front of the Go server also adds Access-Control-* headers, remove them there, or drop rs/cors.");
  return { code: lines.join("\n"), notes, errorNotes };
}
