import { jest } from '@jest/globals';
import type { AppConfig } from '../config/env.js';
import { RateLimiter, RateLimitError } from './rate-limit.js';

const limiter = (loginPerMinute: number) =>
  new RateLimiter({ rateLimits: true, rateLimit: { loginPerMinute, registerPerMinute: 10, bidsPerSecond: 20 } } as AppConfig);

async function allowed(l: RateLimiter, bucket: Parameters<RateLimiter['consume']>[0], subject: string, tries: number): Promise<number> {
  let ok = 0;
  for (let i = 0; i < tries; i++) ok += await l.consume(bucket, subject).then(() => 1, (error: unknown) => (error instanceof RateLimitError ? 0 : Promise.reject(error)));
  return ok;
}

describe('RateLimiter (in memory)', () => {
  // Mid-window, so no test straddles the fixed minute's end.
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-11-28T10:00:30Z') }));
  afterEach(() => jest.useRealTimers());

  it('gives an address 5× the per-account login limit, and token refreshes their own, larger budget (carrier NAT)', async () => {
    const l = limiter(2);
    expect(await allowed(l, 'login_account', 'a@x', 5)).toBe(2);
    expect(await allowed(l, 'login_ip', '10.0.0.1', 15)).toBe(10);
    // Logins from the address are exhausted; the signed-in pages behind it still renew their tokens.
    expect(await allowed(l, 'refresh_ip', '10.0.0.1', 125)).toBe(120);
    expect(await allowed(l, 'login_ip', '10.0.0.2', 1)).toBe(1);
  });

  it('answers over the limit with RATE_LIMITED naming the bucket and when to retry', async () => {
    const l = limiter(1);
    await l.consume('login_account', 'b@x');
    const refused = await l.consume('login_account', 'b@x').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RateLimitError);
    expect(refused).toMatchObject({ code: 'RATE_LIMITED', details: { bucket: 'login_account' } });
    expect((refused as RateLimitError).details?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  });
});
