// The `npm start` demo: the lab plays the common credentialed CORS failures (and two successes)
// behind an index page on http://app.test:PORT/. `.test` is a dev origin CORS Lens always captures,
// so the panel has every request from the first click.
//
// Hosts (all mapped to 127.0.0.1 by the browser): app.test (the page), api.test (the API),
// login.test (where the API redirects). The lab listens on an ephemeral port; startDemo() puts a
// plain TCP relay on the fixed public port in front of it, and every URL here uses that port.
import { createServer, connect, type Server, type Socket } from "node:net";
import type { Headers, Hop } from "../../src/core/types";
import { startLab, type Lab } from "./server";

export const DEMO_PORT = 8790;
export const DEMO_HOSTS = ["app.test", "api.test", "login.test"] as const;

export interface DemoCase {
  id: string;
  /** The button's label. */
  label: string;
  /** One sentence: what the server does. */
  story: string;
  /** The fetch call the button makes (always with credentials: "include"). */
  request: { url: string; method: string; headers: Record<string, string>; body: string | null };
  /** Chromium's CorsError name for this case, or null when it passes. */
  expect: string | null;
  /** The lab's hops for the request's URL. */
  hops: Hop[];
}

const json = { "content-type": "application/json" };

/** The demo's cases for a page on http://app.test:<port>. */
export function demoCases(port: number): DemoCase[] {
  const APP = `http://app.test:${port}`;
  const url = (id: string, hop = 0, host = "api.test") => `http://${host}:${port}/s/demo-${id}/h${hop}`;
  const allow = (extra: Headers = {}): Headers => ({
    "access-control-allow-origin": APP, "access-control-allow-credentials": "true", vary: "Origin", ...json, ...extra });
  const one = (id: string, response: Hop["response"], preflight: Hop["preflight"] = null): Hop[] =>
    [{ url: url(id), preflight, response }];
  const get = (id: string) => ({ url: url(id), method: "GET", headers: {}, body: null });

  return [
    {
      id: "wildcard",
      label: "Wildcard origin with credentials",
      story: "The API answers Access-Control-Allow-Origin: * to a request that carries cookies.",
      request: get("wildcard"),
      expect: "WildcardOriginNotAllowed",
      hops: one("wildcard", { status: 200, headers: allow({ "access-control-allow-origin": "*", "x-powered-by": "Express" }) }),
    },
    {
      id: "no-credentials",
      label: "Missing Access-Control-Allow-Credentials",
      story: "The API names the page's origin but forgets Access-Control-Allow-Credentials: true.",
      request: get("no-credentials"),
      expect: "InvalidAllowCredentials",
      hops: one("no-credentials", { status: 200, headers: {
        "access-control-allow-origin": APP, vary: "Origin", ...json, server: "nginx/1.27.0" } }),
    },
    {
      id: "preflight-401",
      label: "Preflight 401: auth runs before CORS",
      story: "A request with Authorization needs a preflight; the API's auth middleware rejects the OPTIONS (which never carries credentials) with 401.",
      request: { url: url("preflight-401"), method: "GET", headers: { authorization: "Bearer demo-token" }, body: null },
      expect: "PreflightInvalidStatus",
      hops: one("preflight-401", { status: 200, headers: allow() }, { status: 401, headers: allow({
        "www-authenticate": 'Bearer realm="api"', server: "uvicorn" }) }),
    },
    {
      id: "header",
      label: "Custom header not allowed",
      story: "The page sends X-CSRF-Token; the preflight's Access-Control-Allow-Headers lists only Content-Type.",
      request: { url: url("header"), method: "POST", headers: { "content-type": "application/json", "x-csrf-token": "demo" },
        body: JSON.stringify({ hello: "world" }) },
      expect: "HeaderDisallowedByPreflightResponse",
      hops: one("header", { status: 200, headers: allow() }, { status: 204, headers: allow({
        "access-control-allow-methods": "GET, POST", "access-control-allow-headers": "Content-Type", server: "Kestrel" }) }),
    },
    {
      id: "redirect",
      label: "Redirect to another origin",
      story: "The API redirects to login.test; after a cross-origin redirect the request's Origin is null, which the login server does not allow.",
      request: get("redirect"),
      expect: "AllowOriginMismatch",
      hops: [
        { url: url("redirect"), preflight: null, response: { status: 302, headers: allow({ location: url("redirect", 1, "login.test") }) } },
        { url: url("redirect", 1, "login.test"), preflight: null, response: { status: 200, headers: allow() } },
      ],
    },
    {
      id: "ok-get",
      label: "Success: credentialed GET",
      story: "The API names the page's origin and allows credentials.",
      request: get("ok-get"),
      expect: null,
      hops: one("ok-get", { status: 200, headers: allow() }),
    },
    {
      id: "ok-put",
      label: "Success: PUT with JSON and a preflight",
      story: "The preflight allows PUT, Content-Type and X-CSRF-Token with credentials (cached for 10 minutes).",
      request: { url: url("ok-put"), method: "PUT", headers: { "content-type": "application/json", "x-csrf-token": "demo" },
        body: JSON.stringify({ hello: "world" }) },
      expect: null,
      hops: one("ok-put", { status: 200, headers: allow() }, { status: 204, headers: allow({
        "access-control-allow-methods": "GET, PUT", "access-control-allow-headers": "content-type, x-csrf-token",
        "access-control-max-age": "600" }) }),
    },
  ];
}

/** Embeds JSON in an inline <script> safely. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/** The index page: one labelled button per case, what the page's script saw beside it. */
export function demoPage(cases: readonly DemoCase[]): string {
  const data = cases.map(({ id, label, story, request, expect }) => ({ id, label, story, request, expect }));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>CORS Lens demo</title>
<style>
  :root { color-scheme: light dark; font: 14px/1.45 system-ui, sans-serif; }
  body { max-width: 860px; margin: 24px auto; padding: 0 16px; }
  h1 { font-size: 20px; margin: 0 0 4px; }
  .intro { margin: 0 0 16px; color: GrayText; }
  ol { list-style: none; padding: 0; margin: 0; }
  li { display: grid; grid-template-columns: 300px 1fr; gap: 4px 12px; padding: 10px 0; border-top: 1px solid color-mix(in srgb, currentColor 15%, transparent); }
  button { font: inherit; padding: 4px 10px; text-align: left; cursor: pointer; }
  .story { margin: 0; }
  .meta { grid-column: 2; font: 12px ui-monospace, monospace; color: GrayText; }
  output { grid-column: 2; font: 12px ui-monospace, monospace; }
  li[data-outcome="ok"] output { color: #188038; }
  li[data-outcome="error"] output { color: #d93025; }
  .all { margin: 12px 0 0; }
</style>
</head>
<body>
<h1>CORS Lens demo</h1>
<p class="intro">Open DevTools (F12) and choose the <b>CORS</b> tab, then click a button. Every request is made by
<code>fetch()</code> from this page with <code>credentials: "include"</code>; the lab server answers each one the way the label says.</p>
<ol id="cases"></ol>
<p class="all"><button type="button" id="run-all">Run all</button></p>
<script>
const CASES = ${scriptJson(data)};
const list = document.getElementById("cases");
function el(tag, props, text) {
  const e = document.createElement(tag);
  Object.assign(e, props || {});
  if (text !== undefined) e.textContent = text;
  return e;
}
async function run(c, li, out) {
  li.dataset.state = "running";
  delete li.dataset.outcome;
  out.value = "…";
  const init = { method: c.request.method, headers: c.request.headers, credentials: "include" };
  if (c.request.body !== null) init.body = c.request.body;
  try {
    const r = await fetch(c.request.url, init);
    out.value = "The page read the response: " + r.status + " " + r.statusText;
    li.dataset.outcome = "ok";
  } catch (e) {
    out.value = "The page got " + e.name + ": " + e.message + " (the reason is in the CORS panel)";
    li.dataset.outcome = "error";
  }
  li.dataset.state = "done";
}
const runners = [];
for (const c of CASES) {
  const li = el("li", { id: "case-" + c.id });
  const button = el("button", { type: "button" }, c.label);
  button.dataset.case = c.id;
  const story = el("p", { className: "story" }, c.story);
  const meta = el("div", { className: "meta" }, c.request.method + " " + c.request.url + " · " + (c.expect ? "Chrome: " + c.expect : "passes"));
  const out = el("output", {}, "");
  out.setAttribute("aria-live", "polite");
  button.addEventListener("click", () => run(c, li, out));
  runners.push(() => run(c, li, out));
  li.append(button, story, meta, out);
  list.append(li);
}
document.getElementById("run-all").addEventListener("click", async () => {
  for (const r of runners) await r();
});
</script>
</body>
</html>
`;
}

/** Registers the cases with the lab and serves the index page at "/" (any host). */
export function installDemo(lab: Lab, port: number): DemoCase[] {
  const cases = demoCases(port);
  for (const c of cases) lab.register(`demo-${c.id}`, { hops: c.hops });
  const page = demoPage(cases);
  lab.route("/", { status: 200, headers: [["Content-Type", "text/html; charset=utf-8"], ["Cache-Control", "no-store"]], body: page });
  lab.route("/favicon.ico", { status: 204, headers: [["Cache-Control", "max-age=86400"]] });
  return cases;
}

export interface Demo {
  /** The public port every demo URL uses. */
  port: number;
  /** http://app.test:<port>/ */
  url: string;
  cases: DemoCase[];
  lab: Lab;
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((done, fail) => {
    server.once("error", fail);
    server.listen(port, host, () => {
      server.off("error", fail);
      done();
    });
  });
}

/**
 * Starts the lab with the demo behind a TCP relay on `port` (0: any free port) on 127.0.0.1, and
 * on ::1 when it exists (Firefox tries it first for names mapped to localhost). Rejects with
 * EADDRINUSE when the port is taken.
 */
export async function startDemo(options: { port?: number } = {}): Promise<Demo> {
  const lab = await startLab();
  const sockets = new Set<Socket>();
  const relay = (client: Socket) => {
    const upstream = connect(lab.port, "127.0.0.1");
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => { client.destroy(); upstream.destroy(); });
    }
    client.pipe(upstream).pipe(client);
  };
  const v4 = createServer(relay);
  const servers: Server[] = [v4];
  try {
    await listen(v4, options.port ?? DEMO_PORT, "127.0.0.1");
  } catch (err) {
    await lab.close();
    throw err;
  }
  const address = v4.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const v6 = createServer(relay);
  try {
    await listen(v6, port, "::1");
    servers.push(v6);
  } catch {
    // no IPv6 loopback here (or the port is taken there): IPv4 is enough for Chromium
  }
  const cases = installDemo(lab, port);
  return {
    port,
    url: `http://app.test:${port}/`,
    cases,
    lab,
    async close() {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((done) => s.close(() => done()))));
      await lab.close();
    },
  };
}
