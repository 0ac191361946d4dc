// Next.js App Router route handler (app/**/route.ts): an OPTIONS export plus headers on every response.
// next.config.js headers() cannot echo a per-request origin, so it is no allowlist.
import type { Policy, Rendered } from "../policy";
import { corsHeadersFunction } from "./web-headers";

/** The HTTP methods a route handler can export (besides OPTIONS). */
const HANDLER_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"];

export function nextjs(p: Policy): Rendered {
  const handler = p.method !== null && HANDLER_METHODS.includes(p.method) ? p.method : null;
  const lines = [
    "// app/<your route>/route.ts",
    ...corsHeadersFunction(p, true),
    "",
    "// The preflight: answered here with 204, before any auth check (it never carries cookies).",
    "export async function OPTIONS(request: Request) {",
    "  return new Response(null, { status: 204, headers: corsHeaders(request) });",
    "}",
    "",
    ...(handler && p.serverError
      ? [
          `export async function ${handler}(request: Request) {`,
          "  try {",
          "    // ... your existing handler ...",
          "    return Response.json({ ok: true }, { headers: corsHeaders(request) });",
          "  } catch (error) {",
          "    // Uncaught, the error becomes Next.js's own 500, without these headers: answer it here.",
          "    console.error(error);",
          "    return Response.json({ error: 'Internal Server Error' }, { status: 500, headers: corsHeaders(request) });",
          "  }",
          "}",
        ]
      : handler
        ? [
            `export async function ${handler}(request: Request) {`,
            "  // ... your existing handler ...",
            "  return Response.json({ ok: true }, { headers: corsHeaders(request) });",
            "}",
          ]
        : [
            "// Add `headers: corsHeaders(request)` to the Response of each handler in this route.",
            ...(p.serverError ? ["// Error responses too: catch errors and return the error Response with those headers."] : []),
          ]),
  ];
  const notes: string[] = [];
  const errorNotes = p.serverError
    ? [
        "Route handlers set the CORS headers on each Response themselves, so an error path must too: a handler that throws gets Next.js's own 500 without them. Catch errors and return the error Response with headers: corsHeaders(request), as in the snippet; if middleware.ts answers 401/403 itself, add the same headers to that response.",
      ]
    : [];
  if (p.preflightBeforeAuth) notes.push("If middleware.ts checks authentication, let OPTIONS requests through first (return NextResponse.next() for them) so the preflight reaches this handler.");
  if (p.duplicateLayer) notes.push("If next.config.js headers() or a proxy also sets Access-Control-Allow-Origin, remove it there: keep CORS in this handler only.");
  return { code: lines.join("\n"), notes, errorNotes };
}
