/**
 * Delivers each lot's bids to this instance's watchers in `seq` order, with no gap and no repeat.
 *
 * Two instances commit bids of one lot in turn (the row lock) but publish after commit independently, so
 * without ordering a watcher could see seq 22 before seq 21; and an instance killed between commit and
 * publication never publishes at all. So a bid that arrives ahead of its predecessor is held briefly
 * (`waitMs`); if the predecessor has not come by then, the missing bids are read from the committed record
 * (`fetchMissing`) and everything held is delivered in order. Only if the record cannot be read are the
 * held bids delivered past the gap (clients resync on a gap).
 *
 * Where does a lot's order start? At the seq of the first snapshot this instance gave a watcher of the lot
 * (`watched`): that is what its watchers already know. Without that, the first bid this instance hears of
 * would set the start, and a seq-1 bid committed by a peer that died before publishing would be skipped
 * for good (found by the kill fault test). A lot nobody here watches starts at the first bid heard of.
 *
 * Plain class with its clock and I/O injected, so the ordering is unit-tested without sockets.
 */
import type { LotBidEvent } from '@fapai/contracts';

interface LotOrder {
  /** The seq to deliver next. */
  next: number;
  held: Map<number, LotBidEvent>;
  timer: ReturnType<typeof setTimeout> | null;
}

export interface LotSequencerDeps {
  /** Emits one bid to this instance's watchers of the lot. */
  deliver(event: LotBidEvent): void;
  /** The committed bids of a lot with `from <= seq < to`, in seq order. */
  fetchMissing(lotId: string, from: number, to: number): Promise<LotBidEvent[]>;
  /**
   * How long to hold a bid for its predecessor now. The relay answers 0 while Redis is down: no peer event
   * can come then, so waiting would only delay this instance's own watchers (found by the Redis fault test).
   */
  waitMs(): number;
}

export class LotSequencer {
  private readonly order = new Map<string, LotOrder>();

  constructor(private readonly deps: LotSequencerDeps) {}

  /** A watcher of the lot was given a snapshot at `seq`; the first such snapshot sets where order starts. */
  watched(lotId: string, seq: number): void {
    if (!this.order.has(lotId)) this.order.set(lotId, { next: seq + 1, held: new Map(), timer: null });
  }

  /** A bid of the lot, from this instance or a peer, in whatever order they come. */
  accept(event: LotBidEvent): void {
    let st = this.order.get(event.lotId);
    if (!st) {
      st = { next: event.seq, held: new Map(), timer: null };
      this.order.set(event.lotId, st);
    }
    if (event.seq < st.next) return; // already delivered, or passed over after a wait
    if (event.seq === st.next) {
      this.deps.deliver(event);
      st.next = event.seq + 1;
      this.flushConsecutive(st);
    } else {
      st.held.set(event.seq, event);
    }
    if (st.held.size > 0 && !st.timer) {
      const lot = st;
      lot.timer = setTimeout(() => void this.fillGaps(event.lotId, lot), this.deps.waitMs());
    } else if (st.held.size === 0 && st.timer) {
      clearTimeout(st.timer);
      st.timer = null;
    }
  }

  /** The lot closed: no more bids; forget it. */
  closed(lotId: string): void {
    const st = this.order.get(lotId);
    if (st?.timer) clearTimeout(st.timer);
    this.order.delete(lotId);
  }

  /** Lots whose order is tracked (for tests and metrics). */
  get size(): number {
    return this.order.size;
  }

  /** The lots whose order is tracked, with the seq each expects next. */
  tracked(): { lotId: string; next: number }[] {
    return [...this.order].map(([lotId, st]) => ({ lotId, next: st.next }));
  }

  /**
   * The record says the lot has reached `seq`: deliver what this instance has not heard of up to there.
   * For bids no event will ever bring: the last bids a killed peer committed, or those published while
   * Redis was down. A peer's event still on its way is dropped as a repeat when it comes.
   */
  async catchUp(lotId: string, seq: number): Promise<void> {
    const st = this.order.get(lotId);
    if (!st || seq < st.next) return;
    const missing = await this.deps.fetchMissing(lotId, st.next, seq + 1);
    if (this.order.get(lotId) !== st) return;
    for (const e of missing) this.accept(e);
  }

  private async fillGaps(lotId: string, st: LotOrder): Promise<void> {
    if (st.held.size === 0) {
      st.timer = null;
      return;
    }
    const highest = Math.max(...st.held.keys());
    const missing = await this.deps.fetchMissing(lotId, st.next, highest).catch(() => [] as LotBidEvent[]);
    st.timer = null;
    if (this.order.get(lotId) !== st) return; // the lot closed meanwhile
    for (const e of missing) if (e.seq >= st.next && !st.held.has(e.seq)) st.held.set(e.seq, e);
    for (const seq of [...st.held.keys()].sort((a, b) => a - b)) {
      if (seq < st.next) continue;
      this.deps.deliver(st.held.get(seq)!);
      st.next = seq + 1;
    }
    st.held.clear();
  }

  private flushConsecutive(st: LotOrder): void {
    while (st.held.has(st.next)) {
      const e = st.held.get(st.next)!;
      st.held.delete(st.next);
      this.deps.deliver(e);
      st.next = e.seq + 1;
    }
  }
}
