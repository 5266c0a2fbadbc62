/**
 * The private infrastructure of a fault run: a throwaway PostgreSQL 15 cluster (initdb/pg_ctl as the
 * `postgres` OS user, its own port and socket folder), a redis-server on its own port without persistence,
 * the local Stripe-compatible server as a separate process (driven over /_control), and API instances as
 * child processes (`node apps/api/dist/apps/api/src/main.js`).
 *
 * Nothing here touches the machine's shared PostgreSQL (5432) or Redis (6379): every process is one we
 * started, stopped by its own pid. `Cleanup` runs the stops in reverse order, also on failure or a signal.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export const ROOT = path.resolve(import.meta.dirname, '../../..');
export const API_MAIN = path.join(ROOT, 'apps/api/dist/apps/api/src/main.js');
export const STRIPE_CLI = path.join(ROOT, 'libs/stripe-local/dist/cli.js');
const PG_BIN = process.env.FAULTS_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const t0 = Date.now();
export const elapsed = () => ((Date.now() - t0) / 1000).toFixed(1).padStart(6);
export const log = (line) => process.stdout.write(`[${elapsed()} s] ${line}\n`);

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Stops run in reverse order of registration; each failure is printed and the rest still run. */
export class Cleanup {
  constructor() {
    this.steps = [];
    this.done = false;
  }
  add(name, fn) {
    this.steps.push({ name, fn });
  }
  async run() {
    if (this.done) return;
    this.done = true;
    for (const { name, fn } of this.steps.reverse()) {
      try {
        await fn();
      } catch (error) {
        process.stderr.write(`cleanup ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
  }
}

function waitExit(child, timeoutMs) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** SIGTERM, then SIGKILL after `graceMs`: only the child we started, by its pid. */
export async function stopChild(child, graceMs = 5000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  if (!(await waitExit(child, graceMs))) {
    child.kill('SIGKILL');
    await waitExit(child, 5000);
  }
}

// ───────────────────────────── PostgreSQL (private cluster) ─────────────────────────────

function asPostgres(bin, args, options = {}) {
  return execFileSync('runuser', ['-u', 'postgres', '--', path.join(PG_BIN, bin), ...args], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000, ...options }).toString();
}

export class PrivatePostgres {
  constructor(dir, port) {
    this.dir = dir;
    this.port = port;
    this.data = path.join(dir, 'data');
    this.logFile = path.join(dir, 'postgres.log');
  }

  static async create(cleanup) {
    const port = await freePort();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fapai-faults-pg-'));
    const pgUser = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const pgGroup = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, pgUser, pgGroup);
    const server = new PrivatePostgres(dir, port);
    cleanup.add('postgres', async () => {
      server.stop('immediate');
      rmSync(dir, { recursive: true, force: true });
    });
    asPostgres('initdb', ['-D', server.data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
    server.start();
    return server;
  }

  get options() {
    // fsync off: only an OS crash could lose data, and this cluster is thrown away. Everything else default.
    return `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off -c full_page_writes=off`;
  }

  start() {
    asPostgres('pg_ctl', ['-D', this.data, '-o', this.options, '-l', this.logFile, '-w', '-t', '60', 'start']);
  }

  /** `pg_ctl restart -m fast`: active sessions are terminated, then the server comes back on the same port. */
  restartFast() {
    asPostgres('pg_ctl', ['-D', this.data, '-o', this.options, '-l', this.logFile, '-m', 'fast', '-w', '-t', '60', 'restart']);
  }

  /** The same as `restartFast`, without blocking this process (the storm goes on meanwhile). */
  restartFastAsync() {
    return new Promise((resolve, reject) => {
      const child = spawn('runuser', ['-u', 'postgres', '--', path.join(PG_BIN, 'pg_ctl'), '-D', this.data, '-o', this.options, '-l', this.logFile, '-m', 'fast', '-w', '-t', '60', 'restart'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (b) => (out += b));
      child.stderr.on('data', (b) => (out += b));
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`pg_ctl restart exited ${code}: ${out}`))));
    });
  }

  stop(mode = 'fast') {
    if (!existsSync(path.join(this.data, 'postmaster.pid'))) return;
    try {
      asPostgres('pg_ctl', ['-D', this.data, '-m', mode, '-w', '-t', '30', 'stop']);
    } catch (error) {
      process.stderr.write(`pg_ctl stop: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }

  url(database = 'postgres') {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async createDatabase(name) {
    const c = new pg.Client({ connectionString: this.url('postgres') });
    await c.connect();
    try {
      await c.query(`CREATE DATABASE ${name}`);
    } finally {
      await c.end();
    }
    return this.url(name);
  }
}

// ───────────────────────────── Redis (own port, no persistence) ─────────────────────────────

export class PrivateRedis {
  constructor(port, cleanup) {
    this.port = port;
    this.child = null;
    cleanup.add('redis', () => this.stop());
  }

  static async create(cleanup) {
    const r = new PrivateRedis(await freePort(), cleanup);
    await r.start();
    return r;
  }

  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start() {
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    this.child.stderr.on('data', (b) => (err = (err + b).slice(-2000)));
    for (let i = 0; i < 100; i++) {
      if (this.child.exitCode !== null) throw new Error(`redis-server exited: ${err}`);
      try {
        if (execFileSync('redis-cli', ['-p', String(this.port), 'ping'], { timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() === 'PONG') return;
      } catch {
        /* not up yet */
      }
      await sleep(100);
    }
    throw new Error('redis-server did not answer PING in 10 s');
  }

  /** Stops our redis-server (by its pid); the data is gone (no persistence), as after a real restart. */
  async stop() {
    await stopChild(this.child, 5000);
  }
}

// ───────────────────────────── stripe-local (separate process) ─────────────────────────────

export class StripeLocalProcess {
  constructor(port, secret, cleanup) {
    this.port = port;
    this.secret = secret;
    this.url = `http://127.0.0.1:${port}`;
    cleanup.add('stripe-local', () => stopChild(this.child));
  }

  static async create(cleanup, webhookUrl) {
    if (!existsSync(STRIPE_CLI)) throw new Error(`${STRIPE_CLI} is missing: build it with npx nx run stripe-local:build`);
    const s = new StripeLocalProcess(await freePort(), `whsec_${randomBytes(24).toString('hex')}`, cleanup);
    s.child = spawn(process.execPath, [STRIPE_CLI, '--port', String(s.port), '--webhook-url', webhookUrl, '--webhook-secret', s.secret], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    s.child.stdout.on('data', (b) => (out = (out + b).slice(-4000)));
    s.child.stderr.on('data', (b) => (out = (out + b).slice(-4000)));
    for (let i = 0; i < 100; i++) {
      if (s.child.exitCode !== null) throw new Error(`stripe-local exited: ${out}`);
      try {
        const res = await fetch(`${s.url}/_control/health`);
        if (res.ok) return s;
      } catch {
        /* not up yet */
      }
      await sleep(100);
    }
    throw new Error(`stripe-local did not start: ${out}`);
  }

  async control(method, p, body) {
    const res = await fetch(`${this.url}/_control/${p}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = await res.json();
    if (!res.ok) throw new Error(`/_control/${p}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  }

  /** Every PaymentIntent the server holds, through the public v1 API (the API key is not checked). */
  async paymentIntents() {
    const all = [];
    let after = null;
    for (;;) {
      const q = new URLSearchParams({ limit: '100' });
      if (after) q.set('starting_after', after);
      q.append('expand[]', 'data.latest_charge');
      const res = await fetch(`${this.url}/v1/payment_intents?${q}`, { headers: { authorization: 'Bearer sk_test_fapai_local' } });
      const page = await res.json();
      if (!res.ok) throw new Error(`list payment_intents: ${res.status} ${JSON.stringify(page)}`);
      all.push(...page.data);
      if (!page.has_more || page.data.length === 0) return all;
      after = page.data.at(-1).id;
    }
  }
}

// ───────────────────────────── API instances ─────────────────────────────

export const ADMIN = { email: 'admin@faults.fapai.local', password: `faults-admin-${randomBytes(6).toString('hex')}` };
const SHARED = { jwt: randomBytes(32).toString('hex'), idKey: randomBytes(32).toString('hex') };

export class ApiInstance {
  constructor(name, port, env, cleanup) {
    this.name = name;
    this.port = port;
    this.env = env;
    this.url = `http://127.0.0.1:${port}`;
    this.child = null;
    this.stderr = '';
    this.starts = 0;
    cleanup.add(`api ${name}`, async () => {
      await stopChild(this.child, 8000);
      rmSync(this.env.DATA_DIR, { recursive: true, force: true });
    });
  }

  static async create(cleanup, name, { databaseUrl, redisUrl, stripe, migrations }) {
    const port = await freePort();
    const dataDir = mkdtempSync(path.join(os.tmpdir(), `fapai-faults-${name}-`));
    const env = { ...process.env };
    for (const key of ['NODE_ENV', 'DATABASE_URL', 'REDIS_URL', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'STRIPE_LOCAL_URL', 'MIGRATIONS_RUN', 'LOG_FILE', 'NODE_OPTIONS']) delete env[key];
    Object.assign(env, {
      RULES_PROFILE: 'sandbox',
      SEED_DEMO: 'false',
      LOG_LEVEL: 'error',
      RATE_LIMITS: 'false',
      MIGRATIONS_RUN: migrations ? 'true' : 'false',
      DATA_DIR: dataDir,
      JWT_SECRET: SHARED.jwt,
      IDENTITY_HASH_KEY: SHARED.idKey,
      JWT_TTL_SECONDS: '3600',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      BACKGROUND_JOBS: 'true',
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
      STRIPE_LOCAL_URL: stripe.url,
      STRIPE_WEBHOOK_SECRET: stripe.secret,
    });
    const api = new ApiInstance(name, port, env, cleanup);
    await api.start();
    return api;
  }

  async start(timeoutMs = 120_000) {
    this.starts += 1;
    this.stderr = '';
    const child = spawn(process.execPath, [API_MAIN], { cwd: ROOT, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    // LOG_LEVEL=error: the JSON log (stdout) holds only errors; stderr holds start-up failures.
    const keep = (b) => (this.stderr = (this.stderr + b).slice(-400_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const started = Date.now();
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`API ${this.name} exited during start-up (${child.exitCode ?? child.signalCode}):\n${this.stderr}`);
      try {
        const res = await fetch(`${this.url}/api/health`, { signal: AbortSignal.timeout(2000) });
        if (res.status === 200) break;
      } catch {
        /* not listening yet */
      }
      if (Date.now() - started > timeoutMs) throw new Error(`API ${this.name} not healthy in ${timeoutMs / 1000} s:\n${this.stderr}`);
      await sleep(150);
    }
    // The first migrations are run by the first instance only: later (re)starts skip them.
    this.env.MIGRATIONS_RUN = 'false';
    return Date.now() - started;
  }

  /** SIGKILL: no shutdown hooks, in-flight requests and sockets are cut. */
  async kill() {
    const child = this.child;
    child.kill('SIGKILL');
    await waitExit(child, 10_000);
  }

  get alive() {
    return this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Distinct error messages the API logged (JSON log lines: `err.message`, or `msg`) since `sinceMs`,
   * with counts — what lies behind a 500 "internal error" and its correlation id.
   */
  loggedErrors(sinceMs = 0) {
    const out = {};
    for (const line of this.stderr.split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        const j = JSON.parse(line);
        if (j.time && Date.parse(j.time) < sinceMs) continue;
        const m = j.err?.message ?? (typeof j.msg === 'string' ? j.msg : JSON.stringify(j.msg ?? j).slice(0, 200));
        const key = `${j.context ?? ''}${j.path ? ` ${j.path}` : ''}: ${String(m).split('\n')[0].slice(0, 160)}`;
        out[key] = (out[key] ?? 0) + 1;
      } catch {
        /* not JSON */
      }
    }
    return out;
  }

  /** The logged error behind a 500's correlation id: "Name: message", or null. */
  errorFor(correlationId) {
    for (const line of this.stderr.split('\n')) {
      if (!line.includes(correlationId)) continue;
      try {
        const j = JSON.parse(line);
        if (j.correlationId === correlationId && j.err) return `${j.err.name}: ${String(j.err.message).slice(0, 140)}`;
      } catch {
        /* not JSON */
      }
    }
    return null;
  }

  /** The last lines the API wrote to stderr (LOG_LEVEL=error: errors only), for the report. */
  errorLines(max = 5) {
    return this.stderr
      .split('\n')
      .filter(Boolean)
      .slice(-max);
  }
}

export function readPgLog(server, lines = 20) {
  try {
    return readFileSync(server.logFile, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export function ensureDir(p) {
  mkdirSync(p, { recursive: true });
  return p;
}
