// Page hook: runs in the page's MAIN world at document_start, in all frames. It reports what webRequest
// cannot see — the credentials mode, the request mode, the outcome seen by JavaScript and the caller's
// source location — to the isolated-world relay (relay.ts) as a CustomEvent whose detail is a JSON string
// (objects do not cross worlds; strings do).
// The wrappers must behave like the originals: same return values, exceptions, `this`, name and length
// (Proxy forwards them), source text (Function.prototype.toString answers for the wrapped function),
// EventSource.prototype.constructor, and the same reads of the page's arguments (the browser's, once:
// a page getter or toString that counts or throws sees no difference). Pages that rewrap fetch keep
// working (we only replace the property once). test/e2e/hostile.test.ts compares a probe page with and
// without the extension. Known limits: a stack captured inside a wrapper shows its hook.js frame; a
// frame's toString applied to another frame's wrapper shows "function () { [native code] }"; window
// has a non-enumerable __corsLensHooked.
import { HOOK_EVENT, HOOK_HOLD_LIMIT, HOOK_LEVEL_EVENT, type HookCall } from "./hook-protocol";

declare const window: Window & typeof globalThis & Record<string, unknown>;

(() => {
  const MARK = "__corsLensHooked";
  if (window[MARK]) return;
  Object.defineProperty(window, MARK, { value: true });

  // Grab the originals before any page script can replace them. Everything the hook reads from the
  // page's objects goes through these: a page getter, toString or Proxy trap must run exactly as often
  // as without the extension (once, by the browser), so the hook never reads page-supplied values
  // itself: it reads what the browser read (recording proxy) or asks native brand-checked getters.
  const dispatch = EventTarget.prototype.dispatchEvent;
  const addListener = EventTarget.prototype.addEventListener;
  const CustomEventCtor = CustomEvent;
  const stringify = JSON.stringify;
  const now = Date.now;
  const ErrorCtor = Error;
  const apply = Reflect.apply;
  const construct = Reflect.construct;
  const reflectGet = Reflect.get;
  const ProxyCtor = Proxy;
  const URLCtor = URL;
  const WeakMapCtor = WeakMap;
  const getPrototypeOf = Object.getPrototypeOf;
  const getOwnDescriptor = Object.getOwnPropertyDescriptor;
  const defineProperty = Object.defineProperty;
  const promiseThen = Promise.prototype.then;
  const TypeErrorProto = TypeError.prototype;
  const nativeToString = Function.prototype.toString;
  // Methods called on our own values too: a page may have replaced them on the prototypes.
  const slice = String.prototype.slice;
  const split = String.prototype.split;
  const includes = String.prototype.includes;
  const trim = String.prototype.trim;
  const exec = RegExp.prototype.exec;
  const mapGet = WeakMap.prototype.get;
  const mapSet = WeakMap.prototype.set;
  const mapDelete = WeakMap.prototype.delete;
  const cut = (v: string, n: number): string => apply(slice, v, [0, n]) as string;
  const match = (re: RegExp, v: string): RegExpExecArray | null => apply(exec, re, [v]) as RegExpExecArray | null;
  const getter = (proto: object | undefined, name: string) => (proto ? getOwnDescriptor(proto, name)?.get : undefined);
  const requestGet = { url: getter(globalThis.Request?.prototype, "url"), method: getter(globalThis.Request?.prototype, "method"),
    credentials: getter(globalThis.Request?.prototype, "credentials"), mode: getter(globalThis.Request?.prototype, "mode") };
  const hrefGet = getter(URLCtor.prototype, "href");
  const statusGet = getter(globalThis.Response?.prototype, "status");
  const xhrCredentialsGet = getter(globalThis.XMLHttpRequest?.prototype, "withCredentials");
  const xhrStatusGet = getter(globalThis.XMLHttpRequest?.prototype, "status");
  const esUrlGet = getter(globalThis.EventSource?.prototype, "url");
  const requestHeadersGet = getter(globalThis.Request?.prototype, "headers");
  const headersForEach = globalThis.Headers?.prototype.forEach;
  const isArray = Array.isArray;
  const push = Array.prototype.push;
  const HEADERS_MAX = 64;
  const esCredentialsGet = getter(globalThis.EventSource?.prototype, "withCredentials");
  const target = document;
  const xhrInfo = new WeakMapCtor<object, { method: string; url: string; headers: Array<[string, string]> }>();
  /** Our wrappers → what they wrap, for Function.prototype.toString. */
  const wrapped = new WeakMapCtor<object, object>();

  /** A native getter applied to `obj`: undefined when `obj` is not of the right kind (brand check). */
  function read(get: ((this: unknown) => unknown) | undefined, obj: unknown): unknown {
    if (!get) return undefined;
    try {
      return apply(get, obj, []);
    } catch {
      return undefined;
    }
  }

  /** The URL a fetch/XHR/EventSource argument stands for, read without running page code; null if unknown. */
  function urlOf(u: unknown, base: string = location.href): string | null {
    let s: unknown = u;
    if (typeof u === "object" && u !== null) s = read(hrefGet, u) ?? read(requestGet.url, u);
    if (typeof s !== "string") return null;
    try {
      return read(hrefGet, new URLCtor(s, base)) as string;
    } catch {
      return cut(s, 2048);
    }
  }

  /**
   * A stand-in for a dictionary argument that lets the browser read it exactly as it would (same
   * properties, same order, same `this` for getters) and remembers the string values it saw.
   * Its `headers`, when a plain record, is recorded the same way into `headers` (the browser's
   * record conversion reads each own key once, through the proxy); a Headers object is read
   * afterwards through the native forEach (no page code), a sequence of pairs is not recorded.
   */
  function recording(dict: unknown, seen: Record<string, unknown>, headers?: Array<[string, string]>): unknown {
    if ((typeof dict !== "object" && typeof dict !== "function") || dict === null) return dict;
    return new ProxyCtor(dict as object, {
      get(t, key) {
        const v = reflectGet(t, key);
        if (typeof key !== "string") return v;
        seen[key] = v;
        if (key === "headers" && headers && typeof v === "object" && v !== null && !isArray(v) && read(requestHeadersGet, v) === undefined &&
            !isHeaders(v)) {
          return new ProxyCtor(v, {
            get(h, name) {
              const value = reflectGet(h, name);
              // Only strings: converting anything else would run page code (the browser does that, once).
              if (typeof name === "string" && typeof value === "string" && headers.length < HEADERS_MAX) apply(push, headers, [[cut(name, 256), cut(value, 4096)]]);
              return value;
            },
          });
        }
        return v;
      },
    });
  }

  function isHeaders(v: unknown): boolean {
    if (!headersForEach) return false;
    try {
      apply(headersForEach, v, [() => {}]);
      return true;
    } catch {
      return false;
    }
  }

  /** A Headers object's entries through the native forEach (lower-case names, as Headers keeps them). */
  function headersOf(h: unknown, into: Array<[string, string]>): void {
    if (!headersForEach) return;
    try {
      apply(headersForEach, h, [(value: string, name: string) => {
        if (into.length < HEADERS_MAX) apply(push, into, [[cut(name, 256), cut(value, 4096)]]);
      }]);
    } catch { /* not a Headers */ }
  }
  const str = (v: unknown, fallback: string): string | null => (v === undefined ? fallback : typeof v === "string" ? v : null);

  // The caller's source location, "url:line:column", taken in two steps so that a call that is never
  // reported costs only the capture: V8 records the frames when an Error is constructed and formats
  // them (calling Error.prepareStackTrace) only when .stack is first read
  // (https://v8.dev/docs/stack-trace-api). The page's Error.prepareStackTrace is set aside while we
  // read (an own data property of Error: swapping it runs no page code), so its formatter is never
  // called for our stack; Error.stackTraceLimit is raised only when the page lowered it below V8's
  // default of 10, which reaches past the wrapper's own two or three frames.
  function capture(): Error | null {
    const limit = getOwnDescriptor(ErrorCtor, "stackTraceLimit");
    if (limit && "value" in limit && typeof limit.value === "number" && limit.value >= 10) {
      try {
        return new ErrorCtor();
      } catch {
        return null;
      }
    }
    if (limit && !limit.configurable) return null;
    try {
      defineProperty(ErrorCtor, "stackTraceLimit", { value: 20, writable: true, enumerable: true, configurable: true });
      return new ErrorCtor();
    } catch {
      return null;
    } finally {
      if (limit) defineProperty(ErrorCtor, "stackTraceLimit", limit);
      else delete (ErrorCtor as { stackTraceLimit?: unknown }).stackTraceLimit;
    }
  }
  function stackOf(e: Error | null): string {
    if (!e) return "";
    const prepare = getOwnDescriptor(ErrorCtor, "prepareStackTrace");
    if (prepare && !prepare.configurable) return "";
    try {
      if (prepare) delete (ErrorCtor as { prepareStackTrace?: unknown }).prepareStackTrace;
      const stack = e.stack;
      return typeof stack === "string" ? stack : "";
    } catch {
      return "";
    } finally {
      if (prepare) defineProperty(ErrorCtor, "prepareStackTrace", prepare);
    }
  }
  const ownFile = match(/((?:chrome|moz)-extension:\/\/[^/]+\/[^:)\s]+)/, stackOf(capture()))?.[1] ?? "\u0000";
  const FRAME = /((?:https?|file|blob|data|[a-z-]+):[^()\s]*?:\d+:\d+)\)?\s*$/;
  function callerOf(trace: Error | null): string {
    const lines = apply(split, stackOf(trace), ["\n"]) as string[];
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      if (apply(includes, line, [ownFile])) continue;
      const m = match(FRAME, apply(trim, line, []) as string);
      if (m) return cut(m[1]!, 512);
    }
    return "";
  }

  // What the relay needs depends on the tab's capture level (relay-core.ts), which the relay tells us
  // (HOOK_LEVEL_EVENT): failures always; successes only at "full". Until the level is known the
  // successes are held here, unformatted, and the first call of the document is reported whatever its
  // outcome, so that the relay asks the background (it asks at its first report).
  let level: "unknown" | "full" | "count" = "unknown";
  let first = true;
  const held: Array<{ call: HookCall; trace: Error | null }> = [];
  const detailGet = getter(CustomEventCtor.prototype, "detail");
  apply(addListener, target, [HOOK_LEVEL_EVENT, (ev: Event) => {
    const v = read(detailGet, ev);
    if (v !== "full" && v !== "count") return;
    level = v;
    const n = held.length;
    if (v === "full") for (let i = 0; i < n; i++) send(held[i]!.call, held[i]!.trace);
    held.length = 0;
  }]);
  // At "count" the background only counts failures (engine.ts suspect()): nothing reads their
  // initiator, so no call pays for a stack.
  const traceNow = (): Error | null => (level === "count" ? null : capture());

  /** A settled call: sent, held or dropped, by its outcome and the level. */
  function settle(call: HookCall, trace: Error | null, outcome: HookCall["outcome"], status?: number): void {
    try {
      const c = { __proto__: null, ...call, outcome } as HookCall & { __proto__: null };
      if (status !== undefined) c.status = status;
      const failed = outcome !== "resolved";
      if (failed || level === "full" || first) {
        first = false;
        send(c, trace);
      } else if (level === "unknown" && held.length < HOOK_HOLD_LIMIT) {
        apply(push, held, [{ call: c, trace }]);
      }
    } catch {
      // Reporting must never affect the page.
    }
  }

  function send(c: HookCall, trace: Error | null): void {
    try {
      // Null prototypes (settle()): JSON.stringify and the CustomEventInit conversion must not find
      // page-defined Object.prototype members (toJSON, bubbles, …).
      c.initiator = callerOf(trace);
      apply(dispatch, target, [new CustomEventCtor(HOOK_EVENT, { __proto__: null, detail: stringify(c) } as CustomEventInit)]);
    } catch {
      // Reporting must never affect the page.
    }
  }

  function wrap<T extends object>(fn: T, handler: ProxyHandler<T>): T {
    const p = new ProxyCtor(fn, handler);
    apply(mapSet, wrapped, [p, fn]);
    return p;
  }

  // A Proxy's source text is "function () { [native code] }": answer with the wrapped function's own.
  // (Also for this wrapper itself, so toString.toString() is unchanged.)
  const toStringWrapper = new ProxyCtor(nativeToString, {
    apply(fn, thisArg, args: unknown[]) {
      const original = typeof thisArg === "function" ? apply(mapGet, wrapped, [thisArg]) as object | undefined : undefined;
      return apply(fn, original ?? thisArg, args);
    },
  });
  apply(mapSet, wrapped, [toStringWrapper, nativeToString]);
  const toStringDesc = getOwnDescriptor(Function.prototype, "toString");
  if (toStringDesc?.configurable) defineProperty(Function.prototype, "toString", { ...toStringDesc, value: toStringWrapper });

  // fetch: report when the promise settles, through a derived promise so that the page still sees
  // an unhandled rejection when it does not handle one. The browser reads the arguments (once); the
  // hook learns the method, credentials and mode from what it read.
  const origFetch = window.fetch;
  if (typeof origFetch === "function") {
    window.fetch = wrap(origFetch, {
      apply(fn, thisArg, args: unknown[]) {
        const seen: Record<string, unknown> = { __proto__: null } as Record<string, unknown>;
        const headers: Array<[string, string]> = [];
        const input = args[0];
        // (args is the engine's own array: its index 1 is an own property, so no page setter runs.)
        if (args.length > 1) args[1] = recording(args[1], seen, headers);
        const p = apply(fn, thisArg, args) as Promise<Response>;
        // What the call was, from what the browser read and the input's native getters. At "count"
        // (an idle tab) only a failure is reported, so the description (a URL parse, the header
        // list) waits for one: a success costs the page the Proxy above and one then().
        const base = location.href;
        const describe = (): HookCall | null => {
          try {
            const url = urlOf(input, base);
            const isRequest = read(requestGet.url, input) !== undefined;
            const method = str(seen.method, isRequest ? String(read(requestGet.method, input)) : "GET");
            const credentials = str(seen.credentials, isRequest ? String(read(requestGet.credentials, input)) : "same-origin");
            const mode = str(seen.mode, isRequest ? String(read(requestGet.mode, input)) : "cors");
            if (url === null || method === null || credentials === null || mode === null) return null;
            const call: HookCall = { api: "fetch", url, method: cut(method, 32), credentials, mode, outcome: "pending", initiator: "", time };
            // init.headers replaces a Request's own; a Headers object is read natively.
            if (headers.length === 0) {
              if (seen.headers !== undefined) headersOf(seen.headers, headers);
              else if (isRequest) headersOf(read(requestHeadersGet, input), headers);
            }
            if (headers.length) call.headers = headers;
            return call;
          } catch {
            return null;
          }
        };
        const time = now();
        const t = traceNow();
        let c: HookCall | null | undefined = level === "count" ? undefined : describe();
        if (c === null) return p;
        const done = (outcome: HookCall["outcome"], status?: number) => {
          if (c === undefined) {
            if (outcome === "resolved" && level === "count") return;
            c = describe();
          }
          if (c) settle(c, t, outcome, status);
        };
        return apply(promiseThen, p, [
          (r: Response) => { done("resolved", read(statusGet, r) as number | undefined); return r; },
          (e: unknown) => {
            let typeError = false;
            try {
              typeError = typeof e === "object" && e !== null && getPrototypeOf(e) === TypeErrorProto;
            } catch { /* a page Proxy as the abort reason */ }
            done(typeError ? "rejected-typeerror" : "rejected");
            throw e;
          },
        ]);
      },
    });
  }

  // XMLHttpRequest: after open() succeeds, remember its method and URL (string arguments only: the
  // browser has already converted them, and converting them again would run page code); at send()
  // read withCredentials through the native getter and listen for loadend.
  const XHR = window.XMLHttpRequest;
  if (typeof XHR === "function") {
    const proto = XHR.prototype;
    proto.open = wrap(proto.open, {
      apply(fn, thisArg, args: unknown[]) {
        const result = apply(fn, thisArg, args);
        try {
          const url = urlOf(args[1]);
          if (typeof args[0] === "string" && url !== null) apply(mapSet, xhrInfo, [thisArg, { method: cut(args[0], 32), url, headers: [] }]);
          else apply(mapDelete, xhrInfo, [thisArg]);
        } catch { /* keep going */ }
        return result;
      },
    });
    // setRequestHeader: what the browser accepted (it threw otherwise), string arguments only.
    proto.setRequestHeader = wrap(proto.setRequestHeader, {
      apply(fn, thisArg, args: unknown[]) {
        const result = apply(fn, thisArg, args);
        try {
          const info = apply(mapGet, xhrInfo, [thisArg]) as { headers: Array<[string, string]> } | undefined;
          if (info && typeof args[0] === "string" && typeof args[1] === "string" && info.headers.length < HEADERS_MAX) {
            apply(push, info.headers, [[cut(args[0], 256), cut(args[1], 4096)]]);
          }
        } catch { /* keep going */ }
        return result;
      },
    });
    proto.send = wrap(proto.send, {
      apply(fn, thisArg: XMLHttpRequest, args: unknown[]) {
        const info = apply(mapGet, xhrInfo, [thisArg]) as { method: string; url: string; headers: Array<[string, string]> } | undefined;
        // Listeners first: a synchronous XHR fires loadend inside send().
        if (info) {
          try {
            const c: HookCall = { api: "xhr", url: info.url, method: info.method,
              credentials: read(xhrCredentialsGet, thisArg) ? "include" : "same-origin", mode: "cors",
              outcome: "pending", initiator: "", time: now() };
            const t = traceNow();
            if (info.headers.length) c.headers = info.headers;
            let failed = false;
            apply(addListener, thisArg, ["error", () => { failed = true; }]);
            apply(addListener, thisArg, ["loadend", () => {
              settle(c, t, failed ? "error" : "resolved", read(xhrStatusGet, thisArg) as number | undefined);
            }]);
          } catch { /* keep going */ }
        }
        return apply(fn, thisArg, args);
      },
    });
  }

  // EventSource: the URL and credentials through the native getters of the new object; an error
  // before open means a failed connection. prototype.constructor points at the wrapper, as it did
  // at the original.
  const ES = window.EventSource;
  if (typeof ES === "function") {
    const esWrapper = wrap(ES, {
      construct(fn, args: unknown[], newTarget) {
        const es = construct(fn, args, newTarget === esWrapper ? fn : newTarget) as EventSource;
        try {
          const url = read(esUrlGet, es);
          if (typeof url === "string") {
            const c: HookCall = { api: "eventsource", url, method: "GET",
              credentials: read(esCredentialsGet, es) ? "include" : "same-origin",
              mode: "cors", outcome: "pending", initiator: "", time: now() };
            const t = traceNow();
            let opened = false;
            apply(addListener, es, ["open", () => { if (!opened) { opened = true; settle(c, t, "resolved"); } }]);
            apply(addListener, es, ["error", () => { if (!opened) { opened = true; settle(c, t, "error"); } }]);
          }
        } catch { /* keep going */ }
        return es;
      },
    });
    window.EventSource = esWrapper;
    const ctorDesc = getOwnDescriptor(ES.prototype, "constructor");
    if (ctorDesc?.configurable) defineProperty(ES.prototype, "constructor", { ...ctorDesc, value: esWrapper });
  }
})();
