/**
 * Gauges of what the instance depends on, in the registry of GET /api/metrics: the PostgreSQL pool (clients,
 * idle ones, queries waiting for one, how long it has not moved) and whether PostgreSQL and Redis are up. Each is read when Prometheus
 * scrapes (a `collect` callback), so a value is never older than the scrape and no timer runs between scrapes.
 */
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type pg from 'pg';
import { Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/env.js';
import { pgPool } from '../database/pool.js';
import { fanOutState } from '../realtime/io.adapter.js';
import { DatabaseProbe, DB_PROBE_MS } from './database-probe.js';
import { MetricsService } from './metrics.service.js';
import { PoolStallWatch } from './pool-stall.js';

@Injectable()
export class InfraMetrics {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'redisUrl'>,
    metrics: MetricsService,
    probe: DatabaseProbe,
    stall: PoolStallWatch,
  ) {
    const registers = [metrics.registry];
    const pool = (): pg.Pool | undefined => pgPool(this.db);
    new Gauge({ name: 'fapai_db_pool_clients', help: 'Clients of the PostgreSQL pool, busy and idle', registers, collect: poolCount(pool, 'totalCount') });
    new Gauge({ name: 'fapai_db_pool_idle_clients', help: 'Idle clients of the PostgreSQL pool', registers, collect: poolCount(pool, 'idleCount') });
    new Gauge({ name: 'fapai_db_pool_waiting_requests', help: 'Queries waiting for a client of the PostgreSQL pool (every client busy)', registers, collect: poolCount(pool, 'waitingCount') });
    new Gauge({
      name: 'fapai_db_pool_stalled_seconds',
      help: `How long queries have waited for a pool client with none given back (0 while none waits); readiness fails from ${stall.stallMs / 1000} s (DB_POOL_STALL_SECONDS)`,
      registers,
      collect() {
        this.set(Math.floor(stall.stalledForMs() / 1000));
      },
    });
    new Gauge({
      name: 'fapai_db_up',
      help: `Whether PostgreSQL answered SELECT 1 within ${DB_PROBE_MS / 1000} s on the probe's own connection (1) or not (0); a saturated pool is fapai_db_pool_waiting_requests, not down`,
      registers,
      async collect() {
        this.set((await probe.up()) ? 1 : 0);
      },
    });
    // Without REDIS_URL there is no Redis to be up or down: the gauge is not registered, so the metric is
    // absent rather than 0 (an alert on `fapai_redis_up == 0` must not fire on a single instance without it;
    // `absent(fapai_redis_up)` tells the two setups apart).
    if (config.redisUrl) {
      new Gauge({
        name: 'fapai_redis_up',
        help: 'Whether the socket.io Redis adapter is connected (1) or not (0): while it is not, events reach only this instance\'s sockets',
        registers,
        collect() {
          this.set(fanOutState.redisReady ? 1 : 0);
        },
      });
    }
  }
}

function poolCount(pool: () => pg.Pool | undefined, count: 'totalCount' | 'idleCount' | 'waitingCount') {
  return function (this: Gauge) {
    // No pool before TypeORM has connected (or after it was destroyed): no clients.
    this.set(pool()?.[count] ?? 0);
  };
}
