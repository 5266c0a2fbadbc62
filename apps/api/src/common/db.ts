import type { EntityManager } from 'typeorm';

/** The database clock: the one time source for bids and state changes (OJA Art. 20: server receipt time). */
export async function dbNow(em: EntityManager): Promise<Date> {
  const rows = (await em.query('SELECT clock_timestamp() AS now')) as { now: Date }[];
  return rows[0].now;
}

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const code = e.code ?? e.driverError?.code;
  const name = e.constraint ?? e.driverError?.constraint;
  return code === '23505' && (!constraint || name === constraint);
}

/**
 * The rows of an `UPDATE … RETURNING` run through TypeORM's `query`: its PostgreSQL driver answers
 * `[rows, affectedCount]` for UPDATE/DELETE and plain rows otherwise.
 */
export function returnedRows<T>(result: unknown): T[] {
  const r = result as unknown[];
  return (Array.isArray(r[0]) ? r[0] : r) as T[];
}
