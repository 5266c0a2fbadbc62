import type { TestCard } from './cards.js';
import type { JsonObject } from './errors.js';

/** What the server keeps, and how each record looks on the wire (Stripe's v1 object shapes). */

export type PaymentIntentStatus =
  | 'requires_payment_method'
  | 'requires_confirmation'
  | 'requires_action'
  | 'processing'
  | 'requires_capture'
  | 'canceled'
  | 'succeeded';

export type CaptureMethod = 'automatic' | 'automatic_async' | 'manual';

interface Base {
  id: string;
  /** Creation order, for lists (Stripe lists newest first). */
  seq: number;
  /** Unix seconds. */
  created: number;
}

export interface PaymentMethodRecord extends Base {
  card: TestCard;
  /** The Customer it is attached to (by a successful PaymentIntent with `setup_future_usage`). */
  customer: string | null;
  /**
   * Used by a successful PaymentIntent while attached to no Customer: Stripe refuses it from then on
   * ("… It may not be used again. To use a PaymentMethod multiple times, you must attach it to a Customer first.").
   */
  consumed: boolean;
}

export interface CustomerRecord extends Base {
  email: string | null;
  name: string | null;
  description: string | null;
  metadata: Record<string, string>;
}

export interface PaymentIntentRecord extends Base {
  clientSecret: string;
  amount: number;
  currency: string;
  status: PaymentIntentStatus;
  captureMethod: CaptureMethod;
  confirmationMethod: 'automatic' | 'manual';
  /** What the API answers as payment_method_types: the types this intent can use (only card is modelled). */
  paymentMethodTypes: string[];
  /** `allowed_payment_method_types` / `excluded_payment_method_types` as given (API 2026-09-30.endive and later). */
  allowedPaymentMethodTypes: string[] | null;
  excludedPaymentMethodTypes: string[] | null;
  automaticPaymentMethods: { enabled: boolean; allowRedirects: 'always' | 'never' } | null;
  paymentMethod: string | null;
  latestCharge: string | null;
  lastPaymentError: JsonObject | null;
  nextAction: JsonObject | null;
  amountCapturable: number;
  amountReceived: number;
  /** Milliseconds on the server clock; set while an authorisation is held. */
  captureBefore: number | null;
  canceledAt: number | null;
  /** 'expired' is rendered as 'automatic' for API versions before 2025-03-31.basil. */
  cancellationReason: string | null;
  metadata: Record<string, string>;
  description: string | null;
  customer: string | null;
  receiptEmail: string | null;
  returnUrl: string | null;
  setupFutureUsage: string | null;
  statementDescriptor: string | null;
  statementDescriptorSuffix: string | null;
}

export interface ChargeRecord extends Base {
  amount: number;
  currency: string;
  paymentIntent: string;
  paymentMethod: string;
  card: TestCard;
  status: 'succeeded' | 'failed';
  captured: boolean;
  amountCaptured: number;
  amountRefunded: number;
  failure: { code: string; declineCode: string; message: string } | null;
  /** Milliseconds; only for manual capture. */
  captureBefore: number | null;
  metadata: Record<string, string>;
  description: string | null;
  receiptEmail: string | null;
  refunds: string[];
}

export interface RefundRecord extends Base {
  amount: number;
  currency: string;
  charge: string;
  paymentIntent: string;
  reason: string | null;
  status: 'succeeded';
  metadata: Record<string, string>;
}

/** Lookups the renderers need to expand ids into objects. */
export interface Store {
  paymentIntents: Map<string, PaymentIntentRecord>;
  charges: Map<string, ChargeRecord>;
  refunds: Map<string, RefundRecord>;
  paymentMethods: Map<string, PaymentMethodRecord>;
  customers: Map<string, CustomerRecord>;
}

export const seconds = (ms: number) => Math.floor(ms / 1000);
/** Stripe versions start with their date (`2026-10-28.endive`), so the prefix orders them. */
export const versionAtLeast = (version: string, date: string) => version.slice(0, 10) >= date;

const nullAddress = { city: null, country: null, line1: null, line2: null, postal_code: null, state: null };
const billingDetails = () => ({ address: { ...nullAddress }, email: null, name: null, phone: null, tax_id: null });

function cardDetails(card: TestCard): JsonObject {
  return {
    brand: card.brand,
    checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
    country: card.country,
    display_brand: card.brand,
    exp_month: 12,
    exp_year: 2034,
    fingerprint: `local${card.last4}${card.brand}`,
    funding: card.funding,
    last4: card.last4,
    networks: { available: [card.brand], preferred: null },
    three_d_secure_usage: { supported: true },
    wallet: null,
  };
}

export function renderPaymentMethod(pm: PaymentMethodRecord): JsonObject {
  return {
    id: pm.id,
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: billingDetails(),
    card: cardDetails(pm.card),
    created: pm.created,
    customer: pm.customer,
    customer_account: null,
    livemode: false,
    metadata: {},
    type: 'card',
  };
}

export function renderCustomer(c: CustomerRecord): JsonObject {
  return {
    id: c.id,
    object: 'customer',
    address: null,
    balance: 0,
    created: c.created,
    currency: null,
    customer_account: null,
    default_source: null,
    delinquent: false,
    description: c.description,
    discount: null,
    email: c.email,
    invoice_prefix: c.id.slice(4, 12).toUpperCase(),
    invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    livemode: false,
    metadata: { ...c.metadata },
    name: c.name,
    next_invoice_sequence: 1,
    phone: null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
  };
}

export function renderPaymentIntent(store: Store, pi: PaymentIntentRecord, version: string, expand: ReadonlySet<string> = new Set()): JsonObject {
  const charge = pi.latestCharge ? store.charges.get(pi.latestCharge) : undefined;
  const pm = pi.paymentMethod ? store.paymentMethods.get(pi.paymentMethod) : undefined;
  const cancellationReason =
    pi.cancellationReason === 'expired' && !versionAtLeast(version, '2025-03-31') ? 'automatic' : pi.cancellationReason;
  return {
    id: pi.id,
    object: 'payment_intent',
    allowed_payment_method_types: pi.allowedPaymentMethodTypes ? [...pi.allowedPaymentMethodTypes] : null,
    amount: pi.amount,
    amount_capturable: pi.amountCapturable,
    amount_details: { tip: {} },
    amount_received: pi.amountReceived,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: pi.automaticPaymentMethods
      ? { allow_redirects: pi.automaticPaymentMethods.allowRedirects, enabled: pi.automaticPaymentMethods.enabled }
      : null,
    canceled_at: pi.canceledAt,
    cancellation_reason: cancellationReason,
    capture_method: pi.captureMethod,
    client_secret: pi.clientSecret,
    confirmation_method: pi.confirmationMethod,
    created: pi.created,
    currency: pi.currency,
    customer: pi.customer,
    customer_account: null,
    description: pi.description,
    excluded_payment_method_types: pi.excludedPaymentMethodTypes ? [...pi.excludedPaymentMethodTypes] : null,
    last_payment_error: pi.lastPaymentError,
    latest_charge: charge && expand.has('latest_charge') ? renderCharge(store, charge) : pi.latestCharge,
    livemode: false,
    managed_payments: null,
    metadata: { ...pi.metadata },
    next_action: pi.nextAction,
    on_behalf_of: null,
    payment_method: pm && expand.has('payment_method') ? renderPaymentMethod(pm) : pi.paymentMethod,
    payment_method_configuration_details: null,
    payment_method_options: {
      card: { installments: null, mandate_options: null, network: null, request_three_d_secure: 'automatic' },
    },
    payment_method_types: [...pi.paymentMethodTypes],
    payment_record: null,
    processing: null,
    receipt_email: pi.receiptEmail,
    review: null,
    setup_future_usage: pi.setupFutureUsage,
    shipping: null,
    source: null,
    statement_descriptor: pi.statementDescriptor,
    statement_descriptor_suffix: pi.statementDescriptorSuffix,
    status: pi.status,
    transfer_data: null,
    transfer_group: null,
  };
}

export function renderCharge(store: Store, ch: ChargeRecord, version = '', expand: ReadonlySet<string> = new Set()): JsonObject {
  const pi = store.paymentIntents.get(ch.paymentIntent);
  const pm = store.paymentMethods.get(ch.paymentMethod);
  const succeeded = ch.status === 'succeeded';
  const body: JsonObject = {
    id: ch.id,
    object: 'charge',
    amount: ch.amount,
    amount_captured: ch.amountCaptured,
    amount_refunded: ch.amountRefunded,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: null,
    billing_details: billingDetails(),
    calculated_statement_descriptor: 'STRIPE-LOCAL',
    captured: ch.captured,
    created: ch.created,
    currency: ch.currency,
    customer: pi?.customer ?? null,
    description: ch.description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: ch.failure?.code ?? null,
    failure_message: ch.failure?.message ?? null,
    fraud_details: {},
    livemode: false,
    metadata: { ...ch.metadata },
    on_behalf_of: null,
    outcome: succeeded
      ? { network_status: 'approved_by_network', reason: null, risk_level: 'normal', risk_score: 32, seller_message: 'Payment complete.', type: 'authorized' }
      : {
          network_status: 'declined_by_network',
          reason: ch.failure?.declineCode ?? null,
          risk_level: 'normal',
          risk_score: 32,
          seller_message: 'The bank did not return any further details with this decline.',
          type: 'issuer_declined',
        },
    paid: succeeded,
    payment_intent: pi && expand.has('payment_intent') ? renderPaymentIntent(store, pi, version) : ch.paymentIntent,
    payment_method: pm && expand.has('payment_method') ? renderPaymentMethod(pm) : ch.paymentMethod,
    payment_method_details: {
      card: {
        ...cardDetails(ch.card),
        amount_authorized: ch.amount,
        capture_before: ch.captureBefore === null ? null : seconds(ch.captureBefore),
        network: ch.card.brand,
        three_d_secure: null,
      },
      type: 'card',
    },
    receipt_email: ch.receiptEmail,
    receipt_number: null,
    receipt_url: null,
    refunded: ch.amountCaptured > 0 && ch.amountRefunded === ch.amountCaptured,
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: ch.status,
    transfer_data: null,
    transfer_group: null,
  };
  if (expand.has('refunds')) {
    const data = ch.refunds.map((id) => renderRefund(store, store.refunds.get(id)!)).reverse();
    body['refunds'] = { object: 'list', data, has_more: false, total_count: data.length, url: `/v1/charges/${ch.id}/refunds` };
  }
  return body;
}

export function renderRefund(store: Store, re: RefundRecord, version = '', expand: ReadonlySet<string> = new Set()): JsonObject {
  const charge = store.charges.get(re.charge)!;
  const pi = store.paymentIntents.get(re.paymentIntent);
  return {
    id: re.id,
    object: 'refund',
    amount: re.amount,
    balance_transaction: null,
    charge: expand.has('charge') ? renderCharge(store, charge, version) : re.charge,
    created: re.created,
    currency: re.currency,
    customer: pi?.customer ?? null,
    customer_account: null,
    destination_details: { card: { reference_status: 'pending', reference_type: 'acquirer_reference_number', type: 'refund' }, type: 'card' },
    metadata: { ...re.metadata },
    payment_intent: pi && expand.has('payment_intent') ? renderPaymentIntent(store, pi, version) : re.paymentIntent,
    payment_method: charge.paymentMethod,
    reason: re.reason,
    receipt_number: null,
    source_transfer_reversal: null,
    status: re.status,
    transfer_reversal: null,
  };
}
