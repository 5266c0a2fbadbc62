import { jest } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { fanOutState } from '../realtime/io.adapter.js';
import { DB_PROBE_MS, InfraMetrics } from './infra-metrics.js';
import { MetricsService } from './metrics.service.js';

/** The gauges over a stand-in for TypeORM's data source: its pg pool's counts, and `query` as given. */
function setup(query: () => Promise<unknown>, redisUrl?: string) {
  const pool = { totalCount: 3, idleCount: 2, waitingCount: 0 };
  const db = { driver: { master: pool }, query } as unknown as DataSource;
  const metrics = new MetricsService();
  new InfraMetrics(db, { redisUrl }, metrics);
  const scrape = async (): Promise<Record<string, number>> => {
    const out: Record<string, number> = {};
    for (const line of (await metrics.registry.metrics()).split('\n')) {
      const m = /^(fapai_(?:db|redis)_\w+) (\S+)$/.exec(line);
      if (m) out[m[1]] = Number(m[2]);
    }
    return out;
  };
  return { pool, scrape };
}

describe('InfraMetrics', () => {
  afterEach(() => {
    fanOutState.redisReady = false;
    jest.useRealTimers();
  });

  it('reads the pool and the database when scraped, not before', async () => {
    let up = true;
    const { pool, scrape } = setup(() => (up ? Promise.resolve([{ '?column?': 1 }]) : Promise.reject(new Error('connection refused'))));
    expect(await scrape()).toEqual({ fapai_db_pool_clients: 3, fapai_db_pool_idle_clients: 2, fapai_db_pool_waiting_requests: 0, fapai_db_up: 1 });
    Object.assign(pool, { totalCount: 20, idleCount: 0, waitingCount: 7 });
    up = false;
    expect(await scrape()).toEqual({ fapai_db_pool_clients: 20, fapai_db_pool_idle_clients: 0, fapai_db_pool_waiting_requests: 7, fapai_db_up: 0 });
  });

  it('a database that does not answer is down after DB_PROBE_MS: the scrape does not wait for the pool’s timeout', async () => {
    jest.useFakeTimers();
    const { scrape } = setup(() => new Promise(() => undefined));
    const scraped = scrape();
    await jest.advanceTimersByTimeAsync(DB_PROBE_MS);
    expect((await scraped).fapai_db_up).toBe(0);
  });

  it('Redis: absent without REDIS_URL, else whether the adapter is connected', async () => {
    const ok = () => Promise.resolve([]);
    expect(await setup(ok).scrape()).not.toHaveProperty('fapai_redis_up');
    const withRedis = setup(ok, 'redis://127.0.0.1:6379');
    expect((await withRedis.scrape()).fapai_redis_up).toBe(0);
    fanOutState.redisReady = true;
    expect((await withRedis.scrape()).fapai_redis_up).toBe(1);
  });
});
