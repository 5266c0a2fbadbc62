/**
 * The TypeORM data source. Used by the app (through TypeOrmModule) and by the migration CLI
 * (`npm run migration:generate|run|revert`). `synchronize` is off everywhere: the schema changes only
 * through the migrations in /migrations, each with a real `down`.
 */
import 'reflect-metadata';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities.js';
import { MIGRATIONS } from '../../../../migrations/index.js';
import { coalescingStream } from './coalescing-socket.js';

/** `poolSize`: DB_POOL_SIZE for the app (config/env.ts); the default serves the CLI, migrations and tests. */
export function dataSourceOptions(url: string, poolSize = 20): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    migrationsTableName: 'migrations',
    uuidExtension: 'pgcrypto',
    // Pool size is the database concurrency of one instance: more clients on one hot row only adds contention.
    extra: { max: poolSize, connectionTimeoutMillis: 5000, statement_timeout: 30000, stream: coalescingStream },
  } as DataSourceOptions;
}

/** For the TypeORM CLI: the database named by DATABASE_URL. */
export default new DataSource(dataSourceOptions(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/fapai'));
