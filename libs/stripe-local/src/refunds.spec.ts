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

const paid = (amount = 10_000, capture_method: 'automatic' | 'manual' = 'automatic') =>
  stripe.paymentIntents.create({ amount, currency: 'cny', allowed_payment_method_types: ['card'], payment_method: 'pm_card_visa', confirm: true, capture_method });

it('a full refund by payment_intent', async () => {
  const pi = await paid();
  const refund = await stripe.refunds.create({ payment_intent: pi.id, reason: 'requested_by_customer', metadata: { ledgerEntry: 'L1' } });
  expect(refund).toMatchObject({
    object: 'refund',
    amount: 10_000,
    currency: 'cny',
    status: 'succeeded',
    payment_intent: pi.id,
    charge: pi.latest_charge,
    reason: 'requested_by_customer',
    metadata: { ledgerEntry: 'L1' },
  });
  expect(refund.id).toMatch(/^re_/);
  expect(await stripe.charges.retrieve(pi.latest_charge as string)).toMatchObject({ amount_refunded: 10_000, refunded: true });
  expect(await stripe.refunds.retrieve(refund.id)).toMatchObject({ id: refund.id, amount: 10_000 });
  // The PaymentIntent itself does not change when it is refunded.
  expect(await stripe.paymentIntents.retrieve(pi.id)).toMatchObject({ status: 'succeeded', amount_received: 10_000 });
});

it('several partial refunds up to the amount received, then over-refund errors', async () => {
  const pi = await paid();
  await stripe.refunds.create({ payment_intent: pi.id, amount: 3_000 });
  await stripe.refunds.create({ charge: pi.latest_charge as string, amount: 2_000 });
  const tooMuch = await rejection(stripe.refunds.create({ payment_intent: pi.id, amount: 5_001 }));
  expect(tooMuch).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
  expect(tooMuch).toMatchObject({ statusCode: 400, code: 'amount_too_large', param: 'amount' });
  expect(tooMuch.message).toBe('Refund amount (CN¥50.01) is greater than unrefunded amount on charge (CN¥50.00)');

  const rest = await stripe.refunds.create({ payment_intent: pi.id });
  expect(rest.amount).toBe(5_000);
  const charge = await stripe.charges.retrieve(pi.latest_charge as string, { expand: ['refunds'] });
  expect(charge).toMatchObject({ amount_refunded: 10_000, refunded: true });
  expect(charge.refunds?.data.map((r) => r.amount)).toEqual([5_000, 2_000, 3_000]);

  const again = await rejection(stripe.refunds.create({ payment_intent: pi.id, amount: 1 }));
  expect(again).toMatchObject({ code: 'charge_already_refunded', message: `Charge ${pi.latest_charge} has already been refunded.` });
  expect((await stripe.refunds.list({ payment_intent: pi.id })).data).toHaveLength(3);
});

it('a refund larger than the charge says "charge amount"', async () => {
  const pi = await paid(1_000);
  const err = await rejection(stripe.refunds.create({ payment_intent: pi.id, amount: 1_001 }));
  expect(err.message).toBe('Refund amount (CN¥10.01) is greater than charge amount (CN¥10.00)');
});

it('a partially captured payment refunds only what was captured', async () => {
  const pi = await paid(10_000, 'manual');
  await stripe.paymentIntents.capture(pi.id, { amount_to_capture: 4_000 });
  const err = await rejection(stripe.refunds.create({ payment_intent: pi.id, amount: 4_001 }));
  expect(err.code).toBe('amount_too_large');
  expect((await stripe.refunds.create({ payment_intent: pi.id })).amount).toBe(4_000);
});

it('an uncaptured or unknown payment cannot be refunded', async () => {
  const held = await paid(10_000, 'manual');
  const err = await rejection(stripe.refunds.create({ payment_intent: held.id }));
  expect(err).toMatchObject({ statusCode: 400, param: 'payment_intent' });
  expect(err.message).toContain('does not have a successful charge to refund');
  const missing = await rejection(stripe.refunds.create({ payment_intent: 'pi_missing' }));
  expect(missing).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'payment_intent' });
  const neither = await rejection(stripe.refunds.create({}));
  expect(neither.message).toContain('payment_intent or charge');
});

it('refund metadata can be updated (refund.updated carries previous_attributes)', async () => {
  const pi = await paid();
  const refund = await stripe.refunds.create({ payment_intent: pi.id, amount: 100, metadata: { a: '1' } });
  const updated = await stripe.refunds.update(refund.id, { metadata: { b: '2' } });
  expect(updated.metadata).toEqual({ a: '1', b: '2' });
  const event = local.events('refund.updated').at(-1)!;
  expect(event['data']).toMatchObject({ object: { id: refund.id, metadata: { a: '1', b: '2' } }, previous_attributes: { metadata: { a: '1' } } });
});
