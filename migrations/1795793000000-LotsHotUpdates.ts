import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every accepted bid rewrites its lot's row (price, leader, seq, end time). A lot row is wide (≈ 1.2 KB of
 * text and jsonb before TOAST), so with full pages about a quarter of those updates could not stay on their
 * page (HOT) and wrote a new entry into every index of `lots`, the trigram search index among them: the
 * most expensive part of a bid in PostgreSQL. Half-empty pages leave room for the next version of each row.
 * Only pages written from now on follow it; `VACUUM FULL lots` repacks the old ones.
 */
export class LotsHotUpdates1795793000000 implements MigrationInterface {
  name = 'LotsHotUpdates1795793000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "lots" SET (fillfactor = 50)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "lots" RESET (fillfactor)`);
  }
}
