// nginx: a `map $http_origin` allowlist, `add_header ... always`, and OPTIONS answered with 204 in the
// rewrite phase, which runs before auth_request / auth_basic (access phase).
import { configRegex, configString } from "../escape";
import { TODO_ORIGIN, configView, headerPairs, type Policy, type Rendered } from "../policy";

export function nginx(p: Policy): Rendered {
  const v = configView(p, "nginx");
  // configView guarantees config-safe values; configString re-checks, and a null drops the line.
  const regex = configRegex(v.origin)?.replace(/^"/, '"~') ?? null;
  const headerLines = headerPairs(p, v)
    .map(([name, value]) => [name, configString(value)] as const)
    .filter((pair): pair is readonly [string, string] => pair[1] !== null)
    .map(([name, value]) => `        add_header ${name} ${value} always;`);
  const lines = [
    "# In the http {} block: the allowlist. $cors_allow_origin is the Origin when it is listed, else empty",
    "# (and add_header sends nothing for an empty value).",
    "map $http_origin $cors_allow_origin {",
    '    default "";',
    ...(v.placeholder ? [`    # ${TODO_ORIGIN}`] : []),
    ...(regex ? [`    ${regex} $http_origin;`] : []),
    "}",
    "",
    "server {",
    "    # ... your existing listen / server_name / ssl settings ...",
    "",
    "    location / {",
    "        # `always` keeps the headers on 4xx/5xx responses too. Keep every add_header of this location",
    "        # here: an add_header in a nested block drops all the inherited ones.",
    ...(p.duplicateLayer
      ? [
          "        # The upstream adds CORS headers too: hide its copies so only these are sent.",
          "        proxy_hide_header Access-Control-Allow-Origin;",
          "        proxy_hide_header Access-Control-Allow-Credentials;",
          "        proxy_hide_header Access-Control-Allow-Methods;",
          "        proxy_hide_header Access-Control-Allow-Headers;",
          "        proxy_hide_header Access-Control-Expose-Headers;",
          "        proxy_hide_header Access-Control-Max-Age;",
        ]
      : []),
    "        add_header Access-Control-Allow-Origin $cors_allow_origin always;",
    ...headerLines,
    "        add_header Vary Origin always;",
    "",
    "        # The preflight never carries cookies: answer it here, before auth_request/auth_basic run.",
    "        if ($request_method = OPTIONS) {",
    "            return 204;",
    "        }",
    "",
    "        # ... your existing proxy_pass / root / auth_request ...",
    "    }",
    "}",
  ];
  const notes = [...v.notes];
  const errorNotes = p.serverError
    ? [
        "Without `always`, nginx adds a header only to 200, 201, 204, 206, 301, 302, 303, 304, 307 and 308 responses: every add_header here has `always`, so a 401 from auth_request, a 404, the upstream's 5xx and nginx's own 502/504 (upstream down) carry the CORS headers. If error_page sends errors to another location, repeat these add_header lines there: that location's headers are the ones sent.",
      ]
    : [];
  if (p.preflightBeforeAuth) notes.push("`return 204` inside `if` runs in nginx's rewrite phase, before auth_request and auth_basic, so the preflight is answered without credentials.");
  if (p.duplicateLayer) notes.push("proxy_hide_header drops the upstream's own Access-Control-* headers; alternatively remove CORS from the app and keep only this.");
  return { code: lines.join("\n"), notes, errorNotes };
}
