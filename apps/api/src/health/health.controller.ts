import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyReply } from 'fastify';
import type { DataSource } from 'typeorm';
import type { RulesProfile } from '@fapai/domain';
import { Public } from '../common/auth.js';
import { RULES } from '../config/env.js';
import { fanOutState } from '../realtime/io.adapter.js';

@ApiTags('platform')
@Controller()
export class HealthController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(RULES) private readonly rules: RulesProfile,
  ) {}

  /**
   * Readiness: 200 when the database answers, 503 otherwise. `redis` says whether the socket.io Redis adapter
   * is connected (`off` without REDIS_URL): while it is `down` the instance still takes bids and serves its
   * own watchers (status `degraded`, still 200), but watchers on other instances do not get its events.
   */
  @Get('health')
  @Public()
  async health(@Res({ passthrough: true }) res: FastifyReply): Promise<{ status: 'ok' | 'degraded'; db: 'up' | 'down'; redis: 'up' | 'down' | 'off'; rulesProfile: string; uptimeSeconds: number }> {
    let db: 'up' | 'down' = 'up';
    try {
      await this.db.query('SELECT 1');
    } catch {
      db = 'down';
    }
    const redis = !fanOutState.redisConfigured ? 'off' : fanOutState.redisReady ? 'up' : 'down';
    if (db === 'down') res.status(503);
    return { status: db === 'up' && redis !== 'down' ? 'ok' : 'degraded', db, redis, rulesProfile: this.rules.name, uptimeSeconds: Math.round(process.uptime()) };
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
