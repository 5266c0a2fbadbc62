import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reuse detection of refresh tokens: a used token names the token issued in its place, which tells it from a
 * revoked one and links the chain that a replay of it revokes. Tokens used before this migration stay
 * unlinked: a replay of one of them is only refused, as before.
 */
export class RefreshTokenReuse1795791000000 implements MigrationInterface {
  name = 'RefreshTokenReuse1795791000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "refresh_tokens" ADD "replaced_by" uuid`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "refresh_tokens" DROP COLUMN "replaced_by"`);
  }
}
