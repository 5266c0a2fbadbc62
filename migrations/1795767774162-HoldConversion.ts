import type { MigrationInterface, QueryRunner } from 'typeorm';

export class HoldConversion1795767774162 implements MigrationInterface {
  name = 'HoldConversion1795767774162';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "deposits" ADD "replaced_intent_id" text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "deposits" DROP COLUMN "replaced_intent_id"`);
  }
}
