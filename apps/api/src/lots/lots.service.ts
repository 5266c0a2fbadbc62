import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DataSource, EntityManager } from 'typeorm';
import { applyLotEvent, checkPublication, type LotEvent, type PartyNotice as DomainNotice, type RulesProfile } from '@fapai/domain';
import { AuditService } from '../audit/audit.service.js';
import type { AuthUser } from '../common/auth.js';
import { dbNow } from '../common/db.js';
import { APP_CONFIG, RULES, type AppConfig } from '../config/env.js';
import { Lot, type LotFile, type PartyNotice } from './lot.entity.js';
import { LotError } from './lots.errors.js';
import type { CreateLotDto, SearchLotsQuery, UpdateLotDto } from './lots.dto.js';
import { applyLotState, courtLotView, publicLotView, toLotState, type PublicLotView } from './lot.views.js';
import { LotSearch } from './lot.search.js';
import { nameForContent, sniffFileType } from './file-type.js';
import { ValuationService } from '../valuation/valuation.service.js';
import { JobsService } from '../jobs/jobs.service.js';
import { DEPOSIT_RELEASE, depositReleaseJob, lotCloseJob } from '../closing/closing.queues.js';
import { readStoredFile } from '../common/upload.js';
import { isoTimes } from '../common/iso-times.js';

export const MAX_FILES_PER_LOT = 30;

/** Domain event published after commit when a lot's status changes (the realtime module forwards it). */
export class LotStatusChanged {
  constructor(
    readonly lotId: string,
    readonly status: string,
    readonly endsAt: string | null,
    readonly reason: string | null,
  ) {}
}

@Injectable()
export class LotsService {
  private readonly logger = new Logger('Lots');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly events: EventEmitter2,
    private readonly search: LotSearch,
    @Inject(RULES) private readonly rules: RulesProfile,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly valuations: ValuationService,
    private readonly jobs: JobsService,
  ) {}

  async createDraft(clerk: AuthUser, dto: CreateLotDto) {
    const id = await this.db.transaction(async (em) => {
      const found = (await em.query('SELECT 1 FROM cases WHERE id = $1 AND court_id = $2', [dto.caseId, clerk.courtId])) as unknown[];
      if (found.length === 0) throw new LotError('CASE_NOT_IN_COURT', { field: 'caseId' });
      const lot = em.create(Lot, {
        ...this.fieldsFrom(dto),
        caseId: dto.caseId,
        courtId: clerk.courtId!,
        status: 'draft',
        round: 'first',
        propertyType: dto.propertyType,
        title: dto.title,
        balanceDueDays: dto.balanceDueDays ?? this.rules.auction.defaultBalanceDueDays,
        createdBy: clerk.id,
      });
      const saved = await em.save(lot);
      await this.audit.append(em, { stream: `lot:${saved.id}`, action: 'lot.draft_created', actorId: clerk.id, data: { caseId: dto.caseId, title: dto.title } });
      return saved.id;
    });
    return this.getForCourt(clerk, id);
  }

  async updateDraft(clerk: AuthUser, id: string, dto: UpdateLotDto) {
    await this.db.transaction(async (em) => {
      const lot = await this.lockOwnLot(em, clerk, id);
      if (lot.status !== 'draft') throw new LotError('LOT_NOT_DRAFT', { status: lot.status });
      Object.assign(lot, this.fieldsFrom(dto));
      if (dto.propertyType) lot.propertyType = dto.propertyType;
      if (dto.title) lot.title = dto.title;
      if (dto.balanceDueDays) lot.balanceDueDays = dto.balanceDueDays;
      await em.save(lot);
      await this.audit.append(em, { stream: `lot:${id}`, action: 'lot.draft_updated', actorId: clerk.id, data: { fields: Object.keys(dto) } }, true);
    });
    return this.getForCourt(clerk, id);
  }

  /** Publication (发布公告): every statutory check of the rules profile runs here; all violations are returned. */
  async publish(clerk: AuthUser, id: string) {
    const result = await this.db.transaction(async (em) => {
      const lot = await this.lockOwnLot(em, clerk, id);
      if (lot.status !== 'draft') throw new LotError('LOT_NOT_DRAFT', { status: lot.status });
      const now = await dbNow(em);
      const previous = lot.previousLotId ? await em.findOneBy(Lot, { id: lot.previousLotId }) : null;
      // RPR Arts. 2, 27: a lot linked to a valuation takes its reference price from it, within its validity.
      const valuation = await this.valuations.publicationCheck(em, lot, now);
      if (valuation.referencePrice !== null) {
        lot.referencePrice = valuation.referencePrice;
        lot.referencePriceBasis = lot.referencePriceBasis || (valuation.basis ?? '');
      }
      const statutory = checkPublication(
        {
          round: lot.round,
          propertyType: lot.propertyType,
          referencePrice: lot.referencePrice,
          startingPrice: lot.startingPrice ?? 0,
          increment: lot.increment ?? 0,
          deposit: lot.deposit ?? 0,
          announceAt: lot.announceAt?.getTime() ?? null,
          startsAt: lot.startsAt?.getTime() ?? Number.NaN,
          endsAt: lot.endsAt?.getTime() ?? Number.NaN,
          notices: lot.notices.map(toDomainNotice),
          disclosures: lot.disclosures,
        },
        {
          now: now.getTime(),
          profile: this.rules,
          previousRound: previous ? { round: previous.round, startingPrice: previous.startingPrice ?? 0, endedAt: (previous.closedAt ?? previous.endsAt ?? now).getTime() } : null,
        },
      );
      const violations = [...statutory.map((v) => ({ ...v, details: isoTimes(v.details) })), ...valuation.violations];
      if (violations.length > 0) return { ok: false as const, violations };
      const next = applyLotEvent(toLotState(lot), { type: 'publish' }, now.getTime(), this.rules);
      if (!next.ok) throw new LotError('LOT_TRANSITION_REFUSED', { reason: next.code }, next.message);
      applyLotState(lot, next.lot);
      lot.announceAt = lot.announceAt ?? now;
      lot.publishedAt = now;
      lot.scheduledEndsAt = lot.endsAt;
      await em.save(lot);
      await this.audit.append(em, { stream: `lot:${id}`, action: 'lot.published', actorId: clerk.id, data: { startingPrice: lot.startingPrice, deposit: lot.deposit, startsAt: lot.startsAt, endsAt: lot.endsAt } }, true);
      if (lot.endsAt) await this.jobs.send(lotCloseJob(id, lot.endsAt), em);
      return { ok: true as const, lot };
    });
    if (!result.ok) {
      throw new LotError('PUBLICATION_REFUSED', { violations: result.violations }, `publication refused: ${result.violations.map((v) => `${v.code} (${v.field}, ${v.article})`).join('; ')}`);
    }
    this.events.emit('lot.status', new LotStatusChanged(id, 'announced', result.lot.endsAt?.toISOString() ?? null, null));
    return this.getForCourt(clerk, id);
  }

  /** Suspend (中止), postpone (暂缓), resume or withdraw (撤回) — OJA Art. 28, ASR Art. 17; the reason is published. */
  async changeStatus(clerk: AuthUser, id: string, event: LotEvent) {
    const lot = await this.db.transaction(async (em) => {
      const locked = await this.lockOwnLot(em, clerk, id);
      const now = await dbNow(em);
      const next = applyLotEvent(toLotState(locked), event, now.getTime(), this.rules);
      if (!next.ok) throw new LotError('LOT_TRANSITION_REFUSED', { reason: next.code, article: next.article }, next.message);
      applyLotState(locked, next.lot);
      // A lot resumed with a new schedule (paused before it went live) has a new scheduled end.
      if (event.type === 'resume' && next.lot.status === 'announced') locked.scheduledEndsAt = locked.endsAt;
      await em.save(locked);
      await this.audit.append(em, { stream: `lot:${id}`, action: `lot.${event.type}`, actorId: clerk.id, data: { status: locked.status, reason: reasonOf(event, locked), endsAt: locked.endsAt } }, true);
      // Background work, enqueued with the change: the close at the (restored) end, or the deposits returned.
      if (locked.endsAt && (locked.status === 'announced' || locked.status === 'live')) await this.jobs.send(lotCloseJob(id, locked.endsAt), em);
      if (locked.status === 'withdrawn') await this.jobs.send(depositReleaseJob(id, null), em);
      return locked;
    });
    this.events.emit('lot.status', new LotStatusChanged(id, lot.status, lot.endsAt?.toISOString() ?? null, reasonOf(event, lot)));
    if (lot.status === 'withdrawn') this.jobs.nudge(DEPOSIT_RELEASE);
    return this.getForCourt(clerk, id);
  }

  async getPublic(id: string): Promise<PublicLotView> {
    const rows = (await this.db.query(
      `SELECT c.name AS court_name, k.case_number, now() AS now FROM lots l JOIN courts c ON c.id = l.court_id JOIN cases k ON k.id = l.case_id WHERE l.id = $1 AND l.status <> 'draft'`,
      [id],
    )) as { court_name: string; case_number: string; now: Date }[];
    const lot = rows.length ? await this.db.getRepository(Lot).findOneBy({ id }) : null;
    if (!lot) throw new LotError('LOT_NOT_FOUND');
    return publicLotView(lot, rows[0].now, { courtName: rows[0].court_name, caseNumber: rows[0].case_number });
  }

  /**
   * Where each lot's record stands, for the realtime relay's sweep: its last seq; whether it closed more than
   * `closedForS` ago (with its result); whether it stopped taking bids otherwise (withdrawn 撤回, suspended
   * 中止, postponed 暂缓). A lot missing from the answer no longer exists.
   */
  async progressOf(
    ids: string[],
    closedForS: number,
  ): Promise<{ id: string; seq: number; closed: { outcome: 'sold' | 'unsold'; price: number | null; bidderCode: string | null } | null; closedLongAgo: boolean; notBidding: boolean }[]> {
    const rows = (await this.db.query(
      `SELECT id, seq, status, current_price, leader_code, closed_at IS NOT NULL AND closed_at < now() - make_interval(secs => $2) AS closed_long_ago FROM lots WHERE id = ANY($1)`,
      [ids, closedForS],
    )) as { id: string; seq: number; status: string; current_price: string | null; leader_code: string | null; closed_long_ago: boolean }[];
    return rows.map((r) => ({
      id: r.id,
      seq: r.seq,
      closedLongAgo: r.closed_long_ago,
      notBidding: r.status === 'withdrawn' || r.status === 'suspended' || r.status === 'postponed',
      closed:
        r.closed_long_ago && (r.status === 'sold' || r.status === 'unsold')
          ? { outcome: r.status, price: r.status === 'sold' && r.current_price !== null ? Number(r.current_price) : null, bidderCode: r.status === 'sold' ? r.leader_code : null }
          : null,
    }));
  }

  searchPublic(query: SearchLotsQuery) {
    return this.search.search(query);
  }

  async getForCourt(clerk: AuthUser, id: string) {
    const lot = await this.db.getRepository(Lot).findOneBy({ id, courtId: clerk.courtId! });
    if (!lot) throw new LotError('LOT_NOT_FOUND');
    const rows = (await this.db.query('SELECT c.name AS court_name, k.case_number, now() AS now FROM courts c, cases k WHERE c.id = $1 AND k.id = $2', [lot.courtId, lot.caseId])) as { court_name: string; case_number: string; now: Date }[];
    return courtLotView(lot, rows[0].now, { courtName: rows[0].court_name, caseNumber: rows[0].case_number });
  }

  async listForCourt(clerk: AuthUser) {
    const lots = await this.db.getRepository(Lot).find({ where: { courtId: clerk.courtId! }, order: { createdAt: 'DESC' }, take: 500 });
    const now = new Date();
    return lots.map((lot) => courtLotView(lot, now));
  }

  /**
   * The next round of the same property, as a draft linked to this one: a re-auction after a default
   * (OJA Art. 24, the defaulter barred), a second round after an unsold first (Art. 26: start ≤ 20 % lower,
   * within 30 days, announced 7 / 15 days ahead — checked at publication), or a sale-off (变卖) after an
   * unsold second round at the second round's start (PRACTICE, rulebook §6.3).
   */
  async relist(clerk: AuthUser, id: string) {
    const newId = await this.db.transaction(async (em) => {
      const lot = await this.lockOwnLot(em, clerk, id);
      const next = lot.status === 'defaulted' ? lot.round : lot.status === 'unsold' && lot.round === 'first' ? 'second' : lot.status === 'unsold' && lot.round === 'second' ? 'sale_off' : null;
      const already = (await em.query('SELECT 1 FROM lots WHERE previous_lot_id = $1', [id])) as unknown[];
      if (!next || already.length > 0 || lot.disposition) throw new LotError('RELIST_NOT_ALLOWED', { status: lot.status, round: lot.round });
      const copy = em.create(Lot, {
        courtId: lot.courtId,
        caseId: lot.caseId,
        status: 'draft',
        round: next,
        previousLotId: lot.id,
        propertyType: lot.propertyType,
        title: lot.title,
        description: lot.description,
        province: lot.province,
        city: lot.city,
        address: lot.address,
        files: lot.files,
        knownDefects: lot.knownDefects,
        encumbrances: lot.encumbrances,
        occupancy: lot.occupancy,
        taxBurden: lot.taxBurden,
        priorityHolders: lot.priorityHolders,
        disclosures: lot.disclosures,
        notices: [],
        referencePrice: lot.referencePrice,
        referencePriceBasis: lot.referencePriceBasis,
        valuationId: lot.valuationId,
        startingPrice: lot.startingPrice,
        increment: lot.increment,
        deposit: lot.deposit,
        balanceDueDays: lot.balanceDueDays,
        createdBy: clerk.id,
      });
      const saved = await em.save(copy);
      await this.audit.append(em, { stream: `lot:${id}`, action: 'lot.relisted', actorId: clerk.id, data: { nextLotId: saved.id, round: next } }, true);
      await this.audit.append(em, { stream: `lot:${saved.id}`, action: 'lot.draft_created', actorId: clerk.id, data: { previousLotId: id, round: next } });
      return saved.id;
    });
    return this.getForCourt(clerk, newId);
  }

  /** After the last round fails: take the property in satisfaction of debt, or release the seizure (ASR Arts. 16, 24, 25, 32 ¶3). */
  async dispose(clerk: AuthUser, id: string, path: 'satisfaction_of_debt' | 'release_seizure', note: string) {
    await this.db.transaction(async (em) => {
      const lot = await this.lockOwnLot(em, clerk, id);
      const next = (await em.query('SELECT 1 FROM lots WHERE previous_lot_id = $1', [id])) as unknown[];
      if (lot.status !== 'unsold' || lot.round === 'first' || lot.disposition || next.length > 0) throw new LotError('DISPOSITION_NOT_ALLOWED', { status: lot.status, round: lot.round });
      lot.disposition = { path, note, decidedAt: new Date().toISOString() };
      await em.save(lot);
      await this.audit.append(em, { stream: `lot:${id}`, action: 'lot.disposition', actorId: clerk.id, data: { path, note } }, true);
    });
    return this.getForCourt(clerk, id);
  }

  /** Every round of the same property (一拍 → 二拍 → 变卖), oldest first, public fields. */
  async rounds(id: string) {
    const rows = (await this.db.query(
      `WITH RECURSIVE up AS (SELECT id, previous_lot_id FROM lots WHERE id = $1 UNION ALL SELECT l.id, l.previous_lot_id FROM lots l JOIN up ON l.id = up.previous_lot_id),
            root AS (SELECT id FROM up WHERE previous_lot_id IS NULL),
            down AS (SELECT id, 0 AS depth FROM root UNION ALL SELECT l.id, d.depth + 1 FROM lots l JOIN down d ON l.previous_lot_id = d.id)
       SELECT l.id, l.round, l.status, l.starting_price, l.current_price, l.starts_at, l.ends_at, l.closed_at, d.depth, now() AS now
       FROM down d JOIN lots l ON l.id = d.id WHERE l.status <> 'draft' ORDER BY d.depth`,
      [id],
    )) as { id: string; round: string; status: string; starting_price: string | null; current_price: string | null; starts_at: Date | null; ends_at: Date | null; closed_at: Date | null; depth: number }[];
    if (rows.length === 0) throw new LotError('LOT_NOT_FOUND');
    return rows.map((r) => ({
      id: r.id,
      round: r.round,
      status: r.status,
      startingPrice: r.starting_price === null ? null : Number(r.starting_price),
      finalPrice: r.status === 'sold' || r.status === 'transferred' || r.status === 'defaulted' ? Number(r.current_price) : null,
      startsAt: r.starts_at?.toISOString() ?? null,
      endsAt: r.ends_at?.toISOString() ?? null,
      closedAt: r.closed_at?.toISOString() ?? null,
    }));
  }

  /** Uploads: checked by content (magic bytes), name against content (documents), size and count; stored under UPLOAD_DIR/<lotId>/. */
  async addFile(clerk: AuthUser, id: string, kind: 'photo' | 'document', file: { originalname: string; buffer: Buffer; size: number }) {
    if (file.size > this.config.uploadMaxBytes) throw new LotError('FILE_TOO_LARGE', { field: 'file', maxBytes: this.config.uploadMaxBytes }, `file is larger than the limit of ${this.config.uploadMaxBytes} bytes`);
    const type = sniffFileType(file.buffer);
    if (!type || (kind === 'photo' && type.kind !== 'image')) throw new LotError('FILE_TYPE_NOT_ALLOWED', { field: 'file', kind });
    // Documents are downloaded and opened by their name; photos are only shown in the gallery, so their
    // names are kept as given.
    const named = kind === 'document' ? nameForContent(file.originalname.slice(0, 200), type) : { name: file.originalname.slice(0, 200) };
    if ('claimed' in named) throw new LotError('FILE_TYPE_MISMATCH', { field: 'file', content: type.label, name: named.claimed }, `the file's content is ${type.label}, not ${named.claimed}`);
    const entry: LotFile = { id: randomUUID(), kind, name: named.name, contentType: type.mime, size: file.size, storedAs: '' };
    entry.storedAs = path.join(id, `${entry.id}.${type.ext}`);
    await this.db.transaction(async (em) => {
      const lot = await this.lockOwnLot(em, clerk, id);
      if (lot.status !== 'draft') throw new LotError('LOT_NOT_DRAFT', { status: lot.status });
      if (lot.files.length >= MAX_FILES_PER_LOT) throw new LotError('TOO_MANY_FILES', { field: 'file', max: MAX_FILES_PER_LOT });
      await mkdir(path.join(this.config.uploadDir, id), { recursive: true });
      await writeFile(path.join(this.config.uploadDir, entry.storedAs), file.buffer);
      lot.files = [...lot.files, entry];
      await em.save(lot);
      await this.audit.append(em, { stream: `lot:${id}`, action: 'lot.file_added', actorId: clerk.id, data: { fileId: entry.id, kind, size: entry.size, contentType: entry.contentType } }, true);
    });
    return this.getForCourt(clerk, id);
  }

  /** Files of published lots are public; drafts' files only for the court's clerks. */
  async readFile(id: string, fileId: string, user: AuthUser | undefined): Promise<{ file: LotFile; body: Buffer }> {
    const lot = await this.db.getRepository(Lot).findOneBy({ id });
    if (!lot || (lot.status === 'draft' && user?.courtId !== lot.courtId)) throw new LotError('LOT_NOT_FOUND');
    const file = lot.files.find((f) => f.id === fileId);
    if (!file) throw new LotError('FILE_NOT_FOUND');
    const body = await readStoredFile(this.config.uploadDir, file.storedAs);
    if (!body) {
      this.logger.error(`lot ${id}: the content of file ${file.id} is missing from ${this.config.uploadDir} (${file.storedAs})`);
      throw new LotError('FILE_CONTENT_MISSING', { fileId: file.id });
    }
    return { file, body };
  }

  /** Locks the lot row for a change by a clerk of its court; other courts get 404 (no existence leak). */
  private async lockOwnLot(em: EntityManager, clerk: AuthUser, id: string): Promise<Lot> {
    const lot = await em.getRepository(Lot).createQueryBuilder('l').setLock('pessimistic_write').where('l.id = :id AND l.court_id = :court', { id, court: clerk.courtId }).getOne();
    if (!lot) throw new LotError('LOT_NOT_FOUND');
    return lot;
  }

  private fieldsFrom(dto: UpdateLotDto): Partial<Lot> {
    const out: Partial<Lot> = {};
    const copy = <K extends keyof UpdateLotDto & keyof Lot>(key: K): void => {
      if (dto[key] !== undefined) (out as Record<string, unknown>)[key] = dto[key];
    };
    (['description', 'province', 'city', 'address', 'knownDefects', 'encumbrances', 'occupancy', 'taxBurden', 'referencePrice', 'referencePriceBasis', 'valuationId', 'startingPrice', 'increment', 'deposit'] as const).forEach((k) => copy(k));
    if (dto.priorityHolders) out.priorityHolders = dto.priorityHolders.map((h) => ({ name: h.name, nature: h.nature, rank: h.rank }));
    if (dto.disclosures) out.disclosures = { ...dto.disclosures };
    if (dto.notices) out.notices = dto.notices.map((n) => ({ party: n.party, role: n.role, kind: n.kind, at: n.at ? new Date(n.at).toISOString() : null }));
    if (dto.announceAt) out.announceAt = new Date(dto.announceAt);
    if (dto.startsAt) out.startsAt = new Date(dto.startsAt);
    if (dto.endsAt) out.endsAt = new Date(dto.endsAt);
    return out;
  }
}

/** A stored notice in the shape the publication check reads; a missing time never counts as served. */
function toDomainNotice(n: PartyNotice): DomainNotice {
  const at = n.at ? Date.parse(n.at) : Number.POSITIVE_INFINITY;
  switch (n.kind) {
    case 'notified':
      return { party: n.party, role: n.role, kind: 'notified', at };
    case 'waived':
      return { party: n.party, role: n.role, kind: 'waived' };
    case 'unreachable':
      return { party: n.party, role: n.role, kind: 'unreachable', publishedAt: at };
  }
}

/** The reason published with a status change: the pause's or withdrawal's, kept on the lot; a resumption's own. */
function reasonOf(event: LotEvent, lot: Lot): string | null {
  return event.type === 'resume' ? (event.reason ?? null) : lot.statusReason;
}
