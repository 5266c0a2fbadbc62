/**
 * The valuation procedure (确定财产处置参考价程序) of one property of an enforcement case, as plain
 * JSON-serialisable data: the API keeps it in a jsonb column and rebuilds it by replaying events through
 * `applyValuationEvent`. All instants are epoch milliseconds; all money is integer fen.
 */

/** The four methods of RPR Art. 2, in their statutory order (Arts. 4, 5, 7, 14). */
export type ValuationMethod = 'negotiation' | 'directed_inquiry' | 'online_inquiry' | 'appraisal';
export const VALUATION_METHODS: readonly ValuationMethod[] = ['negotiation', 'directed_inquiry', 'online_inquiry', 'appraisal'];

/** The two sides of the enforcement case: 申请执行人 (applicant creditor) and 被执行人 (judgment debtor). */
export type ValuationPartyRole = 'applicant' | 'respondent';

export type ValuationStatus =
  | 'open' // no method running: facts being investigated, or between methods after one failed
  | 'negotiation'
  | 'directed_inquiry'
  | 'online_inquiry'
  | 'appraisal'
  | 'objection' // report(s) served; objection window open or objections being handled
  | 'determined'
  | 'withdrawn';

/** What the court must establish before choosing a method (RPR Art. 3, rulebook §7.0). */
export interface PropertyFacts {
  /** 权属: who owns it, title documents. */
  title: string;
  /** 权利负担: mortgages, other seizures, leases… */
  encumbrances: string[];
  /** 占有使用: who occupies or uses it. */
  occupancy: string;
  /** 欠缴税费: unpaid taxes and fees, fen (0 when none). */
  unpaidTaxesFen: number;
  /** 质量瑕疵: known defects. */
  defects: string[];
  /** Has a tax base, government-set or government-guided price (计税基准价/政府定价/政府指导价), Art. 5. */
  hasGovernmentPrice: boolean;
  /**
   * Needs an on-site survey or expert appraisal by professionals, or otherwise lacks the conditions for
   * online inquiry (Art. 7: 需由专业人员现场勘验或者鉴定 / 不具备网络询价条件).
   */
  needsOnSiteSurvey: boolean;
  /** A law or administrative regulation requires appraisal (Art. 14). */
  appraisalRequiredByLaw: boolean;
}

export interface PartyStance {
  /** Refuses to negotiate (拒绝议价), Art. 4. */
  refusesNegotiation: boolean;
  /** Cannot be found (下落不明), Arts. 4, 16, 21. */
  cannotBeFound: boolean;
}

/** A method both parties asked for, skipping earlier ones (Arts. 5 ¶2, 7 ¶2, 14). */
export type JointRequest = 'directed_inquiry' | 'online_inquiry' | 'appraisal';

export interface PartyStances {
  applicant: PartyStance;
  respondent: PartyStance;
  jointRequest: JointRequest | null;
}

/** The reference price (参考价) once determined. */
export interface ReferencePriceResult {
  referencePriceFen: number;
  method: ValuationMethod;
  /** Last instant of validity (有效期), Art. 27: on time at exactly this instant. */
  validUntil: number;
  decidedAt: number;
  stepId: string;
  /** How the figure was reached, e.g. 'negotiation_agreed', 'art13_all_timely', 'appraisal_corrected'. */
  basis: string;
  /** Platforms or agency whose results make up the figure. */
  sources: string[];
}

export type ValuationStepStatus = 'active' | 'succeeded' | 'failed' | 'withdrawn';

export interface StepFailure {
  reason: string;
  article: string;
  /** Art. 31 ¶2: no online-inquiry fee when the court switched to appraisal under Art. 11 ¶3. */
  switchedToAppraisalArt11_3?: boolean;
}

interface StepBase {
  id: string;
  status: ValuationStepStatus;
  openedAt: number;
  /** The main deadline now running for this step (null when only the court is to act). */
  deadline: number | null;
  /** The court user who opened the step. */
  actor: string;
  closedAt: number | null;
  outcome: { priceFen: number; validUntil: number } | null;
  failure: StepFailure | null;
}

export interface NegotiationSubmission {
  priceFen: number;
  validUntil: number;
  submittedAt: number;
}

export interface NegotiationStep extends StepBase {
  method: 'negotiation';
  submissions: { applicant: NegotiationSubmission | null; respondent: NegotiationSubmission | null };
}

export interface DirectedInquiryStep extends StepBase {
  method: 'directed_inquiry';
  /** The body where the property is at the time (Art. 5), e.g. the local tax bureau. */
  body: string;
  result: { priceFen: number; validUntil: number; receivedAt: number } | null;
}

/** A reference sample of an online-inquiry report (参照样本), Art. 11 ¶1. */
export interface ReportSample {
  description: string;
  priceFen?: number;
  source?: string;
}

export interface OnlineReport {
  priceFen: number;
  method: string;
  samples: ReportSample[];
  validUntil: number;
  submittedAt: number;
}

export type PlatformStatus =
  | 'pending' // commissioned, no report yet
  | 'delivered' // report received within its deadline
  | 'late' // deadline passed without a report (Art. 11; counts towards Art. 9 removal)
  | 'excluded_faulty' // faulty while another report was clean: not asked to correct (Art. 12)
  | 'correction_due' // asked to correct within 3 days (Art. 12, or after an upheld objection)
  | 'corrected'
  | 'correction_late';

export interface PlatformEntry {
  platformId: string;
  status: PlatformStatus;
  deadline: number;
  extensionRequestedAt: number | null;
  extension: 'granted' | 'refused' | null;
  report: OnlineReport | null;
  correctionDueAt: number | null;
  correction: { priceFen: number; validUntil: number; submittedAt: number } | null;
}

/** One person served with a report (Art. 21). */
export interface ServedRecipient {
  id: string;
  servedAt: number;
  /** Published on 中国执行信息公开网 because the recipient cannot be reached: deemed received 15 days later. */
  publicNotice: boolean;
  receivedAt: number;
  /** Art. 22: objections within 5 days of receipt; on time at exactly this instant. */
  objectionDeadline: number;
}

export interface ReportService {
  servedAt: number;
  /** What was served: the platforms whose reports were served, or the agency whose report was. */
  reportIds: string[];
  recipients: ServedRecipient[];
  /** The latest objection deadline: once past, the window is closed for everyone. */
  windowClosesAt: number;
  windowClosed: boolean;
}

/** Art. 22 ¶1 grounds: (1) basic facts wrong, (2) beyond the property or missing property, (3) agency or appraiser unqualified, (4) serious procedural illegality. */
export type Art22Ground = 'facts_wrong' | 'scope' | 'qualification' | 'procedure';
/** Art. 23 ¶1 grounds, appraisal only: reference standards, calculation method, result. */
export type Art23Ground = 'standards' | 'method' | 'result';
export type ObjectionGround = Art22Ground | Art23Ground;
export const ART22_GROUNDS: readonly Art22Ground[] = ['facts_wrong', 'scope', 'qualification', 'procedure'];
export const ART23_GROUNDS: readonly Art23Ground[] = ['standards', 'method', 'result'];

/**
 * What an objection is aimed at. Only the report itself may be objected to: objections to a correction,
 * an explanation (补正说明) or a technical-review conclusion (专业技术评审结论) are refused (Art. 24 ¶1).
 */
export type ObjectionTarget = 'report' | 'correction' | 'explanation' | 'technical_review';

export type ObjectionStatus =
  | 'awaiting_ruling' // the clerk decides (Art. 22 ¶2, or after a technical review)
  | 'awaiting_forwarding' // Art. 23: the court forwards to the agency within 3 days
  | 'awaiting_explanation' // Art. 23: the agency explains in writing within 5 days
  | 'awaiting_objector' // explanation served; is the objector satisfied?
  | 'technical_review' // Art. 23: industry association's professional technical review
  | 'upheld'
  | 'rejected'
  | 'satisfied' // the objector accepted the agency's explanation
  | 'moot'; // no longer decides anything (report replaced; or Art. 13 ¶2 excludes the report anyway)

export interface Objection {
  id: string;
  objector: string;
  filedAt: number;
  grounds: ObjectionGround[];
  /** Online inquiry: the reports objected to. Empty for an appraisal report. */
  platformIds: string[];
  status: ObjectionStatus;
  /** Art. 23 ¶2: a mixed objection with grounds (3)/(4) has those examined first, under Art. 22 ¶2. */
  stage: 'art22' | 'art22_first' | 'art23';
  forwardDueAt: number | null;
  explanationDueAt: number | null;
  explanationAt: number | null;
  technicalReview: { reportStands: boolean; at: number } | null;
  ruling: { upheld: boolean; at: number } | null;
}

export interface OnlineInquiryStep extends StepBase {
  method: 'online_inquiry';
  phase: 'reporting' | 'extension' | 'review' | 'correction' | 'service' | 'objection';
  platforms: PlatformEntry[];
  /** Art. 21: the court serves the reports within 3 days of receiving them (a reminder, not a bar). */
  serveDueAt: number | null;
  service: ReportService | null;
  objections: Objection[];
}

/** Art. 20 review findings: (1)…(5). */
export type Art20Finding = 'facts_wrong' | 'scope' | 'wrong_agency' | 'licence_mismatch' | 'other';

export interface AppraisalReport {
  priceFen: number;
  validUntil: number;
  method: string;
  standards: string;
  submittedAt: number;
}

export type CommissionStatus =
  | 'commissioned' // writing the report
  | 'reported' // report in; review, service and objections follow
  | 'replaced'; // late, failed to correct, or an Art. 22 (3)/(4) objection upheld: next agency

export interface AgencyCommission {
  agencyId: string;
  /** 1-based rank from the agreement or the lottery. */
  rank: number;
  status: CommissionStatus;
  commissionedAt: number;
  /** Art. 19: 30 days, plus granted extensions. */
  deadline: number;
  extensions: { requestedAt: number; grantedAt: number; extendByMs: number }[];
  report: AppraisalReport | null;
  /** 'review': Art. 20 findings; 'objection': an upheld objection (Arts. 22–23, 26). */
  correctionOrdered: { reason: 'review' | 'objection'; dueAt: number; findings: string[] } | null;
  correction: { priceFen: number; validUntil: number; submittedAt: number; reason: 'review' | 'objection' }[];
  serveDueAt: number | null;
  service: ReportService | null;
  objections: Objection[];
  replacedReason: string | null;
  /** Art. 19 ¶3: materials handed over with the commission go back within 3 days of the replacement. */
  materialsReturnDueAt: number | null;
  materialsReturnedAt: number | null;
}

export interface LotteryRecord {
  commitment: string;
  /** Canonical (sorted) candidate ids, published with the commitment. */
  candidates: string[];
  subList: string;
  committedAt: number;
  seed: string | null;
  publicEntropy: string;
  result: string[] | null;
  drawnAt: number | null;
}

export interface AppraisalStep extends StepBase {
  method: 'appraisal';
  phase: 'selection' | 'lottery' | 'commissioned' | 'review' | 'review_correction' | 'service' | 'objection';
  selection: {
    /** Art. 16: the parties agree on three agencies and their order within this period. */
    agreementDeadline: number | null;
    mode: 'agreement' | 'lottery' | null;
    lotteryReason: 'agreement_failed' | 'party_cannot_be_found' | 'both_parties_asked' | null;
    lottery: LotteryRecord | null;
  };
  ranking: string[];
  commissions: AgencyCommission[];
}

export type ValuationStep = NegotiationStep | DirectedInquiryStep | OnlineInquiryStep | AppraisalStep;

export interface ValuationState {
  id: string;
  caseId: string;
  propertyId: string;
  status: ValuationStatus;
  createdAt: number;
  /** Date of the seizure (查封), if known: Art. 1 asks the procedure to start within 30 days. */
  seizedAt: number | null;
  facts: PropertyFacts | null;
  stances: PartyStances;
  steps: ValuationStep[];
  result: ReferencePriceResult | null;
  /** Results replaced by a re-issue (Arts. 11 ¶4, 19 ¶4), oldest first. */
  previousResults: ReferencePriceResult[];
  /** A re-issue ordered because the validity ran out before the announcement (Arts. 11 ¶4, 19 ¶4). */
  reissue: ReissueRecord | null;
  /** Art. 28 postponement (暂缓): every deadline of the running step is frozen from this instant. */
  postponedAt: number | null;
  postponements: { from: number; to: number | null; reason: string }[];
  withdrawal: { at: number; reason: WithdrawalReason } | null;
  /** Keys of reminders already raised, so `dueDeadlines` does not raise them twice. */
  remindersSent: string[];
  /** Number of events applied (the API can use it as an optimistic-lock version). */
  version: number;
}

/**
 * Re-issue (重新出具) of an expired online-inquiry or appraisal result: the platforms whose results made
 * up the price re-issue within 3 days (Art. 11 ¶4), the original agency within 15 days (Art. 19 ¶4).
 */
export interface ReissueRecord {
  method: 'online_inquiry' | 'appraisal';
  orderedAt: number;
  dueAt: number;
  from: string[];
  reports: { by: string; priceFen: number; validUntil: number; submittedAt: number }[];
  status: 'pending' | 'done' | 'failed';
}

/** Art. 29 ¶1 (must withdraw) and ¶2 (may withdraw). */
export type WithdrawalReason =
  | 'application_withdrawn'
  | 'obligations_performed'
  | 'title_revoked'
  | 'parties_agreed_price'
  | 'parties_agreed_not_to_sell'
  | 'other';

/** Art. 28 reasons. */
export type PostponementReason = 'enforcement_postponed_or_suspended' | 'materials_inconsistent' | 'other';
