import { AppError, type ErrorKind } from '../common/app-error.js';

export type LotErrorCode =
  | 'LOT_NOT_FOUND'
  | 'LOT_NOT_DRAFT'
  | 'CASE_NOT_IN_COURT'
  | 'PUBLICATION_REFUSED'
  | 'LOT_TRANSITION_REFUSED'
  | 'FILE_TYPE_NOT_ALLOWED'
  | 'FILE_TOO_LARGE'
  | 'TOO_MANY_FILES'
  | 'FILE_NOT_FOUND';

function describe(code: LotErrorCode): [ErrorKind, string] {
  switch (code) {
    case 'LOT_NOT_FOUND':
      return ['not_found', 'lot not found'];
    case 'LOT_NOT_DRAFT':
      return ['state', 'only a draft lot can be edited'];
    case 'CASE_NOT_IN_COURT':
      return ['not_found', 'case not found in your court'];
    case 'PUBLICATION_REFUSED':
      return ['conflict', 'the lot breaks statutory rules and cannot be published'];
    case 'LOT_TRANSITION_REFUSED':
      return ['state', 'the lot cannot make this change in its current state'];
    case 'FILE_TYPE_NOT_ALLOWED':
      return ['bad_input', 'file content is not an allowed type (JPEG, PNG, WebP or PDF)'];
    case 'FILE_TOO_LARGE':
      return ['bad_input', 'file is too large'];
    case 'TOO_MANY_FILES':
      return ['bad_input', 'the lot already has the maximum number of files'];
    case 'FILE_NOT_FOUND':
      return ['not_found', 'file not found'];
  }
}

export class LotError extends AppError<LotErrorCode> {
  constructor(code: LotErrorCode, details?: Record<string, unknown>, message?: string) {
    const [kind, defaultMessage] = describe(code);
    super(code, kind, message ?? defaultMessage, details);
  }
}
