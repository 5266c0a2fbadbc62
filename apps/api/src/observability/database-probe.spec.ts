import { jest } from '@jest/globals';
import { DatabaseProbe, DB_PROBE_MS, type ProbeClient } from './database-probe.js';

/** A stand-in for pg.Client whose connect and query do what the test says, recording what was asked of it. */
class FakeClient implements ProbeClient {
  static made: FakeClient[] = [];
  queries = 0;
  ended = false;
  private onError: ((error: Error) => void) | undefined;
  constructor(private readonly behaviour: { connect?: () => Promise<unknown>; query?: () => Promise<unknown> }) {
    FakeClient.made.push(this);
  }
  connect(): Promise<unknown> {
    return this.behaviour.connect?.() ?? Promise.resolve();
  }
  query(): Promise<unknown> {
    this.queries += 1;
    return this.behaviour.query?.() ?? Promise.resolve({ rows: [{ '?column?': 1 }] });
  }
  end(): Promise<void> {
    this.ended = true;
    return Promise.resolve();
  }
  on(_event: 'error', listener: (error: Error) => void): void {
    this.onError = listener;
  }
  /** The connection is lost between probes (PostgreSQL restarted). */
  lose(): void {
    this.onError?.(new Error('terminating connection due to administrator command'));
  }
}

const hang = (): Promise<never> => new Promise<never>(() => undefined);

describe('DatabaseProbe', () => {
  beforeEach(() => {
    FakeClient.made = [];
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('asks SELECT 1 on one connection of its own, opened on first use and kept', async () => {
    const probe = new DatabaseProbe(() => new FakeClient({}));
    expect(FakeClient.made).toHaveLength(0);
    expect(await probe.up()).toBe(true);
    expect(await probe.up()).toBe(true);
    expect(FakeClient.made).toHaveLength(1);
    expect(FakeClient.made[0]!.queries).toBe(2);
  });

  it('shares one query between probes that overlap', async () => {
    let answer!: () => void;
    const probe = new DatabaseProbe(() => new FakeClient({ query: () => new Promise<void>((resolve) => (answer = resolve)) }));
    const both = Promise.all([probe.up(), probe.up()]);
    await new Promise((r) => setImmediate(r));
    answer();
    expect(await both).toEqual([true, true]);
    expect(FakeClient.made[0]!.queries).toBe(1);
  });

  it('a database that does not answer is down after DB_PROBE_MS, and the next probe opens a fresh connection', async () => {
    jest.useFakeTimers();
    let silent = true;
    const probe = new DatabaseProbe(() => new FakeClient({ query: () => (silent ? hang() : Promise.resolve()) }));
    const asked = probe.up();
    await jest.advanceTimersByTimeAsync(DB_PROBE_MS);
    expect(await asked).toBe(false);
    expect(FakeClient.made[0]!.ended).toBe(true);
    silent = false;
    expect(await probe.up()).toBe(true);
    expect(FakeClient.made).toHaveLength(2);
  });

  it('a refused connection is down, and each probe tries again', async () => {
    let refuse = true;
    const probe = new DatabaseProbe(() => new FakeClient({ connect: () => (refuse ? Promise.reject(new Error('ECONNREFUSED')) : Promise.resolve()) }));
    expect(await probe.up()).toBe(false);
    expect(await probe.up()).toBe(false);
    refuse = false;
    expect(await probe.up()).toBe(true);
    expect(FakeClient.made).toHaveLength(3);
    expect(FakeClient.made.slice(0, 2).every((c) => c.ended)).toBe(true);
  });

  it('a connection lost between probes is dropped (not an unhandled error) and replaced by the next probe', async () => {
    const probe = new DatabaseProbe(() => new FakeClient({}));
    expect(await probe.up()).toBe(true);
    FakeClient.made[0]!.lose();
    expect(FakeClient.made[0]!.ended).toBe(true);
    expect(await probe.up()).toBe(true);
    expect(FakeClient.made).toHaveLength(2);
  });

  it('a kept connection that fails is replaced within the same probe: a database that answers a fresh one is up', async () => {
    let first = true;
    const probe = new DatabaseProbe(() => new FakeClient({}));
    expect(await probe.up()).toBe(true);
    const kept = FakeClient.made[0]!;
    kept.query = () => {
      kept.queries += 1;
      return first ? ((first = false), Promise.reject(new Error('terminating connection due to administrator command'))) : Promise.resolve();
    };
    expect(await probe.up()).toBe(true);
    expect(kept.ended).toBe(true);
    expect(FakeClient.made).toHaveLength(2);
  });

  it('closes its connection on shutdown and answers down afterwards without connecting', async () => {
    const probe = new DatabaseProbe(() => new FakeClient({}));
    expect(await probe.up()).toBe(true);
    await probe.onApplicationShutdown();
    expect(FakeClient.made[0]!.ended).toBe(true);
    expect(await probe.up()).toBe(false);
    expect(FakeClient.made).toHaveLength(1);
  });
});
