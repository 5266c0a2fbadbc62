import pg from 'pg';
import { withDatabase } from './global-setup.mjs';

export default async function teardown() {
  const serverUrl = process.env.FAPAI_TEST_SERVER_URL;
  if (serverUrl && !process.env.KEEP_TEST_DATABASES) {
    const admin = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
    await admin.connect();
    const template = process.env.FAPAI_TEST_TEMPLATE;
    const { rows } = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE 'fapai_test_%'`);
    // Only this run's databases: the template and the clones made from it are all younger than the run.
    for (const { datname } of rows) {
      if (datname === template || !datname.startsWith('fapai_test_tpl_')) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`).catch(() => undefined);
    }
    await admin.end();
  }
  await globalThis.__FAPAI_EMBEDDED__?.stop();
}
