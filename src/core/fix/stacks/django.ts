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
    "    # As high as possible: above CommonMiddleware and anything that authenticates.",
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
  if (p.preflightBeforeAuth) notes.push("CorsMiddleware answers the preflight itself, but only if it comes before the middleware that rejects unauthenticated requests in MIDDLEWARE.");
  if (p.duplicateLayer) notes.push("If a proxy in front of Django also adds Access-Control-* headers, remove them there, or drop django-cors-headers.");
  return { code: lines.join("\n"), notes };
}
