/**
 * End-to-end test database server. With TEST_DATABASE_URL (or DATABASE_URL) the tests use that server
 * (CI: the machine's PostgreSQL); otherwise an embedded PostgreSQL is started for the run, so the README's
 * test command needs nothing installed. A template database with every migration applied is created once;
 * each test file clones it into a fresh database whose name contains "test".
 * Plain ESM on the built API (the e2e target depends on `api:build`): Jest loads global setup outside its
 * module system.
 */
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import pg from 'pg';
import { DataSource } from 'typeorm';

const dist = path.resolve(import.meta.dirname, '../../apps/api/dist/apps/api/src');

export function withDatabase(url, database) {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export default async function setup() {
  const { dataSourceOptions } = await import(path.join(dist, 'database/data-source.js'));
  let serverUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!serverUrl) {
    const { startEmbeddedPostgres } = await import(path.join(dist, 'database/embedded-postgres.js'));
    const dir = mkdtempSync(path.join(tmpdir(), 'fapai-test-pg-'));
    globalThis.__FAPAI_EMBEDDED__ = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), database: 'postgres', log: () => undefined });
    serverUrl = globalThis.__FAPAI_EMBEDDED__.url;
  }
  const run = `${process.pid}${Date.now().toString(36)}`;
  const template = `fapai_test_tpl_${run}`;
  const admin = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${template}`);
  await admin.query(`CREATE DATABASE ${template}`);
  await admin.end();
  const ds = new DataSource(dataSourceOptions(withDatabase(serverUrl, template)));
  await ds.initialize();
  await ds.runMigrations({ transaction: 'each' });
  await ds.destroy();
  process.env.FAPAI_TEST_SERVER_URL = serverUrl;
  process.env.FAPAI_TEST_TEMPLATE = template;
  process.env.FAPAI_TEST_RUN = run;
}
