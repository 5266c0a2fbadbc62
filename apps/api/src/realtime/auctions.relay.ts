/**
 * Forwards domain events (published after commit) to the lot's room, and personal notices to the bidder's
 * own room. Services emit events; only this listener knows about sockets.
 */
import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { BidPlaced, LotClosed } from '../bidding/bid-placed.event.js';
import { LotStatusChanged } from '../lots/lots.service.js';
import { PlaceBidService } from '../bidding/place-bid.service.js';
import { AuctionsGateway, lotRoom, userRoom } from './auctions.gateway.js';
import { fanOutState } from './io.adapter.js';

@Injectable()
export class AuctionsRelay {
  constructor(
    private readonly gateway: AuctionsGateway,
    private readonly placeBid: PlaceBidService,
  ) {}

  /**
   * Every instance when the Redis adapter can publish; only this instance's watchers while it cannot (the
   * cluster adapter would otherwise deliver nothing until Redis is back). Watchers elsewhere then see a
   * `seq` gap on the next bid and resync.
   */
  private get out() {
    return fanOutState.redisConfigured && !fanOutState.redisReady ? this.gateway.server.local : this.gateway.server;
  }

  @OnEvent(BidPlaced.topic)
  onBid(e: BidPlaced): void {
    this.out.to(lotRoom(e.lotId)).emit('lot.bid', {
      lotId: e.lotId,
      seq: e.seq,
      amount: e.amount,
      bidderCode: e.bidderCode,
      priority: e.priority,
      placedAt: e.placedAt,
      endsAt: e.endsAt,
      extended: e.extended,
      committedAt: e.committedAt,
    });
    if (e.outbid) this.out.to(userRoom(e.outbid.userId)).emit('bid.outbid', { lotId: e.lotId, seq: e.seq, amount: e.amount, yourAmount: e.outbid.amount });
    this.placeBid.notePrice(e.lotId, e.amount);
  }

  @OnEvent('lot.status')
  onStatus(e: LotStatusChanged): void {
    this.out.to(lotRoom(e.lotId)).emit('lot.status', { lotId: e.lotId, status: e.status as never, endsAt: e.endsAt, reason: e.reason });
  }

  @OnEvent(LotClosed.topic)
  onClosed(e: LotClosed): void {
    this.out.to(lotRoom(e.lotId)).emit('lot.closed', { lotId: e.lotId, outcome: e.outcome, price: e.price, bidderCode: e.bidderCode });
  }
}
