/**
 * The revocation version of each account's tokens (logout everywhere, password change), as the access
 * guard needs it on every request without a query per request.
 *
 * Versions are cached per user. Every revocation also sends `NOTIFY fapai_token_revoked, '<user id>'` in
 * its own transaction; each instance LISTENs on one dedicated connection and forgets that user's entry, so
 * a revocation on any instance takes effect on all at once. While the listener is connected, entries live
 * a minute (a safety net only); while it is not (database restart), they live a few seconds and the
 * whole cache is dropped when it reconnects, since notifications sent meanwhile were lost.
 *
 * Each revocation this instance learns of (its own, right after the commit, and every notification) is also
 * published as `TokensRevoked`, for what holds a checked token longer than one request: the realtime gateway's
 * signed-in sockets.
 */
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { ownConnectionConfig } from '../database/pool.js';

export const TOKEN_REVOKED_CHANNEL = 'fapai_token_revoked';
const TTL_LISTENING_MS = 60_000;
const TTL_DEAF_MS = 3_000;

/**
 * The tokens of `userId` were revoked; `null` when this instance cannot know whose (its listener is back
 * after an outage, and revocations notified meanwhile were lost): every token must be checked again.
 */
export class TokensRevoked {
  static readonly topic = 'tokens.revoked';
  constructor(readonly userId: string | null) {}
}

@Injectable()
export class TokenVersions implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('TokenVersions');
  private readonly cache = new Map<string, { version: number | null; until: number }>();
  private listener: pg.Client | null = null;
  private listening = false;
  private stopping = false;
  private retry: NodeJS.Timeout | null = null;
  private listenedBefore = false;
  /** Bumped by every revocation: a version read that a revocation overtook is answered but not cached. */
  private generation = 0;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly events: EventEmitter2,
  ) {}

  async current(userId: string): Promise<number | null> {
    const cached = this.cache.get(userId);
    if (cached && cached.until > Date.now()) return cached.version;
    const generation = this.generation;
    const rows = (await this.db.query('SELECT token_version FROM users WHERE id = $1', [userId])) as { token_version: number }[];
    const version = rows[0]?.token_version ?? null;
    // A revocation heard while the read was in flight may have committed after it: caching what it read would
    // accept the revoked tokens for another minute on this instance.
    if (generation !== this.generation) return version;
    if (this.cache.size > 200_000) this.cache.clear();
    this.cache.set(userId, { version, until: Date.now() + (this.listening ? TTL_LISTENING_MS : TTL_DEAF_MS) });
    return version;
  }

  /**
   * Bumps the version inside the caller's transaction and tells every instance once it commits. The caller
   * calls `forget` after the commit: forgetting before it would let a request re-cache the old version.
   */
  async revoke(em: EntityManager, userId: string): Promise<void> {
    await em.query('UPDATE users SET token_version = token_version + 1 WHERE id = $1', [userId]);
    await em.query('SELECT pg_notify($1, $2::text)', [TOKEN_REVOKED_CHANNEL, userId]);
  }

  /**
   * Forgets a user's entry right after the revoking transaction committed (this instance), and publishes the
   * revocation here at once rather than when this instance's own notification comes back.
   */
  forget(userId: string): void {
    this.revoked(userId);
  }

  /** After the entry is gone, so that a listener checking a token again reads the new version. */
  private revoked(userId: string | null): void {
    this.generation += 1;
    if (userId === null) this.cache.clear();
    else this.cache.delete(userId);
    this.events.emit(TokensRevoked.topic, new TokensRevoked(userId));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.listen();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.retry) clearTimeout(this.retry);
    await this.listener?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    if (this.stopping) return;
    const client = new pg.Client(ownConnectionConfig(this.db));
    const lost = (): void => {
      if (this.listener !== client) return;
      this.listener = null;
      this.listening = false;
      if (!this.stopping) this.retry = setTimeout(() => void this.listen(), 1000);
    };
    client.on('error', (error) => {
      this.logger.warn(`revocation listener lost: ${error.message}`);
      lost();
    });
    client.on('end', lost);
    client.on('notification', (n) => {
      if (n.channel === TOKEN_REVOKED_CHANNEL && n.payload) this.revoked(n.payload);
    });
    this.listener = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${TOKEN_REVOKED_CHANNEL}`);
      // Revocations sent while nobody listened are unknown: start from an empty cache (and, after an outage,
      // have every token held since checked again).
      this.listening = true;
      if (this.listenedBefore) this.revoked(null);
      else this.cache.clear();
      this.listenedBefore = true;
    } catch (error) {
      this.logger.warn(`revocation listener could not connect: ${error instanceof Error ? error.message : String(error)}`);
      await client.end().catch(() => undefined);
      lost();
    }
  }
}
