// The security audit of one exchange (src/core/audit.ts): CORS configurations that work but are
// dangerous. Every value from the network is Preact text; `code` spans in the core's prose
// (backticks) become <code>, never markup.
import type { JSX } from "preact";
import { audit, probeCommand, type Finding } from "../core/audit";
import { hopName } from "../core/hops";
import type { Entry } from "../shared/protocol";

const SEVERITY: Record<Finding["severity"], string> = { high: "High", medium: "Medium", low: "Low" };

/** The entry's findings (never throws: a malformed exchange has none). */
export function findingsOf(entry: Entry): Finding[] {
  try {
    return audit(entry.exchange);
  } catch {
    return [];
  }
}

/** Prose with `inline code`: the backticked parts as <code>, the rest as text. */
export function Prose(props: { text: string }): JSX.Element {
  const parts = props.text.split("`");
  // An odd count of backticks leaves the last one literal.
  const closed = parts.length % 2 === 1 ? parts : [...parts.slice(0, -2), `${parts[parts.length - 2]}\`${parts[parts.length - 1]}`];
  return <>{closed.map((p, i) => (i % 2 === 1 ? <code key={i}>{p}</code> : p))}</>;
}

function where(f: Finding, hops: number): string {
  if (!f.where) return "";
  const rec = f.where.record === "preflight" ? "preflight response" : "response";
  return hops > 1 ? ` (${rec}, ${hopName(f.where.hop, hops)})` : ` (${rec})`;
}

function Command(props: { command: string; onCopy(text: string): void }): JSX.Element {
  return (
    <div class="command">
      <pre class="code mono">{props.command}</pre>
      <button type="button" onClick={() => props.onCopy(props.command)}>Copy command</button>
    </div>
  );
}

export function AuditView(props: { entry: Entry; findings: Finding[]; onCopy(text: string): void }): JSX.Element | null {
  const { findings } = props;
  const hops = props.entry.exchange.hops?.length ?? 0;
  if (findings.length === 0) {
    // Nothing to report from this exchange; whether the server echoes every origin only a probe can tell.
    const command = probeCommand(props.entry.exchange);
    if (!command) return null;
    return (
      <div class="audit-quiet dim" data-audit="probe">
        <span>Credentials with this exact origin: a good allow-list, or a server that echoes every origin? A probe with hostile origins tells:</span>
        <Command command={command} onCopy={props.onCopy} />
      </div>
    );
  }
  return (
    <section class="section audit" aria-labelledby="sec-audit">
      <div class="section-head">
        <h3 id="sec-audit">{`Security audit (${findings.length})`}</h3>
      </div>
      <div class="section-body">
        <p class="audit-intro dim">
          {props.entry.diagnosis.blocked
            ? "Beyond the block, this configuration is also dangerous:"
            : "This works, but it is dangerous."}
        </p>
        <ul class="audit-findings">
          {findings.map((f, i) => (
            <li key={`${f.id}-${i}`} class={`audit-finding sev-${f.severity}`} data-finding={f.id}>
              <div class="audit-head">
                <span class={`pill audit-sev sev-${f.severity}`}>{SEVERITY[f.severity]}</span>{" "}
                <span class="audit-title">{f.title}</span>
                {f.suspected ? <>{" "}<span class="pill audit-suspected" title="Not proved by this exchange alone">suspected</span></> : null}
                {" "}<span class="mono dim">{f.id}</span>
              </div>
              <p class="audit-explanation"><Prose text={f.explanation} /></p>
              {f.command ? <Command command={f.command} onCopy={props.onCopy} /> : null}
              <div class="kv audit-evidence">
                <span class="k">Evidence</span>{" "}
                <span class="v mono">{f.evidence.header}: {f.evidence.value === null ? <em class="missing-text">missing</em> : f.evidence.value}</span>
                <span class="dim">{where(f, hops)}</span>
              </div>
              <div class="kv audit-fix"><span class="k">Fix</span> <span class="v"><Prose text={f.fix} /></span></div>
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}
