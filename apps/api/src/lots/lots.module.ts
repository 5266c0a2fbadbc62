import { Module } from '@nestjs/common';
import { ValuationModule } from '../valuation/valuation.module.js';
import { LotSearch } from './lot.search.js';
import { LotsController } from './lots.controller.js';
import { LotsService } from './lots.service.js';

@Module({ imports: [ValuationModule], controllers: [LotsController], providers: [LotsService, LotSearch], exports: [LotsService] })
export class LotsModule {}
