// The panel's port to the background: HELLO {tabId} on every (re)connect, validated messages in
// batches, and reconnection with backoff when the MV3 worker stops and drops the port.
import { MSG, readBackgroundMessage, type BackgroundMessage, type PanelMessage } from "../shared/protocol";
import type { PanelPlatform } from "./platform";
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
  /**
   * The devtools page's port: holds the tab's full capture while DevTools is open, receives
   * nothing (HELLO {hold: true}); reconnects and pings like a panel.
   */
  hold?: boolean;
}

export interface Connection {
  send(message: PanelMessage): void;
  close(): void;
}

/** Reconnect delays: 100 ms doubling up to 5 s; reset once a snapshot arrives. */
export const BACKOFF = { first: 100, max: 5000 };

function defaultSchedule(ms: number, fn: () => void): () => void {
  const t = setTimeout(fn, ms);
  return () => clearTimeout(t);
}

/** Under Chrome's 30 s idle limit for MV3 workers. */
export const HEARTBEAT_MS = 20_000;

export function openConnection(opts: ConnectionOptions): Connection {
  const schedule = opts.schedule ?? defaultSchedule;
  const batchMs = opts.batchMs ?? 16;
  let port: ReturnType<PanelPlatform["connect"]> | null = null;
  let closed = false;
  let attempt = 0;
  let cancelRetry: (() => void) | null = null;
  let pending: BackgroundMessage[] = [];
  let cancelFlush: (() => void) | null = null;
  /** Messages sent while no port was open, replayed after the next HELLO. */
  const queue: PanelMessage[] = [];

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

  const retry = () => {
    if (closed || cancelRetry) return;
    const delay = Math.min(BACKOFF.max, BACKOFF.first * 2 ** attempt);
    attempt++;
    cancelRetry = schedule(delay, () => {
      cancelRetry = null;
      open();
    });
  };

  const open = () => {
    if (closed) return;
    let p: NonNullable<typeof port>;
    try {
      p = opts.platform.connect();
    } catch {
      opts.onStatus(attempt === 0 ? "unavailable" : "reconnecting");
      retry();
      return;
    }
    port = p;
    p.onMessage((raw) => {
      if (port !== p) return;
      const m = readBackgroundMessage(raw);
      if (!m) return;
      if (m.type === MSG.SNAPSHOT) {
        if (m.tabId !== opts.tabId) return;
        attempt = 0;
        pending = [];
        opts.onStatus("connected");
      }
      deliver(m);
    });
    p.onDisconnect(() => {
      if (port !== p) return;
      port = null;
      flush();
      if (closed) return;
      opts.onStatus("reconnecting");
      retry();
    });
    p.post((opts.hold ? { type: MSG.HELLO, tabId: opts.tabId, hold: true } : { type: MSG.HELLO, tabId: opts.tabId }) satisfies PanelMessage);
    // No snapshot ever comes to a holding port: a connect that did not throw is the success.
    if (opts.hold) {
      attempt = 0;
      opts.onStatus("connected");
    }
    for (const m of queue.splice(0)) p.post(m);
    // Chrome stops an MV3 worker after 30 s without events; restarts are survived
    // (docs/architecture.md, "Worker restarts"), but a panel that is open keeps it up anyway.
    const beat = () => {
      if (closed || port !== p) return;
      p.post({ type: MSG.PING } satisfies PanelMessage);
      schedule(HEARTBEAT_MS, beat);
    };
    schedule(HEARTBEAT_MS, beat);
  };

  open();

  return {
    send(message) {
      if (closed) return;
      if (port) port.post(message);
      else if (queue.length < 20) queue.push(message);
    },
    close() {
      closed = true;
      cancelRetry?.();
      cancelFlush?.();
      const p = port;
      port = null;
      p?.disconnect();
    },
  };
}
