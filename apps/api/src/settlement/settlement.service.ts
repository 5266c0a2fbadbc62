/**
 * After the hammer (成交后): the settlement module owns the confirmation, the balance, the ruling, the
 * default and the relisting of a property's next round.
 *
 * - A settlement is created for every sold lot — on the close event, and by a sweep, so a crash between
 *   the close and the settlement loses nothing. The confirmation is generated then (OJA Art. 22).
 * - The balance is paid through Stripe like the deposit (intent recorded with an idempotency key first).
 * - The ruling needs full payment (ASR Art. 20); the lot becomes `transferred`.
 * - An unpaid deadline defaults automatically (or the clerk declares it): the deposit is forfeited through
 *   the deposits module and its use recorded in the order of OJA Art. 24; the defaulter is barred from the
 *   re-auction by the enrolment module.
 */
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import type { DataSource, EntityManager } from 'typeorm';
import { allocateForfeitedDeposit, applyLotEvent, balanceDeadline, balanceDue, dueReminders, formatYuan, type RulesProfile, type SetAsideGround } from '@fapai/domain';
import { AuditService } from '../audit/audit.service.js';
import type { AuthUser } from '../common/auth.js';
import { dbNow, returnedRows } from '../common/db.js';
import { RULES } from '../config/env.js';
import { Lot } from '../lots/lot.entity.js';
import { LotStatusChanged } from '../lots/lots.service.js';
import { applyLotState, toLotState } from '../lots/lot.views.js';
import { DepositsService } from '../payments/deposits.service.js';
import { PaymentIntentRouter } from '../payments/intent-router.js';
import { StripeGateway } from '../payments/stripe.gateway.js';
import { NotificationsService } from '../notifications/notifications.module.js';
import { LotClosed } from '../bidding/bid-placed.event.js';
import { Settlement } from './settlement.entity.js';
import { SettlementError } from './settlement.errors.js';

const shanghai = (d: Date): string => new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', dateStyle: 'medium', timeStyle: 'short' }).format(d);

export interface SettlementView {
  lotId: string;
  status: Settlement['status'];
  confirmationNo: string;
  buyerName: string;
  bidderCode: string;
  price: number;
  depositApplied: number;
  balanceDue: number;
  balanceDeadline: string;
  caseNumber: string;
  courtName: string;
  lotTitle: string;
  soldAt: string;
  paidAt: string | null;
  rulingDate: string | null;
  ruledAt: string | null;
  defaultedAt: string | null;
  defaultReason: string | null;
  forfeitAllocation: Settlement['forfeitAllocation'];
  steps: { step: string; at: string }[];
  /** The open balance PaymentIntent to confirm with Stripe.js (buyer only; null otherwise). */
  balancePayment: { paymentIntentId: string; clientSecret: string } | null;
}

@Injectable()
export class SettlementService implements OnModuleInit {
  private readonly logger = new Logger('Settlement');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly deposits: DepositsService,
    private readonly gateway: StripeGateway,
    private readonly router: PaymentIntentRouter,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditService,
    private readonly events: EventEmitter2,
    @Inject(RULES) private readonly rules: RulesProfile,
  ) {}

  onModuleInit(): void {
    this.router.register('balance', (intent) => this.reconcileBalance(intent));
  }

  @OnEvent(LotClosed.topic, { async: true, promisify: true })
  async onClosed(e: LotClosed): Promise<void> {
    if (e.outcome === 'sold') await this.ensureSettlements().catch((error: unknown) => this.logger.warn(`settlement of ${e.lotId} left to the sweep: ${String(error)}`));
  }

  /** Creates the settlement (and the confirmation) of every sold lot that has none yet. Idempotent. */
  async ensureSettlements(): Promise<number> {
    const due = (await this.db.query(
      `SELECT r.lot_id FROM lot_results r LEFT JOIN settlements s ON s.lot_id = r.lot_id WHERE r.outcome = 'sold' AND s.lot_id IS NULL LIMIT 50`,
    )) as { lot_id: string }[];
    const mails: string[] = [];
    for (const { lot_id } of due) {
      await this.db.transaction(async (em) => {
        const rows = (await em.query(
          `SELECT r.price, r.winner_enrolment_id, r.bidder_code, r.closed_at, e.user_id, u.real_name, l.title, l.balance_due_days, k.case_number, c.name AS court_name,
                  coalesce((SELECT amount FROM deposits d WHERE d.enrolment_id = r.winner_enrolment_id AND d.status IN ('secured', 'applying', 'applied')), 0) AS deposit
           FROM lot_results r JOIN enrolments e ON e.id = r.winner_enrolment_id JOIN users u ON u.id = e.user_id JOIN lots l ON l.id = r.lot_id
           JOIN cases k ON k.id = l.case_id JOIN courts c ON c.id = l.court_id WHERE r.lot_id = $1 FOR UPDATE OF r`,
          [lot_id],
        )) as { price: string; winner_enrolment_id: string; bidder_code: string; closed_at: Date; user_id: string; real_name: string; title: string; balance_due_days: number; case_number: string; court_name: string; deposit: string }[];
        const r = rows[0];
        if (!r) return;
        const exists = (await em.query('SELECT 1 FROM settlements WHERE lot_id = $1', [lot_id])) as unknown[];
        if (exists.length) return;
        const price = Number(r.price);
        const deposit = Number(r.deposit);
        const deadline = new Date(balanceDeadline(r.closed_at.getTime(), r.balance_due_days, this.rules));
        const s = em.create(Settlement, {
          lotId: lot_id,
          buyerEnrolmentId: r.winner_enrolment_id,
          buyerUserId: r.user_id,
          buyerName: r.real_name,
          bidderCode: r.bidder_code,
          price,
          depositApplied: deposit,
          balanceDue: balanceDue(price, deposit),
          balanceDeadline: deadline,
          status: balanceDue(price, deposit) === 0 ? 'paid' : 'awaiting_balance',
          caseNumber: r.case_number,
          courtName: r.court_name,
          lotTitle: r.title,
          soldAt: r.closed_at,
          confirmationNo: `FP${r.closed_at.toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(4).toString('hex').toUpperCase()}`,
          paidAt: balanceDue(price, deposit) === 0 ? new Date() : null,
          remindersSent: [],
        });
        await em.save(s);
        await this.audit.append(em, { stream: `lot:${lot_id}`, action: 'lot.confirmation_generated', data: { confirmationNo: s.confirmationNo, price, bidderCode: s.bidderCode, balanceDue: s.balanceDue, balanceDeadline: deadline.toISOString() } }, false);
        mails.push(
          await this.notifications.record(em, {
            userId: r.user_id,
            kind: 'sale.won',
            title: `竞买成功：${r.title}`,
            body: `您以 ${formatYuan(price)} 竞得「${r.title}」。保证金 ${formatYuan(deposit)} 已抵作价款，请于 ${shanghai(deadline)} 前支付余款 ${formatYuan(s.balanceDue)}。`,
            data: { lotId: lot_id },
          }),
        );
      });
    }
    for (const id of mails) await this.notifications.email(id);
    return due.length;
  }

  async get(lotId: string): Promise<Settlement> {
    const s = await this.db.getRepository(Settlement).findOneBy({ lotId });
    if (!s) throw new SettlementError('SETTLEMENT_NOT_FOUND');
    return s;
  }

  /** `forBuyer`: the open PaymentIntent's client secret is the buyer's alone (clerks and the public never see it). */
  view(s: Settlement, forBuyer = false): SettlementView {
    const steps = [
      { step: 'sold', at: s.soldAt.toISOString() },
      { step: 'confirmation_generated', at: s.createdAt.toISOString() },
      ...(s.paidAt ? [{ step: 'balance_paid', at: s.paidAt.toISOString() }] : []),
      ...(s.ruledAt ? [{ step: 'ruled', at: s.ruledAt.toISOString() }] : []),
      ...(s.defaultedAt ? [{ step: 'defaulted', at: s.defaultedAt.toISOString() }] : []),
    ];
    return {
      lotId: s.lotId,
      status: s.status,
      confirmationNo: s.confirmationNo,
      buyerName: s.buyerName,
      bidderCode: s.bidderCode,
      price: s.price,
      depositApplied: s.depositApplied,
      balanceDue: s.balanceDue,
      balanceDeadline: s.balanceDeadline.toISOString(),
      caseNumber: s.caseNumber,
      courtName: s.courtName,
      lotTitle: s.lotTitle,
      soldAt: s.soldAt.toISOString(),
      paidAt: s.paidAt?.toISOString() ?? null,
      rulingDate: s.rulingDate,
      ruledAt: s.ruledAt?.toISOString() ?? null,
      defaultedAt: s.defaultedAt?.toISOString() ?? null,
      defaultReason: s.defaultReason,
      forfeitAllocation: s.forfeitAllocation,
      steps,
      balancePayment:
        forBuyer && s.status === 'awaiting_balance' && s.balancePaymentIntentId && s.balanceClientSecret ? { paymentIntentId: s.balancePaymentIntentId, clientSecret: s.balanceClientSecret } : null,
    };
  }

  /**
   * The buyer pays the balance through Stripe. With a payment method (the test cards offline) the server
   * confirms the PaymentIntent at once; without one the intent is created unconfirmed and its client secret
   * goes back to the browser, which confirms it with Stripe Elements; the webhook then marks the sale paid.
   *
   * Every new PaymentIntent is a new attempt with its own idempotency key (`balance:<lotId>:<attempt>`), so a
   * retry after a decline or a provider error never replays a kept answer (the SDK's own network retries reuse
   * the key). A request without a payment method while the current attempt's intent is still open (not
   * confirmed, or waiting for 3-D Secure) hands that intent back instead: a reload or a second tab must finish
   * the same intent, not open a second one that could be paid beside it. A request with a payment method
   * cancels that open intent first (`cancelOpenIntent`).
   *
   * Nothing is written before Stripe answers except the attempt number (and its audit line), so any failure
   * leaves the settlement `awaiting_balance` and payable again.
   */
  async payBalance(user: AuthUser, lotId: string, paymentMethod?: string): Promise<SettlementView> {
    if (await this.recoverLostAttempt(user, lotId)) return this.view(await this.get(lotId), true);
    if (paymentMethod) await this.cancelOpenIntent(user, lotId);
    const prepared = await this.db.transaction(async (em) => {
      const s = await this.lock(em, lotId);
      if (s.buyerUserId !== user.id) throw new SettlementError('NOT_THE_BUYER');
      if (s.status !== 'awaiting_balance') throw new SettlementError('BALANCE_NOT_DUE', { status: s.status });
      const now = await dbNow(em);
      if (now >= s.balanceDeadline) throw new SettlementError('BALANCE_DEADLINE_PASSED');
      if (!paymentMethod && s.balancePaymentIntentId && s.balanceClientSecret) return { s, reuse: true };
      s.balanceAttempt += 1;
      s.balancePaymentIntentId = null;
      s.balanceClientSecret = null;
      await em.save(s);
      await this.audit.append(em, { stream: `lot:${lotId}`, action: 'settlement.balance_payment_started', actorId: user.id, data: { attempt: s.balanceAttempt, amount: s.balanceDue, confirmedBy: paymentMethod ? 'server' : 'browser' } });
      return { s, reuse: false };
    });
    if (prepared.reuse) return this.view(prepared.s, true);
    const attempt = prepared.s.balanceAttempt;
    let intent: Stripe.PaymentIntent;
    try {
      intent = await this.gateway.stripe.paymentIntents.create(
        {
          amount: prepared.s.balanceDue,
          currency: 'cny',
          allowed_payment_method_types: ['card'],
          ...(paymentMethod ? { payment_method: paymentMethod, confirm: true } : {}),
          description: `fapai balance ${lotId}`,
          metadata: { kind: 'balance', lotId, attempt: String(attempt) },
        },
        { idempotencyKey: `balance:${lotId}:${attempt}` },
      );
    } catch (error) {
      throw this.balanceFailure(lotId, attempt, error);
    }
    if (intent.status === 'succeeded') await this.reconcileBalance(intent);
    else await this.keepOpenIntent(lotId, attempt, intent);
    if (intent.status === 'requires_action') throw new SettlementError('BALANCE_NEEDS_ACTION', { paymentIntentId: intent.id, clientSecret: intent.client_secret });
    return this.view(await this.get(lotId), true);
  }

  /**
   * The last attempt left no intent here (its answer was lost: a timeout, or a 5xx after Stripe had acted),
   * yet Stripe may hold it, even paid. Before a new attempt could charge the buyer a second time, look for it
   * among the recent PaymentIntents: paid, it pays the sale (true is returned); still open, it is kept as the
   * open intent, to be handed back or cancelled like any other.
   */
  private async recoverLostAttempt(user: AuthUser, lotId: string): Promise<boolean> {
    const s = await this.get(lotId);
    if (s.buyerUserId !== user.id || s.status !== 'awaiting_balance' || s.balanceAttempt === 0 || s.balancePaymentIntentId) return false;
    const since = Math.floor(s.updatedAt.getTime() / 1000) - 300;
    let found: Stripe.PaymentIntent | null = null;
    try {
      for await (const pi of this.gateway.stripe.paymentIntents.list({ created: { gte: since }, limit: 100 })) {
        if (pi.metadata?.['kind'] === 'balance' && pi.metadata['lotId'] === lotId && pi.metadata['attempt'] === String(s.balanceAttempt)) {
          found = pi;
          break;
        }
        if (pi.created < since) break;
      }
    } catch (error) {
      throw this.balanceFailure(lotId, s.balanceAttempt, error);
    }
    if (!found) return false;
    if (found.status === 'succeeded') {
      await this.reconcileBalance(found);
      return (await this.get(lotId)).status === 'paid';
    }
    if (found.status !== 'canceled') await this.keepOpenIntent(lotId, s.balanceAttempt, found);
    return false;
  }

  /**
   * Before a server-side confirmation starts a new attempt, the open intent of the last one (left for the
   * browser, or waiting for 3-D Secure) is cancelled at Stripe: only one balance intent can ever be paid, so a
   * forgotten tab cannot take the balance a second time. If it cannot be cancelled because it was paid meanwhile,
   * that payment is recorded (and the new attempt then finds nothing due); if Stripe does not answer, nothing
   * has changed and the buyer retries.
   */
  private async cancelOpenIntent(user: AuthUser, lotId: string): Promise<void> {
    const s = await this.get(lotId);
    if (s.buyerUserId !== user.id || s.status !== 'awaiting_balance' || !s.balancePaymentIntentId) return;
    let intent: Stripe.PaymentIntent;
    try {
      // No key of ours: cancelling is idempotent by itself (a second cancel is refused and answered below), and
      // a kept 5xx under a fixed key would refuse every retry.
      intent = await this.gateway.stripe.paymentIntents.cancel(s.balancePaymentIntentId);
    } catch (error) {
      if (!(error instanceof Stripe.errors.StripeInvalidRequestError)) throw this.balanceFailure(lotId, s.balanceAttempt, error);
      // Not cancelable any more (paid, or cancelled already): see what it became.
      try {
        intent = await this.gateway.stripe.paymentIntents.retrieve(s.balancePaymentIntentId);
      } catch (again) {
        throw this.balanceFailure(lotId, s.balanceAttempt, again);
      }
    }
    await this.reconcileBalance(intent);
  }

  /** The PaymentIntent of the current attempt, still to be confirmed (or authenticated) in the browser. */
  private async keepOpenIntent(lotId: string, attempt: number, intent: Stripe.PaymentIntent): Promise<void> {
    await this.db.query(
      `UPDATE settlements SET balance_payment_intent_id = $3, balance_client_secret = $4, updated_at = now() WHERE lot_id = $1 AND balance_attempt = $2 AND status = 'awaiting_balance'`,
      [lotId, attempt, intent.id, intent.client_secret],
    );
  }

  /** A Stripe error as the buyer's refusal: the card's fault (402/400), or the provider's (503). */
  private balanceFailure(lotId: string, attempt: number, error: unknown): SettlementError {
    if (error instanceof Stripe.errors.StripeCardError) return new SettlementError('BALANCE_DECLINED', { code: error.code, declineCode: error.decline_code });
    if (error instanceof Stripe.errors.StripeInvalidRequestError && error.param === 'payment_method') return new SettlementError('BALANCE_PAYMENT_METHOD_INVALID', { code: error.code });
    // API errors, connection errors and timeouts, 5xx, rate limits: the provider's trouble, not the buyer's.
    this.logger.warn(`balance of ${lotId} (attempt ${attempt}): the payment provider failed: ${error instanceof Error ? error.message : String(error)}`);
    return new SettlementError('PAYMENT_PROVIDER_UNAVAILABLE', { retry: 'the balance is still due; please retry' });
  }

  /** From the API response or the webhook: a succeeded balance PaymentIntent marks the sale paid, once. */
  async reconcileBalance(intent: Stripe.PaymentIntent): Promise<void> {
    const lotId = intent.metadata['lotId'];
    if (intent.status === 'canceled') {
      // The open intent is no longer payable: the next request without a payment method starts a new attempt.
      await this.db.query(`UPDATE settlements SET balance_payment_intent_id = NULL, balance_client_secret = NULL, updated_at = now() WHERE lot_id = $1 AND status = 'awaiting_balance' AND balance_payment_intent_id = $2`, [lotId, intent.id]);
      return;
    }
    if (intent.status !== 'succeeded') return;
    let mail: string | null = null;
    let stray = false;
    await this.db.transaction(async (em) => {
      const s = await em.getRepository(Settlement).createQueryBuilder('s').setLock('pessimistic_write').where('s.lot_id = :lotId', { lotId }).getOne();
      if (!s) return;
      // The money is in, whichever attempt took it: an earlier attempt whose answer was lost (a timeout, a 5xx
      // after the charge) may succeed after the buyer retried. The first success pays the balance; any other
      // balance payment of this lot (a second attempt, a payment after a default) goes back to the buyer.
      if (s.status !== 'awaiting_balance' || intent.amount !== s.balanceDue) {
        stray = s.balancePaymentIntentId !== intent.id;
        return;
      }
      s.status = 'paid';
      s.paidAt = new Date();
      s.balancePaymentIntentId = intent.id;
      s.balanceClientSecret = null;
      await em.save(s);
      await this.audit.append(em, { stream: `lot:${lotId}`, action: 'settlement.balance_paid', data: { amount: intent.amount, paymentIntentId: intent.id } });
      mail = await this.notifications.record(em, { userId: s.buyerUserId, kind: 'balance.paid', title: `余款已付清：${s.lotTitle}`, body: `余款 ${formatYuan(intent.amount)} 已收到，等待法院作出成交裁定。`, data: { lotId } });
    });
    if (mail) await this.notifications.email(mail);
    if (stray) await this.refundStray(lotId, intent);
  }

  /**
   * A balance payment that the sale does not need is refunded in full, once (the key is the intent's). If
   * Stripe cannot be reached the error goes up: a webhook is then answered 5xx and delivered again.
   */
  private async refundStray(lotId: string, intent: Stripe.PaymentIntent): Promise<void> {
    try {
      const refund = await this.gateway.stripe.refunds.create({ payment_intent: intent.id, metadata: { kind: 'balance-stray', lotId } }, { idempotencyKey: `balance-stray:${intent.id}` });
      // Every webhook of that payment comes here: only the call that made the refund records it.
      if (refund.lastResponse?.headers?.['idempotent-replayed'] === 'true') return;
    } catch (error) {
      if (error instanceof Stripe.errors.StripeInvalidRequestError && error.code === 'charge_already_refunded') return;
      throw error;
    }
    this.logger.warn(`refunded balance payment ${intent.id} of lot ${lotId}: the balance was already paid or no longer due`);
    await this.db.transaction((em) => this.audit.append(em, { stream: `lot:${lotId}`, action: 'settlement.balance_refunded', data: { amount: intent.amount, paymentIntentId: intent.id, reason: 'not needed by the sale' } }));
  }

  /** The sale ruling (成交裁定), only once paid in full (ASR Art. 20); the lot becomes `transferred`. */
  async recordRuling(clerk: AuthUser, lotId: string, rulingDate: string): Promise<SettlementView> {
    const lotStatus = await this.db.transaction(async (em) => {
      const lot = await this.ownLot(em, clerk, lotId);
      const s = await this.lock(em, lotId);
      if (s.status === 'ruled') throw new SettlementError('ALREADY_RULED');
      if (s.status !== 'paid') throw new SettlementError('RULING_BEFORE_FULL_PAYMENT', { status: s.status, balanceDue: s.balanceDue });
      const now = await dbNow(em);
      const next = applyLotEvent(toLotState(lot), { type: 'transfer' }, now.getTime(), this.rules);
      if (!next.ok) throw new SettlementError('RULING_BEFORE_FULL_PAYMENT', { reason: next.code });
      applyLotState(lot, next.lot);
      await em.save(lot);
      s.status = 'ruled';
      s.rulingDate = rulingDate;
      s.ruledAt = now;
      await em.save(s);
      await this.audit.append(em, { stream: `lot:${lotId}`, action: 'settlement.ruled', actorId: clerk.id, data: { rulingDate } }, true);
      return lot.status;
    });
    this.events.emit('lot.status', new LotStatusChanged(lotId, lotStatus, null, null));
    return this.view(await this.get(lotId));
  }

  /**
   * Default (悔拍): declared by the clerk, or automatically when the deadline passes unpaid. The deposit
   * is forfeited (OJA Art. 24) and its use recorded in the statutory order.
   */
  async declareDefault(actor: AuthUser | null, lotId: string, input: { reason: string; auctionCosts?: number }): Promise<SettlementView> {
    const enrolmentId = await this.db.transaction(async (em) => {
      const lot = actor ? await this.ownLot(em, actor, lotId) : await em.getRepository(Lot).createQueryBuilder('l').setLock('pessimistic_write').where('l.id = :id', { id: lotId }).getOneOrFail();
      const s = await this.lock(em, lotId);
      if (s.status !== 'awaiting_balance') throw new SettlementError('DEFAULT_NOT_ALLOWED', { status: s.status });
      const now = await dbNow(em);
      const next = applyLotEvent(toLotState(lot), { type: 'default' }, now.getTime(), this.rules);
      if (!next.ok) throw new SettlementError('DEFAULT_NOT_ALLOWED', { reason: next.code });
      applyLotState(lot, next.lot);
      await em.save(lot);
      const claim = (await em.query(`SELECT applicant_claim FROM cases WHERE id = $1`, [lot.caseId])) as { applicant_claim: string | null }[];
      s.status = 'defaulted';
      s.defaultedAt = now;
      s.defaultReason = input.reason;
      s.forfeitAllocation = allocateForfeitedDeposit(s.depositApplied, {
        auctionCosts: input.auctionCosts ?? 0,
        reauctionShortfall: 0,
        caseDebt: claim[0]?.applicant_claim === null || claim[0] === undefined ? null : Number(claim[0].applicant_claim),
        otherRelatedDebts: 0,
      });
      await em.save(s);
      await this.audit.append(em, { stream: `lot:${lotId}`, action: 'settlement.defaulted', actorId: actor?.id ?? null, data: { reason: input.reason, forfeited: s.depositApplied, allocation: s.forfeitAllocation } }, true);
      await this.notifications.record(em, { userId: s.buyerUserId, kind: 'sale.defaulted', title: `悔拍：${s.lotTitle}`, body: `余款未在期限内付清，保证金 ${formatYuan(s.depositApplied)} 不予退还（网拍规定第二十四条）。`, data: { lotId } });
      return s.buyerEnrolmentId;
    });
    await this.deposits.forfeit(enrolmentId);
    this.events.emit('lot.status', new LotStatusChanged(lotId, 'defaulted', null, input.reason));
    return this.view(await this.get(lotId));
  }

  /** The job: reminders before the deadline, and automatic default after it. */
  async runDeadlines(): Promise<void> {
    await this.ensureSettlements();
    const open = await this.db.getRepository(Settlement).find({ where: { status: 'awaiting_balance' }, take: 200 });
    const now = Date.now();
    for (const s of open) {
      if (now >= s.balanceDeadline.getTime()) {
        await this.declareDefault(null, s.lotId, { reason: '逾期未支付余款（自动）' }).catch((error: unknown) => this.logger.warn(`default of ${s.lotId}: ${String(error)}`));
        continue;
      }
      const due = dueReminders(now, s.balanceDeadline.getTime(), s.remindersSent.map(Number), this.rules);
      for (const before of due) {
        const id = await this.db.transaction(async (em) => {
          const updated = (await em.query(`UPDATE settlements SET reminders_sent = array_append(reminders_sent, $2::bigint) WHERE lot_id = $1 AND NOT ($2::bigint = ANY(reminders_sent)) AND status = 'awaiting_balance' RETURNING lot_id`, [s.lotId, before]));
          const rows = returnedRows<unknown>(updated);
          if (rows.length === 0) return null;
          return this.notifications.record(em, { userId: s.buyerUserId, kind: 'balance.reminder', title: `余款付款提醒：${s.lotTitle}`, body: `请于 ${shanghai(s.balanceDeadline)} 前支付余款 ${formatYuan(s.balanceDue)}，逾期视为悔拍，保证金不予退还。`, data: { lotId: s.lotId, deadline: s.balanceDeadline.toISOString() } });
        });
        if (id) await this.notifications.email(id);
      }
    }
  }

  async courtOf(lotId: string): Promise<string | null> {
    const rows = (await this.db.query('SELECT court_id FROM lots WHERE id = $1', [lotId])) as { court_id: string }[];
    return rows[0]?.court_id ?? null;
  }

  private async lock(em: EntityManager, lotId: string): Promise<Settlement> {
    const s = await em.getRepository(Settlement).createQueryBuilder('s').setLock('pessimistic_write').where('s.lot_id = :lotId', { lotId }).getOne();
    if (!s) throw new SettlementError('SETTLEMENT_NOT_FOUND');
    return s;
  }

  async ownLot(em: EntityManager, clerk: AuthUser, lotId: string): Promise<Lot> {
    const lot = await em.getRepository(Lot).createQueryBuilder('l').setLock('pessimistic_write').where('l.id = :id AND l.court_id = :court', { id: lotId, court: clerk.courtId }).getOne();
    if (!lot) throw new SettlementError('SETTLEMENT_NOT_FOUND');
    return lot;
  }

  /** OJA Art. 31: a finished sale set aside, with its ground; the money is returned to the buyer. */
  async setAside(clerk: AuthUser, lotId: string, ground: SetAsideGround, reason: string): Promise<SettlementView> {
    const refund = await this.db.transaction(async (em) => {
      const lot = await this.ownLot(em, clerk, lotId);
      const s = await this.lock(em, lotId);
      if (!['awaiting_balance', 'paid', 'ruled'].includes(s.status)) throw new SettlementError('SET_ASIDE_NOT_ALLOWED', { status: s.status });
      const now = await dbNow(em);
      const next = applyLotEvent(toLotState(lot), { type: 'setAside', ground, reason }, now.getTime(), this.rules);
      if (!next.ok) throw new SettlementError('SET_ASIDE_NOT_ALLOWED', { reason: next.code });
      applyLotState(lot, next.lot);
      await em.save(lot);
      const paidIntent = s.status === 'paid' || s.status === 'ruled' ? s.balancePaymentIntentId : null;
      s.status = 'set_aside';
      await em.save(s);
      await this.audit.append(em, { stream: `lot:${lotId}`, action: 'settlement.set_aside', actorId: clerk.id, data: { ground, reason, refundBalance: paidIntent !== null } }, true);
      return { paidIntent, enrolmentId: s.buyerEnrolmentId };
    });
    if (refund.paidIntent) await this.gateway.stripe.refunds.create({ payment_intent: refund.paidIntent, metadata: { kind: 'balance-refund', lotId } }, { idempotencyKey: `balance-refund:${lotId}` });
    await this.deposits.returnApplied(refund.enrolmentId);
    this.events.emit('lot.status', new LotStatusChanged(lotId, 'set_aside', null, reason));
    return this.view(await this.get(lotId));
  }
}
