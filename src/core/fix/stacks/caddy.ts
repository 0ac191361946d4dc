// Caddy (Caddyfile): a `header` matcher on the Origin as the allowlist, echoing {header.Origin}, and a
// 204 for the preflight.
import { configString } from "../escape";
import { TODO_ORIGIN, configView, headerPairs, type Policy, type Rendered } from "../policy";

export function caddy(p: Policy): Rendered {
  const v = configView(p, "Caddy");
  const origin = configString(v.origin) ?? '""';
  const headerLines = headerPairs(p, v)
    .map(([name, value]) => [name, configString(value)] as const)
    .filter((pair): pair is readonly [string, string] => pair[1] !== null)
    .map(([name, value]) => `	${name} ${value}`);
  const lines = [
    "# Inside the site block that serves the API.",
    "# The allowlist: these matchers accept only an exact, listed Origin.",
    ...(v.placeholder ? [`# ${TODO_ORIGIN}`] : []),
    `@cors_origin header Origin ${origin}`,
    "@cors_preflight {",
    "	method OPTIONS",
    `	header Origin ${origin}`,
    "}",
    "",
    "header +Vary Origin",
    "header @cors_origin {",
    '	Access-Control-Allow-Origin "{header.Origin}"',
    ...headerLines,
    "}",
    "",
    "# The preflight never carries cookies: answer it with 204.",
    "respond @cors_preflight 204",
    "",
    "# Caddy orders basic_auth/forward_auth before respond, so keep authentication off the preflight:",
    "# @authenticated not method OPTIONS",
    "# forward_auth @authenticated ...   (or: basic_auth @authenticated { ... })",
  ];
  const notes = [...v.notes];
  const errorNotes = p.serverError
    ? [
        "Caddy's `header` directive runs first and sets these headers before the request is handled, so they stay on error responses: a basic_auth or forward_auth 401, a file_server 404, a reverse_proxy 502 when the upstream is down, and what a handle_errors block writes. Keep it that way: a deferred header block (`defer`, or a `-Field` deletion in it) is applied only when the route writes the response itself, so Caddy's error responses lose it.",
      ]
    : [];
  if (p.preflightBeforeAuth) notes.push("Caddy runs basic_auth and forward_auth before respond: give them a matcher that excludes OPTIONS (the commented lines) so the preflight is not rejected.");
  if (p.duplicateLayer) notes.push("If the upstream also sends Access-Control-* headers, drop its copies in reverse_proxy with header_down -Access-Control-Allow-Origin (and the other Access-Control-* names).");
  return { code: lines.join("\n"), notes, errorNotes };
}
