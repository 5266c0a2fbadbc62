/**
 * The benchmark's instrument (test/support/watchers.mjs) on the real API and PostgreSQL: watchers of both
 * client kinds, 'wire' (a WebSocket client of its own speaking Engine.IO / Socket.IO itself) and 'socket.io'
 * (socket.io-client), watch one live lot while bids are placed, and record exactly the same seqs as the bid
 * record, in order, none missed, each with its delay, and the lot's close once. The wire watchers stay
 * connected for longer than one ping interval + ping timeout of the server (set short here through
 * SOCKET_PING_INTERVAL_MS / SOCKET_PING_TIMEOUT_MS), so they answer the server's pings.
 */
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { createCase, createCourt, createStaff, enrol, loginAdmin, lotResult, publishedLot, registerBidder, waitFor, waitLive, type Actor } from '../support/actors.js';
import { WatcherGroup, type SocketRecord, type WatcherClient } from '../support/watchers.mjs';

/** The server's heartbeat here (SOCKET_PING_*), shorter than the default 10 s + 8 s to keep the test short. */
const PING_INTERVAL_MS = 3000;
const PING_TIMEOUT_MS = 2000;
/** A client that never answers a ping is dropped by then. */
const PING_DEADLINE_MS = PING_INTERVAL_MS + PING_TIMEOUT_MS;
const PER_KIND = 10;
const KINDS: WatcherClient[] = ['wire', 'socket.io'];

let t: TestPlatform;
let clerk: Actor;
let caseId: string;
const stops: (() => unknown)[] = [];
const groups = {} as Record<WatcherClient, WatcherGroup>;

beforeAll(async () => {
  t = await startTestPlatform({ SOCKET_PING_INTERVAL_MS: String(PING_INTERVAL_MS), SOCKET_PING_TIMEOUT_MS: String(PING_TIMEOUT_MS) });
  const admin = await loginAdmin(t);
  clerk = await createStaff(t, admin, 'court_clerk', { courtId: await createCourt(t, admin) });
  caseId = await createCase(t, clerk);
  const cleanup = { add: (_name: string, stop: () => unknown) => stops.push(stop) };
  for (const kind of KINDS) groups[kind] = new WatcherGroup(kind, cleanup);
  await Promise.all(KINDS.map((kind) => groups[kind].ready));
});
afterAll(async () => {
  await Promise.all(KINDS.map((kind) => groups[kind]?.close()));
  for (const stop of stops) stop();
  await t?.stop();
});

const seqsOf = (s: SocketRecord) => s.events.map(([seq]) => seq);

describe('watcher clients of the benchmark', () => {
  it('wire and socket.io watchers record the same seqs as the bid record, in order, none missed, and the close once; wire watchers outlive the ping deadline', async () => {
    // Long enough for the set-up and the wait past the ping deadline before the last bids.
    const lot = await publishedLot(t, clerk, caseId, { startInMs: 3000, durationMs: 20_000 });
    const [a, b] = [await registerBidder(t), await registerBidder(t)];
    for (const x of [a, b]) expect((await enrol(t, x, lot)).status).toBe(201);

    const replies = await Promise.all(KINDS.map((kind) => groups[kind].connect(t.url, [lot], PER_KIND, { client: kind })));
    const connectedAt = Date.now();
    for (const r of replies) expect(r).toMatchObject({ ok: PER_KIND, failed: 0, retried: 0 });
    await Promise.all(KINDS.map((kind) => groups[kind].phase(1)));
    await waitLive(t, lot);

    const bid = async (k: number) => {
      const res = await t.http.post(`/api/lots/${lot}/bids`).set((k % 2 ? a : b).auth).send({ amount: 700_000 + (k - 1) * 1000 });
      expect(res.status).toBe(201);
    };
    for (let k = 1; k <= 6; k++) await bid(k);
    // Past the ping deadline since the handshake, then two more bids.
    await new Promise((r) => setTimeout(r, Math.max(0, connectedAt + PING_DEADLINE_MS + 2000 - Date.now())));
    for (let k = 7; k <= 8; k++) await bid(k);

    const result = await lotResult(t, lot, 60_000);
    expect(result).toMatchObject({ outcome: 'sold', price: 707_000, bidCount: 8 });
    const { rows } = await t.db.query<{ seq: number }>('SELECT seq FROM bids WHERE lot_id = $1 ORDER BY seq', [lot]);
    const record = rows.map((r) => r.seq);
    expect(record).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);

    // Every socket of both kinds: exactly the record, in order, the close once, never disconnected.
    const reports = {} as Record<WatcherClient, SocketRecord[]>;
    await waitFor('every watcher has the close or is gone', async () => {
      for (const kind of KINDS) reports[kind] = await groups[kind].report();
      return KINDS.every((kind) => reports[kind].every((s) => s.closed >= 1 || s.disconnect));
    }, 10_000);
    for (const kind of KINDS) {
      expect(reports[kind]).toHaveLength(PER_KIND);
      for (const s of reports[kind]) {
        expect({ kind, lotId: s.lotId, seqs: seqsOf(s), closed: s.closed, disconnect: s.disconnect }).toEqual({ kind, lotId: lot, seqs: record, closed: 1, disconnect: null });
      }
      // The wire watchers got the last bids after the ping deadline: they answered the server's pings.
      if (kind === 'wire') for (const s of reports[kind]) expect(s.events.at(-1)![1] - connectedAt).toBeGreaterThan(PING_DEADLINE_MS);
      // The summary the benchmark reads: every (watcher, bid) pair received once and its delay measured.
      const summary = await groups[kind].summary(1, 8);
      expect(summary).toMatchObject({ sockets: PER_KIND, expected: 8, received: 8 * PER_KIND, missed: 0, socketsMissing: 0, outOfOrder: 0, duplicates: 0, disconnects: 0 });
      expect(summary.hist.n).toBe(8 * PER_KIND);
      expect(summary.hist.max).toBeLessThan(5000);
    }
    expect(reports.wire.map(seqsOf)).toEqual(reports['socket.io'].map(seqsOf));
    await Promise.all(KINDS.map((kind) => groups[kind].disconnect()));
  }, 120_000);

  it('the server pings as configured: its Engine.IO handshake carries SOCKET_PING_INTERVAL_MS and SOCKET_PING_TIMEOUT_MS', async () => {
    const res = await t.http.get('/socket.io/?EIO=4&transport=polling').buffer(true).parse((r, cb) => {
      let text = '';
      r.on('data', (c: Buffer) => (text += c.toString()));
      r.on('end', () => cb(null, text));
    });
    expect(res.status).toBe(200);
    const open = res.body as string;
    expect(open[0]).toBe('0'); // the Engine.IO open packet
    expect(JSON.parse(open.slice(1))).toMatchObject({ pingInterval: PING_INTERVAL_MS, pingTimeout: PING_TIMEOUT_MS });
  });

  it('a refused lot.watch (its ack says ok: false) fails the watcher the same way in both kinds', async () => {
    for (const kind of KINDS) {
      const r = await groups[kind].connect(t.url, ['not-a-lot-id'], 1, { client: kind });
      expect(r).toMatchObject({ ok: 0, failed: 1, errors: { 'lot.watch: VALIDATION_FAILED': 3 } });
    }
  });

  it('a wire watcher refuses reconnection: true', async () => {
    await expect(groups.wire.connect(t.url, ['x'], 1, { client: 'wire', reconnection: true })).rejects.toThrow(/'wire' watcher client does not reconnect/);
  });
});
