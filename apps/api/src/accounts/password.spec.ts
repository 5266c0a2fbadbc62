import { AccountError } from './accounts.errors.js';
import { hashPassword, HashingGate, passwordHashing, verifyPassword } from './password.js';

/** A job that runs until the test lets it finish. */
function heldJob(log: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  return { finish, job: async () => (log.push(`start ${name}`), await done, log.push(`end ${name}`), name) };
}

describe('HashingGate: password hashes take turns so a login flood cannot take the cores from bidding', () => {
  it('runs at most `concurrency` jobs at once, the rest in arrival order', async () => {
    const gate = new HashingGate(1, 10);
    const log: string[] = [];
    const a = heldJob(log, 'a');
    const b = heldJob(log, 'b');
    const c = heldJob(log, 'c');
    const results = [gate.run(a.job), gate.run(b.job), gate.run(c.job)];
    await Promise.resolve();
    expect(log).toEqual(['start a']);
    expect(gate.busy).toEqual({ running: 1, waiting: 2 });
    a.finish();
    await results[0];
    await Promise.resolve();
    expect(log).toEqual(['start a', 'end a', 'start b']);
    b.finish();
    c.finish();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(gate.busy).toEqual({ running: 0, waiting: 0 });
  });

  it('refuses one more than the queue holds at once, 503 PASSWORD_CHECKS_BUSY with a retry time, having run nothing', async () => {
    const gate = new HashingGate(2, 1);
    const log: string[] = [];
    const jobs = ['a', 'b', 'c'].map((n) => heldJob(log, n));
    const accepted = jobs.map((j) => gate.run(j.job));
    let ran = false;
    const refused = await gate.run(async () => (ran = true)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AccountError);
    expect(refused).toMatchObject({ code: 'PASSWORD_CHECKS_BUSY', status: 503, details: { retryAfterSeconds: 1 } });
    expect(ran).toBe(false);
    for (const j of jobs) j.finish();
    expect(await Promise.all(accepted)).toEqual(['a', 'b', 'c']);
  });

  it('a job that fails frees its turn for the next', async () => {
    const gate = new HashingGate(1, 5);
    const failed = gate.run(() => Promise.reject(new Error('boom')));
    const next = gate.run(() => Promise.resolve('next'));
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
    expect(gate.busy).toEqual({ running: 0, waiting: 0 });
  });

  it('hashing and checking go through the process gate, one at a time by default', async () => {
    const seen: number[] = [];
    const watch = setInterval(() => seen.push(passwordHashing.busy.running), 1);
    const hashes = await Promise.all([hashPassword('a password 1'), hashPassword('a password 2'), hashPassword('a password 3')]);
    clearInterval(watch);
    expect(Math.max(...seen)).toBe(1);
    expect(await verifyPassword('a password 2', hashes[1])).toBe(true);
    expect(await verifyPassword('a password 2', hashes[0])).toBe(false);
  });
});
