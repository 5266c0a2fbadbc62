/**
 * One real platform per test file: a fresh database cloned from the migrated template, the real Nest
 * application listening on a random port, talking to real PostgreSQL. Nothing of ours is mocked.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { loadConfig } from '../../apps/api/src/config/env.js';
import { startPlatform, type RunningPlatform } from '../../apps/api/src/platform.js';
import { withDatabase } from './database-url.js';

export interface TestPlatform {
  platform: RunningPlatform;
  url: string;
  http: TestAgent;
  db: pg.Pool;
  databaseUrl: string;
  stop(): Promise<void>;
}

export async function createTestDatabase(): Promise<string> {
  const serverUrl = process.env.FAPAI_TEST_SERVER_URL;
  const template = process.env.FAPAI_TEST_TEMPLATE;
  if (!serverUrl || !template) throw new Error('the e2e global setup did not run');
  const name = `fapai_test_${process.env.FAPAI_TEST_RUN ?? 'x'}_${randomBytes(5).toString('hex')}`;
  if (!name.includes('test')) throw new Error('refusing a test database whose name lacks "test"');
  const admin = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await admin.connect();
  // Cloning needs the template to have no other connections: retry briefly if another file is cloning.
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
      break;
    } catch (error) {
      if (attempt > 50) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await admin.end();
  return withDatabase(serverUrl, name);
}

export async function startTestPlatform(env: Record<string, string> = {}): Promise<TestPlatform> {
  const databaseUrl = await createTestDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    PORT: '0',
    RULES_PROFILE: 'sandbox',
    SEED_DEMO: 'false',
    MIGRATIONS_RUN: 'false',
    LOG_LEVEL: 'error',
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'fapai-test-data-')),
    JWT_SECRET: randomBytes(32).toString('hex'),
    IDENTITY_HASH_KEY: randomBytes(32).toString('hex'),
    ADMIN_EMAIL: 'admin@test.fapai.local',
    ADMIN_PASSWORD: 'admin-test-password',
    // Tests register many bidders from one address; the rate-limit test turns limits on explicitly.
    RATE_LIMITS: 'false',
    ...env,
  });
  const platform = await startPlatform(config);
  const db = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  return {
    platform,
    url: platform.url,
    http: request(platform.url),
    db,
    databaseUrl,
    async stop() {
      await db.end();
      await platform.stop();
    },
  };
}
