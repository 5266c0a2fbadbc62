import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Lot } from './lot.entity.js';
import { publicLotView, type PublicLotView } from './lot.views.js';
import type { SearchLotsQuery } from './lots.dto.js';

/** The status a reader sees: an announced lot is live from `startsAt` on, whether or not a job has run. */
export const EFFECTIVE_STATUS_SQL = `(CASE WHEN l.status = 'announced' AND l.starts_at <= now() THEN 'live' ELSE l.status END)`;

/**
 * Public search (GET /api/lots). Chinese titles are not segmented by PostgreSQL's text search, so `q` uses
 * a trigram index (pg_trgm) with ILIKE, which matches any substring of two or more characters.
 */
@Injectable()
export class LotSearch {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async search(query: SearchLotsQuery): Promise<{ items: PublicLotView[]; total: number; page: number; pageSize: number }> {
    const where: string[] = [`l.status <> 'draft'`];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown): void => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (query.status) add(`${EFFECTIVE_STATUS_SQL} = ?`, query.status);
    if (query.propertyType) add('l.property_type = ?', query.propertyType);
    if (query.round) add('l.round = ?', query.round);
    if (query.courtId) add('l.court_id = ?', query.courtId);
    if (query.province) add('l.province = ?', query.province);
    if (query.city) add('l.city = ?', query.city);
    if (query.q) add(`(l.title || ' ' || l.description || ' ' || l.address) ILIKE ?`, `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    if (query.minPrice !== undefined) add('coalesce(l.current_price, l.starting_price) >= ?', query.minPrice);
    if (query.maxPrice !== undefined) add('coalesce(l.current_price, l.starting_price) <= ?', query.maxPrice);
    if (query.endsAfter) add('l.ends_at >= ?', query.endsAfter);
    if (query.endsBefore) add('l.ends_at <= ?', query.endsBefore);
    if (query.startsAfter) add('l.starts_at >= ?', query.startsAfter);
    if (query.startsBefore) add('l.starts_at <= ?', query.startsBefore);
    const order = {
      ending_soon: `(CASE WHEN ${EFFECTIVE_STATUS_SQL} IN ('live', 'announced') THEN 0 ELSE 1 END), l.ends_at ASC NULLS LAST, l.id`,
      newest: 'l.published_at DESC NULLS LAST, l.id',
      price_asc: 'coalesce(l.current_price, l.starting_price) ASC NULLS LAST, l.id',
      price_desc: 'coalesce(l.current_price, l.starting_price) DESC NULLS LAST, l.id',
    }[query.sort ?? 'newest'];
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? 20;
    const whereSql = where.join(' AND ');
    const rows = (await this.db.query(
      `SELECT l.id, c.name AS court_name, k.case_number, count(*) OVER () AS total, now() AS now
       FROM lots l JOIN courts c ON c.id = l.court_id JOIN cases k ON k.id = l.case_id
       WHERE ${whereSql} ORDER BY ${order} LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`,
      params,
    )) as { id: string; court_name: string; case_number: string; total: string; now: Date }[];
    if (rows.length === 0) {
      const total = (await this.db.query(`SELECT count(*)::int AS n FROM lots l WHERE ${whereSql}`, params)) as { n: number }[];
      return { items: [], total: total[0].n, page, pageSize };
    }
    const lots = await this.db.getRepository(Lot).createQueryBuilder('l').where('l.id IN (:...ids)', { ids: rows.map((r) => r.id) }).getMany();
    const byId = new Map(lots.map((l) => [l.id, l]));
    return {
      items: rows.map((r) => publicLotView(byId.get(r.id)!, r.now, { courtName: r.court_name, caseNumber: r.case_number })),
      total: Number(rows[0].total),
      page,
      pageSize,
    };
  }
}
