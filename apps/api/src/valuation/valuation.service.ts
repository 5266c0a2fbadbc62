import { Inject, Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { LotClosed } from '../bidding/bid-placed.event.js';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DataSource, EntityManager } from 'typeorm';
import type { AppraiserWorkItem } from '@fapai/contracts';
import {
  activeValuationStep,
  announcementTime,
  appraisalFeeBasis,
  applyValuationEvent,
  createValuationProcedure,
  dueDeadlines,
  lotteryCommitment,
  nextValuationDeadlineAt,
  onlineInquiryFeeRecipients,
  onlineInquiryResults,
  validityCheck,
  type AppraisalStep,
  type OnlineInquiryStep,
  type PropertyFacts,
  type RulesProfile,
  type ValuationEffect,
  type ValuationEvent,
  type ValuationPartyRole,
  type ValuationState,
} from '@fapai/domain';
import { AuditService } from '../audit/audit.service.js';
import { NotificationsService } from '../notifications/notifications.module.js';
import { CommonError } from '../common/app-error.js';
import type { AuthUser } from '../common/auth.js';
import { dbNow } from '../common/db.js';
import { APP_CONFIG, RULES, type AppConfig } from '../config/env.js';
import { sniffFileType } from '../lots/file-type.js';
import { Valuation, ValuationAssignment, ValuationEventRow, ValuationReport, type AssignmentRole, type ReportFile, type ReportKind } from './valuation.entity.js';
import { ValuationError } from './valuation.errors.js';
import type {
  AgreedAgenciesDto,
  CorrectionDto,
  CreateValuationDto,
  DirectedInquiryDto,
  GrantExtensionDto,
  LotteryCommitDto,
  ObjectionDto,
  ServeDto,
  SubmitReportDto,
} from './valuation.dto.js';
import { isoTimes } from '../common/iso-times.js';
import { openWorkFor, propertyView, queueItemView, reportView, valuationView, type Viewer } from './valuation.views.js';
import { readStoredFile } from '../common/upload.js';

export const MAX_FILES_PER_REPORT = 20;

/** A publication violation added to the lots module's refusal (same shape as the domain's). */
export interface ValuationPublicationViolation {
  code: 'REFERENCE_PRICE_EXPIRED' | 'REFERENCE_PRICE_NOT_DETERMINED';
  field: 'valuationId';
  article: string;
  message: string;
  details: Record<string, unknown>;
}

interface Ctx {
  em: EntityManager;
  v: Valuation;
  viewer: Viewer;
  now: Date;
  apply: (event: ValuationEvent) => Promise<ValuationEffect[]>;
}

const ms = (iso: string | undefined): number | undefined => (iso === undefined ? undefined : Date.parse(iso));

/**
 * The reference-price procedure (RPR 2018). The rules are the domain's `applyValuationEvent`; this service
 * only applies them: it locks the valuation row, brings overdue deadlines up to date, applies the event at
 * the database clock, stores the new state with its projections, appends the event to `valuation_events`
 * and the audit chain, and keeps `valuation_assignments` in step — all in one transaction.
 */
@Injectable()
export class ValuationService {
  private readonly logger = new Logger('Valuation');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
    @Inject(RULES) private readonly rules: RulesProfile,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  // ------------------------------------------------------------------------------------------------
  // Creation and reading

  async create(clerk: AuthUser, dto: CreateValuationDto) {
    const id = randomUUID();
    await this.db.transaction(async (em) => {
      const found = (await em.query('SELECT 1 FROM cases WHERE id = $1 AND court_id = $2', [dto.caseId, clerk.courtId])) as unknown[];
      if (found.length === 0) throw new ValuationError('CASE_NOT_IN_COURT', { field: 'caseId' });
      const now = await dbNow(em);
      const seizedAt = ms(dto.seizedAt) ?? null;
      const initial = createValuationProcedure({ id, caseId: dto.caseId, propertyId: id, seizedAt }, now);
      const p = dto.property;
      const facts: PropertyFacts = {
        title: p.title,
        encumbrances: p.encumbrances,
        occupancy: p.occupancy,
        unpaidTaxesFen: p.unpaidTaxes,
        defects: p.defects,
        hasGovernmentPrice: p.hasGovernmentPrice,
        needsOnSiteSurvey: p.needsOnSiteSurvey,
        appraisalRequiredByLaw: p.appraisalRequiredByLaw,
      };
      const v = em.create(Valuation, { id, caseId: dto.caseId, courtId: clerk.courtId!, property: p.description, createdBy: clerk.id, lotterySeed: null });
      this.project(v, initial);
      await em.save(v);
      await this.logEvent(em, id, 0, 'procedure_created', clerk.id, { id, caseId: dto.caseId, propertyId: id, seizedAt }, now);
      await this.audit.append(em, { stream: `valuation:${id}`, action: 'valuation.created', actorId: clerk.id, data: { caseId: dto.caseId, property: p.description } });
      await this.applyEvent(em, v, { type: 'facts_recorded', facts }, clerk.id, now);
    });
    return this.get(clerk, id);
  }

  async get(user: AuthUser, id: string) {
    const v = await this.db.getRepository(Valuation).findOneBy({ id });
    if (!v) throw new ValuationError('VALUATION_NOT_FOUND');
    const viewer = await this.viewerOf(this.db.manager, user, v);
    const reports = await this.db.getRepository(ValuationReport).find({ where: { valuationId: id }, order: { submittedAt: 'ASC' } });
    return valuationView(v, viewer, reports, this.rules);
  }

  /** The valuations the user may see: the clerk's court, the party's cases, the appraiser's assignments. */
  async list(user: AuthUser, caseId?: string) {
    const params: unknown[] = [];
    const clauses: string[] = [];
    if (user.roles.includes('court_clerk') && user.courtId) {
      params.push(user.courtId);
      clauses.push(`v.court_id = $${params.length}`);
    }
    if (user.roles.includes('party')) {
      params.push(user.id);
      clauses.push(`v.case_id IN (SELECT case_id FROM case_parties WHERE user_id = $${params.length})`);
    }
    if (user.roles.includes('appraiser') && user.agencyId) {
      params.push(user.agencyId);
      clauses.push(`v.id IN (SELECT valuation_id FROM valuation_assignments WHERE agency_id = $${params.length})`);
    }
    if (clauses.length === 0) return [];
    let where = `(${clauses.join(' OR ')})`;
    if (caseId) {
      params.push(caseId);
      where += ` AND v.case_id = $${params.length}`;
    }
    const ids = (await this.db.query(`SELECT v.id FROM valuations v WHERE ${where} ORDER BY v.created_at DESC LIMIT 500`, params)) as { id: string }[];
    if (ids.length === 0) return [];
    const rows = await this.db.getRepository(Valuation).createQueryBuilder('v').where('v.id IN (:...ids)', { ids: ids.map((r) => r.id) }).orderBy('v.created_at', 'DESC').getMany();
    const out = [];
    for (const v of rows) {
      const viewer = await this.viewerOf(this.db.manager, user, v);
      out.push(
        isoTimes({
          id: v.id,
          caseId: v.caseId,
          property: propertyView(v),
          status: v.status,
          method: v.method,
          referencePrice: v.referencePrice,
          validUntil: v.state.result?.validUntil ?? null,
          nextDeadlineAt: v.nextDeadlineAt?.getTime() ?? null,
          viewerRole: viewer.kind,
        }),
      );
    }
    return out;
  }

  /** The applied events, for replay and review (clerk). */
  async events(user: AuthUser, id: string) {
    await this.readable(user, id, ['clerk']);
    const rows = await this.db.getRepository(ValuationEventRow).find({ where: { valuationId: id }, order: { seq: 'ASC' } });
    return rows.map((r) => ({ seq: r.seq, type: r.type, actorId: r.actorId, payload: r.payload, at: r.at.toISOString() }));
  }

  /** The published lottery (RPR Arts. 16, 34): anyone can recompute it with `verifyLottery`. */
  async lottery(id: string) {
    const v = await this.db.getRepository(Valuation).findOneBy({ id });
    const step = v ? [...v.state.steps].reverse().find((s): s is AppraisalStep => s.method === 'appraisal' && s.selection.lottery !== null) : undefined;
    if (!v || !step) throw new ValuationError('VALUATION_NOT_FOUND', undefined, 'no lottery has been committed for this valuation');
    const l = step.selection.lottery!;
    const names = (await this.db.query('SELECT id, name FROM agencies WHERE id = ANY($1::uuid[])', [l.candidates])) as { id: string; name: string }[];
    const nameOf = new Map(names.map((n) => [n.id, n.name]));
    return isoTimes({
      valuationId: v.id,
      stepId: step.id,
      reason: step.selection.lotteryReason,
      subList: l.subList,
      commitment: l.commitment,
      committedAt: l.committedAt,
      candidates: l.candidates.map((c) => ({ id: c, name: nameOf.get(c) ?? null })),
      candidateIds: l.candidates,
      count: this.rules.valuation.appraisalAgencyCount,
      seed: l.seed,
      publicEntropy: l.publicEntropy,
      result: l.result,
      drawnAt: l.drawnAt,
      algorithm:
        'commitment = sha256Hex(seed); candidates sorted by UTF-16 code unit; block i = SHA-256("fapai-lottery-v1\\n" + seed.length + ":" + seed + "\\n" + entropy.length + ":" + entropy + "\\n" + i), eight 32-bit big-endian words per block; partial Fisher–Yates with rejection sampling. Recompute with verifyLottery({ commitment, seed, candidates: candidateIds, result, count, publicEntropy }) from @fapai/domain.',
    });
  }

  /** Work outstanding for the appraiser's organisation, with deadlines (GET /api/appraiser/queue). */
  async queue(user: AuthUser): Promise<AppraiserWorkItem[]> {
    const agencyId = user.agencyId;
    if (!agencyId) return [];
    const rows = (await this.db.query(
      `SELECT DISTINCT v.id FROM valuations v JOIN valuation_assignments a ON a.valuation_id = v.id WHERE a.agency_id = $1 AND (v.status NOT IN ('determined', 'withdrawn') OR (v.state -> 'reissue' ->> 'status') = 'pending')`,
      [agencyId],
    )) as { id: string }[];
    if (rows.length === 0) return [];
    const vals = await this.db.getRepository(Valuation).createQueryBuilder('v').where('v.id IN (:...ids)', { ids: rows.map((r) => r.id) }).getMany();
    const directed = await this.db.getRepository(ValuationAssignment).find({ where: { agencyId, role: 'directed_inquiry', status: 'active' } });
    const items: AppraiserWorkItem[] = [];
    for (const v of vals) {
      const work = openWorkFor(v.state, agencyId);
      const step = activeValuationStep(v.state);
      if (step?.method === 'directed_inquiry' && directed.some((d) => d.valuationId === v.id && d.stepId === step.id)) work.push({ kind: 'directed_result', stepId: step.id, dueAt: step.deadline });
      if (work.length === 0) continue;
      items.push(queueItemView(v, work));
    }
    return items.sort((a, b) => (a.work[0]?.dueAt ?? '').localeCompare(b.work[0]?.dueAt ?? ''));
  }

  // ------------------------------------------------------------------------------------------------
  // Court actions

  recordStance(user: AuthUser, id: string, dto: { party: ValuationPartyRole; refusesNegotiation?: boolean; cannotBeFound?: boolean }) {
    return this.mutate(user, id, ['clerk'], (c) => c.apply({ type: 'party_stance_recorded', party: dto.party, ...(dto.refusesNegotiation !== undefined ? { refusesNegotiation: dto.refusesNegotiation } : {}), ...(dto.cannotBeFound !== undefined ? { cannotBeFound: dto.cannotBeFound } : {}) }));
  }

  recordJointRequest(user: AuthUser, id: string, method: 'directed_inquiry' | 'online_inquiry' | 'appraisal' | null) {
    return this.mutate(user, id, ['clerk'], (c) => c.apply({ type: 'joint_request_recorded', method }));
  }

  openNegotiation(user: AuthUser, id: string, deadline?: string) {
    return this.mutate(user, id, ['clerk'], (c) => c.apply({ type: 'negotiation_opened', actor: user.id, ...(deadline ? { deadline: Date.parse(deadline) } : {}) }));
  }

  /** A party submits its own price; a clerk records a party's price (naming the party). */
  submitNegotiationPrice(user: AuthUser, id: string, dto: { party?: ValuationPartyRole; price: number; validUntil: string }) {
    return this.mutate(user, id, ['clerk', 'party'], (c) => {
      let party = dto.party;
      if (c.viewer.kind === 'party') {
        const sides = c.viewer.sides;
        if (sides.length === 0 || (party && !sides.includes(party))) throw new ValuationError('NOT_A_PARTY', { field: 'party' });
        party = party ?? sides[0];
      }
      if (!party) throw new ValuationError('PARTY_ROLE_REQUIRED', { field: 'party' });
      return c.apply({ type: 'negotiation_price_submitted', party, priceFen: dto.price, validUntil: Date.parse(dto.validUntil) });
    });
  }

  failNegotiation(user: AuthUser, id: string, reason: string) {
    return this.mutate(user, id, ['clerk'], (c) => c.apply({ type: 'negotiation_failed', reason }));
  }

  openDirectedInquiry(user: AuthUser, id: string, dto: DirectedInquiryDto) {
    return this.mutate(user, id, ['clerk'], async (c) => {
      if (dto.agencyId) await this.requireAgency(c.em, dto.agencyId, null, 'agencyId');
      await c.apply({ type: 'directed_inquiry_opened', actor: user.id, body: dto.body, ...(dto.deadline ? { deadline: Date.parse(dto.deadline) } : {}) });
      if (dto.agencyId) await this.assign(c.em, c.v, activeValuationStep(c.v.state)!.id, dto.agencyId, 'directed_inquiry', 1, 'active');
    });
  }

  recordDirectedResult(user: AuthUser, id: string, dto: { price: number; validUntil: string }) {
    return this.mutate(user, id, ['clerk', 'appraiser'], async (c) => {
      const step = await this.requireDirectedProvider(c);
      await c.apply({ type: 'directed_inquiry_result', priceFen: dto.price, validUntil: Date.parse(dto.validUntil) });
      return this.saveReport(c, { stepId: step, kind: 'directed_result', price: dto.price, validUntil: new Date(dto.validUntil) });
    });
  }

  declineDirectedInquiry(user: AuthUser, id: string, reason: string) {
    return this.mutate(user, id, ['clerk', 'appraiser'], async (c) => {
      await this.requireDirectedProvider(c);
      await c.apply({ type: 'directed_inquiry_declined', reason });
    });
  }

  /** RPR Art. 10: sent at once to every active platform on the list. */
  openOnlineInquiry(user: AuthUser, id: string) {
    return this.mutate(user, id, ['clerk'], async (c) => {
      const rows = (await c.em.query(`SELECT id FROM agencies WHERE kind = 'inquiry_platform' AND active ORDER BY name, id`)) as { id: string }[];
      if (rows.length === 0) throw new ValuationError('NO_ACTIVE_PLATFORMS');
      await c.apply({ type: 'online_inquiry_opened', actor: user.id, platformIds: rows.map((r) => r.id) });
    });
  }

  reviewOnlineReports(user: AuthUser, id: string, faultyPlatformIds: string[]) {
    return this.mutate(user, id, ['clerk'], (c) => c.apply({ type: 'online_reports_reviewed', faultyPlatformIds }));
  }

  openAppraisal(user: AuthUser, id: string, dto: { agreementDeadline?: string; bothPartiesAskLottery?: boolean }) {
    return this.mutate(user, id, ['clerk'], (c) =>
      c.apply({ type: 'appraisal_opened', actor: user.id, ...(dto.agreementDeadline ? { agreementDeadline: Date.parse(dto.agreementDeadline) } : {}), ...(dto.bothPartiesAskLottery !== undefined ? { bothPartiesAskLottery: dto.bothPartiesAskLottery } : {}) }),
    );
  }

  recordAgreedAgencies(user: AuthUser, id: string, dto: AgreedAgenciesDto) {
    return this.mutate(user, id, ['clerk'], async (c) => {
      for (const a of dto.agencyIds) await this.requireAgency(c.em, a, 'appraisal_agency', 'agencyIds');
      await c.apply({ type: 'agencies_agreed', agencyIds: dto.agencyIds });
    });
  }

  /**
   * Commit: the platform draws a 256-bit random seed, keeps it secret and publishes only its SHA-256 with
   * the sorted candidates of the sub-list (active appraisal agencies of the field and region).
   */
  commitLottery(user: AuthUser, id: string, dto: LotteryCommitDto) {
    return this.mutate(user, id, ['clerk'], async (c) => {
      const rows = (await c.em.query(
        `SELECT id FROM agencies WHERE kind = 'appraisal_agency' AND active
           AND ($1::text IS NULL OR $1 = ANY(fields)) AND ($2::text IS NULL OR province = $2) AND ($3::text IS NULL OR city = $3)`,
        [dto.field ?? null, dto.province ?? null, dto.city ?? null],
      )) as { id: string }[];
      if (rows.length === 0) throw new ValuationError('NO_LOTTERY_CANDIDATES', { field: dto.field ?? null, province: dto.province ?? null, city: dto.city ?? null });
      const subList = `appraisal_agency;field=${dto.field ?? '*'};province=${dto.province ?? '*'};city=${dto.city ?? '*'}`;
      const seed = randomBytes(32).toString('hex');
      c.v.lotterySeed = seed;
      await c.apply({ type: 'lottery_committed', commitment: lotteryCommitment(seed), candidateIds: rows.map((r) => r.id), subList });
    });
  }

  /** Draw: reveal the seed; the domain checks it against the commitment and ranks the agencies. */
  drawLottery(user: AuthUser, id: string, publicEntropy?: string) {
    return this.mutate(user, id, ['clerk'], async (c) => {
      const step = activeValuationStep(c.v.state);
      const committed = step?.method === 'appraisal' && step.selection.lottery !== null && step.selection.lottery.seed === null;
      if (committed && !c.v.lotterySeed) throw new ValuationError('LOTTERY_SEED_MISSING');
      const seed = c.v.lotterySeed ?? '';
      c.v.lotterySeed = null;
      await c.apply({ type: 'lottery_drawn', seed, ...(publicEntropy !== undefined ? { publicEntropy } : {}) });
    });
  }

  /** RPR Art. 19 ¶2: the court grants an agency's written request (on record, or dated by the clerk). */
  grantAppraisalExtension(user: AuthUser, id: string, dto: GrantExtensionDto) {
    return this.mutate(user, id, ['clerk'], async (c) => {
      const step = activeValuationStep(c.v.state);
      const row = step ? await c.em.findOneBy(ValuationAssignment, { valuationId: id, stepId: step.id, agencyId: dto.agencyId }) : null;
      const requestedAt = dto.requestedAt ? Date.parse(dto.requestedAt) : row?.extensionRequestedAt?.getTime();
      if (requestedAt === undefined) throw new ValuationError('NO_EXTENSION_REQUEST', { field: 'requestedAt' });
      await c.apply({ type: 'appraisal_extension_granted', agencyId: dto.agencyId, requestedAt, extendByMs: dto.extendByMs });
      if (row) await c.em.update(ValuationAssignment, { id: row.id }, { extensionRequestedAt: null });
    });
  }

  reviewAppraisalReport(user: AuthUser, id: string, findings: ('facts_wrong' | 'scope' | 'wrong_agency' | 'licence_mismatch' | 'other')[]) {
    return this.mutate(user, id, ['clerk'], (c) => c.apply({ type: 'appraisal_report_reviewed', findings }));
  }

  /** RPR Art. 21: serve the reports on the parties (default: every party of the case; unreachable ones by public notice). */
  serveReports(user: AuthUser, id: string, dto: ServeDto) {
    return this.mutate(user, id, ['clerk'], async (c) => {
      const parties = (await c.em.query('SELECT id, reachable FROM case_parties WHERE case_id = $1 ORDER BY role, name', [c.v.caseId])) as { id: string; reachable: boolean }[];
      const known = new Set(parties.map((p) => p.id));
      const recipients = dto.recipients
        ? dto.recipients.map((r, i) => {
            if (!known.has(r.partyId)) throw CommonError.badInput(`recipients.${i}.partyId`, 'isCaseParty', 'recipients must be parties of the case');
            return { id: r.partyId, ...(r.servedAt ? { servedAt: Date.parse(r.servedAt) } : {}), ...(r.publicNotice !== undefined ? { publicNotice: r.publicNotice } : {}) };
          })
        : parties.map((p) => ({ id: p.id, publicNotice: !p.reachable }));
      await c.apply({ type: 'reports_served', recipients });
    });
  }

  /** RPR Arts. 22–24: a party objects (or the clerk records a written objection, naming the party). */
  fileObjection(user: AuthUser, id: string, dto: ObjectionDto) {
    return this.mutate(user, id, ['clerk', 'party'], async (c) => {
      let objector = dto.partyId;
      if (c.viewer.kind === 'party') {
        if (objector && !c.viewer.partyIds.includes(objector)) throw new ValuationError('NOT_A_PARTY', { field: 'partyId' });
        objector = objector ?? c.viewer.partyIds[0];
      }
      if (!objector) throw new ValuationError('PARTY_ROLE_REQUIRED', { field: 'partyId' }, 'name the objecting party (partyId)');
      const objectionId = randomUUID();
      await c.apply({ type: 'objection_filed', objectionId, objector, target: dto.target ?? 'report', grounds: dto.grounds, ...(dto.platformIds ? { platformIds: dto.platformIds } : {}) });
      if (dto.statement) await this.audit.append(c.em, { stream: `valuation:${id}`, action: 'valuation.objection_statement', actorId: user.id, data: { objectionId, statement: dto.statement } }, true);
      return { objectionId };
    });
  }

  forwardObjection(user: AuthUser, id: string, objectionId: string) {
    return this.mutate(user, id, ['clerk'], (c) => c.apply({ type: 'objection_forwarded', objectionId }));
  }

  /** RPR Art. 23 ¶1: the agency's written explanation (by its appraiser, or recorded by the clerk). */
  submitExplanation(user: AuthUser, id: string, objectionId: string, note: string) {
    return this.mutate(user, id, ['clerk', 'appraiser'], async (c) => {
      const step = activeValuationStep(c.v.state);
      const current = step?.method === 'appraisal' ? step.commissions[step.commissions.length - 1] : undefined;
      if (c.viewer.kind === 'appraiser' && (!current || current.agencyId !== c.viewer.agencyId || !current.objections.some((o) => o.id === objectionId))) {
        throw new ValuationError('VALUATION_NOT_FOUND', undefined, 'no objection addressed to your organisation');
      }
      await c.apply({ type: 'agency_explanation_submitted', objectionId });
      return this.saveReport(c, { stepId: step!.id, kind: 'explanation', agencyId: current?.agencyId ?? null, note, objectionId });
    });
  }

  respondToExplanation(user: AuthUser, id: string, objectionId: string, satisfied: boolean) {
    return this.mutate(user, id, ['clerk', 'party'], async (c) => {
      if (c.viewer.kind === 'party') {
        const partyIds = c.viewer.partyIds;
        const mine = c.v.state.steps.some((s) => s.method === 'appraisal' && s.commissions.some((k) => k.objections.some((o) => o.id === objectionId && partyIds.includes(o.objector))));
        if (!mine) throw new ValuationError('NOT_A_PARTY', { field: 'objectionId' }, 'only the objector answers the explanation');
      }
      await c.apply({ type: 'objector_responded', objectionId, satisfied });
    });
  }

  recordTechnicalReview(user: AuthUser, id: string, objectionId: string, reportStands: boolean) {
    return this.mutate(user, id, ['clerk'], (c) => c.apply({ type: 'technical_review_concluded', objectionId, reportStands }));
  }

  ruleObjection(user: AuthUser, id: string, objectionId: string, upheld: boolean) {
    return this.mutate(user, id, ['clerk'], (c) => c.apply({ type: 'objection_ruled', objectionId, upheld }));
  }

  postpone(user: AuthUser, id: string, reason: 'enforcement_postponed_or_suspended' | 'materials_inconsistent' | 'other') {
    return this.mutate(user, id, ['clerk'], (c) => c.apply({ type: 'valuation_postponed', reason }));
  }

  resume(user: AuthUser, id: string) {
    return this.mutate(user, id, ['clerk'], (c) => c.apply({ type: 'valuation_resumed' }));
  }

  withdraw(user: AuthUser, id: string, reason: 'application_withdrawn' | 'obligations_performed' | 'title_revoked' | 'parties_agreed_price' | 'parties_agreed_not_to_sell' | 'other') {
    return this.mutate(user, id, ['clerk'], (c) => c.apply({ type: 'valuation_withdrawn', reason }));
  }

  orderReissue(user: AuthUser, id: string) {
    return this.mutate(user, id, ['clerk'], (c) => c.apply({ type: 'reissue_ordered' }));
  }

  recordMaterialsReturned(user: AuthUser, id: string, agencyId: string) {
    return this.mutate(user, id, ['clerk'], (c) => c.apply({ type: 'materials_returned', agencyId }));
  }

  // ------------------------------------------------------------------------------------------------
  // Providers (appraisers of an assigned agency or platform)

  /** A report: online inquiry, appraisal, directed inquiry or re-issue, whichever the organisation owes now. */
  submitReport(user: AuthUser, id: string, dto: SubmitReportDto) {
    return this.mutate(user, id, ['appraiser'], async (c) => {
      const agencyId = (c.viewer as Extract<Viewer, { kind: 'appraiser' }>).agencyId;
      const s = c.v.state;
      const validUntil = Date.parse(dto.validUntil);
      const step = activeValuationStep(s);
      const base = { price: dto.price, method: dto.method, standards: dto.standards ?? '', validUntil: new Date(validUntil), agencyId };
      if (s.reissue?.status === 'pending' && s.reissue.from.includes(agencyId) && !s.reissue.reports.some((r) => r.by === agencyId)) {
        await c.apply({ type: 'reissued_report_submitted', by: agencyId, priceFen: dto.price, validUntil });
        return this.saveReport(c, { ...base, stepId: s.result!.stepId, kind: 'reissue' });
      }
      if (step?.method === 'online_inquiry' && step.platforms.some((p) => p.platformId === agencyId)) {
        const samples = (dto.samples ?? []).map((x) => ({ description: x.description, ...(x.price !== undefined ? { priceFen: x.price } : {}), ...(x.source ? { source: x.source } : {}) }));
        await c.apply({ type: 'online_report_submitted', platformId: agencyId, priceFen: dto.price, method: dto.method, samples, validUntil });
        return this.saveReport(c, { ...base, stepId: step.id, kind: 'online_report', samples });
      }
      if (step?.method === 'appraisal' && step.commissions.some((k) => k.agencyId === agencyId)) {
        await c.apply({ type: 'appraisal_report_submitted', agencyId, priceFen: dto.price, validUntil, method: dto.method, standards: dto.standards ?? '' });
        return this.saveReport(c, { ...base, stepId: step.id, kind: 'appraisal_report' });
      }
      if (step?.method === 'directed_inquiry') {
        await this.requireDirectedProvider(c);
        await c.apply({ type: 'directed_inquiry_result', priceFen: dto.price, validUntil });
        return this.saveReport(c, { ...base, stepId: step.id, kind: 'directed_result' });
      }
      throw new ValuationError('NOTHING_TO_REPORT');
    });
  }

  /** A correction (online, Arts. 12–13) or an appraisal explanation/correction (Arts. 20, 23, 26). */
  submitCorrection(user: AuthUser, id: string, dto: CorrectionDto) {
    return this.mutate(user, id, ['appraiser'], async (c) => {
      const agencyId = (c.viewer as Extract<Viewer, { kind: 'appraiser' }>).agencyId;
      const step = activeValuationStep(c.v.state);
      const validUntil = ms(dto.validUntil);
      if (step?.method === 'online_inquiry' && step.platforms.some((p) => p.platformId === agencyId)) {
        if (dto.price === undefined) throw CommonError.badInput('price', 'required', 'price is required for an online-inquiry correction');
        if (validUntil === undefined) throw CommonError.badInput('validUntil', 'required', 'validUntil is required for an online-inquiry correction');
        await c.apply({ type: 'online_report_corrected', platformId: agencyId, priceFen: dto.price, validUntil });
        return this.saveReport(c, { stepId: step.id, kind: 'online_correction', agencyId, price: dto.price, validUntil: new Date(validUntil), note: dto.note ?? '' });
      }
      if (step?.method === 'appraisal' && step.commissions.some((k) => k.agencyId === agencyId)) {
        await c.apply({ type: 'appraisal_correction_submitted', agencyId, ...(dto.price !== undefined ? { priceFen: dto.price } : {}), ...(validUntil !== undefined ? { validUntil } : {}) });
        return this.saveReport(c, { stepId: step.id, kind: 'appraisal_correction', agencyId, price: dto.price ?? null, validUntil: validUntil !== undefined ? new Date(validUntil) : null, note: dto.note ?? '' });
      }
      throw new ValuationError('NOTHING_TO_REPORT');
    });
  }

  /** Online inquiry: Art. 11 ¶2 request (the domain decides at the deadline); appraisal: Art. 19 ¶2 written request for the court. */
  requestExtension(user: AuthUser, id: string) {
    return this.mutate(user, id, ['appraiser'], async (c) => {
      const agencyId = (c.viewer as Extract<Viewer, { kind: 'appraiser' }>).agencyId;
      const step = activeValuationStep(c.v.state);
      if (step?.method === 'online_inquiry' && step.platforms.some((p) => p.platformId === agencyId)) {
        await c.apply({ type: 'online_extension_requested', platformId: agencyId });
        return;
      }
      const current = step?.method === 'appraisal' ? step.commissions[step.commissions.length - 1] : undefined;
      if (!current || current.agencyId !== agencyId || current.status !== 'commissioned') throw new ValuationError('NOTHING_TO_REPORT');
      if (c.now.getTime() > current.deadline) throw new ValuationError('DEADLINE_PASSED', { article: 'RPR Art. 19 ¶2' }, 'the report deadline has passed');
      await c.em.update(ValuationAssignment, { valuationId: id, stepId: step!.id, agencyId }, { extensionRequestedAt: c.now });
      await this.audit.append(c.em, { stream: `valuation:${id}`, action: 'valuation.appraisal_extension_requested', actorId: user.id, data: { agencyId, stepId: step!.id } }, true);
    });
  }

  /** Report files: checked by content (magic bytes), size and count; stored under UPLOAD_DIR/valuations/<id>/. */
  async addReportFile(user: AuthUser, id: string, reportId: string, file: { originalname: string; buffer: Buffer; size: number }) {
    if (file.size > this.config.uploadMaxBytes) throw new ValuationError('FILE_TOO_LARGE', { field: 'file', maxBytes: this.config.uploadMaxBytes }, `file is larger than the limit of ${this.config.uploadMaxBytes} bytes`);
    const type = sniffFileType(file.buffer);
    if (!type) throw new ValuationError('FILE_TYPE_NOT_ALLOWED', { field: 'file' });
    const entry: ReportFile = { id: randomUUID(), name: file.originalname.slice(0, 200), contentType: type.mime, size: file.size, storedAs: '' };
    entry.storedAs = path.join('valuations', id, `${entry.id}.${type.ext}`);
    await this.db.transaction(async (em) => {
      const v = await this.lock(em, id);
      const viewer = await this.viewerOf(em, user, v);
      const report = await em.getRepository(ValuationReport).createQueryBuilder('r').setLock('pessimistic_write').where('r.id = :reportId AND r.valuation_id = :id', { reportId, id }).getOne();
      if (!report || viewer.kind !== 'appraiser' || report.agencyId !== viewer.agencyId) throw new ValuationError('REPORT_NOT_FOUND');
      if (report.files.length >= MAX_FILES_PER_REPORT) throw new ValuationError('TOO_MANY_FILES', { field: 'file', max: MAX_FILES_PER_REPORT });
      await mkdir(path.join(this.config.uploadDir, 'valuations', id), { recursive: true });
      await writeFile(path.join(this.config.uploadDir, entry.storedAs), file.buffer);
      report.files = [...report.files, entry];
      await em.save(report);
      await this.audit.append(em, { stream: `valuation:${id}`, action: 'valuation.report_file_added', actorId: user.id, data: { reportId, fileId: entry.id, size: entry.size, contentType: entry.contentType } }, true);
    });
    const report = await this.db.getRepository(ValuationReport).findOneByOrFail({ id: reportId });
    return reportView(report, id);
  }

  async readReportFile(user: AuthUser, id: string, reportId: string, fileId: string): Promise<{ file: ReportFile; body: Buffer }> {
    const v = await this.db.getRepository(Valuation).findOneBy({ id });
    if (!v) throw new ValuationError('VALUATION_NOT_FOUND');
    const viewer = await this.viewerOf(this.db.manager, user, v);
    const view = valuationView(v, viewer, await this.db.getRepository(ValuationReport).find({ where: { valuationId: id } }), this.rules);
    const visible = view.reports.find((r) => r.id === reportId);
    if (!visible) throw new ValuationError('REPORT_NOT_FOUND');
    const report = await this.db.getRepository(ValuationReport).findOneByOrFail({ id: reportId });
    const file = report.files.find((f) => f.id === fileId);
    if (!file) throw new ValuationError('FILE_NOT_FOUND');
    const body = await readStoredFile(this.config.uploadDir, file.storedAs);
    if (!body) {
      this.logger.error(`valuation ${id}: the content of report file ${file.id} is missing from ${this.config.uploadDir} (${file.storedAs})`);
      throw new ValuationError('FILE_CONTENT_MISSING', { fileId: file.id });
    }
    return { file, body };
  }

  // ------------------------------------------------------------------------------------------------
  // Fees (RPR Arts. 31–32) and the link to lots (RPR Art. 27)

  async fees(user: AuthUser, id: string, salePrice?: number) {
    await this.readable(user, id, ['clerk']);
    const v = await this.db.getRepository(Valuation).findOneByOrFail({ id });
    let price = salePrice ?? null;
    let lotId: string | null = null;
    if (price === null) {
      const sold = (await this.db.query(`SELECT l.id, r.price FROM lots l JOIN lot_results r ON r.lot_id = l.id WHERE l.valuation_id = $1 AND r.outcome = 'sold' ORDER BY r.closed_at DESC LIMIT 1`, [id])) as { id: string; price: string }[];
      if (sold.length) {
        price = Number(sold[0].price);
        lotId = sold[0].id;
      }
    }
    return { ...this.computeFees(v.state, price), lotId };
  }

  /** Art. 31 fee recipients (and Art. 32 appraisal fee bases) for a lot once it sold; null when it has no valuation. */
  /**
   * RPR Arts. 31–32: when a lot that used this valuation closes, the fee recipients are fixed against the
   * final price (the online-inquiry platform closest to it; the appraisal fee basis) and recorded.
   */
  @OnEvent(LotClosed.topic, { async: true, promisify: true })
  async onLotClosed(e: LotClosed): Promise<void> {
    try {
      const fees = await this.feeRecipientsForLot(e.lotId);
      if (!fees) return;
      const valuation = (await this.db.query('SELECT valuation_id FROM lots WHERE id = $1', [e.lotId])) as { valuation_id: string }[];
      await this.db.transaction((em) => this.audit.append(em, { stream: `valuation:${valuation[0].valuation_id}`, action: 'valuation.fees_fixed', data: { lotId: e.lotId, outcome: e.outcome, price: e.price, fees: fees as unknown as Record<string, unknown> } }));
    } catch (error) {
      this.logger.warn(`fees for lot ${e.lotId}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async feeRecipientsForLot(lotId: string) {
    const rows = (await this.db.query(`SELECT l.valuation_id, r.outcome, r.price FROM lots l LEFT JOIN lot_results r ON r.lot_id = l.id WHERE l.id = $1`, [lotId])) as { valuation_id: string | null; outcome: string | null; price: string | null }[];
    if (rows.length === 0) throw new ValuationError('LOT_NOT_FOUND');
    if (!rows[0].valuation_id) return null;
    const v = await this.db.getRepository(Valuation).findOneBy({ id: rows[0].valuation_id });
    if (!v) return null;
    const price = rows[0].outcome === 'sold' && rows[0].price !== null ? Number(rows[0].price) : null;
    return { ...this.computeFees(v.state, price), lotId };
  }

  private computeFees(state: ValuationState, salePrice: number | null) {
    const online = [...state.steps].reverse().find((s): s is OnlineInquiryStep => s.method === 'online_inquiry');
    const onlineInquiry = online
      ? onlineInquiryFeeRecipients(onlineInquiryResults(online), salePrice, { switchedToAppraisal: online.failure?.switchedToAppraisalArt11_3 === true, withdrawn: online.status === 'withdrawn' })
      : null;
    const appraisal = state.steps
      .filter((s): s is AppraisalStep => s.method === 'appraisal')
      .flatMap((s) =>
        s.commissions.map((c) => {
          const price = c.correction[c.correction.length - 1]?.priceFen ?? c.report?.priceFen ?? 0;
          const reissued = state.reissue?.status === 'done' && state.reissue.method === 'appraisal' && state.reissue.from.includes(c.agencyId);
          const outcome =
            c.status === 'replaced' ? ({ kind: 'replaced' } as const) : s.status === 'withdrawn' ? ({ kind: 'withdrawn' } as const) : salePrice !== null ? ({ kind: 'sold', salePriceFen: salePrice, reissued } as const) : ({ kind: 'unsold', reissued } as const);
          return { agencyId: c.agencyId, stepId: s.id, ...appraisalFeeBasis(price, outcome, this.rules) };
        }),
      );
    return { salePrice, currency: 'CNY', onlineInquiry, appraisal };
  }

  /**
   * For `LotsService.publish`: a lot linked to a valuation takes its reference price from it (same case,
   * determined), and RPR Art. 27 ¶3 must hold for the announcement and the sale.
   */
  async publicationCheck(
    em: EntityManager,
    lot: { caseId: string; valuationId: string | null; announceAt: Date | null; endsAt: Date | null },
    now: Date,
  ): Promise<{ referencePrice: number | null; basis: string | null; violations: ValuationPublicationViolation[] }> {
    if (!lot.valuationId) return { referencePrice: null, basis: null, violations: [] };
    const v = await em.getRepository(Valuation).findOneBy({ id: lot.valuationId, caseId: lot.caseId });
    const result = v?.state.result ?? null;
    if (!v || !result || v.status !== 'determined') {
      return {
        referencePrice: null,
        basis: null,
        violations: [{ code: 'REFERENCE_PRICE_NOT_DETERMINED', field: 'valuationId', article: 'RPR Art. 2', message: 'the valuation of this case has no reference price yet', details: { valuationId: lot.valuationId, status: v?.status ?? null } }],
      };
    }
    const announceAt = announcementTime({ announceAt: lot.announceAt?.getTime() ?? null }, now.getTime());
    const check = validityCheck(result, announceAt, lot.endsAt?.getTime() ?? null, this.rules);
    const violations: ValuationPublicationViolation[] = [];
    if (!check.ok) {
      violations.push({
        code: 'REFERENCE_PRICE_EXPIRED',
        field: 'valuationId',
        article: 'RPR Art. 27',
        message: check.message,
        details: { condition: check.condition, domainArticle: check.article, reissueWithinMs: check.reissueWithinMs, validUntil: new Date(result.validUntil).toISOString(), announceAt: new Date(announceAt).toISOString() },
      });
    }
    return { referencePrice: result.referencePriceFen, basis: `${result.method}:${result.basis}`, violations };
  }

  // ------------------------------------------------------------------------------------------------
  // Deadlines (the background loop)

  /** Applies `deadline_passed` to one due valuation; returns false when none is due. Safe with many instances. */
  async runOneDue(): Promise<boolean> {
    return this.db.transaction(async (em) => {
      const rows = (await em.query(`SELECT id FROM valuations WHERE next_deadline_at <= clock_timestamp() ORDER BY next_deadline_at LIMIT 1 FOR UPDATE SKIP LOCKED`)) as { id: string }[];
      if (rows.length === 0) return false;
      const v = await em.getRepository(Valuation).findOneByOrFail({ id: rows[0].id });
      const now = await dbNow(em);
      if (dueDeadlines(v.state, now, this.rules).length === 0) {
        // Clock skew between the column and the state: re-project so the row leaves the queue.
        this.project(v, v.state);
        if (!v.nextDeadlineAt || v.nextDeadlineAt.getTime() <= now.getTime()) v.nextDeadlineAt = null;
        await em.save(v);
        return true;
      }
      try {
        await this.applyEvent(em, v, { type: 'deadline_passed' }, null, now);
      } catch (error) {
        // A procedure the rules cannot advance must not block the queue: log it and look again in a minute.
        this.logger.error(`valuation ${v.id}: deadline_passed failed: ${error instanceof Error ? error.message : String(error)}`);
        await em.query('UPDATE valuations SET next_deadline_at = $2 WHERE id = $1', [v.id, new Date(now.getTime() + 60_000)]);
      }
      return true;
    });
  }

  async runDue(limit = 50): Promise<number> {
    let n = 0;
    while (n < limit && (await this.runOneDue())) n++;
    return n;
  }

  // ------------------------------------------------------------------------------------------------
  // Internals

  /**
   * The one path for changes: lock the row, check the viewer, bring due deadlines up to date (so the
   * outcome never depends on whether the timer already ran), run `fn` with `apply`, answer with the view.
   */
  private async mutate(user: AuthUser, id: string, allowed: Viewer['kind'][], fn: (c: Ctx) => Promise<unknown> | unknown): Promise<Record<string, unknown>> {
    const extra = await this.db.transaction(async (em) => {
      const v = await this.lock(em, id);
      const viewer = await this.viewerOf(em, user, v);
      if (!allowed.includes(viewer.kind)) throw CommonError.forbidden(`this action is for ${allowed.join(' or ')}`);
      const now = await dbNow(em);
      if (dueDeadlines(v.state, now, this.rules).length > 0) await this.applyEvent(em, v, { type: 'deadline_passed' }, null, now);
      return fn({ em, v, viewer, now, apply: (event) => this.applyEvent(em, v, event, user.id, now) });
    });
    const view = await this.get(user, id);
    if (Array.isArray(extra) || !extra || typeof extra !== 'object') return view;
    // `{ objectionId }` (a new objection) is merged into the view; anything else is a saved report.
    if (Object.keys(extra).length === 1 && 'objectionId' in extra) return { ...view, ...(extra as object) };
    return { valuation: view, report: extra };
  }

  private async applyEvent(em: EntityManager, v: Valuation, event: ValuationEvent, actorId: string | null, now: Date): Promise<ValuationEffect[]> {
    const r = applyValuationEvent(v.state, event, now, this.rules);
    if (!r.ok) throw ValuationError.fromRefusal(r);
    this.project(v, r.state);
    await em.save(v);
    await this.logEvent(em, v.id, r.state.version, event.type, actorId, event, now);
    await this.syncAssignments(em, v);
    await this.audit.append(em, { stream: `valuation:${v.id}`, action: `valuation.${event.type}`, actorId, data: { seq: r.state.version, status: r.state.status, effects: r.effects } as Record<string, unknown> }, true);
    for (const e of r.effects) if (e.type === 'provider_late') this.logger.log(`valuation ${v.id}: ${e.provider} ${e.id} late (${e.article})`);
    await this.notifyEffects(em, v, r.effects);
    return r.effects;
  }

  /**
   * The effects that tell someone to act become in-app notifications in the same transaction: parties are
   * served reports and invited to negotiate (RPR Arts. 4, 21); platforms and agencies get their letters,
   * commissions, corrections and objections (Arts. 10, 17, 20, 23).
   */
  private async notifyEffects(em: EntityManager, v: Valuation, effects: ValuationEffect[]): Promise<void> {
    const parties = async (): Promise<string[]> =>
      ((await em.query(`SELECT user_id FROM case_parties WHERE case_id = $1 AND user_id IS NOT NULL`, [v.caseId])) as { user_id: string }[]).map((r) => r.user_id);
    const staffOf = async (agencyIds: string[]): Promise<string[]> =>
      agencyIds.length === 0 ? [] : ((await em.query(`SELECT id FROM users WHERE agency_id = ANY($1::uuid[])`, [agencyIds])) as { id: string }[]).map((r) => r.id);
    const when = (ms: number): string => new Date(ms).toISOString();
    const send = async (users: string[], kind: string, title: string, body: string): Promise<void> => {
      for (const userId of users) await this.notifications.record(em, { userId, kind, title, body, data: { valuationId: v.id } });
    };
    for (const e of effects) {
      switch (e.type) {
        case 'notify_parties_to_negotiate':
          await send(await parties(), 'valuation.negotiate', '请协商确定财产处置参考价（议价）', `请在 ${when(e.deadline)} 前提交议价结果（《确定参考价规定》第四条）。`);
          break;
        case 'serve_reports':
          await send(await parties(), 'valuation.report_served', '参考价报告已送达', `已向您送达${e.what}报告；如有异议，请于收到之日起五日内书面提出（第二十二、二十三条）。`);
          break;
        case 'reference_price_determined':
          await send(await parties(), 'valuation.determined', '财产处置参考价已确定', `参考价已确定。`);
          break;
        case 'dispatch_online_inquiry':
          await send(await staffOf(e.platformIds), 'valuation.inquiry', '网络询价委托', `请于 ${when(e.deadline)} 前出具网络询价报告（第十一条）。`);
          break;
        case 'commission_agency':
          await send(await staffOf([e.agencyId]), 'valuation.commission', '委托评估', `请于 ${when(e.deadline)} 前出具评估报告（第十九条）。`);
          break;
        case 'order_correction':
        case 'order_reissue':
          await send(await staffOf(e.to), `valuation.${e.type}`, e.type === 'order_correction' ? '报告补正通知' : '报告重新出具通知', `请于 ${when(e.dueAt)} 前办理（${e.article}）。`);
          break;
        case 'forward_objection':
          await send(await staffOf([e.agencyId]), 'valuation.objection', '当事人异议转交', `请于 ${when(e.dueAt)} 前作出书面说明（第二十三条）。`);
          break;
        case 'return_materials':
          await send(await staffOf([e.agencyId]), 'valuation.return_materials', '退回评估材料', `请于 ${when(e.dueAt)} 前退回评估材料（第十九条第三款）。`);
          break;
        default:
          break;
      }
    }
  }

  private async logEvent(em: EntityManager, valuationId: string, seq: number, type: string, actorId: string | null, payload: object, at: Date): Promise<void> {
    await em.query('INSERT INTO valuation_events (valuation_id, seq, type, actor_id, payload, at) VALUES ($1, $2, $3, $4, $5::jsonb, $6)', [valuationId, seq, type, actorId, JSON.stringify(payload), at]);
  }

  /** Projections of the state onto the row (status, method, price, validity, next timer instant). */
  private project(v: Valuation, s: ValuationState): void {
    v.state = s;
    v.status = s.status;
    v.method = activeValuationStep(s)?.method ?? s.result?.method ?? null;
    v.referencePrice = s.result?.referencePriceFen ?? null;
    v.validUntil = s.result ? new Date(s.result.validUntil) : null;
    const next = nextValuationDeadlineAt(s, this.rules);
    v.nextDeadlineAt = next === null ? null : new Date(next);
    v.version = s.version;
  }

  /** Keeps `valuation_assignments` in step with the platforms and agencies the state names. */
  private async syncAssignments(em: EntityManager, v: Valuation): Promise<void> {
    for (const step of v.state.steps) {
      if (step.method === 'online_inquiry') {
        for (const [i, p] of step.platforms.entries()) await this.assign(em, v, step.id, p.platformId, 'online_inquiry', i + 1, step.status === 'active' ? p.status : step.status);
      } else if (step.method === 'appraisal') {
        for (const c of step.commissions) await this.assign(em, v, step.id, c.agencyId, 'appraisal', c.rank, step.status === 'active' || c.status === 'replaced' ? c.status : step.status);
      } else if (step.method === 'directed_inquiry') {
        await em.query(`UPDATE valuation_assignments SET status = $3, updated_at = now() WHERE valuation_id = $1 AND step_id = $2 AND status <> $3`, [v.id, step.id, step.status]);
      }
    }
  }

  private async assign(em: EntityManager, v: Valuation, stepId: string, agencyId: string, role: AssignmentRole, rank: number, status: string): Promise<void> {
    await em.query(
      `INSERT INTO valuation_assignments (case_id, valuation_id, step_id, agency_id, role, rank, status) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (valuation_id, step_id, agency_id) DO UPDATE SET status = EXCLUDED.status, rank = EXCLUDED.rank, updated_at = now()
       WHERE valuation_assignments.status IS DISTINCT FROM EXCLUDED.status OR valuation_assignments.rank IS DISTINCT FROM EXCLUDED.rank`,
      [v.caseId, v.id, stepId, agencyId, role, rank, status],
    );
  }

  private async saveReport(
    c: Ctx,
    r: { stepId: string; kind: ReportKind; agencyId?: string | null; price?: number | null; method?: string; standards?: string; samples?: { description: string; priceFen?: number; source?: string }[]; validUntil?: Date | null; note?: string; objectionId?: string },
  ) {
    const agencyId = r.agencyId !== undefined ? r.agencyId : c.viewer.kind === 'appraiser' ? c.viewer.agencyId : null;
    const saved = await c.em.save(
      c.em.create(ValuationReport, {
        valuationId: c.v.id,
        stepId: r.stepId,
        agencyId,
        kind: r.kind,
        price: r.price ?? null,
        method: r.method ?? '',
        standards: r.standards ?? '',
        samples: r.samples ?? [],
        validUntil: r.validUntil ?? null,
        note: r.note ?? '',
        objectionId: r.objectionId ?? null,
        files: [],
        submittedBy: c.viewer.userId,
        submittedAt: c.now,
      }),
    );
    return reportView(saved, c.v.id);
  }

  /** The directed-inquiry step now running; an appraiser must belong to the agency it was sent to. */
  private async requireDirectedProvider(c: Ctx): Promise<string> {
    const step = activeValuationStep(c.v.state);
    if (c.viewer.kind === 'appraiser') {
      const row = step ? await c.em.findOneBy(ValuationAssignment, { valuationId: c.v.id, stepId: step.id, agencyId: c.viewer.agencyId, role: 'directed_inquiry' }) : null;
      if (!row || step?.method !== 'directed_inquiry') throw new ValuationError('NOTHING_TO_REPORT');
    }
    return step?.id ?? '';
  }

  private async requireAgency(em: EntityManager, id: string, kind: 'appraisal_agency' | 'inquiry_platform' | null, field: string): Promise<void> {
    const rows = (await em.query('SELECT kind FROM agencies WHERE id = $1', [id])) as { kind: string }[];
    if (rows.length === 0 || (kind && rows[0].kind !== kind)) throw new ValuationError('AGENCY_NOT_FOUND', { field, agencyId: id });
  }

  private async lock(em: EntityManager, id: string): Promise<Valuation> {
    const v = await em.getRepository(Valuation).createQueryBuilder('v').setLock('pessimistic_write').where('v.id = :id', { id }).getOne();
    if (!v) throw new ValuationError('VALUATION_NOT_FOUND');
    return v;
  }

  private async readable(user: AuthUser, id: string, kinds: Viewer['kind'][]): Promise<Viewer> {
    const v = await this.db.getRepository(Valuation).findOneBy({ id });
    if (!v) throw new ValuationError('VALUATION_NOT_FOUND');
    const viewer = await this.viewerOf(this.db.manager, user, v);
    if (!kinds.includes(viewer.kind)) throw CommonError.forbidden(`this is for ${kinds.join(' or ')}`);
    return viewer;
  }

  /**
   * Who the user is to this valuation: the clerk of its court, a party of its case, or an appraiser of an
   * agency assigned to it. Anyone else gets 404, so no one learns that another's work exists.
   */
  private async viewerOf(em: EntityManager, user: AuthUser, v: Valuation): Promise<Viewer> {
    if (user.roles.includes('court_clerk') && user.courtId === v.courtId) return { kind: 'clerk', userId: user.id };
    if (user.roles.includes('party')) {
      const rows = (await em.query('SELECT id, role FROM case_parties WHERE case_id = $1 AND user_id = $2 ORDER BY role', [v.caseId, user.id])) as { id: string; role: string }[];
      if (rows.length > 0) {
        const sides = rows.map((r) => r.role).filter((r): r is 'applicant' | 'respondent' => r === 'applicant' || r === 'respondent');
        return { kind: 'party', userId: user.id, partyIds: rows.map((r) => r.id), sides };
      }
    }
    if (user.roles.includes('appraiser') && user.agencyId) {
      const rows = (await em.query('SELECT 1 FROM valuation_assignments WHERE valuation_id = $1 AND agency_id = $2 LIMIT 1', [v.id, user.agencyId])) as unknown[];
      if (rows.length > 0) return { kind: 'appraiser', userId: user.id, agencyId: user.agencyId };
    }
    throw new ValuationError('VALUATION_NOT_FOUND');
  }
}
