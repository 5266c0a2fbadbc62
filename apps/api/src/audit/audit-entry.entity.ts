import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Audit log (审计记录): append-only and hash-chained per stream (`lot:<id>`, `user:<id>`, …). Each entry's
 * hash covers the previous hash of its stream, so a change to any past row breaks the chain from there.
 * Written in the same transaction as the state change it records; UPDATE and DELETE are refused by a
 * trigger (see the migration). Kept ≥ 10 years (OJA Art. 29).
 */
@Entity('audit_log')
@Index('audit_log_stream_seq_key', ['stream', 'seq'], { unique: true })
export class AuditEntry {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' }) id!: string;
  @Column({ type: 'text' }) stream!: string;
  @Column({ type: 'integer' }) seq!: number;
  @Column({ type: 'text' }) action!: string;
  @Column({ name: 'actor_id', type: 'uuid', nullable: true }) actorId!: string | null;
  @Column({ type: 'jsonb' }) data!: Record<string, unknown>;
  @Column({ type: 'timestamptz', default: () => 'clock_timestamp()' }) at!: Date;
  @Column({ name: 'prev_hash', type: 'text' }) prevHash!: string;
  @Column({ type: 'text' }) hash!: string;
}
