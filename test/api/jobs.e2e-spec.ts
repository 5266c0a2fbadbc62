/**
 * Background jobs on pg-boss (apps/api/src/jobs), on real PostgreSQL in the sandbox profile, with two
 * application instances on one database: periodic work runs once per period, not once per instance; a lot
 * closes exactly once with the right result and its deposits are released by one job; a failing job is
 * retried and counted; a close job pending while the API is stopped runs after the restart; stopping waits
 * for a running job.
 * Counts are read from PostgreSQL (pgboss.job, lot_results, the audit log), not from the processes.
 */
import request from 'supertest';
import { loadConfig } from '../../apps/api/src/config/env.js';
import { StripeGateway } from '../../apps/api/src/payments/stripe.gateway.js';
import { startPlatform } from '../../apps/api/src/platform.js';
import { createCase, createCourt, createStaff, enrol, expectLedgerBalanced, loginAdmin, publishedLot, registerBidder, waitFor, type Actor } from '../support/actors.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

let a: TestPlatform;
let b: TestPlatform | undefined;
let admin: Actor;
let clerk: Actor;
let caseId: string;

/**
 * An instance on the database of `t`, with its secrets. With `shareStripe`, it also uses the local Stripe
 * server of `t` (deposits secured through one instance are released through the other).
 */
async function startOn(t: TestPlatform, shareStripe: boolean): Promise<TestPlatform> {
  const c = t.platform.config;
  const stripe = shareStripe ? t.platform.app.get(StripeGateway) : undefined;
  const before = process.env.STRIPE_LOCAL_URL;
  if (stripe) process.env.STRIPE_LOCAL_URL = stripe.local!.url;
  try {
    const platform = await startPlatform(
      loadConfig({
        NODE_ENV: 'test',
        DATABASE_URL: t.databaseUrl,
        PORT: '0',
        RULES_PROFILE: 'sandbox',
        SEED_DEMO: 'false',
        MIGRATIONS_RUN: 'false',
        LOG_LEVEL: 'error',
        DATA_DIR: c.dataDir,
        JWT_SECRET: c.jwtSecret,
        IDENTITY_HASH_KEY: c.identityHashKey,
        ADMIN_EMAIL: c.adminEmail,
        ADMIN_PASSWORD: c.adminPassword,
        RATE_LIMITS: 'false',
        ...(stripe ? { STRIPE_WEBHOOK_SECRET: stripe.webhookSecret } : {}),
      }),
    );
    return { platform, url: platform.url, http: request(platform.url), db: t.db, databaseUrl: t.databaseUrl, stop: () => platform.stop() };
  } finally {
    if (before === undefined) delete process.env.STRIPE_LOCAL_URL;
    else process.env.STRIPE_LOCAL_URL = before;
  }
}

interface JobRow {
  id: string;
  state: string;
  retry_count: number;
  start_after: Date;
  started_on: Date | null;
  output: { message?: string } | null;
}

/** Jobs of a queue (pending, active and recent ones; completed jobs are archived only after an hour). */
async function jobs(t: TestPlatform, name: string, where = 'true', params: unknown[] = []): Promise<JobRow[]> {
  const { rows } = await t.db.query<JobRow>(`SELECT id, state, retry_count, start_after, started_on, output FROM pgboss.job WHERE name = $1 AND ${where} ORDER BY created_on`, [name, ...params]);
  return rows;
}

async function jobFailures(t: TestPlatform, name: string): Promise<number> {
  const text = (await t.http.get('/api/metrics').expect(200)).text;
  const m = new RegExp(`^fapai_job_failures_total\\{job="${name}"\\} (\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

beforeAll(async () => {
  a = await startTestPlatform();
  b = await startOn(a, true);
  admin = await loginAdmin(a);
  clerk = await createStaff(a, admin, 'court_clerk', { courtId: await createCourt(a, admin) });
  caseId = await createCase(a, clerk);
}, 60_000);
const peer = (): TestPlatform => {
  if (!b) throw new Error('no second instance');
  return b;
};
afterAll(async () => {
  await b?.stop();
  await a?.stop();
  // pg-boss 10's stop() leaves a worker-removal loop running (1-s ticks, not awaited); if Jest tears the
  // module environment down under it, its lazy require of timers fails the file after every test passed.
  await new Promise((resolve) => setTimeout(resolve, 3000));
});

describe('two instances on one database', () => {
  let b: TestPlatform;
  beforeAll(() => {
    b = peer();
  });

  it('runs a periodic job once per period, not once per instance', async () => {
    // settlement-deadlines runs every 0.5 s in the sandbox profile. Two independent loops would start it
    // about twice per period; one chain starts it at most once per period.
    const periodMs = 500;
    await new Promise((r) => setTimeout(r, 1500));
    const from = new Date();
    await new Promise((r) => setTimeout(r, 6000));
    const to = new Date();
    const runs = (await jobs(a, 'settlement-deadlines', 'started_on BETWEEN $2 AND $3', [from, to])).map((j) => j.started_on!.getTime()).sort((x, y) => x - y);
    const windowMs = to.getTime() - from.getTime();
    expect(runs.length).toBeGreaterThanOrEqual(Math.floor(windowMs / periodMs / 2));
    expect(runs.length).toBeLessThanOrEqual(Math.ceil(windowMs / periodMs) + 1);
    const gaps = runs.slice(1).map((t, i) => t - runs[i]);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(periodMs - 20);
    // At most one queued successor at any time.
    expect((await jobs(a, 'settlement-deadlines', `state = 'created'`)).length).toBeLessThanOrEqual(1);
    // Both instances are up and serving.
    await a.http.get('/api/health').expect(200);
    await b.http.get('/api/health').expect(200);
  }, 30_000);

  it('closes a lot published on instance A exactly once, with the right result, soon after its end; one release job', async () => {
    // 3.5 s: the sandbox announcement lead is 2 s, and creating + publishing can take over 0.5 s under load.
    const lot = await publishedLot(a, clerk, caseId, { startInMs: 3500, durationMs: 8000 });
    const pending = await jobs(a, 'lot-close', `data->>'lotId' = $2`, [lot]);
    expect(pending).toHaveLength(1);
    expect(pending[0].state).toBe('created');
    const x = await registerBidder(a);
    const y = await registerBidder(b);
    expect((await enrol(a, x, lot)).status).toBe(201);
    expect((await enrol(b, y, lot)).status).toBe(201);
    await waitFor('live', async () => ((await b.http.get(`/api/lots/${lot}`)).body as { status: string }).status === 'live', 10_000);
    await a.http.post(`/api/lots/${lot}/bids`).set(x.auth).send({ amount: 700_000 }).expect(201);
    const last = await b.http.post(`/api/lots/${lot}/bids`).set(y.auth).send({ amount: 702_000 }).expect(201);
    const { lot: after, bid } = last.body as { lot: { endsAt: string }; bid: { bidderCode: string } };
    const result = await waitFor('closed', async () => {
      const r = await b.http.get(`/api/lots/${lot}/result`);
      return r.status === 200 ? (r.body as { outcome: string; price: number; bidderCode: string; endedAt: string; closedAt: string }) : null;
    }, 20_000, 50);
    expect(result).toMatchObject({ outcome: 'sold', price: 702_000, bidderCode: bid.bidderCode, endedAt: after.endsAt });
    expect(Date.parse(result.closedAt) - Date.parse(result.endedAt)).toBeLessThan(1500);
    const { rows: results } = await a.db.query('SELECT 1 FROM lot_results WHERE lot_id = $1', [lot]);
    expect(results).toHaveLength(1);
    const { rows: closedEntries } = await a.db.query(`SELECT 1 FROM audit_log WHERE stream = $1 AND action = 'lot.closed'`, [`lot:${lot}`]);
    expect(closedEntries).toHaveLength(1);
    // The deposits: one release job, enqueued with the close, done; the loser's deposit released, the winner's applied.
    const releases = await waitFor('release done', async () => {
      const r = await jobs(a, 'deposit-release', `data->>'lotId' = $2`, [lot]);
      return r.length === 1 && r[0].state === 'completed' ? r : null;
    }, 15_000);
    expect(releases).toHaveLength(1);
    await waitFor('deposits settled', async () => {
      const { rows } = await a.db.query<{ status: string }>('SELECT status FROM deposits WHERE lot_id = $1 ORDER BY status', [lot]);
      return rows.map((r) => r.status).join() === 'applied,released';
    }, 15_000);
    await expectLedgerBalanced(a, admin);
  }, 60_000);

  it('retries a failing job with backoff and counts the failure in /api/metrics', async () => {
    // A real failure, in PostgreSQL: the release of deposits is refused until the trigger is dropped.
    await a.db.query(`CREATE FUNCTION test_refuse_release() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.kind = 'release' THEN RAISE EXCEPTION 'injected failure: release refused'; END IF; RETURN NEW; END $$`);
    await a.db.query(`CREATE TRIGGER test_refuse_release BEFORE INSERT ON deposit_movements FOR EACH ROW EXECUTE FUNCTION test_refuse_release()`);
    const failuresBefore = (await jobFailures(a, 'deposit-release')) + (await jobFailures(b, 'deposit-release'));
    try {
      const lot = await publishedLot(b, clerk, caseId, { startInMs: 3500, durationMs: 8000 });
      expect((await enrol(a, await registerBidder(a), lot)).status).toBe(201);
      const failed = await waitFor('a failed attempt', async () => {
        const r = await jobs(a, 'deposit-release', `data->>'lotId' = $2 AND state = 'retry'`, [lot]);
        return r[0] ?? null;
      }, 20_000);
      expect(failed.output?.message).toMatch(/injected failure/);
      // Backoff: the retry waits retryDelay (1 s in the sandbox) × 1…2 after the failed attempt.
      expect(failed.start_after.getTime() - failed.started_on!.getTime()).toBeGreaterThanOrEqual(900);
      const failuresAfter = (await jobFailures(a, 'deposit-release')) + (await jobFailures(b, 'deposit-release'));
      expect(failuresAfter).toBeGreaterThan(failuresBefore);
      await a.db.query('DROP TRIGGER test_refuse_release ON deposit_movements');
      const done = await waitFor('retried to completion', async () => {
        const r = await jobs(a, 'deposit-release', `data->>'lotId' = $2`, [lot]);
        return r.length === 1 && r[0].state === 'completed' ? r[0] : null;
      }, 30_000);
      expect(done.retry_count).toBeGreaterThanOrEqual(1);
      await waitFor('released', async () => {
        const { rows } = await a.db.query<{ status: string }>('SELECT status FROM deposits WHERE lot_id = $1', [lot]);
        return rows.length === 1 && rows[0].status === 'released';
      }, 15_000);
      await expectLedgerBalanced(a, admin);
    } finally {
      await a.db.query('DROP TRIGGER IF EXISTS test_refuse_release ON deposit_movements');
      await a.db.query('DROP FUNCTION IF EXISTS test_refuse_release()');
    }
  }, 90_000);
});

describe('restart', () => {
  it('a close job pending when every instance stops runs after the restart: the lot closes with its true end', async () => {
    const lot = await publishedLot(a, clerk, caseId, { startInMs: 3500, durationMs: 8000 });
    const x = await registerBidder(a);
    expect((await enrol(a, x, lot)).status).toBe(201);
    await waitFor('live', async () => ((await a.http.get(`/api/lots/${lot}`)).body as { status: string }).status === 'live', 10_000);
    const bid = await a.http.post(`/api/lots/${lot}/bids`).set(x.auth).send({ amount: 700_000 }).expect(201);
    const endsAt = (bid.body as { lot: { endsAt: string } }).lot.endsAt;
    const [pending] = await jobs(a, 'lot-close', `data->>'lotId' = $2`, [lot]);
    expect(pending.state).toBe('created');
    expect(pending.start_after.getTime()).toBeLessThanOrEqual(Date.parse(endsAt));
    await peer().stop();
    b = undefined;
    await a.platform.stop();
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(endsAt) - Date.now()) + 1000));
    const { rows: still } = await a.db.query<{ status: string }>('SELECT status FROM lots WHERE id = $1', [lot]);
    expect(still[0].status).toBe('live');
    const pool = a.db;
    const again = await startOn(a, false);
    a = { ...again, stop: async () => { await pool.end(); await again.platform.stop(); } };
    const result = await waitFor('closed after restart', async () => {
      const r = await again.http.get(`/api/lots/${lot}/result`);
      return r.status === 200 ? (r.body as { outcome: string; price: number; endedAt: string; closedAt: string }) : null;
    }, 20_000);
    expect(result).toMatchObject({ outcome: 'sold', price: 700_000, endedAt: endsAt });
    expect(Date.parse(result.closedAt)).toBeGreaterThan(Date.parse(endsAt));
    await waitFor('the pending close job ran', async () => (await jobs(again, 'lot-close', 'id = $2', [pending.id]))[0]?.state === 'completed', 10_000);
  }, 60_000);

  it('stopping the API lets a running job finish first', async () => {
    const lot = await publishedLot(a, clerk, caseId, { startInMs: 3500, durationMs: 8000 });
    expect((await enrol(a, await registerBidder(a), lot)).status).toBe(201);
    // Hold the lot's deposit rows: the release job, once running, waits for them.
    const holder = await a.db.connect();
    let stopped = false;
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT id FROM deposits WHERE lot_id = $1 FOR UPDATE', [lot]);
      const [running] = await waitFor('the release job running', async () => {
        const r = await jobs(a, 'deposit-release', `data->>'lotId' = $2 AND state = 'active'`, [lot]);
        return r.length ? r : null;
      }, 20_000);
      const stopping = a.platform.stop().then(() => (stopped = true));
      await new Promise((r) => setTimeout(r, 1500));
      expect(stopped).toBe(false);
      await holder.query('COMMIT');
      await stopping;
      const [after] = await jobs(a, 'deposit-release', 'id = $2', [running.id]);
      expect(after.state).toBe('completed');
      const { rows } = await a.db.query<{ status: string }>('SELECT status FROM deposits WHERE lot_id = $1', [lot]);
      expect(rows.map((r) => r.status)).toEqual(['released']);
    } finally {
      if (!stopped) await holder.query('ROLLBACK').catch(() => undefined);
      holder.release();
      const pool = a.db;
      a = { ...a, stop: () => pool.end() };
    }
  }, 60_000);
});
