/**
 * Forwards domain events (published after commit) to the lot's room, and personal notices to the bidder's
 * own room. Services emit events; only this listener knows about sockets.
 *
 * With several instances (REDIS_URL), each instance publishes its bids to the others through the socket.io
 * Redis adapter (`serverSideEmit`) and every instance delivers to its own watchers in `seq` order: two
 * instances commit bids of one lot in turn (the row lock) but publish after commit independently, so
 * without ordering a watcher could see seq 22 before seq 21. A bid that arrives ahead of its predecessor
 * waits briefly (REORDER_WAIT_MS); if the predecessor never comes (an instance died after commit, Redis was
 * down) it is read from the committed bid record and delivered in its place (`fillGaps`).
 */
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { LotBidEvent } from '@fapai/contracts';
import { BidPlaced, LotClosed } from '../bidding/bid-placed.event.js';
import { LotStatusChanged } from '../lots/lots.service.js';
import { PlaceBidService } from '../bidding/place-bid.service.js';
import { AuctionsGateway, lotRoom, userRoom } from './auctions.gateway.js';
import { fanOutState } from './io.adapter.js';

const REORDER_WAIT_MS = 250;
const PEER_BID = 'fapai:lot.bid';

interface LotOrder {
  next: number | null;
  held: Map<number, LotBidEvent>;
  timer: NodeJS.Timeout | null;
}

@Injectable()
export class AuctionsRelay implements OnApplicationBootstrap {
  private readonly order = new Map<string, LotOrder>();

  constructor(
    private readonly gateway: AuctionsGateway,
    private readonly placeBid: PlaceBidService,
  ) {}

  onApplicationBootstrap(): void {
    if (!fanOutState.redisConfigured) return;
    this.gateway.server.on(PEER_BID, (event: LotBidEvent) => {
      this.placeBid.notePrice(event.lotId, event.amount);
      this.deliverInOrder(event);
    });
  }

  /**
   * Every instance when the Redis adapter can publish; only this instance's watchers while it cannot (the
   * cluster adapter would otherwise deliver nothing until Redis is back).
   */
  private get out() {
    return fanOutState.redisConfigured && !fanOutState.redisReady ? this.gateway.server.local : this.gateway.server;
  }

  @OnEvent(BidPlaced.topic)
  onBid(e: BidPlaced): void {
    const event: LotBidEvent = { lotId: e.lotId, seq: e.seq, amount: e.amount, bidderCode: e.bidderCode, priority: e.priority, placedAt: e.placedAt, endsAt: e.endsAt, extended: e.extended, committedAt: e.committedAt };
    if (fanOutState.redisConfigured) {
      // Peers first: delivering to thousands of local sockets takes a while, and the other instances'
      // watchers should not wait for it before their instance even hears of the bid.
      if (fanOutState.redisReady) this.gateway.server.serverSideEmit(PEER_BID, event);
      this.deliverInOrder(event);
    } else {
      this.gateway.server.to(lotRoom(e.lotId)).emit('lot.bid', event);
    }
    if (e.outbid) this.out.to(userRoom(e.outbid.userId)).emit('bid.outbid', { lotId: e.lotId, seq: e.seq, amount: e.amount, yourAmount: e.outbid.amount });
    this.placeBid.notePrice(e.lotId, e.amount);
  }

  /** Delivers to this instance's watchers of the lot, in `seq` order. */
  private deliverInOrder(event: LotBidEvent): void {
    let st = this.order.get(event.lotId);
    if (!st) {
      st = { next: null, held: new Map(), timer: null };
      this.order.set(event.lotId, st);
    }
    if (st.next !== null && event.seq < st.next) return; // already delivered, or passed over after a wait
    if (st.next === null || event.seq === st.next) {
      this.emitLocal(event);
      st.next = event.seq + 1;
      this.flushConsecutive(st);
    } else {
      st.held.set(event.seq, event);
    }
    if (st.held.size > 0 && !st.timer) {
      const lot = st;
      lot.timer = setTimeout(() => void this.fillGaps(event.lotId, lot), REORDER_WAIT_MS);
    } else if (st.held.size === 0 && st.timer) {
      clearTimeout(st.timer);
      st.timer = null;
    }
  }

  /**
   * A predecessor did not arrive in time: its instance died between commit and publication, or Redis was
   * down. The committed record has it, so read the missing bids from there and deliver everything held in
   * order; only if the record cannot be read are the held bids delivered past the gap (clients resync).
   */
  private async fillGaps(lotId: string, st: LotOrder): Promise<void> {
    if (st.held.size === 0 || st.next === null) {
      st.timer = null;
      return;
    }
    const highest = Math.max(...st.held.keys());
    const missing = await this.placeBid.acceptedBetween(lotId, st.next, highest).catch(() => [] as LotBidEvent[]);
    st.timer = null;
    if (this.order.get(lotId) !== st) return; // the lot closed meanwhile
    for (const e of missing) if (!st.held.has(e.seq)) st.held.set(e.seq, e);
    for (const seq of [...st.held.keys()].sort((a, b) => a - b)) {
      if (st.next !== null && seq < st.next) continue;
      this.emitLocal(st.held.get(seq)!);
      st.next = seq + 1;
    }
    st.held.clear();
  }

  private flushConsecutive(st: LotOrder): void {
    while (st.next !== null && st.held.has(st.next)) {
      const e = st.held.get(st.next)!;
      st.held.delete(st.next);
      this.emitLocal(e);
      st.next = e.seq + 1;
    }
  }

  private emitLocal(event: LotBidEvent): void {
    this.gateway.server.local.to(lotRoom(event.lotId)).emit('lot.bid', event);
  }

  @OnEvent('lot.status')
  onStatus(e: LotStatusChanged): void {
    this.out.to(lotRoom(e.lotId)).emit('lot.status', { lotId: e.lotId, status: e.status as never, endsAt: e.endsAt, reason: e.reason });
  }

  @OnEvent(LotClosed.topic)
  onClosed(e: LotClosed): void {
    this.out.to(lotRoom(e.lotId)).emit('lot.closed', { lotId: e.lotId, outcome: e.outcome, price: e.price, bidderCode: e.bidderCode });
    const st = this.order.get(e.lotId);
    if (st?.timer) clearTimeout(st.timer);
    this.order.delete(e.lotId);
  }
}
