/**
 * Every coded refusal of the valuation (参考价) module, so the API can map them to HTTP statuses and
 * messages with an exhaustive switch. A refusal names the article and, where a rule has several
 * conditions, the one that failed (`condition`).
 */
import type { LotteryRefusalCode } from './lottery.js';

/** Refusals of `checkMethod` (order of methods and shortcuts, RPR Arts. 3–5, 7, 14, 16). */
export type MethodRefusalCode =
  | 'PROCEDURE_CLOSED'
  | 'PROCEDURE_POSTPONED'
  | 'FACTS_NOT_RECORDED'
  | 'STEP_IN_PROGRESS'
  | 'METHOD_OUT_OF_ORDER'
  | 'METHOD_ALREADY_FAILED'
  | 'NEGOTIATION_IMPOSSIBLE'
  | 'DIRECTED_INQUIRY_NEEDS_GOVERNMENT_PRICE'
  | 'ONLINE_INQUIRY_NEEDS_NO_SURVEY';

/** Refusals of `onlineInquiryReferencePrice` (RPR Art. 13). */
export type AveragingRefusalCode = 'NO_USABLE_REPORT' | 'OBJECTIONS_PENDING';

/** Refusals of `validityCheck` and of every submitted result (RPR Art. 27). */
export type ValidityRefusalCode = 'REFERENCE_PRICE_EXPIRED' | 'VALIDITY_TOO_LONG' | 'VALIDITY_INVALID';

/** Refusals of objections (RPR Arts. 21–25). */
export type ObjectionRefusalCode =
  | 'OBJECTION_LATE'
  | 'OBJECTION_NOT_ACCEPTED_FOR_METHOD'
  | 'OBJECTION_NOT_ACCEPTED_FOR_TARGET'
  | 'OBJECTION_GROUNDS_INVALID'
  | 'OBJECTOR_NOT_SERVED'
  | 'REPORT_NOT_SERVED'
  | 'UNKNOWN_OBJECTION'
  | 'RULING_CONTRADICTS_TECHNICAL_REVIEW';

/** Refusals of events on inquiries and appraisals (RPR Arts. 4–20, 28–29). */
export type StepRefusalCode =
  | 'EVENT_NOT_ALLOWED_NOW'
  | 'NO_DEADLINE_DUE'
  | 'DEADLINE_INVALID'
  | 'DEADLINE_PASSED'
  | 'INVALID_INPUT'
  | 'PRICE_INVALID'
  | 'JOINT_REQUEST_IMPOSSIBLE'
  | 'NEGOTIATION_ALREADY_SUBMITTED'
  | 'DIRECTED_INQUIRY_LATE'
  | 'PLATFORMS_INVALID'
  | 'UNKNOWN_PLATFORM'
  | 'PLATFORM_ALREADY_REPORTED'
  | 'ONLINE_REPORT_LATE'
  | 'REPORT_INCOMPLETE'
  | 'EXTENSION_REQUEST_LATE'
  | 'EXTENSION_ALREADY_REQUESTED'
  | 'EXTENSION_REFUSED_SOME_DELIVERED'
  | 'APPRAISAL_EXTENSION_LIMIT'
  | 'APPRAISAL_EXTENSION_TOO_LONG'
  | 'AGENCY_SELECTION_INVALID'
  | 'AGENCY_AGREEMENT_LATE'
  | 'AGENCY_AGREEMENT_PERIOD_OPEN'
  | 'LOTTERY_NOT_COMMITTED'
  | 'LOTTERY_ALREADY_COMMITTED'
  | 'AGENCY_NOT_COMMISSIONED'
  | 'APPRAISAL_REPORT_LATE'
  | 'CORRECTION_NOT_ORDERED'
  | 'CORRECTION_LATE'
  | 'EXPLANATION_LATE'
  | 'NOT_POSTPONED'
  | 'REISSUE_NOT_APPLICABLE'
  | 'REISSUE_NOT_DUE'
  | 'REISSUE_NOT_ORDERED'
  | 'REISSUE_LATE';

/** Every refusal code of the module. */
export type ValuationRefusalCode =
  | MethodRefusalCode
  | AveragingRefusalCode
  | ValidityRefusalCode
  | ObjectionRefusalCode
  | StepRefusalCode
  | LotteryRefusalCode;

/** The same codes as a runtime list (for an exhaustive mapping test in the API). */
export const VALUATION_REFUSAL_CODES = [
  'PROCEDURE_CLOSED',
  'PROCEDURE_POSTPONED',
  'FACTS_NOT_RECORDED',
  'STEP_IN_PROGRESS',
  'METHOD_OUT_OF_ORDER',
  'METHOD_ALREADY_FAILED',
  'NEGOTIATION_IMPOSSIBLE',
  'DIRECTED_INQUIRY_NEEDS_GOVERNMENT_PRICE',
  'ONLINE_INQUIRY_NEEDS_NO_SURVEY',
  'NO_USABLE_REPORT',
  'OBJECTIONS_PENDING',
  'REFERENCE_PRICE_EXPIRED',
  'VALIDITY_TOO_LONG',
  'VALIDITY_INVALID',
  'OBJECTION_LATE',
  'OBJECTION_NOT_ACCEPTED_FOR_METHOD',
  'OBJECTION_NOT_ACCEPTED_FOR_TARGET',
  'OBJECTION_GROUNDS_INVALID',
  'OBJECTOR_NOT_SERVED',
  'REPORT_NOT_SERVED',
  'UNKNOWN_OBJECTION',
  'RULING_CONTRADICTS_TECHNICAL_REVIEW',
  'EVENT_NOT_ALLOWED_NOW',
  'NO_DEADLINE_DUE',
  'DEADLINE_INVALID',
  'DEADLINE_PASSED',
  'INVALID_INPUT',
  'PRICE_INVALID',
  'JOINT_REQUEST_IMPOSSIBLE',
  'NEGOTIATION_ALREADY_SUBMITTED',
  'DIRECTED_INQUIRY_LATE',
  'PLATFORMS_INVALID',
  'UNKNOWN_PLATFORM',
  'PLATFORM_ALREADY_REPORTED',
  'ONLINE_REPORT_LATE',
  'REPORT_INCOMPLETE',
  'EXTENSION_REQUEST_LATE',
  'EXTENSION_ALREADY_REQUESTED',
  'EXTENSION_REFUSED_SOME_DELIVERED',
  'APPRAISAL_EXTENSION_LIMIT',
  'APPRAISAL_EXTENSION_TOO_LONG',
  'AGENCY_SELECTION_INVALID',
  'AGENCY_AGREEMENT_LATE',
  'AGENCY_AGREEMENT_PERIOD_OPEN',
  'LOTTERY_NOT_COMMITTED',
  'LOTTERY_ALREADY_COMMITTED',
  'AGENCY_NOT_COMMISSIONED',
  'APPRAISAL_REPORT_LATE',
  'CORRECTION_NOT_ORDERED',
  'CORRECTION_LATE',
  'EXPLANATION_LATE',
  'NOT_POSTPONED',
  'REISSUE_NOT_APPLICABLE',
  'REISSUE_NOT_DUE',
  'REISSUE_NOT_ORDERED',
  'REISSUE_LATE',
  'LOTTERY_COMMITMENT_INVALID',
  'LOTTERY_CANDIDATES_INVALID',
  'LOTTERY_COMMITMENT_MISMATCH',
  'LOTTERY_RESULT_MISMATCH',
] as const satisfies readonly ValuationRefusalCode[];

/** A coded refusal: what was refused, under which article, and which condition failed. */
export interface ValuationRefusal<C extends ValuationRefusalCode = ValuationRefusalCode> {
  ok: false;
  code: C;
  message: string;
  article: string;
  condition?: string;
}

export function valuationRefusal<C extends ValuationRefusalCode>(code: C, article: string, message: string, condition?: string): ValuationRefusal<C> {
  return condition === undefined ? { ok: false, code, message, article } : { ok: false, code, message, article, condition };
}
