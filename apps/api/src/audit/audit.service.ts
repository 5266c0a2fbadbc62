import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';

export interface AuditRecord {
  stream: string;
  action: string;
  actorId?: string | null;
  data?: Record<string, unknown>;
}

export interface AuditVerification {
  ok: boolean;
  checked: number;
  streams: number;
  firstBroken?: { id: string; stream: string; seq: number; reason: 'hash_mismatch' | 'prev_hash_mismatch' | 'seq_gap' };
}

export const GENESIS_HASH = '0'.repeat(64);

/**
 * The hash of an entry, computed by PostgreSQL itself so that writing and verifying use one definition:
 * sha256(prev_hash | stream | seq | action | actor | at in µs | data as canonical jsonb text).
 */
const HASH_SQL = (alias: string, prev: string): string =>
  `encode(sha256(convert_to(${prev} || '|' || ${alias}stream || '|' || ${alias}seq::text || '|' || ${alias}action || '|' || coalesce(${alias}actor_id::text, '') || '|' || ((extract(epoch from ${alias}at) * 1000000)::bigint)::text || '|' || ${alias}data::text, 'UTF8')), 'hex')`;

@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Appends one entry inside the caller's transaction. `streamLocked` says the caller already holds a lock
   * that serialises writers of this stream (e.g. the lot row `FOR UPDATE`); otherwise an advisory
   * transaction lock on the stream is taken first, in its own statement, so the next statement's snapshot
   * sees the last committed entry.
   */
  async append(em: EntityManager, record: AuditRecord, streamLocked = false): Promise<void> {
    if (!streamLocked) await em.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 7))', [record.stream]);
    await em.query(`WITH ${AuditService.appendCte({ stream: '$1', action: '$2', actor: '$3', data: '$4' })} SELECT 1`, [
      record.stream,
      record.action,
      record.actorId ?? null,
      JSON.stringify(record.data ?? {}),
    ]);
  }

  /**
   * The same append as a CTE named `audit`, for a hot path that writes its change and its audit entry in
   * one statement. The caller must hold the stream's lock (e.g. the lot row); `$n` placeholders name the
   * statement's parameters for stream, action, actor and data (jsonb text). With `source`, the name of an
   * earlier CTE of at most one row, the entry is written only if that CTE has its row, and `data` may read
   * its columns as `src.<column>`.
   *
   * The stream's last entry is read with the statement's snapshot. A statement that takes the stream's
   * lock itself (an UPDATE of the lot row in the same statement) may therefore miss an entry committed
   * while it waited for the lock: its entry then repeats that seq, and the unique (stream, seq) index
   * refuses the whole statement rather than forking the chain.
   */
  static appendCte(p: { stream: string; action: string; actor: string; data: string; source?: string }): string {
    // The stream's last entry is read once (one index descent) for both its seq and its hash.
    return `audit AS (
      INSERT INTO audit_log (stream, seq, action, actor_id, data, at, prev_hash, hash)
      SELECT row.stream, row.seq, row.action, row.actor_id, row.data, row.at, row.prev_hash, ${HASH_SQL('row.', 'row.prev_hash')}
      FROM (SELECT ${p.stream}::text AS stream, coalesce(last.seq, 0) + 1 AS seq,
                   ${p.action}::text AS action, ${p.actor}::uuid AS actor_id, ${p.data}::jsonb AS data, clock_timestamp() AS at,
                   coalesce(last.hash, '${GENESIS_HASH}') AS prev_hash
            FROM ${p.source ?? '(VALUES (1))'} src
            LEFT JOIN (SELECT a.seq, a.hash FROM audit_log a WHERE a.stream = ${p.stream} ORDER BY a.seq DESC LIMIT 1) last ON true) row
      RETURNING 1)`;
  }

  /** Recomputes every chain and reports the first broken link (lowest id). */
  async verify(): Promise<AuditVerification> {
    const rows = (await this.dataSource.query(
      `WITH chained AS (
         SELECT a.id, a.stream, a.seq, a.prev_hash, a.hash,
                lag(a.hash, 1, '${GENESIS_HASH}') OVER w AS expected_prev,
                lag(a.seq, 1, 0) OVER w AS prev_seq,
                ${HASH_SQL('a.', 'a.prev_hash')} AS recomputed
         FROM audit_log a WINDOW w AS (PARTITION BY a.stream ORDER BY a.seq))
       SELECT (SELECT count(*) FROM audit_log)::int AS checked,
              (SELECT count(DISTINCT stream) FROM audit_log)::int AS streams,
              b.id, b.stream, b.seq,
              CASE WHEN b.seq <> b.prev_seq + 1 THEN 'seq_gap' WHEN b.prev_hash <> b.expected_prev THEN 'prev_hash_mismatch' ELSE 'hash_mismatch' END AS reason
       FROM (SELECT 1) one
       LEFT JOIN LATERAL (SELECT * FROM chained WHERE seq <> prev_seq + 1 OR prev_hash <> expected_prev OR hash <> recomputed ORDER BY id LIMIT 1) b ON true`,
    )) as { checked: number; streams: number; id: string | null; stream: string; seq: number; reason: 'hash_mismatch' | 'prev_hash_mismatch' | 'seq_gap' }[];
    const row = rows[0];
    return row.id === null
      ? { ok: true, checked: row.checked, streams: row.streams }
      : { ok: false, checked: row.checked, streams: row.streams, firstBroken: { id: String(row.id), stream: row.stream, seq: row.seq, reason: row.reason } };
  }
}
