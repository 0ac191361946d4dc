// Cloudflare Workers (module syntax): OPTIONS answered in the fetch handler, headers added to every response.
import type { Policy, Rendered } from "../policy";
import { corsHeadersFunction } from "./web-headers";

export function cloudflare(p: Policy): Rendered {
  const lines = [
    ...corsHeadersFunction(p, false),
    "",
    "export default {",
    "  async fetch(request, env, ctx) {",
    "    // The preflight never carries cookies: answer it here, before any auth check.",
    "    if (request.method === 'OPTIONS') {",
    "      return new Response(null, { status: 204, headers: corsHeaders(request) });",
    "    }",
    ...(p.serverError
      ? [
          "    let response;",
          "    try {",
          "      response = await handleRequest(request, env, ctx); // your existing logic",
          "    } catch (error) {",
          "      // Uncaught, the exception becomes Cloudflare's error 1101 page, without CORS headers.",
          "      console.error(error);",
          "      response = new Response('Internal Server Error', { status: 500 });",
          "    }",
          "    // Every response gets the headers, the origin's 4xx/5xx and the 500 above included.",
        ]
      : ["    const response = await handleRequest(request, env, ctx); // your existing logic"]),
    "    const withCors = new Response(response.body, response);",
    "    for (const [name, value] of corsHeaders(request)) {",
    "      if (name === 'vary') withCors.headers.append(name, value);",
    "      else withCors.headers.set(name, value);",
    "    }",
    "    return withCors;",
    "  },",
    "};",
  ];
  const notes: string[] = [];
  const errorNotes = p.serverError
    ? [
        "The Worker adds the CORS headers to whatever response it returns, so the origin's own 4xx/5xx get them; an exception thrown in the Worker itself becomes Cloudflare's error page 1101, without them. Catch it and answer 500 with the headers, as in the snippet, and return early error responses (a 401 from your auth check) through the same header loop.",
      ]
    : [];
  if (p.preflightBeforeAuth) notes.push("Keep the OPTIONS branch first in fetch(), above any check of cookies, Authorization or Cloudflare Access.");
  if (p.duplicateLayer) notes.push("If the origin server behind the Worker also sends Access-Control-* headers, remove them there: this Worker sets them (set() replaces, it does not add a second value).");
  return { code: lines.join("\n"), notes, errorNotes };
}
