/**
 * The lot draft form's values (money as yuan strings, times as Beijing datetime-local strings) and their
 * conversion to and from the API's CreateLotDto (fen, ISO UTC).
 */
import type { CourtLotView, LotDraftInput, NoticeView } from '../api/endpoints';
import { fenToYuanInput, yuanToFen } from '../format/money';
import { beijingInputToIso, isoToBeijingInput } from '../format/time';

export const DISCLOSURE_KEYS = [
  'announcementText',
  'enforcementTitle',
  'valuationBasis',
  'biddingRules',
  'titleAndEncumbrances',
  'priorityHolders',
  'notificationStatement',
  'paymentInstructions',
  'taxesAndFees',
  'courtContact',
  'specialWarnings',
  'other',
] as const;

export interface NoticeValues {
  party?: string;
  role?: NoticeView['role'];
  kind?: NoticeView['kind'];
  at?: string;
}

export interface DraftValues {
  caseId?: string;
  propertyType?: string;
  title?: string;
  description?: string;
  province?: string;
  city?: string;
  address?: string;
  knownDefects?: string;
  encumbrances?: string;
  occupancy?: string;
  taxBurden?: string;
  referencePrice?: string;
  referencePriceBasis?: string;
  startingPrice?: string;
  increment?: string;
  deposit?: string;
  announceAt?: string;
  startsAt?: string;
  endsAt?: string;
  balanceDueDays?: string | number;
  disclosures?: Partial<Record<(typeof DISCLOSURE_KEYS)[number], string>>;
  notices?: NoticeValues[];
  priorityHolders?: { name?: string; nature?: string; rank?: string | number }[];
}

const text = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());
const money = (v: string | undefined) => (text(v) === undefined ? undefined : (yuanToFen(v!) ?? undefined));
const time = (v: string | undefined) => (text(v) === undefined ? undefined : (beijingInputToIso(v!) ?? undefined));

export function toDraftInput(v: DraftValues, includeCase: boolean): LotDraftInput {
  const disclosures: Record<string, string> = {};
  for (const key of DISCLOSURE_KEYS) {
    const value = text(v.disclosures?.[key]);
    if (value !== undefined) disclosures[key] = value;
  }
  const days = v.balanceDueDays === undefined || v.balanceDueDays === '' ? undefined : Number(v.balanceDueDays);
  return {
    ...(includeCase ? { caseId: v.caseId } : {}),
    propertyType: v.propertyType,
    title: text(v.title),
    description: v.description ?? '',
    province: v.province ?? '',
    city: v.city ?? '',
    address: v.address ?? '',
    knownDefects: v.knownDefects ?? '',
    encumbrances: v.encumbrances ?? '',
    occupancy: v.occupancy ?? '',
    taxBurden: v.taxBurden ?? '',
    referencePrice: money(v.referencePrice),
    referencePriceBasis: v.referencePriceBasis ?? '',
    startingPrice: money(v.startingPrice),
    increment: money(v.increment),
    deposit: money(v.deposit),
    announceAt: time(v.announceAt),
    startsAt: time(v.startsAt),
    endsAt: time(v.endsAt),
    balanceDueDays: Number.isInteger(days) ? days : undefined,
    disclosures,
    notices: (v.notices ?? [])
      .filter((n) => text(n.party) !== undefined)
      .map((n) => ({ party: n.party!.trim(), role: n.role ?? 'party', kind: n.kind ?? 'notified', ...(time(n.at) ? { at: time(n.at) } : {}) })),
    priorityHolders: (v.priorityHolders ?? [])
      .filter((h) => text(h.name) !== undefined)
      .map((h) => ({ name: h.name!.trim(), nature: text(h.nature) ?? '', rank: Number(h.rank ?? 1) })),
  };
}

export function fromLot(lot: CourtLotView): DraftValues {
  return {
    caseId: lot.caseId,
    propertyType: lot.propertyType,
    title: lot.title,
    description: lot.description,
    province: lot.province,
    city: lot.city,
    address: lot.address,
    knownDefects: lot.knownDefects,
    encumbrances: lot.encumbrances,
    occupancy: lot.occupancy,
    taxBurden: lot.taxBurden,
    referencePrice: fenToYuanInput(lot.referencePrice),
    referencePriceBasis: lot.referencePriceBasis,
    startingPrice: fenToYuanInput(lot.startingPrice),
    increment: fenToYuanInput(lot.increment),
    deposit: fenToYuanInput(lot.deposit),
    announceAt: isoToBeijingInput(lot.announceAt),
    startsAt: isoToBeijingInput(lot.startsAt),
    endsAt: isoToBeijingInput(lot.endsAt),
    balanceDueDays: lot.balanceDueDays,
    disclosures: Object.fromEntries(DISCLOSURE_KEYS.map((k) => [k, lot.disclosures[k] ?? ''])),
    notices: (lot.notices ?? []).map((n) => ({ party: n.party, role: n.role, kind: n.kind, at: isoToBeijingInput(n.at) })),
    priorityHolders: lot.priorityHolders.map((h) => ({ name: h.name, nature: h.nature, rank: h.rank })),
  };
}
