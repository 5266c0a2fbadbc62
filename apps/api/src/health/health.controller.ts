import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyReply } from 'fastify';
import type { DataSource } from 'typeorm';
import type { RulesProfile } from '@fapai/domain';
import { Public } from '../common/auth.js';
import { RULES } from '../config/env.js';
import { pgPool } from '../database/pool.js';
import { DatabaseProbe } from '../observability/database-probe.js';
import { PoolStallWatch } from '../observability/pool-stall.js';
import { fanOutState } from '../realtime/io.adapter.js';

@ApiTags('platform')
@Controller()
export class HealthController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(RULES) private readonly rules: RulesProfile,
    private readonly probe: DatabaseProbe,
    private readonly stall: PoolStallWatch,
  ) {}

  /**
   * Readiness: 200 when the database answers, 503 otherwise. The database is asked on the probe's own
   * connection (DatabaseProbe), so a pool saturated by a bidding rush is not "down": `pool` says how busy it
   * is (clients in use of the pool's size, and queries waiting for one) without failing readiness, which
   * would take a working instance out of the load balancer when it is needed most. `redis` says whether the
   * socket.io Redis adapter is connected (`off` without REDIS_URL): while it is `down` the instance still takes
   * bids and serves its own watchers (status `degraded`, still 200), but watchers on other instances do not
   * get its events. One thing about the pool does fail readiness: a pool that has stopped moving (queries
   * waiting and no client given back for DB_POOL_STALL_SECONDS: a leak, or every client stuck behind a lock;
   * pool-stall.ts) serves nothing, so the instance answers 503 with `pool.stalledSeconds`.
   */
  @Get('health')
  @Public()
  async health(@Res({ passthrough: true }) res: FastifyReply): Promise<{
    status: 'ok' | 'degraded';
    db: 'up' | 'down';
    pool: { size: number; inUse: number; waiting: number; stalledSeconds: number };
    redis: 'up' | 'down' | 'off';
    rulesProfile: string;
    uptimeSeconds: number;
  }> {
    const db = (await this.probe.up()) ? 'up' : 'down';
    const redis = !fanOutState.redisConfigured ? 'off' : fanOutState.redisReady ? 'up' : 'down';
    const { stalledMs, stalled } = this.stall.read();
    const pool = this.poolState(Math.floor(stalledMs / 1000));
    if (db === 'down' || stalled) res.status(503);
    return { status: db === 'up' && !stalled && redis !== 'down' ? 'ok' : 'degraded', db, pool, redis, rulesProfile: this.rules.name, uptimeSeconds: Math.round(process.uptime()) };
  }

  private poolState(stalledSeconds: number): { size: number; inUse: number; waiting: number; stalledSeconds: number } {
    const pool = pgPool(this.db);
    return pool ? { size: pool.options.max ?? 10, inUse: pool.totalCount - pool.idleCount, waiting: pool.waitingCount, stalledSeconds } : { size: 0, inUse: 0, waiting: 0, stalledSeconds };
  }

  /** Liveness: the process answers. */
  @Get('health/live')
  @Public()
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** The server clock, for countdowns (never the device clock). */
  @Get('time')
  @Public()
  time(): { now: string } {
    return { now: new Date().toISOString() };
  }

  /** The active rules profile and every statutory number in it. */
  @Get('rules')
  @Public()
  rulesProfile(): RulesProfile {
    return this.rules;
  }
}
