/**
 * Placing a bid (出价) — the hot path, one use case for HTTP and sockets.
 *
 * One transaction holds the lot's row lock: it reads the lot and the database clock in the same statement
 * (OJA Art. 20 ¶2: the bid's time is when it enters the platform), lets `decideBid` of libs/domain accept
 * or refuse, then writes the bid, the lot and the audit entry. Events leave only after commit.
 * Correctness never depends on a timer: a bid at or after `endsAt` is refused here, under the lock.
 *
 * Before the lock, a bid that is already too low for the last price this instance has seen is refused
 * without touching the database: prices only rise, so such a bid would be refused under the lock too.
 */
import { Inject, Injectable } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { DepositSecured } from '../payments/deposits.service.js';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { decideBid, effectiveStatus, isStale, type BiddingState, type RulesProfile } from '@fapai/domain';
import type { PlaceBidResponse } from '@fapai/contracts';
import { AuditService } from '../audit/audit.service.js';
import { AppError } from '../common/app-error.js';
import { RateLimiter } from '../common/rate-limit.js';
import { MetricsService } from '../observability/metrics.service.js';
import { RULES } from '../config/env.js';
import { EnrolmentService } from '../enrolment/enrolment.service.js';
import { BidPlaced } from './bid-placed.event.js';
import { BiddingError } from './bidding.errors.js';

export interface PlaceBidInput {
  amount: number;
  confirmJump?: boolean;
  idempotencyKey?: string;
}

interface LockedLot {
  status: BiddingState['status'];
  starts_at: Date | null;
  ends_at: Date | null;
  starting_price: string | null;
  increment: string | null;
  current_price: string | null;
  leader_enrolment_id: string | null;
  leader_priority_rank: number | null;
  leader_placed_at: Date | null;
  bid_count: number;
  extension_count: number;
  seq: number;
  now: Date;
}

@Injectable()
export class PlaceBidService {
  /** The highest price this instance has committed or seen per lot (only ever rises). */
  private readonly knownPrice = new Map<string, { price: number; increment: number }>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly enrolment: EnrolmentService,
    private readonly events: EventEmitter2,
    @Inject(RULES) private readonly rules: RulesProfile,
    private readonly limiter: RateLimiter,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Sale-off (变卖): the first entrant's prepayment is its offer at the sale-off price, so it becomes the
   * opening bid of the round it opened (PRACTICE, rulebook §6.3). Idempotent by key.
   */
  @OnEvent(DepositSecured.topic, { async: true, promisify: true })
  async onDepositSecured(e: DepositSecured): Promise<void> {
    const rows = (await this.db.query(`SELECT l.round, l.bid_count, l.starting_price, e.user_id FROM lots l JOIN enrolments e ON e.lot_id = l.id WHERE e.id = $1`, [e.enrolmentId])) as {
      round: string;
      bid_count: number;
      starting_price: string;
      user_id: string;
    }[];
    const r = rows[0];
    if (!r || r.round !== 'sale_off' || r.bid_count > 0) return;
    await this.place(r.user_id, e.lotId, { amount: Number(r.starting_price), idempotencyKey: 'sale-off-entry' }).catch(() => undefined);
  }

  /** Other instances' bids reach us through the realtime fan-out; they keep the stale check sharp. */
  notePrice(lotId: string, price: number, increment?: number): void {
    const known = this.knownPrice.get(lotId);
    if (!known) {
      if (increment) this.knownPrice.set(lotId, { price, increment });
    } else if (price > known.price) known.price = price;
  }

  async place(userId: string, lotId: string, input: PlaceBidInput): Promise<PlaceBidResponse> {
    const started = process.hrtime.bigint();
    try {
      const response = await this.decide(userId, lotId, input);
      this.metrics.bids.inc({ result: 'accepted', code: '' });
      return response;
    } catch (error) {
      this.metrics.bids.inc({ result: 'refused', code: error instanceof AppError ? error.code : 'INTERNAL' });
      throw error;
    } finally {
      this.metrics.bidSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  private async decide(userId: string, lotId: string, input: PlaceBidInput): Promise<PlaceBidResponse> {
    await this.limiter.consume('bid_user', userId);
    const bidder = await this.enrolment.bidderContext(lotId, userId);
    if (!bidder || !bidder.active || !bidder.bidderCode) throw new BiddingError('NOT_ENROLLED', 'you need an active enrolment (deposit paid) in this lot to bid (OJA Art. 17)');
    this.refuseIfStale(lotId, input, bidder.priorityRank);
    // One decision per lot at a time in this instance: racing bids wait here, in memory, rather than on
    // the row lock, and most of them are then refused as stale without touching the database. Other
    // instances are serialised by the row lock as before.
    const release = await this.turn(lotId);
    try {
      this.refuseIfStale(lotId, input, bidder.priorityRank);
      return await this.decideLocked(userId, lotId, input, bidder);
    } finally {
      release();
    }
  }

  private refuseIfStale(lotId: string, input: PlaceBidInput, priorityRank: number | null): void {
    const known = this.knownPrice.get(lotId);
    if (known && !input.idempotencyKey && isStale(input.amount, known.price, known.increment, priorityRank !== null)) {
      throw new BiddingError('BID_TOO_LOW', 'the bid is below the current price plus one increment', { currentPrice: known.price, minimum: known.price + known.increment });
    }
  }

  private readonly turns = new Map<string, Promise<void>>();

  /** Waits for this lot's previous decision in this instance to finish; returns the release of our turn. */
  private async turn(lotId: string): Promise<() => void> {
    const previous = this.turns.get(lotId) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.turns.set(lotId, tail);
    await previous;
    return () => {
      release();
      if (this.turns.get(lotId) === tail) this.turns.delete(lotId);
    };
  }

  private async decideLocked(userId: string, lotId: string, input: PlaceBidInput, bidder: NonNullable<Awaited<ReturnType<EnrolmentService['bidderContext']>>>): Promise<PlaceBidResponse> {
    const outcome = await this.db.transaction(async (em) => {
      const rows = (await em.query(
        `SELECT status, starts_at, ends_at, starting_price, increment, current_price, leader_enrolment_id, leader_priority_rank, leader_placed_at,
                bid_count, extension_count, seq, clock_timestamp() AS now
         FROM lots WHERE id = $1 FOR UPDATE`,
        [lotId],
      )) as LockedLot[];
      const lot = rows[0];
      if (!lot) throw new BiddingError('LOT_NOT_FOUND', 'lot not found');
      if (input.idempotencyKey) {
        const replay = (await em.query(
          `SELECT b.seq, b.amount, b.bidder_code, b.priority_rank, b.placed_at, l.current_price, l.ends_at, l.leader_code, l.bid_count, l.extension_count, l.seq AS lot_seq
           FROM bids b JOIN lots l ON l.id = b.lot_id WHERE b.enrolment_id = $1 AND b.idempotency_key = $2`,
          [bidder.enrolmentId, input.idempotencyKey],
        )) as { seq: number; amount: string; bidder_code: string; priority_rank: number | null; placed_at: Date; current_price: string; ends_at: Date; leader_code: string; bid_count: number; extension_count: number; lot_seq: number }[];
        if (replay.length > 0) {
          const r = replay[0];
          if (Number(r.amount) !== input.amount) throw new BiddingError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for a different bid', { field: 'Idempotency-Key' });
          return {
            replayed: true as const,
            response: {
              bid: { seq: r.seq, amount: Number(r.amount), bidderCode: r.bidder_code, priority: r.priority_rank !== null, placedAt: r.placed_at.toISOString() },
              lot: { currentPrice: Number(r.current_price), endsAt: r.ends_at.toISOString(), leaderCode: r.leader_code, bidCount: r.bid_count, extensionCount: r.extension_count, seq: r.lot_seq },
            },
          };
        }
      }
      const now = lot.now.getTime();
      const startsAt = lot.starts_at?.getTime() ?? Number.MAX_SAFE_INTEGER;
      const state: BiddingState = {
        status: effectiveStatus({ status: lot.status, startsAt }, now),
        startsAt,
        endsAt: lot.ends_at?.getTime() ?? 0,
        startingPrice: Number(lot.starting_price ?? 0),
        increment: Number(lot.increment ?? 1),
        currentPrice: lot.current_price === null ? null : Number(lot.current_price),
        leader: lot.leader_enrolment_id ? { enrolmentId: lot.leader_enrolment_id, priorityRank: lot.leader_priority_rank, placedAt: lot.leader_placed_at?.getTime() ?? 0 } : null,
        bidCount: lot.bid_count,
        extensionCount: lot.extension_count,
      };
      const decision = decideBid(
        state,
        { enrolmentId: bidder.enrolmentId, enrolmentActive: bidder.active, priorityRank: bidder.priorityRank, amount: input.amount, now, confirmJump: input.confirmJump ?? false },
        this.rules,
      );
      if (!decision.ok) throw new BiddingError(decision.code, decision.message, { ...(decision.details ?? {}), ...(decision.article ? { article: decision.article } : {}) });

      const seq = lot.seq + 1;
      const next = decision.next;
      const placedAt = new Date(now);
      const endsAt = new Date(next.endsAt);
      const previousLeader = lot.leader_enrolment_id && lot.leader_enrolment_id !== bidder.enrolmentId ? lot.leader_enrolment_id : null;
      const auditData = JSON.stringify({ seq, amount: input.amount, bidderCode: bidder.bidderCode, priorityRank: bidder.priorityRank, kind: decision.bid.kind, placedAt: placedAt.toISOString(), endsAt: endsAt.toISOString(), extended: decision.extended });
      // One statement: the bid, the lot and the audit entry (the lot row lock serialises the lot's stream).
      const written = (await em.query(
        `WITH ins AS (
           INSERT INTO bids (lot_id, seq, enrolment_id, bidder_code, amount, priority_rank, kind, placed_at, ends_at_after, extended, idempotency_key)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)),
         upd AS (
           UPDATE lots SET status = 'live', current_price = $5, leader_enrolment_id = $3, leader_code = $4, leader_priority_rank = $6, leader_placed_at = $8,
                  ends_at = $9, seq = $2, bid_count = bid_count + 1, extension_count = $12, updated_at = now()
           WHERE id = $1
           RETURNING (SELECT user_id FROM enrolments WHERE id = $13) AS outbid_user),
         ${AuditService.appendCte({ stream: '$14', action: "'bid.accepted'", actor: '$15', data: '$16' })}
         SELECT outbid_user FROM upd`,
        [lotId, seq, bidder.enrolmentId, bidder.bidderCode, input.amount, bidder.priorityRank, decision.bid.kind, placedAt, endsAt, decision.extended, input.idempotencyKey ?? null, next.extensionCount, previousLeader, `lot:${lotId}`, userId, auditData],
      )) as { outbid_user: string | null }[];
      const updated = written;
      return {
        replayed: false as const,
        previousPrice: state.currentPrice,
        outbidUser: updated[0]?.outbid_user ?? null,
        increment: state.increment,
        extended: decision.extended,
        response: {
          bid: { seq, amount: input.amount, bidderCode: bidder.bidderCode!, priority: bidder.priorityRank !== null, placedAt: placedAt.toISOString() },
          lot: { currentPrice: input.amount, endsAt: endsAt.toISOString(), leaderCode: bidder.bidderCode!, bidCount: next.bidCount, extensionCount: next.extensionCount, seq },
        },
      };
    });

    if (!outcome.replayed) {
      this.notePrice(lotId, input.amount, outcome.increment);
      const { bid, lot } = outcome.response;
      this.events.emit(
        BidPlaced.topic,
        new BidPlaced(lotId, bid.seq, bid.amount, bid.bidderCode, bid.priority, bid.placedAt, lot.endsAt, outcome.extended, new Date().toISOString(), outcome.outbidUser && outcome.previousPrice !== null ? { userId: outcome.outbidUser, amount: outcome.previousPrice } : null),
      );
    }
    return outcome.response;
  }
}
