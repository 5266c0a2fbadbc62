/**
 * Closing (结束): finalises every lot whose `endsAt` has passed, from its `lot-close` job (closing.jobs.ts)
 * or the safety sweep. Both lock the lot row and check its status, so each lot is closed exactly once
 * whichever instance or path gets there first; correctness never depends on when they run, since bids at
 * or after `endsAt` are already refused in the bid transaction. The outcome is the ranking of libs/domain
 * (OJA Arts. 11, 20, 21): sold to the leader if any valid bid, else unsold (流拍). A lot that ended while
 * no instance ran is closed when one starts, with its true end time. The release of the deposits (OJA
 * Arts. 23, 25) is a job enqueued in the closing transaction; after commit `lot.closed` is published.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { applyLotEvent, closeOutcome, type RulesProfile } from '@fapai/domain';
import { AuditService } from '../audit/audit.service.js';
import { dbNow, returnedRows } from '../common/db.js';
import { JobsService } from '../jobs/jobs.service.js';
import { MetricsService } from '../observability/metrics.service.js';
import { LotClosed } from '../bidding/bid-placed.event.js';
import { RULES } from '../config/env.js';
import { Lot } from '../lots/lot.entity.js';
import { LotStatusChanged } from '../lots/lots.service.js';
import { DEPOSIT_RELEASE, depositReleaseJob } from './closing.queues.js';
import { applyLotState, toLotState } from '../lots/lot.views.js';
import { DepositsService } from '../payments/deposits.service.js';

interface ClosedLot {
  lot: Lot;
  winnerUserId: string | null;
}

@Injectable()
export class ClosingService {
  private readonly logger = new Logger('Closing');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly deposits: DepositsService,
    private readonly audit: AuditService,
    private readonly events: EventEmitter2,
    @Inject(RULES) private readonly rules: RulesProfile,
    private readonly metrics: MetricsService,
    private readonly jobs: JobsService,
  ) {}

  /**
   * The safety sweep: closes up to `limit` due lots that no `lot-close` job closed yet (lots from before the
   * jobs, demo data, a job still waiting for its poll). Rows being closed or bid on are skipped, not awaited.
   */
  async closeDue(limit = 20): Promise<number> {
    const closed = await this.db.transaction(async (em) => {
      const due = await em
        .getRepository(Lot)
        .createQueryBuilder('l')
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .where(`l.status IN ('live', 'announced') AND l.ends_at <= clock_timestamp()`)
        .orderBy('l.ends_at', 'ASC')
        .limit(limit)
        .getMany();
      const out: ClosedLot[] = [];
      for (const lot of due) {
        const c = await this.closeLocked(em, lot);
        if (c) out.push(c);
      }
      return out;
    });
    this.afterClose(closed);
    return closed.length;
  }

  /**
   * The `lot-close` job: closes this lot if its end has passed (waiting for the row lock of a bid in
   * flight). Otherwise answers `movedTo`, the end it has now if it is still running (extended, resumed,
   * a sale-off round opened), so the job can be enqueued again for it; a lot that is not running (closed
   * already, suspended: its resumption enqueues a new job) needs nothing.
   */
  async closeLot(lotId: string): Promise<{ closed: boolean; movedTo: Date | null }> {
    const r = await this.db.transaction(async (em) => {
      const lot = await em.getRepository(Lot).createQueryBuilder('l').setLock('pessimistic_write').where('l.id = :id', { id: lotId }).getOne();
      if (!lot || !['live', 'announced'].includes(lot.status) || !lot.endsAt) return { closed: null, movedTo: null };
      if (lot.endsAt.getTime() > (await dbNow(em)).getTime()) return { closed: null, movedTo: lot.endsAt };
      return { closed: await this.closeLocked(em, lot), movedTo: null };
    });
    if (r.closed) this.afterClose([r.closed]);
    return { closed: r.closed !== null, movedTo: r.movedTo };
  }

  /**
   * Closes a due lot whose row this transaction has locked: the lot, its result, the audit entry, and the
   * `deposit-release` job, all in the one transaction (a crash cannot close a lot and lose its release).
   */
  private async closeLocked(em: EntityManager, lot: Lot): Promise<ClosedLot | null> {
    const now = await dbNow(em);
    const state = { ...toLotState(lot), status: 'live' as const };
    const next = applyLotEvent(state, { type: 'close' }, now.getTime(), this.rules);
    if (!next.ok) {
      this.logger.error(`lot ${lot.id} could not close: ${next.code}`);
      return null;
    }
    const result = closeOutcome({ currentPrice: lot.currentPrice, leader: lot.leaderEnrolmentId ? { enrolmentId: lot.leaderEnrolmentId, priorityRank: lot.leaderPriorityRank, placedAt: lot.leaderPlacedAt?.getTime() ?? 0 } : null });
    applyLotState(lot, next.lot);
    lot.closedAt = now;
    await em.save(lot);
    const sold = result.outcome === 'sold';
    await em.query(
      `INSERT INTO lot_results (lot_id, outcome, price, winner_enrolment_id, bidder_code, bid_count, ended_at, closed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [lot.id, result.outcome, sold ? result.price : null, sold ? lot.leaderEnrolmentId : null, sold ? lot.leaderCode : null, lot.bidCount, lot.endsAt, lot.closedAt],
    );
    await this.audit.append(em, { stream: `lot:${lot.id}`, action: 'lot.closed', data: { outcome: result.outcome, price: sold ? result.price : null, bidderCode: sold ? lot.leaderCode : null, endedAt: lot.endsAt, closedAt: lot.closedAt, bidCount: lot.bidCount } }, true);
    await this.jobs.send(depositReleaseJob(lot.id, sold ? lot.leaderEnrolmentId : null), em);
    const winner = sold ? ((await em.query('SELECT user_id FROM enrolments WHERE id = $1', [lot.leaderEnrolmentId])) as { user_id: string }[])[0]?.user_id ?? null : null;
    return { lot, winnerUserId: winner };
  }

  /** After commit: the closer lag, `lot.closed` to watchers and the other modules, and the release job started now. */
  private afterClose(closed: ClosedLot[]): void {
    for (const { lot, winnerUserId } of closed) {
      if (lot.closedAt && lot.endsAt) this.metrics.closerLag.observe(Math.max(0, lot.closedAt.getTime() - lot.endsAt.getTime()) / 1000);
      const sold = lot.status === 'sold';
      this.events.emit(LotClosed.topic, new LotClosed(lot.id, sold ? 'sold' : 'unsold', sold ? lot.currentPrice : null, sold ? lot.leaderCode : null, winnerUserId));
    }
    if (closed.length > 0) this.jobs.nudge(DEPOSIT_RELEASE);
  }

  /**
   * Deposits still held on lots that are over (a crash between the close and the settlement, or a
   * withdrawal): settles them. Idempotent.
   */
  async sweepDeposits(): Promise<number> {
    const rows = (await this.db.query(
      `SELECT DISTINCT d.lot_id, l.status, r.winner_enrolment_id FROM deposits d JOIN lots l ON l.id = d.lot_id LEFT JOIN lot_results r ON r.lot_id = l.id
       WHERE d.status = 'secured' AND l.status IN ('sold', 'unsold', 'withdrawn') LIMIT 50`,
    )) as { lot_id: string; status: string; winner_enrolment_id: string | null }[];
    for (const r of rows) await this.deposits.settleAfterClose(r.lot_id, r.status === 'sold' ? r.winner_enrolment_id : null).catch(() => undefined);
    return rows.length;
  }

  /** Announced lots whose start has passed are live in every read already; this writes it and tells watchers. */
  async markStarted(): Promise<number> {
    const rows = (await this.db.query(`UPDATE lots SET status = 'live', updated_at = now() WHERE status = 'announced' AND starts_at <= clock_timestamp() RETURNING id, ends_at`));
    const list = returnedRows<{ id: string; ends_at: Date }>(rows);
    for (const r of list) this.events.emit('lot.status', new LotStatusChanged(r.id, 'live', r.ends_at.toISOString(), null));
    return list.length;
  }
}
