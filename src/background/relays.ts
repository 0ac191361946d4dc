// The background's end of RelayChannel: the content-script relays of every tab. Up come the page
// hook's reports (ANNOTATE batches) and each document's CAPTURE_QUERY; down goes CAPTURE_STATE, as
// the query's answer and pushed to all of a tab's frames when it enters or leaves full capture,
// so the relays forward every report or only failures (content/relay-core.ts).
import type { MessageSender, Platform } from "../platform/background";
import { hostBridge, type Wall } from "../shared/bridge";
import { MSG, isTabId, readRelayMessage, type CaptureStateMessage, type RelayChannel } from "../shared/protocol";

export interface RelayHost {
  /** Resolves once the persisted state is read: a restarted worker knows its watched tabs only then. */
  ready(): Promise<void>;
  isWatched(tab: number): boolean;
  /** One report of the sender's tab (still unread: the matcher rate-limits, then reads it). */
  report(tab: number, raw: unknown, senderUrl: string | undefined): void;
}

export class Relays {
  /** The tabs whose content scripts were last told "full". */
  private announced = new Set<number>();
  /**
   * Orders CAPTURE_STATE messages: starts at the clock, so a later worker life's stamps are
   * larger than an earlier one's, and grows by one per message.
   */
  private stamp: number;

  constructor(private p: Platform, private host: RelayHost) {
    this.stamp = p.now();
  }

  /** Registers the runtime-message listener (call at the worker's top level). */
  listen(): void {
    const p = this.p;
    // Only our own content scripts reach runtime.onMessage; the tab comes from the sender, never from the message.
    const wall: Wall<MessageSender> = {
      listen: (fn) => {
        p.onMessage((m, sender) => (sender.id === p.extensionId && sender.tabId !== undefined ? fn(m, sender) as Promise<unknown> | undefined : undefined));
        return () => {};
      },
      send: () => {}, // down messages go to one tab's frames: push()
    };
    hostBridge<RelayChannel, MessageSender>(wall, readRelayMessage)
      .on(MSG.ANNOTATE, (m, sender) => {
        for (const a of m.annotations) this.host.report(sender.tabId!, a, sender.url);
      })
      .on(MSG.CAPTURE_QUERY, (_m, sender) => {
        const tab = sender.tabId!;
        return isTabId(tab) ? this.host.ready().then(() => this.state(tab)) : undefined;
      });
  }

  /** Tells every tab that entered or left full capture; a tab's frames that miss a push are corrected by the next one. */
  push(watched: ReadonlySet<number>): void {
    for (const tab of watched) {
      if (!this.announced.has(tab)) {
        this.announced.add(tab);
        this.p.sendToTab(tab, this.state(tab));
      }
    }
    for (const tab of this.announced) {
      if (!watched.has(tab)) {
        this.announced.delete(tab);
        this.p.sendToTab(tab, this.state(tab));
      }
    }
  }

  private state(tab: number): CaptureStateMessage {
    return { type: MSG.CAPTURE_STATE, full: this.host.isWatched(tab), stamp: ++this.stamp };
  }
}
