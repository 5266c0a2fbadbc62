import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The queues of the background jobs (apps/api/src/jobs), each a partition of pgboss.job. `short`: at most
 * one queued job per singleton key (a lot's close at one end time; the one successor of a periodic chain).
 * The app also creates any registered queue missing at start, but queues come here so that no instance
 * runs DDL when it starts. A new queue gets a migration like this one.
 */
const QUEUES: [string, 'standard' | 'short'][] = [
  ['lot-close', 'short'],
  ['deposit-release', 'standard'],
  ['close-sweep', 'short'],
  ['mark-started', 'short'],
  ['deposit-retry', 'short'],
  ['hold-conversion', 'short'],
  ['deposit-sweep', 'short'],
  ['settlement-deadlines', 'short'],
  ['valuation-deadlines', 'short'],
];

export class JobQueues1795769000001 implements MigrationInterface {
  name = 'JobQueues1795769000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const [name, policy] of QUEUES) await queryRunner.query(`SELECT pgboss.create_queue($1, $2::json)`, [name, JSON.stringify({ policy })]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const [name] of QUEUES.slice().reverse()) await queryRunner.query(`SELECT pgboss.delete_queue($1)`, [name]);
  }
}
