import type { ValuationRefusal, ValuationRefusalCode } from '@fapai/domain';
import { AppError, type ErrorKind } from '../common/app-error.js';

/** Codes of the API itself (access, inputs the domain does not see, files). */
export type ValuationApiErrorCode =
  | 'VALUATION_NOT_FOUND'
  | 'CASE_NOT_IN_COURT'
  | 'NOT_A_PARTY'
  | 'PARTY_ROLE_REQUIRED'
  | 'NO_ACTIVE_PLATFORMS'
  | 'NO_LOTTERY_CANDIDATES'
  | 'LOTTERY_SEED_MISSING'
  | 'AGENCY_NOT_FOUND'
  | 'NOTHING_TO_REPORT'
  | 'NO_EXTENSION_REQUEST'
  | 'REPORT_NOT_FOUND'
  | 'FILE_TYPE_NOT_ALLOWED'
  | 'FILE_TOO_LARGE'
  | 'TOO_MANY_FILES'
  | 'FILE_NOT_FOUND'
  | 'FILE_CONTENT_MISSING'
  | 'LOT_NOT_FOUND';

export type ValuationErrorCode = ValuationApiErrorCode | ValuationRefusalCode;

/**
 * HTTP kind and default message of every code. Domain refusals: 409 when a rule of the RPR refuses the
 * act, 422 when the act does not fit the procedure's current state (wrong step, phase, nothing due).
 */
function describe(code: ValuationErrorCode): [ErrorKind, string] {
  switch (code) {
    case 'VALUATION_NOT_FOUND':
      return ['not_found', 'valuation not found'];
    case 'CASE_NOT_IN_COURT':
      return ['not_found', 'case not found in your court'];
    case 'NOT_A_PARTY':
      return ['forbidden', 'you are not the applicant or the respondent of this case'];
    case 'PARTY_ROLE_REQUIRED':
      return ['bad_input', 'name the party (applicant or respondent)'];
    case 'NO_ACTIVE_PLATFORMS':
      return ['state', 'no active online inquiry platform is listed'];
    case 'NO_LOTTERY_CANDIDATES':
      return ['state', 'no active appraisal agency matches the sub-list'];
    case 'LOTTERY_SEED_MISSING':
      return ['state', 'the lottery seed is not held by the platform'];
    case 'AGENCY_NOT_FOUND':
      return ['not_found', 'agency not found'];
    case 'NOTHING_TO_REPORT':
      return ['state', 'your organisation has no report outstanding on this valuation'];
    case 'NO_EXTENSION_REQUEST':
      return ['state', 'the agency has not asked for an extension'];
    case 'REPORT_NOT_FOUND':
      return ['not_found', 'report not found'];
    case 'FILE_TYPE_NOT_ALLOWED':
      return ['bad_input', 'file content is not an allowed type (JPEG, PNG, WebP or PDF)'];
    case 'FILE_TOO_LARGE':
      return ['too_large', 'file is too large'];
    case 'TOO_MANY_FILES':
      return ['bad_input', 'the report already has the maximum number of files'];
    case 'FILE_NOT_FOUND':
      return ['not_found', 'file not found'];
    case 'FILE_CONTENT_MISSING':
      return ['not_found', "the file is on record but its content is missing from storage (reported to the platform's operator)"];
    case 'LOT_NOT_FOUND':
      return ['not_found', 'lot not found'];
    // --- domain refusals: the act does not fit the current state (422)
    case 'PROCEDURE_CLOSED':
    case 'PROCEDURE_POSTPONED':
    case 'FACTS_NOT_RECORDED':
    case 'STEP_IN_PROGRESS':
    case 'EVENT_NOT_ALLOWED_NOW':
    case 'NO_DEADLINE_DUE':
    case 'NOT_POSTPONED':
    case 'LOTTERY_NOT_COMMITTED':
    case 'LOTTERY_ALREADY_COMMITTED':
    case 'AGENCY_NOT_COMMISSIONED':
    case 'CORRECTION_NOT_ORDERED':
    case 'REPORT_NOT_SERVED':
    case 'UNKNOWN_OBJECTION':
    case 'UNKNOWN_PLATFORM':
    case 'PLATFORM_ALREADY_REPORTED':
    case 'NEGOTIATION_ALREADY_SUBMITTED':
    case 'EXTENSION_ALREADY_REQUESTED':
    case 'REISSUE_NOT_DUE':
    case 'REISSUE_NOT_ORDERED':
    case 'OBJECTIONS_PENDING':
    case 'INVALID_INPUT':
    case 'PRICE_INVALID':
    case 'DEADLINE_INVALID':
    case 'VALIDITY_INVALID':
    case 'PLATFORMS_INVALID':
    case 'REPORT_INCOMPLETE':
    case 'AGENCY_SELECTION_INVALID':
    case 'LOTTERY_COMMITMENT_INVALID':
    case 'LOTTERY_CANDIDATES_INVALID':
      return ['state', 'the valuation procedure cannot take this step in its current state'];
    // --- domain refusals: a rule of the RPR refuses it (409)
    case 'METHOD_OUT_OF_ORDER':
    case 'METHOD_ALREADY_FAILED':
    case 'NEGOTIATION_IMPOSSIBLE':
    case 'DIRECTED_INQUIRY_NEEDS_GOVERNMENT_PRICE':
    case 'ONLINE_INQUIRY_NEEDS_NO_SURVEY':
    case 'NO_USABLE_REPORT':
    case 'REFERENCE_PRICE_EXPIRED':
    case 'VALIDITY_TOO_LONG':
    case 'OBJECTION_LATE':
    case 'OBJECTION_NOT_ACCEPTED_FOR_METHOD':
    case 'OBJECTION_NOT_ACCEPTED_FOR_TARGET':
    case 'OBJECTION_GROUNDS_INVALID':
    case 'OBJECTOR_NOT_SERVED':
    case 'RULING_CONTRADICTS_TECHNICAL_REVIEW':
    case 'DEADLINE_PASSED':
    case 'JOINT_REQUEST_IMPOSSIBLE':
    case 'DIRECTED_INQUIRY_LATE':
    case 'ONLINE_REPORT_LATE':
    case 'EXTENSION_REQUEST_LATE':
    case 'EXTENSION_REFUSED_SOME_DELIVERED':
    case 'APPRAISAL_EXTENSION_LIMIT':
    case 'APPRAISAL_EXTENSION_TOO_LONG':
    case 'AGENCY_AGREEMENT_LATE':
    case 'AGENCY_AGREEMENT_PERIOD_OPEN':
    case 'APPRAISAL_REPORT_LATE':
    case 'CORRECTION_LATE':
    case 'EXPLANATION_LATE':
    case 'REISSUE_NOT_APPLICABLE':
    case 'REISSUE_LATE':
    case 'LOTTERY_COMMITMENT_MISMATCH':
    case 'LOTTERY_RESULT_MISMATCH':
      return ['conflict', 'a rule of the reference-price procedure refuses this'];
  }
}

export function valuationErrorKind(code: ValuationErrorCode): ErrorKind {
  return describe(code)[0];
}

export class ValuationError extends AppError<ValuationErrorCode> {
  constructor(code: ValuationErrorCode, details?: Record<string, unknown>, message?: string) {
    const [kind, defaultMessage] = describe(code);
    super(code, kind, message ?? defaultMessage, details);
  }

  /** A domain refusal with its article and the failed condition in `details`. */
  static fromRefusal(refusal: ValuationRefusal | { code: ValuationRefusalCode; message: string; article: string; condition?: string }, extra: Record<string, unknown> = {}): ValuationError {
    const details: Record<string, unknown> = { article: refusal.article, ...extra };
    if (refusal.condition !== undefined) details['condition'] = refusal.condition;
    return new ValuationError(refusal.code, details, refusal.message);
  }
}
