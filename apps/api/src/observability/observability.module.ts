import { Global, Module } from '@nestjs/common';
import { RateLimiter } from '../common/rate-limit.js';
import { InfraMetrics } from './infra-metrics.js';
import { MetricsController, MetricsService } from './metrics.service.js';

/** Metrics and rate limits, available to every module. */
@Global()
@Module({ controllers: [MetricsController], providers: [MetricsService, InfraMetrics, RateLimiter], exports: [MetricsService, RateLimiter] })
export class ObservabilityModule {}
