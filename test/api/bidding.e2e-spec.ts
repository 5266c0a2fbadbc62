/**
 * Live bidding and closing on real PostgreSQL in the sandbox profile, through HTTP and real socket.io
 * clients: racing bidders, watchers, extensions, priority matches, idempotency, the close, deposits, and a
 * restart across the end time.
 */
import type { BidOutbidEvent, LotBidEvent } from '@fapai/contracts';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { connect, watcher, type AuctionClient } from '../support/sockets.js';
import { clerkWithCase, createCase, createCourt, createStaff, enrol, expectLedgerBalanced, loginAdmin, lotResult, publishedLot, registerBidder, waitFor, waitLive, type Actor } from '../support/actors.js';
import { loadConfig } from '../../apps/api/src/config/env.js';
import { startPlatform } from '../../apps/api/src/platform.js';
import { StripeGateway } from '../../apps/api/src/payments/stripe.gateway.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';

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

async function lotView(id: string): Promise<{ status: string; startsAt: string; currentPrice: number | null; endsAt: string; seq: number; leaderCode: string | null; extensionCount: number; bidCount: number }> {
  return (await t.http.get(`/api/lots/${id}`).expect(200)).body as never;
}

async function enrolled(lotId: string, n: number): Promise<(Actor & { code: string })[]> {
  const out: (Actor & { code: string })[] = [];
  for (let i = 0; i < n; i++) {
    const b = await registerBidder(t);
    const res = await enrol(t, b, lotId);
    if (res.status !== 201) throw new Error(`enrol: ${JSON.stringify(res)}`);
    out.push({ ...b, code: res.body['bidderCode'] as string });
  }
  return out;
}

describe('the bid rules through the API', () => {
  let lot: string;
  let a: Actor & { code: string };
  let b: Actor & { code: string };
  beforeAll(async () => {
    lot = await publishedLot(t, clerk, caseId, { startInMs: 3500, durationMs: 60_000 });
    [a, b] = await enrolled(lot, 2);
  });

  it('refuses bids before the start (LOT_NOT_LIVE), then accepts the starting price', async () => {
    const early = await t.http.post(`/api/lots/${lot}/bids`).set(a.auth).send({ amount: 700_000 });
    if (early.status !== 201) expect(early.body).toMatchObject({ code: 'LOT_NOT_LIVE', details: { startsAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/) } });
    await waitLive(t, lot);
    const first = await t.http.post(`/api/lots/${lot}/bids`).set(a.auth).send({ amount: 700_000 });
    if (early.status !== 201) expect(first.status).toBe(201);
  });

  it('refuses a bid below the current price plus an increment, off the increment grid, or by the leader', async () => {
    const now = await lotView(lot);
    expect(now.currentPrice).toBe(700_000);
    // Refused before the lock (no key) or under it (a key skips the early check): the same answer.
    const tooLow = { code: 'BID_TOO_LOW', message: 'the bid must be above the current price', details: { currentPrice: 700_000, minimum: 701_000, article: 'OJA Art. 20 ¶1' } };
    expect((await t.http.post(`/api/lots/${lot}/bids`).set(b.auth).send({ amount: 700_000 })).body).toMatchObject(tooLow);
    expect((await t.http.post(`/api/lots/${lot}/bids`).set(b.auth).set('Idempotency-Key', 'too-low-1').send({ amount: 700_000 })).body).toMatchObject(tooLow);
    expect((await t.http.post(`/api/lots/${lot}/bids`).set(b.auth).send({ amount: 700_500 })).body).toMatchObject({ code: expect.stringMatching(/BID_TOO_LOW|BID_NOT_ON_INCREMENT/) });
    expect((await t.http.post(`/api/lots/${lot}/bids`).set(b.auth).send({ amount: 701_500 })).body).toMatchObject({ code: 'BID_NOT_ON_INCREMENT' });
    expect((await t.http.post(`/api/lots/${lot}/bids`).set(a.auth).send({ amount: 701_000 })).body).toMatchObject({ code: 'LEADER_CANNOT_OUTBID_SELF' });
  });

  it('asks for confirmation of a jump of more than N increments and says by how much', async () => {
    const jump = await t.http.post(`/api/lots/${lot}/bids`).set(b.auth).send({ amount: 750_000 }).expect(409);
    expect(jump.body).toMatchObject({ code: 'JUMP_NEEDS_CONFIRMATION' });
    expect(JSON.stringify(jump.body.details)).toMatch(/50000|50 000|50,000/);
    const ok = await t.http.post(`/api/lots/${lot}/bids`).set(b.auth).send({ amount: 750_000, confirmJump: true }).expect(201);
    expect(ok.body).toMatchObject({ bid: { amount: 750_000, bidderCode: b.code, seq: 2 }, lot: { currentPrice: 750_000, leaderCode: b.code } });
  });

  it('never places two bids for the same Idempotency-Key', async () => {
    const key = `k-${Date.now()}`;
    const one = await t.http.post(`/api/lots/${lot}/bids`).set(a.auth).set('Idempotency-Key', key).send({ amount: 751_000 }).expect(201);
    const two = await t.http.post(`/api/lots/${lot}/bids`).set(a.auth).set('Idempotency-Key', key).send({ amount: 751_000 }).expect(201);
    expect(two.body).toEqual(one.body);
    const other = await t.http.post(`/api/lots/${lot}/bids`).set(a.auth).set('Idempotency-Key', key).send({ amount: 760_000 }).expect(409);
    expect(other.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    const rows = await t.db.query(`SELECT count(*)::int AS n FROM bids WHERE lot_id = $1 AND amount = 751000`, [lot]);
    expect(rows.rows[0].n).toBe(1);
  });

  it('answers the result of a lot still running with 422 LOT_NOT_CLOSED, and of no lot with 404', async () => {
    expect((await t.http.get(`/api/lots/${lot}/result`).expect(422)).body).toMatchObject({ code: 'LOT_NOT_CLOSED', details: { status: 'live' } });
    expect((await t.http.get('/api/lots/3f1c2b9e-8d4a-4e8f-9a6b-2c1d0e9f8a7b/result').expect(404)).body).toMatchObject({ code: 'LOT_NOT_FOUND' });
  });

  it('shows the public record with codes only', async () => {
    const rec = await t.http.get(`/api/lots/${lot}/bids`).expect(200);
    expect(rec.body).toMatchObject({ total: 3, items: [{ seq: 3, amount: 751_000, bidderCode: a.code }, { seq: 2 }, { seq: 1, amount: 700_000 }] });
    expect(JSON.stringify(rec.body)).not.toMatch(/enrolment|userId|email|realName/i);
  });

  it('refuses a bidder who is not enrolled', async () => {
    const stranger = await registerBidder(t);
    expect((await t.http.post(`/api/lots/${lot}/bids`).set(stranger.auth).send({ amount: 800_000 })).body).toMatchObject({ code: 'NOT_ENROLLED' });
  });
});

describe('priority purchasers (OJA Arts. 19, 21)', () => {
  it('a confirmed priority purchaser may match the current price and wins the tie; ranks and time break ties among them', async () => {
    const lot = await publishedLot(t, clerk, caseId, {
      startInMs: 6000,
      durationMs: 60_000,
      extra: { priorityHolders: [{ name: '共有人甲', nature: '按份共有人', rank: 1 }, { name: '承租人乙', nature: '承租人', rank: 2 }] },
    });
    const [ordinary] = await enrolled(lot, 1);
    const p1 = await registerBidder(t);
    const p2 = await registerBidder(t);
    await t.http.post(`/api/lots/${lot}/enrolments`).set(p1.auth).send({ paymentMethod: 'pm_card_visa', priorityClaim: '共有人甲' }).expect(201);
    // p2 pays later (in the browser): the court confirms the claim before the deposit is secured.
    const pending = (await t.http.post(`/api/lots/${lot}/enrolments`).set(p2.auth).send({ priorityClaim: '承租人乙' }).expect(201)).body as { deposit: { paymentIntentId: string } };
    // p1 tries to bid before the start, while not yet confirmed: refused, and not held against it later.
    expect((await t.http.post(`/api/lots/${lot}/bids`).set(p1.auth).send({ amount: 700_000 })).body).toMatchObject({ code: 'LOT_NOT_LIVE' });
    const claims = (await t.http.get(`/api/lots/${lot}/priority-claims`).set(clerk.auth).expect(200)).body as { enrolmentId: string; priorityClaim: string }[];
    expect(JSON.stringify(claims)).not.toMatch(/realName|idNumber|email/);
    for (const c of claims) {
      const rank = c.priorityClaim === '共有人甲' ? 1 : 2;
      const res = await t.http.post(`/api/lots/${lot}/priority-purchasers`).set(clerk.auth).send({ enrolmentId: c.enrolmentId, rank }).expect(201);
      if (rank === 1) expect((res.body as { bidderCode: string }).bidderCode).toMatch(/^P1-/);
    }
    await t.platform.app.get(StripeGateway).stripe.paymentIntents.confirm(pending.deposit.paymentIntentId, { payment_method: 'pm_card_visa' });
    const p2Code = await waitFor('p2 active', async () => {
      const me = (await t.http.get(`/api/lots/${lot}/enrolments/me`).set(p2.auth)).body as { status: string; bidderCode: string | null };
      return me.status === 'active' ? me.bidderCode : null;
    });
    expect(p2Code).toMatch(/^P2-/); // the code carries the rank confirmed before activation (OJA Art. 19 ¶2)
    await waitLive(t, lot);
    await t.http.post(`/api/lots/${lot}/bids`).set(ordinary.auth).send({ amount: 700_000 }).expect(201);
    // rank 2 matches the ordinary bidder's price
    const m2 = await t.http.post(`/api/lots/${lot}/bids`).set(p2.auth).send({ amount: 700_000 }).expect(201);
    expect(m2.body).toMatchObject({ bid: { priority: true }, lot: { currentPrice: 700_000 } });
    // the ordinary bidder cannot match back
    expect((await t.http.post(`/api/lots/${lot}/bids`).set(ordinary.auth).send({ amount: 700_000 })).body).toMatchObject({ code: 'BID_TOO_LOW' });
    // rank 1 matches rank 2 and takes the lead; rank 2 cannot match rank 1 back
    await t.http.post(`/api/lots/${lot}/bids`).set(p1.auth).send({ amount: 700_000 }).expect(201);
    expect((await t.http.post(`/api/lots/${lot}/bids`).set(p2.auth).send({ amount: 700_000 })).body).toMatchObject({ code: 'PRIORITY_MATCH_NOT_WINNING' });
    const view = await lotView(lot);
    expect(view.leaderCode).toMatch(/^P1-/);
    expect(view.currentPrice).toBe(700_000);
  });
});

describe('racing, watching and closing', () => {
  it('50 bidders race over HTTP and sockets; the record is gapless, every watcher sees every bid in order, one winner, deposits settled', async () => {
    // 30 s: enrolling 50 bidders with their deposits takes 10–25 s on a loaded 2-core machine.
    const lot = await publishedLot(t, clerk, caseId, { startInMs: 30_000, durationMs: 8_000 });
    const bidders = await enrolled(lot, 50);
    const watchers = await Promise.all(Array.from({ length: 20 }, () => watcher(t.url, lot)));
    const sockets: AuctionClient[] = await Promise.all(bidders.slice(0, 25).map((b) => connect(t.url, b.token)));
    await waitLive(t, lot);
    let known = 0;
    for (const w of watchers) w.socket.on('lot.bid', (e) => (known = Math.max(known, e.amount)));
    const stopAt = Date.now() + 4000;
    let accepted = 0;
    let refused = 0;
    await Promise.all(
      bidders.map(async (b, i) => {
        while (Date.now() < stopAt) {
          const amount = known === 0 ? 700_000 : known + 1000 * (1 + (i % 3));
          if (i < 25) {
            const ack = await sockets[i].emitWithAck('bid.place', { lotId: lot, amount });
            if (ack.ok) accepted++;
            else refused++;
          } else {
            const res = await t.http.post(`/api/lots/${lot}/bids`).set(b.auth).send({ amount });
            if (res.status === 201) accepted++;
            else refused++;
          }
          await new Promise((r) => setTimeout(r, 20 + (i % 7) * 10));
        }
      }),
    );
    expect(accepted).toBeGreaterThan(20);
    expect(refused).toBeGreaterThan(0);
    const closed = await lotResult(t, lot);
    const { rows: bids } = await t.db.query<{ seq: number; amount: string; bidder_code: string; placed_at: Date }>(`SELECT seq, amount, bidder_code, placed_at FROM bids WHERE lot_id = $1 ORDER BY seq`, [lot]);
    expect(bids.length).toBe(accepted);
    bids.forEach((b, i) => expect(b.seq).toBe(i + 1));
    for (let i = 1; i < bids.length; i++) expect(Number(bids[i].amount)).toBeGreaterThan(Number(bids[i - 1].amount));
    expect(new Set(bids.map((b) => b.amount)).size).toBe(bids.length);
    const endedAt = Date.parse(closed.endedAt);
    for (const b of bids) expect(b.placed_at.getTime()).toBeLessThan(endedAt);
    const top = bids[bids.length - 1];
    expect(closed).toMatchObject({ outcome: 'sold', price: Number(top.amount), bidderCode: top.bidder_code, bidCount: bids.length });
    // every watcher got every accepted bid, in order, and the close
    await waitFor('watchers caught up', async () => watchers.every((w) => w.closed.length === 1 && w.bids.length === bids.length), 10_000);
    for (const w of watchers) {
      expect(w.bids.map((e: LotBidEvent) => e.seq)).toEqual(bids.map((b) => b.seq));
      expect(w.closed[0]).toMatchObject({ outcome: 'sold', price: Number(top.amount), bidderCode: top.bidder_code });
    }
    // endsAt never moved backwards, bid after bid
    const { rows: ends } = await t.db.query<{ ends_at_after: Date }>(`SELECT ends_at_after FROM bids WHERE lot_id = $1 ORDER BY seq`, [lot]);
    for (let i = 1; i < ends.length; i++) expect(ends[i].ends_at_after.getTime()).toBeGreaterThanOrEqual(ends[i - 1].ends_at_after.getTime());
    expect(ends[ends.length - 1].ends_at_after.getTime()).toBe(endedAt);
    // one row in the results; losers' deposits released, the winner's applied
    await waitFor('deposits settled', async () => {
      const r = await t.db.query(`SELECT status, count(*)::int AS n FROM deposits WHERE lot_id = $1 GROUP BY status`, [lot]);
      const by = Object.fromEntries(r.rows.map((x: { status: string; n: number }) => [x.status, x.n]));
      return by['released'] === 49 && by['applied'] === 1;
    }, 20_000);
    const results = await t.db.query(`SELECT count(*)::int AS n FROM lot_results WHERE lot_id = $1`, [lot]);
    expect(results.rows[0].n).toBe(1);
    const line = (await expectLedgerBalanced(t, admin)).find((l) => l.lotId === lot)!;
    expect(line).toMatchObject({ secured: 50 * 70_000, released: 49 * 70_000, applied: 70_000, stillHeld: 0 });
    // no bid is accepted after the end
    const late = await t.http.post(`/api/lots/${lot}/bids`).set(bidders[0].auth).send({ amount: Number(top.amount) + 1000 });
    expect(late.body).toMatchObject({ code: expect.stringMatching(/LOT_ENDED|LOT_NOT_LIVE/) });
    // every accepted bid is in the lot's hash chain, and the chain verifies
    const chain = await t.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE stream = $1 AND action = 'bid.accepted'`, [`lot:${lot}`]);
    expect(chain.rows[0].n).toBe(bids.length);
    expect((await t.http.get('/api/audit/verify').set(admin.auth).expect(200)).body).toMatchObject({ ok: true });
    for (const s of [...sockets, ...watchers.map((w) => w.socket)]) s.disconnect();
  }, 120_000);

  it('a bid in the last seconds extends the end to bid time + the extension, repeatedly (OJA Art. 20)', async () => {
    const lot = await publishedLot(t, clerk, caseId, { startInMs: 3000, durationMs: 8_000 });
    const [a, b] = await enrolled(lot, 2);
    const w = await watcher(t.url, lot);
    await waitLive(t, lot);
    const before = await lotView(lot);
    // wait until inside the 3 s window of the sandbox profile
    await waitFor('inside the extension window', async () => Date.parse(before.endsAt) - Date.now() < 2000, 15_000, 50);
    const r1 = await t.http.post(`/api/lots/${lot}/bids`).set(a.auth).send({ amount: 700_000 }).expect(201);
    const end1 = Date.parse((r1.body as { lot: { endsAt: string } }).lot.endsAt);
    const placed1 = Date.parse((r1.body as { bid: { placedAt: string } }).bid.placedAt);
    expect(end1).toBe(placed1 + 3000);
    expect(end1).toBeGreaterThan(Date.parse(before.endsAt));
    await new Promise((r) => setTimeout(r, 1500));
    const r2 = await t.http.post(`/api/lots/${lot}/bids`).set(b.auth).send({ amount: 701_000 }).expect(201);
    const end2 = Date.parse((r2.body as { lot: { endsAt: string } }).lot.endsAt);
    expect(end2).toBeGreaterThan(end1);
    const view = await lotView(lot);
    expect(view.extensionCount).toBe(2);
    await waitFor('bid events', async () => w.bids.length === 2);
    expect(w.bids.map((e) => e.extended)).toEqual([true, true]);
    const result = await lotResult(t, lot, 15_000);
    expect(result).toMatchObject({ outcome: 'sold', price: 701_000 });
    expect(Date.parse(result.endedAt)).toBe(end2);
    // A late bid, even a low one, hears that the lot is over (not that it is too low).
    const late = await waitFor('late bid refused as over', async () => {
      const r = await t.http.post(`/api/lots/${lot}/bids`).set(a.auth).send({ amount: 700_000 });
      return (r.body as { code: string }).code === 'LOT_NOT_LIVE' ? r : null;
    }, 3_000);
    expect(late.body).toMatchObject({ code: 'LOT_NOT_LIVE', details: { status: 'sold' } });
    w.socket.disconnect();
  }, 60_000);

  it('a lot without bids ends unsold (流拍) and releases every deposit', async () => {
    const lot = await publishedLot(t, clerk, caseId, { startInMs: 3500, durationMs: 8_000 });
    await enrolled(lot, 2);
    const result = await lotResult(t, lot, 20_000);
    expect(result).toMatchObject({ outcome: 'unsold', price: null });
    await waitFor('released', async () => {
      const r = await t.db.query(`SELECT count(*)::int AS n FROM deposits WHERE lot_id = $1 AND status = 'released'`, [lot]);
      return r.rows[0].n === 2;
    });
    expect((await lotView(lot)).status).toBe('unsold');
    await expectLedgerBalanced(t, admin);
  }, 40_000);

  it('socket bidding needs a token; anonymous watchers get snapshots and the server time', async () => {
    const lot = await publishedLot(t, clerk, caseId, { startInMs: 60_000 });
    const anon = await connect(t.url);
    const snap = await anon.emitWithAck('lot.watch', { lotId: lot });
    expect(snap).toMatchObject({ ok: true, lot: { id: lot, status: 'announced' } });
    expect(Math.abs(Date.parse((snap as { serverTime: string }).serverTime) - Date.now())).toBeLessThan(5000);
    const bid = await anon.emitWithAck('bid.place', { lotId: lot, amount: 700_000 });
    expect(bid).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    const bad = await anon.emitWithAck('lot.watch', { lotId: 'nope' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    anon.disconnect();
  });
});

describe('live updates', () => {
  it('watchers hear the lot go live once, before its first bid, also when that bid is what writes "live"', async () => {
    const lot = await publishedLot(t, clerk, caseId, { startInMs: 60_000, durationMs: 60_000 });
    const [x] = await enrolled(lot, 1);
    const w = await connect(t.url);
    const seen: string[] = [];
    w.on('lot.status', (e) => seen.push(`status:${e.status}`));
    w.on('lot.bid', (e) => seen.push(`bid:${e.seq}`));
    try {
      expect(await w.emitWithAck('lot.watch', { lotId: lot })).toMatchObject({ ok: true });
      // The start has come but the closer has not written 'live' yet: the first bid's write does.
      await t.db.query(`UPDATE lots SET starts_at = clock_timestamp() - interval '1 second' WHERE id = $1`, [lot]);
      await t.http.post(`/api/lots/${lot}/bids`).set(x.auth).send({ amount: 700_000 }).expect(201);
      await waitFor('the bid reached the watcher', async () => seen.includes('bid:1'));
      await new Promise((r) => setTimeout(r, 1500)); // and the closer's pass after it adds nothing
      expect(seen).toEqual(['status:live', 'bid:1']);
    } finally {
      w.disconnect();
    }
  });
});

describe('socket sessions', () => {
  it('bad bids get the same answer over the socket as over HTTP, naming the field', async () => {
    const lot = await publishedLot(t, clerk, caseId, { startInMs: 60_000, durationMs: 60_000 });
    const [x] = await enrolled(lot, 1);
    const sx = await connect(t.url, x.token);
    try {
      for (const amount of [-5, 1e20, 1.5, '700000']) {
        const http = (await t.http.post(`/api/lots/${lot}/bids`).set(x.auth).send({ amount }).expect(400)).body as { code: string; message: string };
        const socket = (await sx.emitWithAck('bid.place', { lotId: lot, amount } as never)) as { ok: false; error: { code: string; message: string } };
        expect(socket.error).toMatchObject({ code: http.code, message: http.message });
      }
      expect(await sx.emitWithAck('bid.place', 'a string' as never)).toMatchObject({ ok: false, error: { statusCode: 400, details: { fields: [{ field: 'message' }] } } });
    } finally {
      sx.disconnect();
    }
  });

  it('a socket whose token was revoked after the handshake can no longer bid (logout, password change)', async () => {
    const lot = await publishedLot(t, clerk, caseId, { startInMs: 3500, durationMs: 60_000 });
    const [x, y] = await enrolled(lot, 2);
    await waitLive(t, lot);
    const sx = await connect(t.url, x.token);
    const sy = await connect(t.url, y.token);
    try {
      expect(await sx.emitWithAck('bid.place', { lotId: lot, amount: 700_000 })).toMatchObject({ ok: true, bid: { seq: 1 } });
      expect(await sy.emitWithAck('bid.place', { lotId: lot, amount: 701_000 })).toMatchObject({ ok: true, bid: { seq: 2 } });
      await t.http.post('/api/auth/logout').set(x.auth).expect(204);
      expect(await sx.emitWithAck('bid.place', { lotId: lot, amount: 702_000 })).toMatchObject({ ok: false, error: { statusCode: 401, code: 'UNAUTHENTICATED' } });
      const x2 = await connect(t.url, (await t.http.post('/api/auth/login').send({ email: x.email, password: 'bidder-password-1' }).expect(200)).body.accessToken as string);
      expect(await x2.emitWithAck('bid.place', { lotId: lot, amount: 702_000 })).toMatchObject({ ok: true, bid: { seq: 3 } });
      x2.disconnect();
      await t.http.post('/api/me/password').set(y.auth).send({ currentPassword: 'bidder-password-1', newPassword: 'bidder-password-2' }).expect(204);
      expect(await sy.emitWithAck('bid.place', { lotId: lot, amount: 703_000 })).toMatchObject({ ok: false, error: { statusCode: 401, code: 'UNAUTHENTICATED' } });
      // Nothing the refused sockets sent reached the record.
      expect((await lotView(lot)).seq).toBe(3);
    } finally {
      sx.disconnect();
      sy.disconnect();
    }
  });
  it('a renewed token is handed to the open socket (auth.renew): it signs in or stays signed in without reconnecting', async () => {
    const lot = await publishedLot(t, clerk, caseId, { startInMs: 3500, durationMs: 60_000 });
    const [x, y] = await enrolled(lot, 2);
    await waitLive(t, lot);
    const sa = await connect(t.url); // anonymous: watching before logging in
    const outbid: BidOutbidEvent[] = [];
    sa.on('bid.outbid', (e) => outbid.push(e));
    let reconnects = 0;
    sa.io.on('reconnect', () => reconnects++);
    try {
      expect(await sa.emitWithAck('bid.place', { lotId: lot, amount: 700_000 })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
      expect(await sa.emitWithAck('auth.renew', { token: x.token })).toEqual({ ok: true });
      expect(await sa.emitWithAck('bid.place', { lotId: lot, amount: 700_000 })).toMatchObject({ ok: true, bid: { seq: 1 } });
      await t.http.post(`/api/lots/${lot}/bids`).set(y.auth).send({ amount: 701_000 }).expect(201);
      await waitFor('x is told it was outbid', async () => outbid.length === 1);
      // Refusals leave the socket as it was: another user's token, a bad token, a malformed message.
      expect(await sa.emitWithAck('auth.renew', { token: y.token })).toMatchObject({ ok: false, error: { statusCode: 409, code: 'SOCKET_USER_MISMATCH', details: { field: 'token' } } });
      expect(await sa.emitWithAck('auth.renew', { token: 'x'.repeat(40) })).toMatchObject({ ok: false, error: { statusCode: 401, code: 'UNAUTHENTICATED' } });
      expect(await sa.emitWithAck('auth.renew', {} as never)).toMatchObject({ ok: false, error: { statusCode: 400, details: { fields: [{ field: 'token' }] } } });
      expect(await sa.emitWithAck('bid.place', { lotId: lot, amount: 702_000 })).toMatchObject({ ok: true, bid: { seq: 3 } });
      // The session ends (logout): the socket's token no longer bids; a new token of the same user, handed over, does.
      await t.http.post('/api/auth/logout').set(x.auth).expect(204);
      expect(await sa.emitWithAck('bid.place', { lotId: lot, amount: 703_000 })).toMatchObject({ ok: false, error: { statusCode: 401 } });
      const again = (await t.http.post('/api/auth/login').send({ email: x.email, password: 'bidder-password-1' }).expect(200)).body as { accessToken: string };
      await t.http.post(`/api/lots/${lot}/bids`).set(y.auth).send({ amount: 703_000 }).expect(201);
      expect(await sa.emitWithAck('auth.renew', { token: again.accessToken })).toEqual({ ok: true });
      expect(await sa.emitWithAck('bid.place', { lotId: lot, amount: 704_000 })).toMatchObject({ ok: true, bid: { seq: 5 } });
      await t.http.post(`/api/lots/${lot}/bids`).set(y.auth).send({ amount: 705_000 }).expect(201);
      await waitFor('the renewed socket is told again', async () => outbid.length === 2);
      // Not of seq 4: it came while the socket's session was ended (logout) and before the new token.
      expect(outbid.map((e) => e.seq)).toEqual([2, 6]);
      expect(reconnects).toBe(0);
      expect(sa.connected).toBe(true);
    } finally {
      sa.disconnect();
    }
  });

  it('a socket whose token is revoked stops getting its bid.outbid notices at once, and keeps watching the lot', async () => {
    const lot = await publishedLot(t, clerk, caseId, { startInMs: 3500, durationMs: 60_000 });
    const [x, y] = await enrolled(lot, 2);
    await waitLive(t, lot);
    const sx = await connect(t.url, x.token);
    const outbid: BidOutbidEvent[] = [];
    const seen: number[] = [];
    sx.on('bid.outbid', (e) => outbid.push(e));
    sx.on('lot.bid', (e) => seen.push(e.seq));
    // Everything the server sent the socket before it answers this has arrived (one ordered connection).
    const drained = () => sx.emitWithAck('time.sync', {});
    try {
      expect(await sx.emitWithAck('lot.watch', { lotId: lot })).toMatchObject({ ok: true });
      await t.http.post(`/api/lots/${lot}/bids`).set(x.auth).send({ amount: 700_000 }).expect(201);
      await t.http.post(`/api/lots/${lot}/bids`).set(y.auth).send({ amount: 701_000 }).expect(201);
      await drained();
      expect(outbid).toEqual([expect.objectContaining({ lotId: lot, seq: 2, amount: 701_000, yourAmount: 700_000 })]);
      await t.http.post(`/api/lots/${lot}/bids`).set(x.auth).send({ amount: 702_000 }).expect(201);
      await t.http.post('/api/auth/logout').set(x.auth).expect(204);
      // x leads with a bid placed before the logout; y outbids it. The socket still has the revoked token and
      // has not tried to bid since: it hears the bid as a watcher, and nothing personal.
      const loggedIn = await t.http.post('/api/auth/login').send({ email: x.email, password: 'bidder-password-1' }).expect(200);
      await t.http.post(`/api/lots/${lot}/bids`).set(y.auth).send({ amount: 703_000 }).expect(201);
      await drained();
      expect(seen).toEqual([1, 2, 3, 4]);
      expect(outbid.map((e) => e.seq)).toEqual([2]);
      // A new session of the same user (a token issued after the revocation) gets the notices again.
      const sx2 = await connect(t.url, loggedIn.body.accessToken as string);
      const outbid2: BidOutbidEvent[] = [];
      sx2.on('bid.outbid', (e) => outbid2.push(e));
      try {
        await t.http.post(`/api/lots/${lot}/bids`).set({ Authorization: `Bearer ${loggedIn.body.accessToken as string}` }).send({ amount: 704_000 }).expect(201);
        await t.http.post(`/api/lots/${lot}/bids`).set(y.auth).send({ amount: 705_000 }).expect(201);
        await waitFor('the new session is told', async () => outbid2.length === 1);
        await drained();
        expect(outbid.map((e) => e.seq)).toEqual([2]);
        expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
      } finally {
        sx2.disconnect();
      }
    } finally {
      sx.disconnect();
    }
  });
});

describe('two instances on one database', () => {
  /** A second instance of the platform on the test file's database (no Redis: each serves its own sockets). */
  function startPeer() {
    const c = t.platform.config;
    return startPlatform(
      loadConfig({ ...process.env, NODE_ENV: 'test', DATABASE_URL: t.databaseUrl, PORT: '0', RULES_PROFILE: 'sandbox', SEED_DEMO: 'false', MIGRATIONS_RUN: 'false', LOG_LEVEL: 'error', DATA_DIR: mkdtempSync(path.join(tmpdir(), 'fapai-test-data-')), JWT_SECRET: c.jwtSecret, IDENTITY_HASH_KEY: c.identityHashKey, ADMIN_EMAIL: c.adminEmail, ADMIN_PASSWORD: c.adminPassword, RATE_LIMITS: 'false' }),
    );
  }

  it('the same Idempotency-Key sent to both at once places one bid, and both answer it', async () => {
    const lot = await publishedLot(t, clerk, caseId, { startInMs: 3500, durationMs: 60_000 });
    const [x] = await enrolled(lot, 1);
    await waitLive(t, lot);
    const other = await startPeer();
    // The public view says live from the clock; wait until the closer has also written it, or its UPDATE
    // would queue behind the held lock too and the count of waiters below would not be the two bids.
    await waitFor('live in the database', async () => ((await t.db.query('SELECT status FROM lots WHERE id = $1', [lot])).rows[0] as { status: string }).status === 'live', 20_000);
    // Hold the lot's row lock so that both instances wait for it with the same bid, as a client's retry
    // through a load balancer can make them do.
    const holder = await t.db.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM lots WHERE id = $1 FOR UPDATE', [lot]);
      const send = (url: string) => request(url).post(`/api/lots/${lot}/bids`).set(x.auth).set('Idempotency-Key', 'two-instances-1').send({ amount: 700_000 }).then((r) => r);
      const answers = Promise.all([send(t.url), send(other.url)]);
      await waitFor('both instances wait for the lock', async () => {
        const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
        return (rows[0] as { n: number }).n === 2;
      }, 10_000);
      await holder.query('COMMIT');
      const [one, two] = await answers;
      expect([one.status, two.status]).toEqual([201, 201]);
      expect(one.body.bid).toEqual(two.body.bid);
      expect((await lotView(lot)).bidCount).toBe(1);
    } finally {
      holder.release();
      await other.stop();
    }
  });

  it('a revocation on one instance takes the user\'s sockets on the other out of the user room as soon as it hears of it', async () => {
    const lot = await publishedLot(t, clerk, caseId, { startInMs: 3500, durationMs: 60_000 });
    const [x, y] = await enrolled(lot, 2);
    await waitLive(t, lot);
    const other = await startPeer();
    const onOther = request(other.url);
    // The socket's handshake makes the other instance cache x's token version (for a minute while it listens).
    const sx = await connect(other.url, x.token);
    const outbid: BidOutbidEvent[] = [];
    const seen: number[] = [];
    sx.on('bid.outbid', (e) => outbid.push(e));
    sx.on('lot.bid', (e) => seen.push(e.seq));
    try {
      expect(await sx.emitWithAck('lot.watch', { lotId: lot })).toMatchObject({ ok: true });
      await onOther.post(`/api/lots/${lot}/bids`).set(x.auth).send({ amount: 700_000 }).expect(201);
      await onOther.post(`/api/lots/${lot}/bids`).set(y.auth).send({ amount: 701_000 }).expect(201);
      await onOther.post(`/api/lots/${lot}/bids`).set(x.auth).send({ amount: 702_000 }).expect(201);
      await sx.emitWithAck('time.sync', {});
      expect(outbid.map((e) => e.seq)).toEqual([2]);
      await t.http.post('/api/me/password').set(x.auth).send({ currentPassword: 'bidder-password-1', newPassword: 'bidder-password-2' }).expect(204);
      // The other instance refuses the token once the notification has reached it (its cached version would
      // otherwise accept it for a minute); the sockets are taken out in the same step.
      await waitFor('the other instance heard of the revocation', async () => (await onOther.get('/api/me').set(x.auth)).status === 401, 5_000, 20);
      await onOther.post(`/api/lots/${lot}/bids`).set(y.auth).send({ amount: 703_000 }).expect(201);
      await sx.emitWithAck('time.sync', {});
      expect(seen).toEqual([1, 2, 3, 4]);
      expect(outbid.map((e) => e.seq)).toEqual([2]);
    } finally {
      sx.disconnect();
      await other.stop();
    }
  });
});

describe('restart across the end time', () => {
  it('a lot that ends while the API is stopped is closed on restart with its true end and winner', async () => {
    const s = await startTestPlatform();
    const a = await loginAdmin(s);
    const c = await createStaff(s, a, 'court_clerk', { courtId: await createCourt(s, a) });
    const k = await createCase(s, c);
    const lot = await publishedLot(s, c, k, { startInMs: 3500, durationMs: 8_000 });
    const x = await registerBidder(s);
    const y = await registerBidder(s);
    await enrol(s, x, lot);
    await enrol(s, y, lot);
    await waitFor('live', async () => ((await s.http.get(`/api/lots/${lot}`)).body as { status: string }).status === 'live', 10_000);
    await s.http.post(`/api/lots/${lot}/bids`).set(x.auth).send({ amount: 700_000 }).expect(201);
    const last = await s.http.post(`/api/lots/${lot}/bids`).set(y.auth).send({ amount: 702_000 }).expect(201);
    const endsAt = (last.body as { lot: { endsAt: string }; bid: { bidderCode: string } }).lot.endsAt;
    const code = (last.body as { bid: { bidderCode: string } }).bid.bidderCode;
    const databaseUrl = s.databaseUrl;
    const config = s.platform.config;
    await s.stop();
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(endsAt) - Date.now()) + 1500));
    const again = await startPlatform(loadConfig({ ...process.env, NODE_ENV: 'test', DATABASE_URL: databaseUrl, PORT: '0', RULES_PROFILE: 'sandbox', SEED_DEMO: 'false', MIGRATIONS_RUN: 'false', LOG_LEVEL: 'error', DATA_DIR: config.dataDir, JWT_SECRET: config.jwtSecret, IDENTITY_HASH_KEY: config.identityHashKey, ADMIN_EMAIL: config.adminEmail, ADMIN_PASSWORD: config.adminPassword }));
    try {
      const { default: request } = await import('supertest');
      const result = await waitFor('closed after restart', async () => {
        const r = await request(again.url).get(`/api/lots/${lot}/result`);
        return r.status === 200 ? (r.body as { outcome: string; price: number; bidderCode: string; endedAt: string; closedAt: string }) : null;
      }, 20_000);
      expect(result).toMatchObject({ outcome: 'sold', price: 702_000, bidderCode: code, endedAt: endsAt });
      expect(Date.parse(result.closedAt)).toBeGreaterThan(Date.parse(endsAt));
      // The deposits were held at (local) Stripe before the restart: the loser's is released and the
      // winner's applied after it (offline, the local server kept its objects in DATA_DIR).
      const depositOf = async (b: { auth: Record<string, string> }) =>
        ((await request(again.url).get(`/api/lots/${lot}/enrolments/me`).set(b.auth)).body as { deposit: { status: string } }).deposit.status;
      await waitFor('deposits settled after restart', async () => (await depositOf(x)) === 'released' && (await depositOf(y)) === 'applied', 20_000);
    } finally {
      await again.stop();
    }
  }, 60_000);
});
