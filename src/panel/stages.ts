// The stages of an exchange for the detail's timeline: each hop's preflight, then its response
// (a redirect, or the actual request's response at the last hop), with the failing one marked.
import { stepsOf } from "../core/fetch";
import { hopPlace } from "../core/hops";
import type { Diagnosis, Exchange, ResponseRecord } from "../core/types";

export type StageKind = "request" | "preflight" | "redirect" | "actual";

export interface StageRow {
  key: string;
  kind: StageKind;
  hop: number;
  title: string;
  url: string;
  /** "204", "from cache", "no response", "not sent". */
  status: string;
  record: ResponseRecord | null;
  failing: boolean;
}

const REDIRECT = new Set([301, 302, 303, 307, 308]);

export function stagesOf(ex: Exchange, d: Diagnosis): StageRow[] {
  const rows: StageRow[] = [];
  if (d.stage === "request") {
    rows.push({ key: "request", kind: "request", hop: 0, title: "Request refused before sending", url: ex.request.url,
      status: "not sent", record: null, failing: true });
    return rows;
  }
  const last = ex.hops.length - 1;
  let stopped = false;
  ex.hops.forEach((h, i) => {
    const preflightFails = d.stage === "preflight" && d.hop === i;
    if (h.preflight || h.preflightCached || preflightFails) {
      rows.push({
        key: `p${i}`, kind: "preflight", hop: i, title: "Preflight OPTIONS", url: h.url,
        status: h.preflight ? String(h.preflight.status) : h.preflightCached ? "from cache" : "no response",
        record: h.preflight, failing: preflightFails,
      });
    }
    const isRedirect = (d.stage === "redirect" && d.hop === i) || (i < last && !!h.response && REDIRECT.has(h.response.status));
    const responseFails = (d.stage === "redirect" || d.stage === "actual") && d.hop === i;
    rows.push({
      key: `r${i}`, kind: isRedirect ? "redirect" : "actual", hop: i,
      title: isRedirect ? `Redirect` : `${ex.request.method} request`,
      url: h.url,
      status: h.response ? String(h.response.status) : stopped || preflightFails ? "not sent" : "no response",
      record: h.response, failing: responseFails,
    });
    if (preflightFails || responseFails) stopped = true;
  });
  return rows;
}

/** The response record of the failing stage, if it was recorded. */
export function failingRecord(ex: Exchange, d: Diagnosis): ResponseRecord | null {
  if (d.hop === null) return null;
  const h = ex.hops[d.hop];
  if (!h) return null;
  if (d.stage === "preflight") return h.preflight;
  if (d.stage === "redirect" || d.stage === "actual") return h.response;
  return null;
}

/** "the preflight response of login.test (hop 2 of 2)": the failing record, named the one way (core/hops.ts). */
export function stageLabel(d: Diagnosis, ex: Exchange): string {
  const i = d.hop ?? 0;
  const url = ex.hops[i]?.url ?? ex.request.url;
  const of = ex.hops.length > 1 ? ` of ${hopPlace(url, i, ex.hops.length)}` : "";
  switch (d.stage) {
    case "preflight": return `the preflight response${of}`;
    case "redirect": return `the redirect response${of}`;
    case "actual": return `the response${of}`;
    case "request": return "the request";
    default: return "";
  }
}

/** Whether the browser sent Origin: null at the failing hop because a redirect went to another origin (the Fetch walk). */
export function originTainted(d: Diagnosis, ex: Exchange): boolean {
  if (d.hop === null || ex.request.origin === "null" || !ex.hops.length) return false;
  return stepsOf({ ...ex.request, headers: ex.request.headers ?? {} }, ex.hops)[d.hop]?.tainted ?? false;
}
