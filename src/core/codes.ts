// Chrome's CorsError names (CDP Network.CorsError, services/network/public/mojom/cors.mojom),
// the header each concerns, Firefox's closest reason key (dom/locales/.../security.properties),
// and the explanation the panel and CLI show.

export interface CodeInfo {
  header: string | null;
  firefox: string | null;
  /** Why the browser does this: one short paragraph. */
  why: string;
}

const MDN = "https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/CORS/Errors/";

const ACCESS: Record<string, CodeInfo> = {
  WildcardOriginNotAllowed: {
    header: "access-control-allow-origin",
    firefox: "CORSNotSupportingCredentials",
    why: "With credentials (cookies, HTTP auth) the wildcard would let any site read a user's private data, so the Fetch standard ignores `*` and requires the exact origin.",
  },
  MissingAllowOriginHeader: {
    header: "access-control-allow-origin",
    firefox: "CORSMissingAllowOrigin2",
    why: "A cross-origin response is readable only when the server opts in by naming the origin in Access-Control-Allow-Origin. Without it the browser withholds the response from the page.",
  },
  MultipleAllowOriginValues: {
    header: "access-control-allow-origin",
    firefox: "CORSMultipleAllowOriginNotAllowed",
    why: "Access-Control-Allow-Origin takes exactly one origin (or `*`). Two header lines are joined with \", \" and a list never matches; this usually means two layers (app and proxy) both add the header.",
  },
  InvalidAllowOriginValue: {
    header: "access-control-allow-origin",
    firefox: "CORSAllowOriginNotMatchingOrigin",
    why: "The value is not a serialized origin (scheme://host[:port]) nor `*` nor `null`, so it can never match.",
  },
  AllowOriginMismatch: {
    header: "access-control-allow-origin",
    firefox: "CORSAllowOriginNotMatchingOrigin",
    why: "The browser compares Access-Control-Allow-Origin with the page's origin as an exact, case-sensitive string: scheme, host and port must all match, with no path or trailing slash.",
  },
  InvalidAllowCredentials: {
    header: "access-control-allow-credentials",
    firefox: "CORSMissingAllowCredentials",
    why: "For a request with credentials the server must also opt in with Access-Control-Allow-Credentials: true, exactly that lower-case value, or the browser hides the response.",
  },
};

const OTHER: Record<string, CodeInfo> = {
  DisallowedByMode: {
    header: null,
    firefox: null,
    why: "The request was made with mode \"same-origin\", which forbids any cross-origin URL before anything is sent.",
  },
  CorsDisabledScheme: {
    header: null,
    firefox: "CORSRequestNotHttp",
    why: "CORS requests are only possible over http and https; other schemes cannot opt in.",
  },
  InvalidResponse: {
    header: null,
    firefox: "CORSDidNotSucceed2",
    why: "The preflight failed at the network level, so the browser never got permission to send the request.",
  },
  PreflightInvalidStatus: {
    header: null,
    firefox: "CORSPreflightDidNotSucceed3",
    why: "The preflight (OPTIONS) must get a 2xx status. Preflights never carry cookies or Authorization, so a server that runs authentication before its CORS handler answers them with 401/403.",
  },
  PreflightDisallowedRedirect: {
    header: "location",
    firefox: "CORSExternalRedirectNotAllowed",
    why: "Browsers never follow a redirect in answer to a preflight; the OPTIONS request must be answered at the URL itself.",
  },
  InvalidAllowMethodsPreflightResponse: {
    header: "access-control-allow-methods",
    firefox: "CORSInvalidAllowMethod",
    why: "Access-Control-Allow-Methods must be a comma-separated list of method tokens; a value that does not parse is rejected as a whole.",
  },
  InvalidAllowHeadersPreflightResponse: {
    header: "access-control-allow-headers",
    firefox: "CORSInvalidAllowHeader",
    why: "Access-Control-Allow-Headers must be a comma-separated list of header-name tokens; a value that does not parse is rejected as a whole.",
  },
  MethodDisallowedByPreflightResponse: {
    header: "access-control-allow-methods",
    firefox: "CORSMethodNotFound",
    why: "Methods other than GET, HEAD and POST must be listed in the preflight's Access-Control-Allow-Methods. The match is case-sensitive, and `*` counts only for requests without credentials.",
  },
  HeaderDisallowedByPreflightResponse: {
    header: "access-control-allow-headers",
    firefox: "CORSMissingAllowHeaderFromPreflight2",
    why: "Every request header that is not CORS-safelisted must be listed in the preflight's Access-Control-Allow-Headers (names match case-insensitively). `*` counts only for requests without credentials.",
  },
  RedirectContainsCredentials: {
    header: "location",
    firefox: null,
    why: "A CORS request may not be redirected to a URL with a user name or password in it (user:pass@host).",
  },
};

/** Firefox's MDN error page names for each reason key. */
export function mdnUrl(firefoxKey: string | null): string {
  if (!firefoxKey) return "https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/CORS/Errors";
  return MDN + firefoxKey.replace(/\d+$/, "");
}

/** Catalog entry for a code, including the Preflight… twins; null for unknown names. */
export function codeInfo(code: string | null): CodeInfo | null {
  if (!code) return null;
  if (OTHER[code]) return OTHER[code];
  if (ACCESS[code]) return ACCESS[code];
  if (code.startsWith("Preflight") && ACCESS[code.slice("Preflight".length)]) {
    return ACCESS[code.slice("Preflight".length)]!;
  }
  return null;
}

export const ACCESS_CODES = Object.keys(ACCESS);
export const ALL_CODES = [...ACCESS_CODES, ...ACCESS_CODES.map((c) => "Preflight" + c), ...Object.keys(OTHER)];
