// The page hook's reports: they annotate their own tab's captured requests, and nothing else.
import { ANNOTATE_RATE } from "../../../src/background/annotate";
import { MSG } from "../../../src/shared/protocol";
import { API, APP, ok, openPanel, setup, without } from "./helpers";

const noAcac = without(ok.response, "Access-Control-Allow-Credentials");

function report(over: Record<string, unknown> = {}) {
  return { url: `${API}/me`, method: "GET", credentials: "include", mode: "cors", outcome: "rejected TypeError", initiator: "app.js:10:5", ...over };
}

describe("annotate", () => {
  test("tells the credentials mode and source location of a captured request (after it settled)", async () => {
    const { w, engine, tab } = await setup();
    const panel = await openPanel(w, engine, 1);
    const time = w.clock;
    tab.request("GET", `${API}/me`).start().send().blocked(200, noAcac); // no Cookie: third-party cookies blocked
    await engine.idle();
    const [before] = await engine.entries(1);
    expect(before!.diagnosis.credentials).toEqual({ mode: "include", inferred: true });
    expect(before!.exchange.initiator).toBeUndefined();

    expect(engine.annotate(1, report({ time }), `${APP}/`)).toBe(true);
    await engine.idle();
    const [after] = await engine.entries(1);
    expect(after!.annotated).toBe(true);
    expect(after!.exchange.request.credentials).toBe("include");
    expect(after!.exchange.initiator).toBe("app.js:10:5");
    expect(after!.diagnosis).toMatchObject({ blocked: true, code: "InvalidAllowCredentials", credentials: { mode: "include", inferred: false } });
    expect(panel.of(MSG.EXCHANGE_UPDATED)).toHaveLength(1);
    expect(w.badgeOf(1)).toMatchObject({ text: "1", title: "GET api.example/me: lacks Access-Control-Allow-Credentials: true" });
  });

  test("a report that arrives first waits for its request (in flight or not yet settled)", async () => {
    const { engine, tab, w } = await setup();
    const time = w.clock;
    engine.annotate(1, report({ time }), `${APP}/`);
    tab.request("GET", `${API}/me`).start().send().blocked(200, noAcac);
    await engine.idle();
    const [e] = await engine.entries(1);
    expect(e!.annotated).toBe(true);
    expect(e!.diagnosis.credentials.inferred).toBe(false);
  });

  test("under full capture, a report no captured request explains is only missed: never on the badge", async () => {
    const { engine, w } = await setup();
    const panel = await openPanel(w, engine, 1);
    engine.annotate(1, report({ time: w.clock, url: `${API}/never` }), `${APP}/`);
    w.advance(5000);
    await engine.idle();
    panel.disconnect();
    const again = await openPanel(w, engine, 1);
    expect(again.of(MSG.SNAPSHOT)[0]).toMatchObject({ missed: 1, suspected: 0, entries: [] });
    expect(w.badgeOf(1).text).toBe("");
  });

  test("forged and oversized reports change nothing", async () => {
    const { engine, tab, w } = await setup();
    const time = w.clock;
    tab.request("GET", `${API}/ok`).start().send().respond(200, { "Access-Control-Allow-Origin": "*" });
    await engine.idle();
    const before = JSON.stringify(await engine.entries(1));
    const stored = () => w.session.keys("cl:").filter((k) => k.includes(":1")).map((k) => w.session.data.get(k));
    const storedBefore = stored();

    const refused = [
      report({ url: `${API}/${"a".repeat(9000)}`, time }),
      report({ url: "javascript:alert(1)", time }),
      report({ url: `${API}/ok`, method: "GET\r\nX: y", time }),
      report({ url: `${API}/ok`, credentials: "all", time }),
      report({ url: `${API}/ok`, outcome: "rejected " + "x".repeat(100), time }),
      report({ url: `${API}/ok`, initiator: "x".repeat(5000), time }),
      report({ url: `${API}/ok`, time: "now" }),
      null, "annotate", [report({ time })],
    ];
    for (const r of refused) expect(engine.annotate(1, r, `${APP}/`)).toBe(false);
    expect(engine.annotate(-1, report({ url: `${API}/ok`, time }))).toBe(false);
    expect(engine.annotate(1.5, report({ url: `${API}/ok`, time }))).toBe(false);

    // Well-formed but contradicting the browser: the response was delivered, so it cannot become blocked.
    expect(engine.annotate(1, report({ url: `${API}/ok`, time }), `${APP}/`)).toBe(true);
    // Another tab's report never touches tab 1.
    expect(engine.annotate(2, report({ url: `${API}/ok`, credentials: "omit", time }), `${APP}/`)).toBe(true);
    await engine.idle();
    expect(JSON.stringify(await engine.entries(1))).toBe(before);
    expect(stored()).toEqual(storedBefore);
    expect(w.badgeOf(1).text).toBe("");
  });

  test("reports are rate-limited per tab", async () => {
    const { engine, w } = await setup();
    let accepted = 0;
    for (let i = 0; i < ANNOTATE_RATE.burst + 50; i++) if (engine.annotate(9, report({ time: w.clock }), "https://x.example/")) accepted++;
    expect(accepted).toBe(ANNOTATE_RATE.burst);
    expect(engine.annotate(10, report({ time: w.clock }), "https://x.example/")).toBe(true);
    w.advance(1000);
    expect(engine.annotate(9, report({ time: w.clock }), "https://x.example/")).toBe(true);
  });
});
