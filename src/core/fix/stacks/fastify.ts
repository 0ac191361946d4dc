// Fastify with @fastify/cors (https://github.com/fastify/fastify-cors).
import type { Policy, Rendered } from "../policy";
import { corsPackageOptions } from "./express";

export function fastify(p: Policy): Rendered {
  const lines = [
    "import cors from '@fastify/cors';",
    "",
    "// Register before your auth hooks: the preflight (OPTIONS) never carries cookies.",
    "// An explicit allowlist: @fastify/cors echoes the Origin only when it is listed, with Vary: Origin.",
    "await fastify.register(cors, {",
    ...corsPackageOptions(p),
    "});",
  ];
  const notes: string[] = [];
  const errorNotes = p.serverError
    ? [
        "@fastify/cors sets the headers in an onRequest hook, and Fastify's error handler keeps the headers already set (the 404 handler runs the same lifecycle), so errors thrown later carry them. Register it first, before any plugin whose hook can reject the request (auth, rate limits), and don't remove headers in setErrorHandler.",
      ]
    : [];
  if (p.preflightBeforeAuth) notes.push("@fastify/cors answers the preflight in an onRequest hook: register it before any onRequest/preHandler hook that checks authentication.");
  if (p.duplicateLayer) notes.push("If a proxy in front of Fastify also adds Access-Control-* headers, remove them there, or drop this plugin.");
  return { code: lines.join("\n"), notes, errorNotes };
}
