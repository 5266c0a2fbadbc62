/**
 * TypeORM's pg pool, for the few places that talk to it directly (the bid transaction, pool gauges), and the
 * settings of a connection of its own beside it (LISTEN for token revocations, the health probe): the same
 * server, user and options as the pool, so there is one place that says how to reach the database.
 */
import type pg from 'pg';
import type { DataSource } from 'typeorm';

/** The pool; undefined before TypeORM has connected or after it was destroyed. */
export function pgPool(db: DataSource): pg.Pool | undefined {
  return (db.driver as unknown as { master?: pg.Pool }).master;
}

/** The pool's connection settings for a client of its own, without the pool's socket (coalescing-socket.ts). */
export function ownConnectionConfig(db: DataSource): pg.ClientConfig {
  const pool = pgPool(db);
  if (!pool) throw new Error('the database is not connected');
  return { ...(pool.options as pg.ClientConfig), stream: undefined };
}
