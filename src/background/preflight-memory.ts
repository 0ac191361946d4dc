// Which preflight a cached one was: the browser keeps a preflight's answer (keyed by origin, URL and
// credentials mode in one network partition: https://fetch.spec.whatwg.org/#cors-preflight-cache),
// and a later request that needed one goes out without an OPTIONS. The background remembers the last
// passing preflight per origin and URL, across tabs as the browser's cache is, so that the later
// exchange can say whose answer it used and its Access-Control-Max-Age. Bounded; in memory only (a
// worker restart forgets it, and the finding then says the cached preflight was not seen).
import { headerValue } from "../core/fetch";
import type { Exchange } from "../core/types";

const MAX_KEYS = 2000;

export class PreflightMemory {
  private readonly seen = new Map<string, { exchange: string; maxAge: string | null }>();

  /** Attaches preflightCachedBy to the exchange's cached hops, then remembers its own passing preflights. */
  apply(ex: Exchange): void {
    const origin = ex.request.origin;
    for (const hop of ex.hops) {
      const key = `${origin} ${hop.url}`;
      if (hop.preflightCached && !hop.preflight) {
        const by = this.seen.get(key);
        if (by) hop.preflightCachedBy = { ...by };
      } else if (hop.preflight && hop.preflight.status >= 200 && hop.preflight.status < 300) {
        this.seen.delete(key); // re-inserted last: the Map's order is the eviction order
        this.seen.set(key, { exchange: ex.id, maxAge: headerValue(hop.preflight.headers, "access-control-max-age") });
        if (this.seen.size > MAX_KEYS) this.seen.delete(this.seen.keys().next().value!);
      }
    }
  }
}
