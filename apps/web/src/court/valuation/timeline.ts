/**
 * The timeline of a reference-price procedure, as pure functions: the applied events (what happened,
 * when) merged with the deadlines now running (what is due, when, under which article), and the
 * statutory period of each deadline kind from the rules profile in force (`GET /api/rules`).
 */
import type { ValuationDeadlineKind, RulesProfile } from '@fapai/domain';
import type { ValuationDeadlineView, ValuationEventView, ValuationView } from '@fapai/contracts';

/**
 * The statutory period behind a deadline kind, and whether the court sets it (then the period is only
 * the default the platform offers). Null for a kind the profile does not know.
 */
export function statutoryPeriod(kind: string, rules: Pick<RulesProfile, 'valuation'>, reissueMethod?: 'online_inquiry' | 'appraisal'): { ms: number; courtSet: boolean } | null {
  const v = rules.valuation;
  const table: Record<ValuationDeadlineKind, { ms: number; courtSet: boolean }> = {
    start_procedure: { ms: v.startWithinMsOfSeizure, courtSet: false },
    serve_reports: { ms: v.serveReportsMs, courtSet: false },
    forward_objection: { ms: v.forwardObjectionMs, courtSet: false },
    materials_return: { ms: v.returnMaterialsMs, courtSet: false },
    negotiation: { ms: v.defaultNegotiationMs, courtSet: true },
    directed_inquiry: { ms: v.defaultDirectedInquiryMs, courtSet: true },
    online_report: { ms: v.onlineInquiryReportMs, courtSet: false },
    online_correction: { ms: v.onlineInquiryCorrectionMs, courtSet: false },
    objection_window: { ms: v.objectionMs, courtSet: false },
    agency_agreement: { ms: v.agencyAgreementMs, courtSet: true },
    appraisal_report: { ms: v.appraisalReportMs, courtSet: false },
    appraisal_correction: { ms: v.appraisalCorrectionMs, courtSet: false },
    reissue: { ms: reissueMethod === 'appraisal' ? v.appraisalReissueMs : v.onlineInquiryReissueMs, courtSet: false },
    agency_explanation: { ms: v.agencyExplanationMs, courtSet: false },
  };
  return (table as Record<string, { ms: number; courtSet: boolean }>)[kind] ?? null;
}

export type TimelineEntry =
  | { kind: 'event'; at: string; type: string; seq: number; detail: EventDetail }
  | { kind: 'deadline'; at: string; deadline: ValuationDeadlineView };

/** What an event's payload says that a clerk wants on the timeline: an amount, a party, an organisation. */
export interface EventDetail {
  priceFen?: number;
  party?: string;
  orgIds?: string[];
  reason?: string;
  method?: string;
  upheld?: boolean;
  satisfied?: boolean;
  reportStands?: boolean;
}

function detailOf(payload: Record<string, unknown>): EventDetail {
  const d: EventDetail = {};
  if (typeof payload.priceFen === 'number') d.priceFen = payload.priceFen;
  if (typeof payload.party === 'string') d.party = payload.party;
  const org = payload.platformId ?? payload.agencyId ?? payload.by;
  if (typeof org === 'string') d.orgIds = [org];
  if (Array.isArray(payload.agencyIds)) d.orgIds = payload.agencyIds.filter((x): x is string => typeof x === 'string');
  if (typeof payload.reason === 'string') d.reason = payload.reason;
  if (typeof payload.method === 'string' && payload.type === 'joint_request_recorded') d.method = payload.method;
  if (typeof payload.upheld === 'boolean') d.upheld = payload.upheld;
  if (typeof payload.satisfied === 'boolean') d.satisfied = payload.satisfied;
  if (typeof payload.reportStands === 'boolean') d.reportStands = payload.reportStands;
  return d;
}

/**
 * Every applied event and every running deadline, oldest first (events before a deadline at the same
 * instant). The facts recorded with the creation are one entry with it, not two.
 */
export function buildTimeline(view: Pick<ValuationView, 'deadlines'>, events: readonly ValuationEventView[]): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  for (const e of events) {
    if (e.type === 'facts_recorded' && events.some((x) => x.type === 'procedure_created' && x.at === e.at)) continue;
    out.push({ kind: 'event', at: e.at, type: e.type, seq: e.seq, detail: detailOf({ ...e.payload, type: e.type }) });
  }
  for (const d of view.deadlines ?? []) out.push({ kind: 'deadline', at: d.dueAt, deadline: d });
  return out.sort((a, b) => {
    const byTime = Date.parse(a.at) - Date.parse(b.at);
    if (byTime !== 0) return byTime;
    if (a.kind !== b.kind) return a.kind === 'event' ? -1 : 1;
    return a.kind === 'event' && b.kind === 'event' ? a.seq - b.seq : 0;
  });
}
