import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { fenTransformer } from '../common/money.transformer.js';

/** A people's court (人民法院) that lists property; its clerks see only its own cases and lots. */
@Entity('courts')
export class Court {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Index('courts_name_key', { unique: true }) @Column({ type: 'text' }) name!: string;
  @Column({ type: 'text' }) province!: string;
  @Column({ type: 'text' }) city!: string;
  @Column({ type: 'text', default: '' }) address!: string;
  @Column({ name: 'contact_phone', type: 'text', default: '' }) contactPhone!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

/** An enforcement case (执行案件) identified by its case number (案号), with its parties. */
@Entity('cases')
@Index('cases_court_number_key', ['courtId', 'caseNumber'], { unique: true })
export class EnforcementCase {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'court_id', type: 'uuid' }) courtId!: string;
  @Column({ name: 'case_number', type: 'text' }) caseNumber!: string;
  @Column({ type: 'text' }) title!: string;
  @Column({ name: 'enforcement_basis', type: 'text', default: '' }) enforcementBasis!: string;
  /** The applicant creditor's claim (OJA Art. 17 ¶2): it may bid without a deposit up to this amount. */
  @Column({ name: 'applicant_claim', type: 'bigint', nullable: true, transformer: fenTransformer }) applicantClaim!: number | null;
  @Column({ name: 'created_by', type: 'uuid' }) createdBy!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

export const PARTY_ROLES = ['applicant', 'respondent', 'interested'] as const;
export type PartyRole = (typeof PARTY_ROLES)[number];

/** A party to a case (当事人): applicant creditor (申请执行人), respondent debtor (被执行人) or interested person. */
@Entity('case_parties')
export class CaseParty {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Index('case_parties_case_idx') @Column({ name: 'case_id', type: 'uuid' }) caseId!: string;
  @Column({ type: 'text' }) role!: PartyRole;
  @Column({ type: 'text' }) name!: string;
  @Column({ type: 'text', default: '' }) contact!: string;
  /** Unreachable (下落不明): notices are published on the platform instead (OJA Art. 16 ¶1). */
  @Column({ type: 'boolean', default: true }) reachable!: boolean;
  @Column({ name: 'user_id', type: 'uuid', nullable: true }) userId!: string | null;
}
