import Stripe from 'stripe';
import { startStripeLocal, type StripeLocal } from './index.js';
import { rejection as rejectionOf, sdkFor } from './testing.js';

const rejection = (promise: Promise<unknown>) => rejectionOf(promise, Stripe.errors.StripeError);

let local: StripeLocal;
let stripe: Stripe;

beforeAll(async () => {
  local = await startStripeLocal({ port: 0 });
  stripe = sdkFor(local);
});
afterAll(() => local.stop());

const REUSED =
  'The provided PaymentMethod was previously used with a PaymentIntent without Customer attachment, shared with a connected account without Customer attachment, or was detached from a Customer. It may not be used again. To use a PaymentMethod multiple times, you must attach it to a Customer first.';

/** A card deposit held (manual capture), as the platform creates it. */
const hold = (extra: Partial<Stripe.PaymentIntentCreateParams> = {}): Stripe.PaymentIntentCreateParams => ({
  amount: 70_000,
  currency: 'cny',
  capture_method: 'manual',
  allowed_payment_method_types: ['card'],
  ...extra,
});

/** What Stripe.js does with the card the bidder typed: a PaymentMethod of its own. */
const browserCard = () => stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_visa' } });

/** The later charge of the same card without the bidder (hold conversion). */
const offSession = (pm: string, extra: Partial<Stripe.PaymentIntentCreateParams> = {}): Stripe.PaymentIntentCreateParams => ({
  amount: 70_000,
  currency: 'cny',
  capture_method: 'automatic',
  allowed_payment_method_types: ['card'],
  payment_method: pm,
  confirm: true,
  off_session: true,
  ...extra,
});

describe('customers', () => {
  it('creates a customer with metadata, email, name and description, and retrieves it', async () => {
    const created = await stripe.customers.create({ email: 'bidder@test.fapai.local', name: '张三', description: 'fapai bidder', metadata: { userId: 'u-1' } });
    expect(created).toMatchObject({ object: 'customer', email: 'bidder@test.fapai.local', name: '张三', description: 'fapai bidder', metadata: { userId: 'u-1' }, livemode: false });
    expect(created.id).toMatch(/^cus_[A-Za-z0-9]{14}$/);
    const again = await stripe.customers.retrieve(created.id);
    expect(again).toMatchObject({ id: created.id, object: 'customer', metadata: { userId: 'u-1' } });
  });

  it('the same idempotency key creates one customer', async () => {
    const [a, b] = await Promise.all([
      stripe.customers.create({ metadata: { userId: 'u-2' } }, { idempotencyKey: 'customer:u-2' }),
      stripe.customers.create({ metadata: { userId: 'u-2' } }, { idempotencyKey: 'customer:u-2' }),
    ]);
    expect(a.id).toBe(b.id);
  });

  it('an unknown customer: 404 on retrieve, 400 resource_missing on the customer parameter of a PaymentIntent', async () => {
    const missing = await rejection(stripe.customers.retrieve('cus_nothere'));
    expect(missing).toMatchObject({ statusCode: 404, type: 'StripeInvalidRequestError', code: 'resource_missing', message: "No such customer: 'cus_nothere'" });
    const onCreate = await rejection(stripe.paymentIntents.create(hold({ customer: 'cus_nothere' })));
    expect(onCreate).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'customer', message: "No such customer: 'cus_nothere'" });
    const pi = await stripe.paymentIntents.create(hold());
    const onUpdate = await rejection(stripe.paymentIntents.update(pi.id, { customer: 'cus_nothere' }));
    expect(onUpdate).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'customer' });
    const customer = await stripe.customers.create({});
    expect((await stripe.paymentIntents.update(pi.id, { customer: customer.id })).customer).toBe(customer.id);
  });
});

describe('payment methods', () => {
  it('a card token makes a new PaymentMethod, attached to no one; an unknown token is refused', async () => {
    const pm = await browserCard();
    expect(pm).toMatchObject({ object: 'payment_method', type: 'card', customer: null, card: { brand: 'visa', last4: '4242' } });
    expect(pm.id).toMatch(/^pm_/);
    expect((await stripe.paymentMethods.retrieve(pm.id)).id).toBe(pm.id);
    const bad = await rejection(stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_nothere' } }));
    expect(bad).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'card[token]' });
  });

  it('the test tokens (pm_card_visa) make a fresh PaymentMethod on every use, so they never count as reused', async () => {
    const first = await stripe.paymentIntents.create(hold({ payment_method: 'pm_card_visa', confirm: true }));
    const second = await stripe.paymentIntents.create(offSession('pm_card_visa'));
    expect(second.status).toBe('succeeded');
    expect(second.payment_method).not.toBe(first.payment_method);
  });
});

describe('reusing a PaymentMethod', () => {
  it('used by a PaymentIntent without a customer, it may not be used again (the bug of hold conversion)', async () => {
    const pm = await browserCard();
    const first = await stripe.paymentIntents.create(hold());
    expect((await stripe.paymentIntents.confirm(first.id, { payment_method: pm.id })).status).toBe('requires_capture');
    expect((await stripe.paymentMethods.retrieve(pm.id)).customer).toBeNull();
    const again = await rejection(stripe.paymentIntents.create(offSession(pm.id)));
    expect(again).toMatchObject({ statusCode: 400, type: 'StripeInvalidRequestError', message: REUSED });
    // not even with a customer: it was never attached
    const customer = await stripe.customers.create({});
    const withCustomer = await rejection(stripe.paymentIntents.create(offSession(pm.id, { customer: customer.id })));
    expect(withCustomer.message).toBe(REUSED);
    // nor by confirming another intent with it
    const other = await stripe.paymentIntents.create(hold());
    expect((await rejection(stripe.paymentIntents.confirm(other.id, { payment_method: pm.id }))).message).toBe(REUSED);
  });

  it('a PaymentMethod set on an intent that was never confirmed is not consumed', async () => {
    const pm = await browserCard();
    const unused = await stripe.paymentIntents.create(hold({ payment_method: pm.id }));
    expect(unused.status).toBe('requires_confirmation');
    await stripe.paymentIntents.cancel(unused.id);
    expect((await stripe.paymentIntents.create(hold({ payment_method: pm.id, confirm: true }))).status).toBe('requires_capture');
  });

  it('with a customer and setup_future_usage, a successful intent attaches the PaymentMethod, which the customer can then use off-session', async () => {
    const customer = await stripe.customers.create({ metadata: { userId: 'u-3' } });
    const pm = await browserCard();
    const held = await stripe.paymentIntents.create(hold({ customer: customer.id, setup_future_usage: 'off_session' }));
    expect(held).toMatchObject({ customer: customer.id, setup_future_usage: 'off_session', status: 'requires_payment_method' });
    // not attached before the payment succeeds
    expect((await stripe.paymentMethods.retrieve(pm.id)).customer).toBeNull();
    expect((await stripe.paymentIntents.confirm(held.id, { payment_method: pm.id })).status).toBe('requires_capture');
    expect((await stripe.paymentMethods.retrieve(pm.id)).customer).toBe(customer.id);

    const converted = await stripe.paymentIntents.create(offSession(pm.id, { customer: customer.id }), { idempotencyKey: 'convert-1' });
    expect(converted).toMatchObject({ status: 'succeeded', customer: customer.id, payment_method: pm.id, amount_received: 70_000 });
    const charge = await stripe.charges.retrieve(converted.latest_charge as string);
    expect(charge).toMatchObject({ customer: customer.id, payment_method: pm.id, captured: true });
    // and again: an attached PaymentMethod is not consumed by use
    expect((await stripe.paymentIntents.create(offSession(pm.id, { customer: customer.id }))).status).toBe('succeeded');
    expect((await stripe.paymentIntents.cancel(held.id)).status).toBe('canceled');
  });

  it('an attached PaymentMethod is refused without its customer, and with another one', async () => {
    const owner = await stripe.customers.create({});
    const stranger = await stripe.customers.create({});
    const pm = await browserCard();
    await stripe.paymentIntents.create(hold({ customer: owner.id, setup_future_usage: 'off_session', payment_method: pm.id, confirm: true }));
    const without = await rejection(stripe.paymentIntents.create(offSession(pm.id)));
    expect(without).toMatchObject({
      statusCode: 400,
      type: 'StripeInvalidRequestError',
      message: `The \`payment_method\` parameter supplied ${pm.id} belongs to the Customer ${owner.id}. Please include the Customer in the \`customer\` parameter on the PaymentIntent.`,
    });
    const other = await rejection(stripe.paymentIntents.create(offSession(pm.id, { customer: stranger.id })));
    expect(other).toMatchObject({
      statusCode: 400,
      message: `The customer does not have a payment method with the ID ${pm.id}. The payment method must be attached to the customer.`,
    });
    // moving an intent that holds the card to another customer is refused as well
    const pending = await stripe.paymentIntents.create(hold({ customer: owner.id, payment_method: pm.id }));
    expect((await rejection(stripe.paymentIntents.update(pending.id, { customer: stranger.id }))).statusCode).toBe(400);
    expect((await stripe.paymentIntents.confirm(pending.id)).status).toBe('requires_capture');
  });

  it('setup_future_usage without a customer does not save the card: it is consumed like any other', async () => {
    const pm = await browserCard();
    await stripe.paymentIntents.create(hold({ setup_future_usage: 'off_session', payment_method: pm.id, confirm: true }));
    expect((await rejection(stripe.paymentIntents.create(offSession(pm.id)))).message).toBe(REUSED);
  });
});
