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
import type { Pool, PoolClient, QueryResult } from 'pg';
import { decideBid, effectiveStatus, isStale, type BiddingState, type RulesProfile } from '@fapai/domain';
import type { LotBidEvent, PlaceBidResponse } from '@fapai/contracts';
import { AuditService } from '../audit/audit.service.js';
import { AppError } from '../common/app-error.js';
import { toErrorBody } from '../common/http-exception.filter.js';
import { isoTimes } from '../common/iso-times.js';
import { RateLimiter } from '../common/rate-limit.js';
import { MetricsService } from '../observability/metrics.service.js';
import { RULES } from '../config/env.js';
import { sqlLiteral, type SqlValue } from '../database/sql-literal.js';
import { LotStatusChanged } from '../lots/lots.service.js';
import { BidPlaced } from './bid-placed.event.js';
import { BiddingError } from './bidding.errors.js';

export interface PlaceBidInput {
  amount: number;
  confirmJump?: boolean;
  idempotencyKey?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The lot row under its lock and the bidder's enrolment. */
interface LockedRow {
  id: string;
  status: BiddingState['status'];
  starts_at: Date | null;
  ends_at: Date | null;
  starting_price: string | null;
  increment: string | null;
  current_price: string | null;
  leader_enrolment_id: string | null;
  leader_code: string | null;
  leader_priority_rank: number | null;
  leader_placed_at: Date | null;
  bid_count: number;
  extension_count: number;
  seq: number;
  now: Date;
  enrolment_id: string | null;
  enrolment_status: string | null;
  bidder_code: string | null;
  priority_rank: number | null;
}

/** The bidder's earlier bid on the lot with the same Idempotency-Key. */
interface ReplayRow {
  seq: number;
  amount: string;
  bidder_code: string;
  priority_rank: number | null;
  placed_at: Date;
}

/**
 * The statements of the bid transaction, prepared once per database connection (`PREPARE`) and run
 * with `EXECUTE` inside multi-statement simple queries: one round trip each, and no planning per bid
 * (planning was half of PostgreSQL's work per bid). Needs a direct or session-pooled connection.
 *
 * The earlier bid with the same Idempotency-Key is looked up by a statement of its own, after the lock:
 * under READ COMMITTED a statement sees what was committed when it began, so a lookup joined to the
 * locking read missed a bid that another instance committed while this one waited for the lock, and a
 * retry of an accepted bid was refused (found by hand with one key sent to two instances at once).
 */
const PREPARE_BID_STATEMENTS = `
  PREPARE fapai_bid_read(uuid, uuid) AS
    SELECT l.id, l.status, l.starts_at, l.ends_at, l.starting_price, l.increment, l.current_price, l.leader_enrolment_id, l.leader_code, l.leader_priority_rank,
           l.leader_placed_at, l.bid_count, l.extension_count, l.seq, clock_timestamp() AS now,
           e.id AS enrolment_id, e.status AS enrolment_status, e.bidder_code, e.priority_rank
    FROM lots l
    LEFT JOIN enrolments e ON e.lot_id = l.id AND e.user_id = $2
    WHERE l.id = $1
    FOR UPDATE OF l;
  PREPARE fapai_bid_replay(uuid, uuid, text) AS
    SELECT r.seq, r.amount, r.bidder_code, r.priority_rank, r.placed_at
    FROM enrolments e JOIN bids r ON r.enrolment_id = e.id AND r.idempotency_key = $3
    WHERE e.lot_id = $1 AND e.user_id = $2;
  PREPARE fapai_bid_write(uuid, int, uuid, text, bigint, int, text, timestamptz, timestamptz, boolean, text, int, uuid, text, uuid, text) AS
    WITH ins AS (
      INSERT INTO bids (lot_id, seq, enrolment_id, bidder_code, amount, priority_rank, kind, placed_at, ends_at_after, extended, idempotency_key)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)),
    upd AS (
      UPDATE lots SET status = 'live', current_price = $5, leader_enrolment_id = $3, leader_code = $4, leader_priority_rank = $6, leader_placed_at = $8,
             ends_at = $9, seq = $2, bid_count = bid_count + 1, extension_count = $12, updated_at = now()
      WHERE id = $1
      RETURNING (SELECT user_id FROM enrolments WHERE id = $13) AS outbid_user),
    ${AuditService.appendCte({ stream: '$14', action: "'bid.accepted'", actor: '$15', data: '$16' })}
    SELECT outbid_user FROM upd`;

/** `EXECUTE name(v1, v2, …)` with every value made a literal by `sqlLiteral`. */
const execute = (name: string, values: SqlValue[]): string => `EXECUTE ${name}(${values.map(sqlLiteral).join(', ')})`;

type Decided =
  | { replayed: true; response: PlaceBidResponse }
  | { replayed: false; writeSql: string; previousPrice: number | null; increment: number; extended: boolean; startedLot: boolean; response: PlaceBidResponse };
type Outcome = Decided & { outbidUser?: string | null };

/** Pool clients (connections) on which PREPARE_BID_STATEMENTS ran. */
const prepared = new WeakSet<PoolClient>();

@Injectable()
export class PlaceBidService {
  /** The highest price this instance has committed or seen per lot (only ever rises). */
  private readonly knownPrice = new Map<string, { price: number; increment: number }>();
  /** Whether the bidder is a priority purchaser of the lot (key `lot:user`), as the last locked read said. */
  private readonly priorityOf = new Map<string, boolean>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly events: EventEmitter2,
    @Inject(RULES) private readonly rules: RulesProfile,
    private readonly limiter: RateLimiter,
    private readonly metrics: MetricsService,
  ) {}

  /** TypeORM's own pg pool: the bid transaction talks to it directly (see `decideLocked`). */
  private get pool(): Pool {
    return (this.db.driver as unknown as { master: Pool }).master;
  }

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

  /**
   * Accepted bids of a lot with `fromSeq <= seq < toSeq`, as `lot.bid` events, from the record itself: for a
   * fan-out that missed a peer's publication (the instance died after commit, or Redis was down).
   */
  async acceptedBetween(lotId: string, fromSeq: number, toSeq: number): Promise<LotBidEvent[]> {
    const rows = (await this.db.query(
      `SELECT seq, amount, bidder_code, priority_rank, placed_at, ends_at_after, extended FROM bids WHERE lot_id = $1 AND seq >= $2 AND seq < $3 ORDER BY seq`,
      [lotId, fromSeq, toSeq],
    )) as { seq: number; amount: string; bidder_code: string; priority_rank: number | null; placed_at: Date; ends_at_after: Date; extended: boolean }[];
    const now = new Date().toISOString();
    return rows.map((r) => ({ lotId, seq: r.seq, amount: Number(r.amount), bidderCode: r.bidder_code, priority: r.priority_rank !== null, placedAt: r.placed_at.toISOString(), endsAt: r.ends_at_after.toISOString(), extended: r.extended, committedAt: now }));
  }

  /**
   * The lot closed (here or on a peer): no more bids, so its entry goes. A late bid then hears why it is
   * refused (LOT_NOT_LIVE with the final status) rather than that it is too low.
   */
  forgetLot(lotId: string): void {
    this.knownPrice.delete(lotId);
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
      // Labelled with the code the client is answered (a database outage is DATABASE_UNAVAILABLE, not INTERNAL).
      this.metrics.bids.inc({ result: 'refused', code: toErrorBody(error).code });
      throw error;
    } finally {
      this.metrics.bidSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  private async decide(userId: string, lotId: string, input: PlaceBidInput): Promise<PlaceBidResponse> {
    if (!UUID.test(lotId)) throw new BiddingError('LOT_NOT_FOUND', 'lot not found');
    await this.limiter.consume('bid_user', userId);
    const key = `${lotId}:${userId}`;
    this.refuseIfStale(lotId, input, this.priorityOf.get(key));
    // One decision per lot at a time in this instance: racing bids wait here, in memory, rather than on
    // the row lock, and most of them are then refused as stale without touching the database. Other
    // instances are serialised by the row lock as before.
    const release = await this.turn(lotId);
    try {
      this.refuseIfStale(lotId, input, this.priorityOf.get(key));
      return await this.decideLocked(userId, lotId, input);
    } finally {
      release();
    }
  }

  /**
   * `priority` is what the last locked read said about this bidder (priority is confirmed before bidding
   * starts and cannot change while the lot is live); a bidder not seen yet is judged as if they were a
   * priority purchaser, the most lenient case, so the pre-check never refuses a bid the lock would accept.
   */
  private refuseIfStale(lotId: string, input: PlaceBidInput, priority: boolean | undefined): void {
    const known = this.knownPrice.get(lotId);
    if (known && !input.idempotencyKey && isStale(input.amount, known.price, known.increment, priority ?? true)) {
      // The same refusal as decideBid's under the lock, so a client cannot tell (or care) which one answered.
      throw new BiddingError('BID_TOO_LOW', 'the bid must be above the current price', { currentPrice: known.price, minimum: known.price + (priority ? 0 : known.increment), article: 'OJA Art. 20 ¶1' });
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

  /**
   * The transaction, in two round trips (a round trip costs more CPU than anything else on this path):
   * `BEGIN` + the locked read of the lot, the bidder's enrolment and an earlier bid with the same
   * Idempotency-Key; then either `ROLLBACK` or the write (bid, lot, audit entry in one statement) + `COMMIT`.
   * Both go in the simple-query protocol, which allows several statements per message, and run the
   * statements prepared per connection (PREPARE_BID_STATEMENTS); values are literals made by `sqlLiteral`.
   */
  private async decideLocked(userId: string, lotId: string, input: PlaceBidInput): Promise<PlaceBidResponse> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // A checked-out client has no listener of its own: without this one, a connection dropped while we hold
    // it (PostgreSQL restarting) would be an unhandled 'error' event and end the process.
    const onError = (error: Error): void => void (broken ??= error);
    client.on('error', onError);
    let outcome: Outcome;
    try {
      if (!prepared.has(client)) {
        await client.query(PREPARE_BID_STATEMENTS);
        prepared.add(client);
      }
      const replayLookup = input.idempotencyKey ? `; ${execute('fapai_bid_replay', [lotId, userId, input.idempotencyKey])}` : '';
      const results = (await client.query(`BEGIN; ${execute('fapai_bid_read', [lotId, userId])}${replayLookup}`)) as unknown as QueryResult[];
      try {
        const decided = this.decideOn(results[1].rows[0] as LockedRow | undefined, results[2]?.rows[0] as ReplayRow | undefined, userId, input);
        if (decided.replayed) {
          await client.query('ROLLBACK');
          outcome = decided;
        } else {
          const written = (await client.query(`${decided.writeSql}; COMMIT`)) as unknown as QueryResult[];
          outcome = { ...decided, outbidUser: (written[0].rows[0] as { outbid_user: string | null } | undefined)?.outbid_user ?? null };
        }
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackFailed: Error) => (broken = rollbackFailed));
        throw error;
      }
    } catch (error) {
      if (!(error instanceof AppError)) broken ??= error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      // A client that failed for another reason than a refusal may hold a broken connection: destroy it.
      client.off('error', onError);
      client.release(broken);
    }

    if (!outcome.replayed) {
      this.notePrice(lotId, input.amount, outcome.increment);
      if (this.priorityOf.size > 200_000) this.priorityOf.clear();
      const { bid, lot } = outcome.response;
      // The first bid after the start may come before the closer wrote 'live' (reads treat the lot as live
      // from its start): the bid's write does it, so it tells watchers too (found by hand).
      if (outcome.startedLot) this.events.emit('lot.status', new LotStatusChanged(lotId, 'live', lot.endsAt, null));
      this.events.emit(
        BidPlaced.topic,
        new BidPlaced(lotId, bid.seq, bid.amount, bid.bidderCode, bid.priority, bid.placedAt, lot.endsAt, outcome.extended, new Date().toISOString(), outcome.outbidUser && outcome.previousPrice !== null ? { userId: outcome.outbidUser, amount: outcome.previousPrice } : null),
      );
    }
    return outcome.response;
  }

  /** Applies the rules of libs/domain to the locked row; returns the replay or the write to send. */
  private decideOn(row: LockedRow | undefined, replay: ReplayRow | undefined, userId: string, input: PlaceBidInput): Decided {
    if (!row) throw new BiddingError('LOT_NOT_FOUND', 'lot not found');
    if (!row.enrolment_id || row.enrolment_status !== 'active' || !row.bidder_code) {
      throw new BiddingError('NOT_ENROLLED', 'you need an active enrolment (deposit paid) in this lot to bid (OJA Art. 17)');
    }
    const lotId = row.id;
    if (replay) {
      if (Number(replay.amount) !== input.amount) throw new BiddingError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for a different bid', { field: 'Idempotency-Key' });
      return {
        replayed: true,
        response: {
          bid: { seq: replay.seq, amount: Number(replay.amount), bidderCode: replay.bidder_code, priority: replay.priority_rank !== null, placedAt: replay.placed_at.toISOString() },
          lot: { currentPrice: Number(row.current_price), endsAt: row.ends_at!.toISOString(), leaderCode: row.leader_code!, bidCount: row.bid_count, extensionCount: row.extension_count, seq: row.seq },
        },
      };
    }
    const now = row.now.getTime();
    const startsAt = row.starts_at?.getTime() ?? Number.MAX_SAFE_INTEGER;
    const state: BiddingState = {
      status: effectiveStatus({ status: row.status, startsAt }, now),
      startsAt,
      endsAt: row.ends_at?.getTime() ?? 0,
      startingPrice: Number(row.starting_price ?? 0),
      increment: Number(row.increment ?? 1),
      currentPrice: row.current_price === null ? null : Number(row.current_price),
      leader: row.leader_enrolment_id ? { enrolmentId: row.leader_enrolment_id, priorityRank: row.leader_priority_rank, placedAt: row.leader_placed_at?.getTime() ?? 0 } : null,
      bidCount: row.bid_count,
      extensionCount: row.extension_count,
    };
    // Priority is confirmed only before bidding starts, so what a read of the live lot says is final; a read
    // before the start could be overturned by a confirmation (found by hand: a purchaser who tried to bid
    // early was then judged a plain bidder by the stale check).
    if (state.status === 'live') this.priorityOf.set(`${lotId}:${userId}`, row.priority_rank !== null);
    const decision = decideBid(
      state,
      { enrolmentId: row.enrolment_id, enrolmentActive: true, priorityRank: row.priority_rank, amount: input.amount, now, confirmJump: input.confirmJump ?? false },
      this.rules,
    );
    if (!decision.ok) throw new BiddingError(decision.code, decision.message, { ...isoTimes(decision.details ?? {}), ...(decision.article ? { article: decision.article } : {}) });

    const seq = row.seq + 1;
    const next = decision.next;
    const placedAt = new Date(now);
    const endsAt = new Date(next.endsAt);
    const previousLeader = row.leader_enrolment_id && row.leader_enrolment_id !== row.enrolment_id ? row.leader_enrolment_id : null;
    const auditData = JSON.stringify({ seq, amount: input.amount, bidderCode: row.bidder_code, priorityRank: row.priority_rank, kind: decision.bid.kind, placedAt: placedAt.toISOString(), endsAt: endsAt.toISOString(), extended: decision.extended });
    // One statement: the bid, the lot and the audit entry (the lot row lock serialises the lot's stream).
    const writeSql = execute('fapai_bid_write', [lotId, seq, row.enrolment_id, row.bidder_code, input.amount, row.priority_rank, decision.bid.kind, placedAt, endsAt, decision.extended, input.idempotencyKey, next.extensionCount, previousLeader, `lot:${lotId}`, userId, auditData]);
    return {
      replayed: false,
      writeSql,
      previousPrice: state.currentPrice,
      increment: state.increment,
      extended: decision.extended,
      startedLot: row.status === 'announced',
      response: {
        bid: { seq, amount: input.amount, bidderCode: row.bidder_code, priority: row.priority_rank !== null, placedAt: placedAt.toISOString() },
        lot: { currentPrice: input.amount, endsAt: endsAt.toISOString(), leaderCode: row.bidder_code, bidCount: next.bidCount, extensionCount: next.extensionCount, seq },
      },
    };
  }
}
