import { Module } from '@nestjs/common';
import { DepositsService } from './deposits.service.js';
import { PaymentsController } from './payments.controller.js';
import { StripeGateway } from './stripe.gateway.js';
import { PaymentIntentRouter } from './intent-router.js';
import { WebhooksService } from './webhooks.service.js';

@Module({ controllers: [PaymentsController], providers: [StripeGateway, DepositsService, WebhooksService, PaymentIntentRouter], exports: [DepositsService, StripeGateway, PaymentIntentRouter] })
export class PaymentsModule {}
