import type { MigrationInterface, QueryRunner } from 'typeorm';

export class StripeCustomers1795787351854 implements MigrationInterface {
  name = 'StripeCustomers1795787351854';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "stripe_customers" ("user_id" uuid NOT NULL, "customer_id" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a613fdabcd9ae32b5ca3645ba77" PRIMARY KEY ("user_id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "stripe_customers_customer_key" ON "stripe_customers"  ("customer_id") `);
    await queryRunner.query(`ALTER TABLE "deposits" ADD "stripe_customer_id" text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "deposits" DROP COLUMN "stripe_customer_id"`);
    await queryRunner.query(`DROP INDEX "public"."stripe_customers_customer_key"`);
    await queryRunner.query(`DROP TABLE "stripe_customers"`);
  }
}
