// Node-side HTTP for `cors-lens probe`: one request, one response head, no redirects followed, no
// cookies, no CORS semantics of its own (fetch() in node has none of a browser's, and would follow
// redirects itself). probe.ts decides what a browser would send.
// Known difference: node's http client upper-cases every method, so the request line of a `patch`
// request says PATCH where a browser sends `patch` (Access-Control-Request-Method is exact).
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import type { Headers } from "../core/types";

export interface HttpRequest {
  url: string;
  method: string;
  /** Lower-case names; sent in this order. */
  headers: Array<[string, string]>;
  body?: string;
}

export interface HttpResponse {
  status: number;
  /** Lower-case names; a header sent on several lines is an array, as in an Exchange. */
  headers: Headers;
}

export interface HttpOptions {
  timeoutMs: number;
  /** Accept any TLS certificate (self-signed labs). */
  insecure: boolean;
  /** "host:port" → address, like curl --resolve: the name stays in Host, SNI and the origin. */
  resolve: Map<string, string>;
}

/** A network or TLS failure, named the way Chromium names it (net::ERR_…), with a one-line message. */
export class NetError extends Error {
  constructor(readonly net: string, message: string) {
    super(message);
  }
}

const TLS_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT", "SELF_SIGNED_CERT_IN_CHAIN", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "CERT_HAS_EXPIRED",
  "ERR_TLS_CERT_ALTNAME_INVALID", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "CERT_NOT_YET_VALID", "EPROTO",
  "ERR_SSL_WRONG_VERSION_NUMBER",
]);

function netError(e: unknown, url: string): NetError {
  const code = typeof e === "object" && e !== null && "code" in e ? String((e as { code: unknown }).code) : "";
  const msg = (e instanceof Error ? e.message : String(e)).split("\n")[0]!.slice(0, 200);
  const host = (() => {
    try {
      return new URL(url).host;
    } catch {
      return url;
    }
  })();
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return new NetError("net::ERR_NAME_NOT_RESOLVED", `cannot resolve ${host}`);
  if (code === "ECONNREFUSED") return new NetError("net::ERR_CONNECTION_REFUSED", `connection refused by ${host}`);
  if (code === "ECONNRESET") return new NetError("net::ERR_CONNECTION_RESET", `connection reset by ${host}`);
  if (code === "ETIMEDOUT" || code === "ETIMEOUT") return new NetError("net::ERR_TIMED_OUT", `no answer from ${host} in time`);
  if (TLS_CODES.has(code) || /certificate|ssl|tls/i.test(msg)) {
    return new NetError("net::ERR_CERT_AUTHORITY_INVALID", `TLS error with ${host}: ${msg}${/self[- ]signed|issuer/i.test(msg) ? " (use --insecure for a lab's self-signed certificate)" : ""}`);
  }
  return new NetError("net::ERR_FAILED", `${host}: ${msg}${code ? ` (${code})` : ""}`);
}

function headersOf(res: IncomingMessage): Headers {
  // No prototype while building (a server's "constructor" or "__proto__" header is a header); the
  // spread at the end copies them as own properties.
  const out: Headers = Object.create(null);
  const raw = res.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const value = raw[i + 1]!;
    const prev = out[name];
    out[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return { ...out };
}

/** Sends one request and reads the response head (the body is drained, at most 1 MiB read). */
export function send(req: HttpRequest, opts: HttpOptions): Promise<HttpResponse> {
  return new Promise((resolvePromise, reject) => {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      reject(new NetError("net::ERR_INVALID_URL", `not a URL: ${req.url.slice(0, 200)}`));
      return;
    }
    const https = url.protocol === "https:";
    if (!https && url.protocol !== "http:") {
      reject(new NetError("net::ERR_UNKNOWN_URL_SCHEME", `only http and https URLs can be probed, not ${url.protocol}`));
      return;
    }
    const host = url.hostname.replace(/^\[|\]$/g, "");
    const port = url.port || (https ? "443" : "80");
    const mapped = opts.resolve.get(`${host.toLowerCase()}:${port}`);
    const lookup: LookupFunction | undefined = mapped === undefined ? undefined : (_name, options, cb) => {
      const family = mapped.includes(":") ? 6 : 4;
      if ((options as { all?: boolean }).all) (cb as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address: mapped, family }]);
      else cb(null, mapped, family);
    };
    const headers: Record<string, string> = {};
    for (const [n, v] of req.headers) headers[n] = v;
    const body = req.body ?? "";
    if (req.method !== "GET" && req.method !== "HEAD" && req.method.toUpperCase() !== "OPTIONS") headers["content-length"] = String(Buffer.byteLength(body));
    let settled = false;
    const fail = (e: unknown) => {
      if (settled) return;
      settled = true;
      reject(e instanceof NetError ? e : netError(e, req.url));
    };
    const r = (https ? httpsRequest : httpRequest)(url, {
      method: req.method,
      headers,
      lookup,
      rejectUnauthorized: !opts.insecure,
      servername: https && !/^[\d.]+$|:/.test(host) ? host : undefined,
      agent: false,
    }, (res) => {
      let read = 0;
      res.on("data", (chunk: Buffer) => {
        read += chunk.length;
        if (read > 1024 * 1024) res.destroy();
      });
      res.on("error", () => undefined);
      res.on("close", () => undefined);
      settled = true;
      resolvePromise({ status: res.statusCode ?? 0, headers: headersOf(res) });
      res.resume();
    });
    r.setTimeout(opts.timeoutMs, () => {
      fail(new NetError("net::ERR_TIMED_OUT", `no answer from ${url.host} within ${opts.timeoutMs} ms`));
      r.destroy();
    });
    r.on("error", fail);
    r.end(body === "" ? undefined : body);
  });
}
