// The security audit of one exchange (src/core/audit.ts): CORS configurations that work but are
// dangerous. Rendered only when there is a finding; every value from the network is Preact text.
import type { JSX } from "preact";
import { useMemo } from "preact/hooks";
import { audit, type Finding } from "../core/audit";
import type { Entry } from "../shared/protocol";

const SEVERITY: Record<Finding["severity"], string> = { high: "High", medium: "Medium", low: "Low" };

function findingsOf(entry: Entry): Finding[] {
  try {
    return audit(entry.exchange, entry.diagnosis);
  } catch {
    return [];
  }
}

function where(f: Finding, hops: number): string {
  if (!f.where) return "";
  const rec = f.where.record === "preflight" ? "preflight response" : "response";
  return hops > 1 ? ` (${rec}, hop ${f.where.hop})` : ` (${rec})`;
}

export function AuditView(props: { entry: Entry }): JSX.Element | null {
  const findings = useMemo(() => findingsOf(props.entry), [props.entry]);
  if (findings.length === 0) return null;
  const hops = props.entry.exchange.hops?.length ?? 0;
  return (
    <section class="section audit" aria-labelledby="sec-audit">
      <div class="section-head">
        <h3 id="sec-audit">{`Security audit (${findings.length})`}</h3>
      </div>
      <div class="section-body">
        <p class="audit-intro dim">
          This works, but it is dangerous. A suspected finding cannot be proved from one request:
          {" "}<code>cors-lens probe --audit URL --origin ORIGIN --credentials</code> confirms it with hostile origins.
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
              <p class="audit-explanation">{f.explanation}</p>
              <div class="kv audit-evidence">
                <span class="k">Evidence</span>{" "}
                <span class="v mono">{f.evidence.header}: {f.evidence.value === null ? <em class="missing-text">missing</em> : f.evidence.value}</span>
                <span class="dim">{where(f, hops)}</span>
              </div>
              <div class="kv audit-fix"><span class="k">Fix</span> <span class="v">{f.fix}</span></div>
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}
