/**
 * The one-statement bid write (apps/api/src/bidding/place-bid.service.ts) on real PostgreSQL: a bid decided
 * on what the instance last knew of the lot is written only while the lot row is that version, the bidder's
 * enrolment is still active, the database clock is in the span where the decision does not depend on the
 * time, and the lot's audit chain has not moved; otherwise it is decided again under the lock. Each test
 * changes one of these behind the instance's back and checks the answer is the one the locked path gives.
 */
import { AuditService } from '../../apps/api/src/audit/audit.service.js';
import { PREPARE_BID_STATEMENTS } from '../../apps/api/src/bidding/place-bid.service.js';
import { sqlLiteral } from '../../apps/api/src/database/sql-literal.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { clerkWithCase, enrol, loginAdmin, publishedLot, registerBidder, waitFor, waitLive, type Actor } from '../support/actors.js';

let t: TestPlatform;
let admin: Actor;
let clerk: Actor;
let caseId: string;

beforeAll(async () => {
  t = await startTestPlatform();
  admin = await loginAdmin(t);
  ({ clerk, caseId } = await clerkWithCase(t, admin));
});
afterAll(async () => {
  await t?.stop();
});

type Path = 'guarded' | 'guarded_missed' | 'locked_read';

/** `fapai_bid_paths_total` by path, from /api/metrics. */
async function paths(): Promise<Record<Path, number>> {
  const text = (await t.http.get('/api/metrics').expect(200)).text;
  const count = (path: Path) => Number(new RegExp(`^fapai_bid_paths_total\\{path="${path}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { guarded: count('guarded'), guarded_missed: count('guarded_missed'), locked_read: count('locked_read') };
}

async function pathsSince(before: Record<Path, number>): Promise<Record<Path, number>> {
  const now = await paths();
  return { guarded: now.guarded - before.guarded, guarded_missed: now.guarded_missed - before.guarded_missed, locked_read: now.locked_read - before.locked_read };
}

interface LiveLot {
  id: string;
  a: Actor;
  b: Actor;
}

/** A live lot (starting price 700,000, increment 1,000) with two enrolled bidders. */
async function liveLot(): Promise<LiveLot> {
  const id = await publishedLot(t, clerk, caseId, { startInMs: 2500, durationMs: 120_000 });
  const [a, b] = [await registerBidder(t), await registerBidder(t)];
  for (const x of [a, b]) expect((await enrol(t, x, id)).status).toBe(201);
  await waitLive(t, id);
  return { id, a, b };
}

const bid = (lot: string, who: Actor, amount: number) => t.http.post(`/api/lots/${lot}/bids`).set(who.auth).send({ amount });

async function auditOk(): Promise<void> {
  expect((await t.http.get('/api/audit/verify').set(admin.auth).expect(200)).body).toMatchObject({ ok: true });
}

describe('the one-statement bid write', () => {
  it('a known bidder on a known lot is written by one statement, timed by the database clock, with the same record and audit entry', async () => {
    const { id, a, b } = await liveLot();
    const before = await paths();
    expect((await bid(id, a, 700_000)).status).toBe(201); // a not seen yet: locked read
    expect((await bid(id, b, 701_000)).status).toBe(201); // b not seen yet: locked read
    expect(await pathsSince(before)).toEqual({ guarded: 0, guarded_missed: 0, locked_read: 2 });

    const sent = Date.now();
    const res = await bid(id, a, 702_000);
    const answered = Date.now();
    expect(res.status).toBe(201);
    expect(await pathsSince(before)).toEqual({ guarded: 1, guarded_missed: 0, locked_read: 2 });
    const placedAt = Date.parse(res.body.bid.placedAt as string);
    expect(placedAt).toBeGreaterThanOrEqual(sent - 5); // the same machine's clock, in whole milliseconds
    expect(placedAt).toBeLessThanOrEqual(answered);
    expect(res.body).toMatchObject({ bid: { seq: 3, amount: 702_000, priority: false }, lot: { currentPrice: 702_000, bidCount: 3, seq: 3, extensionCount: 0 } });

    const rows = (await t.db.query(`SELECT seq, amount::int, placed_at, kind, extended FROM bids WHERE lot_id = $1 ORDER BY seq`, [id])).rows as { seq: number; amount: number; placed_at: Date; kind: string; extended: boolean }[];
    expect(rows.map((r) => [r.seq, r.amount, r.kind, r.extended])).toEqual([
      [1, 700_000, 'opening', false],
      [2, 701_000, 'raise', false],
      [3, 702_000, 'raise', false],
    ]);
    expect(rows[2]!.placed_at.toISOString()).toBe(res.body.bid.placedAt);
    const lot = (await t.db.query(`SELECT current_price::int, leader_placed_at, seq, bid_count FROM lots WHERE id = $1`, [id])).rows[0] as { current_price: number; leader_placed_at: Date; seq: number; bid_count: number };
    expect(lot).toMatchObject({ current_price: 702_000, seq: 3, bid_count: 3 });
    expect(lot.leader_placed_at.toISOString()).toBe(res.body.bid.placedAt);
    // The audit entry has the same fields as one written by the locked path, placedAt from the database.
    const entries = (await t.db.query(`SELECT data FROM audit_log WHERE stream = $1 AND action = 'bid.accepted' ORDER BY seq`, [`lot:${id}`])).rows as { data: Record<string, unknown> }[];
    expect(entries.map((e) => Object.keys(e.data).sort())).toEqual([0, 1, 2].map(() => ['amount', 'bidderCode', 'endsAt', 'extended', 'kind', 'placedAt', 'priorityRank', 'seq']));
    expect(entries[2]!.data).toMatchObject({ seq: 3, amount: 702_000, kind: 'raise', extended: false, placedAt: res.body.bid.placedAt });
    await auditOk();

    // The public record and the lot view agree.
    const view = (await t.http.get(`/api/lots/${id}`).expect(200)).body as { currentPrice: number; seq: number; leaderCode: string };
    expect(view).toMatchObject({ currentPrice: 702_000, seq: 3, leaderCode: res.body.bid.bidderCode });
  });

  it('a lot changed behind the instance (its row version moved) is decided again under the lock: a bid on the old increment is off the grid', async () => {
    const { id, a, b } = await liveLot();
    expect((await bid(id, a, 700_000)).status).toBe(201);
    expect((await bid(id, b, 701_000)).status).toBe(201);
    expect((await bid(id, a, 702_000)).status).toBe(201);
    // Not through this instance: the instance still decides on increment 1,000, where 703,000 is valid.
    await t.db.query(`UPDATE lots SET increment = 2000 WHERE id = $1`, [id]);
    const before = await paths();
    const res = await bid(id, b, 703_000);
    expect(res.body).toMatchObject({ code: 'BID_NOT_ON_INCREMENT', details: { increment: 2000 } });
    expect(await pathsSince(before)).toEqual({ guarded: 0, guarded_missed: 1, locked_read: 1 });
    expect((await t.db.query(`SELECT count(*)::int AS n FROM bids WHERE lot_id = $1`, [id])).rows[0]).toEqual({ n: 3 });
    // Once read again, the next valid bid goes through (and by one statement, the lot now known again).
    expect((await bid(id, b, 704_000)).status).toBe(201);
    expect(await pathsSince(before)).toEqual({ guarded: 1, guarded_missed: 1, locked_read: 1 });
    await auditOk();
  });

  it('an enrolment cancelled behind the instance is refused NOT_ENROLLED, not written from memory', async () => {
    const { id, a, b } = await liveLot();
    expect((await bid(id, a, 700_000)).status).toBe(201);
    expect((await bid(id, b, 701_000)).status).toBe(201);
    await t.db.query(`UPDATE enrolments SET status = 'cancelled' WHERE lot_id = $1 AND user_id = $2`, [id, a.id]);
    const before = await paths();
    const res = await bid(id, a, 702_000);
    expect(res.body).toMatchObject({ code: 'NOT_ENROLLED' });
    expect(await pathsSince(before)).toEqual({ guarded: 0, guarded_missed: 1, locked_read: 1 });
    expect((await t.db.query(`SELECT count(*)::int AS n FROM bids WHERE lot_id = $1`, [id])).rows[0]).toEqual({ n: 2 });
  });

  it('an audit entry committed while the statement waited for the lot lock: refused whole by the unique (stream, seq), decided again, the chain intact', async () => {
    const { id, a, b } = await liveLot();
    expect((await bid(id, a, 700_000)).status).toBe(201);
    expect((await bid(id, b, 701_000)).status).toBe(201);
    const holder = await t.db.connect();
    try {
      // Another writer of the lot's stream, holding the lot's lock without changing the row (as a file upload does).
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM lots WHERE id = $1 FOR UPDATE`, [id]);
      await holder.query(`WITH ${AuditService.appendCte({ stream: '$1', action: "'lot.file_added'", actor: 'NULL', data: "'{}'" })} SELECT 1`, [`lot:${id}`]);
      const before = await paths();
      const pending = bid(id, a, 702_000).then((r) => r);
      // The guarded statement has taken its snapshot and waits for the lock.
      await waitFor('the guarded statement waiting for the lot lock', async () => {
        const rows = (await t.db.query(`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'EXECUTE fapai_bid_guarded%'`)).rows;
        return rows.length === 1;
      });
      await holder.query('COMMIT');
      const res = await pending;
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ bid: { seq: 3, amount: 702_000 } });
      expect(await pathsSince(before)).toEqual({ guarded: 0, guarded_missed: 1, locked_read: 1 });
    } finally {
      holder.release();
    }
    const stream = (await t.db.query(`SELECT seq, action FROM audit_log WHERE stream = $1 ORDER BY seq`, [`lot:${id}`])).rows as { seq: number; action: string }[];
    expect(stream.slice(-2)).toEqual([
      { seq: stream.length - 1, action: 'lot.file_added' },
      { seq: stream.length, action: 'bid.accepted' },
    ]);
    await auditOk();
  });

  it('the statement writes nothing when the database clock is outside the span, and the same statement in the span writes the bid', async () => {
    const { id, a, b } = await liveLot();
    expect((await bid(id, a, 700_000)).status).toBe(201);
    const lot = (await t.db.query(`SELECT xmin::text AS version, ends_at FROM lots WHERE id = $1`, [id])).rows[0] as { version: string; ends_at: Date };
    const enrolment = (await t.db.query(`SELECT id, bidder_code, user_id FROM enrolments WHERE lot_id = $1 AND user_id = $2`, [id, b.id])).rows[0] as { id: string; bidder_code: string; user_id: string };
    const client = await t.db.connect();
    try {
      await client.query(PREPARE_BID_STATEMENTS);
      const run = async (from: Date, until: Date) => {
        const values = [id, 2, enrolment.id, enrolment.bidder_code, 701_000, null, 'raise', from, until, null, null, `lot:${id}`, enrolment.user_id, '{"seq":2}', lot.version, lot.ends_at];
        return (await client.query(`EXECUTE fapai_bid_guarded(${values.map(sqlLiteral).join(', ')})`)).rows;
      };
      const now = Date.now();
      expect(await run(new Date(now - 60_000), new Date(now - 10_000))).toEqual([]); // the span has passed
      expect(await run(new Date(now + 10_000), new Date(now + 60_000))).toEqual([]); // not yet
      expect((await t.db.query(`SELECT seq FROM lots WHERE id = $1`, [id])).rows[0]).toEqual({ seq: 1 });
      const written = await run(new Date(now - 10_000), new Date(now + 60_000));
      expect(written).toHaveLength(1);
      expect((await t.db.query(`SELECT seq, current_price::int FROM lots WHERE id = $1`, [id])).rows[0]).toEqual({ seq: 2, current_price: 701_000 });
      // The version has moved: the same statement again writes nothing.
      expect(await run(new Date(now - 10_000), new Date(now + 60_000))).toEqual([]);
      // On a generic plan after the first few runs, like the other bid statements: no planning per bid.
      // (PostgreSQL plans the first 5 runs for their values; a statistics update between runs may make it
      // plan again, so the test looks at the last runs, not at exact totals.)
      const plans = async () => (await client.query(`SELECT generic_plans::int AS generic, custom_plans::int AS custom FROM pg_prepared_statements WHERE name = 'fapai_bid_guarded'`)).rows[0] as { generic: number; custom: number };
      for (let i = 0; i < 5; i++) await run(new Date(now - 10_000), new Date(now + 60_000));
      const settled = await plans();
      for (let i = 0; i < 5; i++) await run(new Date(now - 10_000), new Date(now + 60_000));
      expect(await plans()).toEqual({ generic: settled.generic + 5, custom: settled.custom });
    } finally {
      client.release(true);
    }
    await auditOk();
  });
});
