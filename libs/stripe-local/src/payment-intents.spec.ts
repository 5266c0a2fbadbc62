import Stripe from 'stripe';
import { startStripeLocal, type StripeLocal } from './index.js';
import { rejection as rejectionOf, sdkFor } from './testing.js';

const rejection = (promise: Promise<unknown>) => rejectionOf(promise, Stripe.errors.StripeError);

const DAY = 24 * 3600_000;
let local: StripeLocal;
let stripe: Stripe;

beforeAll(async () => {
  local = await startStripeLocal({ port: 0 });
  stripe = sdkFor(local);
});
afterAll(() => local.stop());

/** What the platform sends: a card deposit with our ids in the metadata. */
const deposit = (extra: Partial<Stripe.PaymentIntentCreateParams> = {}): Stripe.PaymentIntentCreateParams => ({
  amount: 50_000,
  currency: 'cny',
  allowed_payment_method_types: ['card'],
  metadata: { enrolmentId: 'enr_1', lotId: 'lot_9' },
  ...extra,
});

describe('create and confirm', () => {
  it('automatic capture: create+confirm with pm_card_visa succeeds at once', async () => {
    const pi = await stripe.paymentIntents.create(deposit({ payment_method: 'pm_card_visa', confirm: true }));
    expect(pi).toMatchObject({
      object: 'payment_intent',
      status: 'succeeded',
      amount: 50_000,
      amount_received: 50_000,
      amount_capturable: 0,
      currency: 'cny',
      capture_method: 'automatic_async',
      confirmation_method: 'automatic',
      livemode: false,
      metadata: { enrolmentId: 'enr_1', lotId: 'lot_9' },
      last_payment_error: null,
      cancellation_reason: null,
    });
    expect(pi.id).toMatch(/^pi_[A-Za-z0-9]{24}$/);
    expect(pi.client_secret).toMatch(new RegExp(`^${pi.id}_secret_[A-Za-z0-9]+$`));
    expect(pi.payment_method).toMatch(/^pm_/);
    expect(pi.latest_charge).toMatch(/^ch_/);
    expect(pi.lastResponse.requestId).toMatch(/^req_/);

    const charge = await stripe.charges.retrieve(pi.latest_charge as string);
    expect(charge).toMatchObject({ object: 'charge', status: 'succeeded', captured: true, paid: true, amount_captured: 50_000, payment_intent: pi.id });
    expect(charge.payment_method_details?.card).toMatchObject({ brand: 'visa', last4: '4242' });
    const pm = await stripe.paymentMethods.retrieve(pi.payment_method as string);
    expect(pm.card).toMatchObject({ brand: 'visa', last4: '4242' });
  });

  it('create, then confirm in a second call, with pm_card_mastercard', async () => {
    const created = await stripe.paymentIntents.create(deposit());
    expect(created.status).toBe('requires_payment_method');
    const confirmed = await stripe.paymentIntents.confirm(created.id, { payment_method: 'pm_card_mastercard' });
    expect(confirmed.status).toBe('succeeded');
    const again = await stripe.paymentIntents.retrieve(created.id, { expand: ['latest_charge', 'payment_method'] });
    expect((again.latest_charge as Stripe.Charge).payment_method_details?.card?.brand).toBe('mastercard');
    expect((again.payment_method as Stripe.PaymentMethod).object).toBe('payment_method');
  });

  it('a payment method given at creation leaves the intent in requires_confirmation', async () => {
    const pi = await stripe.paymentIntents.create(deposit({ payment_method: 'pm_card_visa' }));
    expect(pi.status).toBe('requires_confirmation');
    expect((await stripe.paymentIntents.confirm(pi.id)).status).toBe('succeeded');
  });

  it('the API version the SDK pins defaults capture_method to automatic_async; older versions to automatic', async () => {
    const old = sdkFor(local, { apiVersion: '2023-10-16' as never });
    expect((await old.paymentIntents.create(deposit())).capture_method).toBe('automatic');
  });

  it('payment_method_types is gone from requests since 2026-09-30.endive; older versions still take it', async () => {
    const pi = await stripe.paymentIntents.create(deposit());
    expect(pi).toMatchObject({ allowed_payment_method_types: ['card'], payment_method_types: ['card'], automatic_payment_methods: null });
    const old = sdkFor(local, { apiVersion: '2025-08-27.basil' as never });
    const legacy = await old.paymentIntents.create({ amount: 100, currency: 'cny', payment_method_types: ['card'] } as Stripe.PaymentIntentCreateParams);
    expect(legacy).toMatchObject({ payment_method_types: ['card'], allowed_payment_method_types: null, automatic_payment_methods: null });
  });

  it('server-side confirm with Dashboard payment methods needs a return_url, as Stripe says', async () => {
    const params = { amount: 1000, currency: 'cny', payment_method: 'pm_card_visa', confirm: true };
    const err = await rejection(stripe.paymentIntents.create(params));
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err.message).toContain('return_url');
    const ok = await stripe.paymentIntents.create({ ...params, automatic_payment_methods: { enabled: true, allow_redirects: 'never' } });
    expect(ok.status).toBe('succeeded');
  });
});

describe('manual capture', () => {
  it('holds the amount, then captures it in full', async () => {
    const pi = await stripe.paymentIntents.create(deposit({ payment_method: 'pm_card_visa', confirm: true, capture_method: 'manual' }));
    expect(pi).toMatchObject({ status: 'requires_capture', amount_capturable: 50_000, amount_received: 0 });
    const charge = await stripe.charges.retrieve(pi.latest_charge as string);
    expect(charge).toMatchObject({ captured: false, amount_captured: 0, status: 'succeeded' });
    expect(charge.payment_method_details?.card?.capture_before).toBeGreaterThan(charge.created + 6 * 86400);

    const captured = await stripe.paymentIntents.capture(pi.id);
    expect(captured).toMatchObject({ status: 'succeeded', amount_received: 50_000, amount_capturable: 0 });
    expect(await stripe.charges.retrieve(pi.latest_charge as string)).toMatchObject({ captured: true, amount_captured: 50_000, amount_refunded: 0 });
  });

  it('partial capture takes amount_to_capture and releases the rest (no refund object since basil)', async () => {
    const pi = await stripe.paymentIntents.create(deposit({ payment_method: 'pm_card_visa', confirm: true, capture_method: 'manual' }));
    const captured = await stripe.paymentIntents.capture(pi.id, { amount_to_capture: 20_000, metadata: { settledBy: 'closing' } });
    expect(captured).toMatchObject({ status: 'succeeded', amount: 50_000, amount_received: 20_000, amount_capturable: 0 });
    expect(captured.metadata).toEqual({ enrolmentId: 'enr_1', lotId: 'lot_9', settledBy: 'closing' });
    const charge = await stripe.charges.retrieve(pi.latest_charge as string);
    expect(charge).toMatchObject({ amount: 50_000, amount_captured: 20_000, amount_refunded: 0, refunded: false });
    expect((await stripe.refunds.list({ payment_intent: pi.id })).data).toHaveLength(0);
  });

  it('refuses to capture more than is capturable', async () => {
    const pi = await stripe.paymentIntents.create(deposit({ payment_method: 'pm_card_visa', confirm: true, capture_method: 'manual' }));
    const err = await rejection(stripe.paymentIntents.capture(pi.id, { amount_to_capture: 50_001 }));
    expect(err).toMatchObject({ statusCode: 400, code: 'amount_too_large', param: 'amount_to_capture' });
    expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe('requires_capture');
  });

  it('cancel releases the hold', async () => {
    const pi = await stripe.paymentIntents.create(deposit({ payment_method: 'pm_card_visa', confirm: true, capture_method: 'manual' }));
    const canceled = await stripe.paymentIntents.cancel(pi.id, { cancellation_reason: 'abandoned' });
    expect(canceled).toMatchObject({ status: 'canceled', cancellation_reason: 'abandoned', amount_capturable: 0, amount_received: 0 });
    expect(canceled.canceled_at).toEqual(expect.any(Number));
  });

  it('a hold expires 7 days after authorisation (server clock), as Stripe cancels it', async () => {
    const pi = await stripe.paymentIntents.create(deposit({ payment_method: 'pm_card_visa', confirm: true, capture_method: 'manual' }));
    local.clock.advance(7 * DAY - 60_000);
    expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe('requires_capture');
    local.clock.advance(60_000);
    const expired = await stripe.paymentIntents.retrieve(pi.id);
    expect(expired).toMatchObject({ status: 'canceled', cancellation_reason: 'expired', amount_capturable: 0 });
    expect(expired.canceled_at).toBe(Math.floor((pi.created * 1000 + 7 * DAY) / 1000));
    const err = await rejection(stripe.paymentIntents.capture(pi.id));
    expect(err).toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state' });
    expect(err.message).toBe(
      'This PaymentIntent could not be captured because it has a status of canceled. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.',
    );
    expect(local.events('charge.expired').some((e) => (e['data'] as { object: { payment_intent: string } }).object.payment_intent === pi.id)).toBe(true);
  });

  it('before 2025-03-31.basil an expired hold reads cancellation_reason automatic', async () => {
    const pi = await stripe.paymentIntents.create(deposit({ payment_method: 'pm_card_visa', confirm: true, capture_method: 'manual' }));
    local.clock.advance(8 * DAY);
    const old = sdkFor(local, { apiVersion: '2024-06-20' as never });
    expect((await old.paymentIntents.retrieve(pi.id)).cancellation_reason).toBe('automatic');
  });

  it('the expiry timer cancels holds without any request arriving', async () => {
    let now = Date.now();
    const timed = await startStripeLocal({ now: () => now, expiryCheckMs: 20, holdMs: 1000 });
    try {
      const s = new Stripe('sk_test_local', { host: '127.0.0.1', port: timed.port, protocol: 'http' });
      const pi = await s.paymentIntents.create(deposit({ payment_method: 'pm_card_visa', confirm: true, capture_method: 'manual' }));
      now += 1000;
      await new Promise((r) => setTimeout(r, 100));
      expect(timed.events().map((e) => e['type'])).toContain('payment_intent.canceled');
      expect(timed.paymentIntent(pi.id)).toMatchObject({ status: 'canceled' });
    } finally {
      await timed.stop();
    }
  });
});

describe('declines', () => {
  it.each([
    ['pm_card_chargeDeclined', 'card_declined', 'generic_decline', 'Your card was declined.'],
    ['pm_card_chargeDeclinedInsufficientFunds', 'card_declined', 'insufficient_funds', 'Your card has insufficient funds.'],
    ['pm_card_chargeDeclinedExpiredCard', 'expired_card', 'expired_card', 'Your card has expired.'],
    ['pm_card_chargeDeclinedProcessingError', 'processing_error', 'processing_error', 'An error occurred while processing your card. Try again in a little bit.'],
  ])('%s: the SDK throws StripeCardError %s/%s and the intent wants a new payment method', async (pm, code, declineCode, message) => {
    const err = await rejection(stripe.paymentIntents.create(deposit({ payment_method: pm, confirm: true })));
    expect(err).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(err).toMatchObject({ statusCode: 402, type: 'StripeCardError', rawType: 'card_error', code, decline_code: declineCode, message });
    expect(err.charge).toMatch(/^ch_/);
    expect(err.doc_url).toBe(`https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`);
    expect(err.request_log_url).toContain(err.requestId);
    const intent = err.payment_intent!;
    expect(intent).toMatchObject({ status: 'requires_payment_method', payment_method: null, latest_charge: err.charge });
    expect(intent.last_payment_error).toMatchObject({ type: 'card_error', code, decline_code: declineCode, message });

    const stored = await stripe.paymentIntents.retrieve(intent.id);
    expect(stored.last_payment_error?.code).toBe(code);
    expect(await stripe.charges.retrieve(err.charge!)).toMatchObject({ status: 'failed', failure_code: code, paid: false });

    // The customer tries another card on the same intent.
    const retried = await stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa' });
    expect(retried).toMatchObject({ status: 'succeeded', last_payment_error: null });
  });

  it('an unknown payment method is resource_missing, 400 as for every object named by a parameter (no intent created)', async () => {
    const before = local.paymentIntents().length;
    const err = await rejection(stripe.paymentIntents.create(deposit({ payment_method: 'pm_card_nope', confirm: true })));
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'payment_method', message: "No such PaymentMethod: 'pm_card_nope'" });
    expect(local.paymentIntents()).toHaveLength(before);
  });
});

describe('3D Secure', () => {
  it('pm_card_authenticationRequired needs action; the customer authenticates, then the hold is placed', async () => {
    const pi = await stripe.paymentIntents.create(
      deposit({ payment_method: 'pm_card_authenticationRequired', confirm: true, capture_method: 'manual', return_url: 'https://fapai.test/back' }),
    );
    expect(pi.status).toBe('requires_action');
    expect(pi.next_action?.type).toBe('redirect_to_url');
    expect(pi.next_action?.redirect_to_url?.url).toContain(`${local.url}/_control/payment_intents/${pi.id}/authenticate`);
    const res = await fetch(pi.next_action!.redirect_to_url!.url!, { method: 'POST', body: JSON.stringify({ outcome: 'succeed' }) });
    expect(res.status).toBe(200);
    expect(await stripe.paymentIntents.retrieve(pi.id)).toMatchObject({ status: 'requires_capture', amount_capturable: 50_000 });
  });

  it('failed authentication returns the intent to requires_payment_method', async () => {
    const pi = await stripe.paymentIntents.create(deposit({ payment_method: 'pm_card_authenticationRequired', confirm: true }));
    expect(pi.next_action?.type).toBe('use_stripe_sdk');
    local.authenticate(pi.id, 'fail');
    const after = await stripe.paymentIntents.retrieve(pi.id);
    expect(after).toMatchObject({ status: 'requires_payment_method', last_payment_error: { code: 'payment_intent_authentication_failure' } });
  });

  it('off-session, a card that needs authentication is declined with authentication_required', async () => {
    const err = await rejection(stripe.paymentIntents.create(deposit({ payment_method: 'pm_card_authenticationRequired', confirm: true, off_session: true })));
    expect(err).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(err).toMatchObject({ code: 'authentication_required', decline_code: 'authentication_required' });
  });
});

describe('invalid transitions', () => {
  it('capture of an automatic-capture intent that succeeded', async () => {
    const pi = await stripe.paymentIntents.create(deposit({ payment_method: 'pm_card_visa', confirm: true }));
    const err = await rejection(stripe.paymentIntents.capture(pi.id));
    expect(err).toMatchObject({ statusCode: 400, rawType: 'invalid_request_error', code: 'payment_intent_unexpected_state' });
    expect(err.message).toBe('This PaymentIntent could not be captured because it has already been captured.');
    expect(err.payment_intent?.id).toBe(pi.id);
  });

  it('cancel of a succeeded intent', async () => {
    const pi = await stripe.paymentIntents.create(deposit({ payment_method: 'pm_card_visa', confirm: true }));
    const err = await rejection(stripe.paymentIntents.cancel(pi.id));
    expect(err.code).toBe('payment_intent_unexpected_state');
    expect(err.message).toBe(
      'You cannot cancel this PaymentIntent because it has a status of succeeded. Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing.',
    );
  });

  it('confirm of a succeeded or canceled intent, and confirm without a payment method', async () => {
    const done = await stripe.paymentIntents.create(deposit({ payment_method: 'pm_card_visa', confirm: true }));
    expect((await rejection(stripe.paymentIntents.confirm(done.id))).message).toBe(
      'You cannot confirm this PaymentIntent because it has already succeeded after being previously confirmed.',
    );
    const canceled = await stripe.paymentIntents.cancel((await stripe.paymentIntents.create(deposit())).id);
    expect((await rejection(stripe.paymentIntents.confirm(canceled.id, { payment_method: 'pm_card_visa' }))).message).toContain(
      'because it has a status of canceled',
    );
    const bare = await stripe.paymentIntents.create(deposit());
    expect((await rejection(stripe.paymentIntents.confirm(bare.id))).code).toBe('payment_intent_unexpected_state');
  });

  it('the amount may change before authorisation only; metadata always', async () => {
    const pi = await stripe.paymentIntents.create(deposit());
    const updated = await stripe.paymentIntents.update(pi.id, { amount: 60_000, metadata: { lotId: '', round: '2' } });
    expect(updated.amount).toBe(60_000);
    expect(updated.metadata).toEqual({ enrolmentId: 'enr_1', round: '2' });
    await stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' });
    const err = await rejection(stripe.paymentIntents.update(pi.id, { amount: 1 }));
    expect(err.message).toBe(
      "This PaymentIntent's amount could not be updated because it has a status of succeeded. You may only update the amount of a PaymentIntent with one of the following statuses: requires_payment_method, requires_confirmation, requires_action.",
    );
    expect((await stripe.paymentIntents.update(pi.id, { metadata: { note: 'ok' } })).metadata['note']).toBe('ok');
  });

  it('an unknown intent is resource_missing', async () => {
    const err = await rejection(stripe.paymentIntents.retrieve('pi_doesnotexist'));
    expect(err).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'intent', message: "No such payment_intent: 'pi_doesnotexist'" });
  });
});

describe('validation', () => {
  it.each([
    [{ currency: 'cny' }, 'amount', 'parameter_missing', 'Missing required param: amount.'],
    [{ amount: 0, currency: 'cny' }, 'amount', 'amount_too_small', 'This value must be greater than or equal to 1.'],
    [{ amount: 100 }, 'currency', 'parameter_missing', 'Missing required param: currency.'],
    [{ amount: 100, currency: 'xyz' }, 'currency', undefined, 'Invalid currency: xyz.'],
    [{ amount: 100, currency: 'cny', colour: 'red' }, 'colour', 'parameter_unknown', 'Received unknown parameter: colour'],
    [{ amount: 100, currency: 'cny', capture_method: 'later' }, 'capture_method', undefined, 'Invalid capture_method'],
    [{ amount: 100, currency: 'cny', allowed_payment_method_types: ['alipay'] }, 'allowed_payment_method_types', undefined, 'must include "card"'],
    [{ amount: 100, currency: 'cny', payment_method_types: ['card'] }, 'payment_method_types', 'parameter_unknown', 'Received unknown parameter'],
  ])('%j → invalid_request_error on %s', async (params, param, code, message) => {
    const err = await rejection(stripe.paymentIntents.create(params as Stripe.PaymentIntentCreateParams));
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err).toMatchObject({ statusCode: 400, rawType: 'invalid_request_error', param });
    expect(err.code).toBe(code);
    expect(err.message).toContain(message);
  });

  it('an unknown route is Stripe’s 404', async () => {
    const res = await fetch(`${local.url}/v1/payment_intents/pi_1/teleport`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('Unrecognized request URL (POST: /v1/payment_intents/pi_1/teleport)');
  });
});

describe('lists', () => {
  it('lists newest first with limit, starting_after and expand of data.*', async () => {
    const own = await startStripeLocal();
    try {
      const s = new Stripe('sk_test_local', { host: '127.0.0.1', port: own.port, protocol: 'http' });
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await s.paymentIntents.create(deposit({ payment_method: 'pm_card_visa', confirm: true }))).id);
      const first = await s.paymentIntents.list({ limit: 2, expand: ['data.latest_charge'] });
      expect(first.data.map((p) => p.id)).toEqual([ids[2], ids[1]]);
      expect(first.has_more).toBe(true);
      expect((first.data[0]!.latest_charge as Stripe.Charge).object).toBe('charge');
      const rest = await s.paymentIntents.list({ limit: 2, starting_after: ids[1] });
      expect(rest.data.map((p) => p.id)).toEqual([ids[0]]);
      expect(rest.has_more).toBe(false);
      const all: string[] = [];
      for await (const p of s.paymentIntents.list({ limit: 1 })) all.push(p.id);
      expect(all).toEqual([...ids].reverse());
      const created = first.data[0]!.created;
      expect((await s.paymentIntents.list({ created: { gt: created } })).data).toHaveLength(0);
      expect((await s.paymentIntents.list({ created: { lte: created }, limit: 10 })).data).toHaveLength(3);
    } finally {
      await own.stop();
    }
  });
});

describe('authentication', () => {
  it('with apiKey set, a wrong or missing key is Stripe’s 401', async () => {
    const guarded = await startStripeLocal({ apiKey: 'sk_test_right' });
    try {
      const wrong = new Stripe('sk_test_wrong_key', { host: '127.0.0.1', port: guarded.port, protocol: 'http' });
      const err = await rejection(wrong.paymentIntents.create(deposit()));
      expect(err).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
      expect(err.message).toBe('Invalid API Key provided: sk_test_*****_key');
      const bare = await fetch(`${guarded.url}/v1/payment_intents`);
      expect(bare.status).toBe(401);
      expect(((await bare.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
      const right = new Stripe('sk_test_right', { host: '127.0.0.1', port: guarded.port, protocol: 'http' });
      expect((await right.paymentIntents.create(deposit())).status).toBe('requires_payment_method');
    } finally {
      await guarded.stop();
    }
  });
});
