import type { DataSource } from 'typeorm';
import { fanOutState } from '../realtime/io.adapter.js';
import type { DatabaseProbe } from './database-probe.js';
import { InfraMetrics } from './infra-metrics.js';
import { MetricsService } from './metrics.service.js';
import { PoolStallWatch } from './pool-stall.js';

/** The gauges over a stand-in for TypeORM's data source (its pg pool's counts), a probe answering `up`, and a clock. */
function setup(up: () => Promise<boolean>, redisUrl?: string) {
  const pool = { totalCount: 3, idleCount: 2, waitingCount: 0, on: () => undefined };
  const db = { driver: { master: pool } } as unknown as DataSource;
  const metrics = new MetricsService();
  const clock = { now: 1_000_000 };
  new InfraMetrics(db, { redisUrl }, metrics, { up } as DatabaseProbe, new PoolStallWatch(pool, 10_000, () => clock.now));
  const scrape = async (): Promise<Record<string, number>> => {
    const out: Record<string, number> = {};
    for (const line of (await metrics.registry.metrics()).split('\n')) {
      const m = /^(fapai_(?:db|redis)_\w+) (\S+)$/.exec(line);
      if (m) out[m[1]] = Number(m[2]);
    }
    return out;
  };
  return { pool, scrape, clock };
}

describe('InfraMetrics', () => {
  afterEach(() => {
    fanOutState.redisReady = false;
  });

  it('reads the pool and the probe when scraped, not before', async () => {
    let up = true;
    let asked = 0;
    const { pool, scrape, clock } = setup(() => {
      asked += 1;
      return Promise.resolve(up);
    });
    expect(asked).toBe(0);
    expect(await scrape()).toEqual({ fapai_db_pool_clients: 3, fapai_db_pool_idle_clients: 2, fapai_db_pool_waiting_requests: 0, fapai_db_pool_stalled_seconds: 0, fapai_db_up: 1 });
    expect(asked).toBe(1);
    // A saturated pool and a database that does not answer are two different gauges.
    Object.assign(pool, { totalCount: 20, idleCount: 0, waitingCount: 7 });
    clock.now += 3_500; // and no client given back since the gauges were made
    expect(await scrape()).toEqual({ fapai_db_pool_clients: 20, fapai_db_pool_idle_clients: 0, fapai_db_pool_waiting_requests: 7, fapai_db_pool_stalled_seconds: 3, fapai_db_up: 1 });
    up = false;
    expect((await scrape()).fapai_db_up).toBe(0);
  });

  it('Redis: absent without REDIS_URL, else whether the adapter is connected', async () => {
    const ok = () => Promise.resolve(true);
    expect(await setup(ok).scrape()).not.toHaveProperty('fapai_redis_up');
    const withRedis = setup(ok, 'redis://127.0.0.1:6379');
    expect((await withRedis.scrape()).fapai_redis_up).toBe(0);
    fanOutState.redisReady = true;
    expect((await withRedis.scrape()).fapai_redis_up).toBe(1);
  });
});
