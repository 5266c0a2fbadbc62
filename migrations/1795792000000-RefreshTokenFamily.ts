import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A refresh token names the token it was issued for (`parent_id`): a token presented twice within a few
 * seconds (two tabs or a retry racing the first answer) gets a second successor instead of ending the
 * session, so one used token may have several, and the chain revoked on a real reuse is the tree below it.
 * Filled in from `replaced_by` for the tokens issued since reuse detection.
 */
export class RefreshTokenFamily1795792000000 implements MigrationInterface {
  name = 'RefreshTokenFamily1795792000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "refresh_tokens" ADD "parent_id" uuid`);
    await queryRunner.query(`UPDATE "refresh_tokens" c SET "parent_id" = p."id" FROM "refresh_tokens" p WHERE p."replaced_by" = c."id"`);
    await queryRunner.query(`CREATE INDEX "refresh_tokens_parent_idx" ON "refresh_tokens" ("parent_id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "refresh_tokens_parent_idx"`);
    await queryRunner.query(`ALTER TABLE "refresh_tokens" DROP COLUMN "parent_id"`);
  }
}
