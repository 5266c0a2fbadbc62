import type { MigrationInterface, QueryRunner } from 'typeorm';

export class EnrolmentDepositsBids1795766581346 implements MigrationInterface {
  name = 'EnrolmentDepositsBids1795766581346';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "bids" ("lot_id" uuid NOT NULL, "seq" integer NOT NULL, "enrolment_id" uuid NOT NULL, "bidder_code" text NOT NULL, "amount" bigint NOT NULL, "priority_rank" integer, "kind" text NOT NULL, "placed_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ends_at_after" TIMESTAMP WITH TIME ZONE NOT NULL, "extended" boolean NOT NULL DEFAULT false, "idempotency_key" text, CONSTRAINT "PK_7b51c99490e8d461e74de175b36" PRIMARY KEY ("lot_id", "seq"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "bids_idempotency_key" ON "bids"  ("enrolment_id", "idempotency_key") WHERE "idempotency_key" IS NOT NULL`);
    await queryRunner.query(`CREATE TABLE "lot_results" ("lot_id" uuid NOT NULL, "outcome" text NOT NULL, "price" bigint, "winner_enrolment_id" uuid, "bidder_code" text, "bid_count" integer NOT NULL, "ended_at" TIMESTAMP WITH TIME ZONE NOT NULL, "closed_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_5c7f04bafd9126260e0e974af47" PRIMARY KEY ("lot_id"))`);
    await queryRunner.query(`CREATE TABLE "enrolments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "lot_id" uuid NOT NULL, "user_id" uuid NOT NULL, "status" text NOT NULL, "bidder_code" text, "priority_claim" text, "priority_rank" integer, "applicant_creditor" boolean NOT NULL DEFAULT false, "deposit_due" bigint NOT NULL, "activated_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_6e79971fbd26967c4da9ed52770" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "enrolments_user_idx" ON "enrolments"  ("user_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "enrolments_lot_code_key" ON "enrolments"  ("lot_id", "bidder_code") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "enrolments_lot_user_key" ON "enrolments"  ("lot_id", "user_id") `);
    await queryRunner.query(`CREATE TABLE "deposits" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "enrolment_id" uuid NOT NULL, "lot_id" uuid NOT NULL, "amount" bigint NOT NULL, "currency" text NOT NULL DEFAULT 'CNY', "mode" text NOT NULL, "status" text NOT NULL, "payment_intent_id" text, "client_secret" text, "attempt" integer NOT NULL DEFAULT '0', "payment_method" text, "hold_expires_at" TIMESTAMP WITH TIME ZONE, "last_error" text, "secured_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_f49ba0cd446eaf7abb4953385d9" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "deposits_enrolment_key" ON "deposits"  ("enrolment_id") `);
    await queryRunner.query(`CREATE INDEX "deposits_lot_idx" ON "deposits"  ("lot_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "deposits_payment_intent_key" ON "deposits"  ("payment_intent_id") `);
    await queryRunner.query(`CREATE TABLE "deposit_movements" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "deposit_id" uuid NOT NULL, "lot_id" uuid NOT NULL, "kind" text NOT NULL, "amount" bigint NOT NULL, "idempotency_key" text NOT NULL, "status" text NOT NULL, "stripe_ref" text, "attempts" integer NOT NULL DEFAULT '0', "last_error" text, "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "done_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_e635082680aea6b4b662c67b1b2" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "deposit_movements_deposit_idx" ON "deposit_movements"  ("deposit_id") `);
    await queryRunner.query(`CREATE INDEX "deposit_movements_lot_idx" ON "deposit_movements"  ("lot_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "deposit_movements_key" ON "deposit_movements"  ("idempotency_key") `);
    await queryRunner.query(`CREATE INDEX "deposit_movements_pending_idx" ON "deposit_movements"  ("status", "created_at") `);
    await queryRunner.query(`CREATE TABLE "stripe_events" ("id" text NOT NULL, "type" text NOT NULL, "object_id" text, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d3247bd5fc3f66b6982bbcdd897" PRIMARY KEY ("id"))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "stripe_events"`);
    await queryRunner.query(`DROP INDEX "public"."deposit_movements_pending_idx"`);
    await queryRunner.query(`DROP INDEX "public"."deposit_movements_key"`);
    await queryRunner.query(`DROP INDEX "public"."deposit_movements_lot_idx"`);
    await queryRunner.query(`DROP INDEX "public"."deposit_movements_deposit_idx"`);
    await queryRunner.query(`DROP TABLE "deposit_movements"`);
    await queryRunner.query(`DROP INDEX "public"."deposits_payment_intent_key"`);
    await queryRunner.query(`DROP INDEX "public"."deposits_lot_idx"`);
    await queryRunner.query(`DROP INDEX "public"."deposits_enrolment_key"`);
    await queryRunner.query(`DROP TABLE "deposits"`);
    await queryRunner.query(`DROP INDEX "public"."enrolments_lot_user_key"`);
    await queryRunner.query(`DROP INDEX "public"."enrolments_lot_code_key"`);
    await queryRunner.query(`DROP INDEX "public"."enrolments_user_idx"`);
    await queryRunner.query(`DROP TABLE "enrolments"`);
    await queryRunner.query(`DROP TABLE "lot_results"`);
    await queryRunner.query(`DROP INDEX "public"."bids_idempotency_key"`);
    await queryRunner.query(`DROP TABLE "bids"`);
  }
}
