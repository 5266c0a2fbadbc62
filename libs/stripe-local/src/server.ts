import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Engine, type OpContext } from './engine.js';
import { StripeApiError, stripeError, type JsonObject } from './errors.js';
import { Faults, type Fault, type FailOptions, type TimeoutOptions } from './faults.js';
import { FormError, canonical, parseForm } from './form.js';
import { IdempotencyStore } from './idempotency.js';
import { StateJournal } from './journal.js';
import { newId, randomToken } from './ids.js';
import { Params } from './params.js';
import { DEFAULT_RETRY, WebhookDispatcher, type Delivery, type RetryPolicy, type WebhookEndpoint } from './webhooks.js';

/** The API version of the `stripe` SDK v23 (what it sends as Stripe-Version). */
export const DEFAULT_API_VERSION = '2026-10-28.endive';
export const HOLD_MS = 7 * 24 * 3600_000;

export interface StripeLocalOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  webhookUrl?: string;
  /** `whsec_…`; generated when a webhook URL is given without one. */
  webhookSecret?: string;
  /** When set, requests must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** The server clock in milliseconds (Date.now by default); `clock.advance` moves it further. */
  now?: () => number;
  /** Version for webhook events and for requests without a Stripe-Version header. */
  apiVersion?: string;
  /** How long a manual-capture authorisation is held (7 days). */
  holdMs?: number;
  /** Deliver a request's webhooks (with retries) before answering it: deterministic tests. */
  syncWebhooks?: boolean;
  webhookRetry?: Partial<RetryPolicy>;
  /** How often the hold-expiry timer looks (expiry is also checked on every request). */
  expiryCheckMs?: number;
  /**
   * A file that keeps every object across restarts, as Stripe does (journal.ts); without it the state
   * lives in memory only.
   */
  stateFile?: string;
}

export interface RequestLogEntry {
  id: string;
  at: number;
  method: string;
  path: string;
  idempotencyKey: string | null;
  /** null when the connection was dropped. */
  status: number | null;
  replayed: boolean;
  fault: string | null;
}

export interface LocalClock {
  now(): number;
  /** Moves the server clock forward and expires the holds that fall due; returns the new time. */
  advance(ms: number): number;
}

export interface StripeLocal {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly apiVersion: string;
  readonly faults: Faults;
  readonly clock: LocalClock;
  readonly webhookUrl: string | null;
  readonly webhookSecret: string | null;
  syncWebhooks: boolean;
  /** Points webhooks at `url` (null stops them); returns the signing secret in use. */
  setWebhookEndpoint(url: string | null, secret?: string): string | null;
  paymentIntent(id: string): JsonObject | undefined;
  paymentIntents(): JsonObject[];
  charges(): JsonObject[];
  refunds(): JsonObject[];
  events(type?: string): JsonObject[];
  deliveries(): Delivery[];
  requests(): RequestLogEntry[];
  /** Completes the 3D Secure step of a PaymentIntent in requires_action (the customer's part). */
  authenticate(paymentIntentId: string, outcome?: 'succeed' | 'fail'): JsonObject;
  /** Resolves when every queued webhook has been delivered or given up. */
  waitForWebhooks(): Promise<void>;
  /** Forgets all objects, events, idempotency keys and faults. */
  reset(): void;
  stop(): Promise<void>;
}

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string>;
}

type Handler = (p: Params, ctx: OpContext, id: string) => JsonObject;

const json = (value: unknown) => JSON.stringify(value, null, 2);

function readBody(req: http.IncomingMessage, limit = 1 << 20): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) req.destroy(new Error('request body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function maskKey(key: string): string {
  const prefix = /^[a-z]+_(test_|live_)?/.exec(key)?.[0] ?? '';
  return `${prefix}${'*'.repeat(Math.max(0, key.length - prefix.length - 4))}${key.slice(-4)}`;
}

export async function startStripeLocal(options: StripeLocalOptions = {}): Promise<StripeLocal> {
  const host = options.host ?? '127.0.0.1';
  const apiVersion = options.apiVersion ?? DEFAULT_API_VERSION;
  const baseNow = options.now ?? Date.now;
  let offset = 0;
  let baseUrl = '';
  let endpoint: WebhookEndpoint | null = null;
  const faults = new Faults();
  const idempotency = new IdempotencyStore();
  const requestLog: RequestLogEntry[] = [];
  const held = new Set<() => void>();
  const engine = new Engine({
    holdMs: options.holdMs ?? HOLD_MS,
    apiVersion,
    hasWebhookEndpoint: () => endpoint !== null,
    baseUrl: () => baseUrl,
  });
  const journal = options.stateFile ? new StateJournal(options.stateFile, engine, idempotency) : null;
  journal?.open();
  const dispatcher = new WebhookDispatcher(() => endpoint, faults.webhooks, { ...DEFAULT_RETRY, ...options.webhookRetry });

  const clock: LocalClock = {
    now: () => baseNow() + offset,
    advance(ms: number) {
      offset += ms;
      void expireHolds();
      return clock.now();
    },
  };

  function setWebhookEndpoint(url: string | null, secret?: string): string | null {
    endpoint = url ? { url, secret: secret ?? endpoint?.secret ?? `whsec_${randomToken(32)}` } : null;
    return endpoint?.secret ?? null;
  }
  if (options.webhookUrl) setWebhookEndpoint(options.webhookUrl, options.webhookSecret);

  function context(version = apiVersion): OpContext {
    return { now: clock.now(), version, requestId: null, idempotencyKey: null, events: [] };
  }

  function expireHolds(): Promise<void> {
    const ctx = context();
    engine.expireHolds(ctx);
    if (ctx.events.length > 0) journal?.flush();
    return dispatcher.enqueue(ctx.events);
  }

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        held.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      held.add(wake);
    });

  // ------------------------------------------------------------------ the Stripe API

  const routes: [string, RegExp, Handler][] = [
    ['POST', /^\/v1\/payment_intents$/, (p, ctx) => engine.createPaymentIntent(p, ctx)],
    ['GET', /^\/v1\/payment_intents$/, (p, ctx) => engine.listPaymentIntents(p, ctx)],
    ['GET', /^\/v1\/payment_intents\/([^/]+)$/, (p, ctx, id) => engine.retrievePaymentIntent(id, p, ctx)],
    ['POST', /^\/v1\/payment_intents\/([^/]+)$/, (p, ctx, id) => engine.updatePaymentIntent(id, p, ctx)],
    ['POST', /^\/v1\/payment_intents\/([^/]+)\/confirm$/, (p, ctx, id) => engine.confirmPaymentIntent(id, p, ctx)],
    ['POST', /^\/v1\/payment_intents\/([^/]+)\/capture$/, (p, ctx, id) => engine.capturePaymentIntent(id, p, ctx)],
    ['POST', /^\/v1\/payment_intents\/([^/]+)\/cancel$/, (p, ctx, id) => engine.cancelPaymentIntent(id, p, ctx)],
    ['POST', /^\/v1\/refunds$/, (p, ctx) => engine.createRefund(p, ctx)],
    ['GET', /^\/v1\/refunds$/, (p, ctx) => engine.listRefunds(p, ctx)],
    ['GET', /^\/v1\/refunds\/([^/]+)$/, (p, ctx, id) => engine.retrieveRefund(id, p, ctx)],
    ['POST', /^\/v1\/refunds\/([^/]+)$/, (p, ctx, id) => engine.updateRefund(id, p, ctx)],
    ['GET', /^\/v1\/charges$/, (p, ctx) => engine.listCharges(p, ctx)],
    ['GET', /^\/v1\/charges\/([^/]+)$/, (p, ctx, id) => engine.retrieveCharge(id, p, ctx)],
    ['POST', /^\/v1\/payment_methods$/, (p, ctx) => engine.createPaymentMethod(p, ctx)],
    ['GET', /^\/v1\/payment_methods\/([^/]+)$/, (p, _ctx, id) => engine.retrievePaymentMethod(id, p)],
    ['POST', /^\/v1\/customers$/, (p, ctx) => engine.createCustomer(p, ctx)],
    ['GET', /^\/v1\/customers\/([^/]+)$/, (p, _ctx, id) => engine.retrieveCustomer(id, p)],
    ['GET', /^\/v1\/events$/, (p) => engine.listEvents(p)],
    ['GET', /^\/v1\/events\/([^/]+)$/, (p, _ctx, id) => engine.retrieveEvent(id, p)],
  ];

  function authenticate(req: http.IncomingMessage): { scope: string } | StripeApiError {
    const auth = header(req, 'authorization') ?? '';
    let key: string | null = null;
    if (/^Bearer /i.test(auth)) key = auth.slice(7).trim();
    else if (/^Basic /i.test(auth)) key = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':')[0] ?? null;
    if (!options.apiKey) return { scope: key ?? '' };
    if (!key) {
      return stripeError(
        401,
        'invalid_request_error',
        "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
      );
    }
    if (key !== options.apiKey) return stripeError(401, 'invalid_request_error', `Invalid API Key provided: ${maskKey(key)}`);
    return { scope: key };
  }

  /** One API request from authentication to answer; `replaceWith` is a fail-after-executing fault. */
  async function api(req: http.IncomingMessage, url: URL, raw: string, requestId: string, log: RequestLogEntry, replaceWith?: Answer): Promise<Answer> {
    const method = log.method;
    const version = header(req, 'stripe-version') ?? apiVersion;
    const key = method === 'POST' ? (header(req, 'idempotency-key') ?? null) : null;
    const headers: Record<string, string> = { 'Request-Id': requestId, 'Stripe-Version': version };
    if (key) headers['Idempotency-Key'] = key;
    const answer = (status: number, body: JsonObject): Answer => ({ status, body: json(body), headers: { ...headers } });
    const failure = (e: StripeApiError): Answer => {
      const a = answer(e.status, { error: { ...e.error, request_log_url: `${baseUrl}/_control/requests/${requestId}` } });
      if (e.status === 401) a.headers['WWW-Authenticate'] = 'Basic realm="Stripe"';
      return a;
    };

    const auth = authenticate(req);
    if (auth instanceof StripeApiError) return failure(auth);
    let route: [Handler, string] | undefined;
    for (const [m, pattern, handler] of routes) {
      const match = pattern.exec(log.path);
      if (match && m === method) route = [handler, decodeURIComponent(match[1] ?? '')];
    }
    if (!route) {
      return failure(
        stripeError(404, 'invalid_request_error', `Unrecognized request URL (${method}: ${log.path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`),
      );
    }
    let form;
    try {
      form = parseForm(method === 'POST' ? raw : url.search.slice(1));
    } catch (e) {
      if (e instanceof FormError) return failure(stripeError(400, 'invalid_request_error', e.message));
      throw e;
    }

    // Holds that fell due expire before anything reads them; in sync mode their webhooks go out first too.
    const swept = expireHolds();
    const settle = async (a: Answer) => {
      if (instance.syncWebhooks) await swept;
      return a;
    };
    const ctx: OpContext = { ...context(version), requestId, idempotencyKey: key };
    if (key) {
      const found = idempotency.begin(auth.scope, key, method, log.path, canonical(form), ctx.now);
      if (found.kind === 'error') return settle(failure(found.error));
      if (found.kind === 'replay') {
        log.replayed = true;
        const { status, body, requestId: original } = found.response;
        // As Stripe does: a kept 5xx would only be replayed again, so the SDK is told not to retry it.
        return settle({ status, body, headers: { ...headers, 'Idempotent-Replayed': 'true', 'Original-Request': original, ...(status >= 500 ? { 'Stripe-Should-Retry': 'false' } : {}) } });
      }
    }
    let result: Answer;
    let stored = true;
    try {
      result = answer(200, route[0](new Params(form), ctx, route[1]));
    } catch (e) {
      if (!(e instanceof StripeApiError)) {
        if (key) idempotency.release(auth.scope, key);
        void dispatcher.enqueue(ctx.events);
        throw e;
      }
      result = failure(e);
      stored = e.stored;
    }
    // State may change even when the request fails (a decline is recorded), so events always go out.
    const delivered = dispatcher.enqueue(ctx.events);
    // A 5xx after executing is kept for the key (below); retrying it could only replay it.
    const final = replaceWith ? { ...replaceWith, headers: { ...replaceWith.headers, ...(key ? { 'Stripe-Should-Retry': 'false' } : {}) } } : result;
    if (key) {
      if (stored || replaceWith) idempotency.save(auth.scope, key, { status: final.status, body: final.body, requestId });
      else idempotency.release(auth.scope, key);
    }
    if (instance.syncWebhooks) await delivered;
    return settle(final);
  }

  function faultAnswer(fault: Extract<Fault, { kind: 'fail' }>, requestId: string): Answer {
    return {
      status: fault.status,
      body: json({ error: { ...fault.error, request_log_url: `${baseUrl}/_control/requests/${requestId}` } }),
      headers: { 'Request-Id': requestId, 'Stripe-Version': apiVersion },
    };
  }

  async function handleApi(req: http.IncomingMessage, res: http.ServerResponse, url: URL, raw: string): Promise<void> {
    const requestId = newId('req', 14);
    const log: RequestLogEntry = {
      id: requestId,
      at: clock.now(),
      method: (req.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      idempotencyKey: header(req, 'idempotency-key') ?? null,
      status: null,
      replayed: false,
      fault: null,
    };
    requestLog.push(log);
    if (requestLog.length > 1000) requestLog.shift();
    const fault = faults.take(log.method, log.path);
    let answer: Answer | undefined;
    if (!fault) {
      answer = await api(req, url, raw, requestId, log);
    } else if (fault.kind === 'fail') {
      log.fault = `fail ${fault.status} (execute: ${fault.execute})`;
      const replacement = faultAnswer(fault, requestId);
      answer = fault.execute === 'first' ? await api(req, url, raw, requestId, log, replacement) : replacement;
    } else {
      log.fault = `timeout ${fault.ms} ms (execute: ${fault.execute}, then: ${fault.then})`;
      if (fault.execute === 'first') answer = await api(req, url, raw, requestId, log);
      await sleep(fault.ms);
      if (fault.execute === 'after') answer = await api(req, url, raw, requestId, log);
      if (fault.then === 'drop') answer = undefined;
    }
    // Every change is on disk before anyone hears of it (also when the answer is then dropped by a fault).
    if (log.method !== 'GET') journal?.flush();
    if (!answer) {
      req.socket.destroy();
      return;
    }
    log.status = answer.status;
    if (res.destroyed) return;
    res.writeHead(answer.status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, no-store', ...answer.headers });
    res.end(answer.body);
  }

  // ------------------------------------------------------------------ /_control: drive the server from another process

  async function handleControl(method: string, path: string, raw: string): Promise<[number, unknown]> {
    let body: Record<string, unknown> = {};
    if (raw.trim()) {
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return [400, { error: 'body must be JSON' }];
      }
    }
    const num = (name: string, fallback?: number) => {
      const v = body[name];
      if (v === undefined && fallback !== undefined) return fallback;
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${name} must be a number`);
      return v;
    };
    const route = `${method} ${path}`;
    const pi = /^POST \/_control\/payment_intents\/([^/]+)\/authenticate$/.exec(route);
    const request = /^GET \/_control\/requests\/([^/]+)$/.exec(route);
    try {
      if (path === '/_control/health') return [200, { ok: true, url: baseUrl, apiVersion, now: clock.now(), webhookUrl: endpoint?.url ?? null }];
      if (route === 'POST /_control/faults/fail-next') {
        faults.failNext(num('n', 1), body as FailOptions);
        return [200, faults.snapshot()];
      }
      if (route === 'POST /_control/faults/timeout-next') {
        faults.timeoutNext(num('n', 1), num('ms'), body as TimeoutOptions);
        return [200, faults.snapshot()];
      }
      if (route === 'POST /_control/faults/webhooks') {
        if (typeof body['duplicate'] === 'boolean') faults.duplicateWebhooks = body['duplicate'];
        if (typeof body['reorder'] === 'boolean') faults.reorderWebhooks = body['reorder'];
        if (body['delayMs'] !== undefined) faults.delayWebhooksMs = num('delayMs');
        if (body['reorderWindowMs'] !== undefined) faults.webhooks.reorderWindowMs = num('reorderWindowMs');
        return [200, faults.snapshot()];
      }
      if (route === 'POST /_control/faults/reset') {
        faults.reset();
        return [200, faults.snapshot()];
      }
      if (route === 'GET /_control/faults') return [200, faults.snapshot()];
      if (route === 'POST /_control/clock/advance') return [200, { now: clock.advance(num('ms')) }];
      if (route === 'GET /_control/clock') return [200, { now: clock.now() }];
      if (route === 'POST /_control/webhook-endpoint') {
        const secret = setWebhookEndpoint((body['url'] as string | null | undefined) ?? null, body['secret'] as string | undefined);
        return [200, { url: endpoint?.url ?? null, secret }];
      }
      if (route === 'POST /_control/webhooks/flush') {
        await dispatcher.idle();
        return [200, { ok: true }];
      }
      if (route === 'GET /_control/events') return [200, { data: instance.events() }];
      if (route === 'GET /_control/deliveries') return [200, { data: dispatcher.deliveries }];
      if (route === 'GET /_control/requests') return [200, { data: requestLog }];
      if (request) {
        const entry = requestLog.find((r) => r.id === request[1]);
        return entry ? [200, entry] : [404, { error: 'no such request' }];
      }
      if (pi) {
        const outcome = body['outcome'] === 'fail' ? 'fail' : 'succeed';
        return [200, instance.authenticate(decodeURIComponent(pi[1]!), outcome)];
      }
      if (route === 'POST /_control/reset') {
        instance.reset();
        return [200, { ok: true }];
      }
      return [404, { error: `no control route ${route}` }];
    } catch (e) {
      if (e instanceof StripeApiError) return [e.status, { error: e.error }];
      return [400, { error: (e as Error).message }];
    }
  }

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://stripe-local');
      const raw = await readBody(req);
      if (url.pathname.startsWith('/_control/')) {
        const [status, body] = await handleControl((req.method ?? 'GET').toUpperCase(), url.pathname, raw);
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(json(body));
        return;
      }
      await handleApi(req, res, url, raw);
    })().catch((err: unknown) => {
      if (res.headersSent || res.destroyed) return;
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(json({ error: { type: 'api_error', message: `stripe-local internal error: ${(err as Error).message}` } }));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const timer = setInterval(() => void expireHolds(), options.expiryCheckMs ?? 1000);
  timer.unref();

  /** Inspection reads as a GET would: holds that fell due are expired first. */
  function inspect<T>(ids: Iterable<string>, read: (id: string, p: Params, ctx: OpContext) => T): T[] {
    void expireHolds();
    return [...ids].map((id) => read(id, new Params(Object.create(null)), context()));
  }
  const instance: StripeLocal = {
    url: baseUrl,
    host,
    port,
    apiVersion,
    faults,
    clock,
    get webhookUrl() {
      return endpoint?.url ?? null;
    },
    get webhookSecret() {
      return endpoint?.secret ?? null;
    },
    syncWebhooks: options.syncWebhooks ?? false,
    setWebhookEndpoint,
    paymentIntent: (id) => (engine.paymentIntents.has(id) ? inspect([id], engine.retrievePaymentIntent.bind(engine))[0] : undefined),
    paymentIntents: () => inspect(engine.paymentIntents.keys(), engine.retrievePaymentIntent.bind(engine)),
    charges: () => inspect(engine.charges.keys(), engine.retrieveCharge.bind(engine)),
    refunds: () => inspect(engine.refunds.keys(), engine.retrieveRefund.bind(engine)),
    events: (type) => engine.events.filter((e) => !type || e['type'] === type),
    deliveries: () => [...dispatcher.deliveries],
    requests: () => [...requestLog],
    authenticate(id, outcome = 'succeed') {
      const ctx = context();
      try {
        return engine.authenticate(id, outcome, ctx);
      } finally {
        journal?.flush();
        void dispatcher.enqueue(ctx.events);
      }
    },
    waitForWebhooks: () => dispatcher.idle(),
    reset() {
      engine.reset();
      idempotency.clear();
      journal?.reset();
      faults.reset();
      requestLog.length = 0;
      dispatcher.deliveries.length = 0;
    },
    async stop() {
      clearInterval(timer);
      dispatcher.stop();
      journal?.close();
      for (const wake of held) wake();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return instance;
}
