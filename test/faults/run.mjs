#!/usr/bin/env node
/**
 * `npm run test:faults` — fault tests of fapai (see test/faults/README.md).
 *
 * Starts a private PostgreSQL cluster, a private redis-server, the local Stripe-compatible server and two
 * API instances (A and B, same database and Redis), sets up a court, a clerk and verified bidders through
 * the HTTP API, then runs the scenarios one after the other:
 *   kill     SIGKILL of instance A in a bid storm (10 lots, 100 bidders, 1,000 watchers), restart
 *   pg       `pg_ctl restart -m fast` of the database in a bid storm
 *   stripe   Stripe 500s and timeouts; webhooks duplicated, delayed and reordered; the deposit ledger
 *   redis    redis-server stopped and restarted: bidding on each instance, cross-instance fan-out
 * Each prints what it did and what it found; a table sums up. Exit code 1 if any invariant broke.
 * FAULTS_SCENARIOS=kill,redis runs only some. Everything started is stopped at the end, also on failure.
 */
import pg from 'pg';
import { courtWithClerk, registerBidders } from '../support/http-actors.mjs';
import { ApiInstance, Cleanup, elapsed, log, PrivatePostgres, PrivateRedis, stopAllOnExit, StripeLocalProcess } from '../support/infra.mjs';
import { killScenario } from './scenarios/kill-instance.mjs';
import { pgRestartScenario } from './scenarios/pg-restart.mjs';
import { stripeScenario } from './scenarios/stripe-faults.mjs';
import { redisScenario } from './scenarios/redis-outage.mjs';

const SCENARIOS = [
  { key: 'kill', title: 'API instance SIGKILL mid-storm', run: killScenario },
  { key: 'pg', title: 'PostgreSQL restart mid-storm', run: pgRestartScenario },
  { key: 'stripe', title: 'Stripe 500s/timeouts, webhooks dup/delay/reorder', run: stripeScenario },
  { key: 'redis', title: 'Redis stopped and restarted, then hung', run: redisScenario },
];
const only = new Set((process.env.FAULTS_SCENARIOS ?? SCENARIOS.map((s) => s.key).join(',')).split(',').map((s) => s.trim()));

const cleanup = new Cleanup();
stopAllOnExit(cleanup);
// A run that hangs (a process that never answers) must not hold CI: stop everything and fail after 12 min.
const WATCHDOG_MS = Number(process.env.FAULTS_TIMEOUT_MS ?? 12 * 60_000);
setTimeout(() => {
  log(`TIMEOUT: the run took more than ${WATCHDOG_MS / 60_000} min; stopping everything it started`);
  void cleanup.run().finally(() => process.exit(1));
}, WATCHDOG_MS).unref();

async function setUp() {
  log('starting a private PostgreSQL 15 cluster, redis-server and stripe-local');
  const postgres = await PrivatePostgres.create(cleanup);
  const redis = await PrivateRedis.create(cleanup);
  const databaseUrl = await postgres.createDatabase('fapai_faults_test');
  log(`  postgres 127.0.0.1:${postgres.port} (data ${postgres.data}), redis 127.0.0.1:${redis.port}`);
  // Webhooks go to instance B (A is the one killed); the endpoint is set once B listens.
  const stripe = await StripeLocalProcess.create(cleanup, 'http://127.0.0.1:9/unset');
  log(`  stripe-local ${stripe.url}`);
  const db = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  db.on('error', () => undefined);
  cleanup.add('db client', () => db.end());

  log('starting API instance A (runs the migrations), then B');
  // Rate limits on, counted in the shared Redis as in production, but high enough that the storms never meet
  // them: a Redis fault must not stall the counting (and with it every login and bid).
  const env = { RATE_LIMITS: 'true', RATE_LIMIT_LOGIN_PER_MINUTE: '100000', RATE_LIMIT_REGISTER_PER_MINUTE: '100000', RATE_LIMIT_BIDS_PER_SECOND: '1000' };
  const a = await ApiInstance.create(cleanup, 'A', { databaseUrl, redisUrl: redis.url, stripe, migrations: true, env });
  const b = await ApiInstance.create(cleanup, 'B', { databaseUrl, redisUrl: redis.url, stripe, env });
  await stripe.control('POST', 'webhook-endpoint', { url: `${b.url}/api/payments/stripe/webhook`, secret: stripe.secret });
  log(`  A ${a.url}, B ${b.url}; stripe webhooks → B`);

  const org = await courtWithClerk(a.url, 'faults');
  const started = Date.now();
  const bidders = await registerBidders(a.url, 100, { concurrency: 8 });
  log(`  operator, court, clerk, case; 100 verified bidders (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return { postgres, redis, stripe, db, a, b, ...org, bidders, cleanup };
}

const results = [];
let exitCode = 0;
try {
  const ctx = await setUp();
  for (const s of SCENARIOS) {
    if (!only.has(s.key)) continue;
    log('');
    log(`━━ scenario ${s.key}: ${s.title}`);
    const began = Date.now();
    let checks;
    let error = null;
    try {
      checks = await s.run(ctx);
    } catch (e) {
      error = e;
      log(`  ERROR ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
    const seconds = (Date.now() - began) / 1000;
    const failed = error ? [{ name: `scenario error: ${error.message}` }] : checks.failed;
    results.push({ key: s.key, title: s.title, seconds, passed: checks ? checks.items.filter((i) => i.ok).length : 0, failed, findings: checks?.findings ?? [] });
    if (failed.length) exitCode = 1;
    // Both instances up and healthy for the next scenario (a scenario may have left one down).
    for (const api of [ctx.a, ctx.b]) {
      for (const exit of api.unexpectedExits.splice(0)) {
        const why = `instance ${api.name} exited on its own at ${exit.at} (${exit.code ?? exit.signal})`;
        log(`  ${why}; its last output:\n${exit.output.split('\n').slice(-60).join('\n')}`);
        if (!failed.some((f) => f.name.startsWith('instance'))) failed.push({ name: why });
        exitCode = 1;
      }
      if (!api.alive) await api.start();
    }
  }
} catch (error) {
  log(`SET-UP FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  exitCode = 1;
} finally {
  log('');
  log('stopping everything this run started');
  await cleanup.run();
}

// ───────────────────────────── summary ─────────────────────────────
const line = (cols, widths) => cols.map((c, i) => String(c).padEnd(widths[i])).join(' │ ');
const widths = [8, 48, 7, 10, 9, 8];
process.stdout.write(`\nFault tests — summary (total ${elapsed().trim()} s)\n`);
process.stdout.write(`${line(['scenario', 'fault', 'time s', 'invariants', 'findings', 'result'], widths)}\n`);
process.stdout.write(`${widths.map((w) => '─'.repeat(w)).join('─┼─')}\n`);
for (const r of results) {
  process.stdout.write(`${line([r.key, r.title, r.seconds.toFixed(0), `${r.passed}/${r.passed + r.failed.length}`, r.findings.length, r.failed.length ? 'FAIL' : 'pass'], widths)}\n`);
}
for (const r of results) {
  for (const f of r.failed) process.stdout.write(`  ${r.key}: FAIL ${f.name}${f.detail ? ` — ${f.detail}` : ''}\n`);
  for (const f of r.findings) process.stdout.write(`  ${r.key}: FINDING ${f}\n`);
}
if (results.length === 0) process.stdout.write('  (no scenario ran)\n');
process.exit(exitCode);
