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
 * 4. Scenarios many, hot, fanout (1,000 × 20/s, 5,000 × 5/s and 20/s) and idle (5,000 watchers).
 * 5. A table of figures beside targets and ceiling with the CPU seconds of API / PostgreSQL / load
 *    generator, also written to test/artifacts/bench-<date>.json.
 *
 * No assertions: it prints figures and exits 0 unless the setup failed. BENCH_QUICK=1 shortens every
 * duration about 5×, for development.
 */
import { fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { Pool } from 'undici';
import { residentIdCheckDigit } from '@fapai/domain';
import { call, cpuSeconds, CpuTracker, fmt, freePort, machineBusySeconds, mapLimit, MsHistogram, percentile, procTicks, rssMb, sleep, ticksToSeconds } from './lib.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DIST = path.join(ROOT, 'apps/api/dist/apps/api/src');
const QUICK = process.env.BENCH_QUICK === '1';
const scale = (ms) => (QUICK ? Math.round(ms / 5) : ms);
/** BENCH_SCENARIOS=many,hot runs only those (default: all). */
const ONLY = new Set((process.env.BENCH_SCENARIOS ?? 'ceiling,many,hot,fanout').split(',').map((s) => s.trim()));

const CFG = {
  pgbenchSeconds: QUICK ? 4 : 20,
  poolSize: 20,
  many: { lots: 100, biddersPerLot: 4, clients: 50, warmMs: scale(2000), measureMs: scale(20_000) },
  hot: { bidders: 200, clients: 200, warmMs: scale(2000), measureMs: scale(20_000) },
  fanoutMs: scale(15_000),
  fanout: [
    { watchers: 1000, rates: [20] },
    { watchers: 5000, rates: [5, 20], idle: true },
  ],
  watcherProcesses: 2,
  enrolConcurrency: 8,
};

const FANOUT_ACCOUNTS = 4; // the fanout bidder's accounts, used in turn (a leader may not outbid itself)
const ADMIN = { email: 'admin@bench.fapai.local', password: `bench-admin-${randomBytes(6).toString('hex')}` };
const t0 = Date.now();
const log = (line) => process.stdout.write(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);

function withDatabase(url, database) {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

// ───────────────────────────── cleanup ─────────────────────────────
const cleanups = [];
let cleaning = false;
async function cleanup() {
  if (cleaning) return;
  cleaning = true;
  for (const fn of cleanups.reverse()) {
    try {
      await fn();
    } catch (error) {
      process.stderr.write(`cleanup: ${String(error)}\n`);
    }
  }
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    process.stderr.write(`\n${signal}: cleaning up…\n`);
    cleanup().finally(() => process.exit(130));
  });
}

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
    cleanups.push(async () => {
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
  cleanups.push(async () => {
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

// ───────────────────────────── the API process ─────────────────────────────
async function startApi(db) {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fapai-bench-data-'));
  const env = { ...process.env };
  for (const key of ['NODE_ENV', 'BENCH_DATABASE_URL', 'REDIS_URL', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'MIGRATIONS_RUN']) delete env[key];
  Object.assign(env, {
    RULES_PROFILE: 'sandbox',
    PORT: String(port),
    DATABASE_URL: db.url,
    SEED_DEMO: 'false',
    LOG_LEVEL: 'error',
    DATA_DIR: dataDir,
    JWT_SECRET: randomBytes(32).toString('hex'),
    IDENTITY_HASH_KEY: randomBytes(32).toString('hex'),
    JWT_TTL_SECONDS: '7200', // the run outlives the default 15-minute token
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    BACKGROUND_JOBS: 'true',
    DB_POOL_SIZE: String(CFG.poolSize),
    // Set-up registers and logs in 400 bidders from one address: lift the per-address limits on those; the
    // per-user bid limit stays at its default (no bench client bids faster than it allows).
    RATE_LIMIT_REGISTER_PER_MINUTE: '1000000',
    RATE_LIMIT_LOGIN_PER_MINUTE: '1000000',
  });
  // BENCH_API_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof": flags for the API's node (profiling).
  const nodeArgs = (process.env.BENCH_API_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, path.join(DIST, 'main.js')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stdout.on('data', () => undefined);
  child.stderr.on('data', (b) => (stderr = (stderr + b).slice(-8000)));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  });
  const url = `http://127.0.0.1:${port}`;
  const probe = new Pool(url, { connections: 1 });
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the API exited (${child.exitCode}) during start-up:\n${stderr}`);
    try {
      const res = await call(probe, 'GET', '/api/health');
      if (res.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`the API did not become healthy in 120 s:\n${stderr}`);
    await sleep(200);
  }
  await probe.close();
  return { child, pid: child.pid, url, stderr: () => stderr };
}

// ───────────────────────────── set-up through the API ─────────────────────────────
function must(res, status, what) {
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function login(http, email, password) {
  const body = must(await call(http, 'POST', '/api/auth/login', { email, password }), 200, `login ${email}`);
  return { id: body.user.id, email, token: body.accessToken };
}

/** A valid 18-digit resident ID (GB 11643), distinct per index within the run. */
function residentId(i) {
  const year = 1960 + (i % 40);
  const month = 1 + (Math.floor(i / 40) % 12);
  const day = 1 + (Math.floor(i / 480) % 28);
  const seq = String(100 + Math.floor(Math.random() * 900));
  const first17 = `110105${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}${seq}`;
  return first17 + residentIdCheckDigit(first17);
}

const DISCLOSURES = {
  announcementText: '拍卖公告：本院将公开拍卖下列财产。',
  enforcementTitle: '(2025)京0105民初1号民事判决书',
  valuationBasis: '参考价由网络询价确定。',
  biddingRules: '加价幅度与延时规则见公告。',
  titleAndEncumbrances: '产权清晰，无人居住。',
  priorityHolders: '无',
  notificationStatement: '已依法通知当事人。',
  paymentInstructions: '在线缴纳保证金。',
  taxesAndFees: '各自承担。',
  courtContact: '测试法院执行局 010-1234567',
  specialWarnings: '悔拍保证金不予退还。',
};

/** As test/support/actors.ts `validLotBody`, with a long bidding window so lots stay live for the whole run. */
function lotBody(caseId, i) {
  const now = Date.now();
  const startsAt = now + 4000;
  const ref = 1_000_000;
  return {
    caseId,
    propertyType: 'movable',
    title: `压测拍品 ${i}`,
    description: 'benchmark lot',
    province: '北京市',
    city: '北京市',
    address: '朝阳区测试路1号',
    referencePrice: ref,
    referencePriceBasis: '市场价',
    startingPrice: Math.ceil(ref * 0.7),
    increment: 1000,
    deposit: Math.ceil(ref * 0.07),
    startsAt: new Date(startsAt).toISOString(),
    endsAt: new Date(startsAt + 3 * 3600_000).toISOString(),
    notices: [
      { party: '申请执行人甲', role: 'party', kind: 'notified', at: new Date(now - 40 * 86400_000).toISOString() },
      { party: '被执行人乙', role: 'party', kind: 'notified', at: new Date(now - 40 * 86400_000).toISOString() },
    ],
    disclosures: DISCLOSURES,
  };
}

function progress(label, total, startedAt) {
  const every = Math.max(1, Math.round(total / 8));
  return (done) => {
    if (done % every === 0 || done === total) log(`  ${label} ${done}/${total} (${((Date.now() - startedAt) / 1000).toFixed(1)} s)`);
  };
}

async function setUp(api) {
  const http = new Pool(api.url, { connections: 16 });
  const admin = await login(http, ADMIN.email, ADMIN.password);
  const courtId = must(await call(http, 'POST', '/api/admin/courts', { name: `压测法院-${randomBytes(3).toString('hex')}`, province: '北京市', city: '北京市' }, admin.token), 201, 'court').id;
  const clerkEmail = `clerk-${randomBytes(4).toString('hex')}@bench.fapai.local`;
  must(await call(http, 'POST', '/api/admin/users', { email: clerkEmail, password: 'staff-password-1', role: 'court_clerk', displayName: 'clerk', courtId }, admin.token), 201, 'clerk');
  const clerk = await login(http, clerkEmail, 'staff-password-1');
  const caseId = must(
    await call(
      http,
      'POST',
      '/api/cases',
      {
        caseNumber: `(2026)京0105执${Math.floor(Math.random() * 1e6)}号`,
        title: '压测执行案',
        enforcementBasis: '(2025)京0105民初1号民事判决书',
        parties: [
          { role: 'applicant', name: '申请执行人甲' },
          { role: 'respondent', name: '被执行人乙' },
        ],
      },
      clerk.token,
    ),
    201,
    'case',
  ).id;

  // Lots: 100 for many, 1 for hot, one per fanout size.
  const lotCount = CFG.many.lots + 1 + CFG.fanout.length;
  let started = Date.now();
  log(`creating and publishing ${lotCount} lots`);
  const lotIds = await mapLimit(
    Array.from({ length: lotCount }, (_, i) => i),
    CFG.enrolConcurrency,
    async (i) => {
      const id = must(await call(http, 'POST', '/api/lots', lotBody(caseId, i), clerk.token), 201, 'lot').id;
      must(await call(http, 'POST', `/api/lots/${id}/publish`, undefined, clerk.token), 201, 'publish');
      return id;
    },
    progress('lots', lotCount, started),
  );

  // Bidders: registered, logged in, identity verified. The hot lot's 200 and the fanout bidders reuse them.
  const bidderCount = Math.max(CFG.many.lots * CFG.many.biddersPerLot, CFG.hot.bidders);
  started = Date.now();
  log(`registering ${bidderCount} verified bidders (${CFG.enrolConcurrency} at a time)`);
  const runTag = randomBytes(3).toString('hex');
  const bidders = await mapLimit(
    Array.from({ length: bidderCount }, (_, i) => i),
    CFG.enrolConcurrency,
    async (i) => {
      const email = `bidder-${runTag}-${i}@bench.fapai.local`;
      must(await call(http, 'POST', '/api/auth/register', { email, password: 'bidder-password-1', displayName: `Bidder ${i}` }), 201, 'register');
      const actor = await login(http, email, 'bidder-password-1');
      must(await call(http, 'POST', '/api/me/identity', { realName: '张三', idNumber: residentId(i), phone: '13800138000' }, actor.token), 200, 'identity');
      return actor;
    },
    progress('bidders', bidderCount, started),
  );

  // Enrolments with pm_card_visa (the deposit is confirmed at once by the local Stripe).
  const manyLots = lotIds.slice(0, CFG.many.lots);
  const hotLot = lotIds[CFG.many.lots];
  const fanoutLots = lotIds.slice(CFG.many.lots + 1);
  const jobs = [];
  manyLots.forEach((lotId, l) => {
    for (let k = 0; k < CFG.many.biddersPerLot; k++) jobs.push({ lotId, bidder: l * CFG.many.biddersPerLot + k });
  });
  for (let b = 0; b < CFG.hot.bidders; b++) jobs.push({ lotId: hotLot, bidder: b });
  for (const lotId of fanoutLots) for (let b = 0; b < FANOUT_ACCOUNTS; b++) jobs.push({ lotId, bidder: b });
  started = Date.now();
  log(`enrolling: ${jobs.length} enrolments with deposits (${CFG.enrolConcurrency} at a time)`);
  await mapLimit(
    jobs,
    CFG.enrolConcurrency,
    async ({ lotId, bidder }) => {
      const token = bidders[bidder].token;
      const body = must(await call(http, 'POST', `/api/lots/${lotId}/enrolments`, { paymentMethod: 'pm_card_visa' }, token), 201, 'enrol');
      if (body.status !== 'active') {
        for (let i = 0; ; i++) {
          const me = must(await call(http, 'GET', `/api/lots/${lotId}/enrolments/me`, undefined, token), 200, 'enrolment');
          if (me.status === 'active' && me.bidderCode) break;
          if (i > 100) throw new Error(`enrolment of bidder ${bidder} in ${lotId} stayed ${me.status}`);
          await sleep(100);
        }
      }
    },
    progress('enrolments', jobs.length, started),
  );

  log('waiting until every lot is live');
  for (const id of lotIds) {
    for (let i = 0; ; i++) {
      const lot = must(await call(http, 'GET', `/api/lots/${id}`), 200, 'lot view');
      if (lot.status === 'live') break;
      if (i > 300) throw new Error(`lot ${id} is ${lot.status}, not live`);
      await sleep(100);
    }
  }
  const lotInfo = must(await call(http, 'GET', `/api/lots/${hotLot}`), 200, 'lot view');
  await http.close();
  return { bidders, manyLots, hotLot, fanoutLots, startingPrice: lotInfo.startingPrice, increment: lotInfo.increment };
}

// ───────────────────────────── measuring ─────────────────────────────
/** CPU marks of the API, PostgreSQL and the load generator (this process and its watcher children). */
async function cpuMark(ctx) {
  return { api: cpuSeconds([ctx.api.pid]), pg: await ctx.pgCpu.mark(), gen: cpuSeconds([process.pid, ...ctx.watcherPids()]), machine: machineBusySeconds(), xacts: await ctx.xacts(), at: performance.now() };
}
async function cpuSince(ctx, mark) {
  const api = cpuSeconds([ctx.api.pid]) - mark.api;
  const pg = await ctx.pgCpu.since(mark.pg);
  const gen = cpuSeconds([process.pid, ...ctx.watcherPids()]) - mark.gen;
  const machine = machineBusySeconds() - mark.machine;
  return { api, pg, gen, other: Math.max(0, machine - api - pg - gen), machine, wallS: (performance.now() - mark.at) / 1000, dbXacts: (await ctx.xacts()) - mark.xacts };
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
      let res = null;
      let failure = null;
      try {
        res = await call(pool, 'POST', `/api/lots/${bid.lotId}/bids`, { amount: bid.amount }, bid.token);
      } catch (error) {
        failure = error;
      }
      const e = performance.now();
      bid.done(res);
      if (e < mStart || e > mEnd) continue; // counted by completion time
      latencies.push(e - s);
      if (failure) errors[failure.code ?? 'network'] = (errors[failure.code ?? 'network'] ?? 0) + 1;
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

async function scenarioMany(ctx, setup) {
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
  return result;
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
function startWatcherProcesses(n) {
  const procs = [];
  for (let i = 0; i < n; i++) {
    const child = fork(path.join(import.meta.dirname, 'watchers.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    procs.push(child);
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
    });
  }
  return procs;
}

function rpc(child, msg, replyType, timeoutMs = 600_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error(`watcher process: no ${replyType} in ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (m) => {
      if (m.type !== replyType) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(m);
    };
    child.on('message', onMessage);
    child.send(msg);
  });
}

async function connectWatchers(ctx, procs, lotId, total) {
  const started = Date.now();
  const per = procs.map((_, i) => Math.floor(total / procs.length) + (i < total % procs.length ? 1 : 0));
  const replies = await Promise.all(procs.map((p, i) => rpc(p, { type: 'connect', url: ctx.api.url, lotId, count: per[i], concurrency: 50 }, 'connected')));
  const ok = replies.reduce((a, r) => a + r.ok, 0);
  const failed = replies.reduce((a, r) => a + r.failed, 0);
  const errors = {};
  for (const r of replies) for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + v;
  log(`  ${ok} watchers connected in ${((Date.now() - started) / 1000).toFixed(1)} s${failed ? `, ${failed} failed: ${JSON.stringify(errors)}` : ''}`);
  return { ok, failed, errors, seconds: (Date.now() - started) / 1000 };
}

/**
 * One bidder places bids at `rate` per second for `ms`, open loop (a bid leaves on time even if the previous
 * one is still unanswered). Four accounts take turns, because a leader may not outbid itself: bid k is placed
 * by account k mod 4 at price₀ + (k + 1) increments, so in order every bid is valid; a bid that overtakes its
 * predecessor (possible once answers take longer than 1/R) makes that one too low (counted under refused).
 */
async function fanoutPhase(ctx, procs, setup, lot, rate, ms) {
  const from = lot.seq + 1;
  await Promise.all(procs.map((p) => rpc(p, { type: 'phase', from }, 'phase-ok')));
  const pool = new Pool(ctx.api.url, { connections: 8, pipelining: 1 });
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
      call(pool, 'POST', `/api/lots/${lot.id}/bids`, { amount }, setup.bidders[who].token)
        .then((res) => {
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
        })
        .catch(() => errors++),
    );
  }
  await Promise.all(pending);
  const biddingS = (performance.now() - start) / 1000;
  // Drain: wait until every watcher has the last seq (or 15 s).
  const to = seqs.length ? Math.max(...seqs) : from - 1;
  const drainStart = Date.now();
  while (Date.now() - drainStart < 15_000) {
    const p = await Promise.all(procs.map((c) => rpc(c, { type: 'progress' }, 'progress')));
    if (p.every((r) => r.minLast >= to)) break;
    await sleep(100);
  }
  const drainS = (Date.now() - drainStart) / 1000;
  const cpu = await cpuSince(ctx, mark);
  const reports = await Promise.all(procs.map((c) => rpc(c, { type: 'report', from, to }, 'report')));
  await pool.close();
  const hist = new MsHistogram();
  for (const r of reports) hist.merge(r.hist);
  const sum = (k) => reports.reduce((a, r) => a + r[k], 0);
  bidLatencies.sort((a, b) => a - b);
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
    watchers: sum('sockets'),
    eventsExpected: seqs.length * sum('sockets'),
    eventsReceived: sum('received'),
    missed: sum('missed'),
    socketsMissing: sum('socketsMissing'),
    outOfOrder: sum('outOfOrder'),
    duplicates: sum('duplicates'),
    disconnects: sum('disconnects'),
    delayP50: hist.percentile(50),
    delayP99: hist.percentile(99),
    delayMax: hist.n ? hist.maxSeen : NaN,
    drainS,
    cpu,
  };
}

async function scenarioFanout(ctx, setup) {
  const procs = startWatcherProcesses(CFG.watcherProcesses);
  await Promise.all(procs.map((p) => new Promise((r) => p.once('message', r))));
  ctx.watcherPids = () => procs.filter((p) => p.exitCode === null).map((p) => p.pid);
  const out = { runs: [], idle: null };
  for (const [i, f] of CFG.fanout.entries()) {
    const lot = { id: setup.fanoutLots[i], price: setup.startingPrice - setup.increment, leader: -1, seq: 0 };
    await sleep(1000);
    const rssBefore = rssMb(ctx.api.pid);
    log(`fanout: connecting ${f.watchers} watchers (API RSS ${fmt(rssBefore)} MB)`);
    const connected = await connectWatchers(ctx, procs, lot.id, f.watchers);
    await sleep(scale(5000));
    const rssAfter = rssMb(ctx.api.pid);
    if (f.idle) {
      out.idle = { watchers: connected.ok, rssIdleProcess: rssBefore, rssWithWatchers: rssAfter, growth: rssAfter - rssBefore };
      log(`idle: API RSS ${fmt(rssAfter)} MB with ${connected.ok} idle watchers (${fmt(rssBefore)} MB before, +${fmt(rssAfter - rssBefore)} MB)`);
    }
    for (const rate of f.rates) {
      log(`fanout: ${f.watchers} watchers × ${rate} bids/s for ${CFG.fanoutMs / 1000} s`);
      const r = await fanoutPhase(ctx, procs, setup, lot, rate, CFG.fanoutMs);
      const run = { watchersTarget: f.watchers, connected, rssBefore, rssAfterConnect: rssAfter, rssAfterRun: rssMb(ctx.api.pid), ...r };
      log(
        `  delay p50 ${fmt(r.delayP50)} ms, p99 ${fmt(r.delayP99)} ms, max ${fmt(r.delayMax)} ms; ${r.bidsAccepted} bids, missed ${r.missed}, out of order ${r.outOfOrder}, late ticks ${r.lateTicks}, refused ${JSON.stringify(r.refused)}; CPU API ${fmt(r.cpu.api, 1)} s, PG ${fmt(r.cpu.pg, 1)} s, gen ${fmt(r.cpu.gen, 1)} s`,
      );
      out.runs.push(run);
      await sleep(1000);
    }
    await Promise.all(procs.map((p) => rpc(p, { type: 'disconnect' }, 'disconnected')));
  }
  for (const p of procs) p.send({ type: 'exit' });
  await Promise.all(procs.map((p) => (p.exitCode === null ? new Promise((r) => p.once('exit', r)) : null)));
  ctx.watcherPids = () => [];
  return out;
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
      value: `${run.missed} / ${run.outOfOrder} (${run.bidsAccepted} bids accepted = ${fmt(run.acceptedPerS, 1)}/s, to ${run.watchers} watchers${Object.keys(run.refused).length ? `, refused ${JSON.stringify(run.refused)}` : ''}${run.bidErrors ? `, ${run.bidErrors} bid errors` : ''}${run.connected.failed ? `, ${run.connected.failed} not connected` : ''})`,
      target: p99Target ? '0' : '',
      met: p99Target ? run.missed === 0 && run.outOfOrder === 0 && run.connected.failed === 0 : undefined,
    });
    rows.push({ scenario: name, figure: 'API RSS MB before / after connecting / after', value: `${fmt(run.rssBefore)} / ${fmt(run.rssAfterConnect)} / ${fmt(run.rssAfterRun)}` });
  }
  if (f?.idle) {
    const i = f.idle;
    rows.push({ scenario: `idle ${fmt(i.watchers)}`, figure: 'API RSS MB (idle process → with watchers)', value: `${fmt(i.rssIdleProcess)} → ${fmt(i.rssWithWatchers)} (+${fmt(i.growth)})`, target: '< 500, < +150', met: i.rssWithWatchers < 500 && i.growth < 150 });
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
  log(`fapai benchmark ${date.toISOString()}${QUICK ? ' (BENCH_QUICK: durations ÷5)' : ''} — ${result.machine.cpus} CPUs, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  if (!existsSync(path.join(DIST, 'main.js'))) throw new Error(`the API is not built (${DIST}/main.js): run npx nx run api:build`);

  const db = await prepareDatabase();
  result.database = { version: db.version, embedded: db.embedded, name: db.name };
  const mon = new pg.Client({ connectionString: db.url, application_name: 'fapai-bench-monitor' });
  mon.on('error', (error) => log(`monitor connection: ${error.message}`));
  await mon.connect();
  cleanups.push(() => mon.end());
  // PostgreSQL's CPU: the backends of the bench database plus the server's own processes (WAL writer, checkpointer…).
  const pgCpu = new CpuTracker(async () => (await mon.query(`SELECT pid FROM pg_stat_activity WHERE (datname = $1 OR backend_type <> 'client backend') AND pid <> pg_backend_pid()`, [db.name])).rows.map((r) => r.pid));
  await pgCpu.start();
  cleanups.push(() => pgCpu.stop());

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
  const api = await startApi(db);
  result.apiRssAtStart = rssMb(api.pid);
  log(`API pid ${api.pid} at ${api.url}, RSS ${fmt(result.apiRssAtStart)} MB`);
  const xacts = async () => Number((await mon.query('SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = $1', [db.name])).rows[0]?.n ?? NaN);
  const ctx = { api, pgCpu, xacts, watcherPids: () => [] };
  const setupStarted = Date.now();
  const setup = await setUp(api);
  result.setupSeconds = (Date.now() - setupStarted) / 1000;
  result.apiRssAfterSetup = rssMb(api.pid);
  log(`set-up done in ${fmt(result.setupSeconds, 1)} s; API RSS ${fmt(result.apiRssAfterSetup)} MB`);

  // Scenarios: a failure is reported in the table, the others still run.
  const scenario = async (name, fn) => {
    try {
      return await fn();
    } catch (error) {
      log(`${name} failed: ${error.stack ?? error}`);
      return { error: String(error.message ?? error).slice(0, 200) };
    }
  };
  if (ONLY.has('many')) log(`many: ${CFG.many.lots} lots, ${CFG.many.lots * CFG.many.biddersPerLot} bidders, ${CFG.many.clients} clients, ${CFG.many.warmMs / 1000} s warm-up + ${CFG.many.measureMs / 1000} s`);
  if (ONLY.has('many')) result.many = await scenario('many', () => scenarioMany(ctx, setup));
  if (result.many && !result.many.error) log(`  accepted ${fmt(result.many.acceptedPerS)}/s, refused ${fmt(result.many.refusedPerS, 1)}/s, p50/p95/p99 ${ms3(result.many.p50, result.many.p95, result.many.p99)} ms, errors ${result.many.errors}`);
  await sleep(1000);
  if (ONLY.has('hot')) log(`hot: 1 lot, ${CFG.hot.bidders} bidders, ${CFG.hot.clients} clients, ${CFG.hot.warmMs / 1000} s warm-up + ${CFG.hot.measureMs / 1000} s`);
  if (ONLY.has('hot')) result.hot = await scenario('hot', () => scenarioHot(ctx, setup));
  if (result.hot && !result.hot.error) log(`  decisions ${fmt(result.hot.decisionsPerS)}/s, accepted ${fmt(result.hot.acceptedPerS)}/s, p50/p99 ${fmt(result.hot.p50, 1)} / ${fmt(result.hot.p99, 1)} ms, errors ${result.hot.errors}`);
  await sleep(1000);
  if (ONLY.has('fanout')) result.fanout = await scenario('fanout', () => scenarioFanout(ctx, setup));
  result.fanoutScaleOut = 'fanout-2 (two instances + Redis adapter) is not part of this run';

  const apiErrors = api.stderr().trim();
  if (apiErrors) result.apiStderrTail = apiErrors.slice(-2000);
  result.apiCpuTotal = cpuSeconds([api.pid]);
  result.apiRssAtEnd = rssMb(api.pid);

  // The table.
  const rows = buildRows(result);
  result.table = rows;
  const text = table(rows);
  process.stdout.write(`\nfapai bench — ${result.date}${QUICK ? ' — BENCH_QUICK (durations ÷5, not for reporting)' : ''}\n`);
  process.stdout.write(`${result.machine.cpus} CPUs (${result.machine.cpuModel}), load at start ${result.machine.loadAvgAtStart.map((l) => l.toFixed(2)).join(' ')}; PostgreSQL ${db.version}${db.embedded ? ' (embedded)' : ''}; Node ${process.version}; API pool ${CFG.poolSize}\n\n`);
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
    await cleanup();
    process.exit(0);
  })
  .catch(async (error) => {
    process.stderr.write(`\nbench set-up failed: ${error?.stack ?? error}\n`);
    await cleanup();
    process.exit(1);
  });
