import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import PgBoss from 'pg-boss';
import type { DataSource } from 'typeorm';
import { returnedRows } from '../common/db.js';
import { APP_CONFIG, type AppConfig } from '../config/env.js';
import { MetricsService } from '../observability/metrics.service.js';

/** The pg-boss schema, installed by the migration `PgBossSchema` (pg-boss runs with `migrate: false`). */
export const JOBS_SCHEMA = 'pgboss';

/** pg-boss 10 refuses polling below 0.5 s; local nudges (below) make due jobs start sooner on the instance that knows. */
const POLL_SECONDS = 0.5;
/** Nudge timers are set only for jobs due within this horizon; later ones are found by polling. */
const NUDGE_HORIZON_MS = 10 * 60_000;
/** How often each instance re-seeds the periodic chains (a no-op while a successor is queued). */
const WATCHDOG_MS = 5000;
/** How often pg-boss 10 checks, after stop(), that its workers' loops have ended (node_modules/pg-boss/src/manager.js offWork). */
const PG_BOSS_STOP_CHECK_MS = 1000;

/** Anything that runs SQL: the app's DataSource, or the EntityManager of a transaction to enqueue inside it. */
export interface SqlRunner {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/** A queue of one-off jobs and its handler (run for each job; throwing fails the job, which pg-boss retries). */
export interface JobQueue<T extends object> {
  name: string;
  /** `short`: at most one queued (not yet started) job per singleton key; `standard`: no limit. */
  policy: 'standard' | 'short';
  retryLimit: number;
  /** Seconds before the first retry; doubled (with jitter) on each further one. */
  retryDelaySeconds: number;
  /** A job still active after this long (its instance died) is failed and retried by pg-boss's maintenance. */
  expireInSeconds: number;
  /** Jobs fetched per poll. */
  batchSize: number;
  handle(data: T): Promise<void>;
}

/** Work repeated every `everyMs`, exactly once per period across instances (see JobsModule). */
export interface PeriodicJob {
  name: string;
  everyMs: number;
  run(): Promise<unknown>;
}

export interface JobRequest<T extends object> {
  name: string;
  data: T;
  /** Not before this time (database clock); default now. */
  startAfter?: Date;
  singletonKey?: string;
}

type Pending = { kind: 'queue'; queue: JobQueue<object> } | { kind: 'periodic'; job: PeriodicJob };

/** The one PgBoss of the application: see JobsModule for the design. */
@Injectable()
export class JobsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Jobs');
  private readonly boss: PgBoss;
  private readonly defs = new Map<string, Pending>();
  private readonly workers = new Map<string, string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private watchdog?: NodeJS.Timeout;
  private started = false;
  private stopping = false;
  private stopped?: Promise<void>;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {
    this.boss = new PgBoss({
      connectionString: config.databaseUrl,
      schema: JOBS_SCHEMA,
      application_name: 'fapai-jobs',
      // Its own small pool, apart from the request pool: polling never takes a connection from a bid.
      max: 4,
      migrate: false,
      // No cron (minute-granular): periods are chains of delayed jobs, see PeriodicJob.
      schedule: false,
      supervise: true,
      maintenanceIntervalSeconds: 30,
      pollingIntervalSeconds: POLL_SECONDS,
      // Job rows are operational, not the auction record (that is lot_results, deposits, audit_log): a periodic
      // chain writes a row per period, so completed jobs move to the archive after an hour and go a day later.
      archiveCompletedAfterSeconds: 3600,
      archiveFailedAfterSeconds: 7 * 86400,
      deleteAfterDays: 1,
    });
    this.boss.on('error', (error: Error & { queue?: string }) => {
      this.metrics.jobFailures.inc({ job: error.queue ?? 'pg-boss' });
      this.logger.warn(`pg-boss: ${error.message}`);
    });
  }

  /** Registers a queue and its handler; call from a feature module's `onModuleInit`. */
  define<T extends object>(queue: JobQueue<T>): void {
    this.register(queue.name, { kind: 'queue', queue: queue as unknown as JobQueue<object> });
  }

  /** Registers periodic work; call from a feature module's `onModuleInit`. */
  every(job: PeriodicJob): void {
    this.register(job.name, { kind: 'periodic', job });
  }

  /**
   * Enqueues a job. With `tx` (a transaction's EntityManager) the job row is written in that transaction:
   * it exists if and only if the transaction commits. Returns the job id, or null when a `short` queue
   * already holds a queued job with the same singleton key.
   */
  async send<T extends object>(request: JobRequest<T>, tx?: SqlRunner): Promise<string | null> {
    const def = this.defs.get(request.name);
    if (def?.kind !== 'queue') throw new Error(`no job queue named ${request.name}`);
    const q = def.queue;
    const id = await this.boss.send(request.name, request.data, {
      startAfter: request.startAfter,
      singletonKey: request.singletonKey,
      retryLimit: q.retryLimit,
      retryDelay: q.retryDelaySeconds,
      retryBackoff: true,
      expireInSeconds: q.expireInSeconds,
      db: this.sql(tx ?? this.db),
    });
    if (id) this.nudge(request.name, request.startAfter ? request.startAfter.getTime() - Date.now() : 0);
    return id;
  }

  /**
   * Asks this instance's worker of `name` to poll now (or in `inMs`) instead of at its next polling tick:
   * for a job this instance just enqueued (after its transaction commits) or scheduled soon.
   */
  nudge(name: string, inMs = 0): void {
    if (!this.started || this.stopping || inMs > NUDGE_HORIZON_MS) return;
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        const worker = this.workers.get(name);
        if (worker && !this.stopping) this.boss.notifyWorker(worker);
      },
      Math.max(0, inMs) + 30,
    );
    timer.unref();
    this.timers.add(timer);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.createQueues();
    if (!this.config.backgroundJobs) return;
    await this.boss.start();
    this.started = true;
    for (const [name, def] of this.defs) {
      const batchSize = def.kind === 'queue' ? def.queue.batchSize : 1;
      // A periodic successor is nudged on the instance that enqueued it; the others poll only to take over
      // a chain whose instance died, so they need not poll faster than its period (at most every 5 s).
      const pollingIntervalSeconds = def.kind === 'queue' ? POLL_SECONDS : Math.min(5, Math.max(POLL_SECONDS, def.job.everyMs / 1000));
      const id = await this.boss.work<object>(name, { batchSize, pollingIntervalSeconds }, (jobs) => (def.kind === 'queue' ? this.runQueue(def.queue, jobs) : this.runPeriodic(def.job, jobs)));
      this.workers.set(name, id);
    }
    await this.seedPeriodic(true);
    this.watchdog = setInterval(() => void this.seedPeriodic(false), WATCHDOG_MS);
    this.watchdog.unref();
  }

  /**
   * Stops fetching and waits for the running jobs to finish (up to 15 s; pg-boss fails what is still active
   * then, so it is retried). `startPlatform`'s stop calls it before closing the application, while every
   * module a handler uses (the database, the local Stripe server) still runs; Nest's shutdown hook is the
   * fallback. Idempotent.
   */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping = true;
      clearInterval(this.watchdog);
      for (const t of this.timers) clearTimeout(t);
      this.timers.clear();
      if (this.started) {
        await this.boss.stop({ graceful: true, wait: true, timeout: 15_000, close: true });
        // pg-boss 10 resolves stop() while a timer of its own still checks, once a second, that its workers'
        // loops have ended (manager.offWork); wait that round out so nothing of pg-boss runs after the
        // application has closed (found in CI: Jest tore a test file's modules down under that timer, whose
        // next lazy `require` then failed the file).
        await new Promise((resolve) => setTimeout(resolve, PG_BOSS_STOP_CHECK_MS + 100));
      }
      this.started = false;
    })();
    return this.stopped;
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  private register(name: string, def: Pending): void {
    if (this.defs.has(name)) throw new Error(`job ${name} is defined twice`);
    this.defs.set(name, def);
  }

  /**
   * Each queue is a partition of pgboss.job, created by a migration (JobQueues); one registered without
   * its migration is created here, with a warning (`create_queue` does nothing when it exists). Also
   * without BACKGROUND_JOBS, so sends work.
   */
  private async createQueues(): Promise<void> {
    const existing = new Set(((await this.db.query(`SELECT name FROM ${JOBS_SCHEMA}.queue`)) as { name: string }[]).map((r) => r.name));
    for (const [name, def] of this.defs) {
      if (existing.has(name)) continue;
      this.logger.warn(`job queue ${name} has no migration: creating it`);
      await this.db.query(`SELECT ${JOBS_SCHEMA}.create_queue($1, $2::json)`, [name, JSON.stringify({ policy: def.kind === 'queue' ? def.queue.policy : 'short' })]);
    }
  }

  private async runQueue(queue: JobQueue<object>, jobs: PgBoss.Job<object>[]): Promise<void> {
    for (const job of jobs) {
      try {
        await queue.handle(job.data);
      } catch (error) {
        this.failed(queue.name, error);
        await this.boss.fail(queue.name, job.id, { message: error instanceof Error ? error.message : String(error) });
      }
    }
    // A full batch: more may be waiting, fetch again without the polling pause.
    const worker = this.workers.get(queue.name);
    if (jobs.length >= queue.batchSize && worker) this.boss.notifyWorker(worker);
  }

  /**
   * One period: run the work, then enqueue the successor `everyMs` later (database clock). The queue is
   * `short`: at most one queued job, so however many instances seed or run it, there is one chain.
   */
  private async runPeriodic(job: PeriodicJob, _jobs: PgBoss.Job<object>[]): Promise<void> {
    try {
      await job.run();
    } catch (error) {
      this.failed(job.name, error);
      throw error;
    } finally {
      // Also while stopping: pg-boss keeps its pool open until running jobs end, so the chain goes on elsewhere.
      await this.sendPeriodic(job, job.everyMs);
    }
  }

  private async sendPeriodic(job: PeriodicJob, delayMs: number): Promise<void> {
    // pg-boss's own pool (started): `startAfter` in seconds is added to the database clock.
    const id = await this.boss.send(job.name, {}, { startAfter: delayMs / 1000, retryLimit: 0, expireInSeconds: Math.max(60, Math.ceil((job.everyMs * 10) / 1000)) });
    if (id) this.nudge(job.name, delayMs);
  }

  /** Every instance seeds every chain at start and then every few seconds; a no-op while a successor is queued. */
  private async seedPeriodic(first: boolean): Promise<void> {
    for (const def of this.defs.values()) {
      if (def.kind !== 'periodic' || this.stopping) continue;
      await this.sendPeriodic(def.job, first ? Math.min(def.job.everyMs, 2000) : def.job.everyMs).catch((error: unknown) => {
        if (first) throw error;
        this.logger.warn(`seeding ${def.job.name}: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
  }

  private failed(name: string, error: unknown): void {
    this.metrics.jobFailures.inc({ job: name });
    this.logger.warn(`job ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
  }

  /** pg-boss's `db` option: its SQL through our connection (or our transaction). */
  private sql(runner: SqlRunner): PgBoss.Db {
    return { executeSql: async (text: string, values: unknown[]) => ({ rows: returnedRows<unknown>(await runner.query(text, values)) }) };
  }
}
