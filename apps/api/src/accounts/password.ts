import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { AccountError } from './accounts.errors.js';

const scryptAsync = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number, options: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;

/**
 * Whose password check a job is: `trusted` for someone the server knows already (a login presenting the
 * account's device token, a signed-in user changing a password), `anyone` for the rest (registration, a login
 * from a browser the account has not used). A flood of logins for unknown or guessed accounts fills the
 * `anyone` line; a returning bidder's browser waits in a line of its own, served first, so it still signs in
 * within a hash or two in an auction's last minutes.
 */
export type HashLane = 'trusted' | 'anyone';

/**
 * While anyone waits, at most this many trusted checks are served in a row before one of anyone's: the trusted
 * lane goes first, but a sustained stream of trusted checks (one account's many devices) cannot starve a new
 * browser's login, which waits at most this many hashes more per check ahead of it.
 */
export const TRUSTED_IN_A_ROW = 4;

/**
 * At most `concurrency` jobs at once; at most `queue` waiting in each lane, the trusted lane served first (up to
 * TRUSTED_IN_A_ROW in a row while anyone waits); one more is refused at once (PASSWORD_CHECKS_BUSY, 503 with
 * Retry-After) having done nothing.
 */
export class HashingGate {
  private running = 0;
  private readonly waiting: Record<HashLane, (() => void)[]> = { trusted: [], anyone: [] };
  /** Trusted checks given the slot since the last of anyone's. */
  private trustedInARow = 0;

  constructor(
    private concurrency: number,
    private queue: number,
  ) {}

  configure(concurrency: number, queue: number): void {
    this.concurrency = concurrency;
    this.queue = queue;
  }

  get busy(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.trusted.length + this.waiting.anyone.length };
  }

  async run<T>(job: () => Promise<T>, lane: HashLane = 'anyone'): Promise<T> {
    if (this.running >= this.concurrency) {
      const line = this.waiting[lane];
      if (line.length >= this.queue) throw new AccountError('PASSWORD_CHECKS_BUSY', { retryAfterSeconds: 1 });
      await new Promise<void>((resolve) => line.push(resolve));
    } else this.running += 1;
    try {
      return await job();
    } finally {
      // The slot passes to the next in line (the count stays), or is freed.
      const lane = this.nextLane();
      if (lane) {
        this.trustedInARow = lane === 'trusted' ? this.trustedInARow + 1 : 0;
        this.waiting[lane].shift()!();
      } else this.running -= 1;
    }
  }

  /** Trusted first, unless TRUSTED_IN_A_ROW of them went while anyone waited; null when no one waits. */
  private nextLane(): HashLane | null {
    const { trusted, anyone } = this.waiting;
    if (trusted.length > 0 && !(anyone.length > 0 && this.trustedInARow >= TRUSTED_IN_A_ROW)) return 'trusted';
    return anyone.length > 0 ? 'anyone' : null;
  }
}

/**
 * scrypt is the dearest thing a request can ask of this server (≈ 35 ms of a core) and anyone can ask it: a
 * login needs no account. Unbounded, a flood of logins from many addresses, each under its own rate limit,
 * fills Node's four worker threads and takes both cores of a court server from the bids of a closing lot.
 * So hashes take turns (one at a time by default: PASSWORD_HASH_CONCURRENCY), a bounded number wait
 * (PASSWORD_HASH_QUEUE, in each lane: a returning browser's line is served first), and the rest are refused at
 * once. Process-wide, like the CPU it guards.
 */
export const passwordHashing = new HashingGate(1, 64);

const scrypt = (password: string, salt: Buffer, keylen: number, options: Parameters<typeof scryptAsync>[3], lane: HashLane): Promise<Buffer> =>
  passwordHashing.run(() => scryptAsync(password, salt, keylen, options), lane);
const PARAMS = { N: 16384, r: 8, p: 1 };

/** scrypt with a per-password salt; the parameters are stored with the hash so they can be raised later. */
export async function hashPassword(password: string, lane: HashLane = 'anyone'): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, 32, { ...PARAMS, maxmem: 64 * 1024 * 1024 }, lane);
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string, lane: HashLane = 'anyone'): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: 64 * 1024 * 1024 }, lane);
  return timingSafeEqual(actual, expected);
}
