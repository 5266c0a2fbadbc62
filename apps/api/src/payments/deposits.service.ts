/**
 * Deposits (保证金) and their ledger. Every fen is held, released, applied or forfeited exactly once:
 *
 * 1. Intent: in a short transaction, the deposit moves to an in-between state and a `deposit_movements`
 *    row is written with a Stripe idempotency key derived from our ids (`deposit-release:<enrolmentId>`).
 * 2. Carry out: the Stripe call, outside any transaction or row lock, with that idempotency key.
 * 3. Confirm: from the API response or the webhook, whichever comes first (`reconcile`), the movement is
 *    `done` and the deposit reaches its final state. Both paths are idempotent.
 * A retry job (`retryDue`) claims pending movements with a lease and carries them out again, so a crash
 * or a Stripe error between 1 and 3 is finished later — once, thanks to the idempotency key.
 *
 * Ledger invariant (see `ledger`): per lot, secured = released + applied + forfeited + still held.
 *
 * A hold's card may have to be charged again without the bidder (hold conversion). Stripe allows that only
 * for a card saved to a customer, so a hold is made for the bidder's Stripe customer (`stripe_customers`,
 * created once per bidder) with `setup_future_usage: 'off_session'`, and the conversion names that customer.
 */
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import Stripe from 'stripe';
import type { DataSource, EntityManager } from 'typeorm';
import { depositStrategy, holdNeedsConversion, type RulesProfile } from '@fapai/domain';
import { AuditService } from '../audit/audit.service.js';
import { returnedRows } from '../common/db.js';
import { RULES } from '../config/env.js';
import { MetricsService } from '../observability/metrics.service.js';
import { Deposit, DepositMovement, StripeCustomer, type DepositStatus, type MovementKind } from './deposit.entity.js';
import { PaymentError } from './payments.errors.js';
import { StripeGateway } from './stripe.gateway.js';
import { PaymentIntentRouter } from './intent-router.js';

export interface DepositView {
  amount: number;
  currency: 'CNY';
  mode: Deposit['mode'];
  status: DepositStatus;
  paymentIntentId: string | null;
  clientSecret: string | null;
  lastError: string | null;
  history: { kind: MovementKind; amount: number; status: string; at: string; doneAt: string | null }[];
}

export interface LedgerLine {
  lotId: string;
  secured: number;
  released: number;
  applied: number;
  forfeited: number;
  stillHeld: number;
  balanced: boolean;
  doubleMovements: number;
}

/** Called inside the transaction that marks a deposit secured (the enrolment module activates the bidder). */
export type SecuredHandler = (em: EntityManager, deposit: Deposit) => Promise<void>;

/** Published after the transaction that secured a deposit commits. */
export class DepositSecured {
  static readonly topic = 'deposit.secured';
  constructor(
    readonly enrolmentId: string,
    readonly lotId: string,
  ) {}
}

const HOLD_LIFETIME_MS = 7 * 24 * 3600_000;
/**
 * Whoever carries out a movement holds it this long (`next_attempt_at`), so the retry job does not send
 * the same request beside a call still in flight: longer than the SDK's worst case (timeout 8 s, 2 retries
 * with backoff). A process that dies holding it leaves it to the retry job when it runs out.
 */
const CALL_LEASE_S = 30;
const IN_FLIGHT: DepositStatus[] = ['secured', 'releasing', 'applying', 'forfeiting'];

@Injectable()
export class DepositsService implements OnModuleInit {
  private readonly logger = new Logger('Deposits');
  private readonly securedHandlers: SecuredHandler[] = [];

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly gateway: StripeGateway,
    private readonly audit: AuditService,
    @Inject(RULES) private readonly rules: RulesProfile,
    private readonly router: PaymentIntentRouter,
    private readonly events: EventEmitter2,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    this.router.register('deposit', (intent) => this.reconcile(intent));
    this.router.register('deposit-conversion', (intent) => this.reconcile(intent));
  }

  onSecured(handler: SecuredHandler): void {
    this.securedHandlers.push(handler);
  }

  /** A deposit of 0 (the applicant creditor whose claim covers it, OJA Art. 17 ¶2): nothing to pay. */
  async waive(em: EntityManager, input: { enrolmentId: string; lotId: string }): Promise<Deposit> {
    const deposit = em.create(Deposit, { enrolmentId: input.enrolmentId, lotId: input.lotId, amount: 0, currency: 'CNY', mode: 'none', status: 'waived', attempt: 0 });
    return em.save(deposit);
  }

  /**
   * Starts or retries the deposit of an enrolment. With a test payment method the PaymentIntent is confirmed
   * server-side at once; without one the caller gets the client secret for Stripe.js. `bidderId` is the
   * enrolled user: a hold is made for their Stripe customer.
   */
  async start(input: { enrolmentId: string; lotId: string; bidderId: string; amount: number; lotEndsAt: Date; paymentMethod?: string }): Promise<Deposit> {
    const now = Date.now();
    const mode = depositStrategy({ now, lotEndsAt: input.lotEndsAt.getTime(), releaseWindowMs: this.rules.auction.depositReleaseMs, holdLifetimeMs: HOLD_LIFETIME_MS });
    // Before anything is recorded: if Stripe cannot be reached, nothing has moved and the bidder simply retries.
    const customer = mode === 'hold' ? await this.customerFor(input.bidderId) : null;
    const { deposit, key, reuse } = await this.db.transaction(async (em) => {
      let d = await em.getRepository(Deposit).createQueryBuilder('d').setLock('pessimistic_write').where('d.enrolment_id = :id', { id: input.enrolmentId }).getOne();
      if (d && d.status !== 'failed' && d.status !== 'awaiting_payment') return { deposit: d, key: '', reuse: true };
      // An awaiting deposit without a new payment method is returned as is (its client secret still works).
      if (d && d.status === 'awaiting_payment' && !input.paymentMethod && d.clientSecret) return { deposit: d, key: '', reuse: true };
      if (!d) d = em.create(Deposit, { enrolmentId: input.enrolmentId, lotId: input.lotId, amount: input.amount, currency: 'CNY', attempt: 0 });
      d.mode = mode;
      d.status = 'awaiting_payment';
      d.attempt += 1;
      d.paymentMethod = input.paymentMethod ?? null;
      d.stripeCustomerId = customer;
      d.paymentIntentId = null;
      d.clientSecret = null;
      d.lastError = null;
      d = await em.save(d);
      const k = `deposit-secure:${d.enrolmentId}:${d.attempt}`;
      // Held by this request for its Stripe call (below); the retry job takes over only if that fails or dies.
      // The lease is on the database clock, as the retry job reads it (an instance's clock may be off).
      await em
        .createQueryBuilder()
        .insert()
        .into(DepositMovement)
        .values({ depositId: d.id, lotId: d.lotId, kind: 'secure', amount: d.amount, idempotencyKey: k, status: 'pending', attempts: 0, nextAttemptAt: () => `now() + make_interval(secs => ${CALL_LEASE_S})` })
        .execute();
      return { deposit: d, key: k, reuse: false };
    });
    if (reuse) return deposit;
    return this.createPaymentIntent(deposit, key);
  }

  /**
   * The bidder's Stripe customer, created on first need. The idempotency key is the user's, so two enrolments
   * racing make one customer at Stripe (and one row here); the parameters never change (no e-mail, which could),
   * so a repeated request always matches the first.
   */
  private async customerFor(userId: string): Promise<string> {
    const repo = this.db.getRepository(StripeCustomer);
    const known = await repo.findOneBy({ userId });
    if (known) return known.customerId;
    let customer: Stripe.Customer;
    try {
      customer = await this.gateway.stripe.customers.create({ description: `fapai bidder ${userId}`, metadata: { kind: 'bidder', userId } }, { idempotencyKey: `bidder-customer:${userId}` });
    } catch (error) {
      this.logger.warn(`could not create the Stripe customer of bidder ${userId}: ${String(error)}`);
      throw new PaymentError('PAYMENT_PROVIDER_UNAVAILABLE', { retry: 'nothing was charged; please retry' });
    }
    await this.db.query(`INSERT INTO stripe_customers (user_id, customer_id) VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING`, [userId, customer.id]);
    return (await repo.findOneByOrFail({ userId })).customerId;
  }

  private paymentIntentParams(deposit: Deposit): Stripe.PaymentIntentCreateParams {
    return {
      amount: deposit.amount,
      currency: 'cny',
      capture_method: deposit.mode === 'hold' ? 'manual' : 'automatic',
      allowed_payment_method_types: ['card'],
      description: `fapai deposit ${deposit.enrolmentId}`,
      metadata: { kind: 'deposit', enrolmentId: deposit.enrolmentId, lotId: deposit.lotId, depositId: deposit.id, attempt: String(deposit.attempt) },
      // A hold may be converted into a charge later, off-session: the card is saved to the bidder's customer.
      ...(deposit.mode === 'hold' && deposit.stripeCustomerId ? { customer: deposit.stripeCustomerId, setup_future_usage: 'off_session' as const } : {}),
      ...(deposit.paymentMethod ? { payment_method: deposit.paymentMethod, confirm: true } : {}),
    };
  }

  private async createPaymentIntent(deposit: Deposit, key: string): Promise<Deposit> {
    let intent: Stripe.PaymentIntent;
    try {
      intent = await this.gateway.stripe.paymentIntents.create(this.paymentIntentParams(deposit), { idempotencyKey: key });
    } catch (error) {
      if (error instanceof Stripe.errors.StripeCardError) {
        const pi = (error.raw as { payment_intent?: Stripe.PaymentIntent }).payment_intent;
        await this.markFailed(deposit.id, key, pi?.id ?? null, `${error.code ?? 'card_error'}${error.decline_code ? `/${error.decline_code}` : ''}`);
        throw new PaymentError('DEPOSIT_DECLINED', { code: error.code, declineCode: error.decline_code, message: error.message });
      }
      await this.noteError(key, error);
      throw new PaymentError('PAYMENT_PROVIDER_UNAVAILABLE', { retry: 'the deposit will be completed automatically if the payment went through' });
    }
    await this.reconcile(intent);
    const fresh = await this.db.getRepository(Deposit).findOneByOrFail({ id: deposit.id });
    if (intent.status === 'requires_action') throw new PaymentError('DEPOSIT_NEEDS_ACTION', { clientSecret: intent.client_secret, paymentIntentId: intent.id });
    return fresh;
  }

  private async markFailed(depositId: string, key: string, paymentIntentId: string | null, reason: string): Promise<void> {
    await this.db.transaction(async (em) => {
      await em.query(`UPDATE deposits SET status = 'failed', last_error = $2, payment_intent_id = coalesce($3, payment_intent_id), updated_at = now() WHERE id = $1 AND status = 'awaiting_payment'`, [depositId, reason, paymentIntentId]);
      await em.query(`UPDATE deposit_movements SET status = 'failed', last_error = $2, done_at = now() WHERE idempotency_key = $1 AND status = 'pending'`, [key, reason]);
    });
  }

  private async noteError(key: string, error: unknown): Promise<void> {
    const text = error instanceof Error ? error.message : String(error);
    const message = (answeredServerError(error) ? `${ANSWERED_5XX}${text}` : text).slice(0, 300);
    await this.db.query(
      `UPDATE deposit_movements SET attempts = attempts + 1, last_error = $2, next_attempt_at = now() + make_interval(secs => least(60, 2 ^ least(attempts, 6))) WHERE idempotency_key = $1 AND status = 'pending'`,
      [key, message],
    );
  }

  /**
   * Brings our records in line with a PaymentIntent as Stripe reports it now (from an API response or
   * a webhook). Idempotent and order-independent: it only moves deposits forward.
   */
  async reconcile(intent: Stripe.PaymentIntent): Promise<void> {
    const kind = intent.metadata?.['kind'];
    if (kind !== 'deposit' && kind !== 'deposit-conversion') return;
    const enrolmentId = intent.metadata['enrolmentId'];
    let secured: Deposit | null = null;
    let stray: Stripe.PaymentIntent | null = null;
    await this.db.transaction(async (em) => {
      const deposit = await em.getRepository(Deposit).createQueryBuilder('d').setLock('pessimistic_write').where('d.enrolment_id = :id', { id: enrolmentId }).getOne();
      if (!deposit) return;
      // A PaymentIntent of another attempt (a late webhook, or one whose answer was lost) says nothing about
      // the current one; if it took money anyway, that money goes back (below, after the transaction).
      if (kind === 'deposit' && intent.metadata['attempt'] !== String(deposit.attempt)) {
        stray = intent.status === 'requires_capture' || intent.status === 'succeeded' ? intent : null;
        return;
      }
      if (deposit.paymentIntentId && deposit.paymentIntentId !== intent.id) return;
      if (!deposit.paymentIntentId && deposit.status === 'awaiting_payment') {
        deposit.paymentIntentId = intent.id;
        deposit.clientSecret = intent.client_secret ?? null;
      }
      const stripeRef = intent.id;
      switch (deposit.status) {
        case 'awaiting_payment':
        case 'failed':
          if (intent.status === 'requires_capture' || intent.status === 'succeeded') {
            deposit.status = 'secured';
            deposit.securedAt = new Date();
            deposit.lastError = null;
            deposit.paymentIntentId = intent.id;
            // The card as Stripe knows it (a test token such as pm_card_visa becomes a PaymentMethod of its own;
            // paid in the browser, the card is known only now): hold conversion charges that one again.
            deposit.paymentMethod = (typeof intent.payment_method === 'string' ? intent.payment_method : intent.payment_method?.id) ?? deposit.paymentMethod;
            if (deposit.mode === 'hold') deposit.holdExpiresAt = new Date(Date.now() + HOLD_LIFETIME_MS);
            await em.save(deposit);
            await this.finishMovement(em, deposit, 'secure', stripeRef, `deposit-secure:${deposit.enrolmentId}:${deposit.attempt}`);
            await this.audit.append(em, { stream: `deposit:${deposit.id}`, action: 'deposit.secured', data: { lotId: deposit.lotId, amount: deposit.amount, mode: deposit.mode, paymentIntentId: intent.id } });
            for (const handler of this.securedHandlers) await handler(em, deposit);
            secured = deposit;
          } else if (intent.status === 'requires_payment_method' && intent.last_payment_error) {
            deposit.status = 'failed';
            deposit.lastError = intent.last_payment_error.code ?? 'payment_failed';
            await em.save(deposit);
          } else if (intent.status === 'canceled') {
            deposit.status = 'failed';
            deposit.lastError = 'canceled';
            await em.save(deposit);
          } else {
            await em.save(deposit);
          }
          return;
        case 'secured':
          // A hold that Stripe cancelled by itself (expiry) has gone back to the bidder: record it as released.
          if (intent.status === 'canceled') {
            await this.recordMovement(em, deposit, 'release');
            deposit.status = 'released';
            deposit.lastError = `hold ${intent.cancellation_reason ?? 'canceled'} by the payment provider`;
            await em.save(deposit);
            await this.finishMovement(em, deposit, 'release', stripeRef);
          }
          return;
        case 'releasing':
          if (intent.status === 'canceled' || refundedInFull(intent, deposit.amount)) {
            deposit.status = 'released';
            await em.save(deposit);
            await this.finishMovement(em, deposit, 'release', stripeRef);
          }
          return;
        case 'applying':
        case 'forfeiting':
          if (intent.status === 'succeeded') {
            const kind = deposit.status === 'applying' ? 'apply' : 'forfeit';
            deposit.status = kind === 'apply' ? 'applied' : 'forfeited';
            await em.save(deposit);
            await this.finishMovement(em, deposit, kind, stripeRef);
          }
          return;
        case 'released':
        case 'applied':
        case 'forfeited':
        case 'waived':
          return;
      }
    });
    if (secured) this.events.emit(DepositSecured.topic, new DepositSecured((secured as Deposit).enrolmentId, (secured as Deposit).lotId));
    if (stray) await this.returnStray(stray as Stripe.PaymentIntent);
  }

  /** Money taken by a superseded attempt is returned: the hold cancelled, or the charge refunded. */
  private async returnStray(intent: Stripe.PaymentIntent): Promise<void> {
    const key = `deposit-stray:${intent.id}`;
    try {
      if (intent.status === 'requires_capture') await this.gateway.stripe.paymentIntents.cancel(intent.id, {}, { idempotencyKey: key });
      else await this.gateway.stripe.refunds.create({ payment_intent: intent.id, metadata: { kind: 'deposit-stray' } }, { idempotencyKey: key });
      this.logger.warn(`returned the money of superseded deposit attempt ${intent.id}`);
    } catch (error) {
      this.logger.warn(`could not return superseded attempt ${intent.id} yet (its webhook will retry): ${String(error)}`);
    }
  }

  private async finishMovement(em: EntityManager, deposit: Deposit, kind: MovementKind, stripeRef: string, key = movementKey(kind, deposit.enrolmentId)): Promise<void> {
    const rows = (await em.query(`UPDATE deposit_movements SET status = 'done', stripe_ref = $2, done_at = now(), last_error = NULL WHERE idempotency_key = $1 AND status = 'pending' RETURNING id`, [key, stripeRef]));
    const updated = returnedRows<unknown>(rows).length;
    if (updated > 0 && kind === 'release') {
      const lag = (await em.query(`SELECT extract(epoch FROM now() - closed_at)::float AS s FROM lots WHERE id = $1 AND closed_at IS NOT NULL`, [deposit.lotId])) as { s: number }[];
      if (lag[0]) this.metrics.releaseLag.observe(Math.max(0, lag[0].s));
    }
    if (updated > 0 && kind !== 'secure') {
      await this.audit.append(em, { stream: `deposit:${deposit.id}`, action: `deposit.${kind === 'apply' ? 'applied' : kind === 'forfeit' ? 'forfeited' : 'released'}`, data: { lotId: deposit.lotId, amount: deposit.amount, stripeRef } });
    }
  }

  private async recordMovement(em: EntityManager, deposit: Deposit, kind: MovementKind): Promise<void> {
    await em.query(
      `INSERT INTO deposit_movements (deposit_id, lot_id, kind, amount, idempotency_key, status) VALUES ($1, $2, $3, $4, $5, 'pending') ON CONFLICT (idempotency_key) DO NOTHING`,
      [deposit.id, deposit.lotId, kind, deposit.amount, movementKey(kind, deposit.enrolmentId)],
    );
  }

  /**
   * After a close (OJA Art. 23): release every secured deposit of the lot except the winner's, which is
   * applied to the price (Art. 25). Records the intents, then carries them out.
   */
  async settleAfterClose(lotId: string, winnerEnrolmentId: string | null): Promise<void> {
    const ids = await this.db.transaction(async (em) => {
      const deposits = await em.getRepository(Deposit).createQueryBuilder('d').setLock('pessimistic_write').where(`d.lot_id = :lotId AND d.status = 'secured'`, { lotId }).getMany();
      for (const d of deposits) {
        const kind: MovementKind = d.enrolmentId === winnerEnrolmentId ? 'apply' : 'release';
        d.status = kind === 'apply' ? 'applying' : 'releasing';
        await em.save(d);
        await this.recordMovement(em, d, kind);
      }
      // Unpaid attempts are abandoned: nothing was taken, and the bidder can no longer qualify.
      await em.query(`UPDATE deposits SET status = 'failed', last_error = coalesce(last_error, 'lot closed before payment') WHERE lot_id = $1 AND status = 'awaiting_payment'`, [lotId]);
      return deposits.map((d) => d.id);
    });
    await this.carryOutFor(ids);
  }

  /** Release every secured deposit of a lot (withdrawal, set aside before payment). */
  async releaseAll(lotId: string): Promise<void> {
    return this.settleAfterClose(lotId, null);
  }

  /** Forfeit the defaulting buyer's deposit (OJA Art. 24). */
  async forfeit(enrolmentId: string): Promise<void> {
    const id = await this.db.transaction(async (em) => {
      const d = await em.getRepository(Deposit).createQueryBuilder('d').setLock('pessimistic_write').where('d.enrolment_id = :id', { id: enrolmentId }).getOne();
      if (!d || !['secured', 'applying', 'applied'].includes(d.status)) return null;
      d.status = d.status === 'applied' ? 'forfeited' : 'forfeiting';
      await em.save(d);
      await this.recordMovement(em, d, 'forfeit');
      if (d.status === 'forfeited') await this.finishMovement(em, d, 'forfeit', 'ledger-reclassification');
      return d.id;
    });
    if (id) await this.carryOutFor([id]);
  }

  /**
   * Card holds expire after about 7 days while a lot can run longer (extensions, a resumed pause): a hold
   * that would no longer outlive the lot's release is converted, while the lot still runs, into a charge
   * with the same payment method (refunded later like any charged deposit); then the hold is cancelled.
   * The amount stays secured throughout, so the ledger does not move.
   */
  async convertHolds(): Promise<number> {
    const rows = (await this.db.query(
      `SELECT d.enrolment_id, d.hold_expires_at, l.ends_at, l.status, l.paused_remaining_ms FROM deposits d JOIN lots l ON l.id = d.lot_id
       WHERE d.status = 'secured' AND d.mode = 'hold' AND l.status IN ('announced', 'live', 'suspended', 'postponed') LIMIT 100`,
    )) as { enrolment_id: string; hold_expires_at: Date | null; ends_at: Date; status: string; paused_remaining_ms: string | null }[];
    let converted = 0;
    for (const r of rows) {
      // A paused lot's end is unknown until it resumes: assume it resumes now with the time it had left.
      const endsAt = r.paused_remaining_ms !== null ? Date.now() + Number(r.paused_remaining_ms) : r.ends_at.getTime();
      if (!r.hold_expires_at || !holdNeedsConversion({ holdExpiresAt: r.hold_expires_at.getTime(), lotEndsAt: endsAt, releaseWindowMs: this.rules.auction.depositReleaseMs })) continue;
      if (await this.convertHold(r.enrolment_id).catch((error: unknown) => this.logger.warn(`hold conversion of ${r.enrolment_id} failed, will retry: ${String(error)}`))) converted++;
    }
    // Cancel replaced holds whose cancellation did not go through yet.
    const stale = (await this.db.query(`SELECT enrolment_id, replaced_intent_id FROM deposits WHERE replaced_intent_id IS NOT NULL LIMIT 100`)) as { enrolment_id: string; replaced_intent_id: string }[];
    for (const s of stale) await this.cancelReplacedHold(s.enrolment_id, s.replaced_intent_id).catch(() => undefined);
    return converted;
  }

  private async convertHold(enrolmentId: string): Promise<boolean> {
    const d = await this.db.getRepository(Deposit).findOneByOrFail({ enrolmentId });
    if (d.status !== 'secured' || d.mode !== 'hold' || !d.paymentIntentId || !d.paymentMethod) return false;
    const charge = await this.gateway.stripe.paymentIntents.create(
      {
        amount: d.amount,
        currency: 'cny',
        capture_method: 'automatic',
        allowed_payment_method_types: ['card'],
        payment_method: d.paymentMethod,
        // The customer the hold saved the card to: without it Stripe refuses the card (used once already).
        ...(d.stripeCustomerId ? { customer: d.stripeCustomerId } : {}),
        confirm: true,
        off_session: true,
        description: `fapai deposit ${enrolmentId} (hold converted)`,
        metadata: { kind: 'deposit-conversion', enrolmentId, lotId: d.lotId, replaces: d.paymentIntentId },
      },
      { idempotencyKey: `deposit-convert:${enrolmentId}:${d.paymentIntentId}` },
    );
    if (charge.status !== 'succeeded') return false;
    const old = await this.db.transaction(async (em) => {
      const locked = await em.getRepository(Deposit).createQueryBuilder('d').setLock('pessimistic_write').where('d.enrolment_id = :id', { id: enrolmentId }).getOneOrFail();
      if (locked.status !== 'secured' || locked.mode !== 'hold') return null;
      const replaced = locked.paymentIntentId;
      locked.mode = 'charge';
      locked.paymentIntentId = charge.id;
      locked.replacedIntentId = replaced;
      locked.holdExpiresAt = null;
      await em.save(locked);
      await this.audit.append(em, { stream: `deposit:${locked.id}`, action: 'deposit.hold_converted', data: { from: replaced, to: charge.id, amount: locked.amount } });
      return replaced;
    });
    if (old) await this.cancelReplacedHold(enrolmentId, old);
    return old !== null;
  }

  private async cancelReplacedHold(enrolmentId: string, intentId: string): Promise<void> {
    await this.gateway.stripe.paymentIntents.cancel(intentId, {}, { idempotencyKey: `deposit-convert-cancel:${enrolmentId}:${intentId}` }).catch((error: unknown) => {
      if (!(error instanceof Stripe.errors.StripeInvalidRequestError && error.code === 'payment_intent_unexpected_state')) throw error;
    });
    await this.db.query('UPDATE deposits SET replaced_intent_id = NULL WHERE enrolment_id = $1 AND replaced_intent_id = $2', [enrolmentId, intentId]);
  }

  /** A sale set aside (OJA Art. 31): the deposit that was applied to the price goes back to the buyer. */
  async returnApplied(enrolmentId: string): Promise<void> {
    const id = await this.db.transaction(async (em) => {
      const d = await em.getRepository(Deposit).createQueryBuilder('d').setLock('pessimistic_write').where('d.enrolment_id = :id', { id: enrolmentId }).getOne();
      if (!d || !['applied', 'applying', 'secured'].includes(d.status)) return null;
      d.status = 'releasing';
      await em.save(d);
      await this.recordMovement(em, d, 'release');
      return d.id;
    });
    if (id) await this.carryOutFor([id]);
  }

  private async carryOutFor(depositIds: string[]): Promise<void> {
    if (depositIds.length === 0) return;
    // Claimed like the retry job claims (a lease), so the two never carry out one movement side by side.
    const claimed = await this.db.query(
      `UPDATE deposit_movements SET next_attempt_at = now() + make_interval(secs => $2) WHERE deposit_id = ANY($1) AND status = 'pending' AND kind <> 'secure' AND next_attempt_at <= now() RETURNING id`,
      [depositIds, CALL_LEASE_S],
    );
    const movements = returnedRows<{ id: string }>(claimed);
    await Promise.all(movements.map((m) => this.carryOut(m.id).catch((error: unknown) => this.logger.warn(`movement ${m.id} left for retry: ${String(error)}`))));
  }

  /** Carries out one pending movement at Stripe with its idempotency key, then confirms it. */
  async carryOut(movementId: string): Promise<void> {
    const rows = (await this.db.query(
      `SELECT m.id, m.kind, m.amount, m.idempotency_key, m.status, m.attempts, m.last_error, d.mode, d.payment_intent_id, d.enrolment_id FROM deposit_movements m JOIN deposits d ON d.id = m.deposit_id WHERE m.id = $1`,
      [movementId],
    )) as { id: string; kind: MovementKind; amount: string; idempotency_key: string; status: string; attempts: number; last_error: string | null; mode: Deposit['mode']; payment_intent_id: string | null; enrolment_id: string }[];
    const m = rows[0];
    if (!m || m.status !== 'pending') return;
    const stripe = this.gateway.stripe;
    const amount = Number(m.amount);
    // Stripe keeps an answered 500 for its idempotency key: re-sending the same key would get the same 500
    // for ever. An answered request is no longer in flight, and whether it took effect is checked below
    // (the intent is looked up, or the repeated operation is refused as already done), so the next attempt
    // goes out under a key of its own. A timeout or a cut connection keeps the key: that request may still
    // be running at Stripe, and only the same key keeps a second one from running beside it.
    const key = m.last_error?.startsWith(ANSWERED_5XX) ? `${m.idempotency_key}:after-5xx-${m.attempts}` : m.idempotency_key;
    const retrieveIfRefunded = (error: unknown) => {
      if (error instanceof Stripe.errors.StripeInvalidRequestError && error.code === 'charge_already_refunded') return null;
      throw error;
    };
    try {
      if (m.kind === 'secure') {
        const deposit = await this.db.getRepository(Deposit).findOneByOrFail({ enrolmentId: m.enrolment_id });
        if (m.idempotency_key !== `deposit-secure:${deposit.enrolmentId}:${deposit.attempt}`) {
          // A later attempt replaced this one: its request can never be re-sent (other parameters).
          await this.db.query(`UPDATE deposit_movements SET status = 'failed', last_error = 'superseded by a later attempt', done_at = now() WHERE id = $1 AND status = 'pending'`, [m.id]);
          return;
        }
        // The answer was lost: Stripe may hold the PaymentIntent already (and keeps a 500 for the key), so
        // look for it first and re-send only if it is not there.
        const found = await this.findAttemptIntent(deposit);
        const intent = found ?? (await stripe.paymentIntents.create(this.paymentIntentParams(deposit), { idempotencyKey: key }));
        await this.reconcile(intent);
        return;
      }
      if (!m.payment_intent_id || m.mode === 'none') {
        await this.db.transaction(async (em) => {
          const d = await em.getRepository(Deposit).findOneByOrFail({ enrolmentId: m.enrolment_id });
          d.status = m.kind === 'release' ? 'released' : m.kind === 'apply' ? 'applied' : 'forfeited';
          await em.save(d);
          await this.finishMovement(em, d, m.kind, 'no-payment');
        });
        return;
      }
      let intent: Stripe.PaymentIntent;
      if (m.kind === 'release' && m.mode === 'hold') {
        intent = await stripe.paymentIntents.cancel(m.payment_intent_id, {}, { idempotencyKey: key }).catch(async (error: unknown) => {
          // Already cancelled (the hold expired) or already captured (an applied deposit returned after a
          // sale was set aside): the truth is what Stripe holds now.
          if (error instanceof Stripe.errors.StripeInvalidRequestError && error.code === 'payment_intent_unexpected_state') return stripe.paymentIntents.retrieve(m.payment_intent_id!);
          throw error;
        });
        if (intent.status === 'succeeded') {
          await stripe.refunds.create({ payment_intent: m.payment_intent_id, amount, metadata: { kind: 'deposit-release', enrolmentId: m.enrolment_id } }, { idempotencyKey: `${key}:refund` }).catch(retrieveIfRefunded);
          intent = await stripe.paymentIntents.retrieve(m.payment_intent_id, { expand: ['latest_charge'] });
        }
      } else if (m.kind === 'release') {
        await stripe.refunds.create({ payment_intent: m.payment_intent_id, amount, metadata: { kind: 'deposit-release', enrolmentId: m.enrolment_id } }, { idempotencyKey: key }).catch(retrieveIfRefunded);
        intent = await stripe.paymentIntents.retrieve(m.payment_intent_id, { expand: ['latest_charge'] });
      } else if (m.mode === 'hold') {
        intent = await stripe.paymentIntents.capture(m.payment_intent_id, { amount_to_capture: amount }, { idempotencyKey: key }).catch(async (error: unknown) => {
          if (error instanceof Stripe.errors.StripeInvalidRequestError && error.code === 'payment_intent_unexpected_state') return stripe.paymentIntents.retrieve(m.payment_intent_id!);
          throw error;
        });
      } else {
        // A charged deposit is already on the platform's account: applying or forfeiting moves no money at Stripe.
        intent = await stripe.paymentIntents.retrieve(m.payment_intent_id);
      }
      await this.reconcile(intent);
    } catch (error) {
      await this.noteError(m.idempotency_key, error);
      throw error;
    }
  }

  /** The PaymentIntent of a deposit's current attempt, looked up among recent ones by its metadata. */
  private async findAttemptIntent(deposit: Deposit): Promise<Stripe.PaymentIntent | null> {
    const since = Math.floor(deposit.updatedAt.getTime() / 1000) - 300;
    for await (const pi of this.gateway.stripe.paymentIntents.list({ created: { gte: since }, limit: 100 })) {
      if (pi.metadata?.['kind'] === 'deposit' && pi.metadata['enrolmentId'] === deposit.enrolmentId && pi.metadata['attempt'] === String(deposit.attempt)) return pi;
      if (pi.created < since) break;
    }
    return null;
  }

  /**
   * The retry job: claims due pending movements with a lease (so several instances never work on the
   * same one at once, and no row lock is held during the Stripe call), then carries them out.
   */
  async retryDue(limit = 20, olderThanMs = 5000): Promise<number> {
    const claimed = (await this.db.query(
      `UPDATE deposit_movements SET next_attempt_at = now() + make_interval(secs => $3)
       WHERE id IN (SELECT id FROM deposit_movements WHERE status = 'pending' AND next_attempt_at <= now() AND created_at <= now() - make_interval(secs => $2::double precision / 1000)
                    ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING id`,
      [limit, olderThanMs, CALL_LEASE_S],
    ));
    const list = returnedRows<{ id: string }>(claimed);
    for (const { id } of list) await this.carryOut(id).catch(() => undefined);
    return list.length;
  }

  async view(enrolmentId: string): Promise<DepositView | null> {
    const d = await this.db.getRepository(Deposit).findOneBy({ enrolmentId });
    if (!d) return null;
    const moves = await this.db.getRepository(DepositMovement).find({ where: { depositId: d.id }, order: { createdAt: 'ASC' } });
    return {
      amount: d.amount,
      currency: 'CNY',
      mode: d.mode,
      status: d.status,
      paymentIntentId: d.paymentIntentId,
      clientSecret: d.status === 'awaiting_payment' ? d.clientSecret : null,
      lastError: d.lastError,
      history: moves.map((m) => ({ kind: m.kind, amount: m.amount, status: m.status, at: m.createdAt.toISOString(), doneAt: m.doneAt?.toISOString() ?? null })),
    };
  }

  /** The ledger per lot; `balanced` is the invariant, `doubleMovements` counts deposits released (applied, forfeited) twice. */
  async ledger(lotId?: string): Promise<LedgerLine[]> {
    const rows = (await this.db.query(
      `WITH m AS (
         SELECT mv.lot_id,
                coalesce(sum(mv.amount) FILTER (WHERE mv.kind = 'secure' AND mv.status = 'done'), 0) AS secured,
                coalesce(sum(mv.amount) FILTER (WHERE mv.kind = 'release' AND mv.status = 'done'), 0) AS released,
                -- an applied deposit may later be forfeited (default) or returned (sale set aside): it counts once, by where it ended
                coalesce(sum(mv.amount) FILTER (WHERE mv.kind = 'apply' AND mv.status = 'done' AND d.status = 'applied'), 0) AS applied,
                coalesce(sum(mv.amount) FILTER (WHERE mv.kind = 'forfeit' AND mv.status = 'done'), 0) AS forfeited
         FROM deposit_movements mv JOIN deposits d ON d.id = mv.deposit_id GROUP BY mv.lot_id),
       h AS (SELECT lot_id, coalesce(sum(amount), 0) AS held FROM deposits WHERE status = ANY($2) GROUP BY lot_id),
       dbl AS (SELECT lot_id, count(*) AS n FROM (SELECT lot_id, deposit_id FROM deposit_movements WHERE status = 'done' AND kind IN ('release', 'apply', 'forfeit') GROUP BY lot_id, deposit_id HAVING count(*) FILTER (WHERE kind = 'release') > 1 OR count(*) FILTER (WHERE kind = 'apply') > 1 OR count(*) FILTER (WHERE kind = 'forfeit') > 1) x GROUP BY lot_id)
       SELECT m.lot_id, m.secured, m.released, m.applied, m.forfeited, coalesce(h.held, 0) AS held, coalesce(dbl.n, 0) AS dbl
       FROM m LEFT JOIN h ON h.lot_id = m.lot_id LEFT JOIN dbl ON dbl.lot_id = m.lot_id
       WHERE $1::uuid IS NULL OR m.lot_id = $1::uuid`,
      [lotId ?? null, IN_FLIGHT],
    )) as { lot_id: string; secured: string; released: string; applied: string; forfeited: string; held: string; dbl: string }[];
    return rows.map((r) => {
      const [secured, released, applied, forfeited, stillHeld] = [r.secured, r.released, r.applied, r.forfeited, r.held].map(Number);
      const out = released + applied + forfeited;
      return { lotId: r.lot_id, secured, released, applied, forfeited, stillHeld, balanced: secured === out + stillHeld, doubleMovements: Number(r.dbl) };
    });
  }
}

/** Marks a movement's last error as a 5xx that Stripe answered (and keeps for the key), not a lost answer. */
const ANSWERED_5XX = 'answered 5xx: ';

function answeredServerError(error: unknown): boolean {
  return error instanceof Stripe.errors.StripeError && !(error instanceof Stripe.errors.StripeConnectionError) && (error.statusCode ?? 0) >= 500;
}

function movementKey(kind: MovementKind, enrolmentId: string): string {
  return `deposit-${kind}:${enrolmentId}`;
}

function refundedInFull(intent: Stripe.PaymentIntent, amount: number): boolean {
  const charge = intent.latest_charge;
  return typeof charge === 'object' && charge !== null && charge.amount_refunded >= amount;
}
