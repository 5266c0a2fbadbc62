import { GroupCommit, type GuardedRow, type Lease } from './group-commit.js';
import type { PoolClient } from 'pg';

/**
 * The batching and splitting rules of GroupCommit, on a stand-in connection whose queries answer when the test
 * says. (What the statements do on real PostgreSQL — one transaction, the rollback of a split batch, the lock
 * wait — is checked end to end in test/api/bid-group-commit.e2e-spec.ts.)
 */
interface Sent {
  sql: string;
  answer: (results: unknown) => void;
  fail: (error: unknown) => void;
}

class Connections {
  sent: Sent[] = [];
  leased = 0;
  released: (Error | undefined)[] = [];
  connect = (): Promise<Lease> => {
    this.leased++;
    const client = {
      query: (sql: string) =>
        sql === 'ROLLBACK'
          ? Promise.resolve({ rows: [] })
          : new Promise((answer, fail) => this.sent.push({ sql, answer, fail })),
    } as unknown as PoolClient;
    return Promise.resolve({ client, release: (broken?: Error) => void this.released.push(broken) });
  };
}

const row = (n: number): GuardedRow => ({ placed_at: new Date(n), outbid_user: null, version: String(n) });
/** The results of `BEGIN; SET …; s1; …; sn; COMMIT` with a row for each statement whose row is given. */
const batchResults = (rows: (GuardedRow | null)[]) => [{ rows: [] }, { rows: [] }, ...rows.map((r) => ({ rows: r ? [r] : [] })), { rows: [] }];
const tick = () => new Promise((r) => setImmediate(r));
const unique = Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' });

describe('GroupCommit', () => {
  it('sends a bid at once when a batch is free, and those that arrive meanwhile together, in lot order, up to the size', async () => {
    const db = new Connections();
    const gc = new GroupCommit(db.connect, { maxBatch: 3, maxInFlight: 1, lockWaitMs: 100 });
    const first = gc.write('lot-m', 'EXECUTE m');
    await tick();
    expect(db.sent.map((s) => s.sql)).toEqual(['BEGIN; SET LOCAL lock_timeout = 100; EXECUTE m; COMMIT']);
    const later = ['lot-z', 'lot-b', 'lot-k', 'lot-a'].map((lot) => gc.write(lot, `EXECUTE ${lot.slice(4)}`));
    await tick();
    expect(gc.waiting).toBe(4);
    db.sent[0].answer(batchResults([row(1)]));
    await expect(first).resolves.toEqual(row(1));
    await tick();
    // The next three that waited, sorted by lot; the fourth waits for the next batch.
    expect(db.sent[1].sql).toBe('BEGIN; SET LOCAL lock_timeout = 100; EXECUTE b; EXECUTE k; EXECUTE z; COMMIT');
    expect(gc.waiting).toBe(1);
    db.sent[1].answer(batchResults([row(2), null, row(4)]));
    await tick();
    db.sent[2].answer(batchResults([row(5)]));
    // Each answer goes to its own bid, whatever the order they were sent in; a failed guard is null.
    await expect(Promise.all(later)).resolves.toEqual([row(4), row(2), null, row(5)]);
    expect(db.released).toEqual([undefined, undefined, undefined]);
  });

  it('keeps at most maxInFlight batches at the database', async () => {
    const db = new Connections();
    const gc = new GroupCommit(db.connect, { maxBatch: 1, maxInFlight: 2, lockWaitMs: 100 });
    const bids = ['a', 'b', 'c'].map((lot) => gc.write(lot, `EXECUTE ${lot}`));
    await tick();
    expect(db.sent).toHaveLength(2);
    expect(gc.waiting).toBe(1);
    db.sent[1].answer(batchResults([row(2)]));
    await tick();
    expect(db.sent).toHaveLength(3);
    db.sent[0].answer(batchResults([row(1)]));
    db.sent[2].answer(batchResults([row(3)]));
    await expect(Promise.all(bids)).resolves.toEqual([row(1), row(2), row(3)]);
  });

  it('splits a batch refused by a unique index: each statement again alone, the refused one answered null', async () => {
    const db = new Connections();
    const splits: unknown[] = [];
    const gc = new GroupCommit(db.connect, { maxBatch: 8, maxInFlight: 1, lockWaitMs: 100, observe: (e) => 'split' in e && splits.push(e) });
    const blocker = gc.write('a', 'EXECUTE a');
    await tick();
    const bids = ['b', 'c'].map((lot) => gc.write(lot, `EXECUTE ${lot}`));
    db.sent[0].answer(batchResults([row(1)]));
    await blocker;
    await tick();
    db.sent[1].fail(unique);
    await tick();
    await tick();
    // Alone: no BEGIN, each on a connection of its own, outside the one batch allowed at a time.
    expect(db.sent.slice(2).map((s) => s.sql)).toEqual(['EXECUTE b', 'EXECUTE c']);
    db.sent[3].answer({ rows: [row(3)] });
    db.sent[2].fail(unique);
    await expect(Promise.all(bids)).resolves.toEqual([null, row(3)]);
    expect(splits).toEqual([{ split: 2, code: '23505' }]);
    expect(db.released.every((b) => b === undefined)).toBe(true);
  });

  it('a connection lost under a batch fails each of its bids and destroys the connection', async () => {
    const db = new Connections();
    const gc = new GroupCommit(db.connect, { maxBatch: 8, maxInFlight: 1, lockWaitMs: 100 });
    const blocker = gc.write('x', 'EXECUTE x');
    await tick();
    const bids = ['a', 'b'].map((lot) => gc.write(lot, `EXECUTE ${lot}`));
    db.sent[0].answer(batchResults([row(1)]));
    await blocker;
    await tick();
    expect(db.sent[1].sql).toBe('BEGIN; SET LOCAL lock_timeout = 100; EXECUTE a; EXECUTE b; COMMIT');
    const lost = new Error('Connection terminated unexpectedly');
    db.sent[1].fail(lost);
    for (const b of bids) await expect(b).rejects.toBe(lost);
    expect(db.released).toEqual([undefined, lost]);
    expect(db.sent).toHaveLength(2);
  });
});
