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

export function dataSourceOptions(url: string, extra: Partial<DataSourceOptions> = {}): DataSourceOptions {
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
    extra: { max: Number(process.env.DB_POOL_SIZE ?? 20), connectionTimeoutMillis: 5000, statement_timeout: 30000, stream: coalescingStream },
    ...extra,
  } as DataSourceOptions;
}

/** For the TypeORM CLI: the database named by DATABASE_URL. */
export default new DataSource(dataSourceOptions(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/fapai'));
