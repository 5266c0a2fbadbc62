import { stripeError, type StripeApiError } from './errors.js';

/**
 * Stripe's v1 idempotency: the first response for a key (status and body) is saved once the endpoint has
 * begun to execute and replayed for a retry with the same key, endpoint and parameters; the same key with
 * another endpoint or other parameters is an `idempotency_error`. Keys are scoped to the API key and
 * pruned after 24 hours.
 */
export interface SavedResponse {
  status: number;
  body: string;
  requestId: string;
}

export interface IdempotencyEntry {
  method: string;
  path: string;
  params: string;
  savedAt: number;
  response: SavedResponse | null; // null while the first request is still executing
}

export type Lookup = { kind: 'new' } | { kind: 'replay'; response: SavedResponse } | { kind: 'error'; error: StripeApiError };

export class IdempotencyStore {
  private readonly entries = new Map<string, IdempotencyEntry>();

  constructor(private readonly ttlMs = 24 * 3600_000) {}

  /** Looks a key up; a new key is reserved until `save` or `release`. */
  begin(scope: string, key: string, method: string, path: string, params: string, now: number): Lookup {
    this.prune(now);
    if (key.length > 255) {
      return { kind: 'error', error: stripeError(400, 'invalid_request_error', 'Idempotency-Key must be at most 255 characters long.') };
    }
    const id = `${scope}\u0000${key}`;
    const entry = this.entries.get(id);
    if (!entry) {
      this.entries.set(id, { method, path, params, savedAt: now, response: null });
      return { kind: 'new' };
    }
    if (entry.method !== method || entry.path !== path) {
      return {
        kind: 'error',
        error: stripeError(
          400,
          'idempotency_error',
          `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${entry.method} ${entry.path}' vs '${method} ${path}'). Try using a key other than '${key}' if you meant to execute a different request.`,
        ),
      };
    }
    if (entry.params !== params) {
      return {
        kind: 'error',
        error: stripeError(
          400,
          'idempotency_error',
          `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
        ),
      };
    }
    if (!entry.response) {
      return {
        kind: 'error',
        error: stripeError(
          409,
          'idempotency_error',
          `There is currently another in-progress request using this Stripe API Key and idempotency key (that probably means you submitted twice, and the other request is still going through): '${key}'. Please try again later.`,
        ),
      };
    }
    return { kind: 'replay', response: entry.response };
  }

  save(scope: string, key: string, response: SavedResponse): void {
    const entry = this.entries.get(`${scope}\u0000${key}`);
    if (entry) entry.response = response;
  }

  /** Forgets a reserved key whose request failed before the endpoint executed (validation, faults). */
  release(scope: string, key: string): void {
    const id = `${scope}\u0000${key}`;
    if (this.entries.get(id)?.response === null) this.entries.delete(id);
  }

  clear(): void {
    this.entries.clear();
  }

  /** The answered keys, for the journal (a key still executing is not an answer yet). */
  *persisted(): Generator<[string, IdempotencyEntry]> {
    for (const [id, entry] of this.entries) if (entry.response) yield [id, entry];
  }

  restore(id: string, entry: IdempotencyEntry): void {
    this.entries.set(id, entry);
  }

  private prune(now: number): void {
    for (const [id, entry] of this.entries) if (now - entry.savedAt >= this.ttlMs && entry.response) this.entries.delete(id);
  }
}
