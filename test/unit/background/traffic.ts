// Realistic webRequest traffic for the fake browser, shaped like Chromium 156's details with
// extraHeaders: every event moves the clock 1 ms, preflights are their own requestIds.
import type { RawHttpHeader, RawRequestDetails, WebRequestEvent } from "../../../src/platform/background";
import type { FakeBrowser } from "../../fakes/browser";

let nextId = 1000;

function list(h: Record<string, string>): RawHttpHeader[] {
  return Object.entries(h).map(([name, value]) => ({ name, value }));
}

export interface RequestOptions {
  /** Headers the script set. */
  headers?: Record<string, string>;
  /** Headers the browser adds on top (Cookie, …). */
  browserHeaders?: Record<string, string>;
  type?: string;
  frameId?: number;
  tabId?: number;
  initiator?: string;
}

export class Req {
  readonly id = String(nextId++);
  url: string;
  method: string;
  readonly tabId: number;
  readonly frameId: number;
  readonly type: string;
  readonly initiator: string;
  headers: Record<string, string>;

  constructor(private w: FakeBrowser, method: string, url: string, o: Required<Pick<RequestOptions, "tabId" | "initiator">> & RequestOptions) {
    this.method = method;
    this.url = url;
    this.tabId = o.tabId;
    this.frameId = o.frameId ?? 0;
    this.type = o.type ?? "xmlhttprequest";
    this.initiator = o.initiator;
    this.headers = {
      "Origin": o.initiator,
      "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0.0.0",
      "Accept": "*/*",
      "Accept-Language": "en-US,en;q=0.9",
      "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty",
      ...o.headers,
      ...o.browserHeaders,
    };
  }

  private emit(event: WebRequestEvent, extra: Partial<RawRequestDetails> = {}): this {
    this.w.clock += 1;
    this.w.emit(event, {
      requestId: this.id, tabId: this.tabId, frameId: this.frameId, type: this.type, url: this.url,
      method: this.method, timeStamp: this.w.clock, initiator: this.initiator, ...extra,
    });
    return this;
  }

  start(): this {
    return this.emit("beforeRequest");
  }

  /** onBeforeSendHeaders + onSendHeaders with the wire headers. */
  send(): this {
    this.emit("beforeSendHeaders", { requestHeaders: list(this.headers) });
    return this.emit("sendHeaders", { requestHeaders: list(this.headers) });
  }

  headersReceived(status: number, headers: Record<string, string>): this {
    return this.emit("headersReceived", { statusCode: status, responseHeaders: list(headers) });
  }

  /** onHeadersReceived, onResponseStarted, onCompleted. */
  respond(status: number, headers: Record<string, string>): this {
    this.headersReceived(status, headers);
    this.emit("responseStarted", { statusCode: status, responseHeaders: list(headers), fromCache: false });
    return this.emit("completed", { statusCode: status, responseHeaders: list(headers), fromCache: false });
  }

  /** A blocked response: headers seen (extraHeaders), then ERR_FAILED. */
  blocked(status: number, headers: Record<string, string>): this {
    this.headersReceived(status, headers);
    return this.fail();
  }

  /** A redirect answer; the next events are for `location`. */
  redirect(status: number, location: string, headers: Record<string, string>): this {
    const all = { Location: location, ...headers };
    this.headersReceived(status, all);
    this.emit("beforeRedirect", { statusCode: status, responseHeaders: list(all), redirectUrl: location, fromCache: false });
    this.url = location;
    if (status === 303 || ((status === 301 || status === 302) && this.method === "POST")) this.method = "GET";
    if (new URL(location).origin !== this.initiator) this.headers.Origin = "null";
    return this;
  }

  fail(error = "net::ERR_FAILED"): this {
    return this.emit("errorOccurred", { error });
  }
}

/** A tab whose page is at `origin`. */
export class Tab {
  constructor(private w: FakeBrowser, readonly tabId: number, readonly origin: string) {}

  request(method: string, url: string, o: RequestOptions = {}): Req {
    return new Req(this.w, method, url, { tabId: this.tabId, initiator: this.origin, ...o });
  }

  /** The CORS preflight Chromium sends for `actual` at its current URL. */
  preflight(actual: Req, acrh: string[] = []): Req {
    const p = new Req(this.w, "OPTIONS", actual.url, { tabId: actual.tabId, initiator: actual.initiator, frameId: actual.frameId, type: "xmlhttprequest" });
    p.headers = {
      "Access-Control-Request-Method": actual.method,
      ...(acrh.length ? { "Access-Control-Request-Headers": acrh.join(",") } : {}),
      "Origin": actual.headers.Origin ?? actual.initiator,
      "User-Agent": actual.headers["User-Agent"] ?? "",
      "Accept": "*/*",
      "Sec-Fetch-Mode": "cors",
    };
    return p;
  }
}
