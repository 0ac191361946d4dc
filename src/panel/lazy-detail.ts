// The detail's code is a chunk of its own (scripts/build.mjs splits panel.js): the fix generators,
// highlight.js and the public suffix list are ~380 KB of the panel's ~660 KB and none of it is needed
// for the list's first row. It is loaded once the first rows are painted, or when a detail opens
// before that (B4r: the same panel without the detail's code ran its script ~15 ms sooner).
type DetailModule = typeof import("./Detail");

let loaded: DetailModule | null = null;
let loading: Promise<DetailModule> | null = null;

/** Starts loading the detail's chunk (once); resolves with it. */
export function loadDetail(): Promise<DetailModule> {
  loading ??= import("./Detail").then((m) => (loaded = m));
  return loading;
}

/** The detail's module if it has loaded, else null. */
export function detailModule(): DetailModule | null {
  return loaded;
}
