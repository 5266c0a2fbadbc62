/**
 * The default start: with DATABASE_URL unset the platform runs on an embedded PostgreSQL (a real server
 * from npm), keeps its data across restarts and stops it with the process.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { loadConfig } from '../../apps/api/src/config/env.js';
import { startPlatform } from '../../apps/api/src/platform.js';

it('starts with DATABASE_URL unset, seeds demo data, reaches /api/health, and keeps the data across a restart', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'fapai-embedded-'));
  const env = { NODE_ENV: 'development', PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'error', SEED_DEMO: 'true', BACKGROUND_JOBS: 'false' };
  const first = await startPlatform(loadConfig(env), { log: () => undefined });
  try {
    expect(first.embedded).toBeDefined();
    const health = await request(first.url).get('/api/health').expect(200);
    expect(health.body).toMatchObject({ status: 'ok', db: 'up' });
    const lots = await request(first.url).get('/api/lots').query({ pageSize: 50 }).expect(200);
    const statuses = new Set((lots.body as { items: { status: string }[] }).items.map((l) => l.status));
    expect([...statuses].sort()).toEqual(expect.arrayContaining(['announced', 'live', 'postponed', 'sold', 'suspended', 'unsold', 'withdrawn']));
    expect(first.demoLogins?.map((l) => l.role)).toEqual(expect.arrayContaining(['court_clerk', 'appraiser', 'bidder']));
    const login = await request(first.url).post('/api/auth/login').send({ email: 'clerk@demo.fapai.local', password: 'fapai-demo-2026' }).expect(200);
    expect((login.body as { user: { roles: string[] } }).user.roles).toEqual(['court_clerk']);
    await request(first.url).post('/api/auth/register').send({ email: 'kept@test.fapai.local', password: 'kept-password-1', displayName: 'kept' }).expect(201);
  } finally {
    await first.stop();
  }
  const second = await startPlatform(loadConfig(env), { log: () => undefined });
  try {
    await request(second.url).post('/api/auth/login').send({ email: 'kept@test.fapai.local', password: 'kept-password-1' }).expect(200);
  } finally {
    await second.stop();
  }
}, 90_000);
