import { Controller, Get, Headers, HttpCode, Inject, Post, Query, Req } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/env.js';
import { StripeGateway } from './stripe.gateway.js';
import { ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import type { RawBodyRequest } from '../common/http-server.js';
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
    private readonly gateway: StripeGateway,
    @Inject(APP_CONFIG) private readonly appConfig: AppConfig,
  ) {}

  /** Stripe events; the signature is checked on the raw body. */
  @Post('payments/stripe/webhook')
  @HttpCode(200)
  @Public()
  @ApiExcludeEndpoint()
  webhook(@Req() req: RawBodyRequest, @Headers('stripe-signature') signature: string | undefined) {
    return this.webhooks.handle(req.rawBody, signature);
  }

  /** What the browser needs to pay: Stripe.js with the publishable key, or the offline test cards. */
  @Get('payments/config')
  @Public()
  config(): { mode: 'stripe' | 'local'; publishableKey: string | null; testPaymentMethods: string[] } {
    return {
      mode: this.gateway.mode,
      publishableKey: this.gateway.mode === 'stripe' ? (this.appConfig.stripe.publishableKey ?? null) : null,
      testPaymentMethods: this.gateway.mode === 'local' ? ['pm_card_visa', 'pm_card_mastercard', 'pm_card_chargeDeclined', 'pm_card_chargeDeclinedInsufficientFunds'] : [],
    };
  }

  /** The deposit ledger per lot and its invariant (operator). */
  @Get('admin/ledger')
  @Roles('admin')
  ledger(@Query() query: LedgerQuery): Promise<LedgerLine[]> {
    return this.deposits.ledger(query.lotId);
  }
}
