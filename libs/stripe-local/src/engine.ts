import { AUTHENTICATION_REQUIRED, CARD_TOKENS, CURRENCIES, TEST_CARDS, formatAmount, type CardOutcome, type TestCard } from './cards.js';
import {
  StripeApiError,
  docUrl,
  invalidParam,
  missingParam,
  paramResourceMissing,
  resourceMissing,
  stripeError,
  unexpectedState,
  type JsonObject,
} from './errors.js';
import { newId, randomToken } from './ids.js';
import type { Params } from './params.js';
import {
  renderCharge,
  renderCustomer,
  renderPaymentIntent,
  renderPaymentMethod,
  renderRefund,
  seconds,
  versionAtLeast,
  type CaptureMethod,
  type ChargeRecord,
  type CustomerRecord,
  type PaymentIntentRecord,
  type PaymentIntentStatus,
  type PaymentMethodRecord,
  type RefundRecord,
  type Store,
} from './records.js';

/**
 * The PaymentIntents state machine, charges and refunds, following Stripe's API reference for the API
 * version the SDK pins. No I/O here: the server passes each request's clock reading and version in, and
 * takes the events each operation emitted out, in order.
 */

export interface EmittedEvent {
  event: JsonObject;
  id: string;
  type: string;
  /** Events with one key are delivered in order (the PaymentIntent the event is about). */
  streamKey: string;
}

export interface OpContext {
  /** Milliseconds on the server clock. */
  now: number;
  /** The request's Stripe-Version, which decides how objects are rendered. */
  version: string;
  requestId: string | null;
  idempotencyKey: string | null;
  events: EmittedEvent[];
}

export interface EngineOptions {
  /** How long a manual-capture authorisation is held before it expires. */
  holdMs: number;
  /** The version webhook events are rendered with. */
  apiVersion: string;
  hasWebhookEndpoint: () => boolean;
  /** Base URL of the server, for `next_action.redirect_to_url`. */
  baseUrl: () => string;
  /** How many events GET /v1/events keeps. */
  maxEvents?: number;
}

const CONFIRMABLE: PaymentIntentStatus[] = ['requires_payment_method', 'requires_confirmation', 'requires_action'];
const CANCELABLE: PaymentIntentStatus[] = ['requires_payment_method', 'requires_capture', 'requires_confirmation', 'requires_action', 'processing'];
const MAX_AMOUNT = 99_999_999;

const CREATE_PARAMS = [
  'amount', 'currency', 'allowed_payment_method_types', 'automatic_payment_methods', 'capture_method', 'confirm', 'confirmation_method', 'customer',
  'description', 'error_on_requires_action', 'excluded_payment_method_types', 'expand', 'metadata', 'off_session',
  'payment_method', 'receipt_email', 'return_url', 'setup_future_usage', 'statement_descriptor',
  'statement_descriptor_suffix', 'use_stripe_sdk',
] as const;
const UPDATE_PARAMS = [
  'allowed_payment_method_types', 'amount', 'capture_method', 'currency', 'customer', 'description',
  'excluded_payment_method_types', 'expand', 'metadata', 'payment_method', 'receipt_email', 'setup_future_usage', 'statement_descriptor', 'statement_descriptor_suffix',
] as const;
const CONFIRM_PARAMS = [
  'allowed_payment_method_types', 'capture_method', 'error_on_requires_action', 'excluded_payment_method_types', 'expand',
  'off_session', 'payment_method', 'receipt_email', 'return_url', 'setup_future_usage', 'use_stripe_sdk',
] as const;
/** Fields Stripe lets you change only before the payment is authorised. */
const PRE_AUTH_FIELDS = [
  'amount', 'currency', 'payment_method', 'allowed_payment_method_types', 'excluded_payment_method_types',
  'payment_method_types', 'capture_method', 'setup_future_usage',
];
/**
 * API 2026-09-30.endive removed `payment_method_types` from PaymentIntent requests in favour of
 * `allowed_payment_method_types`; older versions still take it (the object keeps `payment_method_types`).
 */
const withLegacyTypes = (names: readonly string[], version: string) =>
  versionAtLeast(version, '2026-09-30') ? names : [...names, 'payment_method_types'];

interface TypeParams {
  legacy?: string[];
  allowed?: string[] | null;
  excluded?: string[] | null;
}
const PI_EXPAND = ['latest_charge', 'payment_method'];
const CHARGE_EXPAND = ['payment_intent', 'payment_method', 'refunds'];
const REFUND_EXPAND = ['charge', 'payment_intent'];

export class Engine implements Store {
  readonly paymentIntents = new Map<string, PaymentIntentRecord>();
  readonly charges = new Map<string, ChargeRecord>();
  readonly refunds = new Map<string, RefundRecord>();
  readonly paymentMethods = new Map<string, PaymentMethodRecord>();
  readonly customers = new Map<string, CustomerRecord>();
  readonly events: JsonObject[] = [];
  /** Events ever recorded (the list keeps the last `maxEvents`): the journal writes the new ones. */
  eventsAppended = 0;
  private seq = 0;

  constructor(private readonly options: EngineOptions) {}

  /** The creation counter that orders lists; kept by the journal. */
  get sequence(): number {
    return this.seq;
  }

  restoreSequence(seq: number): void {
    this.seq = Math.max(this.seq, seq);
  }

  /** Records an event (also used by the journal to replay one). */
  restoreEvent(event: JsonObject): void {
    this.events.push(event);
    this.eventsAppended++;
    if (this.events.length > (this.options.maxEvents ?? 10_000)) this.events.shift();
  }

  reset(): void {
    this.paymentIntents.clear();
    this.charges.clear();
    this.refunds.clear();
    this.paymentMethods.clear();
    this.customers.clear();
    this.events.length = 0;
  }

  // ---------------------------------------------------------------- PaymentIntents

  createPaymentIntent(p: Params, ctx: OpContext): JsonObject {
    p.known(withLegacyTypes(CREATE_PARAMS, ctx.version));
    const amount = this.amount(p, true)!;
    const currency = this.currency(p, true)!;
    const expand = p.expand(PI_EXPAND);
    const captureMethod =
      p.oneOf<CaptureMethod>('capture_method', ['automatic', 'automatic_async', 'manual']) ??
      (versionAtLeast(ctx.version, '2024-04-10') ? 'automatic_async' : 'automatic');
    const confirmationMethod = p.oneOf('confirmation_method', ['automatic', 'manual'] as const) ?? 'automatic';
    const confirm = p.boolean('confirm') ?? false;
    const types = this.typeParams(p);
    const automatic = p.hash('automatic_payment_methods')?.known(['enabled', 'allow_redirects']);
    if (automatic && types.legacy) {
      throw invalidParam(
        'You may only specify one of these parameters: automatic_payment_methods, payment_method_types.',
        'automatic_payment_methods',
        'parameters_exclusive',
      );
    }
    const paymentMethod = this.paymentMethodParam(p, ctx);
    const customer = this.customerParam(p) ?? null;
    if (paymentMethod) this.checkPaymentMethodFor(paymentMethod, customer);
    const options = this.confirmOptions(p, confirm);
    const metadata = p.metadata({}) ?? {};
    if (confirm && !paymentMethod) {
      throw invalidParam(
        'You cannot confirm this PaymentIntent because it’s missing a payment method. Specify a payment method with `payment_method`.',
        'payment_method',
      );
    }
    const automaticPaymentMethods =
      automatic || (!types.legacy && !types.allowed)
        ? {
            enabled: automatic?.boolean('enabled') ?? true,
            allowRedirects: automatic?.oneOf('allow_redirects', ['always', 'never'] as const) ?? 'always',
          }
        : null;
    const returnUrl = p.string('return_url') ?? null;
    const redirects =
      automaticPaymentMethods?.enabled && automaticPaymentMethods.allowRedirects === 'always' && !types.allowed?.every((t) => t === 'card');
    if (confirm && redirects && !returnUrl) {
      throw invalidParam(
        'This PaymentIntent is configured to accept payment methods enabled in your Dashboard. Because some of these payment methods might redirect your customer off of your page, you must provide a `return_url`. If you don’t want to accept redirect-based payment methods, set `automatic_payment_methods[enabled]` to `true` and `automatic_payment_methods[allow_redirects]` to `never` when creating Setup Intents and Payment Intents.',
      );
    }

    const id = newId('pi');
    const pi: PaymentIntentRecord = {
      id,
      seq: ++this.seq,
      created: seconds(ctx.now),
      clientSecret: `${id}_secret_${randomToken(25)}`,
      amount,
      currency,
      status: paymentMethod ? 'requires_confirmation' : 'requires_payment_method',
      captureMethod,
      confirmationMethod,
      paymentMethodTypes: types.legacy ?? ['card'],
      allowedPaymentMethodTypes: types.allowed ?? null,
      excludedPaymentMethodTypes: types.excluded ?? null,
      automaticPaymentMethods,
      paymentMethod: paymentMethod?.id ?? null,
      latestCharge: null,
      lastPaymentError: null,
      nextAction: null,
      amountCapturable: 0,
      amountReceived: 0,
      captureBefore: null,
      canceledAt: null,
      cancellationReason: null,
      metadata,
      description: p.nullableString('description') ?? null,
      customer,
      receiptEmail: p.nullableString('receipt_email') ?? null,
      returnUrl,
      setupFutureUsage: p.oneOf('setup_future_usage', ['off_session', 'on_session'] as const) ?? null,
      statementDescriptor: p.nullableString('statement_descriptor', { maxLength: 22 }) ?? null,
      statementDescriptorSuffix: p.nullableString('statement_descriptor_suffix', { maxLength: 22 }) ?? null,
    };
    this.paymentIntents.set(id, pi);
    this.emit(ctx, 'payment_intent.created', pi);
    if (confirm) this.attemptPayment(pi, paymentMethod!, options, ctx);
    return renderPaymentIntent(this, pi, ctx.version, expand);
  }

  retrievePaymentIntent(id: string, p: Params, ctx: OpContext): JsonObject {
    p.known(['client_secret', 'expand']);
    const expand = p.expand(PI_EXPAND);
    return renderPaymentIntent(this, this.paymentIntent(id), ctx.version, expand);
  }

  updatePaymentIntent(id: string, p: Params, ctx: OpContext): JsonObject {
    const pi = this.paymentIntent(id);
    p.known(withLegacyTypes(UPDATE_PARAMS, ctx.version));
    const expand = p.expand(PI_EXPAND);
    if (!CONFIRMABLE.includes(pi.status)) {
      const field = PRE_AUTH_FIELDS.find((f) => p.has(f));
      if (field) {
        throw unexpectedState(
          `This PaymentIntent's ${field} could not be updated because it has a status of ${pi.status}. You may only update the ${field} of a PaymentIntent with one of the following statuses: ${CONFIRMABLE.join(', ')}.`,
          renderPaymentIntent(this, pi, ctx.version),
        );
      }
    }
    const amount = this.amount(p, false);
    const currency = this.currency(p, false);
    const types = this.typeParams(p);
    const captureMethod = p.oneOf<CaptureMethod>('capture_method', ['automatic', 'automatic_async', 'manual']);
    const setupFutureUsage = p.oneOf('setup_future_usage', ['off_session', 'on_session', ''] as const);
    const paymentMethod = p.raw['payment_method'] === '' ? null : this.paymentMethodParam(p, ctx);
    const metadata = p.metadata(pi.metadata);
    const text = (name: string, maxLength?: number) => p.nullableString(name, { maxLength });
    const description = text('description');
    const customer = this.customerParam(p);
    const receiptEmail = text('receipt_email');
    const descriptor = text('statement_descriptor', 22);
    const descriptorSuffix = text('statement_descriptor_suffix', 22);
    if (CONFIRMABLE.includes(pi.status)) {
      // The payment method the intent will have must be usable with the customer it will have.
      const pm = paymentMethod === undefined ? (pi.paymentMethod ? this.paymentMethods.get(pi.paymentMethod) : undefined) : paymentMethod;
      if (pm) this.checkPaymentMethodFor(pm, customer === undefined ? pi.customer : customer);
    }

    if (amount !== undefined) pi.amount = amount;
    if (currency !== undefined) pi.currency = currency;
    this.applyTypes(pi, types);
    if (captureMethod !== undefined) pi.captureMethod = captureMethod;
    if (setupFutureUsage !== undefined) pi.setupFutureUsage = setupFutureUsage || null;
    if (metadata !== undefined) pi.metadata = metadata;
    if (description !== undefined) pi.description = description;
    if (customer !== undefined) pi.customer = customer;
    if (receiptEmail !== undefined) pi.receiptEmail = receiptEmail;
    if (descriptor !== undefined) pi.statementDescriptor = descriptor;
    if (descriptorSuffix !== undefined) pi.statementDescriptorSuffix = descriptorSuffix;
    if (paymentMethod !== undefined) {
      pi.paymentMethod = paymentMethod?.id ?? null;
      pi.nextAction = null;
      pi.status = paymentMethod ? 'requires_confirmation' : 'requires_payment_method';
    }
    return renderPaymentIntent(this, pi, ctx.version, expand);
  }

  confirmPaymentIntent(id: string, p: Params, ctx: OpContext): JsonObject {
    const pi = this.paymentIntent(id);
    p.known(withLegacyTypes(CONFIRM_PARAMS, ctx.version));
    const expand = p.expand(PI_EXPAND);
    if (!CONFIRMABLE.includes(pi.status)) {
      throw unexpectedState(
        pi.status === 'succeeded'
          ? 'You cannot confirm this PaymentIntent because it has already succeeded after being previously confirmed.'
          : `You cannot confirm this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be confirmed: ${CONFIRMABLE.join(', ')}.`,
        renderPaymentIntent(this, pi, ctx.version),
      );
    }
    const given = this.paymentMethodParam(p, ctx);
    const paymentMethod = given ?? (pi.paymentMethod ? this.paymentMethods.get(pi.paymentMethod) : undefined);
    if (!paymentMethod) {
      throw unexpectedState(
        "You cannot confirm this PaymentIntent because it's missing a payment method. You can either update the PaymentIntent with a payment method and then confirm it again, or confirm it again directly with a payment method.",
        renderPaymentIntent(this, pi, ctx.version),
      );
    }
    // Confirm takes no `customer` (API reference, and the SDK's PaymentIntentConfirmParams): the intent's own counts.
    this.checkPaymentMethodFor(paymentMethod, pi.customer);
    const captureMethod = p.oneOf<CaptureMethod>('capture_method', ['automatic', 'automatic_async', 'manual']);
    const types = this.typeParams(p);
    const options = this.confirmOptions(p, true);
    const returnUrl = p.string('return_url');
    const receiptEmail = p.nullableString('receipt_email');
    const setupFutureUsage = p.oneOf('setup_future_usage', ['off_session', 'on_session'] as const);
    if (captureMethod) pi.captureMethod = captureMethod;
    this.applyTypes(pi, types);
    if (returnUrl !== undefined) pi.returnUrl = returnUrl;
    if (receiptEmail !== undefined) pi.receiptEmail = receiptEmail;
    if (setupFutureUsage) pi.setupFutureUsage = setupFutureUsage;
    this.attemptPayment(pi, paymentMethod, options, ctx);
    return renderPaymentIntent(this, pi, ctx.version, expand);
  }

  capturePaymentIntent(id: string, p: Params, ctx: OpContext): JsonObject {
    const pi = this.paymentIntent(id);
    p.known(['amount_to_capture', 'expand', 'final_capture', 'metadata', 'statement_descriptor', 'statement_descriptor_suffix']);
    const expand = p.expand(PI_EXPAND);
    if (pi.status !== 'requires_capture') {
      throw unexpectedState(
        pi.status === 'succeeded'
          ? 'This PaymentIntent could not be captured because it has already been captured.'
          : `This PaymentIntent could not be captured because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`,
        renderPaymentIntent(this, pi, ctx.version),
      );
    }
    const amount = p.integer('amount_to_capture', { min: 1, code: 'amount_too_small' }) ?? pi.amountCapturable;
    if (amount > pi.amountCapturable) {
      throw invalidParam(
        `The amount_to_capture (${amount}) must be less than or equal to the PaymentIntent's amount_capturable (${pi.amountCapturable}).`,
        'amount_to_capture',
        'amount_too_large',
      );
    }
    if (p.boolean('final_capture') === false) {
      throw invalidParam('stripe-local does not model multicapture: final_capture must be true.', 'final_capture');
    }
    const metadata = p.metadata(pi.metadata);
    const descriptor = p.nullableString('statement_descriptor', { maxLength: 22 });
    const descriptorSuffix = p.nullableString('statement_descriptor_suffix', { maxLength: 22 });
    if (metadata !== undefined) pi.metadata = metadata;
    if (descriptor !== undefined) pi.statementDescriptor = descriptor;
    if (descriptorSuffix !== undefined) pi.statementDescriptorSuffix = descriptorSuffix;

    // Since 2025-03-31.basil the uncaptured rest is simply released: no Refund, amount_refunded untouched.
    const charge = this.charges.get(pi.latestCharge!)!;
    charge.captured = true;
    charge.amountCaptured = amount;
    charge.captureBefore = null;
    pi.amountReceived = amount;
    pi.amountCapturable = 0;
    pi.captureBefore = null;
    pi.status = 'succeeded';
    this.emit(ctx, 'charge.captured', charge);
    this.emit(ctx, 'payment_intent.succeeded', pi);
    return renderPaymentIntent(this, pi, ctx.version, expand);
  }

  cancelPaymentIntent(id: string, p: Params, ctx: OpContext): JsonObject {
    const pi = this.paymentIntent(id);
    p.known(['cancellation_reason', 'expand']);
    const expand = p.expand(PI_EXPAND);
    const reason = p.oneOf('cancellation_reason', ['abandoned', 'duplicate', 'fraudulent', 'requested_by_customer'] as const);
    if (!CANCELABLE.includes(pi.status)) {
      throw unexpectedState(
        `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELABLE.join(', ')}.`,
        renderPaymentIntent(this, pi, ctx.version),
      );
    }
    this.cancel(pi, reason ?? null, ctx);
    return renderPaymentIntent(this, pi, ctx.version, expand);
  }

  listPaymentIntents(p: Params, ctx: OpContext): JsonObject {
    p.known(['created', 'customer', 'ending_before', 'expand', 'limit', 'starting_after']);
    const expand = listExpand(p, PI_EXPAND);
    const customer = p.string('customer');
    const items = [...this.paymentIntents.values()].filter((pi) => !customer || pi.customer === customer);
    return this.list(p, '/v1/payment_intents', items, (pi) => renderPaymentIntent(this, pi, ctx.version, expand));
  }

  /** Completes (or fails) the 3D Secure step of a PaymentIntent in requires_action: the customer's part. */
  authenticate(id: string, outcome: 'succeed' | 'fail', ctx: OpContext): JsonObject {
    const pi = this.paymentIntent(id);
    if (pi.status !== 'requires_action') {
      throw unexpectedState(`This PaymentIntent has a status of ${pi.status}; only requires_action can be authenticated.`);
    }
    const pm = this.paymentMethods.get(pi.paymentMethod!)!;
    if (outcome === 'succeed') {
      this.authorize(pi, pm, ctx);
    } else {
      pi.status = 'requires_payment_method';
      pi.paymentMethod = null;
      pi.nextAction = null;
      pi.lastPaymentError = {
        code: 'payment_intent_authentication_failure',
        doc_url: docUrl('payment_intent_authentication_failure'),
        message:
          'The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.',
        payment_method: renderPaymentMethod(pm),
        type: 'invalid_request_error',
      };
      this.emit(ctx, 'payment_intent.payment_failed', pi);
    }
    return renderPaymentIntent(this, pi, ctx.version);
  }

  /**
   * Card authorisations are held for `holdMs` (7 days for online card payments); after that Stripe
   * cancels the PaymentIntent (cancellation_reason `expired`, `automatic` before 2025-03-31.basil). The
   * events carry the moment of expiry, however late it is noticed.
   */
  expireHolds(ctx: OpContext): void {
    const due = [...this.paymentIntents.values()]
      .filter((pi) => pi.status === 'requires_capture' && pi.captureBefore !== null && pi.captureBefore <= ctx.now)
      .sort((a, b) => a.captureBefore! - b.captureBefore!);
    for (const pi of due) {
      const at: OpContext = { ...ctx, now: pi.captureBefore!, requestId: null, idempotencyKey: null };
      const charge = this.charges.get(pi.latestCharge!)!;
      charge.captureBefore = null;
      this.emit(at, 'charge.expired', charge);
      this.cancel(pi, 'expired', at);
    }
  }

  // ---------------------------------------------------------------- Refunds, charges, payment methods, events

  createRefund(p: Params, ctx: OpContext): JsonObject {
    p.known(['amount', 'charge', 'expand', 'metadata', 'payment_intent', 'reason']);
    const expand = p.expand(REFUND_EXPAND);
    const piId = p.string('payment_intent');
    const chargeId = p.string('charge');
    if (!piId && !chargeId) {
      throw invalidParam('One of the following params should be provided for this request: payment_intent or charge.');
    }
    let charge: ChargeRecord | undefined;
    if (piId) {
      const pi = this.paymentIntents.get(piId);
      if (!pi) throw paramResourceMissing('payment_intent', piId, 'payment_intent');
      if (pi.status !== 'succeeded') {
        throw stripeError(400, 'invalid_request_error', `This PaymentIntent (${pi.id}) does not have a successful charge to refund.`, {
          param: 'payment_intent',
          stored: true,
        });
      }
      charge = this.charges.get(pi.latestCharge!)!;
      if (chargeId && chargeId !== charge.id) {
        throw invalidParam(`The charge ${chargeId} does not belong to PaymentIntent ${pi.id}.`, 'charge');
      }
    } else {
      charge = this.charges.get(chargeId!);
      if (!charge) throw paramResourceMissing('charge', chargeId!, 'charge');
    }
    if (charge.status !== 'succeeded' || !charge.captured) {
      throw stripeError(400, 'invalid_request_error', `Charge ${charge.id} has not been captured; there is nothing to refund.`, {
        param: piId ? 'payment_intent' : 'charge',
        stored: true,
      });
    }
    const refundable = charge.amountCaptured - charge.amountRefunded;
    if (refundable === 0) {
      throw stripeError(400, 'invalid_request_error', `Charge ${charge.id} has already been refunded.`, {
        code: 'charge_already_refunded',
        stored: true,
      });
    }
    const amount = p.integer('amount', { min: 1, code: 'amount_too_small' }) ?? refundable;
    if (amount > refundable) {
      const partly = charge.amountRefunded > 0;
      throw invalidParam(
        `Refund amount (${formatAmount(amount, charge.currency)}) is greater than ${partly ? 'unrefunded amount on charge' : 'charge amount'} (${formatAmount(refundable, charge.currency)})`,
        'amount',
        'amount_too_large',
      );
    }
    const reason = p.oneOf('reason', ['duplicate', 'fraudulent', 'requested_by_customer'] as const) ?? null;
    const metadata = p.metadata({}) ?? {};

    const refund: RefundRecord = {
      id: newId('re'),
      seq: ++this.seq,
      created: seconds(ctx.now),
      amount,
      currency: charge.currency,
      charge: charge.id,
      paymentIntent: charge.paymentIntent,
      reason,
      status: 'succeeded',
      metadata,
    };
    this.refunds.set(refund.id, refund);
    charge.amountRefunded += amount;
    charge.refunds.push(refund.id);
    this.emit(ctx, 'refund.created', refund);
    this.emit(ctx, 'charge.refunded', charge);
    return renderRefund(this, refund, ctx.version, expand);
  }

  retrieveRefund(id: string, p: Params, ctx: OpContext): JsonObject {
    p.known(['expand']);
    return renderRefund(this, this.refund(id), ctx.version, p.expand(REFUND_EXPAND));
  }

  updateRefund(id: string, p: Params, ctx: OpContext): JsonObject {
    const refund = this.refund(id);
    p.known(['expand', 'metadata']);
    const expand = p.expand(REFUND_EXPAND);
    const metadata = p.metadata(refund.metadata);
    if (metadata !== undefined) {
      const previous = { metadata: { ...refund.metadata } };
      refund.metadata = metadata;
      this.emit(ctx, 'refund.updated', refund, previous);
    }
    return renderRefund(this, refund, ctx.version, expand);
  }

  listRefunds(p: Params, ctx: OpContext): JsonObject {
    p.known(['charge', 'created', 'ending_before', 'expand', 'limit', 'payment_intent', 'starting_after']);
    const expand = listExpand(p, REFUND_EXPAND);
    const charge = p.string('charge');
    const pi = p.string('payment_intent');
    const items = [...this.refunds.values()].filter((r) => (!charge || r.charge === charge) && (!pi || r.paymentIntent === pi));
    return this.list(p, '/v1/refunds', items, (r) => renderRefund(this, r, ctx.version, expand));
  }

  retrieveCharge(id: string, p: Params, ctx: OpContext): JsonObject {
    p.known(['expand']);
    const charge = this.charges.get(id);
    if (!charge) throw resourceMissing('charge', id, 'id');
    return renderCharge(this, charge, ctx.version, p.expand(CHARGE_EXPAND));
  }

  listCharges(p: Params, ctx: OpContext): JsonObject {
    p.known(['created', 'customer', 'ending_before', 'expand', 'limit', 'payment_intent', 'starting_after']);
    const expand = listExpand(p, CHARGE_EXPAND);
    const pi = p.string('payment_intent');
    const customer = p.string('customer');
    const items = [...this.charges.values()].filter(
      (c) => (!pi || c.paymentIntent === pi) && (!customer || this.paymentIntents.get(c.paymentIntent)?.customer === customer),
    );
    return this.list(p, '/v1/charges', items, (c) => renderCharge(this, c, ctx.version, expand));
  }

  /** `POST /v1/payment_methods` with a test card token (`card[token]=tok_visa`), as Stripe.js does with a card it collected. */
  createPaymentMethod(p: Params, ctx: OpContext): JsonObject {
    p.known(['card', 'expand', 'type']);
    p.expand([]);
    if (p.requiredString('type') !== 'card') {
      throw invalidParam('stripe-local models only card payment methods: type must be "card".', 'type');
    }
    const card = p.hash('card')?.known(['token']);
    if (!card) throw missingParam('card');
    const token = card.requiredString('token');
    const testCard = CARD_TOKENS[token];
    if (!testCard) throw stripeError(400, 'invalid_request_error', `No such token: '${token}'`, { code: 'resource_missing', param: 'card[token]' });
    return renderPaymentMethod(this.newPaymentMethod(testCard, ctx));
  }

  createCustomer(p: Params, ctx: OpContext): JsonObject {
    p.known(['description', 'email', 'expand', 'metadata', 'name']);
    p.expand([]);
    const customer: CustomerRecord = {
      id: newId('cus', 14),
      seq: ++this.seq,
      created: seconds(ctx.now),
      email: p.nullableString('email', { maxLength: 512 }) ?? null,
      name: p.nullableString('name', { maxLength: 256 }) ?? null,
      description: p.nullableString('description', { maxLength: 350 }) ?? null,
      metadata: p.metadata({}) ?? {},
    };
    this.customers.set(customer.id, customer);
    return renderCustomer(customer);
  }

  retrieveCustomer(id: string, p: Params): JsonObject {
    p.known(['expand']);
    p.expand([]);
    const customer = this.customers.get(id);
    if (!customer) throw resourceMissing('customer', id, 'id');
    return renderCustomer(customer);
  }

  retrievePaymentMethod(id: string, p: Params): JsonObject {
    p.known(['expand']);
    const pm = this.paymentMethods.get(id);
    if (!pm) throw resourceMissing('PaymentMethod', id, 'payment_method');
    return renderPaymentMethod(pm);
  }

  retrieveEvent(id: string, p: Params): JsonObject {
    p.known(['expand']);
    const event = this.events.find((e) => e['id'] === id);
    if (!event) throw resourceMissing('event', id, 'id');
    return event;
  }

  listEvents(p: Params): JsonObject {
    p.known(['created', 'ending_before', 'expand', 'limit', 'starting_after', 'type', 'types']);
    const type = p.string('type');
    const types = p.stringArray('types');
    const matches = (t: string) =>
      (!type || (type.endsWith('*') ? t.startsWith(type.slice(0, -1)) : t === type)) && (!types || types.includes(t));
    const items = this.events
      .map((event, i) => ({ id: event['id'] as string, seq: i, created: event['created'] as number, event }))
      .filter((e) => matches(e.event['type'] as string));
    return this.list(p, '/v1/events', items, (e) => e.event);
  }

  // ---------------------------------------------------------------- internals

  private paymentIntent(id: string): PaymentIntentRecord {
    const pi = this.paymentIntents.get(id);
    if (!pi) throw resourceMissing('payment_intent', id, 'intent');
    return pi;
  }

  private refund(id: string): RefundRecord {
    const refund = this.refunds.get(id);
    if (!refund) throw resourceMissing('refund', id, 'id');
    return refund;
  }

  private amount(p: Params, required: boolean): number | undefined {
    if (required) p.requiredString('amount');
    const amount = p.integer('amount', { min: 1, code: 'amount_too_small' });
    if (amount !== undefined && amount > MAX_AMOUNT) {
      throw invalidParam(`Amount must be no more than ${MAX_AMOUNT}.`, 'amount', 'amount_too_large');
    }
    return amount;
  }

  private currency(p: Params, required: boolean): string | undefined {
    const raw = required ? p.requiredString('currency') : p.string('currency');
    if (raw === undefined) return undefined;
    const currency = raw.toLowerCase();
    if (!CURRENCIES.has(currency)) {
      throw invalidParam(
        `Invalid currency: ${raw}. Stripe currently supports these currencies: ${[...CURRENCIES].join(', ')}`,
        'currency',
      );
    }
    return currency;
  }

  /** Only card payments are modelled, so every list must leave card usable. */
  private typeParams(p: Params): TypeParams {
    const list = (name: string) => (p.raw[name] === '' ? null : p.stringArray(name));
    const legacy = p.stringArray('payment_method_types');
    const allowed = list('allowed_payment_method_types');
    const excluded = list('excluded_payment_method_types');
    const other = legacy?.find((t) => t !== 'card');
    if (legacy && (legacy.length === 0 || other)) {
      throw invalidParam(`The payment method type "${other ?? ''}" is not modelled by stripe-local; only "card" is.`, 'payment_method_types');
    }
    if (allowed && !allowed.includes('card')) {
      throw invalidParam('stripe-local models only card payments: allowed_payment_method_types must include "card".', 'allowed_payment_method_types');
    }
    if (excluded?.includes('card')) {
      throw invalidParam('stripe-local models only card payments: "card" cannot be excluded.', 'excluded_payment_method_types');
    }
    return { legacy, allowed, excluded };
  }

  private applyTypes(pi: PaymentIntentRecord, types: TypeParams): void {
    if (types.legacy) pi.paymentMethodTypes = types.legacy;
    if (types.allowed !== undefined) pi.allowedPaymentMethodTypes = types.allowed;
    if (types.excluded !== undefined) pi.excludedPaymentMethodTypes = types.excluded;
  }

  /**
   * `pm_card_visa` and the other test tokens create a fresh PaymentMethod each time (as Stripe does);
   * an id this server created before is reused.
   */
  private paymentMethodParam(p: Params, ctx: OpContext): PaymentMethodRecord | undefined {
    const value = p.string('payment_method');
    if (value === undefined || value === '') return undefined;
    const existing = this.paymentMethods.get(value);
    if (existing) return existing;
    const card = TEST_CARDS[value];
    if (!card) throw paramResourceMissing('PaymentMethod', value, 'payment_method');
    return this.newPaymentMethod(card, ctx);
  }

  private newPaymentMethod(card: TestCard, ctx: OpContext): PaymentMethodRecord {
    const pm: PaymentMethodRecord = { id: newId('pm'), seq: ++this.seq, created: seconds(ctx.now), card, customer: null, consumed: false };
    this.paymentMethods.set(pm.id, pm);
    return pm;
  }

  /** `customer` on a PaymentIntent: an id this server created ('' unsets it on update). */
  private customerParam(p: Params): string | null | undefined {
    const id = p.nullableString('customer');
    if (id && !this.customers.has(id)) {
      throw paramResourceMissing('customer', id, 'customer');
    }
    return id;
  }

  /**
   * Stripe's rules for using a PaymentMethod (again) in a PaymentIntent with (or without) a customer.
   * The messages are Stripe's as quoted in public reports; those reports show `type` and `message` only,
   * so no `code` or `param` is invented here (Stripe documents a `payment_method_unexpected_state` code,
   * but no captured response of these errors carries it).
   */
  private checkPaymentMethodFor(pm: PaymentMethodRecord, customer: string | null): void {
    if (pm.consumed) {
      throw stripeError(
        400,
        'invalid_request_error',
        'The provided PaymentMethod was previously used with a PaymentIntent without Customer attachment, shared with a connected account without Customer attachment, or was detached from a Customer. It may not be used again. To use a PaymentMethod multiple times, you must attach it to a Customer first.',
      );
    }
    if (pm.customer && !customer) {
      throw stripeError(
        400,
        'invalid_request_error',
        `The \`payment_method\` parameter supplied ${pm.id} belongs to the Customer ${pm.customer}. Please include the Customer in the \`customer\` parameter on the PaymentIntent.`,
      );
    }
    if (pm.customer && customer && pm.customer !== customer) {
      throw stripeError(
        400,
        'invalid_request_error',
        `The customer does not have a payment method with the ID ${pm.id}. The payment method must be attached to the customer.`,
      );
    }
  }

  private confirmOptions(p: Params, confirming: boolean) {
    const offSession = p.boolean('off_session') ?? false;
    const errorOnRequiresAction = p.boolean('error_on_requires_action') ?? false;
    p.boolean('use_stripe_sdk');
    if (!confirming && (p.has('off_session') || p.has('error_on_requires_action'))) {
      throw invalidParam('off_session and error_on_requires_action may only be used when confirm=true.', 'off_session');
    }
    return { offSession, errorOnRequiresAction };
  }

  private attemptPayment(
    pi: PaymentIntentRecord,
    pm: PaymentMethodRecord,
    options: { offSession: boolean; errorOnRequiresAction: boolean },
    ctx: OpContext,
  ): void {
    pi.paymentMethod = pm.id;
    let outcome: CardOutcome = pm.card.outcome;
    if (outcome.kind === 'authenticate') {
      if (!options.offSession && !options.errorOnRequiresAction) {
        pi.status = 'requires_action';
        pi.lastPaymentError = null;
        pi.nextAction = pi.returnUrl
          ? {
              type: 'redirect_to_url',
              redirect_to_url: {
                return_url: pi.returnUrl,
                url: `${this.options.baseUrl()}/_control/payment_intents/${pi.id}/authenticate`,
              },
            }
          : { type: 'use_stripe_sdk', use_stripe_sdk: { type: 'three_d_secure_redirect', stripe_js: '' } };
        this.emit(ctx, 'payment_intent.requires_action', pi);
        return;
      }
      outcome = AUTHENTICATION_REQUIRED;
    }
    if (outcome.kind === 'decline') this.decline(pi, pm, outcome, ctx);
    else this.authorize(pi, pm, ctx);
  }

  private authorize(pi: PaymentIntentRecord, pm: PaymentMethodRecord, ctx: OpContext): void {
    const manual = pi.captureMethod === 'manual';
    const charge = this.newCharge(pi, pm, ctx, null);
    // Saving a card for later: with a customer and setup_future_usage the PaymentMethod is attached to that
    // customer. Used without one, it cannot be used again (Stripe refuses it from then on).
    if (!pm.customer && pi.customer && pi.setupFutureUsage) pm.customer = pi.customer;
    else if (!pm.customer) pm.consumed = true;
    pi.paymentMethod = pm.id;
    pi.latestCharge = charge.id;
    pi.lastPaymentError = null;
    pi.nextAction = null;
    if (manual) {
      pi.status = 'requires_capture';
      pi.amountCapturable = pi.amount;
      pi.captureBefore = ctx.now + this.options.holdMs;
      charge.captureBefore = pi.captureBefore;
      this.emit(ctx, 'charge.succeeded', charge);
      this.emit(ctx, 'payment_intent.amount_capturable_updated', pi);
    } else {
      pi.status = 'succeeded';
      pi.amountReceived = pi.amount;
      this.emit(ctx, 'charge.succeeded', charge);
      this.emit(ctx, 'payment_intent.succeeded', pi);
    }
  }

  /** A declined card: the attempt is recorded (failed charge, last_payment_error) and the request fails with 402. */
  private decline(pi: PaymentIntentRecord, pm: PaymentMethodRecord, outcome: Extract<CardOutcome, { kind: 'decline' }>, ctx: OpContext): never {
    const charge = this.newCharge(pi, pm, ctx, outcome);
    const error: JsonObject = {
      charge: charge.id,
      code: outcome.code,
      decline_code: outcome.declineCode,
      doc_url: docUrl(outcome.code),
      message: outcome.message,
      ...(outcome.param ? { param: outcome.param } : {}),
      payment_method: renderPaymentMethod(pm),
      type: 'card_error',
    };
    pi.status = 'requires_payment_method';
    pi.paymentMethod = null;
    pi.latestCharge = charge.id;
    pi.lastPaymentError = error;
    pi.nextAction = null;
    this.emit(ctx, 'charge.failed', charge);
    this.emit(ctx, 'payment_intent.payment_failed', pi);
    throw new StripeApiError(402, { ...error, payment_intent: renderPaymentIntent(this, pi, ctx.version) }, true);
  }

  private newCharge(
    pi: PaymentIntentRecord,
    pm: PaymentMethodRecord,
    ctx: OpContext,
    failure: Extract<CardOutcome, { kind: 'decline' }> | null,
  ): ChargeRecord {
    const captured = !failure && pi.captureMethod !== 'manual';
    const charge: ChargeRecord = {
      id: newId('ch'),
      seq: ++this.seq,
      created: seconds(ctx.now),
      amount: pi.amount,
      currency: pi.currency,
      paymentIntent: pi.id,
      paymentMethod: pm.id,
      card: pm.card,
      status: failure ? 'failed' : 'succeeded',
      captured,
      amountCaptured: captured ? pi.amount : 0,
      amountRefunded: 0,
      failure: failure ? { code: failure.code, declineCode: failure.declineCode, message: failure.message } : null,
      captureBefore: null,
      metadata: { ...pi.metadata },
      description: pi.description,
      receiptEmail: pi.receiptEmail,
      refunds: [],
    };
    this.charges.set(charge.id, charge);
    return charge;
  }

  private cancel(pi: PaymentIntentRecord, reason: string | null, ctx: OpContext): void {
    pi.status = 'canceled';
    pi.cancellationReason = reason;
    pi.canceledAt = seconds(ctx.now);
    pi.amountCapturable = 0;
    pi.captureBefore = null;
    pi.nextAction = null;
    this.emit(ctx, 'payment_intent.canceled', pi);
  }

  private emit(ctx: OpContext, type: string, record: PaymentIntentRecord | ChargeRecord | RefundRecord, previous?: JsonObject): void {
    const version = this.options.apiVersion;
    const object =
      'clientSecret' in record
        ? renderPaymentIntent(this, record, version)
        : 'captured' in record
          ? renderCharge(this, record, version)
          : renderRefund(this, record, version);
    const event: JsonObject = {
      id: newId('evt'),
      object: 'event',
      api_version: version,
      created: seconds(ctx.now),
      data: previous ? { object, previous_attributes: previous } : { object },
      livemode: false,
      pending_webhooks: this.options.hasWebhookEndpoint() ? 1 : 0,
      request: { id: ctx.requestId, idempotency_key: ctx.idempotencyKey },
      type,
    };
    this.restoreEvent(event);
    const streamKey = 'clientSecret' in record ? record.id : record.paymentIntent;
    ctx.events.push({ event, id: event['id'] as string, type, streamKey });
  }

  private list<T extends { id: string; seq: number; created: number }>(p: Params, url: string, items: T[], render: (item: T) => JsonObject): JsonObject {
    const limit = p.integer('limit', { min: 1, max: 100 }) ?? 10;
    const after = p.string('starting_after');
    const before = p.string('ending_before');
    const created = createdFilter(p);
    let sorted = items.filter((item) => created(item.created)).sort((a, b) => b.seq - a.seq);
    const cursor = (id: string, param: string) => {
      const i = sorted.findIndex((item) => item.id === id);
      if (i === -1) throw paramResourceMissing('object', id, param);
      return i;
    };
    let hasMore: boolean;
    if (after) {
      sorted = sorted.slice(cursor(after, 'starting_after') + 1);
      hasMore = sorted.length > limit;
      sorted = sorted.slice(0, limit);
    } else if (before) {
      sorted = sorted.slice(0, cursor(before, 'ending_before'));
      hasMore = sorted.length > limit;
      sorted = sorted.slice(-limit);
    } else {
      hasMore = sorted.length > limit;
      sorted = sorted.slice(0, limit);
    }
    return { object: 'list', data: sorted.map(render), has_more: hasMore, url };
  }
}

/** `created=<unix>` or `created[gt|gte|lt|lte]=<unix>`. */
function createdFilter(p: Params): (created: number) => boolean {
  if (!p.has('created')) return () => true;
  const exact = typeof p.raw['created'] === 'string' ? p.integer('created') : undefined;
  if (exact !== undefined) return (c) => c === exact;
  const range = p.hash('created')!.known(['gt', 'gte', 'lt', 'lte']);
  const [gt, gte, lt, lte] = (['gt', 'gte', 'lt', 'lte'] as const).map((k) => range.integer(k));
  return (c) => (gt === undefined || c > gt) && (gte === undefined || c >= gte) && (lt === undefined || c < lt) && (lte === undefined || c <= lte);
}

/** List endpoints expand through `data.`: `expand[]=data.latest_charge`. */
function listExpand(p: Params, allowed: string[]): Set<string> {
  const paths = p.expand(allowed.map((a) => `data.${a}`));
  return new Set([...paths].map((path) => path.slice('data.'.length)));
}
