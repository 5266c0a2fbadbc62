import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import Stripe from 'stripe';
import type { DataSource } from 'typeorm';
import { PaymentIntentRouter } from './intent-router.js';
import { PaymentError } from './payments.errors.js';
import { StripeGateway } from './stripe.gateway.js';

/**
 * Stripe webhooks: the signature is checked on the raw body; each event id is recorded once (a duplicate
 * is a no-op); and rather than trusting the event's copy of the object — events can arrive late or out of
 * order — the PaymentIntent is fetched fresh and reconciled.
 */
@Injectable()
export class WebhooksService {
  private readonly logger = new Logger('StripeWebhooks');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly gateway: StripeGateway,
    private readonly router: PaymentIntentRouter,
  ) {}

  async handle(rawBody: Buffer | undefined, signature: string | undefined): Promise<{ received: true; duplicate: boolean }> {
    let event: Stripe.Event;
    try {
      if (!rawBody || !signature) throw new Error('missing body or signature');
      event = this.gateway.constructEvent(rawBody, signature);
    } catch {
      throw new PaymentError('WEBHOOK_SIGNATURE_INVALID');
    }
    const missing = missingField(event);
    if (missing) throw new PaymentError('WEBHOOK_EVENT_MALFORMED', { fields: [{ field: missing, rules: { required: `a Stripe event has ${missing}` } }] }, `the Stripe event has no ${missing}`);
    const seen = (await this.db.query('SELECT 1 FROM stripe_events WHERE id = $1', [event.id])) as unknown[];
    if (seen.length > 0) return { received: true, duplicate: true };
    const intentId = paymentIntentIdOf(event);
    if (intentId) {
      // Fetched fresh: the event's copy may be stale. If Stripe does not answer, we answer 5xx and it retries.
      const intent = await this.gateway.stripe.paymentIntents.retrieve(intentId, { expand: ['latest_charge'] }).catch((error: unknown) => {
        // Stripe does not know it either (an event of another account or a deleted test object): retrying
        // cannot help, so it is acknowledged and recorded like any other event, and left for a person to read.
        if (!(error instanceof Stripe.errors.StripeError && error.code === 'resource_missing')) throw error;
        this.logger.warn(`event ${event.id} (${event.type}) names PaymentIntent ${intentId}, which Stripe does not know: acknowledged and ignored`);
        return null;
      });
      if (intent) await this.router.reconcile(intent);
    }
    const inserted = (await this.db.query(`INSERT INTO stripe_events (id, type, object_id) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING RETURNING id`, [event.id, event.type, intentId])) as unknown[];
    return { received: true, duplicate: inserted.length === 0 };
  }
}

/** The fields this service reads: a signed event without them is malformed, and retrying will not mend it. */
function missingField(event: Stripe.Event): string | null {
  const e = event as Partial<Stripe.Event> | null;
  if (typeof e?.id !== 'string' || !e.id) return 'id';
  if (typeof e.type !== 'string' || !e.type) return 'type';
  if (!e.data || typeof e.data !== 'object') return 'data';
  if (!e.data.object || typeof e.data.object !== 'object') return 'data.object';
  return null;
}

function paymentIntentIdOf(event: Stripe.Event): string | null {
  const object = event.data.object as { object?: string; id?: string; payment_intent?: string | { id: string } | null };
  if (object.object === 'payment_intent') return object.id ?? null;
  const pi = object.payment_intent;
  if (typeof pi === 'string') return pi;
  if (pi && typeof pi === 'object') return pi.id;
  return null;
}
