// The capture level of every tab, and why. A tab is captured fully while
//   - a port holds it: a CORS panel's, or the devtools page's (DevTools is open on the tab,
//     whichever panel it shows), counted per port;
//   - its panel was open in the last worker life and has not reconnected yet (a grace after a
//     restart: another port's HELLO or a snapshot may come first and close before the panel's own
//     reconnect, which must not drop the tab's listeners meanwhile);
//   - its top-level site is always captured (dev origins by default, or the user's choice).
// Every other tab is at the "count" level (the page hook's rejections feed the badge). Plain state:
// the engine applies it (listener sets, CAPTURE_STATE pushes) when `changed` is called, and persists
// `persisted()`.
import { isTabId } from "../shared/protocol";
import { DEFAULT_CAPTURE_PATTERNS, capturePatternMatches } from "../shared/sites";
import { hostnameOf } from "../shared/url";

export interface SiteLists {
  on: string[];
  off: string[];
}

/** What a restarted worker needs: the tabs held by ports, and the watched tabs' URLs. */
export interface PersistedPolicy {
  panels: number[];
  urls: Record<string, string>;
}

export interface PolicyOptions {
  setTimer(ms: number, fn: () => void): () => void;
  /** How long a port-held tab of the last worker life stays captured without its port. */
  graceMs: number;
  /** The watched set (or what must be persisted) may have changed. */
  changed(): void;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string").slice(0, 500) : [];
}


export class CapturePolicy {
  private holds = new Map<number, number>();
  private stale = new Map<number, () => void>();
  private siteTabs = new Set<number>();
  private urls = new Map<number, string>();
  private sites: SiteLists = { on: [], off: [] };

  constructor(private o: PolicyOptions) {}

  isWatched(tab: number): boolean {
    return this.holds.has(tab) || this.stale.has(tab) || this.siteTabs.has(tab);
  }

  /** A port holds the tab (or held it in the last worker life and has not reconnected yet). */
  isHeld(tab: number): boolean {
    return this.holds.has(tab) || this.stale.has(tab);
  }

  watchedTabs(): Set<number> {
    return new Set([...this.holds.keys(), ...this.stale.keys(), ...this.siteTabs]);
  }

  /** Some port holds (or, in its grace, held) a tab: the developer is debugging. */
  anyPort(): boolean {
    return this.holds.size + this.stale.size > 0;
  }

  url(tab: number): string | undefined {
    return this.urls.get(tab);
  }

  siteWatched(url: string): boolean {
    const host = hostnameOf(url);
    if (host === null) return false;
    const match = (s: string) => capturePatternMatches(s, host);
    return (DEFAULT_CAPTURE_PATTERNS.some(match) || this.sites.on.some(match)) && !this.sites.off.some(match);
  }

  siteLists(): SiteLists {
    return this.sites;
  }

  /** The last worker life's state (storage.session) and the user's sites (storage.local). */
  restore(state: unknown, sites: unknown): void {
    if (isObject(sites)) this.sites = { on: strings(sites.on), off: strings(sites.off) };
    if (!isObject(state)) return;
    if (isObject(state.urls)) {
      for (const [tab, url] of Object.entries(state.urls)) if (typeof url === "string") this.urls.set(Number(tab), url);
    }
    for (const [tab, url] of this.urls) if (this.siteWatched(url)) this.siteTabs.add(tab);
    if (Array.isArray(state.panels)) {
      for (const tab of state.panels) if (isTabId(tab)) this.stale.set(tab, this.o.setTimer(this.o.graceMs, () => this.endGrace(tab)));
    }
  }

  persisted(): PersistedPolicy {
    const urls: Record<string, string> = {};
    for (const tab of this.watchedTabs()) {
      const u = this.urls.get(tab);
      if (u) urls[tab] = u;
    }
    return { panels: [...new Set([...this.holds.keys(), ...this.stale.keys()])], urls };
  }

  /** A port (panel or devtools page) now holds the tab. */
  hold(tab: number): void {
    this.holds.set(tab, (this.holds.get(tab) ?? 0) + 1);
    this.o.changed();
  }

  release(tab: number): void {
    const n = (this.holds.get(tab) ?? 1) - 1;
    if (n > 0) this.holds.set(tab, n);
    else this.holds.delete(tab);
    this.o.changed();
  }

  /** The tab's URL when nothing told it yet (a port for a tab that navigated in an earlier worker life). */
  learnUrl(tab: number, url: string): void {
    if (this.urls.has(tab)) return;
    this.urls.set(tab, url);
    if (this.siteWatched(url)) this.siteTabs.add(tab);
    this.o.changed();
  }

  /** Before a top-level navigation's request: an always-captured site is watched before its first request. */
  navigationStart(tab: number, url: string): void {
    if (this.siteTabs.has(tab) || !this.siteWatched(url)) return;
    this.siteTabs.add(tab);
    this.urls.set(tab, url);
    this.o.changed();
  }

  /** The new document committed. */
  navigationCommit(tab: number, url: string): void {
    const was = this.isWatched(tab);
    this.urls.set(tab, url);
    if (this.siteWatched(url)) this.siteTabs.add(tab);
    else this.siteTabs.delete(tab);
    if (was || this.isWatched(tab)) this.o.changed();
  }

  removeTab(tab: number): void {
    const was = this.isWatched(tab);
    this.stale.get(tab)?.();
    this.stale.delete(tab);
    this.holds.delete(tab);
    this.siteTabs.delete(tab);
    this.urls.delete(tab);
    if (was) this.o.changed();
  }

  /** The user turned "always capture" on or off for a site; returns the lists to store. */
  setSite(site: string, on: boolean): SiteLists {
    const isDefault = DEFAULT_CAPTURE_PATTERNS.includes(site);
    const { on: add, off } = this.sites;
    this.sites = {
      on: on && !isDefault ? [...add.filter((s) => s !== site), site].slice(-200) : add.filter((s) => s !== site),
      off: !on && isDefault ? [...off.filter((s) => s !== site), site] : off.filter((s) => s !== site),
    };
    this.siteTabs.clear();
    for (const [tab, url] of this.urls) if (this.siteWatched(url)) this.siteTabs.add(tab);
    this.o.changed();
    return this.sites;
  }

  private endGrace(tab: number): void {
    if (!this.stale.delete(tab)) return;
    this.o.changed();
  }
}
