import Stripe from 'stripe';
import type { StripeLocal } from './index.js';

/** Spec support (not exported from the package): the real Stripe SDK pointed at a running local server, no retries. */
export function sdkFor(local: StripeLocal, config: Stripe.StripeConfig = {}): Stripe {
  return new Stripe('sk_test_local', { host: '127.0.0.1', port: local.port, protocol: 'http', maxNetworkRetries: 0, ...config });
}

/** Spec support: the error a promise rejects with, typed, or a failure. */
export async function rejection<E extends Error>(promise: Promise<unknown>, type: abstract new (...args: never[]) => E): Promise<E> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof type) return e;
    throw e;
  }
  throw new Error(`expected a ${type.name}, but the call succeeded`);
}
