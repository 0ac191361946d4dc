// A fake PanelPlatform: ports the test drives by hand, in-memory storage, a scripted clipboard.
import type { PanelPlatform, PanelPort } from "../../../../src/panel/platform";

export class FakePort implements PanelPort {
  posted: unknown[] = [];
  disconnected = false;
  private messageCbs: Array<(m: unknown) => void> = [];
  private disconnectCbs: Array<() => void> = [];
  post(m: unknown): void {
    if (this.disconnected) throw new Error("Attempting to use a disconnected port object");
    this.posted.push(m);
  }
  onMessage(cb: (m: unknown) => void): void {
    this.messageCbs.push(cb);
  }
  onDisconnect(cb: () => void): void {
    this.disconnectCbs.push(cb);
  }
  disconnect(): void {
    this.disconnected = true;
  }
  /** The background sends a message. */
  emit(m: unknown): void {
    for (const cb of this.messageCbs) cb(m);
  }
  /** The background side goes away (the MV3 worker stopped). */
  drop(): void {
    this.disconnected = true;
    for (const cb of this.disconnectCbs) cb();
  }
}

export interface FakePlatform extends PanelPlatform {
  ports: FakePort[];
  storage: Map<string, unknown>;
  copies: string[];
  /** Number of connect() calls that throw before one succeeds. */
  failConnects: number;
  theme: string | null;
  readonly port: FakePort;
}

export function fakePlatform(o: { storage?: Map<string, unknown>; copy?: (text: string) => Promise<boolean>; theme?: string | null } = {}): FakePlatform {
  const p: FakePlatform = {
    ports: [],
    storage: o.storage ?? new Map(),
    copies: [],
    failConnects: 0,
    theme: o.theme ?? null,
    get port(): FakePort {
      const last = p.ports[p.ports.length - 1];
      if (!last) throw new Error("no port opened");
      return last;
    },
    connect() {
      if (p.failConnects > 0) {
        p.failConnects--;
        throw new Error("Extension context invalidated.");
      }
      const port = new FakePort();
      p.ports.push(port);
      return port;
    },
    async storageGet(keys) {
      return Object.fromEntries(keys.filter((k) => p.storage.has(k)).map((k) => [k, JSON.parse(JSON.stringify(p.storage.get(k)))]));
    },
    async storageSet(items) {
      for (const [k, v] of Object.entries(items)) p.storage.set(k, JSON.parse(JSON.stringify(v)));
    },
    themeName: () => p.theme,
    onThemeChanged: () => () => {},
    async copyText(text) {
      p.copies.push(text);
      return o.copy ? o.copy(text) : true;
    },
  };
  return p;
}
