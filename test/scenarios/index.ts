// Every lab scenario. Names are unique and stable: the oracle's reports and the verdict file
// are keyed by them.
import type { Scenario } from "./kit";
import { originScenarios } from "./origin";
import { preflightScenarios } from "./preflight";
import { redirectScenarios } from "./redirects";

export type { Kit, PageKind, Scenario, ScenarioRequest } from "./kit";

export const scenarios: Scenario[] = [...originScenarios, ...preflightScenarios, ...redirectScenarios];

const seen = new Set<string>();
for (const s of scenarios) {
  if (seen.has(s.name)) throw new Error(`duplicate scenario name ${s.name}`);
  seen.add(s.name);
}
