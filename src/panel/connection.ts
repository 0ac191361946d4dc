// The panel's port to the background: the page end of PanelChannel (shared/bridge.ts) over a
// reconnecting wall (HELLO {tabId} on every (re)connect, backoff, heartbeat), with live messages
// delivered in batches.
import type { PanelPlatform } from "../platform/panel";
import { pageBridge, reconnectingWall } from "../shared/bridge";
import { MSG, readBackgroundMessage, type BackgroundMessage, type PanelChannel, type PanelMessage } from "../shared/protocol";
import type { ConnectionStatus } from "./state";

export interface ConnectionOptions {
  platform: Pick<PanelPlatform, "connect">;
  tabId: number;
  onMessages(messages: BackgroundMessage[]): void;
  onStatus(status: ConnectionStatus): void;
  /** Runs `fn` after `ms`; returns a cancel function. Defaults to setTimeout. */
  schedule?: (ms: number, fn: () => void) => () => void;
  /** Live messages are delivered in batches this often (0: one by one, synchronously). */
  batchMs?: number;
  /** Runs `fn` once what was delivered has been painted (asks for the snapshot's next page). Defaults to the next frame, then a task. */
  afterPaint?: (fn: () => void) => void;
}

function defaultAfterPaint(fn: () => void): void {
  if (typeof requestAnimationFrame === "function") requestAnimationFrame(() => setTimeout(fn, 0));
  else setTimeout(fn, 0);
}

export interface Connection {
  send(message: PanelMessage): void;
  close(): void;
}

export { BACKOFF, HEARTBEAT_MS } from "../shared/bridge";

function defaultSchedule(ms: number, fn: () => void): () => void {
  const t = setTimeout(fn, ms);
  return () => clearTimeout(t);
}

/** The panel's (or devtools page's) end of PanelChannel, over a wall that reconnects when the worker stops. */
export function openConnection(opts: ConnectionOptions): Connection {
  const schedule = opts.schedule ?? defaultSchedule;
  const batchMs = opts.batchMs ?? 16;
  let pending: BackgroundMessage[] = [];
  let cancelFlush: (() => void) | null = null;

  const flush = () => {
    cancelFlush?.();
    cancelFlush = null;
    if (!pending.length) return;
    const batch = pending;
    pending = [];
    opts.onMessages(batch);
  };

  const deliver = (m: BackgroundMessage) => {
    pending.push(m);
    // A snapshot replaces everything: show it at once.
    if (batchMs <= 0 || m.type === MSG.SNAPSHOT) flush();
    else if (!cancelFlush) cancelFlush = schedule(batchMs, flush);
  };

  const hello: PanelMessage = { type: MSG.HELLO, tabId: opts.tabId };
  const wall = reconnectingWall({
    connect: () => opts.platform.connect(),
    hello: () => hello,
    ping: () => ({ type: MSG.PING }) satisfies PanelMessage,
    schedule,
    onFail: (first) => opts.onStatus(first ? "unavailable" : "reconnecting"),
    onDrop: () => {
      flush();
      opts.onStatus("reconnecting");
    },
  });
  const bridge = pageBridge<PanelChannel>(wall, readBackgroundMessage);
  bridge.on(MSG.SNAPSHOT, (m) => {
    // Another tab's snapshot (a port reused by mistake) is not this panel's.
    if (m.tabId !== opts.tabId) return;
    wall.connected();
    pending = [];
    opts.onStatus("connected");
    deliver(m);
    askNext(m.more);
  });
  // The snapshot's later pages: each shown at once, the next asked for once it is painted.
  const afterPaint = opts.afterPaint ?? defaultAfterPaint;
  const askNext = (more: number | undefined) => {
    if (more) afterPaint(() => bridge.send({ type: MSG.SNAPSHOT_NEXT }));
  };
  bridge.on(MSG.SNAPSHOT_MORE, (m) => {
    if (m.tabId !== opts.tabId) return;
    pending.push(m);
    flush();
    askNext(m.more);
  });
  for (const type of [MSG.EXCHANGE_ADDED, MSG.EXCHANGE_UPDATED, MSG.CLEARED, MSG.NAVIGATED] as const) bridge.on(type, deliver);
  wall.start();

  return {
    send: (message) => bridge.send(message),
    close() {
      cancelFlush?.();
      bridge.shutdown();
      wall.close();
    },
  };
}
