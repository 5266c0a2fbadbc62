import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from '../common/auth.js';

/**
 * A platform account. Bidders verify their real identity (实名认证) before enrolling (OJA Art. 17 ¶2): the
 * resident ID number is kept only as a keyed hash (to find duplicates) and a masked form (to show); the
 * full number is never stored or returned. Staff belong to one court (clerks) or one agency (appraisers).
 */
@Entity('users')
export class User {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Index('users_email_key', { unique: true }) @Column({ type: 'text' }) email!: string;
  @Column({ name: 'password_hash', type: 'text' }) passwordHash!: string;
  @Column({ name: 'display_name', type: 'text' }) displayName!: string;
  @Column({ type: 'text', array: true }) roles!: Role[];
  @Column({ name: 'court_id', type: 'uuid', nullable: true }) courtId!: string | null;
  @Column({ name: 'agency_id', type: 'uuid', nullable: true }) agencyId!: string | null;
  @Column({ name: 'real_name', type: 'text', nullable: true }) realName!: string | null;
  @Column({ type: 'text', nullable: true }) phone!: string | null;
  @Index('users_id_number_hash_key', { unique: true }) @Column({ name: 'id_number_hash', type: 'text', nullable: true }) idNumberHash!: string | null;
  @Column({ name: 'id_number_masked', type: 'text', nullable: true }) idNumberMasked!: string | null;
  @Column({ name: 'identity_verified_at', type: 'timestamptz', nullable: true }) identityVerifiedAt!: Date | null;
  @Column({ name: 'token_version', type: 'integer', default: 0 }) tokenVersion!: number;
  @Column({ name: 'failed_logins', type: 'integer', default: 0 }) failedLogins!: number;
  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true }) lockedUntil!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
