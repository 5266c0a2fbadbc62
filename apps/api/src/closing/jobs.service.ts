/**
 * Background work of one instance: closing due lots, marking started lots, retrying deposit movements and
 * sweeping deposits of finished lots. Each pass is safe with any number of instances (SKIP LOCKED, leases,
 * idempotency keys) and survives restarts because all state lives in PostgreSQL.
 */
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, RULES, type AppConfig } from '../config/env.js';
import type { RulesProfile } from '@fapai/domain';
import { DepositsService } from '../payments/deposits.service.js';
import { MetricsService } from '../observability/metrics.service.js';
import { ClosingService } from './closing.service.js';

interface Loop {
  name: string;
  everyMs: number;
  run: () => Promise<unknown>;
}

@Injectable()
export class JobsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Jobs');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopping = false;
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly closing: ClosingService,
    private readonly deposits: DepositsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(RULES) private readonly rules: RulesProfile,
    private readonly metrics: MetricsService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.backgroundJobs) return;
    const fast = this.rules.name === 'sandbox';
    const loops: Loop[] = [
      { name: 'close', everyMs: fast ? 100 : 500, run: () => this.closing.closeDue() },
      { name: 'start', everyMs: fast ? 250 : 1000, run: () => this.closing.markStarted() },
      { name: 'deposit-retry', everyMs: fast ? 1000 : 5000, run: () => this.deposits.retryDue(20, fast ? 2000 : 10_000) },
      { name: 'hold-conversion', everyMs: fast ? 2000 : 60_000, run: () => this.deposits.convertHolds() },
      { name: 'deposit-sweep', everyMs: fast ? 2000 : 15_000, run: () => this.closing.sweepDeposits() },
    ];
    for (const loop of loops) this.schedule(loop);
  }

  private schedule(loop: Loop): void {
    const tick = async (): Promise<void> => {
      if (this.stopping) return;
      const p = loop.run().catch((error: unknown) => {
        this.metrics.jobFailures.inc({ job: loop.name });
        this.logger.warn(`${loop.name}: ${error instanceof Error ? error.message : String(error)}`);
      });
      this.running.add(p);
      await p;
      this.running.delete(p);
      if (!this.stopping) this.timers.set(loop.name, setTimeout(() => void tick(), loop.everyMs));
    };
    this.timers.set(loop.name, setTimeout(() => void tick(), 50));
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers.values()) clearTimeout(t);
    await Promise.allSettled([...this.running]);
  }
}
