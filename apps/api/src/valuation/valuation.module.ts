import { Module } from '@nestjs/common';
import { ValuationController } from './valuation.controller.js';
import { ValuationJobs } from './valuation.jobs.js';
import { ValuationService } from './valuation.service.js';

/** The reference-price procedure (RPR 2018); owns valuations, valuation_events, valuation_assignments, valuation_reports. */
@Module({ controllers: [ValuationController], providers: [ValuationService, ValuationJobs], exports: [ValuationService] })
export class ValuationModule {}
