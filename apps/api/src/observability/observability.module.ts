import { Global, Module } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { RateLimiter } from '../common/rate-limit.js';
import { APP_CONFIG, type AppConfig } from '../config/env.js';
import { pgPool } from '../database/pool.js';
import { DatabaseProbe } from './database-probe.js';
import { PoolStallWatch, watchPool } from './pool-stall.js';
import { InfraMetrics } from './infra-metrics.js';
import { MetricsController, MetricsService } from './metrics.service.js';

/** Metrics, rate limits, the database probe and the pool's stall watch (readiness), available to every module. */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [
    MetricsService,
    InfraMetrics,
    RateLimiter,
    { provide: DatabaseProbe, useFactory: (db: DataSource) => DatabaseProbe.forDataSource(db), inject: [getDataSourceToken()] },
    { provide: PoolStallWatch, useFactory: (db: DataSource, config: AppConfig) => watchPool(pgPool(db), config.poolStallMs), inject: [getDataSourceToken(), APP_CONFIG] },
  ],
  exports: [MetricsService, RateLimiter, DatabaseProbe, PoolStallWatch],
})
export class ObservabilityModule {}
