import { Module } from '@nestjs/common';
import { TokenVerifier, TokenVersionSource } from '../common/auth.js';
import { AccountsController } from './accounts.controller.js';
import { AccountsService } from './accounts.service.js';
import { TokenVersions } from './token-versions.js';

@Module({ controllers: [AccountsController], providers: [AccountsService, TokenVersions, { provide: TokenVersionSource, useExisting: AccountsService }, TokenVerifier], exports: [AccountsService, TokenVerifier] })
export class AccountsModule {}
