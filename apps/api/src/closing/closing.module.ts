import { Module } from '@nestjs/common';
import { PaymentsModule } from '../payments/payments.module.js';
import { ClosingJobs } from './closing.jobs.js';
import { ClosingService } from './closing.service.js';

@Module({ imports: [PaymentsModule], providers: [ClosingService, ClosingJobs], exports: [ClosingService] })
export class ClosingModule {}
