import Stripe from 'stripe';
import { startStripeLocal, type StripeLocal } from './index.js';
import { rejection as rejectionOf, sdkFor } from './testing.js';

const rejection = (promise: Promise<unknown>) => rejectionOf(promise, Stripe.errors.StripeError);

let local: StripeLocal;
let stripe: Stripe;

beforeAll(async () => {
  local = await startStripeLocal();
  stripe = sdkFor(local);
});
afterAll(() => local.stop());

const params: Stripe.PaymentIntentCreateParams = {
  amount: 20_000,
  currency: 'cny',
  allowed_payment_method_types: ['card'],
  payment_method: 'pm_card_visa',
  confirm: true,
  capture_method: 'manual',
  metadata: { enrolmentId: 'enr_42' },
};

it('the same key and parameters replay the first response, marked Idempotent-Replayed', async () => {
  const first = await stripe.paymentIntents.create(params, { idempotencyKey: 'deposit:enr_42:hold' });
  const second = await stripe.paymentIntents.create(params, { idempotencyKey: 'deposit:enr_42:hold' });
  expect(second.id).toBe(first.id);
  expect(second).toEqual(first);
  expect(first.lastResponse.headers['idempotent-replayed']).toBeUndefined();
  expect(second.lastResponse.headers['idempotent-replayed']).toBe('true');
  expect(second.lastResponse.headers['original-request']).toBe(first.lastResponse.requestId);
  expect(second.lastResponse.idempotencyKey).toBe('deposit:enr_42:hold');
  expect(local.paymentIntents().filter((p) => (p['metadata'] as Record<string, string>)['enrolmentId'] === 'enr_42')).toHaveLength(1);
});

it('the same key with other parameters is an idempotency_error (StripeIdempotencyError)', async () => {
  await stripe.paymentIntents.create(params, { idempotencyKey: 'k-conflict' });
  const err = await rejection(stripe.paymentIntents.create({ ...params, amount: 20_001 }, { idempotencyKey: 'k-conflict' }));
  expect(err).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
  expect(err).toMatchObject({ statusCode: 400, rawType: 'idempotency_error' });
  expect(err.message).toBe(
    "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than 'k-conflict' if you meant to execute a different request.",
  );
});

it('the same key on another endpoint is an idempotency_error too', async () => {
  const pi = await stripe.paymentIntents.create(params, { idempotencyKey: 'k-endpoint' });
  const err = await rejection(stripe.paymentIntents.capture(pi.id, {}, { idempotencyKey: 'k-endpoint' }));
  expect(err).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
  expect(err.message).toContain('can only be used for the same endpoint');
});

it('a capture retried with its key captures once', async () => {
  const pi = await stripe.paymentIntents.create(params);
  const a = await stripe.paymentIntents.capture(pi.id, { amount_to_capture: 5_000 }, { idempotencyKey: `capture:${pi.id}` });
  const b = await stripe.paymentIntents.capture(pi.id, { amount_to_capture: 5_000 }, { idempotencyKey: `capture:${pi.id}` });
  expect(b).toEqual(a);
  expect(local.events('payment_intent.succeeded').filter((e) => (e['data'] as { object: { id: string } }).object.id === pi.id)).toHaveLength(1);
});

it('errors from an executed endpoint (a decline) are replayed; validation errors are not kept', async () => {
  const declined = { ...params, payment_method: 'pm_card_chargeDeclined' };
  const first = await rejection(stripe.paymentIntents.create(declined, { idempotencyKey: 'k-decline' }));
  const second = await rejection(stripe.paymentIntents.create(declined, { idempotencyKey: 'k-decline' }));
  expect(second).toBeInstanceOf(Stripe.errors.StripeCardError);
  expect(second.payment_intent?.id).toBe(first.payment_intent?.id);
  expect(second.headers?.['idempotent-replayed']).toBe('true');

  const invalid = await rejection(stripe.paymentIntents.create({ ...params, currency: 'xyz' }, { idempotencyKey: 'k-invalid' }));
  expect(invalid.statusCode).toBe(400);
  // Nothing was saved, so the key is free for the corrected request.
  const fixed = await stripe.paymentIntents.create(params, { idempotencyKey: 'k-invalid' });
  expect(fixed.status).toBe('requires_capture');
});

it('keys are scoped to the API key and kept for 24 hours', async () => {
  const other = new Stripe('sk_test_other', { host: '127.0.0.1', port: local.port, protocol: 'http', maxNetworkRetries: 0 });
  const mine = await stripe.paymentIntents.create(params, { idempotencyKey: 'k-scope' });
  const theirs = await other.paymentIntents.create(params, { idempotencyKey: 'k-scope' });
  expect(theirs.id).not.toBe(mine.id);

  local.clock.advance(23 * 3600_000);
  expect((await stripe.paymentIntents.create(params, { idempotencyKey: 'k-scope' })).id).toBe(mine.id);
  local.clock.advance(3600_000);
  expect((await stripe.paymentIntents.create(params, { idempotencyKey: 'k-scope' })).id).not.toBe(mine.id);
});

it('GET requests ignore idempotency keys', async () => {
  const pi = await stripe.paymentIntents.create(params);
  const got = await stripe.paymentIntents.retrieve(pi.id, {}, { idempotencyKey: 'k-get' });
  expect(got.lastResponse.headers['idempotent-replayed']).toBeUndefined();
});
