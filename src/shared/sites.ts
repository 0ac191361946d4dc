// Capture patterns: host names the user keeps under full capture, matched against a tab's top-level host name.
// Not "sites" in HTML's sense (scheme + registrable domain, src/core/cookies.ts schemefulSite): a pattern names
// one host or its sub-domains, with no Public Suffix List involved.

/** Dev origins captured without asking: loopback names and the reserved .test TLD (RFC 6761). */
export const DEFAULT_CAPTURE_PATTERNS: readonly string[] = ["localhost", "*.localhost", "127.0.0.1", "*.test"];

const HOST_RE = /^[a-z0-9-]+(\.[a-z0-9-]+)*$/;
const IPV6_RE = /^\[[0-9a-f:.]+\]$/;

/** A capture pattern: a host name, "*." + host name (sub-domains only), or a bracketed IPv6 address. */
export function readCapturePattern(x: unknown): string | null {
  if (typeof x !== "string") return null;
  const s = x.trim().toLowerCase();
  if (s === "" || s.length > 253) return null;
  if (IPV6_RE.test(s)) return s;
  const host = s.startsWith("*.") ? s.slice(2) : s;
  return HOST_RE.test(host) ? s : null;
}

export function capturePatternMatches(pattern: string, hostname: string): boolean {
  if (pattern.startsWith("*.")) return hostname.endsWith(pattern.slice(1));
  return hostname === pattern;
}

/**
 * Where the page hook loads when it is registered on demand (Chrome, engine.ts): a content-script
 * match pattern per always-captured site pattern, the sites turned off excluded. Match patterns
 * ignore the port and take "*." to mean the host and its sub-domains
 * (https://developer.chrome.com/docs/extensions/develop/concepts/match-patterns): a superset of
 * capturePatternMatches, which only costs the hook on a host that did not need it.
 */
export function hookMatchPatterns(sites: { on: readonly string[]; off: readonly string[] }): { matches: string[]; excludeMatches: string[] } {
  const pattern = (s: string) => `*://${s}/*`;
  const valid = (xs: readonly string[]) => xs.map(readCapturePattern).filter((s): s is string => s !== null);
  const matches = [...new Set([...DEFAULT_CAPTURE_PATTERNS, ...valid(sites.on)])].filter((s) => !sites.off.includes(s)).map(pattern);
  return { matches, excludeMatches: [...new Set(valid(sites.off))].map(pattern) };
}
