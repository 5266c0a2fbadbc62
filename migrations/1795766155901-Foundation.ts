import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Foundation1795766155901 implements MigrationInterface {
  name = 'Foundation1795766155901';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "agencies" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "kind" text NOT NULL, "fields" text array NOT NULL DEFAULT '{}', "province" text NOT NULL DEFAULT '', "city" text NOT NULL DEFAULT '', "active" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_8ab1f1f53f56c8255b0d7e68b28" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "agencies_name_key" ON "agencies"  ("name") `);
    await queryRunner.query(`CREATE TABLE "audit_log" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "stream" text NOT NULL, "seq" integer NOT NULL, "action" text NOT NULL, "actor_id" uuid, "data" jsonb NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(), "prev_hash" text NOT NULL, "hash" text NOT NULL, CONSTRAINT "PK_07fefa57f7f5ab8fc3f52b3ed0b" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "audit_log_stream_seq_key" ON "audit_log"  ("stream", "seq") `);
    await queryRunner.query(`CREATE TABLE "users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "email" text NOT NULL, "password_hash" text NOT NULL, "display_name" text NOT NULL, "roles" text array NOT NULL, "court_id" uuid, "agency_id" uuid, "real_name" text, "phone" text, "id_number_hash" text, "id_number_masked" text, "identity_verified_at" TIMESTAMP WITH TIME ZONE, "token_version" integer NOT NULL DEFAULT '0', "failed_logins" integer NOT NULL DEFAULT '0', "locked_until" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "users_email_key" ON "users"  ("email") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "users_id_number_hash_key" ON "users"  ("id_number_hash") `);
    await queryRunner.query(`CREATE TABLE "courts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "province" text NOT NULL, "city" text NOT NULL, "address" text NOT NULL DEFAULT '', "contact_phone" text NOT NULL DEFAULT '', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_948a5d356c3083f3237ecbf9897" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "courts_name_key" ON "courts"  ("name") `);
    await queryRunner.query(`CREATE TABLE "cases" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "court_id" uuid NOT NULL, "case_number" text NOT NULL, "title" text NOT NULL, "enforcement_basis" text NOT NULL DEFAULT '', "applicant_claim" bigint, "created_by" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_264acb3048c240fb89aa34626db" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "cases_court_number_key" ON "cases"  ("court_id", "case_number") `);
    await queryRunner.query(`CREATE TABLE "case_parties" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "case_id" uuid NOT NULL, "role" text NOT NULL, "name" text NOT NULL, "contact" text NOT NULL DEFAULT '', "reachable" boolean NOT NULL DEFAULT true, "user_id" uuid, CONSTRAINT "PK_06bc2ff7e3027f10692a04bd22b" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "case_parties_case_idx" ON "case_parties"  ("case_id") `);
    await queryRunner.query(`CREATE TABLE "lots" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "court_id" uuid NOT NULL, "case_id" uuid NOT NULL, "status" text NOT NULL, "status_reason" text, "round" text NOT NULL, "previous_lot_id" uuid, "property_type" text NOT NULL, "title" text NOT NULL, "description" text NOT NULL DEFAULT '', "province" text NOT NULL DEFAULT '', "city" text NOT NULL DEFAULT '', "address" text NOT NULL DEFAULT '', "files" jsonb NOT NULL DEFAULT '[]', "known_defects" text NOT NULL DEFAULT '', "encumbrances" text NOT NULL DEFAULT '', "occupancy" text NOT NULL DEFAULT '', "tax_burden" text NOT NULL DEFAULT '', "priority_holders" jsonb NOT NULL DEFAULT '[]', "disclosures" jsonb NOT NULL DEFAULT '{}', "notices" jsonb NOT NULL DEFAULT '[]', "reference_price" bigint, "reference_price_basis" text NOT NULL DEFAULT '', "valuation_id" uuid, "starting_price" bigint, "increment" bigint, "deposit" bigint, "announce_at" TIMESTAMP WITH TIME ZONE, "starts_at" TIMESTAMP WITH TIME ZONE, "ends_at" TIMESTAMP WITH TIME ZONE, "scheduled_ends_at" TIMESTAMP WITH TIME ZONE, "balance_due_days" integer NOT NULL DEFAULT '10', "current_price" bigint, "leader_enrolment_id" uuid, "leader_code" text, "leader_priority_rank" integer, "leader_placed_at" TIMESTAMP WITH TIME ZONE, "bid_count" integer NOT NULL DEFAULT '0', "seq" integer NOT NULL DEFAULT '0', "extension_count" integer NOT NULL DEFAULT '0', "enrolled_count" integer NOT NULL DEFAULT '0', "paused_remaining_ms" bigint, "paused_from" text, "set_aside_ground" text, "published_at" TIMESTAMP WITH TIME ZONE, "closed_at" TIMESTAMP WITH TIME ZONE, "created_by" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_2bb990a4015865cb1daa1d22fd9" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "lots_court_idx" ON "lots"  ("court_id") `);
    await queryRunner.query(`CREATE INDEX "lots_status_ends_idx" ON "lots"  ("status", "ends_at") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."lots_status_ends_idx"`);
    await queryRunner.query(`DROP INDEX "public"."lots_court_idx"`);
    await queryRunner.query(`DROP TABLE "lots"`);
    await queryRunner.query(`DROP INDEX "public"."case_parties_case_idx"`);
    await queryRunner.query(`DROP TABLE "case_parties"`);
    await queryRunner.query(`DROP INDEX "public"."cases_court_number_key"`);
    await queryRunner.query(`DROP TABLE "cases"`);
    await queryRunner.query(`DROP INDEX "public"."courts_name_key"`);
    await queryRunner.query(`DROP TABLE "courts"`);
    await queryRunner.query(`DROP INDEX "public"."users_id_number_hash_key"`);
    await queryRunner.query(`DROP INDEX "public"."users_email_key"`);
    await queryRunner.query(`DROP TABLE "users"`);
    await queryRunner.query(`DROP INDEX "public"."audit_log_stream_seq_key"`);
    await queryRunner.query(`DROP TABLE "audit_log"`);
    await queryRunner.query(`DROP INDEX "public"."agencies_name_key"`);
    await queryRunner.query(`DROP TABLE "agencies"`);
  }
}
