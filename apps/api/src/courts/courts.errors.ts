import { AppError, type ErrorKind } from '../common/app-error.js';

export type CourtErrorCode = 'PARTY_HAS_ACCOUNT' | 'COURT_NAME_TAKEN' | 'CASE_NUMBER_TAKEN' | 'CASE_NEEDS_APPLICANT_AND_RESPONDENT' | 'CASE_NOT_FOUND' | 'COURT_NOT_FOUND';

function describe(code: CourtErrorCode): [ErrorKind, string] {
  switch (code) {
    case 'PARTY_HAS_ACCOUNT':
      return ['conflict', 'this party already has an account'];
    case 'COURT_NAME_TAKEN':
      return ['conflict', 'a court with this name already exists'];
    case 'CASE_NUMBER_TAKEN':
      return ['conflict', 'this case number already exists in the court'];
    case 'CASE_NEEDS_APPLICANT_AND_RESPONDENT':
      return ['bad_input', 'parties must include an applicant (申请执行人) and a respondent (被执行人)'];
    case 'CASE_NOT_FOUND':
      return ['not_found', 'case not found in your court'];
    case 'COURT_NOT_FOUND':
      return ['not_found', 'court not found'];
  }
}

export class CourtError extends AppError<CourtErrorCode> {
  constructor(code: CourtErrorCode, details?: Record<string, unknown>) {
    const [kind, message] = describe(code);
    super(code, kind, message, details);
  }
}
