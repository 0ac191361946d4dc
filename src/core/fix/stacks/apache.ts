// Apache httpd: a SetEnvIf Origin allowlist, mod_headers `Header always set` (the default `onsuccess`
// table only covers 2xx), and OPTIONS answered with 204 by mod_rewrite in server context, before auth.
import { configRegex, configString } from "../escape";
import { TODO_ORIGIN, configView, headerPairs, type Policy, type Rendered } from "../policy";

export function apache(p: Policy): Rendered {
  const v = configView(p, "Apache");
  const regex = configRegex(v.origin);
  const headerLines = headerPairs(p, v)
    .map(([name, value]) => [name, configString(value)] as const)
    .filter((pair): pair is readonly [string, string] => pair[1] !== null)
    .map(([name, value]) => `Header always set ${name} ${value} env=CORS_ALLOW_ORIGIN`);
  const lines = [
    "# In the <VirtualHost> that serves the API (needs mod_headers, mod_setenvif and mod_rewrite).",
    "# The allowlist: CORS_ALLOW_ORIGIN is set to the Origin only when it matches exactly.",
    ...(v.placeholder ? [`# ${TODO_ORIGIN}`] : []),
    ...(regex ? [`SetEnvIf Origin ${regex} CORS_ALLOW_ORIGIN=$0`] : []),
    "",
    "# `always` keeps the headers on error responses too; unsetting the `onsuccess` copy first means a",
    "# backend that sets its own can never produce a second value.",
    "Header onsuccess unset Access-Control-Allow-Origin",
    ...(p.duplicateLayer
      ? [
          "Header onsuccess unset Access-Control-Allow-Credentials",
          "Header onsuccess unset Access-Control-Allow-Methods",
          "Header onsuccess unset Access-Control-Allow-Headers",
        ]
      : []),
    'Header always set Access-Control-Allow-Origin "%{CORS_ALLOW_ORIGIN}e" env=CORS_ALLOW_ORIGIN',
    ...headerLines,
    'Header always merge Vary "Origin"',
    "",
    "# The preflight never carries cookies: answer it with 204 here, in server context, before auth runs.",
    "RewriteEngine On",
    "RewriteCond %{REQUEST_METHOD} =OPTIONS",
    "RewriteRule ^ - [R=204,L]",
  ];
  const notes = [...v.notes];
  const errorNotes = p.serverError
    ? [
        "Plain `Header set` writes to the `onsuccess` table, which Apache sends with 2xx responses only; `Header always set`, as here, also covers 4xx/5xx: a 401 from mod_auth, a 404, a 502 from mod_proxy, and the backend's own errors. Check that no other `Header set Access-Control-…` line without `always` is left in the config.",
      ]
    : [];
  if (p.preflightBeforeAuth) notes.push("mod_rewrite in <VirtualHost> context runs before authentication; in .htaccess or <Directory> it would run after, so keep these lines in the VirtualHost.");
  if (p.duplicateLayer) notes.push("`Header onsuccess unset` removes the backend's own copies, so only the values set here reach the browser.");
  return { code: lines.join("\n"), notes, errorNotes };
}
