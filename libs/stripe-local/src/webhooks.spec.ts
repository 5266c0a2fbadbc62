import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { startStripeLocal, type StripeLocal } from './index.js';
import { sdkFor } from './testing.js';

const SECRET = 'whsec_test_fapai_local';

/** A webhook endpoint like the platform's: keeps the raw body (signatures are over bytes) and answers scripted statuses. */
interface Received {
  raw: string;
  signature: string;
  event: Stripe.Event;
}
async function receiver() {
  const received: Received[] = [];
  const statuses: number[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = statuses.shift() ?? 200;
      if (status === 200) {
        const raw = Buffer.concat(chunks).toString('utf8');
        const signature = String(req.headers['stripe-signature']);
        received.push({ raw, signature, event: stripe.webhooks.constructEvent(raw, signature, SECRET) });
      }
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/payments/stripe/webhook`,
    received,
    statuses,
    types: () => received.map((r) => r.event.type),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

let stripe: Stripe;
let local: StripeLocal;
let hook: Awaited<ReturnType<typeof receiver>>;

beforeEach(async () => {
  hook = await receiver();
  local = await startStripeLocal({ webhookUrl: hook.url, webhookSecret: SECRET, webhookRetry: { baseMs: 10, maxMs: 40, maxAttempts: 4 } });
  stripe = sdkFor(local);
});
afterEach(async () => {
  await local.stop();
  await hook.close();
});

const hold = (payment_method = 'pm_card_visa') =>
  stripe.paymentIntents.create({
    amount: 30_000,
    currency: 'cny',
    allowed_payment_method_types: ['card'],
    payment_method,
    confirm: true,
    capture_method: 'manual',
    metadata: { enrolmentId: 'enr_7' },
  });

it('a deposit’s life arrives in order, each event signed so constructEvent accepts it', async () => {
  local.syncWebhooks = true;
  const pi = await hold();
  // With syncWebhooks the events are at the endpoint before the API answers.
  expect(hook.types()).toEqual(['payment_intent.created', 'charge.succeeded', 'payment_intent.amount_capturable_updated']);
  await stripe.paymentIntents.capture(pi.id, { amount_to_capture: 10_000 }, { idempotencyKey: 'cap-1' });
  await stripe.refunds.create({ payment_intent: pi.id, amount: 2_500 });
  expect(hook.types()).toEqual([
    'payment_intent.created',
    'charge.succeeded',
    'payment_intent.amount_capturable_updated',
    'charge.captured',
    'payment_intent.succeeded',
    'refund.created',
    'charge.refunded',
  ]);
  const succeeded = hook.received[4]!.event;
  expect(succeeded).toMatchObject({
    object: 'event',
    api_version: local.apiVersion,
    livemode: false,
    pending_webhooks: 1,
    request: { idempotency_key: 'cap-1' },
    data: { object: { id: pi.id, object: 'payment_intent', status: 'succeeded', amount_received: 10_000, metadata: { enrolmentId: 'enr_7' } } },
  });
  expect(succeeded.id).toMatch(/^evt_/);
  expect(succeeded.request?.id).toMatch(/^req_/);
  expect(hook.received[6]!.event.data.object).toMatchObject({ object: 'charge', amount_refunded: 2_500 });
  // GET /v1/events serves the same events.
  expect((await stripe.events.retrieve(succeeded.id)).type).toBe('payment_intent.succeeded');
  const listed = await stripe.events.list({ type: 'payment_intent.*', limit: 100 });
  expect(listed.data.map((e) => e.type)).toEqual(['payment_intent.succeeded', 'payment_intent.amount_capturable_updated', 'payment_intent.created']);
});

it('the Stripe-Signature header is t=<unix>,v1=<HMAC-SHA256 of "t.payload">; a tampered body fails verification', async () => {
  await stripe.paymentIntents.create({ amount: 100, currency: 'cny', allowed_payment_method_types: ['card'] });
  await local.waitForWebhooks();
  const { raw, signature } = hook.received[0]!;
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature);
  expect(match).not.toBeNull();
  expect(Math.abs(Number(match![1]) - Date.now() / 1000)).toBeLessThan(60);
  expect(match![2]).toBe(createHmac('sha256', SECRET).update(`${match![1]}.${raw}`).digest('hex'));
  expect(() => stripe.webhooks.constructEvent(raw.replace('"amount": 100', '"amount": 1'), signature, SECRET)).toThrow(
    Stripe.errors.StripeSignatureVerificationError,
  );
  expect(() => stripe.webhooks.constructEvent(raw, signature, 'whsec_other')).toThrow(Stripe.errors.StripeSignatureVerificationError);
});

it('declines, cancellations and expired holds are announced', async () => {
  await hold('pm_card_chargeDeclinedInsufficientFunds').catch(() => undefined);
  const pi = await stripe.paymentIntents.create({ amount: 100, currency: 'cny', allowed_payment_method_types: ['card'] });
  await stripe.paymentIntents.cancel(pi.id, { cancellation_reason: 'requested_by_customer' });
  const held = await hold();
  local.clock.advance(7 * 24 * 3600_000);
  await local.waitForWebhooks();
  const failed = hook.received.find((r) => r.event.type === 'payment_intent.payment_failed')!.event;
  expect(failed.data.object).toMatchObject({ status: 'requires_payment_method', last_payment_error: { decline_code: 'insufficient_funds' } });
  expect(hook.types()).toContain('charge.failed');
  const canceled = hook.received.filter((r) => r.event.type === 'payment_intent.canceled').map((r) => r.event);
  expect(canceled.map((e) => (e.data.object as Stripe.PaymentIntent).cancellation_reason)).toEqual(['requested_by_customer', 'expired']);
  const expiry = canceled[1]!;
  expect(expiry.request).toEqual({ id: null, idempotency_key: null });
  expect(expiry.created).toBe(held.created + 7 * 24 * 3600);
  expect(hook.types().slice(-2)).toEqual(['charge.expired', 'payment_intent.canceled']);
});

it('delivery is asynchronous by default and retried with backoff until the endpoint takes it', async () => {
  hook.statuses.push(500, 503);
  const pi = await stripe.paymentIntents.create({ amount: 100, currency: 'cny', allowed_payment_method_types: ['card'] });
  expect(hook.received).toHaveLength(0);
  await local.waitForWebhooks();
  expect(hook.types()).toEqual(['payment_intent.created']);
  const [delivery] = local.deliveries();
  expect(delivery).toMatchObject({ type: 'payment_intent.created', state: 'delivered' });
  expect(delivery!.attempts.map((a) => a.status)).toEqual([500, 503, 200]);
  expect(pi.id).toBe((hook.received[0]!.event.data.object as Stripe.PaymentIntent).id);
});

it('retries are bounded; a given-up event does not block the next one for the same intent', async () => {
  hook.statuses.push(500, 500, 500, 500);
  const pi = await stripe.paymentIntents.create({ amount: 100, currency: 'cny', allowed_payment_method_types: ['card'] });
  await stripe.paymentIntents.cancel(pi.id);
  await local.waitForWebhooks();
  expect(local.deliveries().map((d) => [d.type, d.state, d.attempts.length])).toEqual([
    ['payment_intent.created', 'failed', 4],
    ['payment_intent.canceled', 'delivered', 1],
  ]);
});

it('faults: duplicate delivery, delay and reorder', async () => {
  local.faults.duplicateWebhooks = true;
  await stripe.paymentIntents.create({ amount: 100, currency: 'cny', allowed_payment_method_types: ['card'] });
  await local.waitForWebhooks();
  expect(hook.received).toHaveLength(2);
  expect(hook.received[0]!.event.id).toBe(hook.received[1]!.event.id);
  local.faults.duplicateWebhooks = false;

  local.faults.delayWebhooksMs = 150;
  const started = Date.now();
  await stripe.paymentIntents.create({ amount: 100, currency: 'cny', allowed_payment_method_types: ['card'] });
  expect(Date.now() - started).toBeLessThan(150);
  await local.waitForWebhooks();
  expect(hook.received).toHaveLength(3);
  expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  local.faults.delayWebhooksMs = 0;

  local.faults.reorderWebhooks = true;
  hook.received.length = 0;
  await hold();
  await local.waitForWebhooks();
  expect(hook.types()).toEqual(['payment_intent.amount_capturable_updated', 'charge.succeeded', 'payment_intent.created']);
});

it('the endpoint can be set or changed at run time, also over /_control', async () => {
  local.setWebhookEndpoint(null);
  await stripe.paymentIntents.create({ amount: 100, currency: 'cny', allowed_payment_method_types: ['card'] });
  expect(local.events().at(-1)!['pending_webhooks']).toBe(0);
  const res = await fetch(`${local.url}/_control/webhook-endpoint`, { method: 'POST', body: JSON.stringify({ url: hook.url, secret: SECRET }) });
  expect(await res.json()).toEqual({ url: hook.url, secret: SECRET });
  await stripe.paymentIntents.create({ amount: 200, currency: 'cny', allowed_payment_method_types: ['card'] });
  await local.waitForWebhooks();
  expect(hook.received.map((r) => (r.event.data.object as Stripe.PaymentIntent).amount)).toEqual([200]);

  const generated = local.setWebhookEndpoint('http://127.0.0.1:1/elsewhere');
  expect(generated).toBe(SECRET);
  expect(local.setWebhookEndpoint(null)).toBeNull();
  expect(local.setWebhookEndpoint(hook.url)).toMatch(/^whsec_/);
});
