import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';

/**
 * Routes a PaymentIntent (from an API response or a webhook) to the module that owns it, by the `kind`
 * in its metadata: `deposit` → deposits, `balance` → settlement. Modules register themselves at start.
 */
@Injectable()
export class PaymentIntentRouter {
  private readonly handlers = new Map<string, (intent: Stripe.PaymentIntent) => Promise<void>>();

  register(kind: string, handler: (intent: Stripe.PaymentIntent) => Promise<void>): void {
    this.handlers.set(kind, handler);
  }

  async reconcile(intent: Stripe.PaymentIntent): Promise<void> {
    const handler = this.handlers.get(intent.metadata?.['kind'] ?? '');
    if (handler) await handler(intent);
  }
}
