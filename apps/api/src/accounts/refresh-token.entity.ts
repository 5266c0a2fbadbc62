import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A refresh token (kept only as a SHA-256 hash): access tokens live minutes; a refresh token, used once,
 * is replaced by a new one. Logout and a password change revoke them all. `replacedBy` tells a used token
 * from a revoked one; `parentId` names the token this one was issued for, so a used token presented again
 * revokes everything issued after it (a token presented twice within the grace period has two successors).
 */
@Entity('refresh_tokens')
export class RefreshToken {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Index('refresh_tokens_user_idx') @Column({ name: 'user_id', type: 'uuid' }) userId!: string;
  @Index('refresh_tokens_hash_key', { unique: true }) @Column({ name: 'token_hash', type: 'text' }) tokenHash!: string;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt!: Date;
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true }) revokedAt!: Date | null;
  @Column({ name: 'replaced_by', type: 'uuid', nullable: true }) replacedBy!: string | null;
  @Index('refresh_tokens_parent_idx') @Column({ name: 'parent_id', type: 'uuid', nullable: true }) parentId!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
