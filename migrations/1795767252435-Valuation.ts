import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Valuation1795767252435 implements MigrationInterface {
  name = 'Valuation1795767252435';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "valuations" ("id" uuid NOT NULL, "case_id" uuid NOT NULL, "court_id" uuid NOT NULL, "property" text NOT NULL, "state" jsonb NOT NULL, "status" text NOT NULL, "method" text, "reference_price" bigint, "valid_until" TIMESTAMP WITH TIME ZONE, "next_deadline_at" TIMESTAMP WITH TIME ZONE, "lottery_seed" text, "version" integer NOT NULL DEFAULT '0', "created_by" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_f7d29c688fe21ae296643cf8c3b" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "valuations_next_deadline_idx" ON "valuations"  ("next_deadline_at") `);
    await queryRunner.query(`CREATE INDEX "valuations_case_idx" ON "valuations"  ("case_id") `);
    await queryRunner.query(`CREATE TABLE "valuation_events" ("valuation_id" uuid NOT NULL, "seq" integer NOT NULL, "type" text NOT NULL, "actor_id" uuid, "payload" jsonb NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_b44a232e7b69013c99b5dfacc49" PRIMARY KEY ("valuation_id", "seq"))`);
    await queryRunner.query(`CREATE TABLE "valuation_assignments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "case_id" uuid NOT NULL, "valuation_id" uuid NOT NULL, "step_id" text NOT NULL, "agency_id" uuid NOT NULL, "role" text NOT NULL, "rank" integer NOT NULL DEFAULT '1', "status" text NOT NULL, "extension_requested_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_f0b22f3d0b37d37e4145e33649e" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "valuation_assignments_step_agency_key" ON "valuation_assignments"  ("valuation_id", "step_id", "agency_id") `);
    await queryRunner.query(`CREATE INDEX "valuation_assignments_agency_idx" ON "valuation_assignments"  ("agency_id") `);
    await queryRunner.query(`CREATE INDEX "valuation_assignments_case_idx" ON "valuation_assignments"  ("case_id") `);
    await queryRunner.query(`CREATE TABLE "valuation_reports" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "valuation_id" uuid NOT NULL, "step_id" text NOT NULL, "agency_id" uuid, "kind" text NOT NULL, "price" bigint, "method" text NOT NULL DEFAULT '', "standards" text NOT NULL DEFAULT '', "samples" jsonb NOT NULL DEFAULT '[]', "valid_until" TIMESTAMP WITH TIME ZONE, "note" text NOT NULL DEFAULT '', "objection_id" text, "files" jsonb NOT NULL DEFAULT '[]', "submitted_by" uuid NOT NULL, "submitted_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_aac97507a8da2656845e29b2fcf" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "valuation_reports_valuation_idx" ON "valuation_reports"  ("valuation_id") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."valuation_reports_valuation_idx"`);
    await queryRunner.query(`DROP TABLE "valuation_reports"`);
    await queryRunner.query(`DROP INDEX "public"."valuation_assignments_case_idx"`);
    await queryRunner.query(`DROP INDEX "public"."valuation_assignments_agency_idx"`);
    await queryRunner.query(`DROP INDEX "public"."valuation_assignments_step_agency_key"`);
    await queryRunner.query(`DROP TABLE "valuation_assignments"`);
    await queryRunner.query(`DROP TABLE "valuation_events"`);
    await queryRunner.query(`DROP INDEX "public"."valuations_case_idx"`);
    await queryRunner.query(`DROP INDEX "public"."valuations_next_deadline_idx"`);
    await queryRunner.query(`DROP TABLE "valuations"`);
  }
}
