import Stripe from 'stripe';
import { startStripeLocal, type StripeLocal } from './index.js';
import { rejection as rejectionOf, sdkFor } from './testing.js';

const rejection = (promise: Promise<unknown>) => rejectionOf(promise, Stripe.errors.StripeError);

let local: StripeLocal;

beforeEach(async () => {
  local = await startStripeLocal();
});
afterEach(() => local.stop());

/** The SDK retries 5xx, 409 and network failures (with its own idempotency key) maxNetworkRetries times. */
const client = (config: Stripe.StripeConfig = {}) =>
  sdkFor(local, config);

const create = (s: Stripe, extra: Partial<Stripe.PaymentIntentCreateParams> = {}) =>
  s.paymentIntents.create({ amount: 5_000, currency: 'cny', allowed_payment_method_types: ['card'], payment_method: 'pm_card_visa', confirm: true, ...extra });

const apiRequests = () => local.requests().filter((r) => r.path.startsWith('/v1/'));

describe('failNext', () => {
  it('500s outlast the SDK’s retries: StripeAPIError, one key for every attempt, nothing created', async () => {
    local.faults.failNext(3, { status: 500 });
    const err = await rejection(create(client({ maxNetworkRetries: 2 })));
    expect(err).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect(err).toMatchObject({ statusCode: 500, rawType: 'api_error', message: 'An unknown error occurred' });
    const attempts = apiRequests();
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((r) => r.idempotencyKey)).size).toBe(1);
    expect(attempts.every((r) => r.status === 500 && r.fault?.startsWith('fail 500'))).toBe(true);
    expect(local.paymentIntents()).toHaveLength(0);
  });

  it('a transient 500 is healed by the SDK’s retry', async () => {
    local.faults.failNext(1);
    const pi = await create(client({ maxNetworkRetries: 1 }));
    expect(pi.status).toBe('succeeded');
    expect(apiRequests().map((r) => r.status)).toEqual([500, 200]);
    expect(local.paymentIntents()).toHaveLength(1);
  });

  it('execute: first — the payment happened, the answer is a 500 kept for the key, marked Stripe-Should-Retry: false', async () => {
    local.faults.failNext(1, { execute: 'first' });
    const s = client({ maxNetworkRetries: 2 });
    const err = await rejection(create(s, { metadata: { enrolmentId: 'enr_500' } }));
    expect(err).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect(err.headers?.['stripe-should-retry']).toBe('false');
    // the SDK heeds the header: one request, no pointless replays
    expect(apiRequests().map((r) => [r.status, r.replayed])).toEqual([[500, false]]);
    // the same key again is a replay of the kept 500, still marked
    const key = apiRequests()[0]!.idempotencyKey!;
    const again = await rejection(s.paymentIntents.create({ amount: 5_000, currency: 'cny', allowed_payment_method_types: ['card'], payment_method: 'pm_card_visa', confirm: true, metadata: { enrolmentId: 'enr_500' } }, { idempotencyKey: key }));
    expect(again).toMatchObject({ statusCode: 500 });
    expect(again.headers?.['stripe-should-retry']).toBe('false');
    expect(apiRequests().map((r) => [r.status, r.replayed])).toEqual([
      [500, false],
      [500, true],
    ]);
    // The platform reconciles: the intent exists and succeeded.
    const [pi] = (await client().paymentIntents.list()).data;
    expect(pi).toMatchObject({ status: 'succeeded', metadata: { enrolmentId: 'enr_500' } });
  });

  it('matches by path glob and method; other statuses map to their SDK errors', async () => {
    const s = client();
    local.faults.failNext(1, { path: '/v1/payment_intents/*/capture', method: 'POST', status: 503 });
    local.faults.failNext(1, { path: '/v1/refunds', status: 429, error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests' } });
    const pi = await create(s, { capture_method: 'manual' });
    expect(await rejection(s.paymentIntents.capture(pi.id))).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect((await s.paymentIntents.capture(pi.id)).status).toBe('succeeded');
    expect(await rejection(s.refunds.create({ payment_intent: pi.id }))).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    expect((await s.refunds.create({ payment_intent: pi.id })).status).toBe('succeeded');
  });
});

describe('timeoutNext', () => {
  it('the SDK’s timeout fires: StripeConnectionError, while the payment did happen', async () => {
    local.faults.timeoutNext(1, 400);
    const err = await rejection(create(client({ timeout: 100 }), { metadata: { enrolmentId: 'enr_lost' } }));
    expect(err).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect(err.message).toBe('Request aborted due to timeout being reached (100ms)');
    expect(local.paymentIntents()).toHaveLength(1);
  });

  it('a lost answer retried by the SDK replays the first result: exactly one intent', async () => {
    local.faults.timeoutNext(1, 300);
    const pi = await create(client({ timeout: 100, maxNetworkRetries: 1 }));
    expect(pi.status).toBe('succeeded');
    expect(local.paymentIntents()).toHaveLength(1);
    const [first, retry] = apiRequests();
    expect(retry).toMatchObject({ status: 200, replayed: true, idempotencyKey: first!.idempotencyKey });
    expect(first!.status).toBeNull();
  });

  it('a dropped connection is retried by the SDK even with retries off (ECONNRESET rule)', async () => {
    local.faults.timeoutNext(1, 50, { execute: 'never', then: 'drop' });
    const pi = await create(client({ maxNetworkRetries: 0 }));
    expect(pi.status).toBe('succeeded');
    expect(apiRequests().map((r) => r.status)).toEqual([null, 200]);
    expect(local.paymentIntents()).toHaveLength(1);
  });

  it('execute: after, then: respond — a slow API that answers late', async () => {
    local.faults.timeoutNext(1, 200, { execute: 'after', then: 'respond' });
    const started = Date.now();
    const pi = await create(client({ timeout: 2_000 }));
    expect(pi.status).toBe('succeeded');
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
  });
});

describe('/_control (for fault tests in another process)', () => {
  const control = async (path: string, body?: unknown) => {
    const res = await fetch(`${local.url}/_control/${path}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('health, faults, clock, requests and reset', async () => {
    expect((await control('health')).body).toMatchObject({ ok: true, url: local.url, apiVersion: local.apiVersion });

    await control('faults/fail-next', { n: 1, status: 502, path: '/v1/payment_intents' });
    await control('faults/timeout-next', { n: 1, ms: 300, path: '/v1/charges/**' });
    await control('faults/webhooks', { duplicate: true, delayMs: 5, reorder: false });
    const faults = (await control('faults')).body;
    expect(faults['pending']).toHaveLength(2);
    expect(faults['webhooks']).toMatchObject({ duplicate: true, delayMs: 5, reorder: false });
    expect(local.faults.duplicateWebhooks).toBe(true);

    const s = client();
    expect((await rejection(create(s))).statusCode).toBe(502);
    const pi = await create(s, { capture_method: 'manual' });
    expect(await rejection(client({ timeout: 100 }).charges.retrieve(pi.latest_charge as string))).toBeInstanceOf(Stripe.errors.StripeConnectionError);

    const { body: clock } = await control('clock/advance', { ms: 8 * 24 * 3600_000 });
    expect(clock['now']).toBeGreaterThanOrEqual(Date.now() + 8 * 24 * 3600_000 - 1000);
    expect((await s.paymentIntents.retrieve(pi.id)).status).toBe('canceled');

    const requests = (await control('requests')).body['data'] as { id: string; status: number }[];
    expect(requests.length).toBeGreaterThanOrEqual(3);
    expect((await control(`requests/${requests[0]!.id}`)).body).toMatchObject({ status: 502 });

    expect((await control('faults/fail-next', { n: 'x' })).status).toBe(400);
    expect((await control('nope', {})).status).toBe(404);
    await control('reset', {});
    expect(local.paymentIntents()).toHaveLength(0);
    expect((await control('faults')).body['pending']).toHaveLength(0);
  });

  it('authenticates a 3D Secure intent for another process', async () => {
    const pi = await create(client(), { payment_method: 'pm_card_authenticationRequired' });
    const { status, body } = await control(`payment_intents/${pi.id}/authenticate`, { outcome: 'succeed' });
    expect(status).toBe(200);
    expect(body['status']).toBe('succeeded');
    const again = await control(`payment_intents/${pi.id}/authenticate`, {});
    expect(again.status).toBe(400);
  });
});
