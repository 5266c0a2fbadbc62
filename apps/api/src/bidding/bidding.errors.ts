import type { BidRefusalCode } from '@fapai/domain';
import { AppError, type ErrorKind } from '../common/app-error.js';

export type BiddingErrorCode = BidRefusalCode | 'LOT_NOT_FOUND' | 'LOT_NOT_CLOSED' | 'LOT_WITHDRAWN' | 'IDEMPOTENCY_KEY_REUSED';

/** Every refusal of the bid decision has its stable code; 409 (a rule of the auction refuses it) or 422. */
function kindOf(code: BiddingErrorCode): ErrorKind {
  switch (code) {
    case 'LOT_NOT_FOUND':
      return 'not_found';
    case 'NOT_ENROLLED':
      return 'forbidden';
    case 'LOT_NOT_LIVE':
    case 'LOT_ENDED':
    case 'LOT_NOT_CLOSED':
    case 'LOT_WITHDRAWN':
      return 'state';
    default:
      return 'conflict';
  }
}

export class BiddingError extends AppError<BiddingErrorCode> {
  constructor(code: BiddingErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, kindOf(code), message, details);
  }
}
