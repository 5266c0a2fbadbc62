/**
 * The statutory checks run when a court publishes a lot's announcement (拍卖公告). `checkPublication`
 * returns every violation at once, so the court console can show them all next to their fields.
 *
 * The announcement time is when the announcement is published: now, or a scheduled `announceAt` if it is
 * later (an announcement cannot be dated in the past, so an earlier `announceAt` counts as now).
 */
import { assertNever, type PublicationViolationCode } from './errors.js';
import { depositRange } from './deposit.js';
import type { PropertyType, Round } from './lot.js';
import { BP_WHOLE, isFen, percentOfBpCeil } from './money.js';
import type { RulesProfile } from './rules-profile.js';

/** OJA Art. 13: what must be on the platform on the day the announcement is published. */
export const DISCLOSURE_FIELDS = [
  'announcementText', // (1) the announcement itself
  'enforcementTitle', // (2) the enforcement title (执行依据), or why the law bars disclosing it
  'valuationBasis', // (3) the appraisal report copy (评估报告副本) or the pricing basis
  'titleAndEncumbrances', // (5) title, occupancy and attached obligations: text, video or photos
  'priorityHolders', // (6) who holds a priority right and of what kind; "none" is a statement
  'notificationStatement', // (7) whether parties and known priority holders were notified, or why not
  'taxesAndFees', // (9) taxes and fees of the transfer and who bears them
  'courtContact', // (10) the court's name and how to contact or complain
] as const;
export type DisclosureField = (typeof DISCLOSURE_FIELDS)[number];

const DISCLOSURE_ITEMS: Record<DisclosureField, string> = {
  announcementText: 'OJA Art. 13(1)',
  enforcementTitle: 'OJA Art. 13(2)',
  valuationBasis: 'OJA Art. 13(3)',
  titleAndEncumbrances: 'OJA Art. 13(5)',
  priorityHolders: 'OJA Art. 13(6)',
  notificationStatement: 'OJA Art. 13(7)',
  taxesAndFees: 'OJA Art. 13(9)',
  courtContact: 'OJA Art. 13(10)',
};

/**
 * OJA Art. 16 ¶1: how each party (当事人) and known priority holder (已知优先购买权人) was notified.
 * - notified: in writing or another way that confirms receipt, at `at`;
 * - waived: a priority holder who waived the right in writing needs no notice (parties cannot waive it);
 * - unreachable: published on the platform with the reason at `publishedAt`; deemed notified after 5 days.
 */
export type PartyNotice = { party: string; role: 'party' | 'priority_holder' } & (
  | { kind: 'notified'; at: number }
  | { kind: 'waived' }
  | { kind: 'unreachable'; publishedAt: number }
);

/** The lot as the court submits it for publication. Money in fen, times in epoch ms. */
export interface PublicationDraft {
  propertyType: PropertyType;
  round: Round;
  /** The reference price (参考价, RPR) or appraisal/market price; required for a first round. */
  referencePrice: number | null;
  startingPrice: number;
  deposit: number;
  increment: number;
  /** A scheduled publication time; null publishes now. */
  announceAt: number | null;
  startsAt: number;
  endsAt: number;
  notices: readonly PartyNotice[];
  disclosures: Partial<Record<DisclosureField, string | null>>;
}

/** The failed (流拍) round this one follows: the first round for a second round, the second for a sale-off. */
export interface PreviousRound {
  round: Round;
  startingPrice: number;
  endedAt: number;
}

export interface PublicationContext {
  now: number;
  profile: RulesProfile;
  previousRound?: PreviousRound | null;
}

export interface PublicationViolation {
  code: PublicationViolationCode;
  /** The draft's field the court should fix, e.g. `deposit`, `notices[1]`, `disclosures.courtContact`. */
  field: string;
  article: string;
  message: string;
  details: Record<string, unknown>;
}

const SALE_OFF_PRACTICE = 'PRACTICE (rulebook §6.3; OJA Arts. 26 ¶2, 37)';

/** The time the announcement counts as published: `announceAt` if scheduled later, else now. */
export function announcementTime(draft: Pick<PublicationDraft, 'announceAt'>, now: number): number {
  return draft.announceAt === null ? now : Math.max(now, draft.announceAt);
}

/** OJA Art. 10 ¶2: the lowest first-round start, 70 % of the reference price, rounded up to the fen. */
export function startPriceFloor(referencePrice: number, profile: RulesProfile): number {
  return percentOfBpCeil(referencePrice, profile.auction.startPriceMinRatioBp);
}

/** OJA Art. 26 ¶1: the lowest second-round start, the previous start less at most 20 %, rounded up. */
export function relistStartFloor(previousStart: number, profile: RulesProfile): number {
  return percentOfBpCeil(previousStart, BP_WHOLE - profile.auction.relistReductionMaxBp);
}

/**
 * The minimum time from announcement to start: OJA Art. 12 for a first round (15 / 30 days), Art. 26 for
 * a second round (7 / 15 days). A sale-off uses the second-round lead: OJA applies to it by analogy
 * (Art. 37 ¶1) and practice announces real estate 15 days ahead (rulebook §6.3).
 */
export function announceLeadMs(propertyType: PropertyType, round: Round, profile: RulesProfile): number {
  const leads = round === 'first' ? profile.auction.announceLeadMs : profile.auction.relistAnnounceLeadMs;
  return leads[propertyType];
}

const hasText = (s: unknown): boolean => typeof s === 'string' && s.trim() !== '';
const isPositiveFen = (n: unknown): n is number => isFen(n) && n > 0;

/** "30 d", "24 h", "5 min", "2 s": durations in messages come from the profile, never from the text. */
export function describeMs(ms: number): string {
  // Days from 2 up, so that the 24-hour rule of Art. 20 reads as written.
  const units: [number, string][] = [[86_400_000, 'd'], [3_600_000, 'h'], [60_000, 'min'], [1000, 's']];
  for (const [size, unit] of units) {
    if (ms >= (unit === 'd' ? 2 * size : size) && ms % size === 0) return `${ms / size} ${unit}`;
  }
  return `${ms} ms`;
}

const percent = (bp: number) => `${bp / 100} %`;

type Violations = PublicationViolation[];

function violation(
  code: PublicationViolationCode,
  field: string,
  article: string,
  message: string,
  details: Record<string, unknown> = {},
): PublicationViolation {
  return { code, field, article, message, details };
}

/** OJA Art. 10 (first round), Art. 26 (second round), practice (sale-off): the starting price. */
function checkPrices(draft: PublicationDraft, announceAt: number, ctx: PublicationContext): Violations {
  const { profile } = ctx;
  const a = profile.auction;
  const out: Violations = [];
  const startOk = isPositiveFen(draft.startingPrice);
  if (!startOk) {
    out.push(
      violation('START_PRICE_INVALID', 'startingPrice', 'OJA Art. 10 ¶1', 'the starting price (保留价) must be a positive amount', {
        startingPrice: draft.startingPrice,
      }),
    );
  }
  const prev = ctx.previousRound ?? null;
  switch (draft.round) {
    case 'first': {
      if (!isPositiveFen(draft.referencePrice)) {
        const article = 'OJA Art. 10 ¶2; RPR Art. 30';
        out.push(violation('REFERENCE_PRICE_MISSING', 'referencePrice', article, 'a first round needs the reference price'));
        break;
      }
      const minimum = startPriceFloor(draft.referencePrice, profile);
      if (startOk && draft.startingPrice < minimum) {
        const message = `the starting price is below ${percent(a.startPriceMinRatioBp)} of the reference price`;
        out.push(
          violation('START_PRICE_BELOW_FLOOR', 'startingPrice', 'OJA Art. 10 ¶2', message, {
            referencePrice: draft.referencePrice,
            minimum,
            ratioBp: a.startPriceMinRatioBp,
          }),
        );
      }
      break;
    }
    case 'second': {
      if (prev === null || prev.round !== 'first') {
        out.push(
          violation('PREVIOUS_ROUND_INVALID', 'previousRound', 'OJA Art. 26 ¶1', 'a second round follows a failed first round', {
            previousRound: prev?.round ?? null,
          }),
        );
        break;
      }
      const minimum = relistStartFloor(prev.startingPrice, profile);
      if (startOk && draft.startingPrice < minimum) {
        const message = `the start may drop at most ${percent(a.relistReductionMaxBp)} from the first round`;
        out.push(
          violation('RELIST_REDUCTION_TOO_LARGE', 'startingPrice', 'OJA Art. 26 ¶1', message, {
            previousStartingPrice: prev.startingPrice,
            minimum,
            maxReductionBp: a.relistReductionMaxBp,
          }),
        );
      }
      if (announceAt - prev.endedAt > a.relistWithinMs) {
        const message = `the second round is relisted within ${describeMs(a.relistWithinMs)} of the failed first round`;
        out.push(
          violation('RELIST_TOO_LATE', 'announceAt', 'OJA Art. 26 ¶1', message, {
            previousEndedAt: prev.endedAt,
            latest: prev.endedAt + a.relistWithinMs,
            announceAt,
          }),
        );
      }
      break;
    }
    case 'sale_off': {
      if (prev === null || prev.round !== 'second') {
        out.push(
          violation('PREVIOUS_ROUND_INVALID', 'previousRound', 'OJA Art. 26 ¶2', 'a sale-off (变卖) follows a failed second round', {
            previousRound: prev?.round ?? null,
          }),
        );
        break;
      }
      if (startOk && draft.startingPrice !== prev.startingPrice) {
        const message = 'the sale-off price is the failed second round’s start';
        out.push(violation('SALE_OFF_PRICE_MISMATCH', 'startingPrice', SALE_OFF_PRACTICE, message, { expected: prev.startingPrice }));
      }
      const within = profile.saleOff.announceWithinMs;
      if (announceAt - prev.endedAt > within) {
        const message = `the sale-off is announced within ${describeMs(within)} of the failed second round`;
        out.push(
          violation('SALE_OFF_TOO_LATE', 'announceAt', SALE_OFF_PRACTICE, message, {
            previousEndedAt: prev.endedAt,
            latest: prev.endedAt + within,
            announceAt,
          }),
        );
      }
      if (draft.endsAt - draft.startsAt > profile.saleOff.periodMs) {
        const message = `the sale-off period (变卖期) lasts at most ${describeMs(profile.saleOff.periodMs)}`;
        out.push(violation('SALE_OFF_PERIOD_TOO_LONG', 'endsAt', SALE_OFF_PRACTICE, message, { periodMs: profile.saleOff.periodMs, latestEnd: draft.startsAt + profile.saleOff.periodMs }));
      }
      break;
    }
    default:
      assertNever(draft.round, 'round');
  }
  return out;
}

/** OJA Art. 17 ¶1 (deposit 5 %–20 % of the start) and Arts. 20 ¶1, 27 (the increment, in whole fen). */
function checkDepositAndIncrement(draft: PublicationDraft, profile: RulesProfile): Violations {
  const out: Violations = [];
  const article = 'OJA Art. 17 ¶1';
  if (!isFen(draft.deposit)) {
    out.push(violation('DEPOSIT_OUT_OF_RANGE', 'deposit', article, 'the deposit must be an amount of fen', { deposit: draft.deposit }));
  } else if (isPositiveFen(draft.startingPrice)) {
    const { min, max } = depositRange(draft.startingPrice, profile);
    if (draft.deposit < min || draft.deposit > max) {
      const { depositMinBp, depositMaxBp } = profile.auction;
      const message = `the deposit is ${percent(depositMinBp)}–${percent(depositMaxBp)} of the starting price`;
      out.push(violation('DEPOSIT_OUT_OF_RANGE', 'deposit', article, message, { min, max }));
    }
  }
  if (!isPositiveFen(draft.increment)) {
    const message = 'the increment must be a positive amount';
    out.push(violation('INCREMENT_INVALID', 'increment', 'OJA Art. 20 ¶1', message, { increment: draft.increment }));
  }
  return out;
}

/** OJA Art. 20 (bidding ≥ 24 h) and Arts. 12, 26 (announcement lead). */
function checkSchedule(draft: PublicationDraft, announceAt: number, profile: RulesProfile): Violations {
  const out: Violations = [];
  const { startsAt, endsAt } = draft;
  // A draft without its times is told what is missing, not that its end is before its start.
  if (!Number.isFinite(startsAt) || !Number.isFinite(endsAt)) {
    if (!Number.isFinite(startsAt)) out.push(violation('SCHEDULE_MISSING', 'startsAt', 'OJA Art. 20', 'the start of bidding must be set'));
    if (!Number.isFinite(endsAt)) out.push(violation('SCHEDULE_MISSING', 'endsAt', 'OJA Art. 20', 'the end of bidding must be set'));
    return out;
  }
  const minimumMs = profile.auction.minBiddingMs;
  if (!(endsAt > startsAt)) {
    out.push(violation('ENDS_BEFORE_START', 'endsAt', 'OJA Art. 20', 'the end must be after the start', { startsAt, endsAt }));
  } else if (endsAt - startsAt < minimumMs) {
    out.push(
      violation('BIDDING_TOO_SHORT', 'endsAt', 'OJA Art. 20', `bidding lasts at least ${describeMs(minimumMs)}`, {
        durationMs: endsAt - startsAt,
        minimumMs,
        earliestEnd: startsAt + minimumMs,
      }),
    );
  }
  const leadMs = announceLeadMs(draft.propertyType, draft.round, profile);
  if (startsAt - announceAt < leadMs) {
    const article = draft.round === 'first' ? 'OJA Art. 12 ¶1' : 'OJA Art. 26 ¶1';
    const message = `the announcement must be published at least ${describeMs(leadMs)} before the start`;
    out.push(
      violation('ANNOUNCEMENT_TOO_SHORT', 'startsAt', article, message, { announceAt, leadMs, earliestStart: announceAt + leadMs }),
    );
  }
  return out;
}

/** OJA Art. 16 ¶1: parties and known priority holders notified before the announcement. */
function checkNotices(notices: readonly PartyNotice[], announceAt: number, profile: RulesProfile): Violations {
  const article = 'OJA Art. 16 ¶1';
  const { notifyPartiesBeforeAnnouncementMs: notifyMs, unreachablePublicationMs: publishMs } = profile.auction;
  if (notices.length === 0) return [violation('PARTIES_NOT_NOTIFIED', 'notices', article, 'no notice to the parties is recorded')];
  const out: Violations = [];
  notices.forEach((n, i) => {
    const field = `notices[${i}]`;
    const base = { party: n.party, role: n.role, kind: n.kind };
    switch (n.kind) {
      case 'notified':
        if (announceAt - n.at < notifyMs) {
          const message = `notified less than ${describeMs(notifyMs)} before the announcement`;
          out.push(violation('PARTIES_NOT_NOTIFIED', field, article, message, { ...base, latestNotice: announceAt - notifyMs }));
        }
        break;
      case 'waived':
        if (n.role !== 'priority_holder') {
          const message = 'only a priority holder can waive the notice, in writing';
          out.push(violation('PARTIES_NOT_NOTIFIED', field, article, message, base));
        }
        break;
      case 'unreachable':
        if (announceAt - n.publishedAt < publishMs) {
          const message = `the platform publication has not run ${describeMs(publishMs)} before the announcement`;
          out.push(
            violation('PARTIES_NOT_NOTIFIED', field, article, message, { ...base, latestPublication: announceAt - publishMs }),
          );
        }
        break;
      default:
        assertNever(n, 'notice');
    }
  });
  return out;
}

/** OJA Art. 13: the disclosures due on the day of the announcement, one violation per missing field. */
function checkDisclosures(disclosures: PublicationDraft['disclosures']): Violations {
  return DISCLOSURE_FIELDS.filter((f) => !hasText(disclosures[f])).map((f) =>
    violation('DISCLOSURE_MISSING', `disclosures.${f}`, DISCLOSURE_ITEMS[f], `the disclosure "${f}" is missing`, { disclosure: f }),
  );
}

/** Every rule the announcement breaks, in the order of the form; an empty list means it may be published. */
export function checkPublication(draft: PublicationDraft, ctx: PublicationContext): PublicationViolation[] {
  const announceAt = announcementTime(draft, ctx.now);
  return [
    ...checkPrices(draft, announceAt, ctx),
    ...checkDepositAndIncrement(draft, ctx.profile),
    ...checkSchedule(draft, announceAt, ctx.profile),
    ...checkNotices(draft.notices, announceAt, ctx.profile),
    ...checkDisclosures(draft.disclosures),
  ];
}
