import type { LotBidEvent } from '@fapai/contracts';
import type { LotsService } from '../lots/lots.service.js';
import type { PlaceBidService } from '../bidding/place-bid.service.js';
import type { AuctionsGateway } from './auctions.gateway.js';
import { AuctionsRelay } from './auctions.relay.js';
import { LotWatched } from './auctions.gateway.js';
import { fanOutState } from './io.adapter.js';
import { bidEvent } from './testing.js';

type Progress = Awaited<ReturnType<LotsService['progressOf']>>[number];

/**
 * The relay's sweep with its collaborators replaced by records: `progress` is what the lots table says,
 * `record` the committed bids; `emitted` collects what this instance's watchers were sent.
 */
function setup(progress: Progress[], record: LotBidEvent[]) {
  const emitted: { room: string; event: string; data: unknown }[] = [];
  const local = { to: (room: string) => ({ emit: (event: string, data: unknown) => emitted.push({ room, event, data }) }) };
  const gateway = { server: { local } } as unknown as AuctionsGateway;
  const placeBid = {
    acceptedBetween: async (lotId: string, from: number, to: number) => record.filter((e) => e.lotId === lotId && e.seq >= from && e.seq < to),
  } as unknown as PlaceBidService;
  const lots = { progressOf: async (ids: string[]) => progress.filter((p) => ids.includes(p.id)) } as unknown as LotsService;
  const relay = new AuctionsRelay(gateway, placeBid, lots);
  const tracked = () => (relay as unknown as { sequencer: { tracked(): { lotId: string }[] } }).sequencer.tracked().map((t) => t.lotId).sort();
  return { relay, emitted, tracked };
}

const live = (id: string, seq: number): Progress => ({ id, seq, closed: null, closedLongAgo: false, notBidding: false });

describe('AuctionsRelay sweep', () => {
  // The sweep serves several instances (REDIS_URL); without it the relay delivers straight to the room.
  beforeAll(() => (fanOutState.redisConfigured = true));
  afterAll(() => (fanOutState.redisConfigured = false));

  it('delivers from the record the bids no event brought, and keeps following a live lot', async () => {
    const { relay, emitted, tracked } = setup([live('a', 2)], [bidEvent('a', 1), bidEvent('a', 2)]);
    relay.onWatched(new LotWatched('a', 0));
    await relay.sweep();
    expect(emitted.map((e) => [e.event, (e.data as LotBidEvent).seq])).toEqual([
      ['lot.bid', 1],
      ['lot.bid', 2],
    ]);
    expect(tracked()).toEqual(['a']);
  });

  it('forgets a lot that was withdrawn, suspended or postponed, or no longer exists, after catching up', async () => {
    const { relay, emitted, tracked } = setup(
      [live('live', 0), { ...live('withdrawn', 1), notBidding: true }, { ...live('suspended', 0), notBidding: true }],
      [bidEvent('withdrawn', 1)],
    );
    for (const id of ['live', 'withdrawn', 'suspended', 'deleted']) relay.onWatched(new LotWatched(id, 0));
    expect(tracked()).toEqual(['deleted', 'live', 'suspended', 'withdrawn']);
    await relay.sweep();
    expect(tracked()).toEqual(['live']);
    // The withdrawn lot's last bid still reached its watchers before it was forgotten.
    expect(emitted.map((e) => [e.room, (e.data as LotBidEvent).seq])).toEqual([['lot:withdrawn', 1]]);
  });

  it('sends the lot.closed whose message was lost, once, and forgets the lot', async () => {
    const closed = { id: 'c', seq: 0, closed: { outcome: 'unsold' as const, price: null, bidderCode: null }, closedLongAgo: true, notBidding: false };
    const { relay, emitted, tracked } = setup([closed], []);
    relay.onWatched(new LotWatched('c', 0));
    await relay.sweep();
    await relay.sweep();
    expect(emitted).toEqual([{ room: 'lot:c', event: 'lot.closed', data: { lotId: 'c', outcome: 'unsold', price: null, bidderCode: null } }]);
    expect(tracked()).toEqual([]);
  });
});
