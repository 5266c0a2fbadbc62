/**
 * Stripe's test PaymentMethod tokens (docs: Testing → "Declined payments", "3D Secure"). Confirming with
 * a token creates a new PaymentMethod (`pm_…`) that carries the card's behaviour, as Stripe does.
 */
export type CardOutcome =
  | { kind: 'approve' }
  | { kind: 'authenticate' }
  | { kind: 'decline'; code: string; declineCode: string; message: string; param?: string };

export interface TestCard {
  brand: string;
  last4: string;
  funding: 'credit' | 'debit';
  country: string;
  outcome: CardOutcome;
}

const approve: CardOutcome = { kind: 'approve' };
const declined = (declineCode: string, message = 'Your card was declined.'): CardOutcome => ({
  kind: 'decline',
  code: 'card_declined',
  declineCode,
  message,
});
const visa = (last4: string, outcome: CardOutcome): TestCard => ({ brand: 'visa', last4, funding: 'credit', country: 'US', outcome });

export const TEST_CARDS: Readonly<Record<string, TestCard>> = {
  pm_card_visa: visa('4242', approve),
  pm_card_visa_debit: { brand: 'visa', last4: '5556', funding: 'debit', country: 'US', outcome: approve },
  pm_card_mastercard: { brand: 'mastercard', last4: '4444', funding: 'credit', country: 'US', outcome: approve },
  pm_card_amex: { brand: 'amex', last4: '0005', funding: 'credit', country: 'US', outcome: approve },
  pm_card_unionpay: { brand: 'unionpay', last4: '0005', funding: 'credit', country: 'CN', outcome: approve },
  pm_card_chargeDeclined: visa('0002', declined('generic_decline')),
  pm_card_chargeDeclinedInsufficientFunds: visa('9995', declined('insufficient_funds', 'Your card has insufficient funds.')),
  pm_card_chargeDeclinedLostCard: visa('9987', declined('lost_card')),
  pm_card_chargeDeclinedStolenCard: visa('9979', declined('stolen_card')),
  pm_card_chargeDeclinedFraudulent: visa('0019', declined('fraudulent')),
  pm_card_chargeDeclinedExpiredCard: visa('0069', {
    kind: 'decline',
    code: 'expired_card',
    declineCode: 'expired_card',
    message: 'Your card has expired.',
    param: 'exp_month',
  }),
  pm_card_chargeDeclinedIncorrectCvc: visa('0127', {
    kind: 'decline',
    code: 'incorrect_cvc',
    declineCode: 'incorrect_cvc',
    message: "Your card's security code is incorrect.",
    param: 'cvc',
  }),
  pm_card_chargeDeclinedProcessingError: visa('0119', {
    kind: 'decline',
    code: 'processing_error',
    declineCode: 'processing_error',
    message: 'An error occurred while processing your card. Try again in a little bit.',
  }),
  pm_card_authenticationRequired: visa('3184', { kind: 'authenticate' }),
};

/**
 * Card tokens (`tok_visa`, …) for `POST /v1/payment_methods` with `card[token]`: each names the same card as
 * its `pm_card_…` twin. The 3D Secure card has no token here (Stripe's 3DS tokens are named otherwise).
 */
export const CARD_TOKENS: Readonly<Record<string, TestCard>> = Object.fromEntries(
  Object.entries(TEST_CARDS)
    .filter(([name]) => name !== 'pm_card_authenticationRequired')
    .map(([name, card]) => [`tok_${name.slice('pm_card_'.length)}`, card]),
);

/** The decline Stripe returns when an off-session payment needs 3D Secure. */
export const AUTHENTICATION_REQUIRED: CardOutcome = {
  kind: 'decline',
  code: 'authentication_required',
  declineCode: 'authentication_required',
  message: 'Your card was declined. This transaction requires authentication.',
};

/** Currencies accepted for presentment (a practical subset of Stripe's list). */
export const CURRENCIES = new Set(
  'usd eur gbp cny hkd twd jpy krw sgd aud cad chf nzd sek nok dkk pln czk huf ron bgn inr idr myr php thb vnd aed sar ils try brl mxn zar'.split(' '),
);
const ZERO_DECIMAL = new Set(['jpy', 'krw', 'vnd']);
const SYMBOLS: Record<string, string> = { usd: '$', eur: '€', gbp: '£', cny: 'CN¥', hkd: 'HK$', jpy: '¥', sgd: 'S$', aud: 'A$', cad: 'CA$' };

/** An amount in minor units as Stripe writes it in messages, e.g. `$12.50`, `CN¥100.00`. */
export function formatAmount(amount: number, currency: string): string {
  const symbol = SYMBOLS[currency] ?? `${currency.toUpperCase()} `;
  return ZERO_DECIMAL.has(currency) ? `${symbol}${amount}` : `${symbol}${(amount / 100).toFixed(2)}`;
}
