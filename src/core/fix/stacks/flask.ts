// Flask with Flask-CORS (https://flask-cors.readthedocs.io/).
import { literalList, pyString as q } from "../escape";
import { TODO_ORIGIN, type Policy, type Rendered } from "../policy";

/** Flask-CORS treats an origin string holding any of these as a regex (its probably_regex()). */
const REGEX_HINTS = /[*\\\]?$^[()]/;

export function flask(p: Policy): Rendered {
  // An origin that Flask-CORS would mistake for a regex is passed as an exact, escaped, anchored pattern.
  const asPattern = REGEX_HINTS.test(p.origin);
  const origin = asPattern ? `re.compile(re.escape(${q(p.origin)}) + r'\\Z')` : q(p.origin);
  const lines = [
    ...(asPattern ? ["import re", ""] : []),
    "from flask_cors import CORS",
    "",
    "# An explicit allowlist: Flask-CORS echoes the Origin only when it is listed, and adds Vary: Origin.",
    "CORS(",
    "    app,",
    "    origins=[",
    ...(p.placeholder ? [`        # ${TODO_ORIGIN}`] : []),
    `        ${origin},`,
    "    ],",
    ...(p.credentials ? ["    supports_credentials=True,"] : []),
    `    methods=[${literalList(p.methods, q)}],`,
    `    allow_headers=[${literalList(p.headers, q)}],`,
    ...(p.exposeHeaders.length ? [`    expose_headers=[${literalList(p.exposeHeaders, q)}],`] : []),
    `    max_age=${p.maxAge},`,
    ")",
  ];
  const notes: string[] = [];
  const errorNotes = p.serverError
    ? [
        "Flask-CORS also puts the headers on error responses: its intercept_exceptions option (on by default) wraps Flask's exception handlers, so abort(401), a 404 and an unhandled 500 carry them. Not in debug mode, where the exception goes to Werkzeug's debugger page, which has none: check the error with debug off. A 502/504 from the WSGI server or a proxy in front never has them.",
      ]
    : [];
  if (asPattern) notes.push("Flask-CORS would read this origin as a regular expression, so it is given as an escaped pattern that matches it exactly.");
  if (p.preflightBeforeAuth) notes.push("Flask-CORS answers the preflight after before_request hooks run: make any auth hook skip OPTIONS (if request.method == 'OPTIONS': return None).");
  if (p.duplicateLayer) notes.push("If a proxy in front of Flask also adds Access-Control-* headers, remove them there, or drop Flask-CORS.");
  return { code: lines.join("\n"), notes, errorNotes };
}
