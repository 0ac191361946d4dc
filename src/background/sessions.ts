// Panel sessions: the background's end of PanelChannel, one bridge per port. A panel says HELLO
// {tabId} and gets the tab's SNAPSHOT, then live messages; the devtools page says HELLO {hold}
// and gets nothing: its port only holds the tab's full capture while DevTools is open. The MV3
// worker drops every port when it stops; pages reconnect (shared/bridge.ts reconnectingWall).
import type { Port } from "../platform/port";
import { hostBridge, portWall, type Bridge } from "../shared/bridge";
import { morePages, MSG, PORT_NAME, readPanelMessage, type BackgroundMessage, type Entry, type PanelChannel, type PanelMessage, type SnapshotMessage, type SnapshotMoreMessage } from "../shared/protocol";

/** What a session asks of the rest of the background. */
export interface SessionHost {
  readonly extensionId: string;
  readonly extensionOrigin: string;
  /** Runs `fn` once the persisted state is read (a woken worker's first messages wait for it). */
  whenReady(fn: () => void): void;
  /** The port now holds `tab` under full capture, until release(). */
  hold(tab: number): Promise<void>;
  release(tab: number): void;
  /** The tab's snapshot, once what it lists is on disk. */
  snapshot(tab: number): Promise<PagedSnapshot>;
  clear(tab: number): void;
  setPreserve(tab: number, on: boolean): void;
  setSite(site: string, on: boolean): void;
  reload(tab: number): void;
}

/**
 * A snapshot as the host makes it: the first page (a SNAPSHOT whose `more` says how many follow) and,
 * when more follow, the entries after it, read while the panel paints the first (a new worker life
 * reads them back from storage then). `rest` lists no entry newer than the SNAPSHOT's newest:
 * those come as live messages.
 */
export interface PagedSnapshot {
  first: SnapshotMessage;
  /** Called once the first page is sent: begun before, the read delayed its delivery (B4r after a worker stop: SNAPSHOT at 137 ms, 90 ms begun after). */
  rest: (() => Promise<Entry[]>) | null;
}

interface Session {
  bridge: Bridge<PanelMessage, BackgroundMessage>;
  tab: number | null;
  /** SNAPSHOT sent: later changes go out as messages. */
  live: boolean;
  /** The snapshot's pages not yet sent (once `rest` is read); null when every page is sent. */
  pages: Promise<SnapshotMoreMessage[]> | null;
  /** Live messages that came while pages remained: sent after the last page, in order. */
  queue: BackgroundMessage[] | null;
  /** SNAPSHOT_NEXT handled one after another (a page may still be being read). */
  chain: Promise<void>;
  closed: boolean;
}

export class PanelSessions {
  private sessions = new Set<Session>();

  constructor(private host: SessionHost) {}

  accept(port: Port): void {
    if (port.name !== PORT_NAME) return;
    // Only our own pages: a content script has our id too, but a web page's URL.
    if (port.senderId !== this.host.extensionId || !port.senderUrl?.startsWith(this.host.extensionOrigin + "/")) {
      port.disconnect();
      return;
    }
    const h = this.host;
    const s: Session = { bridge: hostBridge<PanelChannel>(portWall(port), readPanelMessage), tab: null, live: false, pages: null, queue: null, chain: Promise.resolve(), closed: false };
    this.sessions.add(s);
    // One tab per port: HELLO counts once; every command needs it first.
    const withTab = (fn: (tab: number) => void) => () => h.whenReady(() => { if (!s.closed && s.tab !== null) fn(s.tab); });
    s.bridge
      .on(MSG.HELLO, (m) => h.whenReady(() => {
        if (s.closed || s.tab !== null) return;
        s.tab = m.tabId;
        void (m.hold ? h.hold(m.tabId) : this.hello(s, m.tabId));
      }))
      .on(MSG.CLEAR, withTab((tab) => h.clear(tab)))
      .on(MSG.SET_PRESERVE, (m) => withTab((tab) => h.setPreserve(tab, m.on))())
      .on(MSG.SET_ALWAYS_CAPTURE, (m) => withTab(() => h.setSite(m.site, m.on))())
      // The port already holds full capture for the tab; its listener set exists before the reload.
      .on(MSG.RELOAD_AND_CAPTURE, withTab((tab) => h.reload(tab)))
      .on(MSG.SNAPSHOT_NEXT, () => this.next(s))
      // Receiving it is the point: the worker stays up while a panel is open.
      .on(MSG.PING, () => {});
    port.onDisconnect(() => h.whenReady(() => this.close(s)));
  }

  /** Sends to the tab's panels that have their snapshot. */
  post(tab: number, message: BackgroundMessage): void {
    for (const s of this.sessions) {
      if (s.tab !== tab || !s.live || s.closed) continue;
      if (s.queue) s.queue.push(message);
      else s.bridge.send(message);
    }
  }

  /** The panel painted a page: the next one, and after the last, what waited behind it. */
  private next(s: Session): void {
    s.chain = s.chain.then(async () => {
      if (!s.pages || s.closed) return;
      const pages = await s.pages;
      if (s.closed) return;
      // The last page says more: 0 (also when entries went meanwhile and none is left to send).
      const m = pages.shift() ?? { type: MSG.SNAPSHOT_MORE, tabId: s.tab!, entries: [], more: 0 };
      s.bridge.send(m);
      if (m.more > 0) return;
      const live = s.queue ?? [];
      s.pages = null;
      s.queue = null;
      for (const x of live) s.bridge.send(x);
    });
  }

  private async hello(s: Session, tab: number): Promise<void> {
    await this.host.hold(tab);
    const { first, rest } = await this.host.snapshot(tab);
    if (s.closed) return;
    s.bridge.send(first);
    if (rest) {
      s.queue = [];
      s.pages = rest().then((entries) => morePages(tab, entries), () => []);
    }
    s.live = true;
  }

  private close(s: Session): void {
    if (s.closed) return;
    s.closed = true;
    s.bridge.shutdown();
    this.sessions.delete(s);
    if (s.tab !== null) this.host.release(s.tab);
  }
}
