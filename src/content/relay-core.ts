// The isolated-world relay's logic: page events in, validated and rate-limited annotations out.
// The page can dispatch HOOK_EVENT itself, so nothing here trusts it: validateHookCall() shapes it,
// the rate limiter bounds it, and the background takes the tab from the message sender, not from here.
import { MSG, type Annotation } from "../shared/protocol";
import { RateLimiter, validateHookCall, type HookCall } from "./hook-protocol";

export function toAnnotation(c: HookCall): Annotation {
  // XHR's and EventSource's "error" event is the same network-error signal fetch reports as a TypeError.
  const outcome = c.outcome === "resolved"
    ? (c.status !== undefined ? `resolved ${c.status}` : "resolved")
    : c.outcome === "rejected" ? "rejected" : "rejected TypeError";
  return {
    url: c.url, method: c.method,
    credentials: c.credentials as Annotation["credentials"],
    mode: c.mode as Annotation["mode"],
    outcome, initiator: c.initiator || null, time: c.time,
  };
}

export function createRelay(send: (message: unknown) => void, limiter = new RateLimiter()): (detail: unknown) => boolean {
  return (detail) => {
    const call = validateHookCall(detail);
    if (!call || !limiter.take()) return false;
    send({ type: MSG.ANNOTATE, annotation: toAnnotation(call) });
    return true;
  };
}
