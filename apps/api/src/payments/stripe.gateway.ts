/**
 * The Stripe adapter. With STRIPE_SECRET_KEY it talks to Stripe (test mode; a live key is refused unless
 * STRIPE_ALLOW_LIVE). Without it, it starts the local Stripe-compatible server of `@fapai/stripe-local` on
 * loopback and points the official SDK at it (host/port/protocol), so the same code path runs offline;
 * its objects are kept in `$DATA_DIR/stripe-local/state.jsonl` across restarts.
 * STRIPE_LOCAL_URL points at an already running local server instead (fault tests drive it from outside).
 */
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import Stripe from 'stripe';
import { startStripeLocal, type StripeLocal } from '@fapai/stripe-local';
import { APP_CONFIG, type AppConfig } from '../config/env.js';

@Injectable()
export class StripeGateway implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Stripe');
  private client?: Stripe;
  private secret = '';
  local?: StripeLocal;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get stripe(): Stripe {
    if (!this.client) throw new Error('Stripe is not initialised');
    return this.client;
  }

  get webhookSecret(): string {
    return this.secret;
  }

  get mode(): 'stripe' | 'local' {
    return this.config.stripe.secretKey ? 'stripe' : 'local';
  }

  async onModuleInit(): Promise<void> {
    const common = { maxNetworkRetries: 2, timeout: 8000, appInfo: { name: 'fapai' } } as const;
    if (this.config.stripe.secretKey) {
      this.client = new Stripe(this.config.stripe.secretKey, common);
      this.secret = this.config.stripe.webhookSecret!;
      return;
    }
    this.secret = this.config.stripe.webhookSecret ?? `whsec_${randomBytes(24).toString('hex')}`;
    const external = process.env.STRIPE_LOCAL_URL;
    let target: URL;
    if (external) {
      target = new URL(external);
    } else {
      // Its objects are kept in DATA_DIR, as Stripe keeps them: deposits held before a restart must still
      // be releasable after it.
      this.local = await startStripeLocal({ port: 0, webhookSecret: this.secret, stateFile: path.join(this.config.dataDir, 'stripe-local', 'state.jsonl') });
      target = new URL(this.local.url);
    }
    this.client = new Stripe('sk_test_fapai_local', { ...common, host: target.hostname, port: Number(target.port), protocol: target.protocol === 'https:' ? 'https' : 'http' });
    this.logger.log(`offline mode: local Stripe-compatible server at ${target.origin}`);
  }

  /** Once the API listens, the local server learns where to deliver webhooks. */
  onListening(baseUrl: string): void {
    this.local?.setWebhookEndpoint(`${baseUrl}/api/payments/stripe/webhook`, this.secret);
  }

  constructEvent(rawBody: Buffer, signature: string): Stripe.Event {
    return this.stripe.webhooks.constructEvent(rawBody, signature, this.secret);
  }

  async onModuleDestroy(): Promise<void> {
    await this.local?.stop();
  }
}
