/**
 * Fault injection for the API (`failNext`, `timeoutNext`) and for webhook delivery. Each fault is used by
 * the next `n` matching requests, in the order the faults were added; control endpoints under /_control
 * drive the same object from another process.
 */
export interface RequestMatch {
  /** Exact path, or a glob where `*` is one path segment and `**` anything: `/v1/payment_intents/*\/capture`. */
  path?: string | RegExp;
  method?: string;
}

export interface FailOptions extends RequestMatch {
  /** HTTP status to answer with (500 by default). */
  status?: number;
  /**
   * 'never' (default): the request fails before reaching the endpoint, nothing changes.
   * 'first': the endpoint executes (state changes, events go out), then the answer is replaced by the
   * error, which the idempotency layer keeps, as Stripe keeps a 500.
   */
  execute?: 'never' | 'first';
  /** The error object answered (Stripe's generic api_error by default). */
  error?: { type?: string; message?: string; code?: string };
}

export interface TimeoutOptions extends RequestMatch {
  /**
   * 'first' (default): execute at once, then hold the answer: the operation happened, the client does not hear.
   * 'after': hold, then execute (a slow API). 'never': hold, then drop without executing.
   */
  execute?: 'first' | 'after' | 'never';
  /** After the hold: 'drop' (default) closes the connection, 'respond' sends the answer late. */
  then?: 'drop' | 'respond';
}

export type Fault =
  | { kind: 'fail'; status: number; execute: 'never' | 'first'; error: { type: string; message: string; code?: string } }
  | { kind: 'timeout'; ms: number; execute: 'first' | 'after' | 'never'; then: 'drop' | 'respond' };

interface Rule {
  remaining: number;
  match: RequestMatch;
  fault: Fault;
}

export interface WebhookFaults {
  /** Deliver every event twice (same event id, separately signed), as Stripe may. */
  duplicate: boolean;
  /** Wait this long before the first delivery attempt of each event. */
  delayMs: number;
  /** Collect events for `reorderWindowMs` and deliver them newest first. */
  reorder: boolean;
  reorderWindowMs: number;
}

function matches(match: RequestMatch, method: string, path: string): boolean {
  if (match.method && match.method.toUpperCase() !== method) return false;
  if (match.path === undefined) return true;
  if (match.path instanceof RegExp) return match.path.test(path);
  if (!match.path.includes('*')) return match.path === path;
  const pattern = match.path
    .split(/(\*\*|\*)/)
    .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${pattern}$`).test(path);
}

export class Faults {
  private rules: Rule[] = [];
  readonly webhooks: WebhookFaults = { duplicate: false, delayMs: 0, reorder: false, reorderWindowMs: 50 };

  /** The next `n` matching requests fail with `status` (500 by default). */
  failNext(n = 1, options: FailOptions = {}): this {
    const { status = 500, execute = 'never', error = {}, ...match } = options;
    this.rules.push({
      remaining: n,
      match,
      fault: {
        kind: 'fail',
        status,
        execute,
        error: { type: error.type ?? 'api_error', message: error.message ?? 'An unknown error occurred', ...(error.code ? { code: error.code } : {}) },
      },
    });
    return this;
  }

  /** The next `n` matching requests are held for `ms`, then dropped or answered late. */
  timeoutNext(n: number, ms: number, options: TimeoutOptions = {}): this {
    const { execute = 'first', then = 'drop', ...match } = options;
    this.rules.push({ remaining: n, match, fault: { kind: 'timeout', ms, execute, then: execute === 'never' ? 'drop' : then } });
    return this;
  }

  set duplicateWebhooks(on: boolean) {
    this.webhooks.duplicate = on;
  }
  get duplicateWebhooks(): boolean {
    return this.webhooks.duplicate;
  }
  set delayWebhooksMs(ms: number) {
    this.webhooks.delayMs = ms;
  }
  get delayWebhooksMs(): number {
    return this.webhooks.delayMs;
  }
  set reorderWebhooks(on: boolean) {
    this.webhooks.reorder = on;
  }
  get reorderWebhooks(): boolean {
    return this.webhooks.reorder;
  }

  reset(): void {
    this.rules = [];
    Object.assign(this.webhooks, { duplicate: false, delayMs: 0, reorder: false, reorderWindowMs: 50 });
  }

  /** The fault for this request, if any; using it counts it down. */
  take(method: string, path: string): Fault | undefined {
    const rule = this.rules.find((r) => r.remaining > 0 && matches(r.match, method, path));
    if (!rule) return undefined;
    rule.remaining -= 1;
    this.rules = this.rules.filter((r) => r.remaining > 0);
    return rule.fault;
  }

  snapshot() {
    return {
      pending: this.rules.map((r) => ({ remaining: r.remaining, path: r.match.path?.toString() ?? null, method: r.match.method ?? null, ...r.fault })),
      webhooks: { ...this.webhooks },
    };
  }
}
