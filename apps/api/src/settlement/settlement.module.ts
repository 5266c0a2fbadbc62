import { Injectable, Module, type OnApplicationBootstrap, type OnApplicationShutdown, Inject, Logger } from '@nestjs/common';
import type { RulesProfile } from '@fapai/domain';
import { APP_CONFIG, RULES, type AppConfig } from '../config/env.js';
import { PaymentsModule } from '../payments/payments.module.js';
import { SettlementController } from './settlement.controller.js';
import { SettlementService } from './settlement.service.js';

/** Balance reminders and automatic defaults, and the sweep that creates missing settlements. */
@Injectable()
export class SettlementJobs implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SettlementJobs');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopping = false;

  constructor(
    private readonly settlement: SettlementService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(RULES) private readonly rules: RulesProfile,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.backgroundJobs) return;
    const every = this.rules.name === 'sandbox' ? 500 : 30_000;
    const tick = async (): Promise<void> => {
      this.running = this.settlement.runDeadlines().catch((error: unknown) => this.logger.warn(String(error)));
      await this.running;
      if (!this.stopping) this.timer = setTimeout(() => void tick(), every);
    };
    this.timer = setTimeout(() => void tick(), 200);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.running;
  }
}

@Module({ imports: [PaymentsModule], controllers: [SettlementController], providers: [SettlementService, SettlementJobs], exports: [SettlementService] })
export class SettlementModule {}
