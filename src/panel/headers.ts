// Header display helpers: one row per header line, and masking of credentials.
import { createContext } from "preact";
import { isSecretHeader, maskExchange, type SecretTest } from "../core/secrets";
import type { Exchange, Headers } from "../core/types";

/** The secret test with the user's settings (App provides it; the options page edits them). */
export const SecretContext = createContext<SecretTest>(isSecretHeader);

// Secret header values (src/core/secrets.ts): hidden until the user reveals them.
export { isSecretHeader as isMasked, MASK, maskExchange } from "../core/secrets";

/** One row per header line, in recorded order (a repeated header gives one row per line). */
export function headerRows(headers: Headers | null | undefined): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  if (!headers) return rows;
  for (const [name, v] of Object.entries(headers)) {
    for (const value of Array.isArray(v) ? v : [v]) rows.push([name, String(value)]);
  }
  return rows;
}

/** "Copy as JSON": the exchange in the documented shape (docs/exchange.md), masked unless revealed. */
export function exchangeJson(ex: Exchange, reveal: boolean, isSecret: SecretTest = isSecretHeader): string {
  return JSON.stringify(reveal ? ex : maskExchange(ex, { isSecret }), null, 2);
}
