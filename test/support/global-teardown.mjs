import pg from 'pg';
import { withDatabase } from './global-setup.mjs';

export default async function teardown() {
  const serverUrl = process.env.FAPAI_TEST_SERVER_URL;
  if (serverUrl && !process.env.KEEP_TEST_DATABASES) {
    const admin = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
    await admin.connect();
    // Only this run's databases (other runs may share the server): the template and its clones.
    const run = process.env.FAPAI_TEST_RUN;
    const { rows } = await admin.query(`SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2`, [`fapai_test_tpl_${run}`, `fapai_test_${run}_%`]);
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
  await globalThis.__FAPAI_EMBEDDED__?.stop();
}
