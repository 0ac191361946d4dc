// Page hook: runs in the page's MAIN world at document_start, in all frames. It reports what webRequest
// cannot see — the credentials mode, the request mode, the outcome seen by JavaScript and the caller's
// source location — to the isolated-world relay (relay.ts) as a CustomEvent whose detail is a JSON string
// (objects do not cross worlds; strings do).
// The wrappers must behave like the originals: same return values, exceptions, `this`, name and length
// (Proxy forwards them), and pages that rewrap fetch keep working (we only replace the property once).
import { HOOK_EVENT, type HookCall } from "./hook-protocol";

declare const window: Window & typeof globalThis & Record<string, unknown>;

(() => {
  const MARK = "__corsLensHooked";
  if (window[MARK]) return;
  Object.defineProperty(window, MARK, { value: true });

  // Grab the originals before any page script can replace them.
  const dispatch = EventTarget.prototype.dispatchEvent;
  const addListener = EventTarget.prototype.addEventListener;
  const CustomEventCtor = CustomEvent;
  const stringify = JSON.stringify;
  const now = Date.now;
  const ErrorCtor = Error;
  const apply = Reflect.apply;
  const construct = Reflect.construct;
  const URLCtor = URL;
  const target = document;
  const xhrInfo = new WeakMap<object, { method: string; url: string }>();

  function absolute(u: unknown): string {
    try {
      return new URLCtor(String(u), location.href).href;
    } catch {
      return String(u).slice(0, 2048);
    }
  }

  // The first stack frame outside this script: "url:line:column".
  const ownFile = /((?:chrome|moz)-extension:\/\/[^/]+\/[^:)\s]+)/.exec(new ErrorCtor().stack ?? "")?.[1] ?? "\u0000";
  function caller(): string {
    const stack = new ErrorCtor().stack ?? "";
    for (const line of stack.split("\n").slice(1)) {
      if (line.includes(ownFile)) continue;
      const m = /((?:https?|file|blob|data|[a-z-]+):[^()\s]*?:\d+:\d+)\)?\s*$/.exec(line.trim());
      if (m) return m[1]!.slice(0, 512);
    }
    return "";
  }

  function report(call: HookCall): void {
    try {
      apply(dispatch, target, [new CustomEventCtor(HOOK_EVENT, { detail: stringify(call) })]);
    } catch {
      // Reporting must never affect the page.
    }
  }

  function wrap<T extends object>(fn: T, handler: ProxyHandler<T>): T {
    return new Proxy(fn, handler);
  }

  // fetch: report when the promise settles, through a derived promise so that the page still sees
  // an unhandled rejection when it does not handle one.
  const origFetch = window.fetch;
  if (typeof origFetch === "function") {
    window.fetch = wrap(origFetch, {
      apply(fn, thisArg, args: unknown[]) {
        let call: HookCall | null = null;
        try {
          const input = args[0];
          const init = (args[1] ?? {}) as RequestInit;
          const req = input instanceof Request ? input : null;
          call = {
            api: "fetch",
            url: absolute(req ? req.url : input),
            method: String(init.method ?? req?.method ?? "GET").slice(0, 32),
            credentials: String(init.credentials ?? req?.credentials ?? "same-origin"),
            mode: String(init.mode ?? req?.mode ?? "cors"),
            outcome: "pending",
            initiator: caller(),
            time: now(),
          };
        } catch {
          call = null;
        }
        const p = apply(fn, thisArg, args) as Promise<Response>;
        if (!call) return p;
        const c = call;
        return p.then(
          (r) => { report({ ...c, outcome: "resolved", status: r.status }); return r; },
          (e) => { report({ ...c, outcome: e instanceof TypeError ? "rejected-typeerror" : "rejected" }); throw e; },
        );
      },
    });
  }

  // XMLHttpRequest: remember open()'s method and URL; at send() read withCredentials and listen for loadend.
  const XHR = window.XMLHttpRequest;
  if (typeof XHR === "function") {
    const proto = XHR.prototype;
    proto.open = wrap(proto.open, {
      apply(fn, thisArg, args: unknown[]) {
        try {
          xhrInfo.set(thisArg, { method: String(args[0]).slice(0, 32), url: absolute(args[1]) });
        } catch { /* keep going */ }
        return apply(fn, thisArg, args);
      },
    });
    proto.send = wrap(proto.send, {
      apply(fn, thisArg: XMLHttpRequest, args: unknown[]) {
        const info = xhrInfo.get(thisArg);
        if (info) {
          try {
            const c: HookCall = { api: "xhr", url: info.url, method: info.method,
              credentials: thisArg.withCredentials ? "include" : "same-origin", mode: "cors",
              outcome: "pending", initiator: caller(), time: now() };
            let failed = false;
            apply(addListener, thisArg, ["error", () => { failed = true; }]);
            apply(addListener, thisArg, ["loadend", () => {
              report({ ...c, outcome: failed ? "error" : "resolved", status: thisArg.status });
            }]);
          } catch { /* keep going */ }
        }
        return apply(fn, thisArg, args);
      },
    });
  }

  // EventSource: credentials from the init dictionary; an error before open means a failed connection.
  const ES = window.EventSource;
  if (typeof ES === "function") {
    window.EventSource = wrap(ES, {
      construct(fn, args: unknown[], newTarget) {
        const es = construct(fn, args, newTarget === window.EventSource ? fn : newTarget) as EventSource;
        try {
          const c: HookCall = { api: "eventsource", url: absolute(args[0]), method: "GET",
            credentials: (args[1] as EventSourceInit | undefined)?.withCredentials ? "include" : "same-origin",
            mode: "cors", outcome: "pending", initiator: caller(), time: now() };
          let opened = false;
          apply(addListener, es, ["open", () => { if (!opened) { opened = true; report({ ...c, outcome: "resolved" }); } }]);
          apply(addListener, es, ["error", () => { if (!opened) { opened = true; report({ ...c, outcome: "error" }); } }]);
        } catch { /* keep going */ }
        return es;
      },
    });
  }
})();
