import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { fenTransformer } from '../common/money.transformer.js';

export const ENROLMENT_STATUSES = ['pending_deposit', 'active', 'cancelled'] as const;
export type EnrolmentStatus = (typeof ENROLMENT_STATUSES)[number];

/**
 * An enrolment (报名) of a bidder in a lot. It becomes `active` — and gets its random bidder code
 * (竞买代码, OJA Art. 18) — only once the deposit is secured (or waived for the applicant creditor, Art. 17).
 * A confirmed priority purchaser (优先购买权人, Art. 19) carries its rank and a priority code.
 */
@Entity('enrolments')
@Index('enrolments_lot_user_key', ['lotId', 'userId'], { unique: true })
@Index('enrolments_lot_code_key', ['lotId', 'bidderCode'], { unique: true })
export class Enrolment {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'lot_id', type: 'uuid' }) lotId!: string;
  @Index('enrolments_user_idx') @Column({ name: 'user_id', type: 'uuid' }) userId!: string;
  @Column({ type: 'text' }) status!: EnrolmentStatus;
  @Column({ name: 'bidder_code', type: 'text', nullable: true }) bidderCode!: string | null;
  @Column({ name: 'priority_claim', type: 'text', nullable: true }) priorityClaim!: string | null;
  @Column({ name: 'priority_rank', type: 'integer', nullable: true }) priorityRank!: number | null;
  @Column({ name: 'applicant_creditor', type: 'boolean', default: false }) applicantCreditor!: boolean;
  /** The deposit this bidder owes: the lot's deposit, less the applicant creditor's claim (OJA Art. 17 ¶2). */
  @Column({ name: 'deposit_due', type: 'bigint', transformer: fenTransformer }) depositDue!: number;
  @Column({ name: 'activated_at', type: 'timestamptz', nullable: true }) activatedAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
