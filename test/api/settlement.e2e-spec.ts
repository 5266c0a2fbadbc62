/**
 * After the hammer, end to end on real PostgreSQL and the local Stripe-compatible server (sandbox profile):
 * confirmation PDF → balance → ruling; an unpaid deadline → automatic default, forfeiture in the order of
 * OJA Art. 24 → re-auction that refuses the defaulter; unsold → second round (Art. 26 checks) → unsold →
 * sale-off opened by its first entry; suspend/resume of a live lot; withdrawal with deposits held;
 * reminders by e-mail through a local SMTP server. The deposit ledger invariant holds after each.
 */
import { PDFParse } from 'pdf-parse';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import type { AddressInfo } from 'node:net';
import type Stripe from 'stripe';
import { StripeGateway } from '../../apps/api/src/payments/stripe.gateway.js';
import { SettlementService } from '../../apps/api/src/settlement/settlement.service.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { clerkWithCase, enrol, expectLedgerBalanced, loginAdmin, lotResult, type LotResult, publishedLot, registerBidder, waitFor, waitLive, type Actor } from '../support/actors.js';

let t: TestPlatform;
let admin: Actor;
let clerk: Actor;
let caseId: string;
let smtp: SMTPServer;
let gateway: StripeGateway;
const mails: { to: string; subject: string; text: string }[] = [];

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (m) => {
          mails.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), subject: m.subject ?? '', text: m.text ?? '' });
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
  const port = (smtp.server.address() as AddressInfo).port;
  t = await startTestPlatform({ SMTP_URL: `smtp://127.0.0.1:${port}` });
  admin = await loginAdmin(t);
  ({ clerk, caseId } = await clerkWithCase(t, admin, '北京市海淀区人民法院（测试）'));
  gateway = t.platform.app.get(StripeGateway);
});
afterAll(async () => {
  await t?.stop();
  await new Promise<void>((r) => smtp.close(() => r()));
});
afterEach(async () => {
  gateway.local?.faults.reset();
  await expectLedgerBalanced(t, admin);
});

async function sell(lot: string, buyer: Actor, price = 700_000): Promise<LotResult> {
  await waitLive(t, lot);
  await t.http.post(`/api/lots/${lot}/bids`).set(buyer.auth).send({ amount: price }).expect(201);
  return lotResult(t, lot);
}

describe('sale → confirmation → balance → ruling', () => {
  it('generates the confirmation with the buyer’s real name, takes the balance and records the ruling', async () => {
    const lot = await publishedLot(t, clerk, caseId, { startInMs: 3000, durationMs: 8000, extra: { balanceDueDays: 12 } });
    const buyer = await registerBidder(t, { realName: '欧阳明' });
    const loser = await registerBidder(t, { realName: '司马光' });
    const e = await enrol(t, buyer, lot);
    await enrol(t, loser, lot);
    const code = e.body['bidderCode'] as string;
    // before the end, the name appears nowhere public
    await waitLive(t, lot);
    expect(JSON.stringify((await t.http.get(`/api/lots/${lot}`)).body)).not.toContain('欧阳明');
    expect((await sell(lot, buyer, 700_000)).outcome).toBe('sold');
    const conf = await waitFor('confirmation', async () => {
      const r = await t.http.get(`/api/lots/${lot}/confirmation`);
      return r.status === 200 ? (r.body as { buyerName: string; bidderCode: string; price: number; balanceDue: number; status: string; confirmationNo: string }) : null;
    });
    expect(conf).toMatchObject({ buyerName: '欧阳明', bidderCode: code, price: 700_000, balanceDue: 630_000, status: 'awaiting_balance' });
    const pdf = await t.http.get(`/api/lots/${lot}/confirmation.pdf`).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const text = (await new PDFParse({ data: new Uint8Array(pdf.body as Buffer) }).getText()).text.replace(/\s+/g, '');
    expect(text).toContain('欧阳明');
    expect(text).toContain(code);
    expect(text).toContain('¥7,000.00');
    expect(text).toContain('成交确认书');
    // the ruling is refused before full payment
    const early = await t.http.post(`/api/lots/${lot}/ruling`).set(clerk.auth).send({ rulingDate: '2026-12-01' }).expect(422);
    expect(early.body).toMatchObject({ code: 'RULING_BEFORE_FULL_PAYMENT' });
    // only the buyer pays; a declined card is refused
    await t.http.post(`/api/lots/${lot}/balance`).set(loser.auth).send({ paymentMethod: 'pm_card_visa' }).expect(403);
    const declined = await t.http.post(`/api/lots/${lot}/balance`).set(buyer.auth).send({ paymentMethod: 'pm_card_chargeDeclined' }).expect(402);
    expect(declined.body).toMatchObject({ code: 'BALANCE_DECLINED' });
    const paid = await t.http.post(`/api/lots/${lot}/balance`).set(buyer.auth).send({ paymentMethod: 'pm_card_visa' }).expect(200);
    expect(paid.body).toMatchObject({ status: 'paid' });
    const ruled = await t.http.post(`/api/lots/${lot}/ruling`).set(clerk.auth).send({ rulingDate: '2026-12-01' }).expect(201);
    expect(ruled.body).toMatchObject({ status: 'ruled', rulingDate: '2026-12-01' });
    expect((ruled.body as { steps: { step: string }[] }).steps.map((s) => s.step)).toEqual(['sold', 'confirmation_generated', 'balance_paid', 'ruled']);
    expect(((await t.http.get(`/api/lots/${lot}`)).body as { status: string }).status).toBe('transferred');
    // the winner's deposit was applied to the price, the loser's released
    await waitFor('deposits settled', async () => {
      const r = await t.db.query(`SELECT status FROM deposits WHERE lot_id = $1 ORDER BY status`, [lot]);
      return r.rows.map((x: { status: string }) => x.status).join() === 'applied,released';
    });
    const notes = (await t.http.get('/api/me/notifications').set(buyer.auth).expect(200)).body as { kind: string }[];
    expect(notes.map((n) => n.kind)).toEqual(expect.arrayContaining(['sale.won', 'balance.paid']));
  }, 60_000);
});

type SettlementBody = { status: string; paidAt: string | null; balanceDue: number; balancePayment?: { paymentIntentId: string; clientSecret: string } | null };

/** A lot sold to a fresh buyer, its settlement awaiting the balance (630,000 fen after a 70,000 deposit). */
async function soldToBuyer(): Promise<{ lot: string; buyer: Actor }> {
  const lot = await publishedLot(t, clerk, caseId, { startInMs: 3000, durationMs: 8000, extra: { balanceDueDays: 12 } });
  const buyer = await registerBidder(t);
  await enrol(t, buyer, lot);
  await sell(lot, buyer, 700_000);
  await waitFor('settlement', async () => (await t.http.get(`/api/lots/${lot}/settlement`).set(buyer.auth)).status === 200);
  return { lot, buyer };
}

async function settlementOf(lot: string, who: Actor): Promise<SettlementBody> {
  return (await t.http.get(`/api/lots/${lot}/settlement`).set(who.auth).expect(200)).body as SettlementBody;
}

const balanceIntents = (lot: string) => gateway.local!.paymentIntents().filter((p) => (p['metadata'] as Record<string, string>)['kind'] === 'balance' && (p['metadata'] as Record<string, string>)['lotId'] === lot);

describe('the balance paid in the browser (Stripe Elements) and its failures', () => {
  it('without a payment method: a client secret for the buyer only, the same intent when asked again, and the webhook marks the sale paid once', async () => {
    const { lot, buyer } = await soldToBuyer();
    const started = (await t.http.post(`/api/lots/${lot}/balance`).set(buyer.auth).send({}).expect(200)).body as SettlementBody;
    expect(started).toMatchObject({ status: 'awaiting_balance', balancePayment: { paymentIntentId: expect.stringMatching(/^pi_/), clientSecret: expect.stringMatching(/^pi_.+_secret_.+/) } });
    const { paymentIntentId } = started.balancePayment!;
    expect(gateway.local!.paymentIntent(paymentIntentId)).toMatchObject({ status: 'requires_payment_method', amount: 630_000 });
    // a reload (or a second tab) gets the same open intent, not a second one that could be paid beside it
    const again = (await t.http.post(`/api/lots/${lot}/balance`).set(buyer.auth).send({}).expect(200)).body as SettlementBody;
    expect(again.balancePayment).toEqual(started.balancePayment);
    expect((await settlementOf(lot, buyer)).balancePayment).toEqual(started.balancePayment);
    expect(balanceIntents(lot)).toHaveLength(1);
    // the client secret is the buyer's alone
    expect((await settlementOf(lot, clerk)).balancePayment).toBeNull();
    expect(JSON.stringify((await t.http.get(`/api/lots/${lot}/confirmation`).expect(200)).body)).not.toContain(started.balancePayment!.clientSecret);
    // the browser confirms with Stripe.js; here the test confirms the same PaymentIntent through the SDK
    await gateway.stripe.paymentIntents.confirm(paymentIntentId, { payment_method: 'pm_card_visa' });
    const paid = await waitFor('webhook marks paid', async () => {
      const s = await settlementOf(lot, buyer);
      return s.status === 'paid' ? s : null;
    });
    expect(paid.balancePayment).toBeNull();
    await gateway.local!.waitForWebhooks();
    const marks = await t.db.query(`SELECT data FROM audit_log WHERE stream = $1 AND action = 'settlement.balance_paid'`, [`lot:${lot}`]);
    expect(marks.rows.map((r: { data: { paymentIntentId: string; amount: number } }) => r.data)).toEqual([expect.objectContaining({ paymentIntentId, amount: 630_000 })]);
    const notes = (await t.http.get('/api/me/notifications').set(buyer.auth).expect(200)).body as { kind: string }[];
    expect(notes.filter((n) => n.kind === 'balance.paid')).toHaveLength(1);
    expect((await t.http.post(`/api/lots/${lot}/balance`).set(buyer.auth).send({}).expect(422)).body).toMatchObject({ code: 'BALANCE_NOT_DUE' });
  }, 60_000);

  it('Stripe failing: 503 PAYMENT_PROVIDER_UNAVAILABLE, the balance still due, and a retry pays it', async () => {
    const { lot, buyer } = await soldToBuyer();
    gateway.local!.faults.failNext(3, { path: '/v1/payment_intents', method: 'POST', status: 500 });
    const failed = await t.http.post(`/api/lots/${lot}/balance`).set(buyer.auth).send({ paymentMethod: 'pm_card_visa' });
    expect(failed).toMatchObject({ status: 503, body: { code: 'PAYMENT_PROVIDER_UNAVAILABLE' } });
    expect(await settlementOf(lot, buyer)).toMatchObject({ status: 'awaiting_balance', paidAt: null, balancePayment: null });
    // the browser path fails the same way, and leaves nothing open behind it
    gateway.local!.faults.reset();
    gateway.local!.faults.failNext(3, { path: '/v1/payment_intents', method: 'POST', status: 500 });
    expect(await t.http.post(`/api/lots/${lot}/balance`).set(buyer.auth).send({})).toMatchObject({ status: 503, body: { code: 'PAYMENT_PROVIDER_UNAVAILABLE' } });
    expect(await settlementOf(lot, buyer)).toMatchObject({ status: 'awaiting_balance', balancePayment: null });
    expect(balanceIntents(lot)).toHaveLength(0);
    gateway.local!.faults.reset();
    const paid = await t.http.post(`/api/lots/${lot}/balance`).set(buyer.auth).send({ paymentMethod: 'pm_card_visa' }).expect(200);
    expect(paid.body).toMatchObject({ status: 'paid' });
    expect(balanceIntents(lot).map((p) => p['status'])).toEqual(['succeeded']);
  }, 60_000);

  it('a card needing 3-D Secure: BALANCE_NEEDS_ACTION with the client secret, the balance still due; once authenticated the webhook marks it paid', async () => {
    const { lot, buyer } = await soldToBuyer();
    const res = await t.http.post(`/api/lots/${lot}/balance`).set(buyer.auth).send({ paymentMethod: 'pm_card_authenticationRequired' });
    expect(res).toMatchObject({ status: 402, body: { code: 'BALANCE_NEEDS_ACTION', details: { paymentIntentId: expect.stringMatching(/^pi_/), clientSecret: expect.stringMatching(/^pi_.+_secret_.+/) } } });
    const { paymentIntentId, clientSecret } = (res.body as { details: { paymentIntentId: string; clientSecret: string } }).details;
    expect(gateway.local!.paymentIntent(paymentIntentId)).toMatchObject({ status: 'requires_action' });
    // still due, and the open intent is offered again to finish in the browser
    expect(await settlementOf(lot, buyer)).toMatchObject({ status: 'awaiting_balance', paidAt: null, balancePayment: { paymentIntentId, clientSecret } });
    // the customer's part of 3-D Secure (what stripe.handleNextAction leads to in the browser)
    gateway.local!.authenticate(paymentIntentId, 'succeed');
    const paid = await waitFor('webhook marks paid', async () => {
      const s = await settlementOf(lot, buyer);
      return s.status === 'paid' ? s : null;
    });
    expect(paid.paidAt).toBeTruthy();
  }, 60_000);

  it('a card confirmed by the server while a browser intent is open: the open one is cancelled first, so only one can be paid', async () => {
    const { lot, buyer } = await soldToBuyer();
    const open = ((await t.http.post(`/api/lots/${lot}/balance`).set(buyer.auth).send({}).expect(200)).body as SettlementBody).balancePayment!;
    // Stripe failing on the cancel: nothing changes, the open intent is still offered
    gateway.local!.faults.failNext(3, { path: '/v1/payment_intents/*/cancel', method: 'POST', status: 500 });
    expect(await t.http.post(`/api/lots/${lot}/balance`).set(buyer.auth).send({ paymentMethod: 'pm_card_visa' })).toMatchObject({ status: 503, body: { code: 'PAYMENT_PROVIDER_UNAVAILABLE' } });
    expect(await settlementOf(lot, buyer)).toMatchObject({ status: 'awaiting_balance', balancePayment: open });
    gateway.local!.faults.reset();
    const paid = await t.http.post(`/api/lots/${lot}/balance`).set(buyer.auth).send({ paymentMethod: 'pm_card_visa' }).expect(200);
    expect(paid.body).toMatchObject({ status: 'paid', balancePayment: null });
    expect(gateway.local!.paymentIntent(open.paymentIntentId)).toMatchObject({ status: 'canceled' });
    expect(balanceIntents(lot).map((p) => p['status']).sort()).toEqual(['canceled', 'succeeded']);
    // the forgotten tab cannot pay the cancelled intent
    await expect(gateway.stripe.paymentIntents.confirm(open.paymentIntentId, { payment_method: 'pm_card_visa' })).rejects.toMatchObject({ type: 'StripeInvalidRequestError' });
  }, 60_000);

  it('a charge whose answer was lost is found before a new attempt, even with no webhook: the buyer is charged once', async () => {
    const { lot, buyer } = await soldToBuyer();
    // Webhooks held back: the first attempt's success is known to Stripe only.
    gateway.local!.setWebhookEndpoint(null);
    try {
      gateway.local!.faults.failNext(1, { path: '/v1/payment_intents', method: 'POST', status: 500, execute: 'first' });
      expect(await t.http.post(`/api/lots/${lot}/balance`).set(buyer.auth).send({ paymentMethod: 'pm_card_visa' })).toMatchObject({ status: 503, body: { code: 'PAYMENT_PROVIDER_UNAVAILABLE' } });
      const [lost] = balanceIntents(lot);
      expect(lost).toMatchObject({ status: 'succeeded', amount: 630_000 }); // the buyer's money was taken
      expect(await settlementOf(lot, buyer)).toMatchObject({ status: 'awaiting_balance' });
      // the buyer pays again: the lost payment is found and pays the sale; no second charge
      const retried = await t.http.post(`/api/lots/${lot}/balance`).set(buyer.auth).send({ paymentMethod: 'pm_card_visa' }).expect(200);
      expect(retried.body).toMatchObject({ status: 'paid' });
      expect(balanceIntents(lot).map((p) => p['id'])).toEqual([lost!['id']]);
      const marks = await t.db.query(`SELECT data FROM audit_log WHERE stream = $1 AND action = 'settlement.balance_paid'`, [`lot:${lot}`]);
      expect(marks.rows.map((r: { data: { paymentIntentId: string } }) => r.data.paymentIntentId)).toEqual([lost!['id']]);
    } finally {
      gateway.onListening(t.url);
    }
  }, 60_000);

  it('a balance payment the sale does not need (the balance already paid) is refunded, once', async () => {
    const { lot, buyer } = await soldToBuyer();
    await t.http.post(`/api/lots/${lot}/balance`).set(buyer.auth).send({ paymentMethod: 'pm_card_visa' }).expect(200);
    // a second payment for the same balance reaches Stripe some other way (a forgotten tab of another device)
    const extra = await gateway.stripe.paymentIntents.create({ amount: 630_000, currency: 'cny', allowed_payment_method_types: ['card'], payment_method: 'pm_card_visa', confirm: true, metadata: { kind: 'balance', lotId: lot, attempt: '1' } });
    expect(extra.status).toBe('succeeded');
    await gateway.local!.waitForWebhooks();
    await waitFor('the extra payment refunded', async () => {
      const pi = await gateway.stripe.paymentIntents.retrieve(extra.id, { expand: ['latest_charge'] });
      return (pi.latest_charge as Stripe.Charge | null)?.amount_refunded === 630_000 ? true : null;
    });
    // told again (a duplicate webhook): nothing more is refunded, the sale stays paid by its own payment
    await t.platform.app.get(SettlementService).reconcileBalance(await gateway.stripe.paymentIntents.retrieve(extra.id));
    expect(gateway.local!.requests().filter((r) => r.path === '/v1/refunds' && r.idempotencyKey === `balance-stray:${extra.id}` && !r.replayed)).toHaveLength(1);
    expect(await settlementOf(lot, buyer)).toMatchObject({ status: 'paid' });
    const refunded = await t.db.query(`SELECT data FROM audit_log WHERE stream = $1 AND action = 'settlement.balance_refunded'`, [`lot:${lot}`]);
    expect(refunded.rows).toHaveLength(1);
  }, 60_000);

  it('the answer lost but the webhook on time: the first attempt pays the sale, and the buyer’s retry is told nothing is due', async () => {
    const { lot, buyer } = await soldToBuyer();
    gateway.local!.faults.failNext(1, { path: '/v1/payment_intents', method: 'POST', status: 500, execute: 'first' });
    expect(await t.http.post(`/api/lots/${lot}/balance`).set(buyer.auth).send({ paymentMethod: 'pm_card_visa' })).toMatchObject({ status: 503 });
    await gateway.local!.waitForWebhooks();
    await waitFor('paid by the first attempt', async () => ((await settlementOf(lot, buyer)).status === 'paid' ? true : null));
    expect((await t.http.post(`/api/lots/${lot}/balance`).set(buyer.auth).send({ paymentMethod: 'pm_card_visa' }).expect(422)).body).toMatchObject({ code: 'BALANCE_NOT_DUE' });
    expect(balanceIntents(lot).map((p) => p['status'])).toEqual(['succeeded']);
  }, 60_000);

  it('refuses a payment method the provider does not know with a 400, the balance still due', async () => {
    const { lot, buyer } = await soldToBuyer();
    const res = await t.http.post(`/api/lots/${lot}/balance`).set(buyer.auth).send({ paymentMethod: 'pm_card_nope' });
    expect(res).toMatchObject({ status: 400, body: { code: 'BALANCE_PAYMENT_METHOD_INVALID' } });
    expect(await settlementOf(lot, buyer)).toMatchObject({ status: 'awaiting_balance' });
  }, 60_000);
});

describe('setting a sale aside (OJA Art. 31)', () => {
  it('records the ground and returns the balance and the deposit to the buyer', async () => {
    const lot = await publishedLot(t, clerk, caseId, { startInMs: 3000, durationMs: 8000, extra: { balanceDueDays: 12 } });
    const buyer = await registerBidder(t);
    await enrol(t, buyer, lot);
    await sell(lot, buyer, 700_000);
    await waitFor('settlement', async () => (await t.http.get(`/api/lots/${lot}/settlement`).set(buyer.auth)).status === 200);
    await t.http.post(`/api/lots/${lot}/balance`).set(buyer.auth).send({ paymentMethod: 'pm_card_visa' }).expect(200);
    const bad = await t.http.post(`/api/lots/${lot}/set-aside`).set(clerk.auth).send({ ground: 'not_a_ground', reason: '系统故障' }).expect(400);
    expect(JSON.stringify(bad.body)).toContain('ground');
    const aside = await t.http.post(`/api/lots/${lot}/set-aside`).set(clerk.auth).send({ ground: 'system_failure', reason: '系统故障导致竞价结果错误' });
    if (aside.status !== 201) throw new Error(JSON.stringify(aside.body));
    expect(aside.body).toMatchObject({ status: 'set_aside' });
    expect(((await t.http.get(`/api/lots/${lot}`)).body as { status: string }).status).toBe('set_aside');
    await waitFor('deposit returned', async () => {
      const r = await t.db.query(`SELECT status FROM deposits WHERE lot_id = $1`, [lot]);
      return r.rows[0]?.status === 'released';
    });
    const audit = await t.db.query(`SELECT data FROM audit_log WHERE stream = $1 AND action = 'settlement.set_aside'`, [`lot:${lot}`]);
    expect(audit.rows[0].data).toMatchObject({ ground: 'system_failure', refundBalance: true });
  }, 60_000);
});

describe('default → forfeiture → re-auction without the defaulter', () => {
  it('defaults automatically at the deadline, records the use of the deposit (OJA Art. 24), e-mails reminders, and bars the defaulter', async () => {
    const lot = await publishedLot(t, clerk, caseId, { startInMs: 3000, durationMs: 8000, extra: { balanceDueDays: 1 } });
    const buyer = await registerBidder(t, { realName: '悔拍人' });
    await enrol(t, buyer, lot);
    await sell(lot, buyer);
    // sandbox: one balance day is 5 s, the reminder goes 3 s before the deadline
    const settled = await waitFor('automatic default', async () => {
      const r = await t.http.get(`/api/lots/${lot}/settlement`).set(clerk.auth);
      return r.status === 200 && (r.body as { status: string }).status === 'defaulted' ? (r.body as { forfeitAllocation: { order: number; use: string; amount: number }[]; defaultReason: string }) : null;
    }, 30_000);
    expect(settled.forfeitAllocation.map((l) => l.order)).toEqual([1, 2, 3, 4]);
    expect(settled.forfeitAllocation.reduce((s, l) => s + l.amount, 0)).toBe(70_000);
    expect(((await t.http.get(`/api/lots/${lot}`)).body as { status: string }).status).toBe('defaulted');
    await waitFor('forfeited', async () => {
      const r = await t.db.query(`SELECT status FROM deposits WHERE lot_id = $1`, [lot]);
      return r.rows[0]?.status === 'forfeited';
    });
    const notes = (await t.http.get('/api/me/notifications').set(buyer.auth).expect(200)).body as { kind: string }[];
    expect(notes.map((n) => n.kind)).toEqual(expect.arrayContaining(['sale.won', 'balance.reminder', 'sale.defaulted']));
    await waitFor('reminder e-mail', async () => mails.some((m) => m.to === buyer.email && m.subject.includes('余款付款提醒')));
    // a re-auction of the same property: the defaulter is refused (OJA Art. 24 ¶2)
    const relisted = await t.http.post(`/api/lots/${lot}/relist`).set(clerk.auth).expect(201);
    const next = (relisted.body as { id: string; round: string; previousLotId: string }).id;
    expect(relisted.body).toMatchObject({ status: 'draft', previousLotId: lot });
    await t.http.post(`/api/lots/${lot}/relist`).set(clerk.auth).expect(422);
    const now = Date.now();
    await t.http
      .patch(`/api/lots/${next}`)
      .set(clerk.auth)
      .send({ startsAt: new Date(now + 60_000).toISOString(), endsAt: new Date(now + 120_000).toISOString(), notices: [{ party: '被执行人乙', role: 'party', kind: 'notified', at: new Date(now - 86_400_000).toISOString() }] })
      .expect(200);
    await t.http.post(`/api/lots/${next}/publish`).set(clerk.auth).expect(201);
    expect(await enrol(t, buyer, next)).toMatchObject({ status: 403, body: { code: 'BARRED_DEFAULTER' } });
    const other = await registerBidder(t);
    expect(await enrol(t, other, next)).toMatchObject({ status: 201 });
    const rounds = (await t.http.get(`/api/lots/${next}/rounds`).expect(200)).body as { id: string }[];
    expect(rounds.map((r) => r.id)).toEqual([lot, next]);
  }, 90_000);
});

describe('unsold → second round → unsold → sale-off', () => {
  it('applies the second-round rules (OJA Art. 26) and opens a sale-off round with the first entry', async () => {
    const first = await publishedLot(t, clerk, caseId, { startInMs: 3500, durationMs: 8000 });
    expect((await lotResult(t, first)).outcome).toBe('unsold');
    const second = ((await t.http.post(`/api/lots/${first}/relist`).set(clerk.auth).expect(201)).body as { id: string; round: string });
    expect(second.round).toBe('second');
    const now = Date.now();
    const schedule = { startsAt: new Date(now + 3000).toISOString(), endsAt: new Date(now + 11_000).toISOString(), notices: [{ party: '被执行人乙', role: 'party', kind: 'notified', at: new Date(now - 86_400_000).toISOString() }] };
    // more than 20 % below the previous start (700,000 → floor 560,000)
    await t.http.patch(`/api/lots/${second.id}`).set(clerk.auth).send({ ...schedule, startingPrice: 559_000, deposit: 56_000 }).expect(200);
    const low = await t.http.post(`/api/lots/${second.id}/publish`).set(clerk.auth).expect(409);
    expect((low.body as { details: { violations: { code: string }[] } }).details.violations.map((v) => v.code)).toContain('RELIST_REDUCTION_TOO_LARGE');
    // an announcement shorter than the second-round lead (1 s in sandbox)
    await t.http.patch(`/api/lots/${second.id}`).set(clerk.auth).send({ startingPrice: 560_000, deposit: 56_000, startsAt: new Date(Date.now() + 300).toISOString(), endsAt: new Date(Date.now() + 9000).toISOString() }).expect(200);
    const short = await t.http.post(`/api/lots/${second.id}/publish`).set(clerk.auth).expect(409);
    expect((short.body as { details: { violations: { code: string }[] } }).details.violations.map((v) => v.code)).toContain('ANNOUNCEMENT_TOO_SHORT');
    await t.http.patch(`/api/lots/${second.id}`).set(clerk.auth).send({ startsAt: new Date(Date.now() + 2500).toISOString(), endsAt: new Date(Date.now() + 10_500).toISOString() }).expect(200);
    await t.http.post(`/api/lots/${second.id}/publish`).set(clerk.auth).expect(201);
    expect((await lotResult(t, second.id)).outcome).toBe('unsold');
    // sale-off at the second round's start; entry by prepaying the full price
    const saleOff = ((await t.http.post(`/api/lots/${second.id}/relist`).set(clerk.auth).expect(201)).body as { id: string; round: string; startingPrice: number });
    expect(saleOff).toMatchObject({ round: 'sale_off', startingPrice: 560_000 });
    await t.http.patch(`/api/lots/${saleOff.id}`).set(clerk.auth).send({ startsAt: new Date(Date.now() + 2500).toISOString(), endsAt: new Date(Date.now() + 30_000).toISOString(), notices: schedule.notices }).expect(200);
    const pub = await t.http.post(`/api/lots/${saleOff.id}/publish`).set(clerk.auth);
    expect([pub.status, pub.body]).toEqual([201, expect.anything()]);
    await waitLive(t, saleOff.id);
    const entrant = await registerBidder(t);
    const entered = await enrol(t, entrant, saleOff.id);
    expect(entered).toMatchObject({ status: 201, body: { depositDue: 560_000, status: 'active' } });
    // the first entry opened an 8 s round (sandbox for 24 h) with the entrant's offer at the sale-off price
    const opened = await waitFor('round opened', async () => {
      const v = (await t.http.get(`/api/lots/${saleOff.id}`)).body as { bidCount: number; endsAt: string; currentPrice: number };
      return v.bidCount === 1 ? v : null;
    });
    expect(opened.currentPrice).toBe(560_000);
    expect(Date.parse(opened.endsAt) - Date.now()).toBeLessThan(9000);
    const rival = await registerBidder(t);
    await enrol(t, rival, saleOff.id);
    await t.http.post(`/api/lots/${saleOff.id}/bids`).set(rival.auth).send({ amount: 561_000 }).expect(201);
    const r = await lotResult(t, saleOff.id);
    expect(r).toMatchObject({ outcome: 'sold', price: 561_000 });
    const rounds = (await t.http.get(`/api/lots/${saleOff.id}/rounds`).expect(200)).body as { round: string; status: string }[];
    expect(rounds.map((x) => `${x.round}:${x.status}`)).toEqual(['first:unsold', 'second:unsold', 'sale_off:sold']);
  }, 120_000);

  it('offers the clerk the paths of rulebook §6.4 after the last round fails', async () => {
    const first = await publishedLot(t, clerk, caseId, { startInMs: 3500, durationMs: 8000 });
    await lotResult(t, first);
    await t.http.post(`/api/lots/${first}/disposition`).set(clerk.auth).send({ path: 'release_seizure', note: '第一轮流拍' }).expect(422);
  }, 30_000);
});

describe('suspension and withdrawal during the live phase', () => {
  it('suspending a live lot freezes bidding and the countdown; resuming restores the time left', async () => {
    const lot = await publishedLot(t, clerk, caseId, { startInMs: 3500, durationMs: 20_000 });
    const a = await registerBidder(t);
    await enrol(t, a, lot);
    await waitLive(t, lot);
    const before = (await t.http.get(`/api/lots/${lot}`)).body as { endsAt: string };
    const suspended = (await t.http.post(`/api/lots/${lot}/suspend`).set(clerk.auth).send({ reason: '案外人提出异议' }).expect(201)).body as { pausedRemainingMs: number; status: string };
    expect(suspended.status).toBe('suspended');
    expect(suspended.pausedRemainingMs).toBeGreaterThan(10_000);
    expect((await t.http.post(`/api/lots/${lot}/bids`).set(a.auth).send({ amount: 700_000 })).body).toMatchObject({ code: 'LOT_NOT_LIVE' });
    await new Promise((r) => setTimeout(r, 1500));
    const resumed = (await t.http.post(`/api/lots/${lot}/resume`).set(clerk.auth).send({}).expect(201)).body as { endsAt: string; status: string };
    expect(resumed.status).toBe('live');
    const remaining = Date.parse(resumed.endsAt) - Date.now();
    expect(Math.abs(remaining - suspended.pausedRemainingMs)).toBeLessThan(1000);
    expect(Date.parse(resumed.endsAt)).toBeGreaterThan(Date.parse(before.endsAt));
    await t.http.post(`/api/lots/${lot}/bids`).set(a.auth).send({ amount: 700_000 }).expect(201);
    await t.http.post(`/api/lots/${lot}/withdraw`).set(clerk.auth).send({ reason: '申请执行人撤回执行申请' }).expect(201);
  }, 60_000);

  it('withdrawing a lot with deposits held releases every deposit', async () => {
    const lot = await publishedLot(t, clerk, caseId, { startInMs: 60_000 });
    for (let i = 0; i < 3; i++) await enrol(t, await registerBidder(t), lot);
    await t.http.post(`/api/lots/${lot}/withdraw`).set(clerk.auth).send({ reason: '执行依据被撤销' }).expect(201);
    await waitFor('released', async () => {
      const r = await t.db.query(`SELECT count(*)::int AS n FROM deposits WHERE lot_id = $1 AND status = 'released'`, [lot]);
      return r.rows[0].n === 3;
    });
    const line = (await expectLedgerBalanced(t, admin)).find((l) => l.lotId === lot)!;
    expect(line).toMatchObject({ secured: 210_000, released: 210_000, stillHeld: 0 });
  }, 30_000);
});
