// One typed bridge for every channel of the extension (React DevTools' Bridge over a {listen, send}
// Wall is the model): the same class at both ends, typed from one channel definition
// (shared/protocol.ts), with every incoming message validated by the channel's reader before any
// handler sees it. Walls adapt what carries the messages: a runtime port (portWall), runtime
// messages (the background's and the content script's walls in src/platform/), a page event, or
// memory (memoryWalls, for jest). Reconnection and the heartbeat live in one place: reconnectingWall.
import type { Port } from "../platform/port";

/** A message of any channel: a type name and its fields. */
export interface Message {
  readonly type: string;
}

/** Validates one raw incoming message; null for anything malformed (never throws). */
export type Reader<M> = (raw: unknown) => M | null;

/**
 * Both directions of one channel: `up` from a page/content script to the background, `down` back.
 * Each end imports only the reader it needs (the background's bundle never carries the panel's
 * reader of entries, nor the panel the background's), so a channel's readers are separate
 * exports of shared/protocol.ts and the channel itself is this type.
 */
export interface Channel<Up extends Message, Down extends Message> {
  readonly up: Reader<Up>;
  readonly down: Reader<Down>;
}
type UpOf<C> = C extends Channel<infer U, Message> ? U : never;
type DownOf<C> = C extends Channel<Message, infer D> ? D : never;

/**
 * What carries the messages. `listen`'s callback may return an answer, which walls that have
 * answers (runtime messages) send back; `ctx` is what the carrier vouches for (the sender).
 */
export interface Wall<Ctx = undefined> {
  listen(fn: (raw: unknown, ctx: Ctx) => unknown): () => void;
  send(message: unknown): void;
  /** A message and its answer (runtime messages only); undefined when none came. */
  request?(message: unknown): Promise<unknown>;
}

type Of<M extends Message, K extends M["type"]> = Extract<M, { type: K }>;
type Handler<M, Ctx> = (message: M, ctx: Ctx) => unknown;

export class Bridge<In extends Message, Out extends Message, Ctx = undefined> {
  private handlers = new Map<string, Handler<In, Ctx>>();
  private unlisten: () => void;
  /** Messages dropped because the reader refused them or no handler took them. */
  dropped = 0;

  constructor(private wall: Wall<Ctx>, private read: Reader<In>) {
    this.unlisten = wall.listen((raw, ctx) => this.receive(raw, ctx));
  }

  /** The handler of one message type (one per type: a second replaces the first). Its return value is the answer, where the wall has answers. */
  on<K extends In["type"]>(type: K, fn: Handler<Of<In, K>, Ctx>): this {
    this.handlers.set(type, fn as Handler<In, Ctx>);
    return this;
  }

  send(message: Out): void {
    this.wall.send(message);
  }

  /** Sends `message` and reads the answer with this end's reader (null: none, or malformed). */
  async request(message: Out): Promise<In | null> {
    if (!this.wall.request) return null;
    const answer = await this.wall.request(message);
    return answer === undefined ? null : this.read(answer);
  }

  shutdown(): void {
    this.unlisten();
    this.handlers.clear();
  }

  private receive(raw: unknown, ctx: Ctx): unknown {
    const m = this.read(raw);
    const fn = m ? this.handlers.get(m.type) : undefined;
    if (!m || !fn) {
      this.dropped++;
      return undefined;
    }
    return fn(m, ctx);
  }
}

/** The background's end of channel C: reads what pages send up (with C's `up` reader), sends down. */
export function hostBridge<C extends Channel<Message, Message>, Ctx = undefined>(wall: Wall<Ctx>, up: C["up"]): Bridge<UpOf<C>, DownOf<C>, Ctx> {
  return new Bridge<UpOf<C>, DownOf<C>, Ctx>(wall, up as Reader<UpOf<C>>);
}

/** A page's (or content script's) end of channel C: reads what the background sends down (with C's `down` reader), sends up. */
export function pageBridge<C extends Channel<Message, Message>>(wall: Wall, down: C["down"]): Bridge<DownOf<C>, UpOf<C>> {
  return new Bridge<DownOf<C>, UpOf<C>>(wall, down as Reader<DownOf<C>>);
}

/** A wall over one runtime port. */
export function portWall(port: Port): Wall {
  const fns = new Set<(raw: unknown, ctx: undefined) => unknown>();
  port.onMessage((m) => { for (const fn of fns) fn(m, undefined); });
  return {
    listen(fn) {
      fns.add(fn);
      return () => fns.delete(fn);
    },
    send: (m) => port.post(m),
  };
}

/**
 * A wall that hears one DOM event type on `target` (capture phase) and hands over its `detail`.
 * Used by the relay for the page hook's reports; it never sends (the relay does not answer the page).
 */
export function eventWall(target: EventTarget, type: string): Wall {
  return {
    listen(fn) {
      const f = (e: Event) => { fn((e as CustomEvent<unknown>).detail, undefined); };
      target.addEventListener(type, f, true);
      return () => target.removeEventListener(type, f, true);
    },
    send: () => {},
  };
}

/** Two walls wired to each other in memory, with structured-clone-like copies (tests). */
export function memoryWalls(): [Wall, Wall] {
  const a = new Set<(raw: unknown, ctx: undefined) => unknown>();
  const b = new Set<(raw: unknown, ctx: undefined) => unknown>();
  const copy = (m: unknown) => JSON.parse(JSON.stringify(m ?? null)) as unknown;
  const wall = (mine: typeof a, theirs: typeof a): Wall => ({
    listen(fn) {
      mine.add(fn);
      return () => mine.delete(fn);
    },
    send(m) {
      for (const fn of theirs) fn(copy(m), undefined);
    },
  });
  return [wall(a, b), wall(b, a)];
}

/** Reconnect delays: 100 ms doubling up to 5 s; reset by `connected()`. */
export const BACKOFF = { first: 100, max: 5000 };
/** Under Chrome's 30 s idle limit for MV3 workers: each message to the worker resets it. */
export const HEARTBEAT_MS = 20_000;

export interface ReconnectingWallOptions {
  /** Opens a port to the background; throws when the extension context is gone. */
  connect(): Port;
  /** Sent first on every (re)connect, before queued messages (the channel's HELLO). */
  hello(): unknown;
  /** Sent every HEARTBEAT_MS while a port is open (the channel's PING). */
  ping(): unknown;
  /** Runs `fn` after `ms`; returns a cancel function. */
  schedule(ms: number, fn: () => void): () => void;
  /** A port opened (`attempt` 0 is the first) or failed to ("unavailable" first, then "reconnecting"). */
  onOpen?(attempt: number): void;
  onFail?(firstAttempt: boolean): void;
  /** The port dropped (the MV3 worker stopped); a reconnect is scheduled. */
  onDrop?(): void;
}

export interface ReconnectingWall extends Wall {
  /** Opens the first port (call it once the bridge listens). */
  start(): void;
  /** The other end answered: the next drop starts the backoff from its first delay again. */
  connected(): void;
  close(): void;
}

/**
 * A wall over a runtime port that survives the MV3 worker: when the worker stops (~30 s idle) it
 * drops every port, and this wall opens a new one with backoff, says hello again, and replays
 * what was sent meanwhile (at most 20 messages). A heartbeat keeps an open panel's worker up.
 * https://developer.chrome.com/docs/extensions/develop/concepts/service-workers/lifecycle#idle-shutdown
 */
export function reconnectingWall(o: ReconnectingWallOptions): ReconnectingWall {
  const fns = new Set<(raw: unknown, ctx: undefined) => unknown>();
  let port: Port | null = null;
  let closed = false;
  let attempt = 0;
  let cancelRetry: (() => void) | null = null;
  const queue: unknown[] = [];

  const retry = () => {
    if (closed || cancelRetry) return;
    const delay = Math.min(BACKOFF.max, BACKOFF.first * 2 ** attempt);
    attempt++;
    cancelRetry = o.schedule(delay, () => {
      cancelRetry = null;
      open();
    });
  };

  const open = () => {
    if (closed) return;
    let p: Port;
    try {
      p = o.connect();
    } catch {
      o.onFail?.(attempt === 0);
      retry();
      return;
    }
    port = p;
    p.onMessage((m) => {
      if (port !== p) return;
      for (const fn of fns) fn(m, undefined);
    });
    p.onDisconnect(() => {
      if (port !== p) return;
      port = null;
      if (closed) return;
      o.onDrop?.();
      retry();
    });
    p.post(o.hello());
    o.onOpen?.(attempt);
    for (const m of queue.splice(0)) p.post(m);
    const beat = () => {
      if (closed || port !== p) return;
      p.post(o.ping());
      o.schedule(HEARTBEAT_MS, beat);
    };
    o.schedule(HEARTBEAT_MS, beat);
  };

  const wall: ReconnectingWall = {
    listen(fn) {
      fns.add(fn);
      return () => fns.delete(fn);
    },
    send(m) {
      if (closed) return;
      if (port) port.post(m);
      else if (queue.length < 20) queue.push(m);
    },
    start: () => open(),
    connected() {
      attempt = 0;
    },
    close() {
      closed = true;
      cancelRetry?.();
      const p = port;
      port = null;
      p?.disconnect();
    },
  };
  return wall;
}
