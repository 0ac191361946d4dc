// The client-side alternative, offered only when changing the page is a real answer on its own.
import { corsUnsafeRequestHeaderNames, headerValue, isSafelistedMethod, normalizeMethod } from "../fetch";
import type { Diagnosis, Exchange, Fix, Headers } from "../types";
import { display, jsString as q } from "./escape";
import { crossOriginRedirect, preflightLocation } from "./notes";
import { familyOf } from "./policy";

type ClientFix = NonNullable<Fix["client"]>;

/** Headers pages often add out of habit; without them a GET/HEAD/POST needs no preflight at all. */
const OPTIONAL_HEADERS = new Set(["x-requested-with", "cache-control", "pragma", "expires"]);

function headersOf(v: unknown): Headers {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return {};
  const out: Headers = Object.create(null); // a header named "__proto__" stays a header
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === "string") out[k.toLowerCase()] = x;
    else if (Array.isArray(x)) out[k.toLowerCase()] = x.filter((y): y is string => typeof y === "string");
  }
  return { ...out };
}

/** Only http(s) URLs are printed into client code; anything else gets a placeholder. */
function urlLiteral(url: unknown): string {
  if (typeof url === "string") {
    try {
      const u = new URL(url);
      if (u.protocol === "http:" || u.protocol === "https:") return q(u.href);
    } catch {
      // fall through
    }
  }
  return q("https://api.example/your-endpoint");
}

export function clientFix(diagnosis: Diagnosis, exchange: Exchange): Fix["client"] {
  try {
    return build(diagnosis, exchange);
  } catch {
    return null;
  }
}

function build(d: Diagnosis, x: Exchange): ClientFix | null {
  const req = x && typeof x.request === "object" && x.request !== null ? x.request : null;
  if (!req) return null;
  const { family } = familyOf(d?.code);
  const credentials = d?.credentials?.mode === "include";
  const url = urlLiteral(req.url);
  const method = normalizeMethod(typeof req.method === "string" ? req.method : "GET");
  const creds = credentials ? ", credentials: 'include'" : "";

  if (family === "mode") {
    return {
      language: "javascript",
      code: `fetch(${url}, { mode: 'cors'${creds} }); // 'cors' is the default: just drop mode: 'same-origin'`,
      note: "mode 'same-origin' forbids cross-origin URLs outright; use mode 'cors' (the default) and let the server's CORS headers decide.",
    };
  }
  if (family === "scheme") {
    const fromFile = typeof req.url === "string" && req.url.startsWith("file:");
    return fromFile
      ? {
          language: "shell",
          code: "# Serve the folder over http instead of opening it from file://, then load the page from http://localhost:8000/\npython3 -m http.server 8000",
          note: "Browsers do CORS only for http(s): file:// URLs can't be fetched cross-origin. Serve the files from a local web server and use http URLs.",
        }
      : {
          language: "javascript",
          code: "// Request an http:// or https:// URL: the browser does CORS only for those schemes.\nfetch('https://api.example/your-endpoint');",
          note: "Browsers do CORS only for http(s) URLs; request the resource over https.",
        };
  }

  // A lower-case custom method (e.g. 'patch') is sent as written and never matches 'PATCH'.
  if (family === "method" && method !== method.toUpperCase() && /^[a-z]+$/i.test(method)) {
    const upper = method.toUpperCase();
    return {
      language: "javascript",
      code: `fetch(${url}, { method: ${q(upper)}${creds} });`,
      note: `fetch upper-cases only DELETE, GET, HEAD, OPTIONS, POST and PUT; ${display(method)} is sent as written and servers list ${display(upper)}. Send it in upper case.`,
    };
  }

  if (family === "preflight-redirect") {
    const to = preflightLocation(d, x);
    if (to) {
      return {
        language: "javascript",
        code: `// Call the URL the server redirects to, so there is no redirect for the preflight to hit.\nfetch(${q(to)}, { method: ${q(method)}${creds} });`,
        note: "A preflight can't follow redirects. Calling the final URL directly avoids the redirect (often a missing trailing slash or http→https).",
      };
    }
  }
  const cross = crossOriginRedirect(d, x);
  if (cross && (d?.stage === "redirect" || family.startsWith("origin-") || family === "credentials")) {
    return {
      language: "javascript",
      code: `// Call the final URL directly: after a cross-origin redirect the browser sends Origin: null.\nfetch(${urlLiteral(cross.finalUrl)}, { method: ${q(method)}${creds} });`,
      note: "A redirect to another origin makes the browser send Origin: null, which should never be allowlisted; calling the final URL avoids it.",
    };
  }

  // Credentials the request does not use: token auth in a header, and no Cookie on the wire.
  const credentialFailure =
    family === "origin-wildcard" || family === "credentials" ||
    (Array.isArray(d?.warnings) && d.warnings.some((w) => /WildcardWithCredentials$/.test(String(w?.code))));
  const sent = req.sentHeaders ? headersOf(req.sentHeaders) : null;
  const cookieSent = sent !== null && headerValue(sent, "cookie") !== null;
  if (credentials && credentialFailure && !cookieSent) {
    return {
      language: "javascript",
      code: [
        "// Only if this API does not use cookies or HTTP auth (e.g. it reads a token header instead):",
        `fetch(${url}, {`,
        `  method: ${q(method)},`,
        "  // credentials: 'include',  <- remove this line",
        "});",
        "// axios: remove withCredentials: true; XMLHttpRequest: remove xhr.withCredentials = true.",
      ].join("\n"),
      note: `${sent ? "No Cookie was sent with this request. " : ""}If the API authenticates with a header rather than cookies, the request does not need credentials: drop them and the server's current ${family === "origin-wildcard" ? "Access-Control-Allow-Origin: * works as it is" : "headers work as they are"}.`,
    };
  }

  // Habitual headers that alone make a simple request need a preflight.
  const unsafe = corsUnsafeRequestHeaderNames(headersOf(req.headers));
  const preflightFailure =
    d?.stage === "preflight" || family === "header" || family === "headers-invalid" || family === "preflight-status" ||
    family === "invalid-response";
  if (preflightFailure && isSafelistedMethod(method) && unsafe.length > 0 && unsafe.every((h) => OPTIONAL_HEADERS.has(h))) {
    return {
      language: "javascript",
      code: [
        `// Without ${unsafe.join(", ")} this ${method} is a simple request: no preflight at all.`,
        `fetch(${url}, {`,
        `  method: ${q(method)},`,
        `  // headers: { ${unsafe.map((h) => `${q(h)}: ...`).join(", ")} },  <- remove`,
        ...(credentials ? ["  credentials: 'include',"] : []),
        "});",
      ].join("\n"),
      note: `Only ${unsafe.join(", ")} make${unsafe.length > 1 ? "" : "s"} this request need a preflight, and servers rarely need ${unsafe.length > 1 ? "them" : "it"}: remove ${unsafe.length > 1 ? "them" : "it"} and the preflight goes away.`,
    };
  }
  return null;
}
