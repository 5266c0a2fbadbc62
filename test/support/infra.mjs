/**
 * Private infrastructure for the fault tests and the benchmark (plain Node, no test runner): a throwaway
 * PostgreSQL 15 cluster (initdb/pg_ctl as the `postgres` OS user, its own port and socket folder), a
 * redis-server on its own port without persistence, the local Stripe-compatible server as a separate
 * process (driven over /_control), and API instances as child processes
 * (`node apps/api/dist/apps/api/src/main.js`).
 *
 * Nothing here touches the machine's shared PostgreSQL (5432) or Redis (6379): every process is one we
 * started, stopped by its own pid. `Cleanup` runs the stops in reverse order, also on failure or a signal.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const API_MAIN = path.join(ROOT, 'apps/api/dist/apps/api/src/main.js');
export const STRIPE_CLI = path.join(ROOT, 'libs/stripe-local/dist/cli.js');
export const PG_BIN = process.env.FAULTS_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const t0 = Date.now();
export const elapsed = () => ((Date.now() - t0) / 1000).toFixed(1).padStart(6);
export const log = (line) => process.stdout.write(`[${elapsed()} s] ${line}\n`);

/**
 * A port nobody listens on, for a server of ours. It is drawn from below the kernel's ephemeral range
 * (ip_local_port_range, 32768–60999 by default), never from it: the kernel hands ephemeral ports to
 * outgoing connections (watchers, database and Redis clients), and one could take the port of an instance
 * while it is down between a kill and its restart on the same port. Ports handed out in this process are
 * never handed out twice; `onFreePort` covers another process taking one meanwhile.
 */
const handedOut = new Set();
const EPHEMERAL = (() => {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low > 0 && high >= low) return [low, high];
  } catch {
    /* not Linux */
  }
  return [32768, 60999];
})();
const PORT_RANGE = EPHEMERAL[0] > 12000 ? [10000, EPHEMERAL[0] - 1] : EPHEMERAL[1] < 63000 ? [EPHEMERAL[1] + 1, 65535] : [1024, 65535];
const canListen = (port) =>
  new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
export async function freePort() {
  for (let i = 0; i < 1000; i++) {
    const port = PORT_RANGE[0] + Math.floor(Math.random() * (PORT_RANGE[1] - PORT_RANGE[0]));
    if (handedOut.has(port)) continue;
    if (await canListen(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port in ${PORT_RANGE.join('–')}`);
}

/** Whether a start-up failure says the port was taken (by someone else after `freePort`). */
const portClash = (text) => /EADDRINUSE|Address already in use|could not bind|already in use/i.test(text);

/**
 * Runs `start(port)` on a free port; if the port was taken meanwhile (`describe(error)` says so), tries
 * another, up to 3 times.
 */
async function onFreePort(start, describe = (error) => error.message) {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      await start(port);
      return port;
    } catch (error) {
      if (attempt >= 3 || !portClash(describe(error))) throw error;
    }
  }
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

/**
 * Runs `cleanup` once on SIGINT/SIGTERM (exit 130) and on an uncaught error (exit 1), so that nothing this
 * process started outlives it.
 */
export function stopAllOnExit(cleanup) {
  let stopping = false;
  const stop = (why, code) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\n${why}\nstopping everything this run started…\n`);
    void cleanup.run().finally(() => process.exit(code));
  };
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stop(signal, 130));
  for (const event of ['uncaughtException', 'unhandledRejection']) {
    process.on(event, (error) => stop(`${event}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`, 1));
  }
}

export function waitExit(child, timeoutMs) {
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

const pgCommand = (bin, args) => ['runuser', ['-u', 'postgres', '--', path.join(PG_BIN, bin), ...args]];

function asPostgres(bin, args, options = {}) {
  const [cmd, argv] = pgCommand(bin, args);
  return execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000, ...options }).toString();
}

/** The same without blocking this process (bid storms and watchers go on meanwhile). */
function asPostgresAsync(bin, args, timeoutMs = 120_000) {
  const [cmd, argv] = pgCommand(bin, args);
  return new Promise((resolve, reject) => {
    execFile(cmd, argv, { timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${bin} ${args.at(-1)}: ${error.message}\n${stdout}${stderr}`));
      else resolve(`${stdout}${stderr}`);
    });
  });
}

export class PrivatePostgres {
  constructor(dir, port) {
    this.dir = dir;
    this.port = port;
    this.data = path.join(dir, 'data');
    this.logFile = path.join(dir, 'postgres.log');
  }

  static async create(cleanup) {
    if (!existsSync(path.join(PG_BIN, 'initdb'))) throw new Error(`no PostgreSQL binaries in ${PG_BIN} (set FAULTS_PG_BIN)`);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fapai-pg-'));
    const pgUser = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const pgGroup = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, pgUser, pgGroup);
    const server = new PrivatePostgres(dir, 0);
    cleanup.add('postgres', async () => {
      server.stop('immediate');
      rmSync(dir, { recursive: true, force: true });
    });
    await asPostgresAsync('initdb', ['-D', server.data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
    // The port is chosen free, but something else may take it before the postmaster binds: pick another.
    try {
      await onFreePort(
        (port) => ((server.port = port), server.start()),
        (error) => `${error.message}\n${readPgLog(server, 10)}`,
      );
    } catch (error) {
      throw new Error(`${error.message}\n${readPgLog(server, 20)}`, { cause: error });
    }
    return server;
  }

  get options() {
    // fsync off: only an OS crash could lose data, and this cluster is thrown away. Everything else default.
    return `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off -c full_page_writes=off`;
  }

  /** `pg_ctl start -w`: returns once the server accepts connections (up to 2 minutes on a loaded machine). */
  start() {
    return asPostgresAsync('pg_ctl', ['-D', this.data, '-o', this.options, '-l', this.logFile, '-w', '-t', '120', 'start']);
  }

  /** `pg_ctl restart -m fast`: active sessions are terminated, then the server comes back on the same port. */
  restartFast() {
    return asPostgresAsync('pg_ctl', ['-D', this.data, '-o', this.options, '-l', this.logFile, '-m', 'fast', '-w', '-t', '120', 'restart']);
  }

  stop(mode = 'fast') {
    if (!existsSync(path.join(this.data, 'postmaster.pid'))) return;
    try {
      asPostgres('pg_ctl', ['-D', this.data, '-m', mode, '-w', '-t', '60', 'stop']);
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

export function readPgLog(server, lines = 20) {
  try {
    return readFileSync(server.logFile, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

// ───────────────────────────── Redis (own port, no persistence) ─────────────────────────────

export class PrivateRedis {
  constructor(cleanup) {
    this.port = 0;
    this.child = null;
    cleanup.add('redis', () => this.stop());
  }

  static async create(cleanup) {
    const r = new PrivateRedis(cleanup);
    await onFreePort((port) => ((r.port = port), r.start()));
    return r;
  }

  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts redis-server on `this.port` and waits until it answers PING (its own port: restarts reuse it). */
  async start(timeoutMs = 30_000) {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let out = '';
    const keep = (b) => (out = (out + b).slice(-2000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const started = Date.now();
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`redis-server on ${this.port} exited: ${out}`);
      if (await redisPing(this.port)) return;
      if (Date.now() - started > timeoutMs) {
        await stopChild(child);
        throw new Error(`redis-server on ${this.port} did not answer PING in ${timeoutMs / 1000} s: ${out}`);
      }
      await sleep(100);
    }
  }

  /** Stops our redis-server (by its pid); the data is gone (no persistence), as after a real restart. */
  async stop() {
    await stopChild(this.child, 5000);
  }
}

/** PING over a plain TCP socket (no redis-cli process per probe): true on +PONG. */
function redisPing(port) {
  return new Promise((resolve) => {
    import('node:net').then(({ connect }) => {
      const socket = connect({ port, host: '127.0.0.1' });
      let data = '';
      const done = (ok) => {
        socket.destroy();
        resolve(ok);
      };
      socket.setTimeout(2000, () => done(false));
      socket.once('error', () => done(false));
      socket.on('data', (b) => {
        data += b;
        if (data.includes('\r\n')) done(data.startsWith('+PONG'));
      });
      socket.once('connect', () => socket.write('PING\r\n'));
    });
  });
}

// ───────────────────────────── stripe-local (separate process) ─────────────────────────────

export class StripeLocalProcess {
  constructor(secret, cleanup) {
    this.port = 0;
    this.secret = secret;
    this.child = null;
    cleanup.add('stripe-local', () => stopChild(this.child));
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  static async create(cleanup, webhookUrl) {
    if (!existsSync(STRIPE_CLI)) throw new Error(`${STRIPE_CLI} is missing: build it with npx nx run stripe-local:build`);
    const s = new StripeLocalProcess(`whsec_${randomBytes(24).toString('hex')}`, cleanup);
    await onFreePort((port) => ((s.port = port), s.start(webhookUrl)));
    return s;
  }

  async start(webhookUrl, timeoutMs = 60_000) {
    const child = spawn(process.execPath, [STRIPE_CLI, '--port', String(this.port), '--webhook-url', webhookUrl, '--webhook-secret', this.secret], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let out = '';
    child.stdout.on('data', (b) => (out = (out + b).slice(-4000)));
    child.stderr.on('data', (b) => (out = (out + b).slice(-4000)));
    const started = Date.now();
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`stripe-local exited: ${out}`);
      try {
        const res = await fetch(`${this.url}/_control/health`, { signal: AbortSignal.timeout(2000) });
        if (res.ok) return;
      } catch {
        /* not up yet */
      }
      if (Date.now() - started > timeoutMs) {
        await stopChild(child);
        throw new Error(`stripe-local did not start in ${timeoutMs / 1000} s: ${out}`);
      }
      await sleep(100);
    }
  }

  async control(method, p, body) {
    const res = await fetch(`${this.url}/_control/${p}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(60_000) });
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
      const res = await fetch(`${this.url}/v1/payment_intents?${q}`, { headers: { authorization: 'Bearer sk_test_fapai_local' }, signal: AbortSignal.timeout(60_000) });
      const page = await res.json();
      if (!res.ok) throw new Error(`list payment_intents: ${res.status} ${JSON.stringify(page)}`);
      all.push(...page.data);
      if (!page.has_more || page.data.length === 0) return all;
      after = page.data.at(-1).id;
    }
  }
}

// ───────────────────────────── API instances ─────────────────────────────

/** The operator account and the keys every API instance of this run shares (same JWTs valid on each). */
export const ADMIN = { email: 'admin@run.fapai.local', password: `run-admin-${randomBytes(6).toString('hex')}` };
const SHARED = { jwt: randomBytes(32).toString('hex'), idKey: randomBytes(32).toString('hex') };

export class ApiInstance {
  constructor(name, env, nodeArgs, cleanup) {
    this.name = name;
    this.port = 0;
    this.env = env;
    this.nodeArgs = nodeArgs;
    this.child = null;
    this.stderr = '';
    this.starts = 0;
    this.expectExit = false;
    this.unexpectedExits = [];
    cleanup.add(`api ${name}`, async () => {
      this.expectExit = true;
      await stopChild(this.child, 10_000);
      rmSync(this.env.DATA_DIR, { recursive: true, force: true });
    });
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid() {
    return this.child?.pid ?? null;
  }

  /**
   * An API child process on a free port: sandbox rules, LOG_LEVEL=error (the JSON log keeps errors only, and
   * is kept here to be quoted), the run's shared secrets and operator, a temp DATA_DIR. `redisUrl` → the
   * Redis adapter; `stripe` (a StripeLocalProcess) → STRIPE_LOCAL_URL and its webhook secret, otherwise the
   * API starts stripe-local in its own process; `env` adds or overrides variables; `nodeArgs` go to node.
   */
  static async create(cleanup, name, { databaseUrl, redisUrl = null, stripe = null, migrations = false, env: extra = {}, nodeArgs = [], startTimeoutMs } = {}) {
    if (!existsSync(API_MAIN)) throw new Error(`the API is not built (${API_MAIN}): run npx nx run api:build`);
    const dataDir = mkdtempSync(path.join(os.tmpdir(), `fapai-api-${name}-`));
    const env = { ...process.env };
    for (const key of ['NODE_ENV', 'DATABASE_URL', 'BENCH_DATABASE_URL', 'TEST_DATABASE_URL', 'REDIS_URL', 'TEST_REDIS_URL', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'STRIPE_LOCAL_URL', 'MIGRATIONS_RUN', 'LOG_FILE', 'NODE_OPTIONS', 'PORT']) delete env[key];
    Object.assign(env, {
      RULES_PROFILE: 'sandbox',
      SEED_DEMO: 'false',
      LOG_LEVEL: 'error',
      MIGRATIONS_RUN: migrations ? 'true' : 'false',
      DATA_DIR: dataDir,
      JWT_SECRET: SHARED.jwt,
      IDENTITY_HASH_KEY: SHARED.idKey,
      JWT_TTL_SECONDS: '7200',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      BACKGROUND_JOBS: 'true',
      DATABASE_URL: databaseUrl,
      ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
      ...(stripe ? { STRIPE_LOCAL_URL: stripe.url, STRIPE_WEBHOOK_SECRET: stripe.secret } : {}),
      ...extra,
    });
    const api = new ApiInstance(name, env, nodeArgs, cleanup);
    await onFreePort((port) => {
      api.port = port;
      api.env.PORT = String(port);
      return api.start(startTimeoutMs);
    });
    return api;
  }

  /**
   * Starts the process and waits for readiness (GET /api/health 200: the database answers; with REDIS_URL
   * also `redis: 'up'`, the socket.io adapter connected). The timeout is
   * generous (3 minutes by default): on a loaded 2-core machine a cold start with migrations takes long.
   */
  async start(timeoutMs = 180_000) {
    this.starts += 1;
    this.stderr = '';
    const child = spawn(process.execPath, [...this.nodeArgs, API_MAIN], { cwd: ROOT, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    // LOG_LEVEL=error: the JSON log (stdout) holds only errors; stderr holds start-up failures.
    const keep = (b) => (this.stderr = (this.stderr + b).slice(-400_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    // An exit we did not ask for (kill() and stop() set `expectExit`) is kept with the last output, to be reported.
    child.once('exit', (code, signal) => {
      if (!this.expectExit) this.unexpectedExits.push({ at: new Date().toISOString(), code, signal, output: this.stderr.slice(-4000) });
    });
    this.expectExit = false;
    const started = Date.now();
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`API ${this.name} exited during start-up (${child.exitCode ?? child.signalCode}):\n${this.stderr.slice(-4000)}`);
      try {
        const res = await fetch(`${this.url}/api/health`, { signal: AbortSignal.timeout(5000) });
        const health = await res.json().catch(() => ({}));
        // Ready: the database answers and, with REDIS_URL, the Redis adapter is connected (otherwise the
        // first bids it takes would reach its own watchers only).
        if (res.status === 200 && (!this.env.REDIS_URL || health.redis === 'up')) break;
      } catch {
        /* not listening yet */
      }
      if (Date.now() - started > timeoutMs) {
        await stopChild(child);
        throw new Error(`API ${this.name} not healthy in ${timeoutMs / 1000} s:\n${this.stderr.slice(-4000)}`);
      }
      await sleep(150);
    }
    // The first migrations are run by the first instance only: later (re)starts skip them.
    this.env.MIGRATIONS_RUN = 'false';
    return Date.now() - started;
  }

  /** SIGTERM (shutdown hooks run), SIGKILL if it does not exit in time. */
  async stop(graceMs = 10_000) {
    this.expectExit = true;
    await stopChild(this.child, graceMs);
  }

  /** SIGKILL: no shutdown hooks, in-flight requests and sockets are cut. */
  async kill() {
    this.expectExit = true;
    const child = this.child;
    child.kill('SIGKILL');
    await waitExit(child, 10_000);
  }

  get alive() {
    return Boolean(this.child) && this.child.exitCode === null && this.child.signalCode === null;
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

  /** The last lines the API wrote (LOG_LEVEL=error: errors only), for the report. */
  errorLines(max = 5) {
    return this.stderr
      .split('\n')
      .filter(Boolean)
      .slice(-max);
  }
}
