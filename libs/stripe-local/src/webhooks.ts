import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { EmittedEvent } from './engine.js';
import type { WebhookFaults } from './faults.js';

/**
 * Signed webhook delivery. The `Stripe-Signature` header is Stripe's scheme: `t=<unix seconds>,v1=<hex
 * HMAC-SHA256 of "<t>.<payload>" keyed with the endpoint secret>`, computed per attempt over the exact
 * bytes sent, so `stripe.webhooks.constructEvent(rawBody, header, secret)` accepts it. The timestamp is
 * wall-clock time (what the receiver checks its tolerance against), not the injectable server clock.
 */
export function signatureHeader(payload: string, secret: string, timestampSeconds: number): string {
  const v1 = createHmac('sha256', secret).update(`${timestampSeconds}.${payload}`, 'utf8').digest('hex');
  return `t=${timestampSeconds},v1=${v1}`;
}

export interface WebhookEndpoint {
  url: string;
  secret: string;
}

export interface DeliveryAttempt {
  at: number;
  status?: number;
  error?: string;
}

export interface Delivery {
  eventId: string;
  type: string;
  /** 2 for the second copy when duplicate delivery is on. */
  copy: number;
  attempts: DeliveryAttempt[];
  state: 'pending' | 'delivered' | 'failed';
}

export interface RetryPolicy {
  /** Attempts per event copy, including the first (Stripe retries for days; locally this is bounded). */
  maxAttempts: number;
  /** Backoff before retry i is min(baseMs * 2^(i-1), maxMs). */
  baseMs: number;
  maxMs: number;
  /** An attempt without an answer within this time fails. */
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseMs: 200, maxMs: 5_000, timeoutMs: 10_000 };

/**
 * Asynchronous, at-least-once delivery: events about one PaymentIntent go out in order (each waits for the
 * previous one to be delivered or given up), different PaymentIntents in parallel. Receivers must still
 * tolerate duplicates and disorder, which the webhook faults produce on purpose.
 */
export class WebhookDispatcher {
  readonly deliveries: Delivery[] = [];
  private readonly chains = new Map<string, Promise<void>>();
  private readonly pending = new Set<Promise<void>>();
  private readonly sleepers = new Set<() => void>();
  private readonly inFlight = new Set<http.ClientRequest>();
  private window: { events: EmittedEvent[]; timer: NodeJS.Timeout; resolve: (done: Promise<void>) => void; done: Promise<void> } | null =
    null;
  private stopped = false;

  constructor(
    private readonly endpoint: () => WebhookEndpoint | null,
    private readonly faults: WebhookFaults,
    private readonly retry: RetryPolicy,
  ) {}

  /** Queues events for delivery; the promise settles when all of them are delivered or given up. */
  enqueue(events: EmittedEvent[]): Promise<void> {
    if (this.stopped || events.length === 0 || !this.endpoint()) return Promise.resolve();
    if (this.faults.reorder) return this.collect(events);
    return Promise.all(events.map((e) => this.chain(e.streamKey, () => this.deliver(e)))).then(() => undefined);
  }

  /** Resolves once nothing is queued, waiting or being retried. */
  async idle(): Promise<void> {
    this.flushWindow();
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  stop(): void {
    this.stopped = true;
    this.flushWindow();
    for (const wake of this.sleepers) wake();
    for (const req of this.inFlight) req.destroy();
  }

  private chain(key: string, job: () => Promise<void>): Promise<void> {
    const next = (this.chains.get(key) ?? Promise.resolve()).then(job);
    this.chains.set(key, next);
    this.pending.add(next);
    void next.then(() => {
      this.pending.delete(next);
      if (this.chains.get(key) === next) this.chains.delete(key);
    });
    return next;
  }

  /** Reorder fault: events are held for a short window, then delivered newest first. */
  private collect(events: EmittedEvent[]): Promise<void> {
    if (!this.window) {
      let resolve!: (done: Promise<void>) => void;
      const done = new Promise<void>((r) => (resolve = r));
      const timer = setTimeout(() => this.flushWindow(), this.faults.reorderWindowMs);
      this.window = { events: [], timer, resolve, done };
    }
    this.window.events.push(...events);
    return this.window.done;
  }

  private flushWindow(): void {
    const window = this.window;
    if (!window) return;
    this.window = null;
    clearTimeout(window.timer);
    const events = [...window.events].reverse();
    window.resolve(this.chain('reorder', async () => {
      for (const e of events) await this.deliver(e);
    }));
  }

  private async deliver(e: EmittedEvent): Promise<void> {
    if (this.faults.delayMs > 0) await this.sleep(this.faults.delayMs);
    const payload = JSON.stringify(e.event, null, 2);
    const copies = this.faults.duplicate ? 2 : 1;
    for (let copy = 1; copy <= copies; copy++) await this.attempt(e, payload, copy);
  }

  private async attempt(e: EmittedEvent, payload: string, copy: number): Promise<void> {
    const delivery: Delivery = { eventId: e.id, type: e.type, copy, attempts: [], state: 'pending' };
    this.deliveries.push(delivery);
    if (this.deliveries.length > 10_000) this.deliveries.shift();
    for (let i = 0; i < this.retry.maxAttempts && !this.stopped; i++) {
      if (i > 0) await this.sleep(Math.min(this.retry.baseMs * 2 ** (i - 1), this.retry.maxMs));
      const endpoint = this.endpoint();
      if (this.stopped || !endpoint) break;
      const at = Date.now();
      try {
        const status = await this.post(endpoint, payload);
        delivery.attempts.push({ at, status });
        if (status >= 200 && status < 300) {
          delivery.state = 'delivered';
          return;
        }
      } catch (err) {
        delivery.attempts.push({ at, error: (err as Error).message });
      }
    }
    delivery.state = 'failed';
  }

  private post(endpoint: WebhookEndpoint, payload: string): Promise<number> {
    const url = new URL(endpoint.url);
    const signature = signatureHeader(payload, endpoint.secret, Math.floor(Date.now() / 1000));
    return new Promise((resolve, reject) => {
      const req = (url.protocol === 'https:' ? https : http).request(url, {
        method: 'POST',
        agent: false,
        timeout: this.retry.timeoutMs,
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          'Content-Length': Buffer.byteLength(payload),
          'Stripe-Signature': signature,
          'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'Cache-Control': 'no-cache',
        },
      });
      this.inFlight.add(req);
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.retry.timeoutMs} ms`)));
      req.on('error', reject);
      req.on('close', () => this.inFlight.delete(req));
      req.end(payload);
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}
