#!/usr/bin/env node
/**
 * Migrations: generate | run | revert | check, against DATABASE_URL or, when it is unset, the embedded
 * PostgreSQL of the development data folder. `generate <Name>` writes migrations/<timestamp>-<Name>.ts and
 * registers it in migrations/index.ts; `check` fails when the entities and the migrations disagree (the
 * schema a generate would produce is not empty) — CI runs it on a fresh database.
 */
import { writeFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';

const root = path.resolve(import.meta.dirname, '..');
const dist = path.join(root, 'apps/api/dist/apps/api/src');
const { dataSourceOptions } = await import(path.join(dist, 'database/data-source.js'));
const { startEmbeddedPostgres } = await import(path.join(dist, 'database/embedded-postgres.js'));

const [command, name] = process.argv.slice(2);
let url = process.env.DATABASE_URL;
let embedded;
if (!url) {
  embedded = await startEmbeddedPostgres({ dataDir: path.join(process.env.DATA_DIR ?? path.join(root, '.data'), 'postgres') });
  url = embedded.url;
}
const ds = new DataSource(dataSourceOptions(url));
await ds.initialize();
let exitCode = 0;
try {
  switch (command) {
    case 'run': {
      const done = await ds.runMigrations({ transaction: 'each' });
      console.log(done.length ? `applied: ${done.map((m) => m.name).join(', ')}` : 'no pending migrations');
      break;
    }
    case 'revert':
      await ds.undoLastMigration({ transaction: 'each' });
      console.log('reverted the last migration');
      break;
    case 'generate':
    case 'check': {
      await ds.runMigrations({ transaction: 'each' });
      const sql = await ds.driver.createSchemaBuilder().log();
      if (command === 'check') {
        if (sql.upQueries.length > 0) {
          console.error('entities and migrations disagree; a new migration would contain:');
          for (const q of sql.upQueries) console.error(`  ${q.query}`);
          exitCode = 1;
        } else console.log('entities and migrations agree (a generated migration would be empty)');
        break;
      }
      if (!name || !/^[A-Z][A-Za-z0-9]+$/.test(name)) throw new Error('usage: npm run migration:generate -- --name=PascalCaseName');
      if (sql.upQueries.length === 0) {
        console.log('no changes: nothing to generate');
        break;
      }
      const stamp = Date.now();
      const className = `${name}${stamp}`;
      const q = (s) => '`' + s.replace(/`/g, '\\`').replace(/\$\{/g, '\\${') + '`';
      const up = sql.upQueries.map((x) => `    await queryRunner.query(${q(x.query)});`).join('\n');
      const down = sql.downQueries.slice().reverse().map((x) => `    await queryRunner.query(${q(x.query)});`).join('\n');
      const file = `${stamp}-${name}`;
      writeFileSync(
        path.join(root, 'migrations', `${file}.ts`),
        `import type { MigrationInterface, QueryRunner } from 'typeorm';\n\nexport class ${className} implements MigrationInterface {\n  name = '${className}';\n\n  async up(queryRunner: QueryRunner): Promise<void> {\n${up}\n  }\n\n  async down(queryRunner: QueryRunner): Promise<void> {\n${down}\n  }\n}\n`,
      );
      const indexFile = path.join(root, 'migrations', 'index.ts');
      const index = readFileSync(indexFile, 'utf8')
        .replace('// <imports>', `import { ${className} } from './${file}.js';\n// <imports>`)
        .replace('// <list>', `${className},\n  // <list>`);
      writeFileSync(indexFile, index);
      console.log(`wrote migrations/${file}.ts`);
      break;
    }
    default:
      throw new Error('usage: migrations.mjs generate <Name> | run | revert | check');
  }
} finally {
  await ds.destroy();
  await embedded?.stop();
}
process.exit(exitCode);
