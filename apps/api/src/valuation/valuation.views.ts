import {
  activeValuationStep,
  allowedMethods,
  pendingValuationDeadlines,
  type RulesProfile,
  type AgencyCommission,
  type Objection,
  type ValuationState,
  type ValuationStep,
} from '@fapai/domain';
import type { AppraiserWorkItem, ValuationPropertyView } from '@fapai/contracts';
import type { Valuation, ValuationReport } from './valuation.entity.js';
import { isoTimes } from '../common/iso-times.js';

/** The property as every valuation route sends it (the `ValuationPropertyView` contract). */
export function propertyView(v: Pick<Valuation, 'property'>): ValuationPropertyView {
  return { description: v.property };
}

/** Who is looking at a valuation, and what their role lets them see. */
export type Viewer =
  | { kind: 'clerk'; userId: string }
  | { kind: 'party'; userId: string; partyIds: string[]; sides: ('applicant' | 'respondent')[] }
  | { kind: 'appraiser'; userId: string; agencyId: string };

function objectionView(o: Objection) {
  return { ...o };
}

function commissionView(c: AgencyCommission) {
  return { ...c, objections: c.objections.map(objectionView) };
}

/** One step as the viewer may see it: a provider sees only its own entries; parties see prices once served. */
function stepView(step: ValuationStep, viewer: Viewer) {
  const base = {
    id: step.id,
    method: step.method,
    status: step.status,
    openedAt: step.openedAt,
    deadline: step.deadline,
    actor: step.actor,
    closedAt: step.closedAt,
    outcome: step.outcome,
    failure: step.failure,
  };
  switch (step.method) {
    case 'negotiation': {
      const show = (side: 'applicant' | 'respondent') => {
        const s = step.submissions[side];
        const full = viewer.kind === 'clerk' || (viewer.kind === 'party' && (viewer.sides.includes(side) || step.status !== 'active'));
        return s ? (full ? { ...s, submitted: true } : { submitted: true }) : { submitted: false };
      };
      return { ...base, submissions: { applicant: show('applicant'), respondent: show('respondent') } };
    }
    case 'directed_inquiry':
      return { ...base, body: step.body, result: step.result };
    case 'online_inquiry': {
      const served = step.service !== null || step.status !== 'active';
      const platforms = step.platforms
        .filter((p) => viewer.kind !== 'appraiser' || p.platformId === viewer.agencyId)
        .map((p) => (viewer.kind === 'party' && !served ? { ...p, report: p.report ? { submitted: true } : null, correction: p.correction ? { submitted: true } : null } : p));
      const objections = step.objections.filter((o) => viewer.kind !== 'appraiser' || o.platformIds.includes(viewer.agencyId)).map(objectionView);
      return { ...base, phase: step.phase, serveDueAt: step.serveDueAt, service: viewer.kind === 'appraiser' ? null : step.service, platforms, objections };
    }
    case 'appraisal': {
      const commissions = step.commissions.filter((c) => viewer.kind !== 'appraiser' || c.agencyId === viewer.agencyId).map(commissionView);
      return { ...base, phase: step.phase, selection: step.selection, ranking: step.ranking, commissions };
    }
  }
}

export function reportView(r: ValuationReport, valuationId: string) {
  return {
    id: r.id,
    stepId: r.stepId,
    agencyId: r.agencyId,
    kind: r.kind,
    price: r.price,
    method: r.method,
    standards: r.standards,
    samples: r.samples,
    validUntil: r.validUntil?.toISOString() ?? null,
    note: r.note,
    objectionId: r.objectionId,
    files: r.files.map((f) => ({ id: f.id, name: f.name, contentType: f.contentType, size: f.size, url: `/api/valuations/${valuationId}/reports/${r.id}/files/${f.id}` })),
    submittedAt: r.submittedAt.toISOString(),
  };
}

/** Reports a viewer may read: the clerk all; an agency its own; parties those of served or closed steps. */
export function visibleReports(state: ValuationState, reports: ValuationReport[], viewer: Viewer): ValuationReport[] {
  if (viewer.kind === 'clerk') return reports;
  if (viewer.kind === 'appraiser') return reports.filter((r) => r.agencyId === viewer.agencyId);
  return reports.filter((r) => {
    const step = state.steps.find((s) => s.id === r.stepId);
    if (!step || step.status !== 'active') return true;
    if (step.method === 'online_inquiry') return step.service !== null;
    if (step.method === 'appraisal') return step.commissions.some((c) => c.agencyId === r.agencyId && c.service !== null);
    return true;
  });
}

/** The valuation as its viewer's role allows (GET /api/valuations/:id); clerks also get the running deadlines. */
export function valuationView(v: Valuation, viewer: Viewer, reports: ValuationReport[], rules: RulesProfile) {
  const s = v.state;
  const active = activeValuationStep(s);
  const objections = s.steps.flatMap((step): (Objection & { stepId: string; agencyId: string | null })[] => {
    if (step.method === 'online_inquiry') return step.objections.filter((o) => viewer.kind !== 'appraiser' || o.platformIds.includes(viewer.agencyId)).map((o) => ({ stepId: step.id, agencyId: null, ...o }));
    if (step.method === 'appraisal') return step.commissions.filter((c) => viewer.kind !== 'appraiser' || c.agencyId === viewer.agencyId).flatMap((c) => c.objections.map((o) => ({ stepId: step.id, agencyId: c.agencyId, ...o })));
    return [];
  });
  const lotteryStep = [...s.steps].reverse().find((x) => x.method === 'appraisal' && x.selection.lottery !== null);
  const lottery = lotteryStep?.method === 'appraisal' ? lotteryStep.selection.lottery : null;
  return isoTimes({
    id: v.id,
    caseId: v.caseId,
    courtId: v.courtId,
    property: propertyView(v),
    facts: s.facts,
    status: v.status,
    method: v.method,
    activeStepId: active?.id ?? null,
    referencePrice: v.referencePrice,
    currency: 'CNY',
    validUntil: s.result?.validUntil ?? null,
    result: s.result,
    previousResults: s.previousResults,
    nextDeadlineAt: v.nextDeadlineAt ? v.nextDeadlineAt.getTime() : null,
    stances: viewer.kind === 'appraiser' ? null : s.stances,
    allowedMethods: viewer.kind === 'clerk' ? allowedMethods(s) : undefined,
    deadlines: viewer.kind === 'clerk' ? pendingValuationDeadlines(s, rules).map((d) => ({ kind: d.kind, dueAt: d.at, stepId: d.stepId, ref: d.ref, article: d.article })) : undefined,
    steps: s.steps.map((step) => stepView(step, viewer)),
    objections,
    lottery: lottery ? { stepId: lotteryStep!.id, commitment: lottery.commitment, candidates: lottery.candidates, subList: lottery.subList, committedAt: lottery.committedAt, seed: lottery.seed, publicEntropy: lottery.publicEntropy, result: lottery.result, drawnAt: lottery.drawnAt } : null,
    reissue: s.reissue,
    postponedAt: s.postponedAt,
    postponements: s.postponements,
    withdrawal: s.withdrawal,
    version: s.version,
    createdAt: v.createdAt.getTime(),
    updatedAt: v.updatedAt.getTime(),
    reports: visibleReports(s, reports, viewer).map((r) => reportView(r, v.id)),
  });
}

/** One item of the appraiser's queue (the `AppraiserWorkItem` contract), times as ISO strings. */
export function queueItemView(v: Valuation, work: ReturnType<typeof openWorkFor>): AppraiserWorkItem {
  return isoTimes({ valuationId: v.id, caseId: v.caseId, property: propertyView(v), facts: v.state.facts, status: v.status, method: v.method, work }) as unknown as AppraiserWorkItem;
}

/** What an agency or platform still has to deliver on a valuation, with the deadline (the appraiser's queue). */
export function openWorkFor(state: ValuationState, agencyId: string): { kind: string; stepId: string; dueAt: number | null; ref?: string }[] {
  const out: { kind: string; stepId: string; dueAt: number | null; ref?: string }[] = [];
  if (state.reissue?.status === 'pending' && state.reissue.from.includes(agencyId) && !state.reissue.reports.some((r) => r.by === agencyId)) {
    out.push({ kind: 'reissue', stepId: state.result?.stepId ?? '', dueAt: state.reissue.dueAt });
  }
  if (state.postponedAt !== null || state.withdrawal) return out;
  const step = activeValuationStep(state);
  if (!step) return out;
  if (step.method === 'online_inquiry') {
    const p = step.platforms.find((x) => x.platformId === agencyId);
    if (p?.status === 'pending') out.push({ kind: 'online_report', stepId: step.id, dueAt: p.deadline });
    if (p?.status === 'correction_due') out.push({ kind: 'online_correction', stepId: step.id, dueAt: p.correctionDueAt });
  }
  if (step.method === 'appraisal') {
    const c = step.commissions[step.commissions.length - 1];
    if (c && c.agencyId === agencyId) {
      if (c.status === 'commissioned') out.push({ kind: 'appraisal_report', stepId: step.id, dueAt: c.deadline });
      if (c.correctionOrdered) out.push({ kind: 'appraisal_correction', stepId: step.id, dueAt: c.correctionOrdered.dueAt });
      for (const o of c.objections) if (o.status === 'awaiting_explanation') out.push({ kind: 'objection_explanation', stepId: step.id, dueAt: o.explanationDueAt, ref: o.id });
    }
  }
  return out;
}
