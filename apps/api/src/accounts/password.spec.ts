import { AccountError } from './accounts.errors.js';
import { hashPassword, HashingGate, passwordHashing, TRUSTED_IN_A_ROW, verifyPassword } from './password.js';

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

  it('serves the trusted lane first and keeps room in it when a flood has filled the line of anyone', async () => {
    const gate = new HashingGate(1, 2);
    const log: string[] = [];
    const [running, a1, a2] = ['running', 'a1', 'a2'].map((n) => heldJob(log, n));
    const accepted = [gate.run(running.job), gate.run(a1.job), gate.run(a2.job)];
    // The line of anyone is full: the next untrusted check is refused, a trusted one waits.
    await expect(gate.run(() => Promise.resolve('flood'))).rejects.toMatchObject({ code: 'PASSWORD_CHECKS_BUSY' });
    const t1 = heldJob(log, 't1');
    const trusted = gate.run(t1.job, 'trusted');
    expect(gate.busy).toEqual({ running: 1, waiting: 3 });
    running.finish();
    await accepted[0];
    await Promise.resolve();
    // The trusted check goes next, ahead of the untrusted ones that came before it.
    expect(log).toEqual(['start running', 'end running', 'start t1']);
    t1.finish();
    a1.finish();
    a2.finish();
    expect(await Promise.all([trusted, ...accepted.slice(1)])).toEqual(['t1', 'a1', 'a2']);
    expect(log.filter((l) => l.startsWith('start'))).toEqual(['start running', 'start t1', 'start a1', 'start a2']);
    // The trusted lane is bounded too.
    const held = ['r', 't2', 't3'].map((n) => heldJob(log, n));
    const more = [gate.run(held[0]!.job), gate.run(held[1]!.job, 'trusted'), gate.run(held[2]!.job, 'trusted')];
    await expect(gate.run(() => Promise.resolve('x'), 'trusted')).rejects.toMatchObject({ code: 'PASSWORD_CHECKS_BUSY' });
    for (const h of held) h.finish();
    await Promise.all(more);
    expect(gate.busy).toEqual({ running: 0, waiting: 0 });
  });

  it('serves one of anyone after TRUSTED_IN_A_ROW trusted checks, so a trusted stream cannot starve a new browser', async () => {
    const gate = new HashingGate(1, 20);
    const log: string[] = [];
    const first = heldJob(log, 'first');
    const running = gate.run(first.job);
    // Behind the running check: one new browser, then a stream of trusted checks that keeps coming.
    const waiting = [gate.run(async () => (log.push('start anyone'), 'anyone'))];
    for (let i = 1; i <= TRUSTED_IN_A_ROW + 3; i++) waiting.push(gate.run(async () => (log.push(`start t${i}`), `t${i}`), 'trusted'));
    first.finish();
    await Promise.all([running, ...waiting]);
    const order = log.filter((l) => l.startsWith('start ')).map((l) => l.slice(6));
    const trustedFirst = Array.from({ length: TRUSTED_IN_A_ROW }, (_, i) => `t${i + 1}`);
    expect(order).toEqual(['first', ...trustedFirst, 'anyone', ...[1, 2, 3].map((i) => `t${TRUSTED_IN_A_ROW + i}`)]);
    expect(gate.busy).toEqual({ running: 0, waiting: 0 });
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
