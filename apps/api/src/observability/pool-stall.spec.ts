import { EventEmitter } from 'node:events';
import { PoolStallWatch } from './pool-stall.js';

/** A stand-in for pg.Pool: its queue length, and 'release' when a client comes back. */
class FakePool extends EventEmitter {
  waitingCount = 0;
  giveBack(): void {
    this.emit('release');
  }
}

describe('PoolStallWatch', () => {
  const setup = () => {
    const pool = new FakePool();
    const clock = { now: 0 };
    return { pool, clock, watch: new PoolStallWatch(pool, 10_000, () => clock.now) };
  };

  it('a rush is not a stall: however long the queue, clients keep coming back', () => {
    const { pool, clock, watch } = setup();
    pool.waitingCount = 200;
    for (let i = 0; i < 60; i++) {
      clock.now += 1_000;
      pool.giveBack();
      expect(watch.read().stalled).toBe(false);
    }
    expect(watch.stalledForMs()).toBe(0);
  });

  it('stalls once queries have waited the whole window with no client given back, and recovers at the next release', () => {
    const { pool, clock, watch } = setup();
    pool.giveBack();
    pool.waitingCount = 3;
    clock.now = 9_999;
    expect(watch.read()).toEqual({ stalledMs: 9_999, stalled: false });
    clock.now = 10_000;
    expect(watch.read().stalled).toBe(true);
    pool.giveBack();
    expect(watch.read()).toEqual({ stalledMs: 0, stalled: false });
  });

  it('an idle pool is never stalled, however long since a client came back', () => {
    const { clock, watch } = setup();
    clock.now = 3_600_000;
    expect(watch.read()).toEqual({ stalledMs: 0, stalled: false });
  });
});
