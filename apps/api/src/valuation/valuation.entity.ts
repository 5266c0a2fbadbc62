import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { ReportSample, ValuationMethod, ValuationState, ValuationStatus } from '@fapai/domain';
import { fenTransformer } from '../common/money.transformer.js';

/**
 * One reference-price procedure (确定财产处置参考价, RPR 2018) for one property of an enforcement case.
 * `state` is the domain's `ValuationState`, rebuilt at any time by replaying `valuation_events` through
 * `applyValuationEvent`; the other columns are projections of it for queries and the deadline timer.
 */
@Entity('valuations')
@Index('valuations_case_idx', ['caseId'])
@Index('valuations_next_deadline_idx', ['nextDeadlineAt'])
export class Valuation {
  @PrimaryColumn('uuid') id!: string;
  @Column({ name: 'case_id', type: 'uuid' }) caseId!: string;
  @Column({ name: 'court_id', type: 'uuid' }) courtId!: string;
  /** What is valued, in the court's words (the facts of RPR Art. 3 are in `state.facts`). */
  @Column({ type: 'text' }) property!: string;
  @Column({ type: 'jsonb' }) state!: ValuationState;
  @Column({ type: 'text' }) status!: ValuationStatus;
  /** The method running, or the one that fixed the reference price; null before any method. */
  @Column({ type: 'text', nullable: true }) method!: ValuationMethod | null;
  @Column({ name: 'reference_price', type: 'bigint', nullable: true, transformer: fenTransformer }) referencePrice!: number | null;
  @Column({ name: 'valid_until', type: 'timestamptz', nullable: true }) validUntil!: Date | null;
  /** When the timer next has something to apply (`nextValuationDeadlineAt`); null when nothing runs. */
  @Column({ name: 'next_deadline_at', type: 'timestamptz', nullable: true }) nextDeadlineAt!: Date | null;
  /**
   * The secret seed of a committed, not yet drawn, agency lottery: only its SHA-256 is published (in
   * `state`) until the draw reveals it. Never returned by the API before the draw.
   */
  @Column({ name: 'lottery_seed', type: 'text', nullable: true }) lotterySeed!: string | null;
  @Column({ type: 'integer', default: 0 }) version!: number;
  @Column({ name: 'created_by', type: 'uuid' }) createdBy!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

/**
 * The append-only log of applied events: seq 0 is the creation (`procedure_created`), then one row per
 * domain event with the instant it was applied at, so `state` can be replayed exactly.
 */
@Entity('valuation_events')
export class ValuationEventRow {
  @PrimaryColumn({ name: 'valuation_id', type: 'uuid' }) valuationId!: string;
  @PrimaryColumn({ type: 'integer' }) seq!: number;
  @Column({ type: 'text' }) type!: string;
  /** The user who caused it; null for the deadline timer. */
  @Column({ name: 'actor_id', type: 'uuid', nullable: true }) actorId!: string | null;
  @Column({ type: 'jsonb' }) payload!: Record<string, unknown>;
  @Column({ type: 'timestamptz' }) at!: Date;
}

export const ASSIGNMENT_ROLES = ['directed_inquiry', 'online_inquiry', 'appraisal'] as const;
export type AssignmentRole = (typeof ASSIGNMENT_ROLES)[number];

/**
 * An agency or inquiry platform working on a case's valuation. The enrolment module reads
 * `SELECT DISTINCT agency_id FROM valuation_assignments WHERE case_id = $1` to bar them from bidding
 * (OJA Art. 34): keep the table name and those two columns.
 */
@Entity('valuation_assignments')
@Index('valuation_assignments_case_idx', ['caseId'])
@Index('valuation_assignments_agency_idx', ['agencyId'])
@Index('valuation_assignments_step_agency_key', ['valuationId', 'stepId', 'agencyId'], { unique: true })
export class ValuationAssignment {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'case_id', type: 'uuid' }) caseId!: string;
  @Column({ name: 'valuation_id', type: 'uuid' }) valuationId!: string;
  @Column({ name: 'step_id', type: 'text' }) stepId!: string;
  @Column({ name: 'agency_id', type: 'uuid' }) agencyId!: string;
  @Column({ type: 'text' }) role!: AssignmentRole;
  /** Order of commission (appraisal ranking, or the platforms' order). */
  @Column({ type: 'integer', default: 1 }) rank!: number;
  /** The provider's status in the step (platform status, commission status, or the step's status). */
  @Column({ type: 'text' }) status!: string;
  /** An appraisal agency's written request for more time (RPR Art. 19 ¶2), awaiting the court. */
  @Column({ name: 'extension_requested_at', type: 'timestamptz', nullable: true }) extensionRequestedAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

export interface ReportFile {
  id: string;
  name: string;
  contentType: string;
  size: number;
  storedAs: string;
}

export const REPORT_KINDS = ['online_report', 'online_correction', 'appraisal_report', 'appraisal_correction', 'explanation', 'directed_result', 'reissue'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

/** A report, correction or written explanation submitted by a provider, with its attached files. */
@Entity('valuation_reports')
@Index('valuation_reports_valuation_idx', ['valuationId'])
export class ValuationReport {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'valuation_id', type: 'uuid' }) valuationId!: string;
  @Column({ name: 'step_id', type: 'text' }) stepId!: string;
  /** The agency or platform that issued it (null when the clerk recorded a result received on paper). */
  @Column({ name: 'agency_id', type: 'uuid', nullable: true }) agencyId!: string | null;
  @Column({ type: 'text' }) kind!: ReportKind;
  @Column({ type: 'bigint', nullable: true, transformer: fenTransformer }) price!: number | null;
  @Column({ type: 'text', default: '' }) method!: string;
  @Column({ type: 'text', default: '' }) standards!: string;
  @Column({ type: 'jsonb', default: () => "'[]'" }) samples!: ReportSample[];
  @Column({ name: 'valid_until', type: 'timestamptz', nullable: true }) validUntil!: Date | null;
  @Column({ type: 'text', default: '' }) note!: string;
  /** The objection an explanation answers. */
  @Column({ name: 'objection_id', type: 'text', nullable: true }) objectionId!: string | null;
  @Column({ type: 'jsonb', default: () => "'[]'" }) files!: ReportFile[];
  @Column({ name: 'submitted_by', type: 'uuid' }) submittedBy!: string;
  @Column({ name: 'submitted_at', type: 'timestamptz' }) submittedAt!: Date;
}
