import { Global, Module } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { RateLimiter } from '../common/rate-limit.js';
import { DatabaseProbe } from './database-probe.js';
import { InfraMetrics } from './infra-metrics.js';
import { MetricsController, MetricsService } from './metrics.service.js';

/** Metrics, rate limits and the database probe (readiness), available to every module. */
@Global()
@Module({ controllers: [MetricsController], providers: [MetricsService, InfraMetrics, RateLimiter, { provide: DatabaseProbe, useFactory: (db: DataSource) => DatabaseProbe.forDataSource(db), inject: [getDataSourceToken()] }], exports: [MetricsService, RateLimiter, DatabaseProbe] })
export class ObservabilityModule {}
