import type { LotBidEvent } from '@fapai/contracts';
import type { LotsService } from '../lots/lots.service.js';
import type { PlaceBidService } from '../bidding/place-bid.service.js';
import type { AuctionsGateway } from './auctions.gateway.js';
import { AuctionsRelay } from './auctions.relay.js';
import { LotWatched } from './auctions.gateway.js';
import { fanOutState } from './io.adapter.js';
import { bidEvent } from './testing.js';
import { LotClosed } from '../bidding/bid-placed.event.js';
import { LotStatusChanged } from '../lots/lots.service.js';

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

/** A relay on a server stand-in: what went to this instance's sockets, through the adapter, and to peers. */
function wired() {
  const sent: { via: 'local' | 'adapter'; room: string; event: string; data: unknown }[] = [];
  const peers: { topic: string; message: unknown }[] = [];
  const handlers = new Map<string, (m: unknown) => void>();
  const via = (v: 'local' | 'adapter') => ({ to: (room: string) => ({ emit: (event: string, data: unknown) => sent.push({ via: v, room, event, data }) }) });
  const server = { ...via('adapter'), local: via('local'), serverSideEmit: (topic: string, message: unknown) => peers.push({ topic, message }), on: (topic: string, h: (m: unknown) => void) => handlers.set(topic, h) };
  const forgotten: string[] = [];
  const placeBid = { notePrice: () => undefined, forgetLot: (id: string) => forgotten.push(id) } as unknown as PlaceBidService;
  const relay = new AuctionsRelay({ server } as unknown as AuctionsGateway, placeBid, {} as LotsService);
  relay.onApplicationBootstrap();
  relay.onApplicationShutdown();
  return { relay, sent, peers, handlers, forgotten };
}

describe('AuctionsRelay status, close and outbid notices', () => {
  afterEach(() => Object.assign(fanOutState, { redisConfigured: false, redisReady: false }));
  const status = new LotStatusChanged('l1', 'suspended', null, '案外人异议');
  const closed = new LotClosed('l1', 'sold', 702_000, 'K7Q2M9', 'u9');

  it('one instance: through the adapter, which keeps them for connection state recovery', () => {
    const { relay, sent, peers } = wired();
    relay.onStatus(status);
    relay.onClosed(closed);
    expect(sent.map((s) => [s.via, s.room, s.event])).toEqual([
      ['adapter', 'lot:l1', 'lot.status'],
      ['adapter', 'lot:l1', 'lot.closed'],
    ]);
    expect(peers).toEqual([]);
  });

  it('several: to this instance\'s sockets at once, then to the peers — never waiting on the Redis adapter', () => {
    Object.assign(fanOutState, { redisConfigured: true, redisReady: true });
    const { relay, sent, peers } = wired();
    relay.onStatus(status);
    relay.onClosed(closed);
    expect(sent.map((s) => [s.via, s.room, s.event])).toEqual([
      ['local', 'lot:l1', 'lot.status'],
      ['local', 'lot:l1', 'lot.closed'],
    ]);
    expect(peers.map((p) => p.topic)).toEqual(['fapai:lot.status', 'fapai:lot.closed:2']);
    expect(peers[1].message).toMatchObject({ room: 'lot:l1', payload: { lotId: 'l1', outcome: 'sold', price: 702_000, bidderCode: 'K7Q2M9' } });
    // Redis known to be down: this instance's sockets only.
    fanOutState.redisReady = false;
    relay.onStatus(status);
    expect(sent.at(-1)).toMatchObject({ via: 'local', event: 'lot.status' });
    expect(peers).toHaveLength(2);
  });

  it('a peer delivers what it hears to its own sockets; a status or notice that waited for Redis is dropped, a close never', () => {
    Object.assign(fanOutState, { redisConfigured: true, redisReady: true });
    const { sent, handlers, forgotten } = wired();
    const payload = { lotId: 'l1', status: 'live', endsAt: null, reason: null };
    handlers.get('fapai:lot.status')!({ at: Date.now() - 1_000, room: 'lot:l1', payload });
    handlers.get('fapai:lot.status')!({ at: Date.now() - 60_000, room: 'lot:l1', payload });
    handlers.get('fapai:bid.outbid')!({ at: Date.now() - 60_000, room: 'user:u1', payload: { lotId: 'l1', seq: 2, amount: 1, yourAmount: 0 } });
    handlers.get('fapai:lot.closed:2')!({ at: Date.now() - 60_000, room: 'lot:l1', payload: { lotId: 'l1', outcome: 'unsold', price: null, bidderCode: null } });
    expect(sent.map((s) => [s.via, s.event])).toEqual([
      ['local', 'lot.status'],
      ['local', 'lot.closed'],
    ]);
    expect(forgotten).toEqual(['l1']);
  });
});
