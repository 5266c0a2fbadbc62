import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The balance paid in the browser (Stripe Elements): the open PaymentIntent of the current attempt keeps its
 * client secret, so the buyer who reloads the page (or asks again) finishes that intent instead of starting
 * another one.
 */
export class BalanceClientSecret1795790000000 implements MigrationInterface {
  name = 'BalanceClientSecret1795790000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "settlements" ADD "balance_client_secret" text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "settlements" DROP COLUMN "balance_client_secret"`);
  }
}
