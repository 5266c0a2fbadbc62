import { EventEmitter2 } from '@nestjs/event-emitter';
import type { DataSource } from 'typeorm';
import { TokensRevoked, TokenVersions } from './token-versions.js';

/** The users table as the cache sees it: each read answers the version at the time the read is let through. */
function usersTable(): { db: DataSource; version: number; reads: number; hold(): () => void } {
  let gate: Promise<void> | null = null;
  const table = {
    version: 0,
    reads: 0,
    db: {
      query: async () => {
        table.reads += 1;
        const read = table.version;
        if (gate) await gate;
        return [{ token_version: read }];
      },
    } as unknown as DataSource,
    hold(): () => void {
      let release!: () => void;
      gate = new Promise<void>((r) => (release = r));
      return () => {
        gate = null;
        release();
      };
    },
  };
  return table;
}

describe('TokenVersions (the revocation cache)', () => {
  it('caches a version read, and forgets it when the revocation commits', async () => {
    const users = usersTable();
    const versions = new TokenVersions(users.db, new EventEmitter2());
    expect(await versions.current('u1')).toBe(0);
    expect(await versions.current('u1')).toBe(0);
    expect(users.reads).toBe(1);
    users.version = 1;
    versions.forget('u1');
    expect(await versions.current('u1')).toBe(1);
    expect(users.reads).toBe(2);
  });

  it('does not cache a read that a revocation overtook (the revoked tokens would pass for another minute)', async () => {
    const users = usersTable();
    const versions = new TokenVersions(users.db, new EventEmitter2());
    const release = users.hold();
    const inFlight = versions.current('u1'); // reads version 0, answer held back
    users.version = 1; // the revocation commits…
    versions.forget('u1'); // …and is heard while the read is in flight
    release();
    expect(await inFlight).toBe(0); // the request already in flight is answered as it was read
    expect(await versions.current('u1')).toBe(1); // but the next one reads again
    expect(users.reads).toBe(2);
  });

  it('publishes each revocation it hears of, for the sockets that hold a checked token', async () => {
    const events = new EventEmitter2();
    const heard: (string | null)[] = [];
    events.on(TokensRevoked.topic, (e: TokensRevoked) => heard.push(e.userId));
    new TokenVersions(usersTable().db, events).forget('u7');
    expect(heard).toEqual(['u7']);
  });
});
