/**
 * The background work of closing and deposits, registered with the JobsModule:
 * - `lot-close` (one job per lot, due at its `endsAt`, enqueued when the lot is published or resumed, or a
 *   sale-off round opens): closes the lot; when the end has moved (extensions are not enqueued, to keep the
 *   bid path free of it), the job enqueues itself again for the new end;
 * - `deposit-release` (enqueued in the closing transaction, or the withdrawal's): settles the deposits;
 * - periodic: `close-sweep` (any due lot without a job: lots from before the jobs, demo data), `mark-started`,
 *   `deposit-retry`, `hold-conversion`, `deposit-sweep`.
 * Periods in the sandbox profile are shorter (its auctions last seconds), but not below 0.5 s.
 */
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { RulesProfile } from '@fapai/domain';
import { RULES } from '../config/env.js';
import { JobsService } from '../jobs/jobs.service.js';
import { DepositsService } from '../payments/deposits.service.js';
import { ClosingService } from './closing.service.js';
import { DEPOSIT_RELEASE, LOT_CLOSE, lotCloseJob, type DepositReleaseData, type LotCloseData } from './closing.queues.js';

@Injectable()
export class ClosingJobs implements OnModuleInit {
  constructor(
    private readonly jobs: JobsService,
    private readonly closing: ClosingService,
    private readonly deposits: DepositsService,
    @Inject(RULES) private readonly rules: RulesProfile,
  ) {}

  onModuleInit(): void {
    const fast = this.rules.name === 'sandbox';
    this.jobs.define<LotCloseData>({
      name: LOT_CLOSE,
      policy: 'short',
      retryLimit: 10,
      retryDelaySeconds: 1,
      expireInSeconds: 60,
      batchSize: 20,
      handle: async ({ lotId }) => {
        const r = await this.closing.closeLot(lotId);
        if (r.movedTo) await this.jobs.send(lotCloseJob(lotId, r.movedTo));
      },
    });
    this.jobs.define<DepositReleaseData>({
      name: DEPOSIT_RELEASE,
      policy: 'standard',
      retryLimit: 12,
      retryDelaySeconds: fast ? 1 : 5,
      expireInSeconds: 300,
      batchSize: 10,
      handle: ({ lotId, winnerEnrolmentId }) => this.deposits.settleAfterClose(lotId, winnerEnrolmentId),
    });
    this.jobs.every({ name: 'close-sweep', everyMs: fast ? 1000 : 5000, run: () => this.closing.closeDue() });
    this.jobs.every({ name: 'mark-started', everyMs: fast ? 500 : 1000, run: () => this.closing.markStarted() });
    this.jobs.every({ name: 'deposit-retry', everyMs: fast ? 1000 : 5000, run: () => this.deposits.retryDue(20, fast ? 2000 : 10_000) });
    this.jobs.every({ name: 'hold-conversion', everyMs: fast ? 2000 : 60_000, run: () => this.deposits.convertHolds() });
    this.jobs.every({ name: 'deposit-sweep', everyMs: fast ? 2000 : 15_000, run: () => this.closing.sweepDeposits() });
  }
}
