/**
 * Group commit of one-statement bids (apps/api/src/bidding/group-commit.ts) on real PostgreSQL. The platform runs
 * with one group commit at a time, so bids that arrive while it is busy wait and then leave together; a side
 * connection holding lot rows makes that happen on cue. Each test checks the record, not only the answers:
 * every accepted bid written once with its audit entry, nothing of a rolled-back batch left behind.
 */
import { AuditService } from '../../apps/api/src/audit/audit.service.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { clerkWithCase, enrol, loginAdmin, publishedLot, registerBidder, waitFor, waitLive, type Actor } from '../support/actors.js';
import type { PoolClient } from 'pg';

let t: TestPlatform;
let admin: Actor;
let clerk: Actor;
let caseId: string;
/** Long enough for a test to line bids up behind a held row; test 3 waits it out once. */
const LOCK_WAIT_MS = 5000;

beforeAll(async () => {
  t = await startTestPlatform({ BID_GROUP_COMMITS: '1', BID_GROUP_COMMIT_SIZE: '32', BID_GROUP_COMMIT_LOCK_WAIT_MS: String(LOCK_WAIT_MS) });
  admin = await loginAdmin(t);
  ({ clerk, caseId } = await clerkWithCase(t, admin));
});
afterAll(async () => {
  await t?.stop();
});

interface LiveLot {
  id: string;
  a: Actor;
  b: Actor;
}

const bid = (lot: string, who: Actor, amount: number) => t.http.post(`/api/lots/${lot}/bids`).set(who.auth).send({ amount });

/**
 * `n` live lots (starting price 700,000, increment 1,000), each with two enrolled bidders who have bid once
 * (700,000 and 701,000), so the instance knows lot and bidders and the next bid takes the one statement.
 * Sorted by id: the order a group commit locks them in.
 */
async function knownLots(n: number): Promise<LiveLot[]> {
  const lots: LiveLot[] = [];
  for (let i = 0; i < n; i++) {
    const id = await publishedLot(t, clerk, caseId, { startInMs: 2500, durationMs: 300_000 });
    const [a, b] = [await registerBidder(t), await registerBidder(t)];
    for (const x of [a, b]) expect((await enrol(t, x, id)).status).toBe(201);
    lots.push({ id, a, b });
  }
  for (const lot of lots) {
    await waitLive(t, lot.id);
    expect((await bid(lot.id, lot.a, 700_000)).status).toBe(201);
    expect((await bid(lot.id, lot.b, 701_000)).status).toBe(201);
  }
  return lots.sort((x, y) => (x.id < y.id ? -1 : 1));
}

/** The group-commit metrics from /api/metrics. */
async function metrics(): Promise<{ batches: number; bids: number; upTo4: number; waiting: number; splits: Record<string, number>; guarded: number; missed: number; locked: number }> {
  const text = (await t.http.get('/api/metrics').expect(200)).text;
  const num = (re: RegExp) => Number(re.exec(text)?.[1] ?? 0);
  const splits: Record<string, number> = {};
  for (const m of text.matchAll(/^fapai_bid_group_commit_splits_total\{code="(\w+)"\} (\d+)/gm)) splits[m[1]] = Number(m[2]);
  return {
    batches: num(/^fapai_bid_group_commit_size_count (\d+)/m),
    bids: num(/^fapai_bid_group_commit_size_sum (\d+)/m),
    upTo4: num(/^fapai_bid_group_commit_size_bucket\{le="4"\} (\d+)/m),
    waiting: num(/^fapai_bid_group_commit_waiting (\d+)/m),
    splits,
    guarded: num(/^fapai_bid_paths_total\{path="guarded"\} (\d+)/m),
    missed: num(/^fapai_bid_paths_total\{path="guarded_missed"\} (\d+)/m),
    locked: num(/^fapai_bid_paths_total\{path="locked_read"\} (\d+)/m),
  };
}

/** A side transaction holding lot rows (`FOR UPDATE`, the row unchanged, as a file upload or a peer's bid does). */
async function hold(ids: string[]): Promise<PoolClient> {
  const holder = await t.db.connect();
  await holder.query('BEGIN');
  for (const id of ids) await holder.query(`SELECT 1 FROM lots WHERE id = $1 FOR UPDATE`, [id]);
  return holder;
}

/** Bids on the record of a lot, in seq order, with the lot's own figures and its audit entries for bids. */
async function record(id: string) {
  const bids = (await t.db.query(`SELECT seq, amount::int AS amount FROM bids WHERE lot_id = $1 ORDER BY seq`, [id])).rows as { seq: number; amount: number }[];
  const lot = (await t.db.query(`SELECT current_price::int AS price, seq, bid_count FROM lots WHERE id = $1`, [id])).rows[0] as { price: number; seq: number; bid_count: number };
  const audited = (await t.db.query(`SELECT (data->>'seq')::int AS seq FROM audit_log WHERE stream = $1 AND action = 'bid.accepted' ORDER BY seq`, [`lot:${id}`])).rows as { seq: number }[];
  return { bids, lot, audited: audited.map((r) => r.seq) };
}

async function auditOk(): Promise<void> {
  expect((await t.http.get('/api/audit/verify').set(admin.auth).expect(200)).body).toMatchObject({ ok: true });
}

/** Waits until `n` bids wait for the (single) group commit. */
const queued = (n: number) => waitFor(`${n} bids waiting for the group commit`, async () => (await metrics()).waiting === n);

/** Waits until a group commit (the message begins with its BEGIN) naming `lotId` waits for a row lock. */
const groupWaitingFor = (lotId: string) =>
  waitFor(`a group commit with lot ${lotId} waiting for a row lock`, async () => {
    const rows = (await t.db.query(`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'BEGIN; SET LOCAL lock_timeout%' AND strpos(query, $1) > 0`, [lotId])).rows;
    return rows.length === 1;
  });

describe('group commit of bids', () => {
  it('bids on five lots that waited together commit as one transaction, each written once with its audit entry', async () => {
    const [first, ...rest] = await knownLots(6);
    const before = await metrics();
    const holder = await hold([first.id]);
    let answers: { status: number; body: { bid: { seq: number; amount: number; placedAt: string } } }[];
    let released: number | undefined;
    try {
      // The first bid takes the only group commit and waits for the held row; the next five wait in memory.
      const pendingFirst = bid(first.id, first.a, 702_000).then((r) => r);
      await groupWaitingFor(first.id);
      const pendingRest = rest.map((lot) => bid(lot.id, lot.a, 702_000).then((r) => r));
      await queued(5);
      released = Date.now();
      await holder.query('COMMIT');
      answers = await Promise.all([pendingFirst, ...pendingRest]);
    } finally {
      holder.release();
    }
    for (const res of answers) expect(res).toMatchObject({ status: 201, body: { bid: { seq: 3, amount: 702_000 } } });
    const after = await metrics();
    // One group commit of 1 (the first) and one of 5; all six on the one-statement path.
    expect({ batches: after.batches - before.batches, bids: after.bids - before.bids, upTo4: after.upTo4 - before.upTo4 }).toEqual({ batches: 2, bids: 6, upTo4: 1 });
    expect({ guarded: after.guarded - before.guarded, missed: after.missed - before.missed, locked: after.locked - before.locked }).toEqual({ guarded: 6, missed: 0, locked: 0 });
    expect(after.waiting).toBe(0);
    for (const lot of [first, ...rest]) {
      expect(await record(lot.id)).toEqual({
        bids: [
          { seq: 1, amount: 700_000 },
          { seq: 2, amount: 701_000 },
          { seq: 3, amount: 702_000 },
        ],
        lot: { price: 702_000, seq: 3, bid_count: 3 },
        audited: [1, 2, 3],
      });
    }
    // The five were timed by the database, each when its statement ran in the batch: after the holder let go, in
    // lot order (the batch's order), the first bid before them all.
    const placed = answers.map((res) => Date.parse(res.body.bid.placedAt));
    expect(placed[1]).toBeGreaterThanOrEqual(released! - 5); // the same machine's clock, in whole milliseconds
    expect(placed.slice(1)).toEqual([...placed.slice(1)].sort((x, y) => x - y));
    expect(Math.min(...placed.slice(1))).toBeGreaterThanOrEqual(placed[0]);
    await auditOk();
  });

  it('a batch one of whose statements a unique index refuses is rolled back whole and split: every bid still accepted once, the chain intact', async () => {
    const [first, ...rest] = await knownLots(5);
    const victim = rest[1];
    const before = await metrics();
    const gate = await hold([first.id]);
    // Another writer of the victim lot's audit stream, holding its row: the batch's statement for that lot takes its
    // snapshot, waits for the lock, then repeats the stream's seq that this writer commits meanwhile (23505).
    const writer = await hold([victim.id]);
    await writer.query(`WITH ${AuditService.appendCte({ stream: '$1', action: "'lot.file_added'", actor: 'NULL', data: "'{}'" })} SELECT 1`, [`lot:${victim.id}`]);
    let answers: { status: number; body: { bid: { seq: number; amount: number } } }[];
    try {
      const pendingFirst = bid(first.id, first.a, 702_000).then((r) => r);
      await groupWaitingFor(first.id);
      const pendingRest = rest.map((lot) => bid(lot.id, lot.a, 702_000).then((r) => r));
      await queued(4);
      await gate.query('COMMIT');
      // The batch of four now waits for the victim's row (well within the lock wait allowed).
      await groupWaitingFor(victim.id);
      await writer.query('COMMIT');
      answers = await Promise.all([pendingFirst, ...pendingRest]);
    } finally {
      gate.release();
      writer.release();
    }
    expect(answers[0]).toMatchObject({ status: 201, body: { bid: { seq: 3, amount: 702_000 } } });
    for (const res of answers.slice(1)) expect(res).toMatchObject({ status: 201, body: { bid: { seq: 3, amount: 702_000 } } });
    const after = await metrics();
    expect(after.splits['23505'] ?? 0).toBe((before.splits['23505'] ?? 0) + 1);
    // Split, each ran again alone: the victim's now sees the writer's entry, so all five stay on the one statement.
    expect({ guarded: after.guarded - before.guarded, missed: after.missed - before.missed, locked: after.locked - before.locked }).toEqual({ guarded: 5, missed: 0, locked: 0 });
    for (const lot of rest) {
      const r = await record(lot.id);
      // Nothing of the rolled-back batch left: one third bid each.
      expect(r.bids.map((x) => x.seq)).toEqual([1, 2, 3]);
      expect(r.lot).toEqual({ price: 702_000, seq: 3, bid_count: 3 });
      expect(r.audited).toEqual([1, 2, 3]);
    }
    const stream = (await t.db.query(`SELECT seq, action FROM audit_log WHERE stream = $1 ORDER BY seq`, [`lot:${victim.id}`])).rows as { seq: number; action: string }[];
    expect(stream.slice(-2).map((e) => e.action)).toEqual(['lot.file_added', 'bid.accepted']);
    await auditOk();
  });

  it('a lot held longer than the lock wait splits its batch: the other lots are answered while it is still held, it after', async () => {
    const [first, ...rest] = await knownLots(4);
    const slow = rest[0];
    const before = await metrics();
    const gate = await hold([first.id]);
    const blocker = await hold([slow.id]);
    try {
      const pendingFirst = bid(first.id, first.a, 702_000).then((r) => r);
      await groupWaitingFor(first.id);
      const answeredAt = new Map<string, number>();
      const pendingRest = rest.map((lot) =>
        bid(lot.id, lot.a, 703_000).then((r) => {
          answeredAt.set(lot.id, Date.now());
          return r;
        }),
      );
      await queued(3);
      await gate.query('COMMIT');
      // The batch waits for the slow lot's row, gives up after the lock wait and splits; each runs alone on a
      // connection of its own, so the two others commit while the slow lot is still held.
      const others = rest.filter((lot) => lot !== slow);
      await waitFor('the other lots answered', async () => others.every((lot) => answeredAt.has(lot.id)), LOCK_WAIT_MS * 4 + 10_000);
      expect(answeredAt.has(slow.id)).toBe(false);
      await new Promise((r) => setTimeout(r, 200));
      const blockerReleasedAt = Date.now();
      await blocker.query('COMMIT');
      const answers = await Promise.all([pendingFirst, ...pendingRest]);
      for (const res of answers) expect(res.status).toBe(201);
      expect(answeredAt.get(slow.id)!).toBeGreaterThanOrEqual(blockerReleasedAt);
    } finally {
      gate.release();
      blocker.release();
    }
    const after = await metrics();
    expect(after.splits['55P03'] ?? 0).toBe((before.splits['55P03'] ?? 0) + 1);
    for (const lot of rest) expect((await record(lot.id)).lot).toEqual({ price: 703_000, seq: 3, bid_count: 3 });
    await auditOk();
  });
});
