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
    ...(handler
      ? [
          `export async function ${handler}(request: Request) {`,
          "  // ... your existing handler ...",
          "  return Response.json({ ok: true }, { headers: corsHeaders(request) });",
          "}",
        ]
      : ["// Add `headers: corsHeaders(request)` to the Response of each handler in this route."]),
  ];
  const notes: string[] = [];
  if (p.preflightBeforeAuth) notes.push("If middleware.ts checks authentication, let OPTIONS requests through first (return NextResponse.next() for them) so the preflight reaches this handler.");
  if (p.duplicateLayer) notes.push("If next.config.js headers() or a proxy also sets Access-Control-Allow-Origin, remove it there: keep CORS in this handler only.");
  return { code: lines.join("\n"), notes };
}
