import { AppError, type ErrorKind } from '../common/app-error.js';

export type EnrolmentErrorCode =
  | 'IDENTITY_NOT_VERIFIED'
  | 'LOT_NOT_OPEN_FOR_ENROLMENT'
  | 'ALREADY_ENROLLED'
  | 'BARRED_COURT_STAFF'
  | 'BARRED_OPERATOR'
  | 'BARRED_AUXILIARY_AGENCY'
  | 'BARRED_DEFAULTER'
  | 'NOT_ENROLLED'
  | 'PRIORITY_CLAIM_UNKNOWN_HOLDER'
  | 'PRIORITY_CONFIRMATION_TOO_LATE'
  | 'ENROLMENT_NOT_FOUND';

function describe(code: EnrolmentErrorCode): [ErrorKind, string] {
  switch (code) {
    case 'IDENTITY_NOT_VERIFIED':
      return ['forbidden', 'verify your real identity (实名认证) before enrolling (OJA Art. 17 ¶2)'];
    case 'LOT_NOT_OPEN_FOR_ENROLMENT':
      return ['state', 'the lot is not open for enrolment (only announced or live lots before their end)'];
    case 'ALREADY_ENROLLED':
      return ['conflict', 'you are already enrolled in this lot'];
    case 'BARRED_COURT_STAFF':
      return ['forbidden', 'staff of the enforcing court may not bid (OJA Art. 34)'];
    case 'BARRED_OPERATOR':
      return ['forbidden', 'the platform operator and its staff may not bid (OJA Art. 34)'];
    case 'BARRED_AUXILIARY_AGENCY':
      return ['forbidden', 'staff of an appraisal agency or inquiry platform working on this case may not bid (OJA Art. 34)'];
    case 'BARRED_DEFAULTER':
      return ['forbidden', 'a buyer who defaulted on this property may not bid in its re-auction (OJA Art. 24 ¶2)'];
    case 'NOT_ENROLLED':
      return ['not_found', 'you are not enrolled in this lot'];
    case 'PRIORITY_CLAIM_UNKNOWN_HOLDER':
      return ['bad_input', 'priorityClaim must name one of the lot’s disclosed priority right holders'];
    case 'PRIORITY_CONFIRMATION_TOO_LATE':
      return ['state', 'a priority purchaser must be confirmed before bidding starts (OJA Art. 19)'];
    case 'ENROLMENT_NOT_FOUND':
      return ['not_found', 'enrolment not found in this lot'];
  }
}

export class EnrolmentError extends AppError<EnrolmentErrorCode> {
  constructor(code: EnrolmentErrorCode, details?: Record<string, unknown>) {
    const [kind, message] = describe(code);
    super(code, kind, message, details);
  }
}
