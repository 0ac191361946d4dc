// The CORS lab: a raw HTTP/1.1 server that plays an Exchange's hops back to a real browser.
//
// Built on `net`, not `http`: node's http parser refuses methods such as `patch` or `chicken`
// (the browser then sees ERR_EMPTY_RESPONSE), and it normalizes the header lines we need to
// control exactly: repeated lines, odd whitespace, empty values, odd casing.
//
// Routing:
//   /s/<key>/h<n>   hop n of the scenario registered under <key>:
//                   OPTIONS carrying Access-Control-Request-Method gets hops[n].preflight
//                   (a plain 404 when that is null); any other request gets hops[n].response.
//   /page.html      a blank HTML page, for any Host (the page origin of a test).
//   /sandbox.html   the same page under `CSP: sandbox allow-scripts`: an opaque origin.
//   routes added with route(path, ...), e.g. demo pages.
// Every response closes its connection. Response headers are written in the order given; an
// array value becomes several lines. Content-Length and Connection are added unless given.
import { STATUS_CODES } from "node:http";
import { createServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import type { Headers, Hop } from "../../src/core/types";

export interface LabRequest {
  method: string;
  /** Request target as sent (path + query). */
  target: string;
  /** Path without the query. */
  path: string;
  host: string;
  /** Header lines as received, in order, names as sent. */
  headers: Array<[string, string]>;
  body: Buffer;
}

export interface LabLogEntry {
  method: string;
  target: string;
  host: string;
  headers: Array<[string, string]>;
  /** Hop index from the path, or null for non-hop paths. */
  hop: number | null;
  /** An OPTIONS request with Access-Control-Request-Method: a CORS preflight. */
  preflight: boolean;
  /** Date.now() when the request head was parsed. */
  time: number;
  /** What the lab answered. */
  response: { status: number; headers: Array<[string, string]> };
}

export interface LabResponse {
  status: number;
  /** Reason phrase; defaults to node's for the status, else "Status". */
  reason?: string;
  /** Record (array value = repeated lines) or raw ordered [name, value] lines. */
  headers?: Headers | Array<[string, string]>;
  body?: string | Buffer;
}

export type LabHandler = (req: LabRequest) => LabResponse;

export interface Lab {
  /** The ephemeral port on 127.0.0.1. */
  port: number;
  /** "http://<host>:<port>". Any host name works when the browser maps it to loopback. */
  origin(host: string, scheme?: string): string;
  /** URL of hop n of scenario `key` on `host` (default "api.example"). */
  hopUrl(key: string, hop: number, host?: string, scheme?: string): string;
  /** Registers (or replaces) the hops the lab plays for `key`. */
  register(key: string, exchange: { hops: Hop[] }): void;
  unregister(key: string): void;
  /** Requests received for `key`'s hops, in arrival order. */
  log(key: string): LabLogEntry[];
  /** Adds a static route for an exact path (any host, any method). */
  route(path: string, response: LabResponse | LabHandler): void;
  close(): Promise<void>;
}

export const HOP_PATH_RE = /^\/s\/([A-Za-z0-9._~-]+)\/h(\d+)$/;

/** The scenario key of a hop URL (/s/<key>/h<n>), or null for any other URL. */
export function keyOfHopUrl(url: string): string | null {
  try {
    return HOP_PATH_RE.exec(new URL(url).pathname)?.[1] ?? null;
  } catch {
    return null;
  }
}
const MAX_HEAD = 256 * 1024;
const BLANK_PAGE = "<!doctype html><html><head><meta charset=utf-8><title>CORS Lens lab</title></head><body></body></html>";

function toLines(headers: LabResponse["headers"]): Array<[string, string]> {
  if (!headers) return [];
  if (Array.isArray(headers)) return headers;
  const lines: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(headers)) {
    for (const v of Array.isArray(value) ? value : [value]) lines.push([name, v]);
  }
  return lines;
}

function checkLines(lines: Array<[string, string]>, where: string): void {
  for (const [name, value] of lines) {
    if (/[\r\n:]/.test(name) || name === "" || /[\r\n]/.test(value)) {
      throw new Error(`${where}: header line ${JSON.stringify([name, value])} cannot be written`);
    }
  }
}

function serialize(res: LabResponse, method: string): Buffer {
  const lines = toLines(res.headers);
  const has = (n: string) => lines.some(([name]) => name.toLowerCase() === n);
  const noBody = method === "HEAD" || res.status === 204 || res.status === 304 || (res.status >= 100 && res.status < 200);
  const body = noBody ? Buffer.alloc(0) : Buffer.from(res.body ?? "");
  const out: string[] = [`HTTP/1.1 ${res.status} ${res.reason ?? STATUS_CODES[res.status] ?? "Status"}`];
  for (const [name, value] of lines) out.push(`${name}:${value === "" ? "" : " "}${value}`);
  if (!has("content-length") && !(res.status === 204 || (res.status >= 100 && res.status < 200))) {
    out.push(`Content-Length: ${method === "HEAD" ? Buffer.byteLength(res.body ?? "") : body.length}`);
  }
  if (!has("connection")) out.push("Connection: close");
  return Buffer.concat([Buffer.from(out.join("\r\n") + "\r\n\r\n", "latin1"), body]);
}

/** Parses a request head; null when it is not complete yet. */
function parseHead(buf: Buffer): { method: string; target: string; headers: Array<[string, string]>; headEnd: number } | null {
  const end = buf.indexOf("\r\n\r\n");
  if (end < 0) return null;
  const lines = buf.subarray(0, end).toString("latin1").split("\r\n");
  const [method = "", target = ""] = (lines[0] ?? "").split(" ");
  const headers: Array<[string, string]> = [];
  for (const line of lines.slice(1)) {
    const i = line.indexOf(":");
    if (i <= 0) continue;
    headers.push([line.slice(0, i), line.slice(i + 1).trim()]);
  }
  return { method, target, headers, headEnd: end + 4 };
}

function findHeader(headers: Array<[string, string]>, name: string): string | undefined {
  return headers.find(([n]) => n.toLowerCase() === name)?.[1];
}

/** Length of a complete chunked body starting at `from`, or -1 while incomplete. */
function chunkedLength(buf: Buffer, from: number): number {
  let pos = from;
  for (;;) {
    const eol = buf.indexOf("\r\n", pos);
    if (eol < 0) return -1;
    const size = parseInt(buf.subarray(pos, eol).toString("latin1").split(";")[0] ?? "", 16);
    if (Number.isNaN(size)) return buf.length - from; // garbage: take what we have
    if (size === 0) {
      const end = buf.indexOf("\r\n\r\n", eol);
      return end < 0 ? -1 : end + 4 - from;
    }
    pos = eol + 2 + size + 2;
    if (pos > buf.length) return -1;
  }
}

export interface LabOptions {
  /** Serve TLS (https) with this key and certificate (PEM) instead of plain HTTP. */
  tls?: { key: string | Buffer; cert: string | Buffer };
}

export async function startLab(options: LabOptions = {}): Promise<Lab> {
  const scenarios = new Map<string, Hop[]>();
  const logs = new Map<string, LabLogEntry[]>();
  const routes = new Map<string, LabHandler>();
  const sockets = new Set<Socket>();
  routes.set("/page.html", () => ({
    status: 200,
    headers: [["Content-Type", "text/html; charset=utf-8"], ["Cache-Control", "no-store"]],
    body: BLANK_PAGE,
  }));
  // The same page in a CSP sandbox: its origin is opaque, so its requests carry Origin: null.
  routes.set("/sandbox.html", () => ({
    status: 200,
    headers: [["Content-Type", "text/html; charset=utf-8"], ["Cache-Control", "no-store"], ["Content-Security-Policy", "sandbox allow-scripts"]],
    body: BLANK_PAGE,
  }));

  function respond(req: LabRequest): LabResponse {
    const m = HOP_PATH_RE.exec(req.path);
    if (m) {
      const key = m[1]!;
      const hopIndex = Number(m[2]);
      const preflight = req.method === "OPTIONS" && findHeader(req.headers, "access-control-request-method") !== undefined;
      const hop = scenarios.get(key)?.[hopIndex];
      const record = preflight ? hop?.preflight : hop?.response;
      const res: LabResponse = record
        ? { status: record.status, headers: record.headers, body: "ok" }
        : { status: 404, headers: [["Content-Type", "text/plain"]], body: hop ? "no record for this request\n" : `no scenario ${key} hop ${hopIndex}\n` };
      let log = logs.get(key);
      if (!log) logs.set(key, (log = []));
      log.push({
        method: req.method, target: req.target, host: req.host, headers: req.headers, hop: hopIndex, preflight, time: Date.now(),
        response: { status: res.status, headers: toLines(res.headers) },
      });
      return res;
    }
    const handler = routes.get(req.path);
    if (handler) return handler(req);
    return { status: 404, headers: [["Content-Type", "text/plain"]], body: "not found\n" };
  }

  function onConnection(socket: Socket): void {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    let buf = Buffer.alloc(0);
    let answered = false;
    socket.on("data", (chunk: Buffer) => {
      if (answered) return;
      buf = Buffer.concat([buf, chunk]);
      const head = parseHead(buf);
      if (!head) {
        if (buf.length > MAX_HEAD) socket.destroy();
        return;
      }
      let bodyLength = 0;
      if (/chunked/i.test(findHeader(head.headers, "transfer-encoding") ?? "")) {
        bodyLength = chunkedLength(buf, head.headEnd);
        if (bodyLength < 0) return;
      } else {
        bodyLength = Number(findHeader(head.headers, "content-length") ?? 0) || 0;
        if (buf.length - head.headEnd < bodyLength) return;
      }
      answered = true;
      const path = head.target.split("?")[0] ?? "";
      const req: LabRequest = {
        method: head.method,
        target: head.target,
        path,
        host: findHeader(head.headers, "host") ?? "",
        headers: head.headers,
        body: buf.subarray(head.headEnd, head.headEnd + bodyLength),
      };
      let res: LabResponse;
      try {
        res = respond(req);
      } catch (err) {
        res = { status: 500, headers: [["Content-Type", "text/plain"]], body: `lab error: ${String(err)}\n` };
      }
      socket.end(serialize(res, req.method));
    });
  }

  // TLS sockets carry the same plain HTTP/1.1 once decrypted: one handler for both.
  const server: Server = options.tls
    ? createTlsServer({ key: options.tls.key, cert: options.tls.cert }, (s) => onConnection(s))
    : createServer(onConnection);
  await new Promise<void>((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolveListen());
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("lab: no TCP address");
  const port = address.port;

  const origin = (host: string, scheme = "http") => `${scheme}://${host}:${port}`;
  return {
    port,
    origin,
    hopUrl: (key, hop, host = "api.example", scheme = "http") => `${origin(host, scheme)}/s/${key}/h${hop}`,
    register(key, exchange) {
      if (!/^[A-Za-z0-9._~-]+$/.test(key)) throw new Error(`lab: bad scenario key ${JSON.stringify(key)}`);
      exchange.hops.forEach((hop, i) => {
        if (hop.preflight) checkLines(toLines(hop.preflight.headers), `${key} h${i} preflight`);
        if (hop.response) checkLines(toLines(hop.response.headers), `${key} h${i} response`);
      });
      scenarios.set(key, exchange.hops);
    },
    unregister(key) {
      scenarios.delete(key);
      logs.delete(key);
    },
    log: (key) => [...(logs.get(key) ?? [])],
    route(path, response) {
      routes.set(path, typeof response === "function" ? response : () => response);
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((done) => server.close(() => done()));
    },
  };
}
