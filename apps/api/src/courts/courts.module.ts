import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module.js';
import { CourtsController } from './courts.controller.js';
import { CourtsService } from './courts.service.js';

@Module({ imports: [AccountsModule], controllers: [CourtsController], providers: [CourtsService], exports: [CourtsService] })
export class CourtsModule {}
