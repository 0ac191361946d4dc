// FastAPI / Starlette CORSMiddleware (https://www.starlette.io/middleware/#corsmiddleware).
import { literalList, pyString as q } from "../escape";
import { TODO_ORIGIN, type Policy, type Rendered } from "../policy";

export function fastapi(p: Policy): Rendered {
  const lines = [
    "from fastapi.middleware.cors import CORSMiddleware",
    "",
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
  if (p.preflightBeforeAuth) notes.push("Starlette runs the last-added middleware first: call add_middleware(CORSMiddleware, ...) after adding any auth middleware, and don't enforce auth on OPTIONS routes.");
  if (p.duplicateLayer) notes.push("If a proxy in front of FastAPI also adds Access-Control-* headers, remove them there, or drop CORSMiddleware.");
  return { code: lines.join("\n"), notes };
}
