// B4's page: the real panel (src/panel/App) mounted in headless Chromium over a fake PanelPlatform
// whose port answers HELLO with a snapshot of N entries (bench/corpus.ts), paged as the background
// pages it (snapshotPages, src/shared/protocol.ts). The port delivers each message as Chrome's
// extension messaging does: serialized as JSON, parsed on arrival in a task of its own (timed).
// Driven by bench/panel.ts through window.__bench.
import { render } from "preact";
import { App } from "../src/panel/App";
import type { PanelPlatform, Port as PanelPort } from "../src/platform/panel";
import { MSG, PORT_NAME, readBackgroundMessage, snapshotPages, type SnapshotMessage } from "../src/shared/protocol";
import { entryAt } from "./corpus";

const snapshots = new Map<number, string[]>();

/** The JSON of each message the background sends for a snapshot of n entries. */
function snapshotJson(n: number): string[] {
  let s = snapshots.get(n);
  if (s === undefined) {
    const entries = [];
    for (let i = 0; i < n; i++) entries.push(entryAt(i));
    const m: SnapshotMessage = {
      type: MSG.SNAPSHOT, tabId: 1, page: 0, pageUrl: "http://localhost:3000/", entries, dropped: 0, captureLevel: "full",
      missed: 0, suspected: 0, preserve: false, site: "localhost", alwaysCapture: true,
    };
    s = snapshotPages(m).map((x) => JSON.stringify(x));
    snapshots.set(n, s);
  }
  return s;
}

let parseMs = 0;

function fakePlatform(pages: string[]): PanelPlatform {
  const data = new Map<string, unknown>();
  return {
    connect(): PanelPort {
      let onMessage: ((m: unknown) => void) | null = null;
      let next = 0;
      return {
        name: PORT_NAME,
        post(m) {
          // HELLO: the first page; SNAPSHOT_NEXT: the next (the panel asks once it has painted).
          const type = (m as { type?: string }).type;
          if (type === MSG.HELLO) next = 0;
          else if (type !== MSG.SNAPSHOT_NEXT) return;
          const i = next++;
          const json = pages[i];
          if (json === undefined) return;
          // Each message arrives as a task of its own, deserialized on arrival (parseMs: the first's).
          setTimeout(() => {
            const t = performance.now();
            const parsed = JSON.parse(json) as unknown;
            if (i === 0) parseMs = performance.now() - t;
            onMessage?.(parsed);
          }, 0);
        },
        onMessage(cb) { onMessage = cb; },
        onDisconnect() {},
        disconnect() {},
      };
    },
    storageGet: async (keys) => Object.fromEntries(keys.filter((k) => data.has(k)).map((k) => [k, data.get(k)])),
    storageSet: async (items) => { for (const [k, v] of Object.entries(items)) data.set(k, v); },
    themeName: () => null,
    onThemeChanged: () => () => {},
    copyText: async () => false,
  };
}

/** Resolves after the next frame has been produced (rAF, then a task after it). */
function afterPaint(): Promise<number> {
  return new Promise((resolve) => requestAnimationFrame(() => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => resolve(performance.now());
    ch.port2.postMessage(0);
  }));
}

function rowsShown(root: HTMLElement): number {
  return root.querySelectorAll(".grid-rows [role=row]").length;
}

let root: HTMLElement | null = null;
const keyLatencies: number[] = [];
let lastKey = 0;

document.addEventListener("keydown", (ev) => { lastKey = ev.timeStamp; }, true);
document.addEventListener("input", () => {
  const t = lastKey;
  void afterPaint().then((now) => keyLatencies.push(now - t));
}, true);

const bench = {
  /** Prepares the snapshot's JSON (untimed); its length in characters. */
  prepare(n: number): number {
    return snapshotJson(n).reduce((a, p) => a + p.length, 0);
  },
  /** The panel's validation of the snapshot's first message (readBackgroundMessage, as connection.ts runs it), timed alone: ms. */
  validate(n: number): number {
    const parsed = JSON.parse(snapshotJson(n)[0]!) as unknown;
    const t = performance.now();
    const m = readBackgroundMessage(parsed);
    const ms = performance.now() - t;
    if (!m || m.type !== MSG.SNAPSHOT || m.entries.length + (m.more ?? 0) !== n) throw new Error("snapshot did not validate");
    return ms;
  },
  /** Mounts a fresh panel fed `n` entries; ms from render() to the first painted frame with rows. */
  async mount(n: number): Promise<{ firstRenderMs: number; loadedMs: number; parseMs: number; rows: number; counts: string }> {
    if (root) {
      render(null, root);
      root.remove();
    }
    await afterPaint();
    const json = snapshotJson(n);
    root = document.createElement("div");
    root.id = "app";
    document.body.appendChild(root);
    const el = root;
    const t0 = performance.now();
    render(<App platform={fakePlatform(json)} tabId={1} theme="light" />, el);
    await new Promise<void>((resolve) => {
      const check = () => (rowsShown(el) > 0 ? resolve() : requestAnimationFrame(check));
      const mo = new MutationObserver(() => { if (rowsShown(el) > 0) { mo.disconnect(); resolve(); } });
      mo.observe(el, { childList: true, subtree: true });
      check();
    });
    const t1 = await afterPaint();
    const rows = rowsShown(el);
    // Then every page: the counts say all n requests.
    const all = `${n.toLocaleString("en-US")} request`;
    await new Promise<void>((resolve) => {
      const check = () => {
        const counts = el.querySelector("[data-testid=counts]")?.textContent ?? "";
        if (counts.startsWith(all) && !counts.includes("loading")) resolve();
        else setTimeout(check, 5);
      };
      check();
    });
    const t2 = await afterPaint();
    return { firstRenderMs: t1 - t0, loadedMs: t2 - t0, parseMs, rows, counts: el.querySelector("[data-testid=counts]")?.textContent ?? "" };
  },
  /** Clears the keystroke latencies recorded so far. */
  resetKeys(): void {
    keyLatencies.length = 0;
  },
  keys(): { latencies: number[]; counts: string } {
    return { latencies: [...keyLatencies], counts: root?.querySelector("[data-testid=counts]")?.textContent ?? "" };
  },
  /** Scrolls the list's container `steps` times by `px` (down, then back up past the top); ms per step until painted. */
  async scroll(steps: number, px: number): Promise<{ stepMs: number[]; firstRowIndex: number; maxTop: number }> {
    const body = root!.querySelector<HTMLElement>(".grid-body")!;
    const maxTop = body.scrollHeight - body.clientHeight;
    const out: number[] = [];
    let dir = 1;
    let firstRowIndex = -1;
    for (let k = 0; k < steps; k++) {
      let next = body.scrollTop + dir * px;
      if (next > maxTop || next < 0) {
        dir = -dir;
        next = body.scrollTop + dir * px;
      }
      const t = performance.now();
      body.scrollTop = next;
      out.push((await afterPaint()) - t);
      const first = root!.querySelector(".grid-rows [role=row]");
      firstRowIndex = Number(first?.getAttribute("aria-rowindex") ?? -1);
    }
    return { stepMs: out, firstRowIndex, maxTop };
  },
};

(globalThis as { __bench?: typeof bench }).__bench = bench;
document.title = "ready";
