/**
 * A database pool that has stopped moving: queries wait for a client, and no client has come back to the pool
 * for `stallMs`.
 *
 * Readiness (GET /api/health) must not fail in a rush (database-probe.ts), but it must fail when the instance
 * can serve nothing that needs the database while PostgreSQL itself is up: a leaked client, or every client
 * held by transactions stuck behind a lock. A rush does not look like that — clients come back every few
 * milliseconds however long the queue — so the sign is the time since a client last came back while others
 * wait, not the length of the queue. Then the instance answers 503 and a load balancer sends its bidders
 * elsewhere (and an operator learns from `fapai_db_pool_stalled_seconds`).
 */
import type pg from 'pg';

/** What the watch needs of the pool (pg.Pool; a test may hand in its own). */
export interface WatchedPool {
  readonly waitingCount: number;
  on(event: 'release', listener: () => void): unknown;
}

export class PoolStallWatch {
  private lastRelease: number;

  constructor(
    private readonly pool: WatchedPool,
    readonly stallMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.lastRelease = now();
    pool.on('release', () => (this.lastRelease = this.now()));
  }

  /** How long queries have waited with no client coming back (0 while none waits). */
  stalledForMs(): number {
    return this.pool.waitingCount > 0 ? Math.max(0, this.now() - this.lastRelease) : 0;
  }

  /** One reading: how long, and whether that is a stall (so the two never straddle the threshold). */
  read(): { stalledMs: number; stalled: boolean } {
    const stalledMs = this.stalledForMs();
    return { stalledMs, stalled: stalledMs >= this.stallMs };
  }
}

/** The watch of TypeORM's pool, or of nothing before it is connected. */
export function watchPool(pool: pg.Pool | undefined, stallMs: number): PoolStallWatch {
  return new PoolStallWatch(pool ?? { waitingCount: 0, on: () => undefined }, stallMs);
}
