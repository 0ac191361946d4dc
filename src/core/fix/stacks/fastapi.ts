// FastAPI / Starlette CORSMiddleware (https://www.starlette.io/middleware/#corsmiddleware).
import { literalList, pyString as q } from "../escape";
import { TODO_ORIGIN, type Policy, type Rendered } from "../policy";

export function fastapi(p: Policy): Rendered {
  const lines = [
    ...(p.serverError
      ? [
          "import logging",
          "",
          "from fastapi import Request",
          "from fastapi.middleware.cors import CORSMiddleware",
          "from fastapi.responses import JSONResponse",
          "",
          "# Added before CORSMiddleware, so it runs inside it: an unhandled exception becomes a 500 that",
          "# passes back through CORSMiddleware and gets the CORS headers. Starlette's own 500, and any",
          "# @app.exception_handler(Exception), answer from ServerErrorMiddleware, outside every middleware.",
          "@app.middleware('http')",
          "async def errors_inside_cors(request: Request, call_next):",
          "    try:",
          "        return await call_next(request)",
          "    except Exception:",
          "        logging.getLogger(__name__).exception('Unhandled error')",
          "        return JSONResponse({'detail': 'Internal Server Error'}, status_code=500)",
          "",
        ]
      : ["from fastapi.middleware.cors import CORSMiddleware", ""]),
    "# Add it last: the last middleware added is the outermost, so it answers the preflight before any",
    "# auth middleware runs (the preflight never carries cookies).",
    "# An explicit allowlist: only a listed origin is echoed, with Vary: Origin.",
    "app.add_middleware(",
    "    CORSMiddleware,",
    "    allow_origins=[",
    ...(p.placeholder ? [`        # ${TODO_ORIGIN}`] : []),
    `        ${q(p.origin)},`,
    "    ],",
    ...(p.credentials ? ["    allow_credentials=True,"] : []),
    `    allow_methods=[${literalList(p.methods, q)}],  # the default is GET only`,
    `    allow_headers=[${literalList(p.headers, q)}],`,
    ...(p.exposeHeaders.length ? [`    expose_headers=[${literalList(p.exposeHeaders, q)}],`] : []),
    `    max_age=${p.maxAge},`,
    ")",
  ];
  const notes: string[] = [];
  const errorNotes = p.serverError
    ? [
        "Starlette wraps every middleware you add in its ServerErrorMiddleware, and moves an @app.exception_handler(Exception) or (500) there too, so the 500 of an unhandled exception never passes through CORSMiddleware and has no CORS headers. The catch-all middleware in the snippet, added before CORSMiddleware (so inside it), answers that 500 where CORSMiddleware can add them; HTTPException responses (401, 404, …) already pass through it.",
      ]
    : [];
  if (p.preflightBeforeAuth) notes.push("Starlette runs the last-added middleware first: call add_middleware(CORSMiddleware, ...) after adding any auth middleware, and don't enforce auth on OPTIONS routes.");
  if (p.duplicateLayer) notes.push("If a proxy in front of FastAPI also adds Access-Control-* headers, remove them there, or drop CORSMiddleware.");
  return { code: lines.join("\n"), notes, errorNotes };
}
