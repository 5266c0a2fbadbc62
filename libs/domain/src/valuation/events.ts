/**
 * Events of the valuation procedure (one discriminated union, applied by `applyValuationEvent`) and the
 * effects it asks the API to carry out (letters, service, notices…). Events hold only JSON data; the
 * instant of application (`now`) is passed alongside, never read from a clock.
 */
import type {
  Art20Finding,
  JointRequest,
  ObjectionGround,
  ObjectionTarget,
  ValuationPartyRole,
  PostponementReason,
  PropertyFacts,
  ReferencePriceResult,
  ReportSample,
  ValuationMethod,
  WithdrawalReason,
} from './model.js';

export type ValuationEvent =
  // Art. 3: what the court found about the property.
  | { type: 'facts_recorded'; facts: PropertyFacts }
  // Art. 4: a party refuses to negotiate or cannot be found (either flag may be given).
  | { type: 'party_stance_recorded'; party: ValuationPartyRole; refusesNegotiation?: boolean; cannotBeFound?: boolean }
  // Arts. 5 ¶2, 7 ¶2, 14: both parties ask for a method (null clears a request).
  | { type: 'joint_request_recorded'; method: JointRequest | null }
  // Art. 4 negotiation (当事人议价).
  | { type: 'negotiation_opened'; actor: string; deadline?: number }
  | { type: 'negotiation_price_submitted'; party: ValuationPartyRole; priceFen: number; validUntil: number }
  | { type: 'negotiation_failed'; reason: string }
  // Arts. 5–6 directed inquiry (定向询价).
  | { type: 'directed_inquiry_opened'; actor: string; body: string; deadline?: number }
  | { type: 'directed_inquiry_result'; priceFen: number; validUntil: number }
  | { type: 'directed_inquiry_declined'; reason: string }
  // Arts. 10–13 online inquiry (网络询价).
  | { type: 'online_inquiry_opened'; actor: string; platformIds: string[] }
  | { type: 'online_extension_requested'; platformId: string }
  | { type: 'online_report_submitted'; platformId: string; priceFen: number; method: string; samples: ReportSample[]; validUntil: number }
  | { type: 'online_reports_reviewed'; faultyPlatformIds: string[] }
  | { type: 'online_report_corrected'; platformId: string; priceFen: number; validUntil: number }
  // Arts. 14–20 appraisal (委托评估).
  | { type: 'appraisal_opened'; actor: string; agreementDeadline?: number; bothPartiesAskLottery?: boolean }
  | { type: 'agencies_agreed'; agencyIds: string[] }
  | { type: 'lottery_committed'; commitment: string; candidateIds: string[]; subList: string }
  | { type: 'lottery_drawn'; seed: string; publicEntropy?: string }
  | { type: 'appraisal_extension_granted'; agencyId: string; requestedAt: number; extendByMs: number }
  | { type: 'appraisal_report_submitted'; agencyId: string; priceFen: number; validUntil: number; method: string; standards: string }
  | { type: 'appraisal_report_reviewed'; findings: Art20Finding[] }
  /** A written explanation or correction (说明/补正), Art. 20 or after an upheld objection; `priceFen` omitted = the price stands. */
  | { type: 'appraisal_correction_submitted'; agencyId: string; priceFen?: number; validUntil?: number }
  | { type: 'materials_returned'; agencyId: string }
  // Art. 21 service, Arts. 22–26 objections (异议).
  | { type: 'reports_served'; recipients: { id: string; servedAt?: number; publicNotice?: boolean }[] }
  | { type: 'objection_filed'; objectionId: string; objector: string; target: ObjectionTarget; grounds: ObjectionGround[]; platformIds?: string[] }
  | { type: 'objection_forwarded'; objectionId: string }
  | { type: 'agency_explanation_submitted'; objectionId: string }
  | { type: 'objector_responded'; objectionId: string; satisfied: boolean }
  | { type: 'technical_review_concluded'; objectionId: string; reportStands: boolean }
  | { type: 'objection_ruled'; objectionId: string; upheld: boolean }
  // Arts. 11 ¶4, 19 ¶4, 27: the validity ran out before the first-auction announcement.
  | { type: 'reissue_ordered' }
  | { type: 'reissued_report_submitted'; by: string; priceFen: number; validUntil: number }
  // Arts. 28–29.
  | { type: 'valuation_postponed'; reason: PostponementReason }
  | { type: 'valuation_resumed' }
  | { type: 'valuation_withdrawn'; reason: WithdrawalReason }
  // A timer found `dueDeadlines` non-empty: everything due at `now` is applied, oldest first.
  | { type: 'deadline_passed' };

export type ValuationEventType = ValuationEvent['type'];

/** What the API should do after a successful event (send letters, serve, notify, publish). */
export type ValuationEffect =
  | { type: 'reference_price_determined'; result: ReferencePriceResult }
  | { type: 'method_failed'; method: ValuationMethod; reason: string; article: string; nextAllowed: ValuationMethod[] }
  | { type: 'notify_parties_to_negotiate'; deadline: number }
  | { type: 'send_inquiry_letter'; body: string; deadline: number }
  | { type: 'dispatch_online_inquiry'; platformIds: string[]; deadline: number }
  | { type: 'extension_granted'; to: string[]; deadline: number; article: string }
  | { type: 'extension_refused'; to: string[]; reason: string; article: string }
  | { type: 'review_reports'; what: 'online_inquiry' | 'appraisal' }
  | { type: 'order_correction'; to: string[]; dueAt: number; article: string }
  | { type: 'serve_reports'; what: 'online_inquiry' | 'appraisal' | 'directed_inquiry' | 'explanation' | 'correction' | 'reissue'; dueAt: number }
  | { type: 'order_reissue'; to: string[]; dueAt: number; article: string }
  /** Nobody re-issued in time: the expired price stands unusable; a new valuation is needed. */
  | { type: 'reissue_failed'; article: string }
  | { type: 'hold_lottery'; reason: string }
  | { type: 'publish_lottery_commitment'; commitment: string; candidates: string[] }
  | { type: 'publish_lottery_result'; seed: string; publicEntropy: string; result: string[] }
  | { type: 'commission_agency'; agencyId: string; rank: number; deadline: number }
  | { type: 'return_materials'; agencyId: string; dueAt: number; reason: string }
  | { type: 'forward_objection'; objectionId: string; agencyId: string; dueAt: number }
  | { type: 'request_technical_review'; objectionId: string; reason: 'no_explanation' | 'objector_unsatisfied' }
  /** Art. 9 ¶2(2): five late inquiries a year remove a platform; the API keeps the count. */
  | { type: 'provider_late'; provider: 'platform' | 'agency'; id: string; article: string }
  /** A duty of the court or a provider is overdue (reminder only: the law attaches no automatic consequence). */
  | { type: 'overdue'; kind: ValuationReminderKind; ref: string; dueAt: number; article: string }
  | { type: 'valuation_withdrawn'; reason: WithdrawalReason; fee: 'none' | 'actual_costs' | 'not_applicable' };

export type ValuationReminderKind = 'start_procedure' | 'serve_reports' | 'forward_objection' | 'materials_return';
