// Records what a page does on the network as a HAR 1.2 file that `cors-lens explain` reads, from an
// end-to-end test run with puppeteer-core (or any CDP client) and the system's Chromium: no browser
// extension needed. CORS preflights and redirect hops are their own entries, as Chrome DevTools
// exports them; the headers are the ones that went on the wire (Network.*ExtraInfo), so Origin and
// Cookie are there, and a response the browser blocked still has its headers.
//
//   import { recordHar } from "./record-har.mjs";
//   const rec = await recordHar(page);           // before the page makes its requests
//   ... drive the page ...
//   await rec.save("e2e.har");                   // then: npx cors-lens explain e2e.har  (exit 1 if blocked)
//
// Test it with test/e2e/ci-recipe.test.ts. Values are recorded as they are: the HAR holds cookies
// and tokens of the test run; `cors-lens explain` masks them in what it prints.
import { writeFile } from "node:fs/promises";

function headerList(obj) {
  return Object.entries(obj ?? {}).flatMap(([name, value]) =>
    String(value).split("\n").map((v) => ({ name, value: v })));
}

function queryString(url) {
  try {
    return [...new URL(url).searchParams].map(([name, value]) => ({ name, value }));
  } catch {
    return [];
  }
}

/**
 * Starts recording `page`'s network traffic (a puppeteer-core Page, or anything with
 * createCDPSession()). Returns { har(), save(path), stop() }.
 */
export async function recordHar(page) {
  const cdp = await page.createCDPSession();
  // Per requestId, in order: its hops (one per requestWillBeSent: a redirect keeps the requestId),
  // and the ExtraInfo events, which CDP may deliver before or after their requestWillBeSent. The
  // i-th requestWillBeSentExtraInfo / responseReceivedExtraInfo belongs to the i-th hop (a hop that
  // never went out, because its preflight failed, is the last and has none).
  const byId = new Map();
  const order = [];
  const rec = (id) => {
    let r = byId.get(id);
    if (!r) {
      r = { hops: [], reqExtra: [], resExtra: [], failed: null };
      byId.set(id, r);
    }
    return r;
  };

  cdp.on("Network.requestWillBeSent", (e) => {
    const r = rec(e.requestId);
    const prev = r.hops[r.hops.length - 1];
    if (prev && e.redirectResponse) {
      prev.status = e.redirectResponse.status;
      prev.statusText = e.redirectResponse.statusText ?? "";
      prev.resHeaders = e.redirectResponse.headers;
      prev.redirectURL = e.request.url;
    }
    const hop = { e, status: 0, statusText: "", resHeaders: null, redirectURL: "", mimeType: "" };
    r.hops.push(hop);
    order.push([e.requestId, hop]);
  });
  cdp.on("Network.requestWillBeSentExtraInfo", (e) => { rec(e.requestId).reqExtra.push(e.headers); });
  cdp.on("Network.responseReceivedExtraInfo", (e) => { rec(e.requestId).resExtra.push({ headers: e.headers, status: e.statusCode }); });
  cdp.on("Network.responseReceived", (e) => {
    const hop = rec(e.requestId).hops.at(-1);
    if (!hop) return;
    hop.status = e.response.status;
    hop.statusText = e.response.statusText ?? "";
    hop.resHeaders ??= e.response.headers;
    hop.mimeType = e.response.mimeType ?? "";
  });
  cdp.on("Network.loadingFailed", (e) => {
    // What Chrome's own export writes for a failed request, and the browser's verdict beside it.
    rec(e.requestId).failed = { error: e.errorText, cors: e.corsErrorStatus ?? null };
  });
  await cdp.send("Network.enable");

  const entryOf = (id, hop, i) => {
    const r = byId.get(id);
    const { e } = hop;
    const last = i === r.hops.length - 1;
    const resExtra = r.resExtra[i];
    const preflight = e.type === "Preflight" || e.initiator?.type === "preflight";
    const entry = {
      // CDP types a preflight "Other" (or "Preflight") with initiator type "preflight".
      _resourceType: preflight ? "preflight" : String(e.type ?? "other").toLowerCase(),
      _initiator: preflight ? { type: "preflight", url: e.request.url, requestId: e.initiator?.requestId ?? id } : { type: e.initiator?.type ?? "other" },
      startedDateTime: new Date((e.wallTime ?? Date.now() / 1000) * 1000).toISOString(),
      time: 0,
      request: {
        method: e.request.method, url: e.request.url, httpVersion: "HTTP/1.1",
        // The wire headers when the hop went out; else Chrome's provisional ones.
        headers: headerList(r.reqExtra[i] ?? e.request.headers), queryString: queryString(e.request.url), cookies: [], headersSize: -1,
        bodySize: e.request.postData ? e.request.postData.length : 0,
      },
      response: {
        status: hop.status || resExtra?.status || 0, statusText: hop.statusText, httpVersion: "",
        headers: headerList(resExtra?.headers ?? hop.resHeaders ?? {}), cookies: [], content: { size: 0, mimeType: hop.mimeType },
        redirectURL: hop.redirectURL, headersSize: -1, bodySize: -1,
      },
      cache: {}, timings: { send: 0, wait: 0, receive: 0 },
    };
    if (last && r.failed) {
      entry._error = r.failed.error;
      if (r.failed.cors) entry._corsErrorStatus = r.failed.cors;
    }
    return entry;
  };

  const har = () => ({
    log: {
      version: "1.2",
      creator: { name: "cors-lens record-har.mjs", version: "1" },
      pages: [],
      entries: order.map(([id, hop]) => entryOf(id, hop, byId.get(id).hops.indexOf(hop))),
    },
  });
  return {
    har,
    async save(path) {
      await writeFile(path, JSON.stringify(har(), null, 2));
    },
    async stop() {
      await cdp.detach().catch(() => {});
    },
  };
}
