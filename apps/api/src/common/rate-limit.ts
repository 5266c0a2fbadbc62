/**
 * Rate limits (限流) on login, token refresh, registration and bids — per address and per user — as fixed windows
 * counted in Redis when REDIS_URL is set (shared by every instance) or in memory otherwise.
 * Over the limit: 429 RATE_LIMITED with Retry-After.
 */
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppError } from './app-error.js';
import { APP_CONFIG, type AppConfig } from '../config/env.js';

export type Bucket = 'login_ip' | 'login_account' | 'login_device' | 'refresh_ip' | 'register_ip' | 'bid_user';

export class RateLimitError extends AppError<'RATE_LIMITED'> {
  constructor(bucket: Bucket, retryAfterSeconds: number) {
    super('RATE_LIMITED', 'rate_limited', `too many requests (${bucket}); retry in ${retryAfterSeconds} s`, { bucket, retryAfterSeconds });
  }
}

/** How long a bid (or a login) waits for its count in Redis before counting in memory instead. */
const REDIS_COUNT_TIMEOUT_MS = 250;
/** After a count that failed or timed out, Redis is left alone this long (then tried again). */
const REDIS_SKIP_AFTER_FAILURE_MS = 2_000;

@Injectable()
export class RateLimiter implements OnModuleDestroy {
  private readonly memory = new Map<string, { count: number; resetAt: number }>();
  private redisSkippedUntil = 0;
  private readonly redis: Redis | null;
  private readonly limits: Record<Bucket, { limit: number; windowMs: number }>;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    // A Redis that hangs (paused, partitioned) keeps its connection "ready" and never answers: without a
    // timeout every bid would wait on its count forever. After REDIS_COUNT_TIMEOUT_MS the count is kept in
    // memory for that request, as when Redis is down.
    this.redis = config.redisUrl && config.rateLimits ? new Redis(config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: REDIS_COUNT_TIMEOUT_MS }) : null;
    this.redis?.on('error', () => undefined);
    const r = config.rateLimit;
    this.limits = {
      login_ip: { limit: r.loginPerMinute * 5, windowMs: 60_000 },
      login_account: { limit: r.loginPerMinute, windowMs: 60_000 },
      // A login with the account's device token counts here instead of per account (accounts/device-token.ts).
      login_device: { limit: r.loginPerMinute, windowMs: 60_000 },
      // A refresh token is 256 random bits, so guessing is no threat: this only bounds a flood. It is generous
      // because every signed-in page renews every ~14 minutes, and phones share addresses (carrier NAT):
      // 600 a minute is ~8,000 sessions behind one address.
      refresh_ip: { limit: r.loginPerMinute * 60, windowMs: 60_000 },
      register_ip: { limit: r.registerPerMinute, windowMs: 60_000 },
      bid_user: { limit: r.bidsPerSecond, windowMs: 1000 },
    };
  }

  async consume(bucket: Bucket, subject: string): Promise<void> {
    if (!this.config.rateLimits) return;
    const { limit, windowMs } = this.limits[bucket];
    const now = Date.now();
    const window = Math.floor(now / windowMs);
    const key = `fapai:rl:${bucket}:${subject}:${window}`;
    const resetAt = (window + 1) * windowMs;
    let count: number;
    if (this.redis && this.redis.status === 'ready' && now >= this.redisSkippedUntil) {
      try {
        const res = await this.redis.multi().incr(key).pexpire(key, windowMs + 1000).exec();
        count = Number(res?.[0]?.[1] ?? 0);
      } catch {
        // Unanswered or failed: the next requests count in memory for a while instead of each waiting too.
        this.redisSkippedUntil = Date.now() + REDIS_SKIP_AFTER_FAILURE_MS;
        count = this.hitMemory(key, resetAt);
      }
    } else {
      count = this.hitMemory(key, resetAt);
    }
    if (count > limit) throw new RateLimitError(bucket, Math.max(1, Math.ceil((resetAt - now) / 1000)));
  }

  private hitMemory(key: string, resetAt: number): number {
    const now = Date.now();
    if (this.memory.size > 50_000) for (const [k, v] of this.memory) if (v.resetAt <= now) this.memory.delete(k);
    const entry = this.memory.get(key);
    if (!entry || entry.resetAt <= now) {
      this.memory.set(key, { count: 1, resetAt });
      return 1;
    }
    entry.count += 1;
    return entry.count;
  }

  onModuleDestroy(): void {
    this.redis?.disconnect();
  }
}
