import type { LotBidEvent, LotView } from '@fapai/contracts';
import { initialLiveLot, liveLotReducer, mergeBids, type LiveLotState } from './live-lot';

const lot = (over: Partial<LotView> = {}): LotView =>
  ({ id: 'lot-1', status: 'live', currentPrice: null, leaderCode: null, seq: 0, bidCount: 0, extensionCount: 0, endsAt: '2026-11-27T08:00:10.000Z', statusReason: null, ...over }) as LotView;

const bid = (seq: number, amount: number, over: Partial<LotBidEvent> = {}): LotBidEvent => ({
  lotId: 'lot-1',
  seq,
  amount,
  bidderCode: `C${seq}`,
  priority: false,
  placedAt: `2026-11-27T08:00:0${seq}.000Z`,
  endsAt: '2026-11-27T08:00:10.000Z',
  extended: false,
  committedAt: `2026-11-27T08:00:0${seq}.000Z`,
  ...over,
});

const loaded = (): LiveLotState => liveLotReducer(initialLiveLot, { type: 'snapshot', lot: lot(), bids: [] });

describe('live lot state (seq ordering and resync)', () => {
  it('applies consecutive bids: price, leader, record, end', () => {
    let s = loaded();
    s = liveLotReducer(s, { type: 'bid', event: bid(1, 1000) });
    s = liveLotReducer(s, { type: 'bid', event: bid(2, 1100, { endsAt: '2026-11-27T08:00:13.000Z', extended: true }) });
    expect(s.lot).toMatchObject({ currentPrice: 1100, leaderCode: 'C2', seq: 2, bidCount: 2, extensionCount: 1, endsAt: '2026-11-27T08:00:13.000Z' });
    expect(s.bids.map((b) => b.seq)).toEqual([2, 1]);
    expect(s.lastExtension).toEqual({ seq: 2, endsAt: '2026-11-27T08:00:13.000Z' });
    expect(s.resyncNeeded).toBe(false);
  });

  it('ignores duplicates (re-delivery after a reconnect)', () => {
    let s = liveLotReducer(loaded(), { type: 'bid', event: bid(1, 1000) });
    const again = liveLotReducer(s, { type: 'bid', event: bid(1, 1000) });
    expect(again).toBe(s);
    s = liveLotReducer(s, { type: 'bid', event: bid(2, 1100) });
    expect(liveLotReducer(s, { type: 'bid', event: bid(1, 1000) }).lot?.currentPrice).toBe(1100);
  });

  it('detects a seq gap: shows the newest price and asks for a resync', () => {
    let s = liveLotReducer(loaded(), { type: 'bid', event: bid(1, 1000) });
    s = liveLotReducer(s, { type: 'bid', event: bid(4, 1300) });
    expect(s.lot?.currentPrice).toBe(1300);
    expect(s.resyncNeeded).toBe(true);
    // the resync brings the missing bids and clears the flag
    s = liveLotReducer(s, { type: 'resyncStarted' });
    s = liveLotReducer(s, { type: 'snapshot', lot: lot({ seq: 4, currentPrice: 1300, leaderCode: 'C4', bidCount: 4 }), bids: [4, 3, 2, 1].map((n) => ({ ...bid(n, 1000 + (n - 1) * 100) })) });
    expect(s.resyncNeeded).toBe(false);
    expect(s.bids.map((b) => b.seq)).toEqual([4, 3, 2, 1]);
  });

  it('asks for the bid record when a watch ack (no bids) shows a newer seq, e.g. after a reconnect', () => {
    const s = liveLotReducer(loaded(), { type: 'snapshot', lot: lot({ seq: 3, currentPrice: 1200 }) });
    expect(s.resyncNeeded).toBe(true);
    expect(s.lot?.currentPrice).toBe(1200);
  });

  it('never moves the price backwards on a snapshot older than the events', () => {
    let s = liveLotReducer(loaded(), { type: 'bid', event: bid(1, 1000) });
    s = liveLotReducer(s, { type: 'bid', event: bid(2, 1100) });
    s = liveLotReducer(s, { type: 'snapshot', lot: lot({ seq: 1, currentPrice: 1000, leaderCode: 'C1' }), bids: [bid(1, 1000)] });
    expect(s.lot?.currentPrice).toBe(1100);
    expect(s.seq).toBe(2);
  });

  it('applies status changes and the close', () => {
    let s = liveLotReducer(loaded(), { type: 'bid', event: bid(1, 1000) });
    s = liveLotReducer(s, { type: 'status', event: { lotId: 'lot-1', status: 'suspended', endsAt: null, reason: '案外人异议' } });
    expect(s.lot).toMatchObject({ status: 'suspended', statusReason: '案外人异议' });
    s = liveLotReducer(s, { type: 'closed', event: { lotId: 'lot-1', outcome: 'sold', price: 1000, bidderCode: 'C1' } });
    expect(s.lot?.status).toBe('sold');
    expect(s.closed).toEqual({ lotId: 'lot-1', outcome: 'sold', price: 1000, bidderCode: 'C1' });
  });

  it('ignores events of other lots', () => {
    const s = loaded();
    expect(liveLotReducer(s, { type: 'bid', event: bid(1, 1000, { lotId: 'other' }) })).toBe(s);
  });

  it('merges bid lists by seq, newest first', () => {
    const a = [bid(3, 3), bid(1, 1)];
    const b = [bid(2, 2), bid(3, 3)];
    expect(mergeBids(a, b).map((x) => x.seq)).toEqual([3, 2, 1]);
  });
});
