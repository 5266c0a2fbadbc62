import type { BidView } from '@fapai/contracts';
import { olderPage, unionBids } from './bid-record';
import { priceBoardLabels } from './phase';

const bid = (seq: number): BidView => ({ seq, amount: 100_000 + seq, bidderCode: `C${seq}`, priority: false, placedAt: '2026-11-27T08:00:00.000Z' });

describe('bid record: older pages', () => {
  it('asks for the page holding the bid just older than the oldest shown', () => {
    // 120 bids, the newest 50 shown (71..120): page 2 (offsets 50..99) holds 70.
    expect(olderPage(120, 71, 50)).toBe(2);
    // Then 21..120 shown: page 3 (offsets 100..119) holds 20.
    expect(olderPage(120, 21, 50)).toBe(3);
    // Five new bids meanwhile: 21..120 now sit at offsets 5..104, bid 20 at 105, still on page 3.
    expect(olderPage(125, 21, 50)).toBe(3);
  });

  it('has nothing to load once bid 1 is shown, or before any bid', () => {
    expect(olderPage(40, 1, 50)).toBeNull();
    expect(olderPage(0, null, 50)).toBeNull();
  });

  it('merges pages without duplicates, newest first, uncapped', () => {
    const live = Array.from({ length: 100 }, (_, i) => bid(200 - i));
    const older = Array.from({ length: 60 }, (_, i) => bid(120 - i));
    const all = unionBids(live, older);
    expect(all).toHaveLength(140);
    expect(all[0].seq).toBe(200);
    expect(all.at(-1)!.seq).toBe(61);
  });
});

describe('price board labels', () => {
  it('speaks of the current price and the leader while the lot can still take bids', () => {
    expect(priceBoardLabels({ status: 'live', currentPrice: 100 }, 'live')).toEqual({ price: 'lot.currentPrice', leader: 'lot.leader', over: false });
    expect(priceBoardLabels({ status: 'announced', currentPrice: null }, 'upcoming')).toEqual({ price: 'lot.startingPrice', leader: 'lot.leader', over: false });
  });

  it('speaks in the past once it is over', () => {
    expect(priceBoardLabels({ status: 'sold', currentPrice: 100 }, 'ended')).toEqual({ price: 'lot.soldPrice', leader: 'lot.buyer', over: true });
    expect(priceBoardLabels({ status: 'live', currentPrice: 100 }, 'closing')).toEqual({ price: 'lot.highestBid', leader: 'lot.highestBidder', over: true });
    expect(priceBoardLabels({ status: 'withdrawn', currentPrice: 100 }, 'withdrawn')).toEqual({ price: 'lot.highestBid', leader: 'lot.highestBidder', over: true });
    expect(priceBoardLabels({ status: 'unsold', currentPrice: null }, 'ended')).toEqual({ price: 'lot.startingPrice', leader: 'lot.highestBidder', over: true });
  });
});
