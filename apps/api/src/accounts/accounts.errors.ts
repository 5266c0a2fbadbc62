import { AppError, type ErrorKind } from '../common/app-error.js';

export type AccountErrorCode =
  | 'EMAIL_TAKEN'
  | 'INVALID_CREDENTIALS'
  | 'ACCOUNT_LOCKED'
  | 'REFRESH_TOKEN_INVALID'
  | 'RESIDENT_ID_INVALID'
  | 'IDENTITY_ALREADY_VERIFIED'
  | 'IDENTITY_IN_USE'
  | 'STAFF_ORGANISATION_REQUIRED'
  | 'ORGANISATION_NOT_FOUND'
  | 'PASSWORD_CHECKS_BUSY';

function describe(code: AccountErrorCode): [ErrorKind, string] {
  switch (code) {
    case 'EMAIL_TAKEN':
      return ['conflict', 'an account with this email already exists'];
    case 'INVALID_CREDENTIALS':
      return ['unauthenticated', 'email or password is wrong'];
    case 'ACCOUNT_LOCKED':
      return ['rate_limited', 'too many failed logins; the account is locked for a while'];
    case 'REFRESH_TOKEN_INVALID':
      return ['unauthenticated', 'the refresh token is expired, used or revoked; log in again'];
    case 'RESIDENT_ID_INVALID':
      return ['bad_input', 'idNumber is not a valid 18-digit resident ID (GB 11643)'];
    case 'IDENTITY_ALREADY_VERIFIED':
      return ['conflict', 'this account has already verified its identity'];
    case 'IDENTITY_IN_USE':
      return ['conflict', 'this resident ID is already verified on another account'];
    case 'STAFF_ORGANISATION_REQUIRED':
      return ['bad_input', 'a court_clerk needs courtId and an appraiser needs agencyId'];
    case 'ORGANISATION_NOT_FOUND':
      return ['not_found', 'the court or agency does not exist'];
    case 'PASSWORD_CHECKS_BUSY':
      return ['unavailable', 'too many password checks are waiting; nothing was done, retry in a moment'];
  }
}

export class AccountError extends AppError<AccountErrorCode> {
  constructor(code: AccountErrorCode, details?: Record<string, unknown>) {
    const [kind, message] = describe(code);
    super(code, kind, message, details);
  }
}
