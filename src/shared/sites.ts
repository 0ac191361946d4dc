// Sites the user keeps under full capture, matched against a tab's top-level host name.

/** Dev origins captured without asking: loopback names and the reserved .test TLD (RFC 6761). */
export const DEFAULT_SITES: readonly string[] = ["localhost", "*.localhost", "127.0.0.1", "*.test"];

const HOST_RE = /^[a-z0-9-]+(\.[a-z0-9-]+)*$/;
const IPV6_RE = /^\[[0-9a-f:.]+\]$/;

/** A site pattern: a host name, "*." + host name (sub-domains only), or a bracketed IPv6 address. */
export function readSite(x: unknown): string | null {
  if (typeof x !== "string") return null;
  const s = x.trim().toLowerCase();
  if (s === "" || s.length > 253) return null;
  if (IPV6_RE.test(s)) return s;
  const host = s.startsWith("*.") ? s.slice(2) : s;
  return HOST_RE.test(host) ? s : null;
}

export function siteMatches(site: string, hostname: string): boolean {
  if (site.startsWith("*.")) return hostname.endsWith(site.slice(1));
  return hostname === site;
}

/** The host name of an http(s) URL, as site patterns see it; null otherwise. */
export function hostOf(url: string): string | null {
  if (!/^https?:/i.test(url)) return null;
  try {
    return new URL(url).hostname;
  } catch {
    return null;
  }
}
