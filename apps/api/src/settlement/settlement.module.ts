import { Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import type { RulesProfile } from '@fapai/domain';
import { RULES } from '../config/env.js';
import { JobsService } from '../jobs/jobs.service.js';
import { PaymentsModule } from '../payments/payments.module.js';
import { SettlementController } from './settlement.controller.js';
import { SettlementService } from './settlement.service.js';

/**
 * Balance reminders and automatic defaults, and the sweep that creates missing settlements: the periodic
 * job `settlement-deadlines` of the JobsModule (once per period across instances).
 */
@Injectable()
export class SettlementJobs implements OnModuleInit {
  constructor(
    private readonly jobs: JobsService,
    private readonly settlement: SettlementService,
    @Inject(RULES) private readonly rules: RulesProfile,
  ) {}

  onModuleInit(): void {
    this.jobs.every({ name: 'settlement-deadlines', everyMs: this.rules.name === 'sandbox' ? 500 : 30_000, run: () => this.settlement.runDeadlines() });
  }
}

@Module({ imports: [PaymentsModule], controllers: [SettlementController], providers: [SettlementService, SettlementJobs], exports: [SettlementService] })
export class SettlementModule {}
