import { AppError, type ErrorKind } from '../common/app-error.js';

export type LotErrorCode =
  | 'LOT_NOT_FOUND'
  | 'LOT_NOT_DRAFT'
  | 'CASE_NOT_IN_COURT'
  | 'PUBLICATION_REFUSED'
  | 'LOT_TRANSITION_REFUSED'
  | 'FILE_TYPE_NOT_ALLOWED'
  | 'FILE_TYPE_MISMATCH'
  | 'FILE_TOO_LARGE'
  | 'TOO_MANY_FILES'
  | 'FILE_NOT_FOUND'
  | 'FILE_CONTENT_MISSING'
  | 'RELIST_NOT_ALLOWED'
  | 'DISPOSITION_NOT_ALLOWED';

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
    case 'FILE_TYPE_MISMATCH':
      return ['bad_input', "the file's name and its content are of different types"];
    case 'FILE_TOO_LARGE':
      return ['too_large', 'file is too large'];
    case 'TOO_MANY_FILES':
      return ['bad_input', 'the lot already has the maximum number of files'];
    case 'FILE_NOT_FOUND':
      return ['not_found', 'file not found'];
    case 'FILE_CONTENT_MISSING':
      return ['not_found', "the file is on record but its content is missing from storage (reported to the platform's operator)"];
    case 'RELIST_NOT_ALLOWED':
      return ['state', 'only a defaulted lot (re-auction, OJA Art. 24), an unsold first round (→ second round, Art. 26) or an unsold second round (→ sale-off, Art. 26 ¶2) can be relisted, once'];
    case 'DISPOSITION_NOT_ALLOWED':
      return ['state', 'a disposition follows an unsold second round or sale-off, once (ASR Arts. 16, 24, 25)'];
  }
}

export class LotError extends AppError<LotErrorCode> {
  constructor(code: LotErrorCode, details?: Record<string, unknown>, message?: string) {
    const [kind, defaultMessage] = describe(code);
    super(code, kind, message ?? defaultMessage, details);
  }
}
