// B4's page: the real panel (src/panel/App) mounted in headless Chromium over a fake PanelPlatform
// whose port answers HELLO with a SNAPSHOT of N entries (bench/corpus.ts). The background's store
// holds at most 2,000 per tab, so the real background cannot send 10,000. The port delivers the
// snapshot as Chrome's extension messaging does: serialized as JSON, parsed in the panel (timed).
// Driven by bench/panel.ts through window.__bench.
import { render } from "preact";
import { App } from "../src/panel/App";
import type { PanelPlatform, PanelPort } from "../src/panel/platform";
import { MSG, readBackgroundMessage, type BackgroundMessage } from "../src/shared/protocol";
import { entryAt } from "./corpus";

const snapshots = new Map<number, string>();

function snapshotJson(n: number): string {
  let s = snapshots.get(n);
  if (s === undefined) {
    const entries = [];
    for (let i = 0; i < n; i++) entries.push(entryAt(i));
    const m: BackgroundMessage = {
      type: MSG.SNAPSHOT, tabId: 1, page: 0, pageUrl: "http://localhost:3000/", entries, dropped: 0, captureLevel: "full",
      missed: 0, suspected: 0, preserve: false, site: "localhost", alwaysCapture: true,
    } as BackgroundMessage;
    s = JSON.stringify(m);
    snapshots.set(n, s);
  }
  return s;
}

let parseMs = 0;

function fakePlatform(json: string): PanelPlatform {
  const data = new Map<string, unknown>();
  return {
    connect(): PanelPort {
      let onMessage: ((m: unknown) => void) | null = null;
      return {
        post(m) {
          if ((m as { type?: string }).type !== MSG.HELLO) return;
          // The answer arrives as a task of its own, deserialized on arrival.
          setTimeout(() => {
            const t = performance.now();
            const parsed = JSON.parse(json) as unknown;
            parseMs = performance.now() - t;
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
    return snapshotJson(n).length;
  },
  /** The panel's validation of that snapshot (readBackgroundMessage, as connection.ts runs it), timed alone: ms. */
  validate(n: number): number {
    const parsed = JSON.parse(snapshotJson(n)) as unknown;
    const t = performance.now();
    const m = readBackgroundMessage(parsed);
    const ms = performance.now() - t;
    if (!m || m.type !== MSG.SNAPSHOT || m.entries.length !== n) throw new Error("snapshot did not validate");
    return ms;
  },
  /** Mounts a fresh panel fed `n` entries; ms from render() to the first painted frame with rows. */
  async mount(n: number): Promise<{ firstRenderMs: number; parseMs: number; rows: number; counts: string }> {
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
    return { firstRenderMs: t1 - t0, parseMs, rows: rowsShown(el), counts: el.querySelector("[data-testid=counts]")?.textContent ?? "" };
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
