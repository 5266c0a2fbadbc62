import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Settlement1795767342948 implements MigrationInterface {
  name = 'Settlement1795767342948';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "notifications" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "kind" text NOT NULL, "title" text NOT NULL, "body" text NOT NULL, "data" jsonb NOT NULL DEFAULT '{}', "emailed_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_6a72c3c0f683f6462415e653c3a" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "notifications_user_idx" ON "notifications"  ("user_id", "created_at") `);
    await queryRunner.query(`CREATE TABLE "settlements" ("lot_id" uuid NOT NULL, "buyer_enrolment_id" uuid NOT NULL, "buyer_user_id" uuid NOT NULL, "buyer_name" text NOT NULL, "bidder_code" text NOT NULL, "price" bigint NOT NULL, "deposit_applied" bigint NOT NULL, "balance_due" bigint NOT NULL, "balance_deadline" TIMESTAMP WITH TIME ZONE NOT NULL, "status" text NOT NULL, "case_number" text NOT NULL, "court_name" text NOT NULL, "lot_title" text NOT NULL, "sold_at" TIMESTAMP WITH TIME ZONE NOT NULL, "confirmation_no" text NOT NULL, "balance_attempt" integer NOT NULL DEFAULT '0', "balance_payment_intent_id" text, "paid_at" TIMESTAMP WITH TIME ZONE, "ruling_date" date, "ruled_at" TIMESTAMP WITH TIME ZONE, "defaulted_at" TIMESTAMP WITH TIME ZONE, "default_reason" text, "forfeit_allocation" jsonb, "reminders_sent" bigint array NOT NULL DEFAULT '{}', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d1df02fcf3dfb65beee9d93840a" PRIMARY KEY ("lot_id"))`);
    await queryRunner.query(`CREATE INDEX "settlements_status_deadline_idx" ON "settlements"  ("status", "balance_deadline") `);
    await queryRunner.query(`ALTER TABLE "lots" ADD "disposition" jsonb`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "lots" DROP COLUMN "disposition"`);
    await queryRunner.query(`DROP INDEX "public"."settlements_status_deadline_idx"`);
    await queryRunner.query(`DROP TABLE "settlements"`);
    await queryRunner.query(`DROP INDEX "public"."notifications_user_idx"`);
    await queryRunner.query(`DROP TABLE "notifications"`);
  }
}
