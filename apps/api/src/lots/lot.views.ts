import { effectiveStatus, type LotState, type LotStatus } from '@fapai/domain';
import type { Lot, LotFile } from './lot.entity.js';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** Public fields only: never who is behind a bidder code, never internal ids of enrolments. */
export function publicLotView(lot: Lot, now: Date, extra: { courtName?: string; caseNumber?: string } = {}) {
  const status: LotStatus = effectiveStatus(toLotState(lot), now.getTime());
  return {
    id: lot.id,
    status,
    statusReason: lot.statusReason,
    round: lot.round,
    previousLotId: lot.previousLotId,
    propertyType: lot.propertyType,
    title: lot.title,
    description: lot.description,
    province: lot.province,
    city: lot.city,
    address: lot.address,
    courtId: lot.courtId,
    courtName: extra.courtName ?? null,
    caseNumber: extra.caseNumber ?? null,
    photos: lot.files.filter((f) => f.kind === 'photo').map((f) => fileView(lot.id, f)),
    documents: lot.files.filter((f) => f.kind === 'document').map((f) => fileView(lot.id, f)),
    knownDefects: lot.knownDefects,
    encumbrances: lot.encumbrances,
    occupancy: lot.occupancy,
    taxBurden: lot.taxBurden,
    priorityHolders: lot.priorityHolders.map((h) => ({ name: h.name, nature: h.nature, rank: h.rank })),
    disclosures: lot.disclosures,
    referencePrice: lot.referencePrice,
    referencePriceBasis: lot.referencePriceBasis,
    valuationId: lot.valuationId,
    startingPrice: lot.startingPrice,
    increment: lot.increment,
    deposit: lot.deposit,
    currency: 'CNY',
    announceAt: iso(lot.announceAt),
    publishedAt: iso(lot.publishedAt),
    startsAt: iso(lot.startsAt),
    endsAt: iso(lot.endsAt),
    scheduledEndsAt: iso(lot.scheduledEndsAt),
    balanceDueDays: lot.balanceDueDays,
    currentPrice: lot.currentPrice,
    leaderCode: lot.leaderCode,
    bidCount: lot.bidCount,
    seq: lot.seq,
    extensionCount: lot.extensionCount,
    enrolledCount: lot.enrolledCount,
    pausedRemainingMs: lot.pausedRemainingMs,
    closedAt: iso(lot.closedAt),
    disposition: lot.disposition,
  };
}

export type PublicLotView = ReturnType<typeof publicLotView>;

/** What the clerk of the lot's court sees: everything, including drafts and the notices. */
export function courtLotView(lot: Lot, now: Date, extra: { courtName?: string; caseNumber?: string } = {}) {
  return { ...publicLotView(lot, now, extra), caseId: lot.caseId, notices: lot.notices, createdBy: lot.createdBy, createdAt: lot.createdAt.toISOString(), updatedAt: lot.updatedAt.toISOString() };
}

function fileView(lotId: string, file: LotFile) {
  return { id: file.id, name: file.name, contentType: file.contentType, size: file.size, url: `/api/lots/${lotId}/files/${file.id}` };
}

/** The lifecycle fields the domain state machine decides on (a draft may lack its times yet). */
export function toLotState(lot: Lot): LotState {
  return {
    status: lot.status,
    startsAt: lot.startsAt?.getTime() ?? Number.MAX_SAFE_INTEGER,
    endsAt: lot.endsAt?.getTime() ?? Number.MAX_SAFE_INTEGER,
    bidCount: lot.bidCount,
    pausedFrom: lot.pausedFrom,
    pausedRemainingMs: lot.pausedRemainingMs,
    statusReason: lot.statusReason,
    setAsideGround: lot.setAsideGround,
  };
}

/** Writes a state decided by the domain back onto the row. */
export function applyLotState(lot: Lot, state: LotState): void {
  lot.status = state.status;
  lot.startsAt = state.startsAt === Number.MAX_SAFE_INTEGER ? lot.startsAt : new Date(state.startsAt);
  lot.endsAt = state.endsAt === Number.MAX_SAFE_INTEGER ? lot.endsAt : new Date(state.endsAt);
  lot.pausedFrom = state.pausedFrom;
  lot.pausedRemainingMs = state.pausedRemainingMs;
  lot.statusReason = state.statusReason;
  lot.setAsideGround = state.setAsideGround;
}
