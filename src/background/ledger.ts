// What the background knows of each tab, and everyone who shows it: every change goes through
// here once, into the store (store.ts), then the badge (badge.ts), then the tab's open panels
// (sessions.ts). Producers (the correlator's commits, the annotation matcher, tab lifecycle,
// panel commands) only call in; nothing reads back out of the store to decide what to tell whom.
import { MSG, type BackgroundMessage, type Entry } from "../shared/protocol";
import { type Badge, failureTitle } from "./badge";
import type { Store, TabMeta } from "./store";

export class Ledger {
  constructor(
    private store: Store,
    private badge: Badge,
    /** Tells the tab's live panels (PanelSessions.post). */
    private publish: (tab: number, message: BackgroundMessage) => void,
  ) {}

  meta(tab: number): TabMeta {
    return this.store.meta(tab);
  }

  has(tab: number): boolean {
    return this.store.has(tab);
  }

  /** The badge outlives the worker; after a restart it shows what the store holds. */
  renderAll(): void {
    for (const tab of this.store.tabIds()) this.badge.render(tab, this.store.meta(tab));
  }

  /** A new exchange; false when the store refused it (a duplicate). */
  add(tab: number, entry: Entry): boolean {
    if (!this.store.add(tab, entry)) return false;
    if (entry.diagnosis.blocked) this.store.bump(tab, { blocked: 1, lastFailure: failureTitle(entry.exchange, entry.diagnosis) });
    this.changed(tab, { type: MSG.EXCHANGE_ADDED, entry });
    return true;
  }

  /** A stored exchange re-judged (the page hook told its credentials mode): the counts follow its verdict. */
  update(tab: number, before: Entry, next: Entry): void {
    if (!this.store.update(tab, next)) return;
    const meta = this.store.meta(tab);
    const wasLatest = meta.lastFailure !== null && meta.lastFailure === failureTitle(before.exchange, before.diagnosis);
    if (before.diagnosis.blocked && !next.diagnosis.blocked) this.store.bump(tab, { blocked: -1, ...(wasLatest ? { lastFailure: null } : {}) });
    else if (!before.diagnosis.blocked && next.diagnosis.blocked) this.store.bump(tab, { blocked: 1, lastFailure: failureTitle(next.exchange, next.diagnosis) });
    else if (next.diagnosis.blocked && wasLatest) this.store.bump(tab, { lastFailure: failureTitle(next.exchange, next.diagnosis) });
    this.changed(tab, { type: MSG.EXCHANGE_UPDATED, entry: next });
  }

  /** A cross-origin call the page saw rejected, below full capture: the badge counts it. */
  suspected(tab: number): void {
    this.store.bump(tab, { suspected: 1 });
    this.badge.render(tab, this.store.meta(tab));
  }

  /** A page-hook report that no captured request explained (only the panel shows it). */
  missed(tab: number): void {
    this.store.bump(tab, { missed: 1 });
  }

  clear(tab: number): void {
    this.store.clear(tab);
    this.changed(tab, { type: MSG.CLEARED });
  }

  navigate(tab: number, url: string): void {
    this.store.navigate(tab, url);
    this.changed(tab, { type: MSG.NAVIGATED, page: this.store.meta(tab).page, url });
  }

  setPreserve(tab: number, on: boolean): void {
    this.store.setPreserve(tab, on);
  }

  removeTab(tab: number): void {
    this.store.removeTab(tab);
    this.badge.forget(tab);
  }

  private changed(tab: number, message: BackgroundMessage): void {
    this.badge.render(tab, this.store.meta(tab));
    this.publish(tab, message);
  }
}
