import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { AccountError } from './accounts.errors.js';

const scryptAsync = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number, options: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;

/**
 * At most `concurrency` jobs at once, at most `queue` waiting; one more is refused at once
 * (PASSWORD_CHECKS_BUSY, 503 with Retry-After) having done nothing.
 */
export class HashingGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private concurrency: number,
    private queue: number,
  ) {}

  configure(concurrency: number, queue: number): void {
    this.concurrency = concurrency;
    this.queue = queue;
  }

  get busy(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.queue) throw new AccountError('PASSWORD_CHECKS_BUSY', { retryAfterSeconds: 1 });
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else this.running += 1;
    try {
      return await job();
    } finally {
      // The slot passes to the next in line (the count stays), or is freed.
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}

/**
 * scrypt is the dearest thing a request can ask of this server (≈ 35 ms of a core) and anyone can ask it: a
 * login needs no account. Unbounded, a flood of logins from many addresses, each under its own rate limit,
 * fills Node's four worker threads and takes both cores of a court server from the bids of a closing lot.
 * So hashes take turns (one at a time by default: PASSWORD_HASH_CONCURRENCY), a bounded number wait
 * (PASSWORD_HASH_QUEUE), and the rest are refused at once. Process-wide, like the CPU it guards.
 */
export const passwordHashing = new HashingGate(1, 64);

const scrypt: typeof scryptAsync = (password, salt, keylen, options) => passwordHashing.run(() => scryptAsync(password, salt, keylen, options));
const PARAMS = { N: 16384, r: 8, p: 1 };

/** scrypt with a per-password salt; the parameters are stored with the hash so they can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, 32, { ...PARAMS, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: 64 * 1024 * 1024 });
  return timingSafeEqual(actual, expected);
}
