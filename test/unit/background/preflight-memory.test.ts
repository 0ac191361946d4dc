import { PreflightMemory } from "../../../src/background/preflight-memory";
import type { Exchange, Hop, ResponseRecord } from "../../../src/core/types";
import { API, APP, exchange, hop, response } from "../../fixtures/exchange";

function ex(id: string, h: Partial<Hop>, origin = APP, url = API): Exchange {
  return exchange({ id, url, origin, credentials: "unknown", headers: {}, hops: [hop({ url, response: response(200), ...h })] });
}
const pre = (status: number, maxAge?: string): ResponseRecord => ({ status, headers: maxAge === undefined ? {} : { "access-control-max-age": maxAge } });

describe("PreflightMemory", () => {
  test("a cached hop gets the last passing preflight of its origin and URL", () => {
    const m = new PreflightMemory();
    m.apply(ex("a", { preflight: pre(204, "600") }));
    m.apply(ex("b", { preflight: pre(204, "30") }));
    const later = ex("c", { preflightCached: true });
    m.apply(later);
    expect(later.hops[0]!.preflightCachedBy).toEqual({ exchange: "b", maxAge: "30" });
  });
  test("a failed preflight is not cached by browsers, nor remembered", () => {
    const m = new PreflightMemory();
    m.apply(ex("a", { preflight: pre(204) }));
    m.apply(ex("b", { preflight: pre(401, "600") }));
    const later = ex("c", { preflightCached: true });
    m.apply(later);
    expect(later.hops[0]!.preflightCachedBy).toEqual({ exchange: "a", maxAge: null });
  });
  test("another origin or URL is another cache entry; unknown stays unknown", () => {
    const m = new PreflightMemory();
    m.apply(ex("a", { preflight: pre(204, "600") }));
    const other = ex("c", { preflightCached: true }, "https://other.example");
    const path = ex("d", { preflightCached: true }, APP, API + "?q=1");
    m.apply(other);
    m.apply(path);
    expect(other.hops[0]!.preflightCachedBy).toBeUndefined();
    expect(path.hops[0]!.preflightCachedBy).toBeUndefined();
  });
  test("bounded: the oldest keys go first", () => {
    const m = new PreflightMemory();
    m.apply(ex("first", { preflight: pre(204, "1") }, APP, API + "/first"));
    for (let i = 0; i < 2000; i++) m.apply(ex(`e${i}`, { preflight: pre(204, "1") }, APP, `${API}/${i}`));
    const gone = ex("g", { preflightCached: true }, APP, API + "/first");
    const kept = ex("k", { preflightCached: true }, APP, `${API}/1999`);
    m.apply(gone);
    m.apply(kept);
    expect(gone.hops[0]!.preflightCachedBy).toBeUndefined();
    expect(kept.hops[0]!.preflightCachedBy).toEqual({ exchange: "e1999", maxAge: "1" });
  });
});
