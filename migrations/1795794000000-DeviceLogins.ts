import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The failure budget of each trusted device (accounts/device-token.ts): a login that presents the account's
 * device token is held by this row's lock, not the account's, so failures elsewhere cannot lock the owner
 * out. A row exists only for a device that has failed at least once.
 */
export class DeviceLogins1795794000000 implements MigrationInterface {
  name = 'DeviceLogins1795794000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "device_logins" (
      "device_id" text PRIMARY KEY,
      "user_id" uuid NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
      "failed_logins" integer NOT NULL DEFAULT 0,
      "locked_until" TIMESTAMP WITH TIME ZONE,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now())`);
    await queryRunner.query(`CREATE INDEX "device_logins_user_idx" ON "device_logins" ("user_id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "device_logins"`);
  }
}
