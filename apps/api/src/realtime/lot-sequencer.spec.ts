import { jest } from '@jest/globals';
import type { LotBidEvent } from '@fapai/contracts';
import { LotSequencer } from './lot-sequencer.js';
import { bidEvent } from './testing.js';

const LOT = 'lot-1';
const bid = (seq: number, lotId = LOT): LotBidEvent => bidEvent(lotId, seq);

/** A sequencer whose committed record holds `record` and whose deliveries are collected in `seen`. */
function setup(record: LotBidEvent[] = [], opts: { failFetch?: boolean; waitMs?: number } = {}) {
  const seen: number[] = [];
  const fetches: [number, number][] = [];
  const seq = new LotSequencer({
    deliver: (e) => seen.push(e.seq),
    fetchMissing: async (lotId, from, to) => {
      fetches.push([from, to]);
      if (opts.failFetch) throw new Error('database unavailable');
      return record.filter((e) => e.lotId === lotId && e.seq >= from && e.seq < to);
    },
    waitMs: () => opts.waitMs ?? 250,
  });
  return { seq, seen, fetches };
}

/** Lets the timer fire and the (promise-based) fetch settle. */
async function wait(ms: number) {
  jest.advanceTimersByTime(ms);
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe('LotSequencer', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('delivers bids that come in order at once', () => {
    const { seq, seen } = setup();
    seq.watched(LOT, 0);
    [1, 2, 3].forEach((s) => seq.accept(bid(s)));
    expect(seen).toEqual([1, 2, 3]);
  });

  it('holds a bid that overtook its predecessor and delivers both in order when the predecessor comes', async () => {
    const { seq, seen, fetches } = setup();
    seq.watched(LOT, 20);
    seq.accept(bid(22));
    expect(seen).toEqual([]);
    seq.accept(bid(21));
    expect(seen).toEqual([21, 22]);
    await wait(1_000);
    expect(fetches).toEqual([]); // nothing was missing, so the record was not read
  });

  it('drops repeats and bids already in the snapshot', () => {
    const { seq, seen } = setup();
    seq.watched(LOT, 5);
    [4, 5, 6, 6, 5, 7].forEach((s) => seq.accept(bid(s)));
    expect(seen).toEqual([6, 7]);
  });

  it('reads a bid whose instance died before publishing from the record, after the wait', async () => {
    const { seq, seen, fetches } = setup([bid(1), bid(2), bid(3)]);
    seq.watched(LOT, 0);
    seq.accept(bid(2));
    seq.accept(bid(3));
    await wait(249);
    expect(seen).toEqual([]);
    await wait(1);
    expect(fetches).toEqual([[1, 3]]);
    expect(seen).toEqual([1, 2, 3]);
    seq.accept(bid(1)); // a late publication of the same bid is not delivered twice
    seq.accept(bid(4));
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it('reads the gap from the record at once when no peer can publish (wait 0: Redis down)', async () => {
    const { seq, seen, fetches } = setup([bid(1), bid(2)], { waitMs: 0 });
    seq.watched(LOT, 0);
    seq.accept(bid(2));
    expect(seen).toEqual([]);
    await wait(0);
    expect(fetches).toEqual([[1, 2]]);
    expect(seen).toEqual([1, 2]);
  });

  it('starts a watched lot at the snapshot, so a lost seq 1 is not skipped (kill fault test)', async () => {
    const { seq, seen } = setup([bid(1)]);
    seq.watched(LOT, 0);
    seq.accept(bid(2));
    await wait(250);
    expect(seen).toEqual([1, 2]);
  });

  it('keeps the first snapshot as the start: a later watcher does not move it', () => {
    const { seq, seen } = setup();
    seq.watched(LOT, 3);
    seq.watched(LOT, 9);
    seq.accept(bid(4));
    expect(seen).toEqual([4]);
  });

  it('starts an unwatched lot at the first bid heard of', () => {
    const { seq, seen } = setup();
    seq.accept(bid(40));
    seq.accept(bid(41));
    expect(seen).toEqual([40, 41]);
  });

  it('delivers past the gap when the record cannot be read, and keeps going in order', async () => {
    const { seq, seen } = setup([], { failFetch: true });
    seq.watched(LOT, 0);
    seq.accept(bid(3));
    seq.accept(bid(2));
    await wait(250);
    expect(seen).toEqual([2, 3]);
    seq.accept(bid(1)); // too late: passed over
    seq.accept(bid(4));
    expect(seen).toEqual([2, 3, 4]);
  });

  it('keeps lots apart', async () => {
    const { seq, seen } = setup([bid(1, 'lot-2')]);
    seq.watched(LOT, 0);
    seq.watched('lot-2', 0);
    seq.accept(bid(1));
    seq.accept(bid(2, 'lot-2'));
    seq.accept(bid(2));
    await wait(250);
    expect(seen).toEqual([1, 2, 1, 2]);
  });

  it('forgets a closed lot: bids held at the close are not delivered after it', async () => {
    const { seq, seen } = setup([bid(1)]);
    seq.watched(LOT, 0);
    seq.accept(bid(2));
    seq.closed(LOT);
    await wait(250);
    expect(seen).toEqual([]);
    expect(seq.size).toBe(0);
  });
});

describe('LotSequencer.catchUp', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('delivers the bids the record has beyond what was heard of (a killed peer\'s last bids), once', async () => {
    const { seq, seen, fetches } = setup([bid(1), bid(2), bid(3)]);
    seq.watched(LOT, 0);
    seq.accept(bid(1));
    await seq.catchUp(LOT, 3);
    expect(fetches).toEqual([[2, 4]]);
    expect(seen).toEqual([1, 2, 3]);
    seq.accept(bid(3)); // the peer's event, late
    await seq.catchUp(LOT, 3); // nothing new: no read
    expect(seen).toEqual([1, 2, 3]);
    expect(fetches).toHaveLength(1);
  });

  it('lists the tracked lots with the seq each expects, and ignores lots it does not track', async () => {
    const { seq, fetches } = setup([bid(1, 'other')]);
    seq.watched(LOT, 7);
    expect(seq.tracked()).toEqual([{ lotId: LOT, next: 8 }]);
    await seq.catchUp('other', 1);
    expect(fetches).toEqual([]);
  });
});
