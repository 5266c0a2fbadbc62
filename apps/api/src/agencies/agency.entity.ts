import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const AGENCY_KINDS = ['appraisal_agency', 'inquiry_platform'] as const;
export type AgencyKind = (typeof AGENCY_KINDS)[number];

/**
 * An appraisal agency (评估机构, on the court's agency list, RPR Art. 15) or an online inquiry platform
 * (司法网络询价平台, RPR Art. 8). Appraisers are users that belong to one of them. The sub-list of an
 * agency is given by its professional `fields` and its region (province, city).
 */
@Entity('agencies')
export class Agency {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Index('agencies_name_key', { unique: true }) @Column({ type: 'text' }) name!: string;
  @Column({ type: 'text' }) kind!: AgencyKind;
  @Column({ type: 'text', array: true, default: () => "'{}'" }) fields!: string[];
  @Column({ type: 'text', default: '' }) province!: string;
  @Column({ type: 'text', default: '' }) city!: string;
  @Column({ type: 'boolean', default: true }) active!: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
