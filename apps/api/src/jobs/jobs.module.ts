/**
 * Background jobs: durable, on PostgreSQL, through pg-boss 10 (schema `pgboss`, installed by the migration
 * `PgBossSchema`; pg-boss itself runs with `migrate: false` and only checks the version). No feature
 * module imports pg-boss: each registers its queues and periodic work with `JobsService` in
 * `onModuleInit` (`define`, `every`) and enqueues with `send`.
 *
 * - One PgBoss per instance with its own pool of 4 connections, started on application bootstrap when
 *   BACKGROUND_JOBS is on and stopped first when the platform stops (`JobsService.stop`, before Nest's
 *   shutdown; `beforeApplicationShutdown` as the fallback): workers stop fetching and running jobs are
 *   awaited (up to 15 s; whatever is still active then is failed, so it is retried). The queues (partitions of pgboss.job) come from a migration (JobQueues), so `send` works also
 *   with BACKGROUND_JOBS off and no instance runs DDL at start.
 * - Each job is fetched by one instance (`FOR UPDATE SKIP LOCKED` in pg-boss): exactly once however many
 *   instances run. A handler that throws fails its job: the failure is counted in
 *   `fapai_job_failures_total{job}` and logged, and pg-boss retries it with exponential backoff
 *   (`retryLimit`, `retryDelaySeconds`). A job whose instance died stays `active` until `expireInSeconds`,
 *   then pg-boss's maintenance fails it and it is retried. So a job may run more than once (and a batch
 *   whose bookkeeping fails is retried whole): every handler is idempotent (a closed lot is not closed
 *   again; deposits move once by their idempotency keys). Jobs are plain rows: `pgboss.job` (queued,
 *   active, recent), `pgboss.archive` (completed after 1 h, failed after 7 days; deleted a day later).
 * - `send(request, tx)` with a transaction's EntityManager writes the job in that transaction (pg-boss's
 *   `db` option): the job exists exactly when the change that needs it commits (a closed lot and the release
 *   of its deposits).
 * - Periodic work (`every`): a chain of delayed jobs on a `short` queue (pg-boss: at most one queued job
 *   per queue). Each run enqueues its successor `everyMs` later on the database clock, so the work runs once
 *   per period across all instances, with periods below pg-boss's minute-granular cron. Every instance
 *   seeds each chain at start and re-seeds every 5 s; a seed is a no-op while a successor is queued, and it
 *   repairs a chain whose running job was lost with its instance.
 * - Latency: pg-boss 10 polls at most every 0.5 s. An instance that enqueues a job due within 10 minutes
 *   (a lot's close at `endsAt`, a periodic successor, a release after commit) also sets a timer that
 *   nudges its own worker at the due time (`nudge`), so the job usually starts within a few ms of being
 *   due; other instances, and jobs enqueued before a restart, wait for the next poll: at most 0.5 s plus
 *   the fetch for `lot-close` and `deposit-release` (so the closer lag stays under a second, see
 *   `fapai_closer_lag_seconds`). Periodic queues are polled every period, at most every 5 s (only to take
 *   over a chain whose instance died). A full batch is fetched again at once. Periods: today's per rules
 *   profile, but not below 0.5 s (the sandbox's 100–250 ms loops became 0.5 s: each period is now a job
 *   row written and updated, and actions bring valuation deadlines and started lots up to date in reads
 *   anyway); the close loop became a per-lot job plus a safety sweep every 1 s (sandbox) / 5 s.
 */
import { Global, Module } from '@nestjs/common';
import { JobsService } from './jobs.service.js';

@Global()
@Module({ providers: [JobsService], exports: [JobsService] })
export class JobsModule {}
