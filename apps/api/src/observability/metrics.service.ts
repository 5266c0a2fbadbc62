/**
 * Prometheus metrics (GET /api/metrics): bids accepted and refused by code, bid latency, group commits of bids, socket
 * connections, how late the closer runs behind `endsAt`, how long deposits take to be released after
 * the close, and background job failures; the database pool and whether PostgreSQL and Redis are up come from
 * infra-metrics.ts, read at each scrape. One registry per application instance.
 */
import { Controller, Get, Header, Injectable } from '@nestjs/common';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { Public } from '../common/auth.js';

@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly bids = new Counter({ name: 'fapai_bids_total', help: 'Bids decided, by result and refusal code', labelNames: ['result', 'code'] as const, registers: [this.registry] });
  readonly bidPaths = new Counter({
    name: 'fapai_bid_paths_total',
    help: 'Bids that reached the database, by path: guarded (one statement on the last known state), guarded_missed (its guard failed; decided again on a locked read), locked_read',
    labelNames: ['path'] as const,
    registers: [this.registry],
  });
  readonly bidGroupCommitSize = new Histogram({
    name: 'fapai_bid_group_commit_size',
    help: 'One-statement bids committed together in one transaction (bidding/group-commit.ts)',
    buckets: [1, 2, 4, 8, 16, 32, 64],
    registers: [this.registry],
  });
  readonly bidGroupCommitSplits = new Counter({
    name: 'fapai_bid_group_commit_splits_total',
    help: 'Group commits rolled back and run again one bid at a time, by the error that split them (23505 unique, 40P01 deadlock, 55P03 lock wait)',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  /** Read at each scrape from the bid service's group commit (`readBidGroupCommitWaiting`). */
  private groupCommitWaiting: () => number = () => 0;
  readonly bidGroupCommitWaiting: Gauge = new Gauge({
    name: 'fapai_bid_group_commit_waiting',
    help: 'One-statement bids waiting for a group commit (all its transactions busy at the database)',
    registers: [this.registry],
    collect: (): void => this.bidGroupCommitWaiting.set(this.groupCommitWaiting()),
  });
  readonly bidSeconds = new Histogram({ name: 'fapai_bid_duration_seconds', help: 'Time to decide a bid, from request to commit', buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2], registers: [this.registry] });
  readonly sockets = new Gauge({ name: 'fapai_socket_connections', help: 'Open socket.io connections on /auctions', registers: [this.registry] });
  readonly closerLag = new Histogram({ name: 'fapai_closer_lag_seconds', help: 'How long after endsAt a lot was closed', buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 30, 120, 600], registers: [this.registry] });
  readonly releaseLag = new Histogram({ name: 'fapai_deposit_release_lag_seconds', help: 'Time from the close to a deposit released (OJA Art. 23: 24 h at most)', buckets: [0.5, 1, 5, 15, 60, 300, 3600, 86400], registers: [this.registry] });
  readonly jobFailures = new Counter({ name: 'fapai_job_failures_total', help: 'Background job passes that failed', labelNames: ['job'] as const, registers: [this.registry] });

  readBidGroupCommitWaiting(read: () => number): void {
    this.groupCommitWaiting = read;
  }

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'fapai_' });
  }
}

@Controller()
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get('metrics')
  @Public()
  @ApiExcludeEndpoint()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  metricsText(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
