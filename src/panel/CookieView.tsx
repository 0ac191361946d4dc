// "Why was the cookie not sent": for a credentialed exchange, the browser's cookies for the target, which
// went with the request and why the others did not; and the response's Set-Cookie lines the browser rejects.
// The jar is read on demand (a click), now, not at request time. Cookie values are masked unless revealed.
import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { checkSetCookie, explainCookies, jarDomain, type CookieInfo, type CookieReport } from "../core/cookies";
import type { Entry } from "../shared/protocol";
import { MASK } from "./headers";
import { readCookieJar, type CookieJarRead, type RawCookie } from "../platform/panel";
import { hostOrUrl } from "../shared/url";

export type CookieReader = (url: string, domain: string) => Promise<CookieJarRead>;

export interface CookieViewProps {
  entry: Entry;
  reveal: boolean;
  /** The seam (src/platform/panel.ts readCookieJar); tests pass a fake. */
  read?: CookieReader;
}

const SAME_SITE = new Set(["no_restriction", "lax", "strict", "unspecified"]);

/** chrome.cookies' shape → the core's; untrusted, so every field is checked. */
export function toCookieInfo(c: RawCookie): CookieInfo | null {
  if (!c || typeof c.name !== "string" || typeof c.domain !== "string") return null;
  const sameSite = typeof c.sameSite === "string" && SAME_SITE.has(c.sameSite) ? (c.sameSite as CookieInfo["sameSite"]) : "unspecified";
  const pk = c.partitionKey && typeof c.partitionKey.topLevelSite === "string" && c.partitionKey.topLevelSite ? { topLevelSite: c.partitionKey.topLevelSite } : null;
  return {
    name: c.name, value: typeof c.value === "string" ? c.value : "", domain: c.domain, hostOnly: c.hostOnly === true,
    path: typeof c.path === "string" && c.path ? c.path : "/", secure: c.secure === true, httpOnly: c.httpOnly === true, sameSite, partitionKey: pk,
  };
}

const REASON_LABEL: Record<string, string> = {
  "sent": "sent",
  "not-credentialed": "no credentials",
  "domain-mismatch": "domain",
  "path-mismatch": "path",
  "secure-over-http": "Secure over http",
  "partitioned-elsewhere": "other partition",
  "same-site-strict": "SameSite=Strict",
  "same-site-lax": "SameSite=Lax",
  "same-site-lax-by-default": "Lax by default",
  "third-party-blocked": "third-party blocked",
  "set-by-this-response": "set by this response",
  "not-sent-unexplained": "not sent",
};

const THIRD_PARTY_LABEL: Record<CookieReport["thirdParty"], string> = {
  "blocked": "blocked", "allowed": "allowed", "likely-blocked": "likely blocked", "likely-allowed": "allowed (seen on the wire)",
  "not-applicable": "", "unknown": "unknown",
};

type Load = { state: "idle" } | { state: "loading" } | { state: "done"; jar: CookieJarRead; at: Date };

export function CookieView(props: CookieViewProps): JSX.Element | null {
  const { exchange: ex, diagnosis: d } = props.entry;
  const [load, setLoad] = useState<Load>({ state: "idle" });
  const read = props.read ?? readCookieJar;
  // Another exchange selected: its jar has not been read.
  useEffect(() => setLoad({ state: "idle" }), [ex.id, ex.request.url]);

  const credentials = d.credentials?.mode ?? (ex.request.credentials === "unknown" ? "same-origin" : ex.request.credentials);
  const findings = useMemo(() => checkSetCookie(ex, { credentials }), [ex, credentials]);
  let host = "";
  try {
    host = new URL(ex.request.url).hostname;
  } catch {
    host = "";
  }
  if (!host || (credentials !== "include" && findings.length === 0)) return null;

  const readNow = () => {
    setLoad({ state: "loading" });
    void read(ex.request.url, jarDomain(host)).then(
      (jar) => setLoad({ state: "done", jar, at: new Date() }),
      (e: unknown) => setLoad({ state: "done", jar: { cookies: [], topLevelUrl: null, allPartitions: false, error: String(e) }, at: new Date() }));
  };

  let report: CookieReport | null = null;
  const values = new Map<string, string>();
  if (load.state === "done") {
    const jar = load.jar.cookies.map(toCookieInfo).filter((c): c is CookieInfo => c !== null);
    for (const c of jar) values.set(`${c.name}\u0000${c.domain}\u0000${c.path}\u0000${c.partitionKey?.topLevelSite ?? ""}`, c.value ?? "");
    // A top-frame request's page is the top-level page; a frame's top-level page is the tab's (now).
    const topLevelSite = props.entry.frameId === 0 ? ex.request.origin : load.jar.topLevelUrl;
    report = explainCookies(ex, jar, { topLevelSite, credentials });
  }

  return (
    <section class="section cookies" aria-labelledby="sec-cookies">
      <div class="section-head">
        <h3 id="sec-cookies">Cookies</h3>
        <button type="button" onClick={readNow} disabled={load.state === "loading"}>
          {load.state === "idle" ? `Read cookies for ${host}` : "Read again"}
        </button>
      </div>
      <div class="section-body">
        {findings.length ? (
          <ul class="cookie-findings" aria-label="Set-Cookie problems">
            {findings.map((f, i) => (
              <li key={i} class={`sev-${f.severity}`} data-code={f.code}>
                <span class="mono warn-code">{f.code}</span> <span class="dim">{f.severity}</span>
                <div>{f.message}</div>
                <div class="cookie-fix"><span class="k">Fix:</span> {f.fix}</div>
              </li>
            ))}
          </ul>
        ) : null}
        {load.state === "idle" ? (
          <p class="none">Which of the browser's cookies for {host} went with this request, and why the others did not. The jar is read when you ask, not at request time.</p>
        ) : load.state === "loading" ? (
          <p class="none">Reading the cookie jar…</p>
        ) : (
          <CookieReportView report={report!} jar={load.jar} at={load.at} values={values} reveal={props.reveal} />
        )}
      </div>
    </section>
  );
}

function CookieReportView(props: { report: CookieReport; jar: CookieJarRead; at: Date; values: Map<string, string>; reveal: boolean }): JSX.Element {
  const { report: r, jar } = props;
  const time = props.at.toLocaleTimeString();
  return (
    <div class="cookie-report">
      <p class="dim cookie-when">Jar read at {time} (now, not at request time){jar.allPartitions ? "" : "; partitioned cookies of other top-level sites are not listed by this browser"}.
        {r.wire ? " Sent / not sent comes from the recorded Cookie header." : " No Cookie header was recorded: sent / not sent is predicted."}</p>
      {jar.error ? <p class="none">{jar.error}</p> : null}
      <p class="cookie-site">{r.siteNote}</p>
      {r.thirdParty !== "not-applicable" ? (
        <p class="cookie-3p" data-third-party={r.thirdParty}><span class="k">Third-party cookies:</span> {THIRD_PARTY_LABEL[r.thirdParty]}. {r.thirdPartyNote}</p>
      ) : null}
      {r.verdicts.length === 0 ? (
        <p class="none">The browser holds no cookies for this host.</p>
      ) : (
        <table class="cookies-table">
          <caption>Cookies the browser holds for {hostOrUrl(r.url)}</caption>
          <thead>
            <tr><th scope="col">Name</th><th scope="col">Value</th><th scope="col">Domain / Path</th><th scope="col">Sent</th><th scope="col">Why</th></tr>
          </thead>
          <tbody>
            {r.verdicts.map((v, i) => {
              const value = props.values.get(`${v.name}\u0000${v.domain}\u0000${v.path}\u0000${v.partition ?? ""}`) ?? "";
              return (
                <tr key={i} class={v.sent ? "sent" : "not-sent"} data-cookie={v.name} data-reason={v.reason} data-certainty={v.certainty}>
                  <th scope="row" class="mono c-name">{v.name}</th>
                  <td class="mono c-value" title={props.reveal ? value : undefined}>{props.reveal ? value : MASK}</td>
                  <td class="mono c-where">{v.domain}{v.path}{v.partition ? <span class="dim"> (partitioned: {v.partition})</span> : null}</td>
                  <td class="c-sent">{v.sent ? "yes" : "no"}{v.certainty !== "wire" ? <span class="dim"> ({v.certainty})</span> : null}</td>
                  <td class="c-why">
                    <span class="pill cookie-reason">{REASON_LABEL[v.reason] ?? v.reason}</span> {v.explanation}
                    {v.fix ? <div class="cookie-fix"><span class="k">Fix:</span> {v.fix}</div> : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
