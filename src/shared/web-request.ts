// The webRequest events by name, without the browser: the platform (src/platform/browser.ts)
// listens to LISTENED_EVENTS, and the test fake delivers only those.

/** The eight webRequest events, named without the "on". */
export type WebRequestEvent =
  | "beforeRequest" | "beforeSendHeaders" | "sendHeaders" | "headersReceived"
  | "beforeRedirect" | "responseStarted" | "completed" | "errorOccurred";

export const WEB_REQUEST_EVENTS: readonly WebRequestEvent[] = [
  "beforeRequest", "beforeSendHeaders", "sendHeaders", "headersReceived",
  "beforeRedirect", "responseStarted", "completed", "errorOccurred",
];

/**
 * The events capture listens to: every listened event is one more trip from the browser process to
 * the worker per request, and the event count is what capture costs (docs/performance.md). Left out:
 * onResponseStarted repeats onHeadersReceived's status and headers (onCompleted repeats them again);
 * onBeforeSendHeaders is always followed by onSendHeaders with the same headers when no listener
 * blocks (Chromium's proxying loader calls OnSendHeaders right after), and onSendHeaders is the one
 * with the final headers. A request whose preflight failed gets neither in Chromium 156.0.8078.114
 * (measured; docs/differences.md "Live capture"): its script headers come from the page hook.
 * correlate.ts still reads both where a browser (or a recording) has them.
 */
export const LISTENED_EVENTS: readonly WebRequestEvent[] = WEB_REQUEST_EVENTS.filter((e) => e !== "responseStarted" && e !== "beforeSendHeaders");
