/**
 * The valuation state machine: `applyValuationEvent(state, event, now, profile)` is the only way the
 * procedure changes, and `dueDeadlines` tells a timer what the law makes happen when a period runs out.
 *
 * Conventions:
 * - Periods are measured in milliseconds from the act that starts them (profile `valuation`); an act at
 *   exactly the deadline is on time, and a deadline is due from the next millisecond on.
 * - The state is never mutated: every event works on a JSON copy, so a refusal leaves nothing behind and
 *   the result stays JSON-serialisable for the jsonb column.
 */
import type { RulesProfile } from '../rules-profile.js';
import { valuationRefusal, type ValuationRefusal, type ValuationRefusalCode } from './codes.js';
import type { ValuationReminderKind, ValuationEffect, ValuationEvent } from './events.js';
import { canonicalCandidates, drawAgencies, isCommitment, lotteryCommitment } from './lottery.js';
import {
  ART22_GROUNDS,
  ART23_GROUNDS,
  type AgencyCommission,
  type AppraisalStep,
  type DirectedInquiryStep,
  type NegotiationStep,
  type Objection,
  type ObjectionGround,
  type OnlineInquiryStep,
  type PartyStance,
  type PlatformEntry,
  type PropertyFacts,
  type ReferencePriceResult,
  type ReissueRecord,
  type ReportService,
  type ValuationMethod,
  type ValuationState,
  type ValuationStatus,
  type ValuationStep,
  type WithdrawalReason,
} from './model.js';
import { meanHalfUpFen, onlineInquiryReferencePrice, type AveragingReport } from './online-inquiry.js';
import { allowedMethods, checkMethod } from './order.js';
import { toMs, type Instant } from './time.js';
import { checkSubmittedValidity } from './validity.js';

export type ValuationApplyResult = { ok: true; state: ValuationState; effects: ValuationEffect[] } | ValuationRefusal;

/** Deadlines with a legal consequence, applied by `deadline_passed`. */
export type ValuationDeadlineKind =
  | 'negotiation' // Art. 4: no matching prices by the court's deadline → negotiation failed
  | 'directed_inquiry' // Art. 6: no result within the letter's deadline → failed
  | 'online_report' // Art. 11 ¶1–3: late platforms; extension or appraisal
  | 'online_correction' // Arts. 12, 13 ¶2: uncorrected reports drop out
  | 'objection_window' // Arts. 22–23: the 5-day windows are all closed
  | 'agency_agreement' // Art. 16: no agreement → lottery
  | 'appraisal_report' // Art. 19 ¶3: late → materials back, next agency
  | 'appraisal_correction' // Arts. 19 ¶3, 20: explanation/correction late → next agency
  | 'agency_explanation' // Art. 23 ¶1: no explanation in 5 days → technical review
  | 'reissue' // Arts. 11 ¶4, 19 ¶4: the re-issue period is over
  | ValuationReminderKind; // duties with no automatic consequence: raised once as an `overdue` effect

export interface ValuationDeadline {
  kind: ValuationDeadlineKind;
  /** The deadline itself; due once `now > at`. */
  at: number;
  stepId: string | null;
  /** The platform, agency, objection or reminder key concerned. */
  ref: string;
  article: string;
}

const REFUSAL = Symbol('refusal');
type Refused = { [REFUSAL]: ValuationRefusal };

interface Ctx {
  s: ValuationState;
  t: number;
  profile: RulesProfile;
  effects: ValuationEffect[];
}

// ---------------------------------------------------------------------------------------------------
// Creation and queries

/** A new procedure for one property; `seizedAt` lets the Art. 1 reminder (start within 30 days) run. */
export function createValuationProcedure(
  input: { id: string; caseId: string; propertyId: string; seizedAt?: number | null; facts?: PropertyFacts | null },
  now: Instant,
): ValuationState {
  const party = (): PartyStance => ({ refusesNegotiation: false, cannotBeFound: false });
  return {
    id: input.id,
    caseId: input.caseId,
    propertyId: input.propertyId,
    status: 'open',
    createdAt: toMs(now),
    seizedAt: input.seizedAt ?? null,
    facts: input.facts ?? null,
    stances: { applicant: party(), respondent: party(), jointRequest: null },
    steps: [],
    result: null,
    previousResults: [],
    reissue: null,
    postponedAt: null,
    postponements: [],
    withdrawal: null,
    remindersSent: [],
    version: 0,
  };
}

/** The running step, if any. */
export function activeValuationStep(state: ValuationState): ValuationStep | undefined {
  return state.steps.find((s) => s.status === 'active');
}

/**
 * Every platform that issued a result in an online-inquiry step (its correction if corrected): the
 * candidates for the Art. 31 fee, to pass to `onlineInquiryFeeRecipients`.
 */
export function onlineInquiryResults(step: OnlineInquiryStep): { platformId: string; priceFen: number }[] {
  return step.platforms
    .filter((p) => p.report && (step.service ? step.service.reportIds.includes(p.platformId) : p.status === 'delivered' || p.status === 'corrected'))
    .map((p) => ({ platformId: p.platformId, priceFen: p.correction?.priceFen ?? p.report!.priceFen }));
}

/** All deadlines now running (due or not), oldest first. Empty while postponed (Art. 28, Art. 19 ¶1). */
export function pendingValuationDeadlines(state: ValuationState, profile: RulesProfile): ValuationDeadline[] {
  if (state.withdrawal || state.postponedAt !== null) return [];
  const out: ValuationDeadline[] = [];
  const reminder = (kind: ValuationReminderKind, at: number | null, stepId: string | null, ref: string, article: string) => {
    if (at !== null && !state.remindersSent.includes(ref)) out.push({ kind, at, stepId, ref, article });
  };
  if (state.seizedAt !== null && state.steps.length === 0 && !state.result) {
    reminder('start_procedure', state.seizedAt + profile.valuation.startWithinMsOfSeizure, null, 'start_procedure', 'RPR Art. 1');
  }
  for (const step of state.steps) {
    if (step.method !== 'appraisal') continue;
    for (const c of step.commissions) {
      if (c.materialsReturnDueAt !== null && c.materialsReturnedAt === null) {
        reminder('materials_return', c.materialsReturnDueAt, step.id, `materials_return:${step.id}:${c.agencyId}`, 'RPR Art. 19 ¶3');
      }
    }
  }
  const step = activeValuationStep(state);
  if (step) out.push(...stepDeadlines(step, reminder));
  if (state.reissue?.status === 'pending') {
    out.push({ kind: 'reissue', at: state.reissue.dueAt, stepId: state.result!.stepId, ref: 'reissue', article: state.reissue.method === 'online_inquiry' ? 'RPR Art. 11 ¶4' : 'RPR Art. 19 ¶4' });
  }
  return out.sort((a, b) => a.at - b.at);
}

/** What the law makes happen at `now`: the deadlines already past, oldest first. */
export function dueDeadlines(state: ValuationState, now: Instant, profile: RulesProfile): ValuationDeadline[] {
  const t = toMs(now);
  return pendingValuationDeadlines(state, profile).filter((d) => t > d.at);
}

/** The next instant at which `deadline_passed` will have something to do (for scheduling a timer). */
export function nextValuationDeadlineAt(state: ValuationState, profile: RulesProfile): number | null {
  const first = pendingValuationDeadlines(state, profile)[0];
  return first ? first.at + 1 : null;
}

function stepDeadlines(
  step: ValuationStep,
  reminder: (kind: ValuationReminderKind, at: number | null, stepId: string | null, ref: string, article: string) => void,
): ValuationDeadline[] {
  const out: ValuationDeadline[] = [];
  const add = (kind: ValuationDeadlineKind, at: number | null, ref: string, article: string) => {
    if (at !== null) out.push({ kind, at, stepId: step.id, ref, article });
  };
  switch (step.method) {
    case 'negotiation':
      add('negotiation', step.deadline, step.id, 'RPR Art. 4');
      break;
    case 'directed_inquiry':
      add('directed_inquiry', step.deadline, step.id, 'RPR Art. 6');
      break;
    case 'online_inquiry': {
      if (step.phase === 'reporting' || step.phase === 'extension') {
        const pending = step.platforms.filter((p) => p.status === 'pending');
        if (pending.length) add('online_report', Math.min(...pending.map((p) => p.deadline)), step.id, 'RPR Art. 11');
      }
      const dueCorrections = step.platforms.filter((p) => p.status === 'correction_due' && p.correctionDueAt !== null);
      if (dueCorrections.length) {
        add('online_correction', Math.min(...dueCorrections.map((p) => p.correctionDueAt!)), step.id, step.phase === 'correction' ? 'RPR Art. 12' : 'RPR Art. 13 ¶2');
      }
      if (!step.service && (step.phase === 'review' || step.phase === 'service')) {
        reminder('serve_reports', step.serveDueAt, step.id, `serve_reports:${step.id}`, 'RPR Art. 21');
      }
      if (step.service && !step.service.windowClosed) add('objection_window', step.service.windowClosesAt, step.id, 'RPR Arts. 22, 13');
      break;
    }
    case 'appraisal': {
      if (step.phase === 'selection') add('agency_agreement', step.selection.agreementDeadline, step.id, 'RPR Art. 16');
      const c = current(step);
      if (!c) break;
      if (step.phase === 'commissioned') add('appraisal_report', c.deadline, c.agencyId, 'RPR Art. 19');
      if (c.correctionOrdered) add('appraisal_correction', c.correctionOrdered.dueAt, c.agencyId, c.correctionOrdered.reason === 'review' ? 'RPR Arts. 20, 19 ¶3' : 'RPR Arts. 23, 26, 19 ¶3');
      if (!c.service && (step.phase === 'review' || step.phase === 'service')) {
        reminder('serve_reports', c.serveDueAt, step.id, `serve_reports:${step.id}:${c.agencyId}`, 'RPR Art. 21');
      }
      if (c.service && !c.service.windowClosed) add('objection_window', c.service.windowClosesAt, c.agencyId, 'RPR Arts. 22–23');
      for (const o of c.objections) {
        if (o.status === 'awaiting_forwarding') reminder('forward_objection', o.forwardDueAt, step.id, `forward_objection:${step.id}:${o.id}`, 'RPR Art. 23 ¶1');
        if (o.status === 'awaiting_explanation') add('agency_explanation', o.explanationDueAt, o.id, 'RPR Art. 23 ¶1');
      }
      break;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// The state machine

/**
 * Apply one event at `now` (RPR Arts. 1–32 as laid out in rulebook §7). Returns the new state and the
 * effects for the API, or a coded refusal that names the article and the failed condition.
 */
export function applyValuationEvent(state: ValuationState, event: ValuationEvent, now: Instant, profile: RulesProfile): ValuationApplyResult {
  const ctx: Ctx = { s: JSON.parse(JSON.stringify(state)) as ValuationState, t: toMs(now), profile, effects: [] };
  try {
    dispatch(ctx, event);
  } catch (e) {
    if (typeof e === 'object' && e !== null && REFUSAL in e) return (e as Refused)[REFUSAL];
    throw e;
  }
  // For inquiries and appraisals the step's `deadline` shows the earliest deadline with a consequence.
  const step = activeValuationStep(ctx.s);
  if (step && (step.method === 'online_inquiry' || step.method === 'appraisal')) {
    const running = stepDeadlines(step, () => undefined);
    step.deadline = running.length ? Math.min(...running.map((d) => d.at)) : null;
  }
  ctx.s.status = deriveStatus(ctx.s);
  ctx.s.version += 1;
  return { ok: true, state: ctx.s, effects: ctx.effects };
}

function dispatch(ctx: Ctx, e: ValuationEvent): void {
  const { s } = ctx;
  if (s.withdrawal) fail('PROCEDURE_CLOSED', 'RPR Art. 29', 'the procedure was withdrawn');
  if (e.type === 'objection_filed') return objectionFiled(ctx, e);
  if (e.type === 'materials_returned') return materialsReturned(ctx, e.agencyId);
  if (e.type === 'deadline_passed') return deadlinePassed(ctx);
  if (e.type === 'reissue_ordered') return reissueOrdered(ctx);
  if (e.type === 'reissued_report_submitted') return reissuedReport(ctx, e);
  if (s.result) fail('PROCEDURE_CLOSED', 'RPR Art. 26', 'the reference price is already determined');
  const whilePostponed: ValuationEvent['type'][] = ['valuation_resumed', 'valuation_withdrawn', 'facts_recorded', 'party_stance_recorded', 'joint_request_recorded'];
  if (s.postponedAt !== null && !whilePostponed.includes(e.type)) fail('PROCEDURE_POSTPONED', 'RPR Art. 28', 'the procedure is postponed');

  switch (e.type) {
    case 'facts_recorded':
      return factsRecorded(ctx, e.facts);
    case 'party_stance_recorded':
      return stanceRecorded(ctx, e);
    case 'joint_request_recorded':
      if (e.method !== null && (s.stances.applicant.cannotBeFound || s.stances.respondent.cannotBeFound)) {
        fail('JOINT_REQUEST_IMPOSSIBLE', 'RPR Arts. 5 ¶2, 7 ¶2, 14', 'a party who cannot be found cannot join a request', 'both_parties_present');
      }
      s.stances.jointRequest = e.method;
      return;
    case 'negotiation_opened':
      return openNegotiation(ctx, e.actor, e.deadline);
    case 'negotiation_price_submitted':
      return negotiationSubmitted(ctx, e);
    case 'negotiation_failed':
      return failStep(ctx, requireStep(ctx, 'negotiation'), `declared_failed: ${e.reason}`, 'RPR Art. 4');
    case 'directed_inquiry_opened':
      return openDirected(ctx, e);
    case 'directed_inquiry_result':
      return directedResult(ctx, e);
    case 'directed_inquiry_declined':
      return failStep(ctx, requireStep(ctx, 'directed_inquiry'), `declined: ${e.reason}`, 'RPR Arts. 6, 7');
    case 'online_inquiry_opened':
      return openOnline(ctx, e);
    case 'online_extension_requested':
      return onlineExtensionRequested(ctx, e.platformId);
    case 'online_report_submitted':
      return onlineReportSubmitted(ctx, e);
    case 'online_reports_reviewed':
      return onlineReviewed(ctx, e.faultyPlatformIds);
    case 'online_report_corrected':
      return onlineCorrected(ctx, e);
    case 'appraisal_opened':
      return openAppraisal(ctx, e);
    case 'agencies_agreed':
      return agenciesAgreed(ctx, e.agencyIds);
    case 'lottery_committed':
      return lotteryCommitted(ctx, e);
    case 'lottery_drawn':
      return lotteryDrawn(ctx, e.seed, e.publicEntropy ?? '');
    case 'appraisal_extension_granted':
      return appraisalExtension(ctx, e);
    case 'appraisal_report_submitted':
      return appraisalReportSubmitted(ctx, e);
    case 'appraisal_report_reviewed':
      return appraisalReviewed(ctx, e.findings);
    case 'appraisal_correction_submitted':
      return appraisalCorrection(ctx, e);
    case 'reports_served':
      return reportsServed(ctx, e.recipients);
    case 'objection_forwarded':
      return objectionForwarded(ctx, e.objectionId);
    case 'agency_explanation_submitted':
      return explanationSubmitted(ctx, e.objectionId);
    case 'objector_responded':
      return objectorResponded(ctx, e.objectionId, e.satisfied);
    case 'technical_review_concluded':
      return technicalReview(ctx, e.objectionId, e.reportStands);
    case 'objection_ruled':
      return objectionRuled(ctx, e.objectionId, e.upheld);
    case 'valuation_postponed':
      return postpone(ctx, e.reason);
    case 'valuation_resumed':
      return resume(ctx);
    case 'valuation_withdrawn':
      return withdraw(ctx, e.reason);
  }
}

// ---------------------------------------------------------------------------------------------------
// Arts. 11 ¶4, 19 ¶4, 27 re-issue (重新出具)

function reissueOrdered(ctx: Ctx): void {
  const { s, t } = ctx;
  const result = s.result;
  if (!result) fail('EVENT_NOT_ALLOWED_NOW', 'RPR Art. 27', 'there is no reference price to re-issue', 'price_determined');
  if (result.method !== 'online_inquiry' && result.method !== 'appraisal') {
    fail('REISSUE_NOT_APPLICABLE', 'RPR Art. 27', 'a negotiated or directed price is not re-issued: a new valuation is needed');
  }
  if (s.reissue?.status === 'pending') fail('EVENT_NOT_ALLOWED_NOW', 'RPR Arts. 11 ¶4, 19 ¶4', 'a re-issue is already running', 'no_reissue_running');
  if (t <= result.validUntil) fail('REISSUE_NOT_DUE', 'RPR Art. 27 ¶3', 'the result is still valid', 'validity_expired');
  const online = result.method === 'online_inquiry';
  const v = ctx.profile.valuation;
  const dueAt = t + (online ? v.onlineInquiryReissueMs : v.appraisalReissueMs);
  const article = online ? 'RPR Art. 11 ¶4' : 'RPR Art. 19 ¶4';
  s.reissue = { method: result.method, orderedAt: t, dueAt, from: [...result.sources], reports: [], status: 'pending' };
  ctx.effects.push({ type: 'order_reissue', to: [...result.sources], dueAt, article });
}

function reissuedReport(ctx: Ctx, e: Extract<ValuationEvent, { type: 'reissued_report_submitted' }>): void {
  const r = ctx.s.reissue;
  if (ctx.s.withdrawal) fail('PROCEDURE_CLOSED', 'RPR Art. 29', 'the procedure was withdrawn');
  if (!r || r.status !== 'pending') fail('REISSUE_NOT_ORDERED', 'RPR Arts. 11 ¶4, 19 ¶4', 'no re-issue was ordered');
  if (!r.from.includes(e.by) || r.reports.some((x) => x.by === e.by)) {
    fail('REISSUE_NOT_ORDERED', 'RPR Arts. 11 ¶4, 19 ¶4', `${e.by} has no re-issue outstanding`, 'issuer_asked_and_not_yet_reissued');
  }
  if (ctx.t > r.dueAt) fail('REISSUE_LATE', r.method === 'online_inquiry' ? 'RPR Art. 11 ¶4' : 'RPR Art. 19 ¶4', 'the re-issue period has passed');
  checkPrice(e.priceFen);
  checkValidity(ctx, e.validUntil, 'RPR Art. 27 ¶1');
  r.reports.push({ by: e.by, priceFen: e.priceFen, validUntil: e.validUntil, submittedAt: ctx.t });
  if (r.reports.length === r.from.length) completeReissue(ctx, r);
}

/** The re-issued figure: for online inquiry the mean of the platforms that re-issued (Art. 13 ¶1 by analogy). */
function completeReissue(ctx: Ctx, r: ReissueRecord): void {
  const old = ctx.s.result!;
  r.status = 'done';
  const result: ReferencePriceResult = {
    referencePriceFen: meanHalfUpFen(r.reports.map((x) => x.priceFen)),
    method: old.method,
    validUntil: Math.min(...r.reports.map((x) => x.validUntil)),
    decidedAt: ctx.t,
    stepId: old.stepId,
    basis: r.method === 'online_inquiry' ? 'reissued_art11_4' : 'reissued_art19_4',
    sources: r.reports.map((x) => x.by),
  };
  ctx.s.previousResults.push(old);
  ctx.s.result = result;
  ctx.effects.push({ type: 'serve_reports', what: 'reissue', dueAt: ctx.t + ctx.profile.valuation.serveReportsMs });
  ctx.effects.push({ type: 'reference_price_determined', result: { ...result, sources: [...result.sources] } });
}

// ---------------------------------------------------------------------------------------------------
// Art. 3 facts, Art. 4 stances, joint requests

function factsRecorded(ctx: Ctx, facts: PropertyFacts): void {
  // Facts are settled before a method runs; during a postponement they may be re-checked (Art. 28(2)).
  if (activeValuationStep(ctx.s) && ctx.s.postponedAt === null) {
    fail('STEP_IN_PROGRESS', 'RPR Arts. 3, 28', 'facts change only before a method runs or while the procedure is postponed');
  }
  const okStrings = (xs: unknown) => Array.isArray(xs) && xs.every((x) => typeof x === 'string');
  if (
    typeof facts.title !== 'string' ||
    typeof facts.occupancy !== 'string' ||
    !okStrings(facts.encumbrances) ||
    !okStrings(facts.defects) ||
    !Number.isSafeInteger(facts.unpaidTaxesFen) ||
    facts.unpaidTaxesFen < 0 ||
    typeof facts.hasGovernmentPrice !== 'boolean' ||
    typeof facts.needsOnSiteSurvey !== 'boolean' ||
    typeof facts.appraisalRequiredByLaw !== 'boolean'
  ) {
    fail('INVALID_INPUT', 'RPR Art. 3', 'incomplete property facts');
  }
  ctx.s.facts = { ...facts, encumbrances: [...facts.encumbrances], defects: [...facts.defects] };
}

function stanceRecorded(ctx: Ctx, e: Extract<ValuationEvent, { type: 'party_stance_recorded' }>): void {
  const stance = ctx.s.stances[e.party];
  if (e.refusesNegotiation !== undefined) stance.refusesNegotiation = e.refusesNegotiation;
  if (e.cannotBeFound !== undefined) stance.cannotBeFound = e.cannotBeFound;
  // A party who refuses or disappears during the negotiation makes it impossible (Art. 4 ¶1).
  const step = activeValuationStep(ctx.s);
  if (step?.method === 'negotiation' && ctx.s.postponedAt === null && (stance.refusesNegotiation || stance.cannotBeFound)) {
    failStep(ctx, step, stance.refusesNegotiation ? 'party_refuses' : 'party_cannot_be_found', 'RPR Art. 4 ¶1');
  }
}

// ---------------------------------------------------------------------------------------------------
// Art. 4 negotiation (当事人议价)

function openNegotiation(ctx: Ctx, actor: string, deadline?: number): void {
  mustAllow(ctx, 'negotiation');
  const at = courtDeadline(ctx, deadline, ctx.profile.valuation.defaultNegotiationMs, 'RPR Art. 4 ¶1');
  const step: NegotiationStep = { ...stepBase(ctx, actor, at), method: 'negotiation', submissions: { applicant: null, respondent: null } };
  ctx.s.steps.push(step);
  ctx.effects.push({ type: 'notify_parties_to_negotiate', deadline: at });
}

function negotiationSubmitted(ctx: Ctx, e: Extract<ValuationEvent, { type: 'negotiation_price_submitted' }>): void {
  const step = requireStep(ctx, 'negotiation');
  if (ctx.t > step.deadline!) fail('DEADLINE_PASSED', 'RPR Art. 4 ¶1', 'the negotiation period is over');
  checkPrice(e.priceFen);
  checkValidity(ctx, e.validUntil, 'RPR Art. 27 ¶2');
  const other = e.party === 'applicant' ? 'respondent' : 'applicant';
  // A party may revise its figure until the other has answered; after that the comparison is final.
  if (step.submissions[e.party] && step.submissions[other]) fail('NEGOTIATION_ALREADY_SUBMITTED', 'RPR Art. 4 ¶2', 'both parties have submitted');
  step.submissions[e.party] = { priceFen: e.priceFen, validUntil: e.validUntil, submittedAt: ctx.t };
  const a = step.submissions.applicant;
  const r = step.submissions.respondent;
  if (!a || !r) return;
  if (a.priceFen !== r.priceFen) return failStep(ctx, step, 'prices_differ', 'RPR Art. 4 ¶2');
  // The validity both accept is the shorter one (Art. 27 ¶2: agreed by the parties, ≤ 1 year).
  succeed(ctx, step, a.priceFen, Math.min(a.validUntil, r.validUntil), 'negotiation_agreed', ['applicant', 'respondent']);
}

// ---------------------------------------------------------------------------------------------------
// Arts. 5–6 directed inquiry (定向询价)

function openDirected(ctx: Ctx, e: Extract<ValuationEvent, { type: 'directed_inquiry_opened' }>): void {
  mustAllow(ctx, 'directed_inquiry');
  if (typeof e.body !== 'string' || e.body.trim() === '') fail('INVALID_INPUT', 'RPR Art. 5 ¶1', 'name the body asked');
  const at = courtDeadline(ctx, e.deadline, ctx.profile.valuation.defaultDirectedInquiryMs, 'RPR Art. 6 ¶1');
  const step: DirectedInquiryStep = { ...stepBase(ctx, e.actor, at), method: 'directed_inquiry', body: e.body, result: null };
  ctx.s.steps.push(step);
  ctx.effects.push({ type: 'send_inquiry_letter', body: e.body, deadline: at });
}

function directedResult(ctx: Ctx, e: Extract<ValuationEvent, { type: 'directed_inquiry_result' }>): void {
  const step = requireStep(ctx, 'directed_inquiry');
  if (ctx.t > step.deadline!) fail('DIRECTED_INQUIRY_LATE', 'RPR Art. 6 ¶2', 'only a result issued within the deadline is the reference price');
  checkPrice(e.priceFen);
  checkValidity(ctx, e.validUntil, 'RPR Art. 27 ¶2');
  step.result = { priceFen: e.priceFen, validUntil: e.validUntil, receivedAt: ctx.t };
  // Served within 3 days (Art. 21), but no objection is accepted (Art. 24 ¶2): the price is final now.
  ctx.effects.push({ type: 'serve_reports', what: 'directed_inquiry', dueAt: ctx.t + ctx.profile.valuation.serveReportsMs });
  succeed(ctx, step, e.priceFen, e.validUntil, 'directed_inquiry_result', [step.body]);
}

// ---------------------------------------------------------------------------------------------------
// Arts. 10–13 online inquiry (网络询价)

function openOnline(ctx: Ctx, e: Extract<ValuationEvent, { type: 'online_inquiry_opened' }>): void {
  mustAllow(ctx, 'online_inquiry');
  const ids = e.platformIds;
  if (!Array.isArray(ids) || ids.length === 0 || ids.some((id) => typeof id !== 'string' || id === '') || new Set(ids).size !== ids.length) {
    fail('PLATFORMS_INVALID', 'RPR Art. 10', 'send to every listed platform at once: a non-empty list of distinct ids');
  }
  // Art. 11 ¶1 counts from receipt; the commission goes through the inquiry system, so receipt = dispatch.
  const deadline = ctx.t + ctx.profile.valuation.onlineInquiryReportMs;
  const step: OnlineInquiryStep = {
    ...stepBase(ctx, e.actor, deadline),
    method: 'online_inquiry',
    phase: 'reporting',
    platforms: ids.map((platformId) => ({
      platformId,
      status: 'pending',
      deadline,
      extensionRequestedAt: null,
      extension: null,
      report: null,
      correctionDueAt: null,
      correction: null,
    })),
    serveDueAt: null,
    service: null,
    objections: [],
  };
  ctx.s.steps.push(step);
  ctx.effects.push({ type: 'dispatch_online_inquiry', platformIds: [...ids], deadline });
}

function onlineExtensionRequested(ctx: Ctx, platformId: string): void {
  const step = requireStep(ctx, 'online_inquiry', ['reporting', 'extension']);
  const p = platform(step, platformId);
  if (step.phase === 'extension' || p.extensionRequestedAt !== null) {
    fail('EXTENSION_ALREADY_REQUESTED', 'RPR Art. 11 ¶2', 'one extension of 3 days only');
  }
  if (p.status !== 'pending') fail('PLATFORM_ALREADY_REPORTED', 'RPR Art. 11 ¶2', 'this platform has no report outstanding');
  if (ctx.t > p.deadline) fail('EXTENSION_REQUEST_LATE', 'RPR Art. 11 ¶2', 'an extension must be asked for before the deadline', 'requested_before_deadline');
  if (step.platforms.some((x) => x.status === 'delivered')) {
    fail('EXTENSION_REFUSED_SOME_DELIVERED', 'RPR Art. 11 ¶2', 'another platform delivered in time, so no extension is granted', 'no_platform_delivered');
  }
  p.extensionRequestedAt = ctx.t;
}

function onlineReportSubmitted(ctx: Ctx, e: Extract<ValuationEvent, { type: 'online_report_submitted' }>): void {
  const step = requireStep(ctx, 'online_inquiry');
  const p = platform(step, e.platformId);
  if (p.status === 'late' || (p.status === 'pending' && ctx.t > p.deadline)) {
    fail('ONLINE_REPORT_LATE', 'RPR Arts. 11, 13 ¶1', 'the report deadline has passed');
  }
  if (p.status !== 'pending' || (step.phase !== 'reporting' && step.phase !== 'extension')) {
    fail('PLATFORM_ALREADY_REPORTED', 'RPR Art. 11 ¶1', 'this platform already reported');
  }
  checkPrice(e.priceFen);
  if (typeof e.method !== 'string' || e.method.trim() === '' || !Array.isArray(e.samples) || e.samples.length === 0) {
    fail('REPORT_INCOMPLETE', 'RPR Art. 11 ¶1', 'a report states its reference samples and calculation method', 'method_and_samples_given');
  }
  checkValidity(ctx, e.validUntil, 'RPR Art. 27 ¶1');
  p.report = { priceFen: e.priceFen, method: e.method, samples: e.samples.map((x) => ({ ...x })), validUntil: e.validUntil, submittedAt: ctx.t };
  p.status = 'delivered';
  if (step.platforms.every((x) => x.status !== 'pending')) enterOnlineReview(ctx, step);
}

function enterOnlineReview(ctx: Ctx, step: OnlineInquiryStep): void {
  step.phase = 'review';
  step.serveDueAt = ctx.t + ctx.profile.valuation.serveReportsMs;
  ctx.effects.push({ type: 'review_reports', what: 'online_inquiry' });
}

/** Art. 11 ¶1–3 at the report deadline (or the extended one). */
function onlineReportDeadline(ctx: Ctx, step: OnlineInquiryStep): void {
  const overdue = step.platforms.filter((p) => p.status === 'pending' && ctx.t > p.deadline);
  const delivered = step.platforms.filter((p) => p.status === 'delivered');
  if (step.phase === 'reporting' && delivered.length === 0) {
    const askers = overdue.filter((p) => p.extensionRequestedAt !== null);
    if (askers.length > 0) {
      // ¶2: nobody delivered, so every platform that asked in time gets 3 more days from its deadline.
      for (const p of askers) {
        p.extension = 'granted';
        p.deadline += ctx.profile.valuation.onlineInquiryExtensionMs;
      }
      markLate(ctx, overdue.filter((p) => p.extensionRequestedAt === null));
      step.phase = 'extension';
      ctx.effects.push({ type: 'extension_granted', to: askers.map((p) => p.platformId), deadline: askers[0]!.deadline, article: 'RPR Art. 11 ¶2' });
      return;
    }
    markLate(ctx, overdue);
    // ¶3: none delivered, none asked: appraisal, and no platform is paid (Art. 31 ¶2).
    return failStep(ctx, step, 'no_report_and_no_extension_request', 'RPR Art. 11 ¶3', true);
  }
  const refused = overdue.filter((p) => p.extensionRequestedAt !== null && p.extension === null);
  for (const p of refused) p.extension = 'refused';
  if (refused.length) {
    ctx.effects.push({ type: 'extension_refused', to: refused.map((p) => p.platformId), reason: 'another_platform_delivered_in_time', article: 'RPR Art. 11 ¶2' });
  }
  markLate(ctx, overdue);
  if (step.platforms.some((p) => p.status === 'pending')) return;
  if (delivered.length === 0) return failStep(ctx, step, 'no_report_after_extension', 'RPR Arts. 11 ¶2, 14');
  enterOnlineReview(ctx, step);
}

function markLate(ctx: Ctx, platforms: PlatformEntry[]): void {
  for (const p of platforms) {
    p.status = 'late';
    ctx.effects.push({ type: 'provider_late', provider: 'platform', id: p.platformId, article: 'RPR Art. 9 ¶2(2)' });
  }
}

/** Art. 12: every report faulty → all correct within 3 days; one clean → the faulty ones drop out. */
function onlineReviewed(ctx: Ctx, faultyIds: string[]): void {
  const step = requireStep(ctx, 'online_inquiry', ['review']);
  const delivered = step.platforms.filter((p) => p.status === 'delivered');
  if (!Array.isArray(faultyIds) || new Set(faultyIds).size !== faultyIds.length) fail('INVALID_INPUT', 'RPR Art. 12', 'distinct platform ids');
  for (const id of faultyIds) {
    if (!delivered.some((p) => p.platformId === id)) fail('UNKNOWN_PLATFORM', 'RPR Art. 12', `${id} delivered no report in time`);
  }
  const faulty = delivered.filter((p) => faultyIds.includes(p.platformId));
  if (faulty.length > 0 && faulty.length === delivered.length) {
    const dueAt = ctx.t + ctx.profile.valuation.onlineInquiryCorrectionMs;
    for (const p of faulty) {
      p.status = 'correction_due';
      p.correctionDueAt = dueAt;
    }
    step.phase = 'correction';
    ctx.effects.push({ type: 'order_correction', to: faulty.map((p) => p.platformId), dueAt, article: 'RPR Art. 12' });
    return;
  }
  for (const p of faulty) p.status = 'excluded_faulty';
  readyForService(ctx, step);
}

function readyForService(ctx: Ctx, step: OnlineInquiryStep): void {
  step.phase = 'service';
  ctx.effects.push({ type: 'serve_reports', what: 'online_inquiry', dueAt: step.serveDueAt ?? ctx.t + ctx.profile.valuation.serveReportsMs });
}

function onlineCorrected(ctx: Ctx, e: Extract<ValuationEvent, { type: 'online_report_corrected' }>): void {
  const step = requireStep(ctx, 'online_inquiry', ['correction', 'objection']);
  const p = platform(step, e.platformId);
  if (p.status === 'correction_late') fail('CORRECTION_LATE', 'RPR Arts. 12, 11 ¶3', 'the correction period has passed');
  if (p.status !== 'correction_due') fail('CORRECTION_NOT_ORDERED', 'RPR Art. 12', 'no correction was asked of this platform');
  if (ctx.t > p.correctionDueAt!) fail('CORRECTION_LATE', 'RPR Arts. 12, 11 ¶3', 'the correction period has passed');
  checkPrice(e.priceFen);
  checkValidity(ctx, e.validUntil, 'RPR Art. 27 ¶1');
  p.correction = { priceFen: e.priceFen, validUntil: e.validUntil, submittedAt: ctx.t };
  p.status = 'corrected';
  if (step.phase === 'correction') {
    if (!step.platforms.some((x) => x.status === 'correction_due')) readyForService(ctx, step);
  } else {
    ctx.effects.push({ type: 'serve_reports', what: 'correction', dueAt: ctx.t + ctx.profile.valuation.serveReportsMs });
    settleOnline(ctx, step);
  }
}

function onlineCorrectionDeadline(ctx: Ctx, step: OnlineInquiryStep): void {
  for (const p of step.platforms) {
    if (p.status === 'correction_due' && ctx.t > p.correctionDueAt!) {
      p.status = 'correction_late';
      ctx.effects.push({ type: 'provider_late', provider: 'platform', id: p.platformId, article: 'RPR Art. 9 ¶2(2)' });
    }
  }
  if (step.phase === 'correction') {
    if (step.platforms.some((p) => p.status === 'correction_due')) return;
    if (!step.platforms.some((p) => p.status === 'corrected')) {
      // Art. 11 ¶3: no platform delivered or corrected in time → appraisal, no fee (Art. 31 ¶2).
      return failStep(ctx, step, 'no_correction_in_time', 'RPR Arts. 12, 11 ¶3', true);
    }
    return readyForService(ctx, step);
  }
  settleOnline(ctx, step);
}

/** Art. 13 once the objection window is closed and what the averaging needs is settled. */
function settleOnline(ctx: Ctx, step: OnlineInquiryStep): void {
  const service = step.service;
  if (!service || !windowOver(ctx, service)) return;
  const live = step.objections.filter((o) => o.status !== 'moot');
  const reports: AveragingReport[] = step.platforms.map((p) => {
    if (!service.reportIds.includes(p.platformId)) return { platformId: p.platformId, priceFen: null, timely: false, objection: 'none' };
    const against = live.filter((o) => o.platformIds.includes(p.platformId));
    let objection: AveragingReport['objection'] = 'none';
    if (against.length > 0) {
      if (against.some((o) => o.status === 'awaiting_ruling')) objection = 'pending';
      else if (against.some((o) => o.status === 'upheld')) {
        objection = p.status === 'corrected' ? 'corrected' : p.status === 'correction_due' ? 'pending' : 'upheld';
      } else objection = 'rejected';
    }
    return { platformId: p.platformId, priceFen: p.correction?.priceFen ?? p.report!.priceFen, timely: true, objection };
  });
  const avg = onlineInquiryReferencePrice(reports);
  if (!avg.ok) {
    if (avg.code === 'OBJECTIONS_PENDING') return;
    return failStep(ctx, step, 'no_report_survives_objections', 'RPR Arts. 13 ¶2, 14');
  }
  // Art. 13 ¶2 (some reports objected to): those reports are left out whatever the ruling.
  for (const o of live) if (o.status === 'awaiting_ruling') o.status = 'moot';
  const used = step.platforms.filter((p) => avg.used.includes(p.platformId));
  const validUntil = Math.min(...used.map((p) => p.correction?.validUntil ?? p.report!.validUntil));
  succeed(ctx, step, avg.priceFen, validUntil, avg.basis, avg.used);
}

// ---------------------------------------------------------------------------------------------------
// Arts. 14–20 appraisal (委托评估)

function openAppraisal(ctx: Ctx, e: Extract<ValuationEvent, { type: 'appraisal_opened' }>): void {
  mustAllow(ctx, 'appraisal');
  const { applicant, respondent } = ctx.s.stances;
  const missing = applicant.cannotBeFound || respondent.cannotBeFound;
  const lotteryReason = missing ? 'party_cannot_be_found' : e.bothPartiesAskLottery ? 'both_parties_asked' : null;
  const agreementDeadline = lotteryReason ? null : courtDeadline(ctx, e.agreementDeadline, ctx.profile.valuation.agencyAgreementMs, 'RPR Art. 16');
  const step: AppraisalStep = {
    ...stepBase(ctx, e.actor, agreementDeadline),
    method: 'appraisal',
    phase: lotteryReason ? 'lottery' : 'selection',
    selection: { agreementDeadline, mode: lotteryReason ? 'lottery' : null, lotteryReason, lottery: null },
    ranking: [],
    commissions: [],
  };
  ctx.s.steps.push(step);
  if (lotteryReason) ctx.effects.push({ type: 'hold_lottery', reason: lotteryReason });
}

function agenciesAgreed(ctx: Ctx, agencyIds: string[]): void {
  const step = requireStep(ctx, 'appraisal', ['selection']);
  if (ctx.t > step.selection.agreementDeadline!) fail('AGENCY_AGREEMENT_LATE', 'RPR Art. 16', 'the period for agreeing on agencies is over');
  const n = ctx.profile.valuation.appraisalAgencyCount;
  if (!Array.isArray(agencyIds) || agencyIds.length !== n || !canonicalCandidates(agencyIds)) {
    fail('AGENCY_SELECTION_INVALID', 'RPR Art. 16', `the parties agree on ${n} distinct agencies and their order`);
  }
  step.selection.mode = 'agreement';
  step.ranking = [...agencyIds];
  commissionNext(ctx, step);
}

function lotteryCommitted(ctx: Ctx, e: Extract<ValuationEvent, { type: 'lottery_committed' }>): void {
  const step = requireStep(ctx, 'appraisal', ['selection', 'lottery']);
  if (step.phase === 'selection') fail('AGENCY_AGREEMENT_PERIOD_OPEN', 'RPR Art. 16', 'the parties may still agree on the agencies', 'agreement_failed_or_party_missing');
  if (step.selection.lottery) fail('LOTTERY_ALREADY_COMMITTED', 'RPR Arts. 16, 34', 'a published commitment cannot be replaced');
  if (typeof e.commitment !== 'string' || !isCommitment(e.commitment)) fail('LOTTERY_COMMITMENT_INVALID', 'RPR Arts. 16, 34', 'the commitment is a lowercase hex SHA-256');
  const candidates = Array.isArray(e.candidateIds) ? canonicalCandidates(e.candidateIds) : null;
  if (!candidates) fail('LOTTERY_CANDIDATES_INVALID', 'RPR Art. 16', 'the sub-list must hold distinct agency ids');
  step.selection.lottery = {
    commitment: e.commitment,
    candidates,
    subList: e.subList,
    committedAt: ctx.t,
    seed: null,
    publicEntropy: '',
    result: null,
    drawnAt: null,
  };
  ctx.effects.push({ type: 'publish_lottery_commitment', commitment: e.commitment, candidates: [...candidates] });
}

function lotteryDrawn(ctx: Ctx, seed: string, publicEntropy: string): void {
  const step = requireStep(ctx, 'appraisal', ['lottery']);
  const lottery = step.selection.lottery;
  if (!lottery) fail('LOTTERY_NOT_COMMITTED', 'RPR Arts. 16, 34', 'publish the commitment before the draw');
  if (typeof seed !== 'string' || lotteryCommitment(seed) !== lottery.commitment) {
    fail('LOTTERY_COMMITMENT_MISMATCH', 'RPR Arts. 16, 34', 'SHA-256 of the seed is not the published commitment', 'seed_matches_commitment');
  }
  const result = drawAgencies(seed, lottery.candidates, ctx.profile.valuation.appraisalAgencyCount, publicEntropy);
  Object.assign(lottery, { seed, publicEntropy, result, drawnAt: ctx.t });
  step.ranking = [...result];
  ctx.effects.push({ type: 'publish_lottery_result', seed, publicEntropy, result: [...result] });
  commissionNext(ctx, step);
}

/** Art. 17: commission the next agency in rank order; with none left the appraisal step fails. */
function commissionNext(ctx: Ctx, step: AppraisalStep): void {
  const rank = step.commissions.length + 1;
  const agencyId = step.ranking[rank - 1];
  if (agencyId === undefined) return failStep(ctx, step, 'no_agency_left_in_ranking', 'RPR Arts. 16, 19 ¶3');
  const deadline = ctx.t + ctx.profile.valuation.appraisalReportMs;
  step.commissions.push({
    agencyId,
    rank,
    status: 'commissioned',
    commissionedAt: ctx.t,
    deadline,
    extensions: [],
    report: null,
    correctionOrdered: null,
    correction: [],
    serveDueAt: null,
    service: null,
    objections: [],
    replacedReason: null,
    materialsReturnDueAt: null,
    materialsReturnedAt: null,
  });
  step.phase = 'commissioned';
  ctx.effects.push({ type: 'commission_agency', agencyId, rank, deadline });
}

/** Art. 19 ¶3 (and Art. 23 ¶2): materials back within 3 days, next-ranked agency commissioned. */
function replaceAgency(ctx: Ctx, step: AppraisalStep, c: AgencyCommission, reason: string, article: string): void {
  c.status = 'replaced';
  c.replacedReason = reason;
  c.correctionOrdered = null;
  c.materialsReturnDueAt = ctx.t + ctx.profile.valuation.returnMaterialsMs;
  for (const o of c.objections) if (!isResolved(o)) o.status = 'moot';
  ctx.effects.push({ type: 'return_materials', agencyId: c.agencyId, dueAt: c.materialsReturnDueAt, reason: `${reason} (${article})` });
  commissionNext(ctx, step);
}

function appraisalExtension(ctx: Ctx, e: Extract<ValuationEvent, { type: 'appraisal_extension_granted' }>): void {
  const step = requireStep(ctx, 'appraisal', ['commissioned']);
  const c = commissioned(step, e.agencyId);
  const v = ctx.profile.valuation;
  if (ctx.t > c.deadline) fail('DEADLINE_PASSED', 'RPR Art. 19 ¶3', 'the report deadline has passed');
  if (!Number.isSafeInteger(e.requestedAt) || e.requestedAt > ctx.t) fail('INVALID_INPUT', 'RPR Art. 19 ¶2', 'the request cannot postdate the grant');
  if (e.requestedAt > c.deadline - v.appraisalExtensionRequestBeforeMs) {
    fail('EXTENSION_REQUEST_LATE', 'RPR Art. 19 ¶2', 'the written request must come at least 5 days before the deadline', 'requested_5_days_before_deadline');
  }
  if (c.extensions.length >= v.appraisalMaxExtensions) fail('APPRAISAL_EXTENSION_LIMIT', 'RPR Art. 19 ¶2', 'at most two extensions');
  if (!Number.isSafeInteger(e.extendByMs) || e.extendByMs <= 0 || e.extendByMs > v.appraisalExtensionMaxMs) {
    fail('APPRAISAL_EXTENSION_TOO_LONG', 'RPR Art. 19 ¶2', 'each extension is at most 15 days');
  }
  c.extensions.push({ requestedAt: e.requestedAt, grantedAt: ctx.t, extendByMs: e.extendByMs });
  c.deadline += e.extendByMs;
}

function appraisalReportSubmitted(ctx: Ctx, e: Extract<ValuationEvent, { type: 'appraisal_report_submitted' }>): void {
  const step = requireStep(ctx, 'appraisal', ['commissioned']);
  const c = commissioned(step, e.agencyId);
  if (ctx.t > c.deadline) fail('APPRAISAL_REPORT_LATE', 'RPR Art. 19', 'the report deadline has passed');
  checkPrice(e.priceFen);
  if (typeof e.method !== 'string' || e.method.trim() === '' || typeof e.standards !== 'string' || e.standards.trim() === '') {
    fail('REPORT_INCOMPLETE', 'RPR Art. 17 ¶2', 'a report states its method and standards', 'method_and_standards_given');
  }
  checkValidity(ctx, e.validUntil, 'RPR Art. 27 ¶1');
  c.report = { priceFen: e.priceFen, validUntil: e.validUntil, method: e.method, standards: e.standards, submittedAt: ctx.t };
  c.status = 'reported';
  c.serveDueAt = ctx.t + ctx.profile.valuation.serveReportsMs;
  step.phase = 'review';
  ctx.effects.push({ type: 'review_reports', what: 'appraisal' });
}

const ART20_FINDINGS = ['facts_wrong', 'scope', 'wrong_agency', 'licence_mismatch', 'other'];

function appraisalReviewed(ctx: Ctx, findings: string[]): void {
  const step = requireStep(ctx, 'appraisal', ['review']);
  const c = current(step)!;
  if (!Array.isArray(findings) || findings.some((f) => !ART20_FINDINGS.includes(f)) || new Set(findings).size !== findings.length) {
    fail('INVALID_INPUT', 'RPR Art. 20', `findings are among ${ART20_FINDINGS.join(', ')}`);
  }
  if (findings.length === 0) {
    step.phase = 'service';
    ctx.effects.push({ type: 'serve_reports', what: 'appraisal', dueAt: c.serveDueAt! });
    return;
  }
  const dueAt = ctx.t + ctx.profile.valuation.appraisalCorrectionMs;
  c.correctionOrdered = { reason: 'review', dueAt, findings: [...findings] };
  step.phase = 'review_correction';
  ctx.effects.push({ type: 'order_correction', to: [c.agencyId], dueAt, article: 'RPR Art. 20' });
}

function appraisalCorrection(ctx: Ctx, e: Extract<ValuationEvent, { type: 'appraisal_correction_submitted' }>): void {
  const step = requireStep(ctx, 'appraisal', ['review_correction', 'objection']);
  const c = current(step)!;
  if (c.agencyId !== e.agencyId) fail('AGENCY_NOT_COMMISSIONED', 'RPR Art. 20', `${e.agencyId} is not the agency commissioned`);
  const order = c.correctionOrdered;
  if (!order) fail('CORRECTION_NOT_ORDERED', 'RPR Arts. 20, 23', 'no explanation or correction was ordered');
  if (ctx.t > order.dueAt) fail('CORRECTION_LATE', 'RPR Arts. 20, 19 ¶3', 'the 3-day period has passed');
  const last = c.correction[c.correction.length - 1];
  const priceFen = e.priceFen ?? last?.priceFen ?? c.report!.priceFen;
  const validUntil = e.validUntil ?? last?.validUntil ?? c.report!.validUntil;
  checkPrice(priceFen);
  if (e.validUntil !== undefined) checkValidity(ctx, e.validUntil, 'RPR Art. 27 ¶1');
  c.correction.push({ priceFen, validUntil, submittedAt: ctx.t, reason: order.reason });
  c.correctionOrdered = null;
  if (order.reason === 'review') {
    step.phase = 'service';
    ctx.effects.push({ type: 'serve_reports', what: 'appraisal', dueAt: ctx.t + ctx.profile.valuation.serveReportsMs });
    return;
  }
  ctx.effects.push({ type: 'serve_reports', what: 'correction', dueAt: ctx.t + ctx.profile.valuation.serveReportsMs });
  settleAppraisal(ctx, step);
}

/** Art. 26 once the window is closed, every objection resolved and any ordered correction made. */
function settleAppraisal(ctx: Ctx, step: AppraisalStep): void {
  const c = current(step);
  if (!c || c.status !== 'reported' || !c.service || !windowOver(ctx, c.service)) return;
  if (c.objections.some((o) => !isResolved(o)) || c.correctionOrdered) return;
  const last = c.correction[c.correction.length - 1];
  const decisive = c.objections.filter((o) => o.status !== 'moot');
  const basis = last?.reason === 'objection'
    ? 'appraisal_corrected_after_objection'
    : decisive.some((o) => o.technicalReview?.reportStands)
      ? 'appraisal_confirmed_by_technical_review'
      : decisive.length > 0
        ? 'appraisal_objections_rejected'
        : 'appraisal_no_objection';
  succeed(ctx, step, last?.priceFen ?? c.report!.priceFen, last?.validUntil ?? c.report!.validUntil, basis, [c.agencyId]);
}

function materialsReturned(ctx: Ctx, agencyId: string): void {
  for (const step of ctx.s.steps) {
    if (step.method !== 'appraisal') continue;
    const c = step.commissions.find((x) => x.agencyId === agencyId && x.materialsReturnDueAt !== null && x.materialsReturnedAt === null);
    if (c) {
      c.materialsReturnedAt = ctx.t;
      return;
    }
  }
  fail('EVENT_NOT_ALLOWED_NOW', 'RPR Art. 19 ¶3', 'no materials are due back from this agency', 'materials_due');
}

// ---------------------------------------------------------------------------------------------------
// Art. 21 service, Arts. 22–26 objections

function servedStep(ctx: Ctx): { step: OnlineInquiryStep | AppraisalStep; holder: OnlineInquiryStep | AgencyCommission } {
  const step = activeValuationStep(ctx.s);
  if (step?.method === 'online_inquiry') return { step, holder: step };
  if (step?.method === 'appraisal' && current(step)?.status === 'reported') return { step, holder: current(step)! };
  return fail('EVENT_NOT_ALLOWED_NOW', 'RPR Art. 21', 'no online-inquiry or appraisal report to serve or object to', 'report_in_hand');
}

function reportsServed(ctx: Ctx, recipients: { id: string; servedAt?: number; publicNotice?: boolean }[]): void {
  const { step, holder } = servedStep(ctx);
  if (step.phase !== 'service') fail('EVENT_NOT_ALLOWED_NOW', 'RPR Art. 21', `the reports are not ready to serve (phase ${step.phase})`, 'phase_service');
  if (!Array.isArray(recipients) || recipients.length === 0 || new Set(recipients.map((r) => r.id)).size !== recipients.length) {
    fail('INVALID_INPUT', 'RPR Art. 21', 'serve the parties and interested persons: distinct recipient ids');
  }
  const v = ctx.profile.valuation;
  const served = recipients.map((r) => {
    const servedAt = r.servedAt ?? ctx.t;
    if (!Number.isSafeInteger(servedAt) || servedAt > ctx.t) fail('INVALID_INPUT', 'RPR Art. 21', 'service cannot be in the future');
    const publicNotice = r.publicNotice ?? false;
    // Art. 21 ¶2: published on 中国执行信息公开网, deemed received 15 days later.
    const receivedAt = servedAt + (publicNotice ? v.publicNoticeDeemedReceivedMs : 0);
    return { id: r.id, servedAt, publicNotice, receivedAt, objectionDeadline: receivedAt + v.objectionMs };
  });
  const reportIds =
    step.method === 'online_inquiry'
      ? step.platforms.filter((p) => p.status === 'delivered' || p.status === 'corrected').map((p) => p.platformId)
      : [(holder as AgencyCommission).agencyId];
  const service: ReportService = {
    servedAt: ctx.t,
    reportIds,
    recipients: served,
    windowClosesAt: Math.max(...served.map((r) => r.objectionDeadline)),
    windowClosed: false,
  };
  holder.service = service;
  step.phase = 'objection';
}

function objectionFiled(ctx: Ctx, e: Extract<ValuationEvent, { type: 'objection_filed' }>): void {
  const { s } = ctx;
  const step = activeValuationStep(s);
  const method: ValuationMethod | undefined = step?.method ?? s.result?.method;
  // Art. 24 ¶2: negotiated and directed-inquiry prices admit no objection (Art. 25 supervision aside).
  if (method === 'negotiation' || method === 'directed_inquiry') {
    fail('OBJECTION_NOT_ACCEPTED_FOR_METHOD', 'RPR Art. 24 ¶2', 'no objection lies against a negotiated price or a directed inquiry');
  }
  if (e.target !== 'report') {
    fail('OBJECTION_NOT_ACCEPTED_FOR_TARGET', 'RPR Art. 24 ¶1', 'no objection lies against a correction, an explanation or a technical-review conclusion');
  }
  if (s.result) fail('OBJECTION_LATE', 'RPR Art. 24 ¶1', 'the objection period has ended and the reference price is determined');
  if (s.postponedAt !== null) fail('PROCEDURE_POSTPONED', 'RPR Art. 28', 'the procedure is postponed');
  const { step: st, holder } = servedStep(ctx);
  if (!holder.service) fail('REPORT_NOT_SERVED', 'RPR Arts. 21–22', 'the objection period runs from service of the report');
  const recipient = holder.service.recipients.find((r) => r.id === e.objector);
  if (!recipient) fail('OBJECTOR_NOT_SERVED', 'RPR Arts. 21–22', 'the objector was not served with the report');
  if (ctx.t > recipient.objectionDeadline) fail('OBJECTION_LATE', 'RPR Arts. 22–24', 'objections are due within 5 days of receiving the report');
  const grounds = e.grounds;
  const isAppraisal = st.method === 'appraisal';
  // Online reports: grounds (1)–(2) only; (3)–(4) concern appraisers and Art. 23 concerns appraisal reports.
  const allowed: ObjectionGround[] = isAppraisal ? [...ART22_GROUNDS, ...ART23_GROUNDS] : ['facts_wrong', 'scope'];
  if (!Array.isArray(grounds) || grounds.length === 0 || new Set(grounds).size !== grounds.length || grounds.some((g) => !allowed.includes(g))) {
    fail('OBJECTION_GROUNDS_INVALID', isAppraisal ? 'RPR Arts. 22–23' : 'RPR Arts. 22, 23', `grounds must be among ${allowed.join(', ')}`, 'grounds_allowed_for_report');
  }
  const allObjectionIds = st.method === 'online_inquiry' ? st.objections.map((o) => o.id) : st.commissions.flatMap((c) => c.objections.map((o) => o.id));
  if (typeof e.objectionId !== 'string' || e.objectionId === '' || allObjectionIds.includes(e.objectionId)) fail('INVALID_INPUT', 'RPR Art. 22', 'objection ids are unique');
  let platformIds: string[] = [];
  if (!isAppraisal) {
    platformIds = e.platformIds ?? [];
    if (platformIds.length === 0 || new Set(platformIds).size !== platformIds.length || platformIds.some((id) => !holder.service!.reportIds.includes(id))) {
      fail('UNKNOWN_PLATFORM', 'RPR Art. 22', 'name the served reports objected to');
    }
  }
  const has23 = grounds.some((g) => (ART23_GROUNDS as string[]).includes(g));
  const has34 = grounds.some((g) => g === 'qualification' || g === 'procedure');
  const o: Objection = {
    id: e.objectionId,
    objector: e.objector,
    filedAt: ctx.t,
    grounds: [...grounds],
    platformIds: [...platformIds],
    status: 'awaiting_ruling',
    stage: 'art22',
    forwardDueAt: null,
    explanationDueAt: null,
    explanationAt: null,
    technicalReview: null,
    ruling: null,
  };
  if (has23 && has34) o.stage = 'art22_first';
  else if (has23) startArt23(ctx, o, holder as AgencyCommission);
  (holder.objections as Objection[]).push(o);
}

/** Art. 23 ¶1: the court forwards to the agency within 3 days for a written explanation. */
function startArt23(ctx: Ctx, o: Objection, c: AgencyCommission): void {
  o.stage = 'art23';
  o.status = 'awaiting_forwarding';
  o.forwardDueAt = ctx.t + ctx.profile.valuation.forwardObjectionMs;
  ctx.effects.push({ type: 'forward_objection', objectionId: o.id, agencyId: c.agencyId, dueAt: o.forwardDueAt });
}

function findObjection(ctx: Ctx): (id: string) => { step: OnlineInquiryStep | AppraisalStep; holder: OnlineInquiryStep | AgencyCommission; o: Objection } {
  return (id) => {
    const { step, holder } = servedStep(ctx);
    const o = holder.objections.find((x) => x.id === id);
    if (!o) fail('UNKNOWN_OBJECTION', 'RPR Art. 22', `no objection ${id} on the current report`);
    return { step, holder, o };
  };
}

function objectionForwarded(ctx: Ctx, id: string): void {
  const { o } = findObjection(ctx)(id);
  if (o.status !== 'awaiting_forwarding') fail('EVENT_NOT_ALLOWED_NOW', 'RPR Art. 23 ¶1', `objection is ${o.status}`, 'awaiting_forwarding');
  o.status = 'awaiting_explanation';
  o.explanationDueAt = ctx.t + ctx.profile.valuation.agencyExplanationMs;
}

function explanationSubmitted(ctx: Ctx, id: string): void {
  const { o } = findObjection(ctx)(id);
  if (o.status !== 'awaiting_explanation') fail('EVENT_NOT_ALLOWED_NOW', 'RPR Art. 23 ¶1', `objection is ${o.status}`, 'awaiting_explanation');
  if (ctx.t > o.explanationDueAt!) fail('EXPLANATION_LATE', 'RPR Art. 23 ¶1', 'the 5-day period has passed; technical review follows');
  o.explanationAt = ctx.t;
  o.status = 'awaiting_objector';
  ctx.effects.push({ type: 'serve_reports', what: 'explanation', dueAt: ctx.t + ctx.profile.valuation.serveReportsMs });
}

function objectorResponded(ctx: Ctx, id: string, satisfied: boolean): void {
  const { step, o } = findObjection(ctx)(id);
  if (o.status !== 'awaiting_objector') fail('EVENT_NOT_ALLOWED_NOW', 'RPR Art. 23 ¶1', `objection is ${o.status}`, 'awaiting_objector');
  if (satisfied) {
    o.status = 'satisfied';
    settle(ctx, step);
    return;
  }
  o.status = 'technical_review';
  ctx.effects.push({ type: 'request_technical_review', objectionId: o.id, reason: 'objector_unsatisfied' });
}

function technicalReview(ctx: Ctx, id: string, reportStands: boolean): void {
  const { o } = findObjection(ctx)(id);
  if (o.status !== 'technical_review') fail('EVENT_NOT_ALLOWED_NOW', 'RPR Art. 23 ¶1', `objection is ${o.status}`, 'technical_review');
  o.technicalReview = { reportStands, at: ctx.t };
  o.status = 'awaiting_ruling';
}

function objectionRuled(ctx: Ctx, id: string, upheld: boolean): void {
  const { step, holder, o } = findObjection(ctx)(id);
  if (o.status !== 'awaiting_ruling') fail('EVENT_NOT_ALLOWED_NOW', 'RPR Arts. 22–23', `objection is ${o.status}`, 'awaiting_ruling');
  // Art. 23 ¶1, Art. 26: the court decides on the technical-review conclusion.
  if (o.technicalReview && upheld === o.technicalReview.reportStands) {
    fail('RULING_CONTRADICTS_TECHNICAL_REVIEW', 'RPR Arts. 23 ¶1, 26', 'the ruling must follow the technical-review conclusion');
  }
  o.ruling = { upheld, at: ctx.t };
  const v = ctx.profile.valuation;
  if (step.method === 'online_inquiry') {
    o.status = upheld ? 'upheld' : 'rejected';
    if (upheld) {
      // Art. 13 ¶2: an upheld objection is cured by the platform's correction (3 days, as Art. 12).
      const dueAt = ctx.t + v.onlineInquiryCorrectionMs;
      const to = step.platforms.filter((p) => o.platformIds.includes(p.platformId) && (p.status === 'delivered' || p.status === 'corrected'));
      for (const p of to) {
        p.status = 'correction_due';
        p.correctionDueAt = dueAt;
      }
      if (to.length) ctx.effects.push({ type: 'order_correction', to: to.map((p) => p.platformId), dueAt, article: 'RPR Art. 13 ¶2' });
    }
    return settleOnline(ctx, step);
  }
  const c = holder as AgencyCommission;
  if (o.stage === 'art22_first') {
    if (upheld) {
      o.status = 'upheld';
      return replaceAgency(ctx, step, c, 'objection_upheld_qualification_or_procedure', 'RPR Art. 23 ¶2');
    }
    // Grounds (3)/(4) fail: the rest is handled as an Art. 23 ¶1 objection.
    o.ruling = null;
    return startArt23(ctx, o, c);
  }
  o.status = upheld ? 'upheld' : 'rejected';
  if (upheld && o.grounds.some((g) => g === 'qualification' || g === 'procedure')) {
    return replaceAgency(ctx, step, c, 'objection_upheld_qualification_or_procedure', 'RPR Arts. 22 ¶2, 23 ¶2, 26');
  }
  if (upheld && !c.correctionOrdered) {
    const dueAt = ctx.t + v.appraisalCorrectionMs;
    c.correctionOrdered = { reason: 'objection', dueAt, findings: [...o.grounds] };
    ctx.effects.push({ type: 'order_correction', to: [c.agencyId], dueAt, article: 'RPR Arts. 23 ¶1, 26' });
  }
  settleAppraisal(ctx, step as AppraisalStep);
}

function settle(ctx: Ctx, step: OnlineInquiryStep | AppraisalStep): void {
  if (step.method === 'online_inquiry') settleOnline(ctx, step);
  else settleAppraisal(ctx, step);
}

/** The objection window is over once its last deadline has passed, whether or not the timer ran yet. */
function windowOver(ctx: Ctx, service: ReportService): boolean {
  if (!service.windowClosed && ctx.t > service.windowClosesAt) service.windowClosed = true;
  return service.windowClosed;
}

function isResolved(o: Objection): boolean {
  return o.status === 'upheld' || o.status === 'rejected' || o.status === 'satisfied' || o.status === 'moot';
}

// ---------------------------------------------------------------------------------------------------
// Arts. 28–29 postponement and withdrawal

function postpone(ctx: Ctx, reason: string): void {
  if (ctx.s.postponedAt !== null) fail('PROCEDURE_POSTPONED', 'RPR Art. 28', 'already postponed');
  if (!activeValuationStep(ctx.s)) fail('EVENT_NOT_ALLOWED_NOW', 'RPR Art. 28', 'no method is running', 'step_running');
  ctx.s.postponedAt = ctx.t;
  ctx.s.postponements.push({ from: ctx.t, to: null, reason });
}

/** Art. 19 ¶1: the postponed period does not count: every running deadline moves by its length. */
function resume(ctx: Ctx): void {
  const from = ctx.s.postponedAt;
  if (from === null) fail('NOT_POSTPONED', 'RPR Art. 28', 'the procedure is not postponed');
  const delta = ctx.t - from;
  const shift = (at: number | null) => (at !== null && at >= from ? at + delta : at);
  const shiftService = (sv: ReportService | null) => {
    if (!sv || sv.windowClosed) return;
    for (const r of sv.recipients) r.objectionDeadline = shift(r.objectionDeadline)!;
    sv.windowClosesAt = shift(sv.windowClosesAt)!;
  };
  const shiftObjections = (os: Objection[]) => {
    for (const o of os) {
      o.forwardDueAt = shift(o.forwardDueAt);
      o.explanationDueAt = shift(o.explanationDueAt);
    }
  };
  const step = activeValuationStep(ctx.s)!;
  step.deadline = shift(step.deadline);
  if (step.method === 'online_inquiry') {
    for (const p of step.platforms) {
      if (p.status === 'pending') p.deadline = shift(p.deadline)!;
      if (p.status === 'correction_due') p.correctionDueAt = shift(p.correctionDueAt);
    }
    step.serveDueAt = shift(step.serveDueAt);
    shiftService(step.service);
    shiftObjections(step.objections);
  } else if (step.method === 'appraisal') {
    step.selection.agreementDeadline = shift(step.selection.agreementDeadline);
    const c = current(step);
    if (c) {
      if (c.status === 'commissioned') c.deadline = shift(c.deadline)!;
      if (c.correctionOrdered) c.correctionOrdered.dueAt = shift(c.correctionOrdered.dueAt)!;
      c.serveDueAt = shift(c.serveDueAt);
      shiftService(c.service);
      shiftObjections(c.objections);
    }
  }
  ctx.s.postponedAt = null;
  ctx.s.postponements[ctx.s.postponements.length - 1]!.to = ctx.t;
}

function withdraw(ctx: Ctx, reason: WithdrawalReason): void {
  const step = activeValuationStep(ctx.s);
  let fee: 'none' | 'actual_costs' | 'not_applicable' = 'not_applicable';
  if (step) {
    step.status = 'withdrawn';
    step.closedAt = ctx.t;
    // Art. 31 ¶2: no online-inquiry fee; Art. 32 ¶2: the agency's reasonable actual costs.
    if (step.method === 'online_inquiry') fee = 'none';
    if (step.method === 'appraisal' && step.commissions.length > 0) fee = 'actual_costs';
  }
  if (ctx.s.postponedAt !== null) ctx.s.postponements[ctx.s.postponements.length - 1]!.to = ctx.t;
  ctx.s.postponedAt = null;
  ctx.s.withdrawal = { at: ctx.t, reason };
  ctx.effects.push({ type: 'valuation_withdrawn', reason, fee });
}

// ---------------------------------------------------------------------------------------------------
// Deadlines

function deadlinePassed(ctx: Ctx): void {
  let handled = 0;
  for (;;) {
    const due = dueDeadlines(ctx.s, ctx.t, ctx.profile)[0];
    if (!due) break;
    applyDeadline(ctx, due);
    if (++handled > 100) throw new Error('valuation deadlines did not converge');
  }
  if (handled === 0) fail('NO_DEADLINE_DUE', 'RPR', 'no deadline has passed');
}

function applyDeadline(ctx: Ctx, d: ValuationDeadline): void {
  const step = activeValuationStep(ctx.s);
  switch (d.kind) {
    case 'start_procedure':
    case 'serve_reports':
    case 'forward_objection':
    case 'materials_return':
      ctx.s.remindersSent.push(d.ref);
      ctx.effects.push({ type: 'overdue', kind: d.kind, ref: d.ref, dueAt: d.at, article: d.article });
      return;
    case 'negotiation':
      return failStep(ctx, step!, 'no_agreement_within_period', 'RPR Art. 4');
    case 'directed_inquiry':
      return failStep(ctx, step!, 'no_result_within_deadline', 'RPR Art. 6 ¶2');
    case 'online_report':
      return onlineReportDeadline(ctx, step as OnlineInquiryStep);
    case 'online_correction':
      return onlineCorrectionDeadline(ctx, step as OnlineInquiryStep);
    case 'objection_window': {
      const s = step as OnlineInquiryStep | AppraisalStep;
      const holder = s.method === 'online_inquiry' ? s : current(s)!;
      holder.service!.windowClosed = true;
      return settle(ctx, s);
    }
    case 'agency_agreement': {
      const s = step as AppraisalStep;
      s.phase = 'lottery';
      s.selection.mode = 'lottery';
      s.selection.lotteryReason = 'agreement_failed';
      ctx.effects.push({ type: 'hold_lottery', reason: 'agreement_failed' });
      return;
    }
    case 'appraisal_report': {
      const s = step as AppraisalStep;
      const c = current(s)!;
      ctx.effects.push({ type: 'provider_late', provider: 'agency', id: c.agencyId, article: 'RPR Art. 19 ¶3' });
      return replaceAgency(ctx, s, c, 'report_late', 'RPR Art. 19 ¶3');
    }
    case 'appraisal_correction': {
      const s = step as AppraisalStep;
      const c = current(s)!;
      ctx.effects.push({ type: 'provider_late', provider: 'agency', id: c.agencyId, article: 'RPR Art. 19 ¶3' });
      return replaceAgency(ctx, s, c, 'explanation_or_correction_late', 'RPR Arts. 19 ¶3, 20');
    }
    case 'reissue': {
      const r = ctx.s.reissue!;
      if (r.reports.length > 0) return completeReissue(ctx, r);
      r.status = 'failed';
      ctx.effects.push({ type: 'reissue_failed', article: d.article });
      return;
    }
    case 'agency_explanation': {
      const s = step as AppraisalStep;
      const o = current(s)!.objections.find((x) => x.id === d.ref)!;
      o.status = 'technical_review';
      ctx.effects.push({ type: 'request_technical_review', objectionId: o.id, reason: 'no_explanation' });
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Helpers

function fail(code: ValuationRefusalCode, article: string, message: string, condition?: string): never {
  throw { [REFUSAL]: valuationRefusal(code, article, message, condition) } satisfies Refused;
}

function mustAllow(ctx: Ctx, method: ValuationMethod): void {
  const check = checkMethod(ctx.s, method);
  if (!check.ok) throw { [REFUSAL]: check } satisfies Refused;
}

function stepBase(ctx: Ctx, actor: string, deadline: number | null) {
  if (typeof actor !== 'string' || actor === '') fail('INVALID_INPUT', 'RPR Art. 2', 'the clerk opening a step is named');
  return {
    id: `step-${ctx.s.steps.length + 1}`,
    status: 'active' as const,
    openedAt: ctx.t,
    deadline,
    actor,
    closedAt: null,
    outcome: null,
    failure: null,
  };
}

function courtDeadline(ctx: Ctx, given: number | undefined, defaultMs: number, article: string): number {
  if (given === undefined) return ctx.t + defaultMs;
  if (!Number.isSafeInteger(given) || given <= ctx.t) fail('DEADLINE_INVALID', article, 'the deadline must be in the future');
  return given;
}

type StepOf<M extends ValuationMethod> = Extract<ValuationStep, { method: M }>;

function requireStep<M extends ValuationMethod>(ctx: Ctx, method: M, phases?: string[]): StepOf<M> {
  const step = activeValuationStep(ctx.s);
  if (!step || step.method !== method) fail('EVENT_NOT_ALLOWED_NOW', 'RPR Art. 2', `no ${method} step is running`, `${method}_running`);
  if (phases && 'phase' in step && !phases.includes(step.phase)) {
    fail('EVENT_NOT_ALLOWED_NOW', 'RPR Art. 2', `the ${method} step is in phase ${step.phase}`, `phase_${phases.join('_or_')}`);
  }
  return step as StepOf<M>;
}

function platform(step: OnlineInquiryStep, id: string): PlatformEntry {
  const p = step.platforms.find((x) => x.platformId === id);
  if (!p) fail('UNKNOWN_PLATFORM', 'RPR Art. 10', `${id} was not commissioned`);
  return p;
}

function current(step: AppraisalStep): AgencyCommission | undefined {
  return step.commissions[step.commissions.length - 1];
}

function commissioned(step: AppraisalStep, agencyId: string): AgencyCommission {
  const c = current(step);
  if (!c || c.agencyId !== agencyId || c.status !== 'commissioned') {
    fail('AGENCY_NOT_COMMISSIONED', 'RPR Art. 17', `${agencyId} is not the agency commissioned`);
  }
  return c;
}

function checkPrice(priceFen: unknown): void {
  if (typeof priceFen !== 'number' || !Number.isSafeInteger(priceFen) || priceFen <= 0) {
    fail('PRICE_INVALID', 'RPR Art. 2', 'a price is a positive whole number of fen');
  }
}

function checkValidity(ctx: Ctx, validUntil: number, article: string): void {
  const r = checkSubmittedValidity(validUntil, ctx.t, ctx.profile);
  if (r) throw { [REFUSAL]: { ...r, article } } satisfies Refused;
}

function succeed(ctx: Ctx, step: ValuationStep, priceFen: number, validUntil: number, basis: string, sources: string[]): void {
  step.status = 'succeeded';
  step.closedAt = ctx.t;
  step.outcome = { priceFen, validUntil };
  if (step.method === 'online_inquiry' || step.method === 'appraisal') step.deadline = null;
  ctx.s.result = { referencePriceFen: priceFen, method: step.method, validUntil, decidedAt: ctx.t, stepId: step.id, basis, sources: [...sources] };
  ctx.effects.push({ type: 'reference_price_determined', result: { ...ctx.s.result, sources: [...sources] } });
}

function failStep(ctx: Ctx, step: ValuationStep, reason: string, article: string, switchedToAppraisalArt11_3 = false): void {
  step.status = 'failed';
  step.closedAt = ctx.t;
  step.failure = switchedToAppraisalArt11_3 ? { reason, article, switchedToAppraisalArt11_3 } : { reason, article };
  if (step.method === 'online_inquiry' || step.method === 'appraisal') step.deadline = null;
  ctx.effects.push({ type: 'method_failed', method: step.method, reason, article, nextAllowed: allowedMethods(ctx.s) });
}

function deriveStatus(s: ValuationState): ValuationStatus {
  if (s.withdrawal) return 'withdrawn';
  if (s.result) return 'determined';
  const step = activeValuationStep(s);
  if (!step) return 'open';
  if ((step.method === 'online_inquiry' || step.method === 'appraisal') && step.phase === 'objection') return 'objection';
  return step.method;
}
