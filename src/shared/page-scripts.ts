// The two page scripts, as the Firefox manifest declares them (manifest.json content_scripts) and
// the Chrome background registers them on demand (engine.ts, platform/background.ts placeHooks):
// the relay first, so that it listens before the hook reports a call when both are injected into
// a loaded page.
export const PAGE_SCRIPTS = [
  { id: "cors-lens-relay", file: "relay.js", world: "ISOLATED" },
  { id: "cors-lens-hook", file: "hook.js", world: "MAIN" },
] as const;

/** Where the registered page scripts load: match patterns (https://developer.chrome.com/docs/extensions/develop/concepts/match-patterns). */
export interface HookScope {
  matches: string[];
  excludeMatches: string[];
}

export const ALL_PAGES: HookScope = { matches: ["<all_urls>"], excludeMatches: [] };
