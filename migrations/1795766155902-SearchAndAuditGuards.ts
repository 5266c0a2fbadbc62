import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What entities cannot express: trigram search for Chinese titles (pg_trgm), and the audit log made
 * append-only by a trigger (an UPDATE or DELETE raises "audit_log is append-only").
 */
export class SearchAndAuditGuards1795766155902 implements MigrationInterface {
  name = 'SearchAndAuditGuards1795766155902';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await queryRunner.query(`CREATE INDEX "lots_search_trgm_idx" ON "lots" USING gin ((title || ' ' || description || ' ' || address) gin_trgm_ops)`);
    await queryRunner.query(`CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$`);
    await queryRunner.query(`CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()`);
    await queryRunner.query(`CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER audit_log_no_truncate ON audit_log`);
    await queryRunner.query(`DROP TRIGGER audit_log_append_only ON audit_log`);
    await queryRunner.query(`DROP FUNCTION audit_log_refuse_change()`);
    await queryRunner.query(`DROP INDEX "lots_search_trgm_idx"`);
  }
}
