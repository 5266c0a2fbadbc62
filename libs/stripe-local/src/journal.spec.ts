import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Stripe from 'stripe';
import { startStripeLocal, type StripeLocal } from './index.js';
import { sdkFor } from './testing.js';

let dir: string;
let file: string;
const running: StripeLocal[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'stripe-local-journal-'));
  file = path.join(dir, 'state.jsonl');
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((l) => l.stop()));
  rmSync(dir, { recursive: true, force: true });
});

async function start(): Promise<{ local: StripeLocal; stripe: Stripe }> {
  const local = await startStripeLocal({ stateFile: file });
  running.push(local);
  return { local, stripe: sdkFor(local) };
}

/** Stops a server as a crash would leave it for the next one: nothing but the file survives. */
async function restart(local: StripeLocal): Promise<{ local: StripeLocal; stripe: Stripe }> {
  running.splice(running.indexOf(local), 1);
  await local.stop();
  return start();
}

const hold = (extra: Partial<Stripe.PaymentIntentCreateParams> = {}): Stripe.PaymentIntentCreateParams => ({
  amount: 70_000,
  currency: 'cny',
  capture_method: 'manual',
  allowed_payment_method_types: ['card'],
  payment_method: 'pm_card_visa',
  confirm: true,
  ...extra,
});

describe('state file (objects survive a restart, as at Stripe)', () => {
  it('a deposit held before the restart can be released, captured or refunded after it', async () => {
    const first = await start();
    const customer = await first.stripe.customers.create({ metadata: { user: 'u1' } });
    const held = await first.stripe.paymentIntents.create(hold({ customer: customer.id, setup_future_usage: 'off_session' }));
    const toRelease = await first.stripe.paymentIntents.create(hold());
    const paid = await first.stripe.paymentIntents.create(hold({ capture_method: 'automatic' }));

    const { stripe } = await restart(first.local);
    expect((await stripe.paymentIntents.retrieve(held.id)).status).toBe('requires_capture');
    expect((await stripe.customers.retrieve(customer.id)) as Stripe.Customer).toMatchObject({ metadata: { user: 'u1' } });
    expect((await stripe.paymentIntents.capture(held.id)).status).toBe('succeeded');
    expect((await stripe.paymentIntents.cancel(toRelease.id)).status).toBe('canceled');
    expect((await stripe.refunds.create({ payment_intent: paid.id })).status).toBe('succeeded');
    // The card saved to the customer before the restart is still usable off-session after it.
    const pm = (await stripe.paymentIntents.retrieve(held.id)).payment_method as string;
    const later = await stripe.paymentIntents.create(hold({ capture_method: 'automatic', customer: customer.id, payment_method: pm, off_session: true }));
    expect(later.status).toBe('succeeded');

    // …and a second restart keeps what happened after the first.
    const again = await restart(running[0]!);
    expect((await again.stripe.paymentIntents.retrieve(held.id)).status).toBe('succeeded');
    expect((await again.stripe.paymentIntents.retrieve(toRelease.id)).status).toBe('canceled');
    expect((await again.stripe.charges.retrieve((await again.stripe.paymentIntents.retrieve(paid.id)).latest_charge as string)).refunded).toBe(true);
  });

  it('a retry with the same Idempotency-Key after the restart replays the first answer (no second intent)', async () => {
    const first = await start();
    const created = await first.stripe.paymentIntents.create(hold(), { idempotencyKey: 'deposit:e1:hold' });
    const { local, stripe } = await restart(first.local);
    const retried = await stripe.paymentIntents.create(hold(), { idempotencyKey: 'deposit:e1:hold' });
    expect(retried.id).toBe(created.id);
    expect(retried.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(local.paymentIntents()).toHaveLength(1);
  });

  it('lists keep their order across the restart, and events are still listed', async () => {
    const first = await start();
    const a = await first.stripe.paymentIntents.create(hold());
    const b = await first.stripe.paymentIntents.create(hold());
    const { stripe } = await restart(first.local);
    const c = await stripe.paymentIntents.create(hold());
    expect((await stripe.paymentIntents.list({ limit: 10 })).data.map((p) => p.id)).toEqual([c.id, b.id, a.id]);
    const events = await stripe.events.list({ limit: 100 });
    expect(events.data.filter((e) => e.type === 'payment_intent.amount_capturable_updated').map((e) => (e.data.object as Stripe.PaymentIntent).id).sort()).toEqual(
      [a.id, b.id, c.id].sort(),
    );
  });

  it('a line torn by a crash mid-write is ignored; a damaged line before the end stops the start with its line number', async () => {
    const first = await start();
    const kept = await first.stripe.paymentIntents.create(hold());
    running.splice(0);
    await first.local.stop();
    appendFileSync(file, '{"t":"paymentIntents","r":{"id":"pi_torn');
    const { stripe } = await start();
    expect((await stripe.paymentIntents.retrieve(kept.id)).status).toBe('requires_capture');
    await running.splice(0)[0]!.stop();

    const lines = readFileSync(file, 'utf8').split('\n');
    writeFileSync(file, ['not json', ...lines].join('\n'));
    await expect(startStripeLocal({ stateFile: file })).rejects.toThrow(/line 1 is not JSON/);
  });

  it('a reset empties the file too', async () => {
    const first = await start();
    await first.stripe.paymentIntents.create(hold());
    first.local.reset();
    const { local } = await restart(first.local);
    expect(local.paymentIntents()).toHaveLength(0);
  });
});
