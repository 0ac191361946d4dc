// URL pieces every part of the project names the same way (WHATWG URL: `host` has the port, `hostname` not).

/** The URL's host, port included, lower-case; null for a URL that does not parse. */
export function hostOf(url: string): string | null {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return null;
  }
}

/** For display: the URL's host, or the URL itself when it does not parse (so something is shown). */
export function hostOrUrl(url: string): string {
  return hostOf(url) ?? url;
}

/**
 * The host name (no port) of an http(s) URL; null otherwise. Capture patterns match host names, and
 * only web pages have one: chrome://, about: and file: URLs give null.
 */
export function hostnameOf(url: string): string | null {
  if (!/^https?:/i.test(url)) return null;
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return null;
  }
}

/** The URL without its fragment: it never goes on the wire, so requests and reports compare without it. */
export function stripFragment(url: string): string {
  const i = url.indexOf("#");
  return i < 0 ? url : url.slice(0, i);
}
