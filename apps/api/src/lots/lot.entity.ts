import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { DisclosureField, LotStatus, PropertyType, Round, SetAsideGround } from '@fapai/domain';
import { fenTransformer } from '../common/money.transformer.js';

export interface LotFile {
  id: string;
  kind: 'photo' | 'document';
  name: string;
  contentType: string;
  size: number;
  storedAs: string;
}

/** A priority purchase right holder (优先购买权人) disclosed on the lot (OJA Arts. 13(6), 19). */
export interface PriorityHolder {
  name: string;
  nature: string;
  rank: number;
}

/** A notice of the sale to a party or a priority holder (OJA Art. 16): served, waived, or published when unreachable. */
export interface PartyNotice {
  party: string;
  role: 'party' | 'priority_holder';
  kind: 'notified' | 'waived' | 'unreachable';
  /** When it was served (notified) or published on the platform (unreachable). */
  at: string | null;
}

/** The disclosures the platform shows on the day of the announcement (OJA Art. 13) and the warnings of Art. 14. */
export type LotDisclosures = Partial<Record<DisclosureField | 'biddingRules' | 'paymentInstructions' | 'specialWarnings' | 'other', string>>;

/**
 * A lot (拍品): one round (一拍, 二拍 or 变卖) of the sale of one property of a case. The lot row is the unit of
 * locking for bidding and closing; its live fields (current price, leader, seq, end time) change only in
 * the bid and close transactions. Later rounds link to the previous one.
 */
@Entity('lots')
@Index('lots_status_ends_idx', ['status', 'endsAt'])
@Index('lots_court_idx', ['courtId'])
@Index('lots_search_trgm_idx', { synchronize: false })
export class Lot {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'court_id', type: 'uuid' }) courtId!: string;
  @Column({ name: 'case_id', type: 'uuid' }) caseId!: string;
  @Column({ type: 'text' }) status!: LotStatus;
  @Column({ name: 'status_reason', type: 'text', nullable: true }) statusReason!: string | null;
  @Column({ type: 'text' }) round!: Round;
  @Column({ name: 'previous_lot_id', type: 'uuid', nullable: true }) previousLotId!: string | null;
  @Column({ name: 'property_type', type: 'text' }) propertyType!: PropertyType;
  @Column({ type: 'text' }) title!: string;
  @Column({ type: 'text', default: '' }) description!: string;
  @Column({ type: 'text', default: '' }) province!: string;
  @Column({ type: 'text', default: '' }) city!: string;
  @Column({ type: 'text', default: '' }) address!: string;
  @Column({ type: 'jsonb', default: () => "'[]'" }) files!: LotFile[];
  @Column({ name: 'known_defects', type: 'text', default: '' }) knownDefects!: string;
  @Column({ type: 'text', default: '' }) encumbrances!: string;
  @Column({ type: 'text', default: '' }) occupancy!: string;
  @Column({ name: 'tax_burden', type: 'text', default: '' }) taxBurden!: string;
  @Column({ name: 'priority_holders', type: 'jsonb', default: () => "'[]'" }) priorityHolders!: PriorityHolder[];
  @Column({ type: 'jsonb', default: () => "'{}'" }) disclosures!: LotDisclosures;
  @Column({ type: 'jsonb', default: () => "'[]'" }) notices!: PartyNotice[];
  @Column({ name: 'reference_price', type: 'bigint', nullable: true, transformer: fenTransformer }) referencePrice!: number | null;
  @Column({ name: 'reference_price_basis', type: 'text', default: '' }) referencePriceBasis!: string;
  @Column({ name: 'valuation_id', type: 'uuid', nullable: true }) valuationId!: string | null;
  @Column({ name: 'starting_price', type: 'bigint', nullable: true, transformer: fenTransformer }) startingPrice!: number | null;
  @Column({ type: 'bigint', nullable: true, transformer: fenTransformer }) increment!: number | null;
  @Column({ type: 'bigint', nullable: true, transformer: fenTransformer }) deposit!: number | null;
  @Column({ name: 'announce_at', type: 'timestamptz', nullable: true }) announceAt!: Date | null;
  @Column({ name: 'starts_at', type: 'timestamptz', nullable: true }) startsAt!: Date | null;
  @Column({ name: 'ends_at', type: 'timestamptz', nullable: true }) endsAt!: Date | null;
  @Column({ name: 'scheduled_ends_at', type: 'timestamptz', nullable: true }) scheduledEndsAt!: Date | null;
  @Column({ name: 'balance_due_days', type: 'integer', default: 10 }) balanceDueDays!: number;
  @Column({ name: 'current_price', type: 'bigint', nullable: true, transformer: fenTransformer }) currentPrice!: number | null;
  @Column({ name: 'leader_enrolment_id', type: 'uuid', nullable: true }) leaderEnrolmentId!: string | null;
  @Column({ name: 'leader_code', type: 'text', nullable: true }) leaderCode!: string | null;
  @Column({ name: 'leader_priority_rank', type: 'integer', nullable: true }) leaderPriorityRank!: number | null;
  @Column({ name: 'leader_placed_at', type: 'timestamptz', nullable: true }) leaderPlacedAt!: Date | null;
  @Column({ name: 'bid_count', type: 'integer', default: 0 }) bidCount!: number;
  @Column({ type: 'integer', default: 0 }) seq!: number;
  @Column({ name: 'extension_count', type: 'integer', default: 0 }) extensionCount!: number;
  @Column({ name: 'enrolled_count', type: 'integer', default: 0 }) enrolledCount!: number;
  @Column({ name: 'paused_remaining_ms', type: 'bigint', nullable: true, transformer: fenTransformer }) pausedRemainingMs!: number | null;
  @Column({ name: 'paused_from', type: 'text', nullable: true }) pausedFrom!: 'announced' | 'live' | null;
  @Column({ name: 'set_aside_ground', type: 'text', nullable: true }) setAsideGround!: SetAsideGround | null;
  /** After an unsold second round or sale-off: the court's path (ASR Arts. 16, 24, 25, 32 ¶3). */
  @Column({ type: 'jsonb', nullable: true }) disposition!: { path: 'satisfaction_of_debt' | 'release_seizure'; note: string; decidedAt: string } | null;
  @Column({ name: 'published_at', type: 'timestamptz', nullable: true }) publishedAt!: Date | null;
  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true }) closedAt!: Date | null;
  @Column({ name: 'created_by', type: 'uuid' }) createdBy!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
