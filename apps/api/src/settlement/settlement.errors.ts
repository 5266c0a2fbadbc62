import { AppError, type ErrorKind } from '../common/app-error.js';

export type SettlementErrorCode =
  | 'SETTLEMENT_NOT_FOUND'
  | 'NOT_THE_BUYER'
  | 'BALANCE_NOT_DUE'
  | 'BALANCE_DEADLINE_PASSED'
  | 'BALANCE_DECLINED'
  | 'BALANCE_NEEDS_ACTION'
  | 'BALANCE_PAYMENT_METHOD_INVALID'
  | 'PAYMENT_PROVIDER_UNAVAILABLE'
  | 'RULING_BEFORE_FULL_PAYMENT'
  | 'ALREADY_RULED'
  | 'DEFAULT_NOT_ALLOWED'
  | 'RELIST_NOT_ALLOWED'
  | 'DISPOSITION_NOT_ALLOWED'
  | 'SET_ASIDE_NOT_ALLOWED';

function describe(code: SettlementErrorCode): [ErrorKind, string] {
  switch (code) {
    case 'SETTLEMENT_NOT_FOUND':
      return ['not_found', 'the lot has no sale to settle'];
    case 'NOT_THE_BUYER':
      return ['forbidden', 'only the buyer pays the balance'];
    case 'BALANCE_NOT_DUE':
      return ['state', 'no balance is due (already paid, ruled, defaulted or set aside)'];
    case 'BALANCE_DEADLINE_PASSED':
      return ['state', 'the balance deadline has passed (OJA Art. 24: default)'];
    case 'BALANCE_DECLINED':
      return ['payment_required', 'the card was declined; the balance is not paid'];
    case 'BALANCE_NEEDS_ACTION':
      return ['payment_required', 'the card needs authentication (3-D Secure) in the browser: finish it with Stripe.js and the client secret in details; the balance is not paid yet'];
    case 'BALANCE_PAYMENT_METHOD_INVALID':
      return ['bad_input', 'paymentMethod names no payment method the provider knows; the balance is not paid'];
    // The same code as the deposit's (payments.errors.ts): one meaning, one code, whichever payment it was.
    case 'PAYMENT_PROVIDER_UNAVAILABLE':
      return ['unavailable', 'the payment provider did not answer; the balance is still due and may be paid again (a payment that did go through is recorded from Stripe\'s notification)'];
    case 'RULING_BEFORE_FULL_PAYMENT':
      return ['state', 'the sale ruling (成交裁定) needs the price paid in full (ASR Art. 20)'];
    case 'ALREADY_RULED':
      return ['conflict', 'the sale ruling is already recorded'];
    case 'DEFAULT_NOT_ALLOWED':
      return ['state', 'only an unpaid sale can be declared in default'];
    case 'RELIST_NOT_ALLOWED':
      return ['state', 'this lot cannot be relisted: only a defaulted lot, an unsold first round (→ second, OJA Art. 26) or an unsold second round (→ sale-off) can'];
    case 'DISPOSITION_NOT_ALLOWED':
      return ['state', 'a disposition (以物抵债 / 解除查封) follows an unsold second round or sale-off only (ASR Arts. 16, 24, 25)'];
    case 'SET_ASIDE_NOT_ALLOWED':
      return ['state', 'only a finished sale can be set aside (OJA Art. 31)'];
  }
}

export class SettlementError extends AppError<SettlementErrorCode> {
  constructor(code: SettlementErrorCode, details?: Record<string, unknown>) {
    const [kind, message] = describe(code);
    super(code, kind, message, details);
  }
}
