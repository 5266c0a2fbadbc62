import { Module } from '@nestjs/common';
import { DepositsService } from './deposits.service.js';
import { PaymentsController } from './payments.controller.js';
import { StripeGateway } from './stripe.gateway.js';
import { WebhooksService } from './webhooks.service.js';

@Module({ controllers: [PaymentsController], providers: [StripeGateway, DepositsService, WebhooksService], exports: [DepositsService, StripeGateway] })
export class PaymentsModule {}
