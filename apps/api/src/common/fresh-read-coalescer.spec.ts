import { FreshReadCoalescer } from './fresh-read-coalescer.js';

/** A read whose completion the test controls; each read returns the "version" current when it started. */
function setup() {
  let version = 0;
  const started: { key: string; version: number; finish: () => void; fail: (e: Error) => void }[] = [];
  const coalescer = new FreshReadCoalescer<string, string>(
    (key) =>
      new Promise((resolve, reject) => {
        const seen = version;
        started.push({ key, version: seen, finish: () => resolve(`${key}@${seen}`), fail: reject });
      }),
  );
  return { coalescer, started, bump: () => void (version += 1) };
}

const tick = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('FreshReadCoalescer', () => {
  it('one caller: one read', async () => {
    const { coalescer, started } = setup();
    const p = coalescer.get('lot');
    await tick();
    expect(started).toHaveLength(1);
    started[0]!.finish();
    await expect(p).resolves.toBe('lot@0');
    expect(coalescer.size).toBe(0);
  });

  it('callers during a running read share the next read, which starts after they asked', async () => {
    const { coalescer, started, bump } = setup();
    const first = coalescer.get('lot');
    await tick();
    bump(); // something changed after the first read began (a bid)
    const later = Array.from({ length: 1000 }, () => coalescer.get('lot'));
    await tick();
    expect(started).toHaveLength(1); // no second read while the first runs
    started[0]!.finish();
    await expect(first).resolves.toBe('lot@0');
    await tick();
    expect(started).toHaveLength(2); // one read for all 1,000 waiters
    started[1]!.finish();
    const results = await Promise.all(later);
    expect(new Set(results)).toEqual(new Set(['lot@1'])); // they see the change made before they asked
    expect(coalescer.size).toBe(0);
  });

  it('keys are independent', async () => {
    const { coalescer, started } = setup();
    const a = coalescer.get('a');
    const b = coalescer.get('b');
    await tick();
    expect(started.map((s) => s.key)).toEqual(['a', 'b']);
    started.forEach((s) => s.finish());
    await expect(Promise.all([a, b])).resolves.toEqual(['a@0', 'b@0']);
  });

  it('a failed read fails its callers only; the queued callers get a read of their own', async () => {
    const { coalescer, started } = setup();
    const first = coalescer.get('lot');
    await tick();
    const second = coalescer.get('lot');
    started[0]!.fail(new Error('LOT_NOT_FOUND'));
    await expect(first).rejects.toThrow('LOT_NOT_FOUND');
    await tick();
    expect(started).toHaveLength(2);
    started[1]!.finish();
    await expect(second).resolves.toBe('lot@0');
  });

  it('a read that throws synchronously is a rejection, not a crash', async () => {
    const coalescer = new FreshReadCoalescer<string, string>(() => {
      throw new Error('boom');
    });
    await expect(coalescer.get('x')).rejects.toThrow('boom');
    expect(coalescer.size).toBe(0);
  });
});
