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
 *
 * One round trip when this instance knows the lot: it keeps what its last locked read or write of a live lot
 * saw (the decision's inputs and the row's version, `xmin`) and the bidder's enrolment. A bid accepted on
 * that state, at a time `timeInvariantSpan` (libs/domain) says the decision does not depend on, is written
 * by one guarded statement: it takes the row lock and writes only if the row is still that version and the
 * database clock falls in the span, with the database clock as the bid time. Under those guards the decision
 * is exactly the one `decideBid` takes under the lock at the database's time. Anything else (a refusal, the
 * last minutes, a lot or bidder not seen yet, a guard that fails) takes the two-round-trip path.
 *
 * Group commit: one-statement bids of different lots that wait for the database at the same moment go as one
 * transaction (group-commit.ts); under load that pays a round trip and a commit for several bids.
 */
import { Inject, Injectable } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { DepositSecured } from '../payments/deposits.service.js';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Pool, PoolClient, QueryResult } from 'pg';
import { decideBid, effectiveStatus, isStale, timeInvariantSpan, type BidDecision, type BiddingState, type RulesProfile } from '@fapai/domain';
import type { LotBidEvent, PlaceBidResponse } from '@fapai/contracts';
import { AuditService } from '../audit/audit.service.js';
import { AppError } from '../common/app-error.js';
import { toErrorBody } from '../common/http-exception.filter.js';
import { isoTimes } from '../common/iso-times.js';
import { RateLimiter } from '../common/rate-limit.js';
import { MetricsService } from '../observability/metrics.service.js';
import { APP_CONFIG, RULES, type AppConfig } from '../config/env.js';
import { pgPool } from '../database/pool.js';
import { sqlLiteral, type SqlValue } from '../database/sql-literal.js';
import { LotStatusChanged } from '../lots/lots.service.js';
import { BidPlaced } from './bid-placed.event.js';
import { BiddingError } from './bidding.errors.js';
import { GroupCommit, onLease, type Lease } from './group-commit.js';

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
  /** The row version (`xmin`): any write to the lot row changes it. */
  version: string;
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
export const PREPARE_BID_STATEMENTS = `
  PREPARE fapai_bid_read(uuid, uuid) AS
    SELECT l.id, l.status, l.starts_at, l.ends_at, l.starting_price, l.increment, l.current_price, l.leader_enrolment_id, l.leader_code, l.leader_priority_rank,
           l.leader_placed_at, l.bid_count, l.extension_count, l.seq, l.xmin::text AS version, clock_timestamp() AS now,
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
      RETURNING (SELECT user_id FROM enrolments WHERE id = $13) AS outbid_user, xmin::text AS version),
    ${AuditService.appendCte({ stream: '$14', action: "'bid.accepted'", actor: '$15', data: '$16' })}
    SELECT outbid_user, version FROM upd;
  PREPARE fapai_bid_guarded(uuid, int, uuid, text, bigint, int, text, timestamptz, timestamptz, text, uuid, text, uuid, text, xid, timestamptz) AS
    WITH clock AS (SELECT date_trunc('milliseconds', clock_timestamp()) AS t),
    upd AS (
      UPDATE lots l SET current_price = $5, leader_enrolment_id = $3, leader_code = $4, leader_priority_rank = $6, leader_placed_at = clock.t,
             seq = $2, bid_count = l.bid_count + 1, updated_at = now()
      FROM clock
      WHERE l.id = $1 AND l.xmin = $15 AND l.status = 'live' AND l.seq = $2 - 1 AND clock.t >= $8 AND clock.t < $9
        AND EXISTS (SELECT 1 FROM enrolments e WHERE e.id = $3 AND e.lot_id = $1 AND e.user_id = $13 AND e.status = 'active' AND e.bidder_code = $4 AND e.priority_rank IS NOT DISTINCT FROM $6)
        AND ($10::text IS NULL OR NOT EXISTS (SELECT 1 FROM bids r WHERE r.enrolment_id = $3 AND r.idempotency_key = $10))
      RETURNING clock.t AS placed_at, (SELECT user_id FROM enrolments WHERE id = $11) AS outbid_user, l.xmin::text AS version),
    ins AS (
      INSERT INTO bids (lot_id, seq, enrolment_id, bidder_code, amount, priority_rank, kind, placed_at, ends_at_after, extended, idempotency_key)
      SELECT $1, $2, $3, $4, $5, $6, $7, upd.placed_at, $16, false, $10 FROM upd),
    ${AuditService.appendCte({ stream: '$12', action: "'bid.accepted'", actor: '$13', data: `$14::jsonb || jsonb_build_object('placedAt', to_char(src.placed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))`, source: 'upd' })}
    SELECT placed_at, outbid_user, version FROM upd`;

/** `EXECUTE name(v1, v2, …)` with every value made a literal by `sqlLiteral`. */
const execute = (name: string, values: SqlValue[]): string => `EXECUTE ${name}(${values.map(sqlLiteral).join(', ')})`;

/** A bidder's active enrolment in a live lot, as the last locked read said. */
interface Bidder {
  enrolmentId: string;
  bidderCode: string;
  /** Confirmed before bidding starts, so final once the lot is live. */
  priorityRank: number | null;
}

/** What this instance last read or wrote of a live lot under its lock: the decision's inputs and the row version. */
interface LastKnownLot {
  state: BiddingState;
  seq: number;
  version: string;
}

/** An accepted bid before it is written: the decision, the bidder and the bid's seq. */
interface Acceptance {
  decision: Extract<BidDecision, { ok: true }>;
  bidder: Bidder;
  seq: number;
  previous: BiddingState;
  startedLot: boolean;
}

type Decided = { replayed: true; response: PlaceBidResponse } | { replayed: false; acceptance: Acceptance; writeSql: string };

/** An accepted bid as written: `placedAt` is the database time it was decided at. */
interface Written {
  acceptance: Acceptance;
  placedAt: Date;
  version: string;
  outbidUser: string | null;
}

/** Pool clients (connections) on which PREPARE_BID_STATEMENTS ran. */
const prepared = new WeakSet<PoolClient>();

@Injectable()
export class PlaceBidService {
  /** The highest price this instance has committed or seen per lot (only ever rises). */
  private readonly knownPrice = new Map<string, { price: number; increment: number }>();
  /** The bidder's active enrolment in a live lot (key `lot:user`), as the last locked read said. */
  private readonly bidderOf = new Map<string, Bidder>();
  /** Per live lot, what the last locked read or write saw: the one-statement path decides on it. */
  private readonly lastKnown = new Map<string, LastKnownLot>();
  /** One-statement bids waiting at the same moment commit together (group-commit.ts). */
  private readonly groupCommit: GroupCommit;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly events: EventEmitter2,
    @Inject(RULES) private readonly rules: RulesProfile,
    private readonly limiter: RateLimiter,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.groupCommit = new GroupCommit(() => this.lease(), {
      ...config.bidGroupCommit,
      observe: (e) => ('committed' in e ? metrics.bidGroupCommitSize.observe(e.committed) : metrics.bidGroupCommitSplits.inc({ code: e.code })),
    });
    metrics.readBidGroupCommitWaiting(() => this.groupCommit.waiting);
  }

  /** TypeORM's own pg pool: the bid transaction talks to it directly (see `lease`). */
  private get pool(): Pool {
    const pool = pgPool(this.db);
    if (!pool) throw new Error('the database is not connected');
    return pool;
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
    this.lastKnown.delete(lotId);
  }

  /**
   * Other instances' bids reach us through the realtime fan-out; they keep the stale check sharp, and tell
   * that what we last knew of the lot is out of date (its guard would fail: no use trying it).
   */
  notePrice(lotId: string, price: number, increment?: number): void {
    const last = this.lastKnown.get(lotId);
    if (last && (last.state.currentPrice === null || price > last.state.currentPrice)) this.lastKnown.delete(lotId);
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
    this.refuseIfStale(lotId, input, this.priorityOf(key));
    // One decision per lot at a time in this instance: racing bids wait here, in memory, rather than on
    // the row lock, and most of them are then refused as stale without touching the database. Other
    // instances are serialised by the row lock as before.
    const release = await this.turn(lotId);
    try {
      this.refuseIfStale(lotId, input, this.priorityOf(key));
      return await this.decideLocked(userId, lotId, input);
    } finally {
      release();
    }
  }

  /** Whether the bidder is a priority purchaser of the lot, as the last locked read said; undefined if not seen. */
  private priorityOf(key: string): boolean | undefined {
    const bidder = this.bidderOf.get(key);
    return bidder ? bidder.priorityRank !== null : undefined;
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
   * The bid's transaction: one guarded statement when this instance knows the lot (`decideOnLastKnown`),
   * else, or when its guard fails, two round trips (`readDecideWrite`). Events leave after commit.
   */
  private async decideLocked(userId: string, lotId: string, input: PlaceBidInput): Promise<PlaceBidResponse> {
    const guarded = this.decideOnLastKnown(userId, lotId, input);
    const written = guarded ? await this.writeGuarded(lotId, guarded) : null;
    // On the two-round-trip path a refusal leaves the connection as good as it was; anything else may not.
    const outcome = written
      ? { replayed: false as const, written }
      : await onLease(() => this.lease(), (client, broken) => this.readDecideWrite(client, userId, lotId, input, broken), (error) => !(error instanceof AppError));
    if (outcome.replayed) return outcome.response;

    const { acceptance, placedAt, version, outbidUser } = outcome.written;
    const { decision, bidder, seq, previous } = acceptance;
    const next: BiddingState = { ...decision.next, leader: { ...decision.next.leader!, placedAt: placedAt.getTime() } };
    this.lastKnown.set(lotId, { state: next, seq, version });
    this.notePrice(lotId, input.amount, next.increment);
    const endsAt = new Date(next.endsAt).toISOString();
    const response: PlaceBidResponse = {
      bid: { seq, amount: input.amount, bidderCode: bidder.bidderCode, priority: bidder.priorityRank !== null, placedAt: placedAt.toISOString() },
      lot: { currentPrice: input.amount, endsAt, leaderCode: bidder.bidderCode, bidCount: next.bidCount, extensionCount: next.extensionCount, seq },
    };
    // The first bid after the start may come before the closer wrote 'live' (reads treat the lot as live
    // from its start): the bid's write does it, so it tells watchers too (found by hand).
    if (acceptance.startedLot) this.events.emit('lot.status', new LotStatusChanged(lotId, 'live', endsAt, null));
    this.events.emit(
      BidPlaced.topic,
      new BidPlaced(lotId, seq, input.amount, bidder.bidderCode, response.bid.priority, response.bid.placedAt, endsAt, decision.extended, new Date().toISOString(), outbidUser && previous.currentPrice !== null ? { userId: outbidUser, amount: previous.currentPrice } : null),
    );
    return response;
  }

  /**
   * The decision on what this instance last knew of the lot, when it can be written in one statement:
   * accepted, the bidder seen before, and a time at which the decision does not depend on the time
   * (`timeInvariantSpan`). Null otherwise; refusals are always given on a locked read.
   */
  private decideOnLastKnown(userId: string, lotId: string, input: PlaceBidInput): { acceptance: Acceptance; sql: string } | null {
    const last = this.lastKnown.get(lotId);
    const bidder = this.bidderOf.get(`${lotId}:${userId}`);
    if (!last || !bidder) return null;
    // This clock only picks the path; the statement checks the database clock against the span.
    const now = Date.now();
    const span = timeInvariantSpan(last.state, now, this.rules);
    if (!span) return null;
    const decision = decideBid(last.state, { enrolmentId: bidder.enrolmentId, enrolmentActive: true, priorityRank: bidder.priorityRank, amount: input.amount, now, confirmJump: input.confirmJump ?? false }, this.rules);
    if (!decision.ok) return null;
    const acceptance: Acceptance = { decision, bidder, seq: last.seq + 1, previous: last.state, startedLot: false };
    const { seq } = acceptance;
    const previousLeader = this.previousLeader(last.state, bidder);
    const sql = execute('fapai_bid_guarded', [lotId, seq, bidder.enrolmentId, bidder.bidderCode, input.amount, bidder.priorityRank, decision.bid.kind, new Date(span.from), new Date(span.until), input.idempotencyKey, previousLeader, `lot:${lotId}`, userId, this.auditData(acceptance, null), last.version, new Date(decision.next.endsAt)]);
    return { acceptance, sql };
  }

  /**
   * Runs the guarded statement through the group commit (with the other lots' bids waiting at the same moment,
   * in one transaction; see group-commit.ts). Null when a guard failed (the lot or
   * the enrolment changed, or the database clock is outside the span), or when the audit chain moved while
   * it waited for the lock (see `AuditService.appendCte`): nothing was written, and the caller decides again
   * on a locked read.
   */
  private async writeGuarded(lotId: string, guarded: { acceptance: Acceptance; sql: string }): Promise<Written | null> {
    const row = await this.groupCommit.write(lotId, guarded.sql);
    if (!row) {
      this.lastKnown.delete(lotId);
      this.metrics.bidPaths.inc({ path: 'guarded_missed' });
      return null;
    }
    this.metrics.bidPaths.inc({ path: 'guarded' });
    return { acceptance: guarded.acceptance, placedAt: row.placed_at, version: row.version, outbidUser: row.outbid_user };
  }

  /** A pool connection with the bid statements prepared, and its release (pass the error if it may be broken). */
  private async lease(): Promise<Lease> {
    const client = await this.pool.connect();
    let dropped: Error | undefined;
    // A checked-out client has no listener of its own: without this one, a connection dropped while we hold
    // it (PostgreSQL restarting) would be an unhandled 'error' event and end the process.
    const onError = (error: Error): void => void (dropped ??= error);
    client.on('error', onError);
    const release = (broken?: Error): void => {
      client.off('error', onError);
      client.release(broken ?? dropped);
    };
    try {
      if (!prepared.has(client)) {
        await client.query(PREPARE_BID_STATEMENTS);
        prepared.add(client);
      }
    } catch (error) {
      release(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
    return { client, release };
  }

  /**
   * Two round trips: `BEGIN` + the locked read of the lot, the bidder's enrolment and an earlier bid with the
   * same Idempotency-Key; then either `ROLLBACK` or the write (bid, lot, audit entry in one statement) +
   * `COMMIT`. Both go in the simple-query protocol, which allows several statements per message, and run the
   * statements prepared per connection (PREPARE_BID_STATEMENTS); values are literals made by `sqlLiteral`.
   */
  private async readDecideWrite(client: PoolClient, userId: string, lotId: string, input: PlaceBidInput, broken: (error: Error) => void): Promise<{ replayed: true; response: PlaceBidResponse } | { replayed: false; written: Written }> {
    this.metrics.bidPaths.inc({ path: 'locked_read' });
    const replayLookup = input.idempotencyKey ? `; ${execute('fapai_bid_replay', [lotId, userId, input.idempotencyKey])}` : '';
    const results = (await client.query(`BEGIN; ${execute('fapai_bid_read', [lotId, userId])}${replayLookup}`)) as unknown as QueryResult[];
    try {
      const decided = this.decideOn(results[1].rows[0] as LockedRow | undefined, results[2]?.rows[0] as ReplayRow | undefined, userId, input);
      if (decided.replayed) {
        await client.query('ROLLBACK');
        return decided;
      }
      const written = (await client.query(`${decided.writeSql}; COMMIT`)) as unknown as QueryResult[];
      const row = written[0].rows[0] as { outbid_user: string | null; version: string };
      const placedAt = new Date(decided.acceptance.decision.bid.placedAt);
      return { replayed: false, written: { acceptance: decided.acceptance, placedAt, version: row.version, outbidUser: row.outbid_user } };
    } catch (error) {
      await client.query('ROLLBACK').catch(broken);
      throw error;
    }
  }

  /** Applies the rules of libs/domain to the locked row; returns the replay or the write to send. */
  private decideOn(row: LockedRow | undefined, replay: ReplayRow | undefined, userId: string, input: PlaceBidInput): Decided {
    if (!row) throw new BiddingError('LOT_NOT_FOUND', 'lot not found');
    const lotId = row.id;
    const key = `${lotId}:${userId}`;
    if (!row.enrolment_id || row.enrolment_status !== 'active' || !row.bidder_code) {
      this.bidderOf.delete(key);
      throw new BiddingError('NOT_ENROLLED', 'you need an active enrolment (deposit paid) in this lot to bid (OJA Art. 17)');
    }
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
    const bidder: Bidder = { enrolmentId: row.enrolment_id, bidderCode: row.bidder_code, priorityRank: row.priority_rank };
    // Priority is confirmed only before bidding starts, so what a read of the live lot says is final; a read
    // before the start could be overturned by a confirmation (found by hand: a purchaser who tried to bid
    // early was then judged a plain bidder by the stale check).
    if (state.status === 'live') {
      if (this.bidderOf.size > 200_000) this.bidderOf.clear();
      this.bidderOf.set(key, bidder);
    }
    // Only a row written 'live' can be known: the one-statement write guards on that status.
    if (row.status === 'live') this.lastKnown.set(lotId, { state, seq: row.seq, version: row.version });
    else this.lastKnown.delete(lotId);
    const decision = decideBid(state, { enrolmentId: bidder.enrolmentId, enrolmentActive: true, priorityRank: bidder.priorityRank, amount: input.amount, now, confirmJump: input.confirmJump ?? false }, this.rules);
    if (!decision.ok) throw new BiddingError(decision.code, decision.message, { ...isoTimes(decision.details ?? {}), ...(decision.article ? { article: decision.article } : {}) });

    const acceptance: Acceptance = { decision, bidder, seq: row.seq + 1, previous: state, startedLot: row.status === 'announced' };
    const { next } = decision;
    const placedAt = new Date(now);
    // One statement: the bid, the lot and the audit entry (the lot row lock serialises the lot's stream).
    const writeSql = execute('fapai_bid_write', [lotId, acceptance.seq, bidder.enrolmentId, bidder.bidderCode, input.amount, bidder.priorityRank, decision.bid.kind, placedAt, new Date(next.endsAt), decision.extended, input.idempotencyKey, next.extensionCount, this.previousLeader(state, bidder), `lot:${lotId}`, userId, this.auditData(acceptance, placedAt)]);
    return { replayed: false, acceptance, writeSql };
  }

  /** The leader this bid displaces (to tell them they were outbid), unless it is the bidder themselves. */
  private previousLeader(state: BiddingState, bidder: Bidder): string | null {
    return state.leader && state.leader.enrolmentId !== bidder.enrolmentId ? state.leader.enrolmentId : null;
  }

  /** The audit entry's data; without `placedAt` when the database adds it (the one-statement write). */
  private auditData({ decision, bidder, seq }: Acceptance, placedAt: Date | null): string {
    return JSON.stringify({
      seq,
      amount: decision.bid.amount,
      bidderCode: bidder.bidderCode,
      priorityRank: bidder.priorityRank,
      kind: decision.bid.kind,
      ...(placedAt ? { placedAt: placedAt.toISOString() } : {}),
      endsAt: new Date(decision.next.endsAt).toISOString(),
      extended: decision.extended,
    });
  }
}
