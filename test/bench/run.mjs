#!/usr/bin/env node
/**
 * `npm run bench` — the benchmark of /work/shared/benchmarks.md (see test/bench/README.md).
 *
 * 1. A fresh database whose name contains "bench" on BENCH_DATABASE_URL / DATABASE_URL's server, or on an
 *    embedded PostgreSQL started for the run.
 * 2. The ceiling: pgbench running the SQL of one accepted bid on tables shaped like ours, (a) 100 random
 *    lots at 50 clients, (b) one lot at 20 clients (the API's pool size).
 * 3. The built API as a separate child process (so its CPU and RSS can be read from /proc), set up through
 *    its public HTTP API: a court, a clerk, live lots, verified bidders enrolled with pm_card_visa.
 * 4. Scenarios many, hot, fanout (1,000 × 20/s, 5,000 × 5/s and 20/s), fanout-2 (two instances, 10,000
 *    watchers) and idle (5,000 watchers). Watchers are BENCH_WATCHER_CLIENT sockets: 'wire' (the default, a
 *    plain WebSocket speaking the protocol itself, light on the shared cores) or 'socket.io' (socket.io-client).
 * 5. A table of figures beside targets and ceiling with the CPU seconds of API / PostgreSQL / load
 *    generator, also written to test/artifacts/bench-<date>.json.
 *
 * No assertions: it prints figures and exits 0 unless the setup failed. BENCH_QUICK=1 shortens every
 * duration about 5×, for development.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { Pool } from 'undici';
import { call, courtWithClerk, enrolActive, mapLimit, publishedLot, registerBidders, waitLive } from '../support/http-actors.mjs';
import { ApiInstance, API_MAIN, Cleanup, PrivateRedis, sleep, stopAllOnExit, StripeLocalProcess } from '../support/infra.mjs';
import { MsHistogram, percentile } from '../support/stats.mjs';
import { WATCHER_CLIENTS, WatcherGroup } from '../support/watchers.mjs';
import { cpuSeconds, CpuTracker, fmt, machineBusySeconds, procTicks, rssMb, ticksToSeconds } from './lib.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DIST = path.dirname(API_MAIN);
const QUICK = process.env.BENCH_QUICK === '1';
const scale = (ms) => (QUICK ? Math.round(ms / 5) : ms);
/** BENCH_SCENARIOS=many,hot runs only those (default: all). */
const ONLY = new Set((process.env.BENCH_SCENARIOS ?? 'ceiling,many,hot,fanout,fanout-2,idle').split(',').map((s) => s.trim()));
/**
 * The watchers' client (test/support/watchers.mjs): 'wire' (default) costs a fraction of socket.io-client's
 * CPU per event, and the watchers run on the cores of the API they measure (test/bench/README.md).
 */
const WATCHER_CLIENT = process.env.BENCH_WATCHER_CLIENT ?? 'wire';
if (!WATCHER_CLIENTS.includes(WATCHER_CLIENT)) throw new Error(`BENCH_WATCHER_CLIENT=${WATCHER_CLIENT}: expected one of ${WATCHER_CLIENTS.join(', ')}`);

const CFG = {
  pgbenchSeconds: QUICK ? 4 : 20,
  poolSize: 20,
  many: { lots: 100, biddersPerLot: 4, clients: 50, warmMs: scale(2000), measureMs: scale(20_000) },
  hot: { bidders: 200, clients: 200, warmMs: scale(2000), measureMs: scale(20_000) },
  fanoutMs: scale(15_000),
  fanout: [
    { watchers: 1000, rates: [20] },
    { watchers: 5000, rates: [5, 20] },
  ],
  watcherProcesses: Number(process.env.BENCH_FANOUT_PROCESSES ?? 2),
  // Two instances with the Redis streams adapter; 10,000 watchers, half on each, over 1 process per instance.
  // Two watcher processes in all, as in fanout, one per core: on 2 cores more processes only add wake-ups
  // (each wakes for a few ready sockets at a time instead of reading many per epoll_wait), and their CPU is
  // taken from the API instances they measure. Measured 2026-11-29, 3 runs each: 4 per instance, watchers
  // 4.4–4.8 CPU-s and p99 159–217 ms; 1 per instance, 3.0–3.5 CPU-s and p99 125–155 ms.
  fanout2: { watchers: 10_000, rate: 2, processesPerInstance: Number(process.env.BENCH_FANOUT2_PROCESSES ?? 1) },
  // On a freshly started API process: RSS after a settle, then with 5,000 idle watchers.
  idle: { watchers: 5000, settleMs: scale(10_000), holdMs: scale(5000) },
  enrolConcurrency: 8,
  watcherClient: WATCHER_CLIENT,
};

const FANOUT_ACCOUNTS = 4; // the fanout bidder's accounts, used in turn (a leader may not outbid itself)
const t0 = Date.now();
const log = (line) => process.stdout.write(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);

function withDatabase(url, database) {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

// Everything started is stopped at the end, also on failure or Ctrl-C (by pid, never by name).
const cleanup = new Cleanup();
stopAllOnExit(cleanup);

// ───────────────────────────── database ─────────────────────────────
async function prepareDatabase() {
  let serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
  let embedded = null;
  if (!serverUrl) {
    const { startEmbeddedPostgres } = await import(path.join(DIST, 'database/embedded-postgres.js'));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fapai-bench-pg-'));
    log('no BENCH_DATABASE_URL / DATABASE_URL: starting an embedded PostgreSQL');
    embedded = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), database: 'postgres', log: () => undefined });
    serverUrl = embedded.url;
    cleanup.add('embedded postgres', async () => {
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
      if (embedded.dataDir && !embedded.dataDir.startsWith(dir)) rmSync(embedded.dataDir, { recursive: true, force: true });
    });
  }
  const stamp = new Date().toISOString().slice(0, 10).replace(/-/g, '');
  const name = `fapai_bench_${stamp}_${randomBytes(4).toString('hex')}`;
  if (!name.includes('bench')) throw new Error('refusing a benchmark database whose name lacks "bench"');
  const admin = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await admin.connect();
  const version = (await admin.query('SHOW server_version')).rows[0].server_version;
  const maxConnections = Number((await admin.query('SHOW max_connections')).rows[0].max_connections);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  cleanup.add('bench database', async () => {
    if (process.env.BENCH_KEEP_DB === '1') return log(`keeping database ${name} (BENCH_KEEP_DB=1)`);
    const c = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  });
  const url = withDatabase(serverUrl, name);
  log(`database ${name} on PostgreSQL ${version}${embedded ? ' (embedded)' : ` at ${new URL(serverUrl).host}`}, max_connections ${maxConnections}`);
  return { url, name, version, embedded: Boolean(embedded), maxConnections };
}

// ───────────────────────────── pgbench ceiling ─────────────────────────────
function findPgbench() {
  const candidates = [];
  if (process.env.PGBENCH) candidates.push(process.env.PGBENCH);
  candidates.push('/usr/bin/pgbench');
  try {
    const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(`/usr/lib/postgresql/${v}/bin/pgbench`);
  } catch {
    /* none */
  }
  return candidates.find((p) => existsSync(p)) ?? null;
}

const BENCH_TABLES = `
  DROP TABLE IF EXISTS bench_bid; DROP TABLE IF EXISTS bench_lot;
  CREATE TABLE bench_lot (
    id integer PRIMARY KEY, status text NOT NULL DEFAULT 'live', title text NOT NULL DEFAULT '',
    disclosures jsonb NOT NULL DEFAULT '{}', starting_price bigint NOT NULL, increment bigint NOT NULL,
    starts_at timestamptz NOT NULL DEFAULT now(), ends_at timestamptz NOT NULL,
    current_price bigint, leader integer, leader_placed_at timestamptz,
    bid_count integer NOT NULL DEFAULT 0, seq integer NOT NULL DEFAULT 0, extension_count integer NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now());
  CREATE TABLE bench_bid (
    lot_id integer NOT NULL, seq integer NOT NULL, bidder integer NOT NULL, amount bigint NOT NULL,
    placed_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (lot_id, seq));`;

const resetBenchTables = `
  TRUNCATE bench_bid;
  DELETE FROM bench_lot;
  INSERT INTO bench_lot (id, title, starting_price, increment, current_price, ends_at)
    SELECT g, 'lot ' || g, 700000, 1000, 700000, now() + interval '1 day' FROM generate_series(1, 100) g;`;

/** The SQL of one accepted bid (benchmarks.md, "The ceiling"). */
const pgbenchScript = (lotExpr) => `\\set lot ${lotExpr}
\\set bidder random(1, 400)
BEGIN;
SELECT current_price AS price, seq AS seq FROM bench_lot WHERE id = :lot FOR UPDATE \\gset
\\set amount :price + 1000
\\set nseq :seq + 1
INSERT INTO bench_bid (lot_id, bidder, amount, seq) VALUES (:lot, :bidder, :amount, :nseq);
UPDATE bench_lot SET current_price = :amount, leader = :bidder, seq = seq + 1, bid_count = bid_count + 1 WHERE id = :lot;
COMMIT;
`;

async function runPgbench(pgbench, db, pgCpu, label, lotExpr, clients, seconds) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fapai-pgbench-'));
  try {
    const c = new pg.Client({ connectionString: db.url });
    c.on('error', () => undefined);
    await c.connect();
    try {
      await c.query(resetBenchTables);
      await c.query('VACUUM ANALYZE bench_lot');
      await c.query('VACUUM ANALYZE bench_bid');
    } finally {
      await c.end();
    }
    const script = path.join(dir, 'bid.sql');
    writeFileSync(script, pgbenchScript(lotExpr));
    const args = ['-n', '-M', 'prepared', '-j', '2', '-c', String(clients), '-T', String(seconds), '-f', script, '-l', '--log-prefix', path.join(dir, 'tx'), db.url];
    const pgMark = await pgCpu.mark();
    const genBefore = procTicks(process.pid).childTicks;
    const machineBefore = machineBusySeconds();
    const started = performance.now();
    const { code, stdout, stderr } = await new Promise((resolve) => {
      const child = spawn(pgbench, args, { cwd: dir, env: { ...process.env, PGAPPNAME: 'fapai-bench-pgbench' } });
      let out = '';
      let err = '';
      child.stdout.on('data', (b) => (out += b));
      child.stderr.on('data', (b) => (err += b));
      child.on('close', (code) => resolve({ code, stdout: out, stderr: err }));
      child.on('error', (e) => resolve({ code: -1, stdout: out, stderr: String(e) }));
    });
    const wallS = (performance.now() - started) / 1000;
    const pgS = await pgCpu.since(pgMark);
    const genS = ticksToSeconds(procTicks(process.pid).childTicks - genBefore);
    const machineS = machineBusySeconds() - machineBefore;
    if (code !== 0) throw new Error(`pgbench ${label} failed (${code}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
    const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(stdout)?.[1] ?? /tps = ([\d.]+)/.exec(stdout)?.[1]);
    const failed = Number(/number of failed transactions: (\d+)/.exec(stdout)?.[1] ?? 0);
    const latencies = [];
    for (const f of readdirSync(dir).filter((n) => n.startsWith('tx.'))) {
      for (const line of readFileSync(path.join(dir, f), 'utf8').split('\n')) {
        const parts = line.split(' ');
        if (parts.length >= 6) latencies.push(Number(parts[2]) / 1000);
      }
    }
    latencies.sort((a, b) => a - b);
    return {
      label,
      clients,
      seconds,
      tps,
      failed,
      transactions: latencies.length,
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      cpu: { api: null, pg: pgS, gen: genS, other: Math.max(0, machineS - pgS - genS), machine: machineS, wallS },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ───────────────────────────── the API processes ─────────────────────────────
/**
 * An API child process (node apps/api/dist/apps/api/src/main.js) on the bench database: sandbox rules,
 * DB_POOL_SIZE 20, LOG_LEVEL=error, background jobs on, the per-address login and registration limits
 * lifted for the set-up (the per-user bid limit stays), stripe-local as a separate process shared by every
 * instance (so that any instance sees the deposits), `redisUrl` for the Redis streams adapter.
 */
async function startApi(db, stripe, name, { migrations = false, redisUrl = null, env = {} } = {}) {
  const nodeArgs = (process.env.BENCH_API_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  return ApiInstance.create(cleanup, name, {
    databaseUrl: db.url,
    redisUrl,
    stripe,
    migrations,
    nodeArgs,
    env: {
      DB_POOL_SIZE: String(CFG.poolSize),
      // Set-up registers and logs in 400 bidders from one address: lift the per-address limits on those; the
      // per-user bid limit stays at its default (no bench client bids faster than it allows).
      RATE_LIMIT_REGISTER_PER_MINUTE: '1000000',
      RATE_LIMIT_LOGIN_PER_MINUTE: '1000000',
      ...env,
    },
  });
}

// ───────────────────────────── set-up through the API ─────────────────────────────
function progress(label, total, startedAt) {
  const every = Math.max(1, Math.round(total / 8));
  return (done) => {
    if (done % every === 0 || done === total) log(`  ${label} ${done}/${total} (${((Date.now() - startedAt) / 1000).toFixed(1)} s)`);
  };
}

/**
 * Only what the chosen scenarios need: 100 lots + 400 bidders for many, 1 lot + 200 bidders for hot, one lot
 * per fanout size, one for fanout-2 and one for idle (the fanout lots with the first 4 bidders enrolled).
 */
async function setUp(api) {
  const url = api.url;
  const { clerk, caseId } = await courtWithClerk(url, 'bench');
  const many = ONLY.has('many') ? CFG.many.lots : 0;
  const hot = ONLY.has('hot') ? 1 : 0;
  const fanout = ONLY.has('fanout') ? CFG.fanout.length : 0;
  const fanout2 = ONLY.has('fanout-2') ? 1 : 0;
  const idle = ONLY.has('idle') ? 1 : 0;
  const lotCount = many + hot + fanout + fanout2 + idle;
  let started = Date.now();
  log(`creating and publishing ${lotCount} lots`);
  // Bidding windows of 3 hours (live ~4 s after publication), so lots stay live for the whole run.
  const lots = await mapLimit(
    Array.from({ length: lotCount }, (_, i) => i),
    CFG.enrolConcurrency,
    (i) => publishedLot(url, clerk, caseId, { startInMs: 4000, durationMs: 3 * 3600_000, title: `压测拍品 ${i}` }),
    progress('lots', lotCount, started),
  );
  const lotIds = lots.map((l) => l.id);
  const manyLots = lotIds.slice(0, many);
  const hotLot = hot ? lotIds[many] : null;
  const fanoutLots = lotIds.slice(many + hot, many + hot + fanout);
  const fanout2Lot = fanout2 ? lotIds[many + hot + fanout] : null;
  const idleLot = idle ? lotIds[many + hot + fanout + fanout2] : null;

  // Bidders: registered, logged in, identity verified. The hot lot's 200 and the fanout bidders reuse them.
  const bidderCount = Math.max(many * CFG.many.biddersPerLot, hot * CFG.hot.bidders, FANOUT_ACCOUNTS);
  started = Date.now();
  log(`registering ${bidderCount} verified bidders (${CFG.enrolConcurrency} at a time)`);
  const bidders = await registerBidders(url, bidderCount, { concurrency: CFG.enrolConcurrency, onDone: progress('bidders', bidderCount, started) });

  // Enrolments with pm_card_visa (the deposit is confirmed at once by the local Stripe).
  const jobs = [];
  manyLots.forEach((lotId, l) => {
    for (let k = 0; k < CFG.many.biddersPerLot; k++) jobs.push({ lotId, bidder: l * CFG.many.biddersPerLot + k });
  });
  if (hotLot) for (let b = 0; b < CFG.hot.bidders; b++) jobs.push({ lotId: hotLot, bidder: b });
  for (const lotId of [...fanoutLots, fanout2Lot].filter(Boolean)) for (let b = 0; b < FANOUT_ACCOUNTS; b++) jobs.push({ lotId, bidder: b });
  started = Date.now();
  log(`enrolling: ${jobs.length} enrolments with deposits (${CFG.enrolConcurrency} at a time)`);
  await mapLimit(jobs, CFG.enrolConcurrency, ({ lotId, bidder }) => enrolActive(url, bidders[bidder], lotId), progress('enrolments', jobs.length, started));

  log('waiting until every lot is live');
  await waitLive(url, lotIds);
  return { bidders, manyLots, hotLot, fanoutLots, fanout2Lot, idleLot, startingPrice: lots[0].startingPrice, increment: lots[0].increment };
}

// ───────────────────────────── measuring ─────────────────────────────
/** CPU marks of the API, PostgreSQL and the load generator (this process and its watcher children). */
async function cpuMark(ctx) {
  return { api: cpuSeconds(ctx.apiPids()), pg: await ctx.pgCpu.mark(), gen: cpuSeconds([process.pid, ...ctx.watcherPids()]), machine: machineBusySeconds(), xacts: await ctx.xacts(), at: performance.now() };
}
async function cpuSince(ctx, mark) {
  const api = cpuSeconds(ctx.apiPids()) - mark.api;
  const pg = await ctx.pgCpu.since(mark.pg);
  const gen = cpuSeconds([process.pid, ...ctx.watcherPids()]) - mark.gen;
  const machine = machineBusySeconds() - mark.machine;
  return { api, pg, gen, other: Math.max(0, machine - api - pg - gen), machine, wallS: (performance.now() - mark.at) / 1000, dbXacts: (await ctx.xacts()) - mark.xacts };
}

/**
 * The API's garbage collection so far, from its /api/metrics (prom-client's nodejs_gc_duration_seconds):
 * pauses and their seconds by kind, and how many took 100 ms or more. A fan-out event waits behind a pause.
 */
async function gcMark(url) {
  const text = await (await fetch(`${url}/api/metrics`)).text();
  const value = (re) => [...text.matchAll(re)].reduce((a, m) => a + Number(m[1]), 0);
  return {
    majorCount: value(/^fapai_nodejs_gc_duration_seconds_count\{kind="major"\} ([\d.e+-]+)$/gm),
    majorS: value(/^fapai_nodejs_gc_duration_seconds_sum\{kind="major"\} ([\d.e+-]+)$/gm),
    allS: value(/^fapai_nodejs_gc_duration_seconds_sum\{kind="\w+"\} ([\d.e+-]+)$/gm),
    // pauses of ≥ 100 ms = all pauses − those under le="0.1", over every kind
    over100: value(/^fapai_nodejs_gc_duration_seconds_count\{kind="\w+"\} ([\d.e+-]+)$/gm) - value(/^fapai_nodejs_gc_duration_seconds_bucket\{le="0\.1",kind="\w+"\} ([\d.e+-]+)$/gm),
  };
}
function gcSince(before, after) {
  return { majorCount: after.majorCount - before.majorCount, majorMs: (after.majorS - before.majorS) * 1000, allMs: (after.allS - before.allS) * 1000, over100: after.over100 - before.over100 };
}

/**
 * Closed loop: `clients` loops, each sends the next bid `nextBid(client)` as soon as its previous one is
 * answered. Counts only requests that complete inside the measured window (after the warm-up).
 */
async function closedLoop(ctx, pool, clients, warmMs, measureMs, nextBid) {
  const latencies = [];
  const refused = {};
  const errors = {};
  let accepted = 0;
  let stop = false;
  const start = performance.now();
  const mStart = start + warmMs;
  const mEnd = mStart + measureMs;
  let mark;
  const marked = sleep(warmMs).then(async () => (mark = await cpuMark(ctx)));
  let cpu;
  const ended = sleep(warmMs + measureMs).then(async () => {
    stop = true;
    await marked;
    cpu = await cpuSince(ctx, mark);
  });
  async function loop(ci) {
    while (!stop) {
      const bid = nextBid(ci);
      const s = performance.now();
      const res = await call(pool, 'POST', `/api/lots/${bid.lotId}/bids`, { amount: bid.amount }, bid.token);
      const e = performance.now();
      bid.done(res);
      if (e < mStart || e > mEnd) continue; // counted by completion time
      latencies.push(e - s);
      if (res.status === 0) errors[res.error] = (errors[res.error] ?? 0) + 1;
      else if (res.status === 201) accepted++;
      else if (res.status >= 400 && res.status < 500 && res.body?.code) refused[res.body.code] = (refused[res.body.code] ?? 0) + 1;
      else errors[`HTTP ${res.status}`] = (errors[`HTTP ${res.status}`] ?? 0) + 1;
    }
  }
  await Promise.all(Array.from({ length: clients }, (_, i) => loop(i)));
  await ended;
  latencies.sort((a, b) => a - b);
  const seconds = measureMs / 1000;
  const refusedTotal = Object.values(refused).reduce((a, b) => a + b, 0);
  const errorTotal = Object.values(errors).reduce((a, b) => a + b, 0);
  return {
    seconds,
    requests: latencies.length,
    requestsInWindow: latencies.length,
    accepted,
    acceptedPerS: accepted / seconds,
    refusedPerS: refusedTotal / seconds,
    refusedByCodePerS: Object.fromEntries(Object.entries(refused).map(([k, v]) => [k, v / seconds])),
    decisionsPerS: (accepted + refusedTotal) / seconds,
    errors: errorTotal,
    errorsByKind: errors,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? NaN,
    cpu,
  };
}

/** The API's `fapai_bid_paths_total` by path (guarded, guarded_missed, locked_read), from /api/metrics. */
async function bidPaths(url) {
  const text = await (await fetch(`${url}/api/metrics`)).text();
  const out = {};
  for (const m of text.matchAll(/^fapai_bid_paths_total\{path="(\w+)"\} (\d+)/gm)) out[m[1]] = Number(m[2]);
  return out;
}

/** Bids that reached the database between two `bidPaths` readings, by path. */
const pathsBetween = (before, after) => Object.fromEntries(['guarded', 'guarded_missed', 'locked_read'].map((k) => [k, (after[k] ?? 0) - (before[k] ?? 0)]));

async function scenarioMany(ctx, setup) {
  const pathsBefore = await bidPaths(ctx.api.url);
  const { bidders, manyLots, startingPrice, increment } = setup;
  const per = CFG.many.biddersPerLot;
  // Per lot: the latest price we know (starting price − increment before the first bid), the leader, in flight.
  const lots = manyLots.map((id, l) => ({ id, price: startingPrice - increment, leader: -1, next: 0, busy: false, tokens: Array.from({ length: per }, (_, k) => bidders[l * per + k].token) }));
  const pool = new Pool(ctx.api.url, { connections: CFG.many.clients, pipelining: 1 });
  const pick = () => {
    // A random lot that no other client of this generator is bidding on right now (prices we send are then current).
    for (let tries = 0; tries < 16; tries++) {
      const lot = lots[Math.floor(Math.random() * lots.length)];
      if (!lot.busy) return lot;
    }
    return lots.find((l) => !l.busy) ?? lots[Math.floor(Math.random() * lots.length)];
  };
  const result = await closedLoop(ctx, pool, CFG.many.clients, CFG.many.warmMs, CFG.many.measureMs, () => {
    const lot = pick();
    lot.busy = true;
    let k = lot.next % per;
    if (k === lot.leader) k = (k + 1) % per;
    lot.next = k + 1;
    const amount = lot.price + increment;
    return {
      lotId: lot.id,
      amount,
      token: lot.tokens[k],
      done(res) {
        lot.busy = false;
        if (!res) return;
        if (res.status === 201) {
          lot.price = Math.max(lot.price, res.body?.lot?.currentPrice ?? amount);
          lot.leader = k;
        } else {
          const d = res.body?.details ?? {};
          if (typeof d.currentPrice === 'number') lot.price = Math.max(lot.price, d.currentPrice);
          else if (typeof d.minimum === 'number') lot.price = Math.max(lot.price, d.minimum - increment);
          if (res.body?.code === 'LEADER_CANNOT_OUTBID_SELF') lot.leader = k;
        }
      },
    };
  });
  await pool.close();
  return { ...result, paths: pathsBetween(pathsBefore, await bidPaths(ctx.api.url)) };
}

async function scenarioHot(ctx, setup) {
  const { bidders, hotLot, startingPrice, increment } = setup;
  const state = { price: startingPrice - increment };
  const pool = new Pool(ctx.api.url, { connections: CFG.hot.clients, pipelining: 1 });
  const result = await closedLoop(ctx, pool, CFG.hot.clients, CFG.hot.warmMs, CFG.hot.measureMs, (ci) => {
    const amount = state.price + increment;
    return {
      lotId: hotLot,
      amount,
      token: bidders[ci % CFG.hot.bidders].token,
      done(res) {
        if (!res) return;
        if (res.status === 201) state.price = Math.max(state.price, res.body?.lot?.currentPrice ?? amount);
        else {
          const d = res.body?.details ?? {};
          if (typeof d.currentPrice === 'number') state.price = Math.max(state.price, d.currentPrice);
          else if (typeof d.minimum === 'number') state.price = Math.max(state.price, d.minimum - increment);
        }
      },
    };
  });
  await pool.close();
  return result;
}

// ───────────────────────────── watchers ─────────────────────────────
/** `n` watcher child processes (test/support/watchers.mjs); their CPU counts as the load generator's. */
async function watcherGroups(ctx, n, name) {
  const groups = Array.from({ length: n }, (_, i) => new WatcherGroup(`${name}-${i}`, cleanup));
  await Promise.all(groups.map((g) => g.ready));
  ctx.watcherGroups.push(...groups);
  return groups;
}

async function closeGroups(ctx, groups) {
  await Promise.all(groups.map((g) => g.close()));
  ctx.watcherGroups = ctx.watcherGroups.filter((g) => !groups.includes(g));
}

/** `total` watchers of `lotId` on `url`, spread evenly over `groups`. */
async function connectWatchers(groups, url, lotId, total) {
  const started = Date.now();
  const per = groups.map((_, i) => Math.floor(total / groups.length) + (i < total % groups.length ? 1 : 0));
  // socket.io watchers reconnect, as they always have here (every disconnect is counted all the same); wire ones cannot.
  const options = { concurrency: 50, reconnection: WATCHER_CLIENT === 'socket.io', client: WATCHER_CLIENT };
  const replies = await Promise.all(groups.map((g, i) => g.connect(url, [lotId], per[i], options)));
  const ok = replies.reduce((a, r) => a + r.ok, 0);
  const failed = replies.reduce((a, r) => a + r.failed, 0);
  const retried = replies.reduce((a, r) => a + r.retried, 0);
  const errors = {};
  for (const r of replies) for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + v;
  log(`  ${ok} watchers connected in ${((Date.now() - started) / 1000).toFixed(1)} s${failed || retried ? `, ${failed} failed, ${retried} handshakes tried again: ${JSON.stringify(errors)}` : ''}`);
  return { ok, failed, retried, errors, seconds: (Date.now() - started) / 1000 };
}

/** Sums the watcher processes' summaries: missed, out of order, and the merged delay histogram. */
function deliveryFigures(summaries) {
  const hist = new MsHistogram();
  for (const r of summaries) hist.merge(r.hist);
  const sum = (k) => summaries.reduce((a, r) => a + r[k], 0);
  return {
    watchers: sum('sockets'),
    eventsReceived: sum('received'),
    missed: sum('missed'),
    socketsMissing: sum('socketsMissing'),
    outOfOrder: sum('outOfOrder'),
    duplicates: sum('duplicates'),
    disconnects: sum('disconnects'),
    delayP50: hist.percentile(50),
    delayP99: hist.percentile(99),
    delayMax: hist.n ? hist.maxSeen : NaN,
  };
}

/**
 * One bidder places bids at `rate` per second for `ms` on `bidUrl`, open loop (a bid leaves on time even if the previous
 * one is still unanswered). Four accounts take turns, because a leader may not outbid itself: bid k is placed
 * by account k mod 4 at price₀ + (k + 1) increments, so in order every bid is valid; a bid that overtakes its
 * predecessor (possible once answers take longer than 1/R) makes that one too low (counted under refused).
 * `sides` maps a name (an instance) to its watcher groups: figures are given per side and overall.
 */
async function fanoutPhase(ctx, sides, setup, lot, rate, ms, bidUrl) {
  const groups = Object.values(sides).flat();
  const from = lot.seq + 1;
  await Promise.all(groups.map((g) => g.phase(from)));
  const pool = new Pool(bidUrl, { connections: 8, pipelining: 1 });
  const mark = await cpuMark(ctx);
  const total = Math.round((rate * ms) / 1000);
  const seqs = [];
  const refused = {};
  const bidLatencies = [];
  let errors = 0;
  let late = 0; // bids that left more than 10 ms after their due time (the generator fell behind)
  const base = lot.price;
  const first = lot.leader + 1;
  const start = performance.now();
  const pending = [];
  for (let k = 0; k < total; k++) {
    const due = start + (k * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    else if (wait < -10) late++;
    const who = (first + k) % FANOUT_ACCOUNTS;
    const amount = base + (k + 1) * setup.increment;
    const s = performance.now();
    pending.push(
      call(pool, 'POST', `/api/lots/${lot.id}/bids`, { amount }, setup.bidders[who].token).then((res) => {
        bidLatencies.push(performance.now() - s);
        if (res.status === 201) {
          if (res.body.lot.currentPrice > lot.price) {
            lot.price = res.body.lot.currentPrice;
            lot.leader = who;
          }
          lot.seq = Math.max(lot.seq, res.body.bid.seq);
          seqs.push(res.body.bid.seq);
        } else if (res.body?.code) refused[res.body.code] = (refused[res.body.code] ?? 0) + 1;
        else errors++;
      }),
    );
  }
  await Promise.all(pending);
  const biddingS = (performance.now() - start) / 1000;
  // Drain: wait until every watcher has the last seq (or 15 s).
  const to = seqs.length ? Math.max(...seqs) : from - 1;
  const drainStart = Date.now();
  while (Date.now() - drainStart < 15_000) {
    const p = await Promise.all(groups.map((g) => g.progress()));
    if (p.every((r) => r.minLast >= to)) break;
    await sleep(100);
  }
  const drainS = (Date.now() - drainStart) / 1000;
  const cpu = await cpuSince(ctx, mark);
  const bySide = {};
  const all = [];
  for (const [name, list] of Object.entries(sides)) {
    const summaries = await Promise.all(list.map((g) => g.summary(from, to)));
    all.push(...summaries);
    bySide[name] = deliveryFigures(summaries);
  }
  await pool.close();
  bidLatencies.sort((a, b) => a - b);
  const overall = deliveryFigures(all);
  return {
    rate,
    seconds: ms / 1000,
    bidsAccepted: seqs.length,
    acceptedPerS: seqs.length / biddingS,
    refused,
    bidErrors: errors,
    lateTicks: late,
    bidP50: percentile(bidLatencies, 50),
    bidP99: percentile(bidLatencies, 99),
    eventsExpected: seqs.length * overall.watchers,
    ...overall,
    bySide,
    drainS,
    cpu,
  };
}

async function scenarioFanout(ctx, setup) {
  const groups = await watcherGroups(ctx, CFG.watcherProcesses, 'fanout');
  const out = { runs: [] };
  try {
    for (const [i, f] of CFG.fanout.entries()) {
      const lot = { id: setup.fanoutLots[i], price: setup.startingPrice - setup.increment, leader: -1, seq: 0 };
      await sleep(1000);
      const rssBefore = rssMb(ctx.api.pid);
      log(`fanout: connecting ${f.watchers} watchers (API RSS ${fmt(rssBefore)} MB)`);
      const connected = await connectWatchers(groups, ctx.api.url, lot.id, f.watchers);
      await sleep(scale(5000));
      const rssAfter = rssMb(ctx.api.pid);
      for (const rate of f.rates) {
        log(`fanout: ${f.watchers} watchers × ${rate} bids/s for ${CFG.fanoutMs / 1000} s`);
        const gcBefore = await gcMark(ctx.api.url);
        const r = await fanoutPhase(ctx, { api: groups }, setup, lot, rate, CFG.fanoutMs, ctx.api.url);
        const gc = gcSince(gcBefore, await gcMark(ctx.api.url));
        const run = { watchersTarget: f.watchers, connected, rssBefore, rssAfterConnect: rssAfter, rssAfterRun: rssMb(ctx.api.pid), gc, ...r };
        log(
          `  delay p50 ${fmt(r.delayP50)} ms, p99 ${fmt(r.delayP99)} ms, max ${fmt(r.delayMax)} ms; ${r.bidsAccepted} bids, missed ${r.missed}, out of order ${r.outOfOrder}, late ticks ${r.lateTicks}, refused ${JSON.stringify(r.refused)}; CPU API ${fmt(r.cpu.api, 1)} s, PG ${fmt(r.cpu.pg, 1)} s, gen ${fmt(r.cpu.gen, 1)} s`,
        );
        out.runs.push(run);
        await sleep(1000);
      }
      await Promise.all(groups.map((g) => g.disconnect()));
    }
  } finally {
    await closeGroups(ctx, groups);
  }
  return out;
}

/**
 * fanout-2: two API instances (A, B) on the bench database with REDIS_URL (the Redis streams adapter) and a
 * private redis-server; 10,000 watchers, half on each instance, over several processes per instance; one
 * bidder on A at 2 bids/s for 15 s. Delay per instance and overall; RSS of both instances.
 */
async function scenarioFanout2(ctx, setup, db, stripe) {
  const cfg = CFG.fanout2;
  const redis = await PrivateRedis.create(cleanup);
  log(`fanout-2: redis-server 127.0.0.1:${redis.port}; starting API instances A and B with REDIS_URL`);
  // Background jobs stay with the main bench API: these two only serve sockets and bids.
  const [a, b] = [await startApi(db, stripe, 'fanout2-A', { redisUrl: redis.url, env: { BACKGROUND_JOBS: 'false' } }), await startApi(db, stripe, 'fanout2-B', { redisUrl: redis.url, env: { BACKGROUND_JOBS: 'false' } })];
  ctx.otherApis.push(a, b);
  const previousPids = ctx.apiPids;
  ctx.apiPids = () => [a.pid, b.pid];
  const sides = { A: await watcherGroups(ctx, cfg.processesPerInstance, 'fanout2-A'), B: await watcherGroups(ctx, cfg.processesPerInstance, 'fanout2-B') };
  try {
    const lot = { id: setup.fanout2Lot, price: setup.startingPrice - setup.increment, leader: -1, seq: 0 };
    await sleep(1000);
    const rssBefore = { A: rssMb(a.pid), B: rssMb(b.pid) };
    log(`fanout-2: connecting ${fmt(cfg.watchers)} watchers, ${fmt(cfg.watchers / 2)} on each instance over ${cfg.processesPerInstance} processes each (RSS A ${fmt(rssBefore.A)} MB, B ${fmt(rssBefore.B)} MB)`);
    const [ca, cb] = await Promise.all([connectWatchers(sides.A, a.url, lot.id, cfg.watchers / 2), connectWatchers(sides.B, b.url, lot.id, cfg.watchers / 2)]);
    await sleep(scale(5000));
    const rssAfterConnect = { A: rssMb(a.pid), B: rssMb(b.pid) };
    log(`fanout-2: ${fmt(ca.ok + cb.ok)} watchers × ${cfg.rate} bids/s on A for ${CFG.fanoutMs / 1000} s`);
    const redisBefore = cpuSeconds([redis.child.pid]);
    const r = await fanoutPhase(ctx, sides, setup, lot, cfg.rate, CFG.fanoutMs, a.url);
    const redisCpu = cpuSeconds([redis.child.pid]) - redisBefore;
    const rssAfterRun = { A: rssMb(a.pid), B: rssMb(b.pid) };
    for (const [side, f] of Object.entries(r.bySide)) {
      log(`  instance ${side}: ${f.watchers} watchers, delay p50 ${fmt(f.delayP50)} ms, p99 ${fmt(f.delayP99)} ms, max ${fmt(f.delayMax)} ms; missed ${f.missed}, out of order ${f.outOfOrder}`);
    }
    log(
      `  overall: delay p50 ${fmt(r.delayP50)} ms, p99 ${fmt(r.delayP99)} ms, max ${fmt(r.delayMax)} ms; ${r.bidsAccepted} bids, refused ${JSON.stringify(r.refused)}; CPU API A+B ${fmt(r.cpu.api, 1)} s, PG ${fmt(r.cpu.pg, 1)} s, gen ${fmt(r.cpu.gen, 1)} s, redis ${fmt(redisCpu, 1)} s`,
    );
    return { watchersTarget: cfg.watchers, processes: cfg.processesPerInstance * 2, connected: { A: ca, B: cb }, rssBefore, rssAfterConnect, rssAfterRun, redisCpu, ...r };
  } finally {
    await closeGroups(ctx, [...sides.A, ...sides.B]);
    ctx.apiPids = previousPids;
    await Promise.all([a.stop(), b.stop()]);
    await redis.stop();
  }
}

/**
 * idle: a freshly started API process (nothing else has run in it), RSS after a settle, then with 5,000 idle
 * watchers connected and watching (no bids).
 */
async function scenarioIdle(ctx, setup, db, stripe) {
  const cfg = CFG.idle;
  log('idle: starting a fresh API process');
  const api = await startApi(db, stripe, 'idle');
  ctx.otherApis.push(api);
  const groups = await watcherGroups(ctx, CFG.watcherProcesses, 'idle');
  try {
    await sleep(cfg.settleMs);
    const rssFresh = rssMb(api.pid);
    log(`idle: fresh API pid ${api.pid}, RSS ${fmt(rssFresh)} MB after ${cfg.settleMs / 1000} s; connecting ${fmt(cfg.watchers)} watchers`);
    const connected = await connectWatchers(groups, api.url, setup.idleLot, cfg.watchers);
    await sleep(cfg.holdMs);
    const rssWithWatchers = rssMb(api.pid);
    log(`idle: API RSS ${fmt(rssWithWatchers)} MB with ${connected.ok} idle watchers (fresh process ${fmt(rssFresh)} MB, +${fmt(rssWithWatchers - rssFresh)} MB)`);
    return { watchers: connected.ok, connected, rssIdleProcess: rssFresh, rssWithWatchers, growth: rssWithWatchers - rssFresh, settleS: cfg.settleMs / 1000 };
  } finally {
    await closeGroups(ctx, groups);
    await api.stop();
  }
}

// ───────────────────────────── report ─────────────────────────────
function table(rows) {
  const headers = ['scenario', 'figure', 'value', 'target', 'met', 'ceiling', '% ceil', 'API cpu s', 'PG cpu s', 'gen cpu s', 'other cpu s'];
  const cells = rows.map((r) => [r.scenario, r.figure, r.value, r.target ?? '', r.met === undefined ? '' : r.met ? 'yes' : 'NO', r.ceiling ?? '', r.pct ?? '', r.cpu ? fmt(r.cpu.api, 1) : '', r.cpu ? fmt(r.cpu.pg, 1) : '', r.cpu ? fmt(r.cpu.gen, 1) : '', r.cpu ? fmt(r.cpu.other, 1) : '']);
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((c) => String(c[i]).length)));
  const line = (c) => c.map((v, i) => String(v).padEnd(widths[i])).join(' | ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('-|-'), ...cells.map(line)].join('\n');
}

const pct = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${fmt((100 * a) / b)} %` : '–');
const ms3 = (a, b, c) => `${fmt(a, 1)} / ${fmt(b, 1)} / ${fmt(c, 1)}`;

function buildRows(r) {
  const rows = [];
  const A = r.ceiling?.a;
  const B = r.ceiling?.b;
  if (A) rows.push({ scenario: 'ceiling (a)', figure: `pgbench tps, 100 lots × ${A.clients} clients (p50/p99 ms)`, value: `${fmt(A.tps)} (${fmt(A.p50, 1)} / ${fmt(A.p99, 1)})`, cpu: A.cpu });
  if (B) rows.push({ scenario: 'ceiling (b)', figure: `pgbench tps, 1 lot × ${B.clients} clients (p50/p99 ms)`, value: `${fmt(B.tps)} (${fmt(B.p50, 1)} / ${fmt(B.p99, 1)})`, cpu: B.cpu });
  if (!A && !B) rows.push({ scenario: 'ceiling', figure: 'pgbench', value: r.ceilingSkipped ?? 'skipped' });
  const m = r.many;
  if (m?.error) rows.push({ scenario: 'many', figure: 'failed', value: m.error });
  else if (m) {
    const target = A ? 0.4 * A.tps : 1250;
    rows.push({ scenario: 'many', figure: 'accepted/s', value: fmt(m.acceptedPerS), target: `≥ ${fmt(target)} (40 % of a)`, met: m.acceptedPerS >= target, ceiling: A ? fmt(A.tps) : '–', pct: pct(m.acceptedPerS, A?.tps), cpu: m.cpu });
    const codes = Object.entries(m.refusedByCodePerS).map(([k, v]) => `${k} ${fmt(v, 1)}`).join(', ');
    rows.push({ scenario: 'many', figure: 'refused/s by code', value: `${fmt(m.refusedPerS, 1)}${codes ? ` (${codes})` : ''}` });
    rows.push({ scenario: 'many', figure: 'latency p50/p95/p99 ms', value: ms3(m.p50, m.p95, m.p99), target: 'p99 < 100', met: m.p99 < 100 });
    rows.push({ scenario: 'many', figure: 'DB transactions per request (≈)', value: fmt(m.cpu.dbXacts / m.requestsInWindow, 2) });
    rows.push({ scenario: 'many', figure: 'bids by path: one statement / its guard failed / locked read (warm-up included)', value: `${fmt(m.paths.guarded)} / ${fmt(m.paths.guarded_missed)} / ${fmt(m.paths.locked_read)}` });
    rows.push({ scenario: 'many', figure: 'errors', value: `${m.errors}${m.errors ? ` ${JSON.stringify(m.errorsByKind)}` : ''}`, target: '0', met: m.errors === 0 });
  }
  const h = r.hot;
  if (h?.error) rows.push({ scenario: 'hot', figure: 'failed', value: h.error });
  else if (h) {
    rows.push({ scenario: 'hot', figure: 'decisions/s (accepted + refused)', value: fmt(h.decisionsPerS), target: '≥ 1,500', met: h.decisionsPerS >= 1500, ceiling: B ? fmt(B.tps) : '–', pct: pct(h.decisionsPerS, B?.tps), cpu: h.cpu });
    const codes = Object.entries(h.refusedByCodePerS).map(([k, v]) => `${k} ${fmt(v)}`).join(', ');
    rows.push({ scenario: 'hot', figure: 'accepted/s (refused/s by code)', value: `${fmt(h.acceptedPerS)}${codes ? ` (${codes})` : ''}` });
    rows.push({ scenario: 'hot', figure: 'latency p50/p99 ms', value: `${fmt(h.p50, 1)} / ${fmt(h.p99, 1)}`, target: 'p99 < 200', met: h.p99 < 200 });
    rows.push({ scenario: 'hot', figure: 'DB transactions per request (≈)', value: fmt(h.cpu.dbXacts / h.requestsInWindow, 2) });
    rows.push({ scenario: 'hot', figure: 'errors', value: `${h.errors}${h.errors ? ` ${JSON.stringify(h.errorsByKind)}` : ''}`, target: '0', met: h.errors === 0 });
  }
  const f = r.fanout;
  if (f?.error) rows.push({ scenario: 'fanout', figure: 'failed', value: f.error });
  for (const run of f?.runs ?? []) {
    const name = `fanout ${fmt(run.watchersTarget)} × ${run.rate}/s`;
    const p99Target = run.watchersTarget <= 1000 ? 50 : run.rate <= 5 ? 150 : null;
    rows.push({
      scenario: name,
      figure: 'delay p50/p99/max ms',
      value: `${fmt(run.delayP50)} / ${fmt(run.delayP99)} / ${fmt(run.delayMax)}`,
      target: p99Target ? `p99 < ${p99Target}` : '(printed only)',
      met: p99Target ? run.delayP99 < p99Target : undefined,
      cpu: run.cpu,
    });
    rows.push({
      scenario: name,
      figure: 'missed / out-of-order events',
      value: `${run.missed} / ${run.outOfOrder} (${run.bidsAccepted} bids accepted = ${fmt(run.acceptedPerS, 1)}/s, to ${run.watchers} ${r.config.watcherClient} watchers${Object.keys(run.refused).length ? `, refused ${JSON.stringify(run.refused)}` : ''}${run.bidErrors ? `, ${run.bidErrors} bid errors` : ''}${run.connected.failed ? `, ${run.connected.failed} not connected` : ''})`,
      target: p99Target ? '0' : '',
      met: p99Target ? run.missed === 0 && run.outOfOrder === 0 && run.connected.failed === 0 : undefined,
    });
    rows.push({ scenario: name, figure: 'API RSS MB before / after connecting / after', value: `${fmt(run.rssBefore)} / ${fmt(run.rssAfterConnect)} / ${fmt(run.rssAfterRun)}` });
    if (run.gc) rows.push({ scenario: name, figure: 'API GC in the phase: major pauses (ms) / all ms / pauses ≥ 100 ms', value: `${fmt(run.gc.majorCount)} (${fmt(run.gc.majorMs)}) / ${fmt(run.gc.allMs)} / ${fmt(run.gc.over100)}` });
  }
  const f2 = r.fanout2;
  if (f2?.error) rows.push({ scenario: 'fanout-2', figure: 'failed', value: f2.error });
  else if (f2) {
    const name = `fanout-2 ${fmt(f2.watchersTarget)} × ${f2.rate}/s`;
    const notConnected = f2.connected.A.failed + f2.connected.B.failed;
    rows.push({ scenario: name, figure: 'delay p50/p99/max ms, overall', value: `${fmt(f2.delayP50)} / ${fmt(f2.delayP99)} / ${fmt(f2.delayMax)}`, target: 'p99 < 150', met: f2.delayP99 < 150, cpu: f2.cpu });
    for (const [side, s] of Object.entries(f2.bySide)) {
      rows.push({ scenario: name, figure: `instance ${side}${side === 'A' ? ' (bids placed here)' : ' (through Redis)'}: p50/p99/max ms`, value: `${fmt(s.delayP50)} / ${fmt(s.delayP99)} / ${fmt(s.delayMax)} (${s.watchers} watchers)`, target: 'p99 < 150', met: s.delayP99 < 150 });
      rows.push({ scenario: name, figure: `instance ${side}: missed / out-of-order events`, value: `${s.missed} / ${s.outOfOrder}`, target: '0', met: s.missed === 0 && s.outOfOrder === 0 });
    }
    rows.push({
      scenario: name,
      figure: 'bids',
      value: `${f2.bidsAccepted} accepted = ${fmt(f2.acceptedPerS, 1)}/s on A${Object.keys(f2.refused).length ? `, refused ${JSON.stringify(f2.refused)}` : ''}${f2.bidErrors ? `, ${f2.bidErrors} bid errors` : ''}${notConnected ? `, ${notConnected} watchers not connected` : ''}; ${f2.processes} watcher processes (${r.config.watcherClient} client); redis cpu ${fmt(f2.redisCpu, 1)} s`,
    });
    rows.push({ scenario: name, figure: 'RSS MB A / B: before / after connecting / after', value: `A ${fmt(f2.rssBefore.A)} / ${fmt(f2.rssAfterConnect.A)} / ${fmt(f2.rssAfterRun.A)}; B ${fmt(f2.rssBefore.B)} / ${fmt(f2.rssAfterConnect.B)} / ${fmt(f2.rssAfterRun.B)}` });
  }
  const i = r.idle;
  if (i?.error) rows.push({ scenario: 'idle', figure: 'failed', value: i.error });
  else if (i) {
    rows.push({ scenario: `idle ${fmt(i.watchers)}`, figure: `fresh API process RSS MB (after ${fmt(i.settleS)} s → with ${r.config.watcherClient} watchers)`, value: `${fmt(i.rssIdleProcess)} → ${fmt(i.rssWithWatchers)} (+${fmt(i.growth)})`, target: '< 500, < +150', met: i.rssWithWatchers < 500 && i.growth < 150 });
  }
  return rows;
}

// ───────────────────────────── main ─────────────────────────────
async function main() {
  const date = new Date();
  const result = {
    date: date.toISOString(),
    quick: QUICK,
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, loadAvgAtStart: os.loadavg(), node: process.version, memoryMb: Math.round(os.totalmem() / 2 ** 20) },
    config: CFG,
  };
  log(`fapai benchmark ${date.toISOString()}${QUICK ? ' (BENCH_QUICK: durations ÷5)' : ''} — ${result.machine.cpus} CPUs, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; watchers: ${WATCHER_CLIENT} client`);
  if (!existsSync(path.join(DIST, 'main.js'))) throw new Error(`the API is not built (${DIST}/main.js): run npx nx run api:build`);

  const db = await prepareDatabase();
  result.database = { version: db.version, embedded: db.embedded, name: db.name };
  const mon = new pg.Client({ connectionString: db.url, application_name: 'fapai-bench-monitor' });
  mon.on('error', (error) => log(`monitor connection: ${error.message}`));
  await mon.connect();
  cleanup.add('monitor connection', () => mon.end());
  // PostgreSQL's CPU: the backends of the bench database plus the server's own processes (WAL writer, checkpointer…).
  const pgCpu = new CpuTracker(async () => (await mon.query(`SELECT pid FROM pg_stat_activity WHERE (datname = $1 OR backend_type <> 'client backend') AND pid <> pg_backend_pid()`, [db.name])).rows.map((r) => r.pid));
  await pgCpu.start();
  cleanup.add('cpu tracker', () => pgCpu.stop());

  // The ceiling.
  const pgbench = ONLY.has('ceiling') ? findPgbench() : null;
  if (!ONLY.has('ceiling')) result.ceilingSkipped = 'not run (BENCH_SCENARIOS)';
  else if (!pgbench) {
    result.ceilingSkipped = 'pgbench not found (/usr/bin/pgbench, /usr/lib/postgresql/*/bin/pgbench): ceiling skipped';
    log(result.ceilingSkipped);
  } else {
    const c = new pg.Client({ connectionString: db.url });
    c.on('error', () => undefined);
    await c.connect();
    try {
      await c.query(BENCH_TABLES);
    } finally {
      await c.end();
    }
    result.ceiling = {};
    try {
      log(`ceiling (a): pgbench 100 random lots × ${CFG.many.clients} clients, ${CFG.pgbenchSeconds} s`);
      result.ceiling.a = await runPgbench(pgbench, db, pgCpu, 'a', 'random(1, 100)', CFG.many.clients, CFG.pgbenchSeconds);
      log(`  ${fmt(result.ceiling.a.tps)} tps, p50 ${fmt(result.ceiling.a.p50, 1)} ms, p99 ${fmt(result.ceiling.a.p99, 1)} ms`);
      log(`ceiling (b): pgbench 1 lot × ${CFG.poolSize} clients, ${CFG.pgbenchSeconds} s`);
      result.ceiling.b = await runPgbench(pgbench, db, pgCpu, 'b', '1', CFG.poolSize, CFG.pgbenchSeconds);
      log(`  ${fmt(result.ceiling.b.tps)} tps, p50 ${fmt(result.ceiling.b.p50, 1)} ms, p99 ${fmt(result.ceiling.b.p99, 1)} ms`);
    } catch (error) {
      result.ceilingSkipped = `pgbench failed: ${error.message}`;
      log(result.ceilingSkipped);
    }
  }

  // The API and its data.
  log('starting the API (node apps/api/dist/apps/api/src/main.js)');
  // stripe-local as a process of its own, shared by every API instance of the run (webhooks → the main API).
  const stripe = await StripeLocalProcess.create(cleanup, 'http://127.0.0.1:9/unset');
  const api = await startApi(db, stripe, 'main', { migrations: true });
  await stripe.control('POST', 'webhook-endpoint', { url: `${api.url}/api/payments/stripe/webhook`, secret: stripe.secret });
  result.apiRssAtStart = rssMb(api.pid);
  log(`API pid ${api.pid} at ${api.url}, RSS ${fmt(result.apiRssAtStart)} MB`);
  const xacts = async () => Number((await mon.query('SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = $1', [db.name])).rows[0]?.n ?? NaN);
  const ctx = { api, pgCpu, xacts, apiPids: () => [api.pid], otherApis: [], watcherGroups: [], watcherPids: () => ctx.watcherGroups.filter((g) => g.alive).map((g) => g.pid) };
  const setupStarted = Date.now();
  const setup = await setUp(api);
  result.setupSeconds = (Date.now() - setupStarted) / 1000;
  result.apiRssAfterSetup = rssMb(api.pid);
  log(`set-up done in ${fmt(result.setupSeconds, 1)} s; API RSS ${fmt(result.apiRssAfterSetup)} MB`);

  /**
   * Between scenarios: what the last one left behind (dead rows, dirty pages, autovacuum) is cleaned up
   * now, and the next one starts only when the machine is quiet, so it is not measured against the
   * previous scenario's aftermath (the fan-out figures swung by ±50 % after many and hot without this).
   */
  result.settles = {};
  const settle = async (before) => {
    const started = Date.now();
    await mon.query('VACUUM (ANALYZE) bids, lots, enrolments, audit_log').catch((error) => log(`settle: vacuum failed: ${error.message}`));
    await mon.query('CHECKPOINT').catch(() => undefined);
    const cores = os.cpus().length;
    let busy = NaN;
    for (let quietSamples = 0; quietSamples < 2 && Date.now() - started < 30_000; ) {
      const b0 = machineBusySeconds();
      await sleep(1000);
      busy = (machineBusySeconds() - b0) / cores;
      quietSamples = busy < 0.15 ? quietSamples + 1 : 0;
    }
    result.settles[before] = { seconds: (Date.now() - started) / 1000, busyShare: busy };
    log(`settled before ${before} in ${fmt((Date.now() - started) / 1000, 1)} s (machine ${fmt(100 * busy)} % busy over the last second)`);
  };

  // Scenarios: a failure is reported in the table, the others still run.
  const scenario = async (name, fn) => {
    try {
      return await fn();
    } catch (error) {
      log(`${name} failed: ${error.stack ?? error}`);
      return { error: String(error.message ?? error).slice(0, 200) };
    }
  };
  // many too: the set-up's 612 enrolments with deposits leave dirty pages, tables not analysed since they
  // grew, and webhooks and jobs in flight, and many began in their aftermath until 2026-11-29.
  if (ONLY.has('many')) await settle('many');
  if (ONLY.has('many')) log(`many: ${CFG.many.lots} lots, ${CFG.many.lots * CFG.many.biddersPerLot} bidders, ${CFG.many.clients} clients, ${CFG.many.warmMs / 1000} s warm-up + ${CFG.many.measureMs / 1000} s`);
  if (ONLY.has('many')) result.many = await scenario('many', () => scenarioMany(ctx, setup));
  if (result.many && !result.many.error) log(`  accepted ${fmt(result.many.acceptedPerS)}/s, refused ${fmt(result.many.refusedPerS, 1)}/s, p50/p95/p99 ${ms3(result.many.p50, result.many.p95, result.many.p99)} ms, errors ${result.many.errors}`);
  if (ONLY.has('hot')) await settle('hot');
  if (ONLY.has('hot')) log(`hot: 1 lot, ${CFG.hot.bidders} bidders, ${CFG.hot.clients} clients, ${CFG.hot.warmMs / 1000} s warm-up + ${CFG.hot.measureMs / 1000} s`);
  if (ONLY.has('hot')) result.hot = await scenario('hot', () => scenarioHot(ctx, setup));
  if (result.hot && !result.hot.error) log(`  decisions ${fmt(result.hot.decisionsPerS)}/s, accepted ${fmt(result.hot.acceptedPerS)}/s, p50/p99 ${fmt(result.hot.p50, 1)} / ${fmt(result.hot.p99, 1)} ms, errors ${result.hot.errors}`);
  if (ONLY.has('fanout')) await settle('fanout');
  if (ONLY.has('fanout')) result.fanout = await scenario('fanout', () => scenarioFanout(ctx, setup));
  if (ONLY.has('fanout-2')) await settle('fanout-2');
  if (ONLY.has('fanout-2')) result.fanout2 = await scenario('fanout-2', () => scenarioFanout2(ctx, setup, db, stripe));
  if (ONLY.has('idle')) await settle('idle');
  if (ONLY.has('idle')) result.idle = await scenario('idle', () => scenarioIdle(ctx, setup, db, stripe));

  // The JSON log lines (LOG_LEVEL=error: errors only) of every API process of the run.
  const apiErrors = [api, ...ctx.otherApis]
    .flatMap((x) => x.stderr.split('\n').filter((l) => l.startsWith('{')).slice(-10).map((l) => `${x.name}: ${l}`))
    .join('\n');
  if (apiErrors) result.apiStderrTail = apiErrors.slice(-2000);
  result.apiCpuTotal = cpuSeconds([api.pid]);
  result.apiRssAtEnd = rssMb(api.pid);

  // The table.
  const rows = buildRows(result);
  result.table = rows;
  const text = table(rows);
  process.stdout.write(`\nfapai bench — ${result.date}${QUICK ? ' — BENCH_QUICK (durations ÷5, not for reporting)' : ''}\n`);
  process.stdout.write(`${result.machine.cpus} CPUs (${result.machine.cpuModel}), load at start ${result.machine.loadAvgAtStart.map((l) => l.toFixed(2)).join(' ')}; PostgreSQL ${db.version}${db.embedded ? ' (embedded)' : ''}; Node ${process.version}; API pool ${CFG.poolSize}; watchers: ${CFG.watcherClient} client (BENCH_WATCHER_CLIENT)\n\n`);
  process.stdout.write(`${text}\n\n`);
  process.stdout.write('CPU columns: seconds used during the measured window by the API process, the PostgreSQL backends of the bench database (+ server processes), and the load generator (this process + watcher children; pgbench for the ceiling rows).\n');
  if (result.apiStderrTail) process.stdout.write(`\nAPI stderr (tail):\n${result.apiStderrTail}\n`);

  const artifacts = path.join(ROOT, 'test/artifacts');
  mkdirSync(artifacts, { recursive: true });
  const file = path.join(artifacts, `bench-${result.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`\nwritten ${path.relative(ROOT, file)}\n`);
}

main()
  .then(async () => {
    await cleanup.run();
    process.exit(0);
  })
  .catch(async (error) => {
    process.stderr.write(`\nbench set-up failed: ${error?.stack ?? error}\n`);
    await cleanup.run();
    process.exit(1);
  });
