/**
 * The entities and the migrations agree: on a freshly migrated database, the schema TypeORM would generate
 * is empty. Every migration also has a working `down`: all are reverted and applied again.
 */
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../apps/api/src/database/data-source.js';
import { MIGRATIONS } from '../../migrations/index.js';
import { createTestDatabase } from '../support/platform.js';

it('generating a migration from the entities yields nothing, and every migration reverts and re-applies', async () => {
  const ds = new DataSource(dataSourceOptions(await createTestDatabase()));
  await ds.initialize();
  try {
    const diff = await ds.driver.createSchemaBuilder().log();
    expect(diff.upQueries.map((q) => q.query)).toEqual([]);
    for (let i = 0; i < MIGRATIONS.length; i++) await ds.undoLastMigration({ transaction: 'each' });
    const tables = (await ds.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations'`)) as { n: number }[];
    expect(tables[0].n).toBe(0);
    const applied = await ds.runMigrations({ transaction: 'each' });
    expect(applied).toHaveLength(MIGRATIONS.length);
    expect((await ds.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
  } finally {
    await ds.destroy();
  }
}, 60_000);
