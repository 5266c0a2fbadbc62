/**
 * Forwards domain events (published after commit) to the lot's room, and personal notices to the bidder's
 * own room. Services emit events; only this listener knows about sockets.
 *
 * With several instances (REDIS_URL), each instance publishes its bids to the others through the socket.io
 * Redis adapter (`serverSideEmit`) and every instance delivers to its own watchers in `seq` order, filling
 * gaps from the bid record (`LotSequencer`). Status changes, closes and outbid notices go the same way: to
 * this instance's sockets at once, then to the peers, each of which delivers to its own. (A room broadcast
 * through the cluster adapter would publish to Redis before delivering locally, so while Redis hangs even
 * this instance's watchers would wait for it.) A status or notice that waited in a queue while Redis was
 * away is dropped when it finally arrives (PEER_NOTICE_TTL_MS): a reconnecting page reads the lot afresh. A gap shows only when a later bid comes, so a sweep (every
 * SWEEP_MS, and at once when Redis is back after an outage) compares the watched lots with the record:
 * it delivers bids no event will bring (the last ones of a killed peer, those published while Redis was
 * down) and the `lot.closed` of a lot another instance closed while its message could not get through.
 */
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { LotBidEvent, ServerToClientEvents } from '@fapai/contracts';
import { BidPlaced, LotClosed } from '../bidding/bid-placed.event.js';
import { LotStatusChanged, LotsService } from '../lots/lots.service.js';
import { PlaceBidService } from '../bidding/place-bid.service.js';
import { AuctionsGateway, LotWatched, lotRoom, userRoom } from './auctions.gateway.js';
import { fanOutState } from './io.adapter.js';
import { LotSequencer } from './lot-sequencer.js';

const REORDER_WAIT_MS = 250;
const SWEEP_MS = 5_000;
/** A close older than this whose message never came was lost (younger ones may still be on their way). */
const CLOSE_LOST_AFTER_S = 10;
const PEER_BID = 'fapai:lot.bid';
const PEER_CLOSED = 'fapai:lot.closed:2';
const PEER_STATUS = 'fapai:lot.status';
const PEER_OUTBID = 'fapai:bid.outbid';
/** A peer's status change or outbid notice older than this waited for Redis to come back: it is stale. */
const PEER_NOTICE_TTL_MS = 10_000;

type StatusPayload = Parameters<ServerToClientEvents['lot.status']>[0];
type ClosedPayload = Parameters<ServerToClientEvents['lot.closed']>[0];
type OutbidPayload = Parameters<ServerToClientEvents['bid.outbid']>[0];
interface PeerNotice<T> {
  at: number;
  room: string;
  payload: T;
}

@Injectable()
export class AuctionsRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AuctionsRelay');
  private readonly sequencer: LotSequencer;
  private sweepTimer: NodeJS.Timeout | null = null;
  private sweeping = false;
  private readonly onReconnect = () => void this.sweep();

  constructor(
    private readonly gateway: AuctionsGateway,
    private readonly placeBid: PlaceBidService,
    private readonly lots: LotsService,
  ) {
    this.sequencer = new LotSequencer({
      deliver: (event) => this.gateway.server.local.to(lotRoom(event.lotId)).emit('lot.bid', event),
      fetchMissing: (lotId, from, to) => this.placeBid.acceptedBetween(lotId, from, to),
      // While Redis is down no peer can publish: fill a gap from the record at once.
      waitMs: () => (fanOutState.redisReady ? REORDER_WAIT_MS : 0),
    });
  }

  onApplicationBootstrap(): void {
    if (!fanOutState.redisConfigured) return;
    this.gateway.server.on(PEER_BID, (event: LotBidEvent) => {
      this.placeBid.notePrice(event.lotId, event.amount);
      this.sequencer.accept(event);
    });
    // Only the instance that closes a lot hears LotClosed; the others tell their watchers and forget the lot.
    // A close is final and repeating it is harmless, so a late one is delivered all the same.
    this.gateway.server.on(PEER_CLOSED, (m: PeerNotice<ClosedPayload>) => {
      this.gateway.server.local.to(m.room).emit('lot.closed', m.payload);
      this.sequencer.closed(m.payload.lotId);
      this.placeBid.forgetLot(m.payload.lotId);
    });
    this.gateway.server.on(PEER_STATUS, (m: PeerNotice<StatusPayload>) => {
      if (fresh(m)) this.gateway.server.local.to(m.room).emit('lot.status', m.payload);
    });
    this.gateway.server.on(PEER_OUTBID, (m: PeerNotice<OutbidPayload>) => {
      if (fresh(m)) this.gateway.server.local.to(m.room).emit('bid.outbid', m.payload);
    });
    this.sweepTimer = setInterval(() => void this.sweep(), SWEEP_MS);
    this.sweepTimer.unref();
    fanOutState.onReconnect.add(this.onReconnect);
  }

  onApplicationShutdown(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    fanOutState.onReconnect.delete(this.onReconnect);
  }

  /** Brings this instance's watchers up to the record for every lot it tracks (see the file comment). */
  async sweep(): Promise<void> {
    if (this.sweeping) return;
    const tracked = this.sequencer.tracked();
    if (tracked.length === 0) return;
    this.sweeping = true;
    try {
      const progress = await this.lots.progressOf(tracked.map((t) => t.lotId), CLOSE_LOST_AFTER_S);
      const found = new Set(progress.map((p) => p.id));
      for (const { lotId } of tracked) if (!found.has(lotId)) this.sequencer.closed(lotId);
      for (const p of progress) {
        await this.sequencer.catchUp(p.id, p.seq);
        if (p.closedLongAgo) {
          if (p.closed) this.gateway.server.local.to(lotRoom(p.id)).emit('lot.closed', { lotId: p.id, ...p.closed });
          this.sequencer.closed(p.id);
        } else if (p.notBidding) {
          // Withdrawn, suspended or postponed: no bid can come until it resumes (if ever), and then the
          // order starts again at the next bid or snapshot, as for a lot not yet tracked.
          this.sequencer.closed(p.id);
        }
      }
    } catch (error) {
      this.logger.warn(`sweep failed (retried in ${SWEEP_MS / 1000} s): ${String(error)}`);
    } finally {
      this.sweeping = false;
    }
  }

  /**
   * One instance: a room broadcast through the adapter (which keeps it for connection state recovery).
   * Several: this instance's sockets now, then the peers (see the file comment); while Redis is known to be
   * down, this instance's only.
   */
  private publish<T>(event: 'lot.status' | 'lot.closed' | 'bid.outbid', peerTopic: string, room: string, payload: T): void {
    const { server } = this.gateway;
    // The three events' payloads are typed by the callers (T); the operator's emit wants one literal event.
    const to = (fanOutState.redisConfigured ? server.local : server).to(room) as unknown as { emit(event: string, data: T): void };
    to.emit(event, payload);
    if (fanOutState.redisConfigured && fanOutState.redisReady) server.serverSideEmit(peerTopic, { at: Date.now(), room, payload } satisfies PeerNotice<T>);
  }

  @OnEvent(BidPlaced.topic)
  onBid(e: BidPlaced): void {
    const event: LotBidEvent = { lotId: e.lotId, seq: e.seq, amount: e.amount, bidderCode: e.bidderCode, priority: e.priority, placedAt: e.placedAt, endsAt: e.endsAt, extended: e.extended, committedAt: e.committedAt };
    if (fanOutState.redisConfigured) {
      // Peers first: delivering to thousands of local sockets takes a while, and the other instances'
      // watchers should not wait for it before their instance even hears of the bid.
      if (fanOutState.redisReady) this.gateway.server.serverSideEmit(PEER_BID, event);
      this.sequencer.accept(event);
    } else {
      this.gateway.server.to(lotRoom(e.lotId)).emit('lot.bid', event);
    }
    if (e.outbid) this.publish<OutbidPayload>('bid.outbid', PEER_OUTBID, userRoom(e.outbid.userId), { lotId: e.lotId, seq: e.seq, amount: e.amount, yourAmount: e.outbid.amount });
    this.placeBid.notePrice(e.lotId, e.amount);
  }

  @OnEvent(LotWatched.topic)
  onWatched(e: LotWatched): void {
    if (fanOutState.redisConfigured) this.sequencer.watched(e.lotId, e.seq);
  }

  @OnEvent('lot.status')
  onStatus(e: LotStatusChanged): void {
    this.publish<StatusPayload>('lot.status', PEER_STATUS, lotRoom(e.lotId), { lotId: e.lotId, status: e.status as never, endsAt: e.endsAt, reason: e.reason });
  }

  @OnEvent(LotClosed.topic)
  onClosed(e: LotClosed): void {
    this.publish<ClosedPayload>('lot.closed', PEER_CLOSED, lotRoom(e.lotId), { lotId: e.lotId, outcome: e.outcome, price: e.price, bidderCode: e.bidderCode });
    this.sequencer.closed(e.lotId);
    this.placeBid.forgetLot(e.lotId);
  }
}

/** Whether a peer's notice is recent enough to still be news (instances' clocks agree to well within this). */
function fresh(m: PeerNotice<unknown>): boolean {
  return Date.now() - m.at < PEER_NOTICE_TTL_MS;
}
