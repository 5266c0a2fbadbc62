import { Controller, Get, Headers, HttpCode, Post, Query, Req } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Public, Roles } from '../common/auth.js';
import { DepositsService, type LedgerLine } from './deposits.service.js';
import { WebhooksService } from './webhooks.service.js';
import { IsOptional } from 'class-validator';
import { Id } from '../common/validation.js';

export class LedgerQuery {
  @Id({ optional: true }) @IsOptional() lotId?: string;
}

@ApiTags('payments')
@Controller()
export class PaymentsController {
  constructor(
    private readonly webhooks: WebhooksService,
    private readonly deposits: DepositsService,
  ) {}

  /** Stripe events; the signature is checked on the raw body. */
  @Post('payments/stripe/webhook')
  @HttpCode(200)
  @Public()
  @ApiExcludeEndpoint()
  webhook(@Req() req: Request & { rawBody?: Buffer }, @Headers('stripe-signature') signature: string | undefined) {
    return this.webhooks.handle(req.rawBody, signature);
  }

  /** The deposit ledger per lot and its invariant (operator). */
  @Get('admin/ledger')
  @Roles('admin')
  ledger(@Query() query: LedgerQuery): Promise<LedgerLine[]> {
    return this.deposits.ledger(query.lotId);
  }
}
