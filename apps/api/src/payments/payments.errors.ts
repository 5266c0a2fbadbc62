import { AppError, type ErrorKind } from '../common/app-error.js';

export type PaymentErrorCode = 'DEPOSIT_DECLINED' | 'DEPOSIT_NEEDS_ACTION' | 'PAYMENT_PROVIDER_UNAVAILABLE' | 'WEBHOOK_SIGNATURE_INVALID' | 'WEBHOOK_EVENT_MALFORMED' | 'DEPOSIT_NOT_FOUND';

function describe(code: PaymentErrorCode): [ErrorKind, string] {
  switch (code) {
    case 'DEPOSIT_DECLINED':
      return ['payment_required', 'the card was declined; the deposit is not paid'];
    case 'DEPOSIT_NEEDS_ACTION':
      return ['payment_required', 'the card needs authentication in the browser (use the client secret with Stripe.js)'];
    case 'PAYMENT_PROVIDER_UNAVAILABLE':
      return ['unavailable', 'the payment provider did not answer; nothing was charged twice, please retry'];
    case 'WEBHOOK_SIGNATURE_INVALID':
      return ['bad_input', 'the Stripe-Signature header does not match the body'];
    case 'WEBHOOK_EVENT_MALFORMED':
      return ['bad_input', 'the Stripe event lacks a field every event has'];
    case 'DEPOSIT_NOT_FOUND':
      return ['not_found', 'deposit not found'];
  }
}

export class PaymentError extends AppError<PaymentErrorCode> {
  constructor(code: PaymentErrorCode, details?: Record<string, unknown>, message?: string) {
    const [kind, defaultMessage] = describe(code);
    super(code, kind, message ?? defaultMessage, details);
  }
}
