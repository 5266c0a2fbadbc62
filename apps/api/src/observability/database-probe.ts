/**
 * Whether PostgreSQL answers, asked on a connection of its own rather than through the pool.
 *
 * Readiness (GET /api/health) and `fapai_db_up` must say "the database is down", not "every pooled connection
 * is busy". In an auction's last minutes the pool is saturated by bids; a probe queued behind them waited up
 * to the pool's connection timeout, answered 503, and a load balancer then took a working instance out and
 * pushed its bidders onto the others, which saturate in turn. So the probe has one connection of its own,
 * opened on first use, dropped whenever it fails or is slow, and opened again on the next probe. A busy pool
 * is reported beside it (`pool` in GET /api/health, `fapai_db_pool_waiting_requests`), never as down.
 *
 * Probes that overlap share one `SELECT 1` (a scraper and a load balancer asking at once cost one query),
 * and none waits longer than DB_PROBE_MS.
 */
import type { OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { ownConnectionConfig } from '../database/pool.js';

/**
 * How long a probe waits for `SELECT 1`: a database that does not answer would otherwise hold a Prometheus
 * scrape (default timeout 10 s) or a readiness check until the kernel gives up on the connection.
 */
export const DB_PROBE_MS = 2_000;

/** What the probe needs of a pg client (a test may hand in its own). */
export interface ProbeClient {
  connect(): Promise<unknown>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** Provided by ObservabilityModule through `forDataSource`; a test hands in its own client factory. */
export class DatabaseProbe implements OnApplicationShutdown {
  private client: ProbeClient | null = null;
  private inFlight: Promise<boolean> | null = null;
  private closed = false;

  constructor(private readonly newClient: () => ProbeClient) {}

  /** A probe with connections like the pool's (ownConnectionConfig), bounded by DB_PROBE_MS. */
  static forDataSource(db: DataSource): DatabaseProbe {
    return new DatabaseProbe(() => new pg.Client({ ...ownConnectionConfig(db), connectionTimeoutMillis: DB_PROBE_MS, application_name: 'fapai-health-probe', statement_timeout: DB_PROBE_MS }));
  }

  /** True when PostgreSQL answered `SELECT 1` within DB_PROBE_MS. */
  up(): Promise<boolean> {
    return (this.inFlight ??= this.ask().finally(() => (this.inFlight = null)));
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    await this.drop();
  }

  private async ask(): Promise<boolean> {
    if (this.closed) return false;
    let timer: NodeJS.Timeout | undefined;
    const attempt = { late: false };
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => {
        attempt.late = true;
        resolve(false);
      }, DB_PROBE_MS);
    });
    try {
      const ok = await Promise.race([this.select(attempt), late]);
      // A connection that did not answer in time may never answer: the next probe starts afresh.
      if (!ok) void this.drop();
      return ok;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * A kept connection that fails (its server process was terminated, PostgreSQL restarted while it idled) is
   * replaced and asked once more: the database answering a fresh connection is up.
   */
  private async select(attempt: { late: boolean }): Promise<boolean> {
    const kept = this.client;
    if (kept && (await this.selectOn(kept))) return true;
    // A probe already answered (down, by its deadline) opens nothing more.
    if (attempt.late) return false;
    try {
      return await this.selectOn(await this.connect());
    } catch {
      return false;
    }
  }

  private async selectOn(client: ProbeClient): Promise<boolean> {
    try {
      await client.query('SELECT 1');
      return true;
    } catch {
      // Only the connection that failed: a later probe may already have opened the next one.
      if (this.client === client) void this.drop();
      return false;
    }
  }

  private async connect(): Promise<ProbeClient> {
    const client = this.newClient();
    // A connection lost between probes (PostgreSQL restarted) is dropped here; without a listener the
    // 'error' event would end the process.
    client.on('error', () => {
      if (this.client === client) this.client = null;
      client.end().catch(() => undefined);
    });
    try {
      await client.connect();
    } catch (error) {
      client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      throw new Error('probe closed');
    }
    // A connect that outlived its probe still serves the next one.
    this.client?.end().catch(() => undefined);
    this.client = client;
    return client;
  }

  private async drop(): Promise<void> {
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }
}
