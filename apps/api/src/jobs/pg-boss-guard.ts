/**
 * pg-boss 10 marks a fetched job done or failed with promises nobody awaits (`Manager.complete` and
 * `Manager.fail`, called from its worker's `onFetch` without `await` or `catch`). When PostgreSQL goes away
 * at that moment (a restart, a failover), the rejection is unhandled and Node ends the process: a database
 * blip would take an API instance down (found by the PostgreSQL-restart fault test).
 *
 * Losing such a write is harmless: the job stays `active`, expires, and is retried; our handlers are
 * idempotent. So the process entry point lets exactly these rejections pass with a warning, and keeps
 * Node's default (exit) for every other unhandled rejection.
 */
const BOOKKEEPING = /\bManager\.(complete|fail)\b[^\n]*[\\/]pg-boss[\\/]src[\\/]manager\.js/;

export function isPgBossBookkeepingRejection(reason: unknown): boolean {
  return reason instanceof Error && typeof reason.stack === 'string' && BOOKKEEPING.test(reason.stack);
}
