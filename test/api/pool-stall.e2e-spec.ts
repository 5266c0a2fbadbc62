/**
 * Readiness and a pool that has stopped moving (apps/api/src/observability/pool-stall.ts), on real PostgreSQL:
 * every pooled connection stuck behind a lock while more requests wait. A rush alone keeps the instance ready
 * (foundation.e2e-spec.ts); a pool that gives no client back for DB_POOL_STALL_SECONDS takes it out (503), and
 * it is ready again as soon as the pool moves.
 */
import { randomUUID } from 'node:crypto';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { waitFor } from '../support/actors.js';

let t: TestPlatform;
const STALL_SECONDS = 2;

beforeAll(async () => {
  t = await startTestPlatform({ DB_POOL_STALL_SECONDS: String(STALL_SECONDS) });
});
afterAll(async () => {
  await t?.stop();
});

type Health = { status: string; db: string; pool: { size: number; inUse: number; waiting: number; stalledSeconds: number } };

it('answers 503 once queries have waited the stall window with no client given back, and 200 again when the pool moves', async () => {
  const poolMax = t.platform.config.dbPoolSize;
  const locker = await t.db.connect();
  let stuck: Promise<number>[] | undefined;
  let locked = true;
  try {
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE lots IN ACCESS EXCLUSIVE MODE');
    stuck = Array.from({ length: poolMax + 5 }, () => t.http.get(`/api/lots/${randomUUID()}`).then((r) => r.status));
    const waiting = await waitFor('requests waiting for a pool client', async () => {
      const res = await t.http.get('/api/health');
      return (res.body as Health).pool?.waiting > 0 ? res : null;
    });
    // Saturated but not yet stalled: still ready.
    expect(waiting.status).toBe(200);
    const stalled = await waitFor('readiness to fail', async () => {
      const res = await t.http.get('/api/health');
      return res.status === 503 ? res : null;
    }, STALL_SECONDS * 1000 + 10_000);
    expect(stalled.body).toMatchObject({ status: 'degraded', db: 'up', pool: { size: poolMax, inUse: poolMax } });
    expect((stalled.body as Health).pool.stalledSeconds).toBeGreaterThanOrEqual(STALL_SECONDS);
    const metrics = (await t.http.get('/api/metrics').expect(200)).text;
    expect(Number(/^fapai_db_pool_stalled_seconds (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(STALL_SECONDS);
    expect(metrics).toMatch(/^fapai_db_up 1$/m);
    await locker.query('COMMIT');
    locked = false;
    // The pool moves again: ready at once, and the requests that waited are served.
    expect(new Set(await Promise.all(stuck))).toEqual(new Set([404]));
    const after = await t.http.get('/api/health').expect(200);
    expect(after.body).toMatchObject({ status: 'ok', db: 'up', pool: { waiting: 0, stalledSeconds: 0 } });
  } finally {
    if (locked) await locker.query('COMMIT');
    locker.release();
  }
});
