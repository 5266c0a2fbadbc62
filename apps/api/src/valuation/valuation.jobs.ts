/**
 * The valuation timer: the periodic job `valuation-deadlines` of the JobsModule (once per period across
 * instances) applies `deadline_passed` to every procedure whose `next_deadline_at` has come (`FOR UPDATE
 * SKIP LOCKED`, one transaction per procedure). In the sandbox profile the procedure's days are seconds, so
 * it runs every 0.5 s (pg-boss's polling floor; actions on a procedure bring its deadlines up to date
 * themselves, so the timer only matters for procedures nobody touches). Off when BACKGROUND_JOBS=false.
 */
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { RulesProfile } from '@fapai/domain';
import { RULES } from '../config/env.js';
import { JobsService } from '../jobs/jobs.service.js';
import { ValuationService } from './valuation.service.js';

@Injectable()
export class ValuationJobs implements OnModuleInit {
  constructor(
    private readonly jobs: JobsService,
    private readonly valuations: ValuationService,
    @Inject(RULES) private readonly rules: RulesProfile,
  ) {}

  onModuleInit(): void {
    this.jobs.every({ name: 'valuation-deadlines', everyMs: this.rules.name === 'sandbox' ? 500 : 2000, run: () => this.valuations.runDue() });
  }
}
