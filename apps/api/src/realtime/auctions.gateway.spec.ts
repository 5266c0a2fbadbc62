import { jest } from '@jest/globals';
import type { EventEmitter2 } from '@nestjs/event-emitter';
import type { AuthUser, TokenVerifier } from '../common/auth.js';
import type { LotsService } from '../lots/lots.service.js';
import type { PlaceBidService } from '../bidding/place-bid.service.js';
import type { MetricsService } from '../observability/metrics.service.js';
import { TokensRevoked } from '../accounts/token-versions.js';
import { correlation } from '../observability/logger.js';
import { AuctionsGateway } from './auctions.gateway.js';

const BIDDER: AuthUser = { id: 'u1', roles: ['bidder'], courtId: null, agencyId: null };
const down = () => Promise.reject(new Error('Client has encountered a connection error and is not queryable'));

/** The gateway with a token check that answers `userOf`, and a socket that records what was done to it. */
function setup(userOf: (token: string) => Promise<AuthUser | null>, expiryOf: (token: string) => number | null = () => null) {
  const metrics = { sockets: { inc: () => undefined, dec: () => undefined } } as unknown as MetricsService;
  const placed: string[] = [];
  const placeBid = { place: async (userId: string) => (placed.push(userId), { bid: { seq: 1 } }) } as unknown as PlaceBidService;
  const gateway = new AuctionsGateway({ userOf, expiryOf } as unknown as TokenVerifier, {} as LotsService, placeBid, metrics, {} as EventEmitter2);
  const rooms = new Set<string>();
  const middlewares: ((packet: unknown[], next: () => void) => void)[] = [];
  const socket = {
    id: 's1',
    middlewares,
    use: (fn: (packet: unknown[], next: () => void) => void) => void middlewares.push(fn),
    recovered: false,
    rooms,
    handshake: { auth: { token: 'a.jwt.token' } as { token?: string } },
    data: {} as { user?: AuthUser },
    disconnected: false,
    join: async (room: string) => void rooms.add(room),
    leave: async (room: string) => void rooms.delete(room),
    disconnect() {
      this.disconnected = true;
    },
  };
  gateway.server = { sockets: new Map([['s1', socket]]) } as never;
  return { gateway, socket, rooms, placed, as: socket as never };
}

describe('AuctionsGateway sessions', () => {
  it('a token that cannot be checked on connect (database away) leaves an anonymous watcher, not an unhandled rejection', async () => {
    const { gateway, socket, rooms, as } = setup(down);
    await expect(gateway.handleConnection(as)).resolves.toBeUndefined();
    expect(socket.disconnected).toBe(false);
    expect(socket.data.user).toBeUndefined();
    expect(rooms.size).toBe(0);
  });

  it('bid.place checks the token again: once the database is back the same socket bids and is signed in', async () => {
    let available = false;
    const { gateway, socket, rooms, placed, as } = setup((token) => (available ? Promise.resolve(token ? BIDDER : null) : down()));
    await gateway.handleConnection(as);
    const refused = await gateway.bid(as, { lotId: '3f1c2b9e-8d4a-4e8f-9a6b-2c1d0e9f8a7b', amount: 700_000 });
    expect(refused).toMatchObject({ ok: false, error: { statusCode: 503 } });
    available = true;
    expect(await gateway.bid(as, { lotId: '3f1c2b9e-8d4a-4e8f-9a6b-2c1d0e9f8a7b', amount: 700_000 })).toMatchObject({ ok: true });
    expect(placed).toEqual(['u1']);
    expect(socket.data.user).toEqual(BIDDER);
    expect([...rooms]).toEqual(['user:u1']);
  });

  it('each message runs under a correlation id of its own, which a 5xx ack names as the HTTP answer does', async () => {
    const { gateway, socket, as } = setup(down);
    await gateway.handleConnection(as);
    expect(socket.middlewares).toHaveLength(1);
    const seen: { inside: string | undefined; ack: unknown }[] = [];
    for (let i = 0; i < 2; i++) {
      await new Promise<void>((done) =>
        socket.middlewares[0](['bid.place', {}], () => {
          const inside = correlation.getStore()?.id;
          void gateway.bid(as, { lotId: '3f1c2b9e-8d4a-4e8f-9a6b-2c1d0e9f8a7b', amount: 700_000 }).then((ack) => (seen.push({ inside, ack }), done()));
        }),
      );
    }
    for (const { inside, ack } of seen) {
      expect(inside).toMatch(/^[0-9a-f-]{36}$/);
      expect(ack).toEqual({ ok: false, error: { statusCode: 503, code: 'DATABASE_UNAVAILABLE', message: expect.any(String), details: { correlationId: inside } } });
    }
    expect(seen[0].inside).not.toBe(seen[1].inside);
  });

  it('a token revoked since the handshake is refused and the socket leaves the bidder’s own room', async () => {
    let valid = true;
    const { gateway, socket, rooms, placed, as } = setup(async () => (valid ? BIDDER : null));
    await gateway.handleConnection(as);
    expect([...rooms]).toEqual(['user:u1']);
    valid = false;
    expect(await gateway.bid(as, { lotId: '3f1c2b9e-8d4a-4e8f-9a6b-2c1d0e9f8a7b', amount: 700_000 })).toMatchObject({ ok: false, error: { statusCode: 401, code: 'UNAUTHENTICATED' } });
    expect(placed).toEqual([]);
    expect(socket.data.user).toBeUndefined();
    expect(rooms.size).toBe(0);
  });

  it('a revocation takes the user’s socket out of its room at once, before the token is checked again', async () => {
    let valid = true;
    const { gateway, socket, rooms, as } = setup(async () => (valid ? BIDDER : null));
    await gateway.handleConnection(as);
    valid = false;
    const handled = gateway.onTokensRevoked(new TokensRevoked('u1'));
    expect(rooms.size).toBe(0); // synchronously: no notice can reach it while the check runs
    await handled;
    expect(rooms.size).toBe(0);
    expect(socket.data.user).toBeUndefined();
  });

  it('a socket whose token is still good (issued after the revocation) comes back to its room after the check', async () => {
    const { gateway, socket, rooms, as } = setup(async () => BIDDER);
    await gateway.handleConnection(as);
    await gateway.onTokensRevoked(new TokensRevoked('u1'));
    expect([...rooms]).toEqual(['user:u1']);
    expect(socket.data.user).toEqual(BIDDER);
  });

  it('another user’s revocation leaves the socket alone; an unknown one (listener back after an outage) checks it again', async () => {
    let valid = true;
    let checks = 0;
    const { gateway, rooms, as } = setup(async () => (checks++, valid ? BIDDER : null));
    await gateway.handleConnection(as);
    await gateway.onTokensRevoked(new TokensRevoked('u2'));
    expect([checks, [...rooms]]).toEqual([1, ['user:u1']]);
    await gateway.onTokensRevoked(new TokensRevoked(null));
    expect([checks, [...rooms]]).toEqual([2, ['user:u1']]);
    valid = false;
    await gateway.onTokensRevoked(new TokensRevoked(null));
    expect(rooms.size).toBe(0);
  });

  it('a revocation that comes while the handshake token is being checked is not missed', async () => {
    let valid = true;
    let release!: () => void;
    const first = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const { gateway, socket, rooms, as } = setup(async () => {
      calls += 1;
      if (calls > 1) return valid ? BIDDER : null;
      await first; // this check read the version before the revocation committed: still good
      return BIDDER;
    });
    const connecting = gateway.handleConnection(as);
    valid = false;
    await gateway.onTokensRevoked(new TokensRevoked('u1')); // the socket is not signed in yet: nothing to take out
    release();
    await connecting;
    expect(calls).toBe(2);
    expect(rooms.size).toBe(0);
    expect(socket.data.user).toBeUndefined();
  });

  it('its token\'s expiry takes the socket out of its user\'s room, unless a renewed token (auth.renew) came first', async () => {
    jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick', 'setImmediate'] });
    try {
      const start = Date.now();
      const renewed = 'renewed.jwt.token.of.the.same.user';
      const { gateway, socket, rooms, as } = setup(async () => BIDDER, (token) => (token === renewed ? start + 5_000 : start + 1_000));
      await gateway.handleConnection(as);
      expect([...rooms]).toEqual(['user:u1']);
      jest.advanceTimersByTime(500);
      expect(await gateway.renew(as, { token: renewed })).toEqual({ ok: true });
      expect(socket.handshake.auth.token).toBe(renewed);
      jest.advanceTimersByTime(1_000); // past the first token's expiry: the renewed one holds
      expect([...rooms]).toEqual(['user:u1']);
      jest.advanceTimersByTime(3_600); // past the renewed token's
      await Promise.resolve();
      expect(rooms.size).toBe(0);
      expect(socket.data.user).toBeUndefined();
    } finally {
      jest.useRealTimers();
    }
  });

  it('a recovered socket (connection state recovery) does not get its user\'s room back unless its token is good now', async () => {
    const { gateway, socket, rooms, as } = setup(down);
    socket.recovered = true;
    rooms.add('lot:l1');
    rooms.add('user:u1');
    socket.data.user = BIDDER;
    await gateway.handleConnection(as);
    expect([...rooms]).toEqual(['lot:l1']);
    expect(socket.data.user).toBeUndefined();
  });
});
