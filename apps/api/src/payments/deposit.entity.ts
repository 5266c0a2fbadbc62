import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { fenTransformer } from '../common/money.transformer.js';

export const DEPOSIT_STATUSES = ['awaiting_payment', 'failed', 'secured', 'releasing', 'released', 'applying', 'applied', 'forfeiting', 'forfeited', 'waived'] as const;
export type DepositStatus = (typeof DEPOSIT_STATUSES)[number];

/**
 * A deposit (保证金) of one enrolment, paid through Stripe. `mode` says how it is held: a card hold
 * (`hold`, manual capture; holds expire after about 7 days) or a charge refunded later (`charge`).
 * Every money movement of it is a row of `deposit_movements` (the ledger).
 */
@Entity('deposits')
export class Deposit {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Index('deposits_enrolment_key', { unique: true }) @Column({ name: 'enrolment_id', type: 'uuid' }) enrolmentId!: string;
  @Index('deposits_lot_idx') @Column({ name: 'lot_id', type: 'uuid' }) lotId!: string;
  @Column({ type: 'bigint', transformer: fenTransformer }) amount!: number;
  @Column({ type: 'text', default: 'CNY' }) currency!: string;
  @Column({ type: 'text' }) mode!: 'hold' | 'charge' | 'none';
  @Column({ type: 'text' }) status!: DepositStatus;
  @Index('deposits_payment_intent_key', { unique: true }) @Column({ name: 'payment_intent_id', type: 'text', nullable: true }) paymentIntentId!: string | null;
  @Column({ name: 'client_secret', type: 'text', nullable: true }) clientSecret!: string | null;
  @Column({ type: 'integer', default: 0 }) attempt!: number;
  @Column({ name: 'payment_method', type: 'text', nullable: true }) paymentMethod!: string | null;
  /**
   * The bidder's Stripe customer, for holds only: the card is saved to it (`setup_future_usage`) so that hold
   * conversion may charge it again off-session. Kept on the deposit so a retried request sends the same parameters.
   */
  @Column({ name: 'stripe_customer_id', type: 'text', nullable: true }) stripeCustomerId!: string | null;
  @Column({ name: 'hold_expires_at', type: 'timestamptz', nullable: true }) holdExpiresAt!: Date | null;
  /** A hold replaced by a charge (converted before it expired); cancelled at Stripe, retried until done. */
  @Column({ name: 'replaced_intent_id', type: 'text', nullable: true }) replacedIntentId!: string | null;
  @Column({ name: 'last_error', type: 'text', nullable: true }) lastError!: string | null;
  @Column({ name: 'secured_at', type: 'timestamptz', nullable: true }) securedAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

export const MOVEMENT_KINDS = ['secure', 'release', 'apply', 'forfeit'] as const;
export type MovementKind = (typeof MOVEMENT_KINDS)[number];

/**
 * The deposit ledger: each movement is recorded as an intent (`pending`) with the Stripe idempotency key
 * derived from our ids (`deposit-release:<enrolmentId>`), then carried out, then `done` — confirmed by the
 * API response or the webhook, whichever comes first. The retry job finishes pending ones. The unique key
 * means a deposit can be released (applied, forfeited) at most once.
 */
@Entity('deposit_movements')
@Index('deposit_movements_pending_idx', ['status', 'createdAt'])
export class DepositMovement {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Index('deposit_movements_deposit_idx') @Column({ name: 'deposit_id', type: 'uuid' }) depositId!: string;
  @Index('deposit_movements_lot_idx') @Column({ name: 'lot_id', type: 'uuid' }) lotId!: string;
  @Column({ type: 'text' }) kind!: MovementKind;
  @Column({ type: 'bigint', transformer: fenTransformer }) amount!: number;
  @Index('deposit_movements_key', { unique: true }) @Column({ name: 'idempotency_key', type: 'text' }) idempotencyKey!: string;
  @Column({ type: 'text' }) status!: 'pending' | 'done' | 'failed';
  @Column({ name: 'stripe_ref', type: 'text', nullable: true }) stripeRef!: string | null;
  @Column({ type: 'integer', default: 0 }) attempts!: number;
  @Column({ name: 'last_error', type: 'text', nullable: true }) lastError!: string | null;
  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' }) nextAttemptAt!: Date;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'done_at', type: 'timestamptz', nullable: true }) doneAt!: Date | null;
}

/**
 * A bidder's Stripe customer (one per user, created when a deposit first needs it). Stripe lets a card be
 * charged again only through the customer it was saved to.
 */
@Entity('stripe_customers')
export class StripeCustomer {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' }) userId!: string;
  @Index('stripe_customers_customer_key', { unique: true }) @Column({ name: 'customer_id', type: 'text' }) customerId!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

/** Each Stripe webhook event id is processed once; duplicates are no-ops. */
@Entity('stripe_events')
export class StripeEvent {
  @Column({ type: 'text', primary: true }) id!: string;
  @Column({ type: 'text' }) type!: string;
  @Column({ name: 'object_id', type: 'text', nullable: true }) objectId!: string | null;
  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' }) receivedAt!: Date;
}
