/**
 * Closing (结束): finalises every lot whose `endsAt` has passed. `FOR UPDATE SKIP LOCKED` lets any number
 * of instances run it at once and each lot is closed exactly once; correctness never depends on when it
 * runs, since bids at or after `endsAt` are already refused in the bid transaction. The outcome is the
 * ranking of libs/domain (OJA Arts. 11, 20, 21): sold to the leader if any valid bid, else unsold (流拍).
 * A lot that ended while no instance ran is closed on the next pass, with its true end time.
 * After commit: `lot.closed` is published and the deposits are settled (OJA Arts. 23, 25).
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { applyLotEvent, closeOutcome, type RulesProfile } from '@fapai/domain';
import { AuditService } from '../audit/audit.service.js';
import { returnedRows } from '../common/db.js';
import { MetricsService } from '../observability/metrics.service.js';
import { LotClosed } from '../bidding/bid-placed.event.js';
import { RULES } from '../config/env.js';
import { Lot } from '../lots/lot.entity.js';
import { LotStatusChanged } from '../lots/lots.service.js';
import { applyLotState, toLotState } from '../lots/lot.views.js';
import { DepositsService } from '../payments/deposits.service.js';

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
  ) {}

  /** Closes up to `limit` due lots; returns how many it closed. */
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
      const out: { lot: Lot; winnerUserId: string | null }[] = [];
      for (const lot of due) {
        const now = (await em.query('SELECT clock_timestamp() AS now')) as { now: Date }[];
        const state = { ...toLotState(lot), status: 'live' as const };
        const next = applyLotEvent(state, { type: 'close' }, now[0].now.getTime(), this.rules);
        if (!next.ok) {
          this.logger.error(`lot ${lot.id} could not close: ${next.code}`);
          continue;
        }
        const result = closeOutcome({ currentPrice: lot.currentPrice, leader: lot.leaderEnrolmentId ? { enrolmentId: lot.leaderEnrolmentId, priorityRank: lot.leaderPriorityRank, placedAt: lot.leaderPlacedAt?.getTime() ?? 0 } : null });
        applyLotState(lot, next.lot);
        lot.closedAt = now[0].now;
        await em.save(lot);
        const sold = result.outcome === 'sold';
        await em.query(
          `INSERT INTO lot_results (lot_id, outcome, price, winner_enrolment_id, bidder_code, bid_count, ended_at, closed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [lot.id, result.outcome, sold ? result.price : null, sold ? lot.leaderEnrolmentId : null, sold ? lot.leaderCode : null, lot.bidCount, lot.endsAt, lot.closedAt],
        );
        await this.audit.append(em, { stream: `lot:${lot.id}`, action: 'lot.closed', data: { outcome: result.outcome, price: sold ? result.price : null, bidderCode: sold ? lot.leaderCode : null, endedAt: lot.endsAt, closedAt: lot.closedAt, bidCount: lot.bidCount } }, true);
        const winner = sold ? ((await em.query('SELECT user_id FROM enrolments WHERE id = $1', [lot.leaderEnrolmentId])) as { user_id: string }[])[0]?.user_id ?? null : null;
        out.push({ lot, winnerUserId: winner });
      }
      return out;
    });
    for (const { lot, winnerUserId } of closed) {
      if (lot.closedAt && lot.endsAt) this.metrics.closerLag.observe(Math.max(0, lot.closedAt.getTime() - lot.endsAt.getTime()) / 1000);
      const sold = lot.status === 'sold';
      this.events.emit(LotClosed.topic, new LotClosed(lot.id, sold ? 'sold' : 'unsold', sold ? lot.currentPrice : null, sold ? lot.leaderCode : null, winnerUserId));
      await this.deposits.settleAfterClose(lot.id, sold ? lot.leaderEnrolmentId : null).catch((error: unknown) => this.logger.warn(`deposits of ${lot.id} left to the sweeper: ${String(error)}`));
    }
    return closed.length;
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

  /** A withdrawn lot returns every deposit at once (the sweep would also catch it). */
  @OnEvent('lot.status', { async: true, promisify: true })
  async onStatus(e: LotStatusChanged): Promise<void> {
    if (e.status === 'withdrawn') await this.deposits.releaseAll(e.lotId).catch((error: unknown) => this.logger.warn(`release on withdrawal of ${e.lotId}: ${String(error)}`));
  }

  /** Announced lots whose start has passed are live in every read already; this writes it and tells watchers. */
  async markStarted(): Promise<number> {
    const rows = (await this.db.query(`UPDATE lots SET status = 'live', updated_at = now() WHERE status = 'announced' AND starts_at <= clock_timestamp() RETURNING id, ends_at`));
    const list = returnedRows<{ id: string; ends_at: Date }>(rows);
    for (const r of list) this.events.emit('lot.status', new LotStatusChanged(r.id, 'live', r.ends_at.toISOString(), null));
    return list.length;
  }
}
