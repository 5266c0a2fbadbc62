/**
 * Enrolment (报名): a verified bidder enrols in an announced or live lot and pays the deposit; the bidder
 * code is issued only once the deposit is secured (the deposits module calls back inside its transaction).
 * Bars: OJA Art. 34 (enforcing court's staff, platform operator, agencies working on the case — matched
 * also through the verified identity, so a second account does not help) and Art. 24 ¶2 (defaulter in
 * the re-auction). The applicant creditor pays only the part of the deposit above its claim (Art. 17 ¶2).
 * Identities stay hidden until the lot ends (Art. 18 ¶2): nothing here returns another bidder's identity.
 */
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { RULES } from '../config/env.js';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { depositDue, effectiveStatus, type RulesProfile } from '@fapai/domain';
import { AuditService } from '../audit/audit.service.js';
import type { AuthUser } from '../common/auth.js';
import { dbNow, isUniqueViolation, returnedRows } from '../common/db.js';
import { lotCloseJob } from '../closing/closing.queues.js';
import { JobsService } from '../jobs/jobs.service.js';
import { Lot } from '../lots/lot.entity.js';
import { toLotState } from '../lots/lot.views.js';
import type { Deposit } from '../payments/deposit.entity.js';
import { DepositsService, type DepositView } from '../payments/deposits.service.js';
import { newBidderCode, priorityCode } from './bidder-code.js';
import { Enrolment } from './enrolment.entity.js';
import { EnrolmentError } from './enrolment.errors.js';
import type { EnrolDto } from './enrolment.dto.js';

export interface EnrolmentView {
  id: string;
  lotId: string;
  status: Enrolment['status'];
  bidderCode: string | null;
  priorityRank: number | null;
  priorityClaim: string | null;
  applicantCreditor: boolean;
  depositDue: number;
  deposit: DepositView | null;
}

@Injectable()
export class EnrolmentService implements OnModuleInit {

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly deposits: DepositsService,
    private readonly audit: AuditService,
    @Inject(RULES) private readonly rules: RulesProfile,
    private readonly jobs: JobsService,
  ) {}

  onModuleInit(): void {
    this.deposits.onSecured((em, deposit) => this.activate(em, deposit.enrolmentId, deposit));
  }

  async enrol(user: AuthUser, lotId: string, dto: EnrolDto): Promise<EnrolmentView> {
    const prepared = await this.db.transaction(async (em) => {
      const lot = await em.findOneBy(Lot, { id: lotId });
      if (!lot || lot.status === 'draft') throw new EnrolmentError('LOT_NOT_OPEN_FOR_ENROLMENT', { lotId });
      const now = await dbNow(em);
      const status = effectiveStatus(toLotState(lot), now.getTime());
      if (!(status === 'announced' || status === 'live') || !lot.endsAt || lot.endsAt <= now) throw new EnrolmentError('LOT_NOT_OPEN_FOR_ENROLMENT', { status });
      await this.checkEligibility(em, user.id, lot);
      if (dto.priorityClaim !== undefined && !lot.priorityHolders.some((h) => h.name === dto.priorityClaim)) throw new EnrolmentError('PRIORITY_CLAIM_UNKNOWN_HOLDER', { field: 'priorityClaim' });

      let enrolment = await em.getRepository(Enrolment).createQueryBuilder('e').setLock('pessimistic_write').where('e.lot_id = :lotId AND e.user_id = :userId', { lotId, userId: user.id }).getOne();
      if (enrolment?.status === 'active') throw new EnrolmentError('ALREADY_ENROLLED', { enrolmentId: enrolment.id, bidderCode: enrolment.bidderCode });
      if (!enrolment) {
        const claim = await this.applicantClaim(em, user.id, lot.caseId);
        // A sale-off (变卖) is entered by prepaying the full price (PRACTICE, rulebook §6.3), not a deposit.
        const due = depositDue(lot.round === 'sale_off' ? (lot.startingPrice ?? 0) : (lot.deposit ?? 0), claim);
        enrolment = await em.save(
          em.create(Enrolment, { lotId, userId: user.id, status: 'pending_deposit', bidderCode: null, priorityClaim: dto.priorityClaim ?? null, priorityRank: null, applicantCreditor: claim !== null, depositDue: due }),
        );
        await this.audit.append(em, { stream: `enrolment:${enrolment.id}`, action: 'enrolment.created', actorId: user.id, data: { lotId, depositDue: due, applicantCreditor: claim !== null } });
        if (due === 0) {
          const waived = await this.deposits.waive(em, { enrolmentId: enrolment.id, lotId });
          await this.activate(em, enrolment.id, waived);
        }
      }
      return { enrolment, endsAt: lot.endsAt };
    }).catch((error: unknown) => {
      if (isUniqueViolation(error, 'enrolments_lot_user_key')) throw new EnrolmentError('ALREADY_ENROLLED');
      throw error;
    });
    if (prepared.enrolment.depositDue > 0) {
      await this.deposits.start({ enrolmentId: prepared.enrolment.id, lotId, bidderId: user.id, amount: prepared.enrolment.depositDue, lotEndsAt: prepared.endsAt, paymentMethod: dto.paymentMethod });
    }
    return this.mine(user, lotId);
  }

  /** OJA Art. 34 and Art. 24 ¶2, also through any other account with the same verified identity. */
  private async checkEligibility(em: EntityManager, userId: string, lot: Lot): Promise<void> {
    const me = (await em.query('SELECT identity_verified_at, id_number_hash FROM users WHERE id = $1', [userId])) as { identity_verified_at: Date | null; id_number_hash: string | null }[];
    if (!me[0]?.identity_verified_at) throw new EnrolmentError('IDENTITY_NOT_VERIFIED');
    const people = (await em.query(`SELECT roles, court_id, agency_id FROM users WHERE id = $1 OR (id_number_hash IS NOT NULL AND id_number_hash = $2)`, [userId, me[0].id_number_hash])) as {
      roles: string[];
      court_id: string | null;
      agency_id: string | null;
    }[];
    const agencies = await this.agenciesOnCase(em, lot.caseId);
    for (const p of people) {
      if (p.roles.includes('admin')) throw new EnrolmentError('BARRED_OPERATOR');
      if (p.roles.includes('court_clerk') && p.court_id === lot.courtId) throw new EnrolmentError('BARRED_COURT_STAFF');
      if (p.roles.includes('appraiser') && p.agency_id && agencies.includes(p.agency_id)) throw new EnrolmentError('BARRED_AUXILIARY_AGENCY');
    }
    // OJA Art. 24 ¶2: a buyer who defaulted on an earlier round of this property may not bid again.
    const defaulted = (await em.query(
      `WITH RECURSIVE chain AS (SELECT id, previous_lot_id FROM lots WHERE id = $1 UNION ALL SELECT l.id, l.previous_lot_id FROM lots l JOIN chain c ON l.id = c.previous_lot_id)
       SELECT 1 FROM chain c JOIN lots l ON l.id = c.id JOIN enrolments e ON e.id = l.leader_enrolment_id JOIN users u ON u.id = e.user_id
       WHERE l.status = 'defaulted' AND (u.id = $2 OR (u.id_number_hash IS NOT NULL AND u.id_number_hash = $3)) LIMIT 1`,
      [lot.id, userId, me[0].id_number_hash],
    )) as unknown[];
    if (defaulted.length > 0) throw new EnrolmentError('BARRED_DEFAULTER');
  }

  /** Agencies and inquiry platforms commissioned on the case (OJA Art. 34 (3)); filled by the valuation module. */
  private async agenciesOnCase(em: EntityManager, caseId: string): Promise<string[]> {
    const exists = (await em.query(`SELECT to_regclass('valuation_assignments') IS NOT NULL AS ok`)) as { ok: boolean }[];
    if (!exists[0]?.ok) return [];
    const rows = (await em.query(`SELECT DISTINCT agency_id FROM valuation_assignments WHERE case_id = $1`, [caseId])) as { agency_id: string }[];
    return rows.map((r) => r.agency_id);
  }

  /** The applicant creditor (申请执行人) of the case, linked to this account: its recorded claim, or null. */
  private async applicantClaim(em: EntityManager, userId: string, caseId: string): Promise<number | null> {
    const rows = (await em.query(`SELECT coalesce(c.applicant_claim, 0) AS claim FROM case_parties p JOIN cases c ON c.id = p.case_id WHERE p.case_id = $1 AND p.user_id = $2 AND p.role = 'applicant'`, [caseId, userId])) as {
      claim: string;
    }[];
    return rows.length ? Number(rows[0].claim) : null;
  }

  /** Inside the transaction that secured the deposit: the enrolment becomes active and gets its code. */
  private async activate(em: EntityManager, enrolmentId: string, deposit: Deposit): Promise<void> {
    const enrolment = await em.getRepository(Enrolment).createQueryBuilder('e').setLock('pessimistic_write').where('e.id = :id', { id: enrolmentId }).getOne();
    if (!enrolment || enrolment.status !== 'pending_deposit') return;
    let code = newBidderCode();
    for (let i = 0; i < 5; i++) {
      const taken = (await em.query('SELECT 1 FROM enrolments WHERE lot_id = $1 AND bidder_code = $2', [enrolment.lotId, code])) as unknown[];
      if (taken.length === 0) break;
      code = newBidderCode();
    }
    enrolment.status = 'active';
    // The court may have confirmed the priority claim before the deposit was secured: the code carries the rank.
    enrolment.bidderCode = enrolment.priorityRank !== null ? priorityCode(enrolment.priorityRank, code) : code;
    enrolment.activatedAt = new Date();
    await em.save(enrolment);
    await em.query('UPDATE lots SET enrolled_count = enrolled_count + 1 WHERE id = $1', [enrolment.lotId]);
    // Sale-off: the first entry opens a bidding round of `saleOff.roundMs` (24 h) within the period (PRACTICE, §6.3).
    const round = await em.query(
      `UPDATE lots SET ends_at = LEAST(ends_at, clock_timestamp() + make_interval(secs => $2::double precision / 1000)), updated_at = now()
       WHERE id = $1 AND round = 'sale_off' AND bid_count = 0 AND enrolled_count = 1 RETURNING ends_at`,
      [enrolment.lotId, this.rules.saleOff.roundMs],
    );
    // The round may end before the sale-off period: its close is enqueued for the new end, with the entry.
    for (const r of returnedRows<{ ends_at: Date }>(round)) await this.jobs.send(lotCloseJob(enrolment.lotId, r.ends_at), em);
    await this.audit.append(em, { stream: `enrolment:${enrolment.id}`, action: 'enrolment.activated', actorId: enrolment.userId, data: { lotId: enrolment.lotId, bidderCode: code, depositMode: deposit.mode, deposit: deposit.amount } });
  }

  async mine(user: AuthUser, lotId: string): Promise<EnrolmentView> {
    const enrolment = await this.db.getRepository(Enrolment).findOneBy({ lotId, userId: user.id });
    if (!enrolment) throw new EnrolmentError('NOT_ENROLLED');
    return this.view(enrolment);
  }

  /** Every lot the bidder enrolled in, with the deposit's state ("my lots"). */
  async mineAll(user: AuthUser): Promise<EnrolmentView[]> {
    const list = await this.db.getRepository(Enrolment).find({ where: { userId: user.id }, order: { createdAt: 'DESC' }, take: 200 });
    return Promise.all(list.map((e) => this.view(e)));
  }

  private async view(e: Enrolment): Promise<EnrolmentView> {
    return {
      id: e.id,
      lotId: e.lotId,
      status: e.status,
      bidderCode: e.bidderCode,
      priorityRank: e.priorityRank,
      priorityClaim: e.priorityClaim,
      applicantCreditor: e.applicantCreditor,
      depositDue: e.depositDue,
      deposit: await this.deposits.view(e.id),
    };
  }

  /**
   * For the bidding use case (hot path): one indexed read, cached briefly once active. An active enrolment
   * never becomes inactive, and its code and rank change only before bidding starts (priority
   * confirmation, which clears this instance's entry); the short life bounds staleness across instances.
   */
  /** Priority claims awaiting the clerk (the claimed holder name only: no identity before the end). */
  async priorityClaims(clerk: AuthUser, lotId: string): Promise<{ enrolmentId: string; priorityClaim: string; priorityRank: number | null; status: string }[]> {
    await this.ownLot(clerk, lotId);
    const rows = await this.db.getRepository(Enrolment).find({ where: { lotId }, order: { createdAt: 'ASC' } });
    return rows.filter((e) => e.priorityClaim).map((e) => ({ enrolmentId: e.id, priorityClaim: e.priorityClaim!, priorityRank: e.priorityRank, status: e.status }));
  }

  /** The clerk confirms a priority purchaser and its rank before bidding starts (OJA Art. 19, Art. 27). */
  async confirmPriority(clerk: AuthUser, lotId: string, enrolmentId: string, rank: number): Promise<{ enrolmentId: string; priorityRank: number; bidderCode: string | null }> {
    return this.db.transaction(async (em) => {
      const lot = await em.getRepository(Lot).createQueryBuilder('l').setLock('pessimistic_write').where('l.id = :id AND l.court_id = :court', { id: lotId, court: clerk.courtId }).getOne();
      if (!lot) throw new EnrolmentError('ENROLMENT_NOT_FOUND');
      const now = await dbNow(em);
      if (effectiveStatus(toLotState(lot), now.getTime()) !== 'announced') throw new EnrolmentError('PRIORITY_CONFIRMATION_TOO_LATE');
      const enrolment = await em.findOneBy(Enrolment, { id: enrolmentId, lotId });
      if (!enrolment?.priorityClaim) throw new EnrolmentError('ENROLMENT_NOT_FOUND');
      enrolment.priorityRank = rank;
      if (enrolment.bidderCode) enrolment.bidderCode = priorityCode(rank, enrolment.bidderCode);
      await em.save(enrolment);
      await this.audit.append(em, { stream: `lot:${lotId}`, action: 'lot.priority_purchaser_confirmed', actorId: clerk.id, data: { enrolmentId, rank } }, true);
      return { enrolmentId, priorityRank: rank, bidderCode: enrolment.bidderCode };
    });
  }

  /**
   * The identities behind the codes, for the court, only after the lot has ended (OJA Art. 18 ¶2; Art. 8
   * forbids monitoring bidders while bidding runs).
   */
  async identitiesAfterEnd(clerk: AuthUser, lotId: string): Promise<{ bidderCode: string | null; realName: string | null; idNumberMasked: string | null; status: string }[]> {
    const lot = await this.ownLot(clerk, lotId);
    if (!['sold', 'unsold', 'defaulted', 'transferred', 'set_aside'].includes(lot.status)) throw new EnrolmentError('LOT_NOT_OPEN_FOR_ENROLMENT', { reason: 'identities are disclosed to the court only after the lot ends' });
    const rows = (await this.db.query(
      `SELECT e.bidder_code, u.real_name, u.id_number_masked, e.status FROM enrolments e JOIN users u ON u.id = e.user_id WHERE e.lot_id = $1 ORDER BY e.created_at`,
      [lotId],
    )) as { bidder_code: string | null; real_name: string | null; id_number_masked: string | null; status: string }[];
    return rows.map((r) => ({ bidderCode: r.bidder_code, realName: r.real_name, idNumberMasked: r.id_number_masked, status: r.status }));
  }

  private async ownLot(clerk: AuthUser, lotId: string): Promise<Lot> {
    const lot = await this.db.getRepository(Lot).findOneBy({ id: lotId, courtId: clerk.courtId! });
    if (!lot) throw new EnrolmentError('ENROLMENT_NOT_FOUND');
    return lot;
  }
}
