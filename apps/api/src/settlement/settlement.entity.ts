import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { ForfeitAllocationLine } from '@fapai/domain';
import { fenTransformer } from '../common/money.transformer.js';

export const SETTLEMENT_STATUSES = ['awaiting_balance', 'paid', 'ruled', 'defaulted', 'set_aside'] as const;
export type SettlementStatus = (typeof SETTLEMENT_STATUSES)[number];

/**
 * The settlement (成交后处理) of a sold lot: the confirmation (成交确认书, OJA Art. 22) with the buyer's real
 * identity — published, and the only place the identity appears — the balance (尾款) and its deadline, the
 * sale ruling (成交裁定), or the default (悔拍) with the statutory use of the forfeited deposit (Art. 24).
 */
@Entity('settlements')
@Index('settlements_status_deadline_idx', ['status', 'balanceDeadline'])
export class Settlement {
  @PrimaryColumn({ name: 'lot_id', type: 'uuid' }) lotId!: string;
  @Column({ name: 'buyer_enrolment_id', type: 'uuid' }) buyerEnrolmentId!: string;
  @Column({ name: 'buyer_user_id', type: 'uuid' }) buyerUserId!: string;
  @Column({ name: 'buyer_name', type: 'text' }) buyerName!: string;
  @Column({ name: 'bidder_code', type: 'text' }) bidderCode!: string;
  @Column({ type: 'bigint', transformer: fenTransformer }) price!: number;
  @Column({ name: 'deposit_applied', type: 'bigint', transformer: fenTransformer }) depositApplied!: number;
  @Column({ name: 'balance_due', type: 'bigint', transformer: fenTransformer }) balanceDue!: number;
  @Column({ name: 'balance_deadline', type: 'timestamptz' }) balanceDeadline!: Date;
  @Column({ type: 'text' }) status!: SettlementStatus;
  @Column({ name: 'case_number', type: 'text' }) caseNumber!: string;
  @Column({ name: 'court_name', type: 'text' }) courtName!: string;
  @Column({ name: 'lot_title', type: 'text' }) lotTitle!: string;
  @Column({ name: 'sold_at', type: 'timestamptz' }) soldAt!: Date;
  @Column({ name: 'confirmation_no', type: 'text' }) confirmationNo!: string;
  @Column({ name: 'balance_attempt', type: 'integer', default: 0 }) balanceAttempt!: number;
  /** While awaiting the balance: the open PaymentIntent of the current attempt (browser confirmation or 3-D Secure); once paid: the one that paid. */
  @Column({ name: 'balance_payment_intent_id', type: 'text', nullable: true }) balancePaymentIntentId!: string | null;
  /** The client secret of that open PaymentIntent, for Stripe.js; shown to the buyer only. */
  @Column({ name: 'balance_client_secret', type: 'text', nullable: true }) balanceClientSecret!: string | null;
  @Column({ name: 'paid_at', type: 'timestamptz', nullable: true }) paidAt!: Date | null;
  @Column({ name: 'ruling_date', type: 'date', nullable: true }) rulingDate!: string | null;
  @Column({ name: 'ruled_at', type: 'timestamptz', nullable: true }) ruledAt!: Date | null;
  @Column({ name: 'defaulted_at', type: 'timestamptz', nullable: true }) defaultedAt!: Date | null;
  @Column({ name: 'default_reason', type: 'text', nullable: true }) defaultReason!: string | null;
  @Column({ name: 'forfeit_allocation', type: 'jsonb', nullable: true }) forfeitAllocation!: ForfeitAllocationLine[] | null;
  @Column({ name: 'reminders_sent', type: 'bigint', array: true, default: () => "'{}'" }) remindersSent!: string[];
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
