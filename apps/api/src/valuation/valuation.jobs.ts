/**
 * The valuation timer: applies `deadline_passed` to every procedure whose `next_deadline_at` has come
 * (`FOR UPDATE SKIP LOCKED`, one transaction per procedure), so any number of instances can run it. In the
 * sandbox profile the procedure's days are seconds, so it polls often. Off when BACKGROUND_JOBS=false.
 */
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { RulesProfile } from '@fapai/domain';
import { APP_CONFIG, RULES, type AppConfig } from '../config/env.js';
import { ValuationService } from './valuation.service.js';

@Injectable()
export class ValuationJobs implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ValuationJobs');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopping = false;

  constructor(
    private readonly valuations: ValuationService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(RULES) private readonly rules: RulesProfile,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.backgroundJobs) return;
    const everyMs = this.rules.name === 'sandbox' ? 100 : 2000;
    const tick = async (): Promise<void> => {
      if (this.stopping) return;
      this.running = this.valuations.runDue().catch((error: unknown) => this.logger.warn(`deadlines: ${error instanceof Error ? error.message : String(error)}`));
      await this.running;
      this.running = null;
      if (!this.stopping) this.timer = setTimeout(() => void tick(), everyMs);
    };
    this.timer = setTimeout(() => void tick(), 50);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
