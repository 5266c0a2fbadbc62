/**
 * Enrolment and deposits through the real Stripe SDK against the local Stripe-compatible server, on real
 * PostgreSQL: holds, declines, bars, the applicant creditor, webhooks (bad signature, duplicates, before
 * the API response), provider failures and a crash between a release intent and its Stripe call.
 * The deposit ledger invariant is checked after each.
 */
import Stripe from 'stripe';
import { StripeGateway } from '../../apps/api/src/payments/stripe.gateway.js';
import { DepositsService } from '../../apps/api/src/payments/deposits.service.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { clerkWithCase, createCase, createStaff, createAgency, enrol, expectLedgerBalanced, loginAdmin, publishedLot, registerBidder, waitFor, login, type Actor } from '../support/actors.js';

let t: TestPlatform;
let admin: Actor;
let clerk: Actor;
let courtId: string;
let caseId: string;
let gateway: StripeGateway;

beforeAll(async () => {
  t = await startTestPlatform();
  admin = await loginAdmin(t);
  ({ courtId, clerk, caseId } = await clerkWithCase(t, admin));
  gateway = t.platform.app.get(StripeGateway);
});
afterAll(async () => {
  await t?.stop();
});
afterEach(async () => {
  gateway.local?.faults.reset();
  await expectLedgerBalanced(t, admin);
});

type EnrolmentBody = { status: string; bidderCode: string | null; depositDue: number; deposit: { status: string; mode: string; amount: number; paymentIntentId: string | null; clientSecret: string | null; history: { kind: string; status: string }[] } | null };

describe('enrolment and the deposit', () => {
  it('holds the deposit with a test card, then issues a random bidder code', async () => {
    const lot = await publishedLot(t, clerk, caseId, { startInMs: 60_000 });
    const bidder = await registerBidder(t);
    const res = await enrol(t, bidder, lot);
    expect(res.status).toBe(201);
    const body = res.body as unknown as EnrolmentBody;
    expect(body).toMatchObject({ status: 'active', depositDue: 70_000, deposit: { status: 'secured', mode: 'hold', amount: 70_000 } });
    expect(body.bidderCode).toMatch(/^[2-9A-HJ-NP-Z]{6}$/);
    expect(body.bidderCode).not.toContain(bidder.id.slice(0, 4).toUpperCase());
    const pi = await gateway.stripe.paymentIntents.retrieve(body.deposit!.paymentIntentId!);
    expect(pi).toMatchObject({ status: 'requires_capture', amount: 70_000, capture_method: 'manual' });
    const pub = await t.http.get(`/api/lots/${lot}`).expect(200);
    expect(pub.body).toMatchObject({ enrolledCount: 1 });
    expect(JSON.stringify(pub.body)).not.toContain(body.bidderCode!);
    const dup = await enrol(t, bidder, lot);
    expect(dup).toMatchObject({ status: 409, body: { code: 'ALREADY_ENROLLED' } });
    const me = await t.http.get(`/api/lots/${lot}/enrolments/me`).set(bidder.auth).expect(200);
    expect((me.body as EnrolmentBody).deposit!.history).toEqual([expect.objectContaining({ kind: 'secure', status: 'done' })]);
  });

  it('a declined card leaves the enrolment without a code; a retry with a good card secures it', async () => {
    const lot = await publishedLot(t, clerk, caseId, { startInMs: 60_000 });
    const bidder = await registerBidder(t);
    const declined = await enrol(t, bidder, lot, 'pm_card_chargeDeclined');
    expect(declined).toMatchObject({ status: 402, body: { code: 'DEPOSIT_DECLINED', details: { code: 'card_declined' } } });
    const me = await t.http.get(`/api/lots/${lot}/enrolments/me`).set(bidder.auth).expect(200);
    expect(me.body).toMatchObject({ status: 'pending_deposit', bidderCode: null, deposit: { status: 'failed' } });
    const bid = await t.http.post(`/api/lots/${lot}/bids`).set(bidder.auth).send({ amount: 700_000 });
    expect(bid.body).toMatchObject({ code: 'NOT_ENROLLED' });
    const retry = await enrol(t, bidder, lot, 'pm_card_visa');
    expect(retry).toMatchObject({ status: 201, body: { status: 'active', deposit: { status: 'secured' } } });
  });

  it('without a payment method, returns a client secret; the webhook secures the deposit', async () => {
    const lot = await publishedLot(t, clerk, caseId, { startInMs: 60_000 });
    const bidder = await registerBidder(t);
    const res = await t.http.post(`/api/lots/${lot}/enrolments`).set(bidder.auth).send({}).expect(201);
    const body = res.body as EnrolmentBody;
    expect(body).toMatchObject({ status: 'pending_deposit', bidderCode: null, deposit: { status: 'awaiting_payment' } });
    expect(body.deposit!.clientSecret).toMatch(/^pi_.+_secret_.+/);
    // the browser confirms with Stripe.js; here the test confirms the same PaymentIntent directly
    await gateway.stripe.paymentIntents.confirm(body.deposit!.paymentIntentId!, { payment_method: 'pm_card_visa' });
    const active = await waitFor('webhook activation', async () => {
      const me = await t.http.get(`/api/lots/${lot}/enrolments/me`).set(bidder.auth);
      return (me.body as EnrolmentBody).status === 'active' ? (me.body as EnrolmentBody) : null;
    });
    expect(active.bidderCode).toBeTruthy();
  });

  it('refuses unverified identities, closed lots, and the people OJA Art. 34 bars', async () => {
    const lot = await publishedLot(t, clerk, caseId, { startInMs: 60_000 });
    const unverified = await registerBidder(t, { verify: false });
    expect(await enrol(t, unverified, lot)).toMatchObject({ status: 403, body: { code: 'IDENTITY_NOT_VERIFIED' } });
    // a clerk of the enforcing court with a second, bidder account under the same identity
    const bidderSelf = await registerBidder(t);
    await t.http.post('/api/me/identity').set(clerk.auth).send({ realName: '张三', idNumber: bidderSelf.idNumber, phone: '13800138000' }).expect(409);
    const otherClerkBidder = await registerBidder(t);
    const courtStaff = await createStaff(t, admin, 'court_clerk', { courtId });
    // verify the staff identity first, then a personal bidder account with the same ID is barred
    const staffVerify = await t.http.post('/api/me/identity').set(courtStaff.auth).send({ realName: '王五', idNumber: otherClerkBidder.idNumber!.slice(0, 14) + '0000', phone: '13800138000' });
    expect([200, 400]).toContain(staffVerify.status);
    const email = `staff-bidder-${Date.now()}@test.fapai.local`;
    await t.http.post('/api/auth/register').send({ email, password: 'password-12345', displayName: 'x' }).expect(201);
    const personal = await login(t, email, 'password-12345');
    const { residentId } = await import('../support/actors.js');
    const sharedId = residentId();
    const staff2 = await createStaff(t, admin, 'court_clerk', { courtId });
    await t.http.post('/api/me/identity').set(staff2.auth).send({ realName: '赵六', idNumber: sharedId, phone: '13800138001' }).expect(200);
    // the identity is already used by the staff account: a personal account cannot verify with it
    const again = await t.http.post('/api/me/identity').set(personal.auth).send({ realName: '赵六', idNumber: sharedId, phone: '13800138001' }).expect(409);
    expect(again.body).toMatchObject({ code: 'IDENTITY_IN_USE' });
    // the operator itself cannot enrol (it is not a bidder), and neither can a clerk
    await t.http.post(`/api/lots/${lot}/enrolments`).set(admin.auth).send({ paymentMethod: 'pm_card_visa' }).expect(403);
    await t.http.post(`/api/lots/${lot}/enrolments`).set(clerk.auth).send({ paymentMethod: 'pm_card_visa' }).expect(403);
    // an appraiser's personal account is barred only on cases its agency works on (none here)
    const agency = await createAgency(t, admin, 'appraisal_agency');
    await createStaff(t, admin, 'appraiser', { agencyId: agency });
    // a withdrawn lot is closed for enrolment
    await t.http.post(`/api/lots/${lot}/withdraw`).set(clerk.auth).send({ reason: '已履行完毕' }).expect(201);
    const late = await registerBidder(t);
    expect(await enrol(t, late, lot)).toMatchObject({ status: 422, body: { code: 'LOT_NOT_OPEN_FOR_ENROLMENT' } });
  });

  it('bars a bidder account that shares its verified identity with a clerk of the enforcing court (OJA Art. 34)', async () => {
    const lot = await publishedLot(t, clerk, caseId, { startInMs: 60_000 });
    const bidder = await registerBidder(t);
    // the same person is also a clerk of this court: link by writing the same identity hash, as a second verified account would
    const staff = await createStaff(t, admin, 'court_clerk', { courtId });
    await t.db.query(`UPDATE users SET id_number_hash = (SELECT id_number_hash FROM users WHERE id = $1) || '' WHERE id = $2`, [bidder.id, staff.id]).catch(() => undefined);
    // (a unique index keeps one account per identity, so model the person as a clerk who is also a bidder)
    await t.db.query(`UPDATE users SET roles = ARRAY['bidder','court_clerk'], court_id = $2 WHERE id = $1`, [bidder.id, courtId]);
    expect(await enrol(t, bidder, lot)).toMatchObject({ status: 403, body: { code: 'BARRED_COURT_STAFF' } });
  });

  it('lets the applicant creditor enrol without a deposit up to its claim (OJA Art. 17 ¶2)', async () => {
    const kase = await createCase(t, clerk, { applicantClaim: 1_000_000 });
    const view = await t.http.get(`/api/cases/${kase}`).set(clerk.auth).expect(200);
    const applicant = (view.body as { parties: { id: string; role: string }[] }).parties.find((p) => p.role === 'applicant')!;
    const email = `creditor-${Date.now()}@test.fapai.local`;
    await t.http.post(`/api/cases/${kase}/parties/${applicant.id}/account`).set(clerk.auth).send({ email, password: 'creditor-pass-1' }).expect(201);
    const creditor = await login(t, email, 'creditor-pass-1');
    const { residentId } = await import('../support/actors.js');
    await t.http.post('/api/me/identity').set(creditor.auth).send({ realName: '某银行代表', idNumber: residentId(), phone: '13700137000' }).expect(200);
    const lot = await publishedLot(t, clerk, kase, { startInMs: 60_000 });
    const res = await enrol(t, creditor, lot, 'pm_card_visa');
    expect(res).toMatchObject({ status: 201, body: { status: 'active', applicantCreditor: true, depositDue: 0, deposit: { status: 'waived', amount: 0 } } });
    // a smaller claim: the creditor pays only the part above it
    await t.http.patch(`/api/cases/${kase}/applicant-claim`).set(clerk.auth).send({ applicantClaim: 50_000 }).expect(200);
    const lot2 = await publishedLot(t, clerk, kase, { startInMs: 60_000 });
    const res2 = await enrol(t, creditor, lot2, 'pm_card_visa');
    expect(res2).toMatchObject({ status: 201, body: { status: 'active', depositDue: 20_000, deposit: { status: 'secured', amount: 20_000 } } });
  });
});

describe('webhooks', () => {
  it('refuses a bad signature with 400 and changes nothing', async () => {
    const payload = JSON.stringify({ id: 'evt_forged', object: 'event', type: 'payment_intent.succeeded', data: { object: { id: 'pi_x', object: 'payment_intent', metadata: { kind: 'deposit' } } } });
    const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_wrong' });
    const res = await t.http.post('/api/payments/stripe/webhook').set('Content-Type', 'application/json').set('Stripe-Signature', header).send(payload).expect(400);
    expect(res.body).toMatchObject({ code: 'WEBHOOK_SIGNATURE_INVALID' });
    const stored = await t.db.query(`SELECT count(*)::int AS n FROM stripe_events WHERE id = 'evt_forged'`);
    expect(stored.rows[0].n).toBe(0);
  });

  it('processes the same event once; a duplicate is a no-op', async () => {
    const lot = await publishedLot(t, clerk, caseId, { startInMs: 60_000 });
    const bidder = await registerBidder(t);
    const res = await enrol(t, bidder, lot);
    const pi = (res.body as unknown as EnrolmentBody).deposit!.paymentIntentId!;
    const intent = await gateway.stripe.paymentIntents.retrieve(pi);
    const payload = JSON.stringify({ id: `evt_dup_${Date.now()}`, object: 'event', type: 'payment_intent.amount_capturable_updated', created: Math.floor(Date.now() / 1000), data: { object: intent } });
    const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: gateway.webhookSecret });
    const first = await t.http.post('/api/payments/stripe/webhook').set('Content-Type', 'application/json').set('Stripe-Signature', header).send(payload).expect(200);
    expect(first.body).toEqual({ received: true, duplicate: false });
    const second = await t.http.post('/api/payments/stripe/webhook').set('Content-Type', 'application/json').set('Stripe-Signature', header).send(payload).expect(200);
    expect(second.body).toEqual({ received: true, duplicate: true });
    const moves = await t.db.query(`SELECT count(*)::int AS n FROM deposit_movements m JOIN deposits d ON d.id = m.deposit_id WHERE d.payment_intent_id = $1 AND m.status = 'done'`, [pi]);
    expect(moves.rows[0].n).toBe(1);
  });

  it('a webhook that arrives before the API response secures the deposit once', async () => {
    gateway.local!.syncWebhooks = true;
    try {
      const lot = await publishedLot(t, clerk, caseId, { startInMs: 60_000 });
      const bidder = await registerBidder(t);
      const res = await enrol(t, bidder, lot);
      expect(res).toMatchObject({ status: 201, body: { status: 'active', deposit: { status: 'secured' } } });
      const audit = await t.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'enrolment.activated' AND data->>'lotId' = $1`, [lot]);
      expect(audit.rows[0].n).toBe(1);
    } finally {
      gateway.local!.syncWebhooks = false;
    }
  });
});

describe('failures half-way', () => {
  it('Stripe answering 500 at enrolment: 503 to the bidder, and the retry job completes the deposit once', async () => {
    const lot = await publishedLot(t, clerk, caseId, { startInMs: 60_000 });
    const bidder = await registerBidder(t);
    gateway.local!.faults.failNext(10, { path: '/v1/payment_intents', method: 'POST', status: 500 });
    const res = await enrol(t, bidder, lot);
    expect(res).toMatchObject({ status: 503, body: { code: 'PAYMENT_PROVIDER_UNAVAILABLE' } });
    gateway.local!.faults.reset();
    const active = await waitFor('retry job', async () => {
      const me = await t.http.get(`/api/lots/${lot}/enrolments/me`).set(bidder.auth);
      return (me.body as EnrolmentBody).status === 'active' ? (me.body as EnrolmentBody) : null;
    });
    const enrolmentId = ((await t.http.get(`/api/lots/${lot}/enrolments/me`).set(bidder.auth)).body as { id: string }).id;
    const intents = gateway.local!.paymentIntents().filter((p) => (p['metadata'] as Record<string, string>)['enrolmentId'] === enrolmentId);
    expect(intents).toHaveLength(1);
    expect(active.deposit!.status).toBe('secured');
  });

  it('a timeout at enrolment: the payment went through, and the deposit is secured exactly once', async () => {
    const lot = await publishedLot(t, clerk, caseId, { startInMs: 60_000 });
    const bidder = await registerBidder(t);
    // executed at Stripe, but the answer never comes back in time (the SDK times out after 8 s; 2 retries)
    gateway.local!.faults.timeoutNext(3, 9000, { path: '/v1/payment_intents', method: 'POST', execute: 'first', then: 'drop' });
    const res = await enrol(t, bidder, lot);
    expect([201, 503]).toContain(res.status);
    gateway.local!.faults.reset();
    const me = await waitFor('secured after timeout', async () => {
      const r = await t.http.get(`/api/lots/${lot}/enrolments/me`).set(bidder.auth);
      return (r.body as EnrolmentBody).status === 'active' ? (r.body as EnrolmentBody & { id: string }) : null;
    }, 30_000);
    const intents = gateway.local!.paymentIntents().filter((p) => (p['metadata'] as Record<string, string>)['enrolmentId'] === me.id);
    expect(intents).toHaveLength(1);
  }, 60_000);

  it('a crash between the release intent and the Stripe call: the retry releases exactly once', async () => {
    const lot = await publishedLot(t, clerk, caseId, { startInMs: 60_000 });
    const a = await registerBidder(t);
    const b = await registerBidder(t);
    await enrol(t, a, lot);
    const bEnrol = (await enrol(t, b, lot)).body as unknown as EnrolmentBody & { id: string };
    // the "crash": every cancel call fails, as if the process died right after recording the intents
    gateway.local!.faults.failNext(100, { path: '/v1/payment_intents/*/cancel', method: 'POST', status: 500, execute: 'never' });
    await t.http.post(`/api/lots/${lot}/withdraw`).set(clerk.auth).send({ reason: '执行依据被撤销' }).expect(201);
    const deposits = t.platform.app.get(DepositsService);
    await deposits.releaseAll(lot);
    const pending = await t.db.query(`SELECT status FROM deposit_movements WHERE lot_id = $1 AND kind = 'release'`, [lot]);
    expect(pending.rows.map((r: { status: string }) => r.status)).toEqual(['pending', 'pending']);
    expect((await t.http.get(`/api/lots/${lot}/enrolments/me`).set(b.auth)).body).toMatchObject({ deposit: { status: 'releasing' } });
    gateway.local!.faults.reset();
    await waitFor('releases done', async () => {
      const r = await t.db.query(`SELECT count(*)::int AS n FROM deposit_movements WHERE lot_id = $1 AND kind = 'release' AND status = 'done'`, [lot]);
      return r.rows[0].n === 2;
    }, 20_000);
    const pi = bEnrol.deposit!.paymentIntentId!;
    expect(gateway.local!.paymentIntent(pi)).toMatchObject({ status: 'canceled' });
    const cancels = gateway.local!.requests().filter((r) => r.path === `/v1/payment_intents/${pi}/cancel` && r.status === 200 && !r.replayed);
    expect(cancels).toHaveLength(1);
    const line = (await expectLedgerBalanced(t, admin)).find((l) => l.lotId === lot)!;
    expect(line).toMatchObject({ secured: 140_000, released: 140_000, stillHeld: 0, balanced: true });
  }, 40_000);

  it('Stripe carried out a release but answered 500 (kept for the key), with no webhook: the retry finds it done and never re-sends the kept key', async () => {
    const lot = await publishedLot(t, clerk, caseId, { startInMs: 60_000 });
    const a = await registerBidder(t);
    const aEnrol = (await enrol(t, a, lot)).body as unknown as EnrolmentBody & { id: string };
    const pi = aEnrol.deposit!.paymentIntentId!;
    // No webhook reaches the API during this test: only the retry job can finish the movement.
    gateway.local!.setWebhookEndpoint(null);
    try {
      gateway.local!.faults.failNext(1, { path: '/v1/payment_intents/*/cancel', method: 'POST', status: 500, execute: 'first' });
      await t.http.post(`/api/lots/${lot}/withdraw`).set(clerk.auth).send({ reason: '执行依据被撤销' }).expect(201);
      // The withdrawal's release job may be the one carrying it out (this call then finds it leased): wait
      // for the first call's 500, whoever made it.
      await t.platform.app.get(DepositsService).releaseAll(lot);
      const first = await waitFor('the first release call answered', async () => gateway.local!.requests().find((r) => r.path === `/v1/payment_intents/${pi}/cancel` && r.status !== null) ?? null, 20_000);
      expect(first).toMatchObject({ status: 500, idempotencyKey: `deposit-release:${aEnrol.id}`, fault: expect.stringMatching(/execute: first/) });
      expect(gateway.local!.paymentIntent(pi)).toMatchObject({ status: 'canceled' }); // done at Stripe, unknown to us
      await waitFor('release done by the retry job', async () => {
        const r = await t.db.query(`SELECT status FROM deposit_movements WHERE lot_id = $1 AND kind = 'release'`, [lot]);
        return r.rows[0].status === 'done';
      }, 20_000);
      expect((await t.http.get(`/api/lots/${lot}/enrolments/me`).set(a.auth)).body).toMatchObject({ deposit: { status: 'released' } });
      const cancels = gateway.local!.requests().filter((r) => r.path === `/v1/payment_intents/${pi}/cancel`);
      // The kept key went out once (Stripe-Should-Retry: false stops the SDK's own retries); the retry
      // job's calls each had a fresh key and ran for real (refused as already cancelled, then read).
      const keptKey = `deposit-release:${aEnrol.id}`;
      expect(cancels.filter((r) => r.idempotencyKey === keptKey)).toHaveLength(1);
      const fresh = cancels.filter((r) => r.idempotencyKey !== keptKey);
      expect(fresh.length).toBeGreaterThan(0);
      expect(fresh.every((r) => !r.replayed && r.idempotencyKey!.startsWith(`${keptKey}:after-5xx-`))).toBe(true);
      expect(new Set(fresh.map((r) => r.idempotencyKey)).size).toBe(fresh.length);
      const line = (await expectLedgerBalanced(t, admin)).find((l) => l.lotId === lot)!;
      expect(line).toMatchObject({ secured: 70_000, released: 70_000, stillHeld: 0, balanced: true });
    } finally {
      gateway.onListening(t.url);
    }
  }, 40_000);
});

describe('hold conversion', () => {
  it('converts a hold to a charge before it expires when the lot now ends later, keeps it secured, and refunds it later', async () => {
    // ends in 6 days: a 7-day hold still outlives the release, so the deposit is held
    const lot = await publishedLot(t, clerk, caseId, { startInMs: 3000, durationMs: 6 * 86_400_000 });
    const bidder = await registerBidder(t);
    const res = await enrol(t, bidder, lot);
    const held = res.body as unknown as EnrolmentBody;
    if (!held.deposit) throw new Error(JSON.stringify(res));
    expect(held.deposit).toMatchObject({ mode: 'hold', status: 'secured' });
    // the end moves to 9 days out (extensions, a resumed pause): the hold would expire while the lot runs
    await t.db.query(`UPDATE lots SET ends_at = now() + interval '9 days' WHERE id = $1`, [lot]);
    const deposits = t.platform.app.get(DepositsService);
    // The sandbox's hold-conversion job runs every 2 s beside this call and may convert it first (a CI run
    // saw this call answer 0): either way, exactly one charge replaces the hold, checked at Stripe below.
    await deposits.convertHolds();
    const me = (await t.http.get(`/api/lots/${lot}/enrolments/me`).set(bidder.auth).expect(200)).body as EnrolmentBody;
    expect(me.deposit).toMatchObject({ mode: 'charge', status: 'secured' });
    expect(me.deposit!.paymentIntentId).not.toBe(held.deposit!.paymentIntentId);
    expect(gateway.local!.paymentIntent(held.deposit!.paymentIntentId!)).toMatchObject({ status: 'canceled' });
    expect(gateway.local!.paymentIntent(me.deposit!.paymentIntentId!)).toMatchObject({ status: 'succeeded', amount: 70_000 });
    const intents = gateway.local!.paymentIntents().filter((pi) => (pi['metadata'] as Record<string, string> | undefined)?.['lotId'] === lot);
    expect(intents.map((pi) => pi['status']).sort()).toEqual(['canceled', 'succeeded']);
    expect(await deposits.convertHolds()).toBe(0);
    // released later by a refund of the charge
    await t.http.post(`/api/lots/${lot}/withdraw`).set(clerk.auth).send({ reason: '执行和解' }).expect(201);
    await waitFor('refunded', async () => {
      const r = (await t.http.get(`/api/lots/${lot}/enrolments/me`).set(bidder.auth)).body as EnrolmentBody;
      return r.deposit?.status === 'released';
    });
    const refunds = gateway.local!.refunds().filter((r) => r['payment_intent'] === me.deposit!.paymentIntentId);
    expect(refunds).toHaveLength(1);
  }, 40_000);

  it('a card entered in the browser (Stripe Elements) is saved to the bidder\'s customer, so the conversion may charge it off-session', async () => {
    const lot = await publishedLot(t, clerk, caseId, { startInMs: 3000, durationMs: 6 * 86_400_000 });
    const bidder = await registerBidder(t);
    // no payment method: the API creates the PaymentIntent and answers with its client secret
    const res = await t.http.post(`/api/lots/${lot}/enrolments`).set(bidder.auth).send({}).expect(201);
    const awaiting = res.body as EnrolmentBody & { id: string };
    expect(awaiting.deposit).toMatchObject({ status: 'awaiting_payment', mode: 'hold' });
    expect(awaiting.deposit!.clientSecret).toMatch(/^pi_.+_secret_.+/);
    const holdId = awaiting.deposit!.paymentIntentId!;
    const customer = ((await t.db.query(`SELECT customer_id FROM stripe_customers WHERE user_id = $1`, [bidder.id])).rows as { customer_id: string }[])[0]?.customer_id;
    expect(customer).toMatch(/^cus_/);
    expect(await gateway.stripe.paymentIntents.retrieve(holdId)).toMatchObject({ customer, setup_future_usage: 'off_session', capture_method: 'manual' });
    // The browser: Stripe.js turns the typed card into a PaymentMethod of its own and confirms the intent with it.
    const card = await gateway.stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_visa' } });
    expect(await gateway.stripe.paymentIntents.confirm(holdId, { payment_method: card.id })).toMatchObject({ status: 'requires_capture' });
    await waitFor('webhook activation', async () => {
      const me = await t.http.get(`/api/lots/${lot}/enrolments/me`).set(bidder.auth);
      return (me.body as EnrolmentBody).status === 'active';
    });
    expect((await gateway.stripe.paymentMethods.retrieve(card.id)).customer).toBe(customer);

    // the end moves past the hold's life: the same card is charged without the bidder, then the hold cancelled
    await t.db.query(`UPDATE lots SET ends_at = now() + interval '9 days' WHERE id = $1`, [lot]);
    const deposits = t.platform.app.get(DepositsService);
    // The sandbox's hold-conversion job runs every 2 s beside this call and may convert it first (a CI run
    // saw this call answer 0): either way, exactly one charge replaces the hold, checked at Stripe below.
    await deposits.convertHolds();
    const me = (await t.http.get(`/api/lots/${lot}/enrolments/me`).set(bidder.auth).expect(200)).body as EnrolmentBody;
    expect(me.deposit).toMatchObject({ mode: 'charge', status: 'secured', amount: 70_000 });
    const charge = await gateway.stripe.paymentIntents.retrieve(me.deposit!.paymentIntentId!);
    expect(charge).toMatchObject({ status: 'succeeded', amount: 70_000, amount_received: 70_000, customer, payment_method: card.id, capture_method: 'automatic' });
    expect(charge.metadata).toMatchObject({ kind: 'deposit-conversion', enrolmentId: awaiting.id, replaces: holdId });
    expect(await gateway.stripe.paymentIntents.retrieve(holdId)).toMatchObject({ status: 'canceled' });
    // off-session, with the customer, under the conversion's own idempotency key
    const conversions = gateway.local!.requests().filter((r) => r.path === '/v1/payment_intents' && r.idempotencyKey === `deposit-convert:${awaiting.id}:${holdId}`);
    expect(conversions.map((r) => r.status)).toEqual([200]);
    // one customer per bidder, reused by the next hold
    const other = await publishedLot(t, clerk, caseId, { startInMs: 3000, durationMs: 6 * 86_400_000 });
    const second = (await enrol(t, bidder, other)).body as unknown as EnrolmentBody;
    expect(await gateway.stripe.paymentIntents.retrieve(second.deposit!.paymentIntentId!)).toMatchObject({ customer, status: 'requires_capture' });
    expect((await t.db.query(`SELECT count(*)::int AS n FROM stripe_customers WHERE user_id = $1`, [bidder.id])).rows[0].n).toBe(1);
    // the amount stayed secured throughout: the ledger did not move
    const line = (await expectLedgerBalanced(t, admin)).find((l) => l.lotId === lot)!;
    expect(line).toMatchObject({ secured: 70_000, released: 0, stillHeld: 70_000, balanced: true });
  }, 40_000);
});
