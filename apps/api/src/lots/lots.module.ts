import { Module } from '@nestjs/common';
import { LotSearch } from './lot.search.js';
import { LotsController } from './lots.controller.js';
import { LotsService } from './lots.service.js';

@Module({ controllers: [LotsController], providers: [LotsService, LotSearch], exports: [LotsService] })
export class LotsModule {}
