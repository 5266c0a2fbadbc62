import { Module } from '@nestjs/common';
import { PaymentsModule } from '../payments/payments.module.js';
import { ClosingService } from './closing.service.js';
import { JobsService } from './jobs.service.js';

@Module({ imports: [PaymentsModule], providers: [ClosingService, JobsService], exports: [ClosingService] })
export class ClosingModule {}
