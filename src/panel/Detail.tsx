// The detail of one exchange: stages, the failing header, the explanation, warnings, the fix and
// every header. Everything from the network is rendered as text.
import { Fragment, type ComponentChildren, type JSX } from "preact";
import { codeInfo, mdnUrl } from "../core/codes";
import { corsUnsafeRequestHeaderNames, normalizeMethod } from "../core/fetch";
import type { Stack } from "../core/types";
import type { Entry } from "../shared/protocol";
import { AuditView, findingsOf, Prose } from "./AuditView";
import { CookieView } from "./CookieView";
import { FixView } from "./FixView";
import { toCurl, toFetch } from "../core/reproduce";
import { useContext, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import { parseInitiator } from "../core/exchange";
import { exchangeJson, MASK, SecretContext } from "./headers";
import { HeaderTable, LongText } from "./HeaderTable";
import { STATUS_LABEL } from "./RequestList";
import { failingRecord, originTainted, stageLabel, stagesOf } from "./stages";
import { hopName } from "../core/hops";
import { preflightCacheFinding, preflightCacheMessage } from "../core/preflight-cache";
import type { StackPrefs } from "./stack";
import { enginesOf, statusOf } from "./entry";
import { ENGINE_IDS, ENGINE_NAMES, engineLine } from "../core/engines";

export type CopyWhat = "fix" | "json" | "curl" | "fetch" | "command";

export interface DetailProps {
  entry: Entry;
  reveal: boolean;
  onReveal(on: boolean): void;
  onClose(): void;
  prefs: StackPrefs;
  onChooseStack(origin: string, stack: Stack): void;
  onCopy(what: CopyWhat, text: string): void;
  copied: { what: CopyWhat; ok: boolean } | null;
  /** Opens the initiator in DevTools' Sources panel (absent outside DevTools). */
  onOpenSource?(url: string, line: number, column: number | null): Promise<boolean>;
}

function Section(props: { title: string; id: string; children: ComponentChildren; extra?: JSX.Element }): JSX.Element {
  return (
    <section class="section" aria-labelledby={props.id}>
      <div class="section-head">
        <h3 id={props.id}>{props.title}</h3>
        {props.extra ?? null}
      </div>
      <div class="section-body">{props.children}</div>
    </section>
  );
}

function Timeline(props: { entry: Entry }): JSX.Element {
  const { exchange: ex, diagnosis: d } = props.entry;
  const stages = stagesOf(ex, d);
  return (
    <ol class="timeline">
      {stages.map((s) => (
        <li key={s.key} class={`stage kind-${s.kind}${s.failing ? " failing" : ""}`} aria-current={s.failing ? "step" : undefined}>
          <span class="stage-title">{s.title}</span>
          <span class="stage-status">{s.status}</span>
          <span class="stage-url" title={s.url}>{s.url}</span>
          {s.failing ? <span class="stage-flag">{d.code ?? "failed"}</span> : null}
        </li>
      ))}
    </ol>
  );
}

/** The request side of a MethodDisallowed / HeaderDisallowed failure, with the offending item marked. */
function RequestSide(props: { entry: Entry }): JSX.Element | null {
  const { exchange: ex, diagnosis: d } = props.entry;
  const code = d.code ?? "";
  if (code.startsWith("MethodDisallowed")) {
    const method = d.failedParameter || normalizeMethod(ex.request.method);
    return (
      <div class="request-side">
        <div class="kv"><span class="k">Request method</span> <mark class="v" data-culprit="true">{method}</mark></div>
        <div class="kv"><span class="k">access-control-request-method</span> <mark class="v" data-culprit="true">{method}</mark></div>
      </div>
    );
  }
  if (code.startsWith("HeaderDisallowed")) {
    const names = corsUnsafeRequestHeaderNames(ex.request.headers);
    const bad = (d.failedParameter ?? "").toLowerCase();
    if (bad && !names.includes(bad)) names.push(bad);
    return (
      <div class="request-side">
        <div class="kv">
          <span class="k">access-control-request-headers</span>{" "}
          <span class="v">
            {names.map((n, i) => (
              <Fragment key={n}>{i ? ", " : ""}{n === bad ? <mark data-culprit="true">{n}</mark> : n}</Fragment>
            ))}
          </span>
        </div>
        <div class="kv"><span class="k">Request header</span> <mark class="v" data-culprit="true">{bad}</mark></div>
      </div>
    );
  }
  return null;
}

function capitalized(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function FailingHeader(props: { entry: Entry; reveal: boolean }): JSX.Element | null {
  const { exchange: ex, diagnosis: d } = props.entry;
  if (!d.blocked || !d.code) return null;
  const record = failingRecord(ex, d);
  const header = d.header;
  // A failing status (a 401 preflight) has no header to point at: received and expected are the status.
  const isStatus = !header && d.code.endsWith("InvalidStatus");
  const tainted = d.expected === "null" && originTainted(d, ex);
  return (
    <>
      {header || (isStatus && d.received !== null) ? (
        <div class="received-expected">
          <div class="box received">
            <div class="label">{isStatus ? "Received status" : "Received"}</div>
            <div class="mono">{d.received === null ? <em class="missing-text">missing</em> : <LongText text={d.received} />}</div>
          </div>
          <div class="box expected">
            <div class="label">{isStatus ? "Expected status" : "Expected"}</div>
            <div class="mono">{d.expected === null ? "—" : <LongText text={d.expected} />}</div>
            {tainted ? (
              <div class="taint-note" role="note">
                The browser sent <code>Origin: null</code> because a redirect went to another origin. Do not allow <code>null</code>
                {" "}(it would trust every sandboxed iframe and file:// page): call the final URL directly, or keep the redirect on one origin.
              </div>
            ) : null}
          </div>
        </div>
      ) : null}
      <RequestSide entry={props.entry} />
      {record ? (
        <HeaderTable caption={`${capitalized(stageLabel(d, ex).replace(/^the /, ""))}: ${record.status}`} headers={record.headers}
          reveal={props.reveal} culprit={header} showMissing />
      ) : d.stage !== "request" ? (
        <p class="none">{capitalized(stageLabel(d, ex))} was not recorded.</p>
      ) : null}
    </>
  );
}

/** The page's calling line, as a link to the Sources panel when DevTools can open it (as the Network panel's Initiator). */
function Initiator(props: { at: string | undefined; onOpen?: DetailProps["onOpenSource"] }): JSX.Element {
  const [failed, setFailed] = useState(false);
  if (!props.at) return <span class="dim">not reported by the page hook</span>;
  const at = parseInitiator(props.at);
  if (!at || !props.onOpen || !/^https?:/i.test(at.url)) return <>{props.at}</>;
  const file = at.url.replace(/[?#].*$/, "").replace(/^.*\//, "") || at.url;
  const link = (
    <button type="button" class="link source-link" title={`Open ${props.at} in the Sources panel`}
      onClick={() => void props.onOpen!(at.url, at.line, at.column).then((ok) => setFailed(!ok))}>
      {file}:{at.line}{at.column !== null ? `:${at.column}` : ""}
    </button>
  );
  return failed ? <>{link} <span class="dim" role="status">(DevTools has no such source loaded)</span></> : link;
}

/** "Chrome ✗ X · Firefox ✗ Y (401) · Safari ✓ not blocked": each engine's verdict, the ones that differ marked. */
function EngineLine(props: { entry: Entry }): JSX.Element {
  const { engines, differ } = enginesOf(props.entry);
  return (
    <p class="engine-line" aria-label="Each browser's verdict">
      {ENGINE_IDS.map((id, i) => (
        <Fragment key={id}>
          {i ? <span class="dim"> · </span> : null}
          <span class={`engine ${engines[id].blocked ? "blocked" : "passes"}${differ.includes(id) ? " differs" : ""}`}
            title={differ.includes(id) ? `${ENGINE_NAMES[id]} judges this request otherwise than Chrome` : undefined}>
            {engineLine(id, engines)}
          </span>
        </Fragment>
      ))}
    </p>
  );
}

function Explanation(props: { entry: Entry; onOpenSource?: DetailProps["onOpenSource"] }): JSX.Element {
  const { exchange: ex, diagnosis: d } = props.entry;
  const info = codeInfo(d.code);
  const { engines } = enginesOf(props.entry);
  // Firefox's reason from the Gecko model (Chrome's code maps to the wrong key on some exchanges).
  const firefoxKey = engines.firefox.reason ?? d.firefox;
  return (
    <div class="explanation">
      <EngineLine entry={props.entry} />
      {info ? <p class="why"><Prose text={info.why} /></p> : null}
      <dl class="facts">
        <dt>Chrome</dt>
        <dd class="mono">{d.code ?? (d.networkError ?? "—")}{d.failedParameter ? <span class="dim"> (failed parameter: {d.failedParameter})</span> : null}</dd>
        <dt>Firefox</dt>
        <dd class="mono">{engines.firefox.blocked ? engines.firefox.reason ?? "blocked" : "not blocked"}{engines.firefox.status !== null ? <span class="dim"> (status {engines.firefox.status})</span> : null}</dd>
        <dt>Safari</dt>
        <dd>{engines.safari.blocked ? engines.safari.message ?? "blocked" : "not blocked"}</dd>
        <dt>Credentials</dt>
        <dd>{d.credentials?.mode ?? ex.request.credentials}{d.credentials?.inferred ? " (inferred from evidence)" : ""}</dd>
        <dt>Initiator</dt>
        <dd class="mono" title={ex.initiator}><Initiator key={ex.id} at={ex.initiator} onOpen={props.onOpenSource} /></dd>
        <dt>Learn more</dt>
        <dd><a href={mdnUrl(firefoxKey)} target="_blank" rel="noopener noreferrer">MDN: {firefoxKey ? firefoxKey.replace(/\d+$/, "") : "CORS errors"}</a></dd>
      </dl>
    </div>
  );
}

export function Detail(props: DetailProps): JSX.Element {
  const { exchange: ex, diagnosis: d } = props.entry;
  const isSecret = useContext(SecretContext);
  // Every selection opens at the top, where the message and the failing header are (the body is
  // reused across selections, and kept the last request's scroll position).
  const body = useRef<HTMLDivElement | null>(null);
  useLayoutEffect(() => {
    if (body.current) body.current.scrollTop = 0;
  }, [ex.id]);
  const status = statusOf(props.entry);
  const findings = useMemo(() => findingsOf(props.entry), [props.entry]);
  // From the validated exchange, not the diagnosis (which crosses the port unchecked).
  const cache = useMemo(() => preflightCacheFinding(ex), [ex]);
  // A warning the audit explains with a severity and a fix is said once, there.
  const warnings = (Array.isArray(d.warnings) ? d.warnings : []).filter((w) => !(w.code === "MissingVaryOrigin" && findings.some((f) => f.id === "missing-vary")));
  const needsFix = d.blocked || (Array.isArray(d.warnings) && d.warnings.length > 0);
  const copyLabel = props.copied ? (props.copied.ok ? "Copied" : "Copy failed: select the text and press Ctrl+C") : "";
  // "Copied" is shown by the button that copied (the status line says it to screen readers, and shows a failure).
  const copyText = (what: CopyWhat, label: string) => (props.copied?.what === what && props.copied.ok ? "Copied" : label);
  const revealButton = (
    <button type="button" aria-pressed={props.reveal} onClick={() => props.onReveal(!props.reveal)}>
      {props.reveal ? "Hide secrets" : "Reveal secrets"}
    </button>
  );
  return (
    <div class="detail" role="region" aria-label="Request detail">
      <div class="detail-head">
        <span class={`pill status-${status}`}>{STATUS_LABEL[status]}</span>
        <span class="detail-title mono" title={ex.request.url}>{ex.request.method} {ex.request.url}</span>
        <span class={props.copied?.ok ? "copy-status sr-only" : "copy-status"} role="status" aria-live="polite">{copyLabel}</span>
        <button aria-label="Copy as JSON" type="button" onClick={() => props.onCopy("json", exchangeJson(ex, props.reveal, isSecret))}>{copyText("json", "Copy as JSON")}</button>
        <button aria-label="Copy as curl" type="button" title="The preflight and the request, to replay from a terminal"
          onClick={() => props.onCopy("curl", toCurl(ex, { reveal: props.reveal, isSecret, mask: MASK }))}>{copyText("curl", "Copy as curl")}</button>
        <button aria-label="Copy as fetch" type="button" title="The request as a fetch() call, as DevTools writes it"
          onClick={() => props.onCopy("fetch", toFetch(ex, { reveal: props.reveal, isSecret, mask: MASK }))}>{copyText("fetch", "Copy as fetch")}</button>
        <button type="button" class="close" aria-label="Close detail" title="Close (Esc)" onClick={props.onClose}>×</button>
      </div>
      <div class="detail-body" ref={body}>
        <p class="message">{d.message}</p>
        <Section title="Stages" id="sec-stages">
          <Timeline entry={props.entry} />
          {cache ? <p class="preflight-cache" data-finding="preflight-cache">{preflightCacheMessage(cache)}</p> : null}
        </Section>
        {d.blocked && d.code ? (
          <Section title={d.header ? "Failing header" : "Failing check"} id="sec-failing"><FailingHeader entry={props.entry} reveal={props.reveal} /></Section>
        ) : null}
        <Section title="Explanation" id="sec-why"><Explanation entry={props.entry} onOpenSource={props.onOpenSource} /></Section>
        {warnings.length ? (
          <Section title={`Warnings (${warnings.length})`} id="sec-warnings">
            <ul class="warnings">
              {warnings.map((w, i) => (
                <li key={i}><span class="mono warn-code">{w.code}</span>{w.header ? <span class="mono dim"> {w.header}</span> : null}<div>{w.message}</div></li>
              ))}
            </ul>
          </Section>
        ) : null}
        <AuditView entry={props.entry} findings={findings} onCopy={(text) => props.onCopy("command", text)} />
        {needsFix && !d.networkError ? (
          <Section title="Fix" id="sec-fix">
            <FixView entry={props.entry} prefs={props.prefs} onChooseStack={props.onChooseStack} onCopy={props.onCopy}
              copied={props.copied?.what === "fix" && props.copied.ok} />
          </Section>
        ) : null}
        <CookieView entry={props.entry} reveal={props.reveal} />
        <Section title="Headers" id="sec-headers" extra={revealButton}>
          <HeaderTable caption="Request headers set by the script" headers={ex.request.headers} reveal={props.reveal}
            culprit={d.code?.startsWith("HeaderDisallowed") ? d.failedParameter : null} emptyText="None." />
          {ex.request.sentHeaders ? (
            <HeaderTable caption="Request headers sent" headers={ex.request.sentHeaders} reveal={props.reveal} />
          ) : null}
          {ex.hops.flatMap((h, i) => [
            h.preflight ? (
              <HeaderTable key={`p${i}`} caption={`Preflight response${ex.hops.length > 1 ? ` (${hopName(i, ex.hops.length)})` : ""}: ${h.preflight.status}`}
                headers={h.preflight.headers} reveal={props.reveal} />
            ) : null,
            h.response ? (
              <HeaderTable key={`r${i}`} caption={`Response${ex.hops.length > 1 ? ` (${hopName(i, ex.hops.length)})` : ""}: ${h.response.status}`}
                headers={h.response.headers} reveal={props.reveal} />
            ) : null,
          ])}
        </Section>
      </div>
    </div>
  );
}
