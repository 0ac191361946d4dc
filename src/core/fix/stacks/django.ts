// Django with django-cors-headers (https://github.com/adamchainz/django-cors-headers).
import { literalList, pyString as q } from "../escape";
import { TODO_ORIGIN, type Policy, type Rendered } from "../policy";

/** corsheaders.defaults.default_headers: kept, since other requests of the app may need them. */
const DEFAULT_HEADERS = ["accept", "authorization", "content-type", "user-agent", "x-csrftoken", "x-requested-with"];

export function django(p: Policy): Rendered {
  const extraHeaders = p.headers.filter((h) => !DEFAULT_HEADERS.includes(h));
  const lines = [
    "# settings.py (pip install django-cors-headers)",
    "from corsheaders.defaults import default_headers",
    "",
    "INSTALLED_APPS = [",
    "    # ... your apps ...",
    "    'corsheaders',",
    "]",
    "",
    "MIDDLEWARE = [",
    p.serverError
      ? "    # First: every response from below it, errors included (404, 403, the 500 of handler500), passes back through it."
      : "    # As high as possible: above CommonMiddleware and anything that authenticates.",
    "    'corsheaders.middleware.CorsMiddleware',",
    "    # ... your other middleware ...",
    "]",
    "",
    "# An explicit allowlist: django-cors-headers echoes the Origin only when it is listed (and always adds Vary: origin).",
    "CORS_ALLOWED_ORIGINS = [",
    ...(p.placeholder ? [`    # ${TODO_ORIGIN}`] : []),
    `    ${q(p.origin)},`,
    "]",
    ...(p.credentials ? ["CORS_ALLOW_CREDENTIALS = True"] : []),
    `CORS_ALLOW_METHODS = [${literalList(p.methods, q)}]`,
    extraHeaders.length ? `CORS_ALLOW_HEADERS = (*default_headers, ${literalList(extraHeaders, q)})` : "CORS_ALLOW_HEADERS = default_headers",
    ...(p.exposeHeaders.length ? [`CORS_EXPOSE_HEADERS = [${literalList(p.exposeHeaders, q)}]`] : []),
    `CORS_PREFLIGHT_MAX_AGE = ${p.maxAge}`,
    ...(p.privateNetwork ? ["CORS_ALLOW_PRIVATE_NETWORK = True"] : []),
  ];
  const notes: string[] = [];
  const errorNotes = p.serverError
    ? [
        "Django turns an exception from a view or a lower middleware into a response (a 404, a 403, handler500's 500) before it passes back up the MIDDLEWARE list, so with CorsMiddleware first those error responses get the CORS headers. They don't when the error comes from a middleware listed above it, with DEBUG_PROPAGATE_EXCEPTIONS = True, or from the WSGI server or a proxy (a timeout's 502/504).",
      ]
    : [];
  if (p.preflightBeforeAuth) notes.push("CorsMiddleware answers the preflight itself, but only if it comes before the middleware that rejects unauthenticated requests in MIDDLEWARE.");
  if (p.duplicateLayer) notes.push("If a proxy in front of Django also adds Access-Control-* headers, remove them there, or drop django-cors-headers.");
  return { code: lines.join("\n"), notes, errorNotes };
}
