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
  return round === 'first' ? profile.auction.announceLeadMs[propertyType] : profile.auction.relistAnnounceLeadMs[propertyType];
}

const hasText = (s: unknown): boolean => typeof s === 'string' && s.trim() !== '';
const isPositiveFen = (n: unknown): n is number => isFen(n) && n > 0;

/** Every rule the announcement breaks; an empty list means it may be published. */
export function checkPublication(draft: PublicationDraft, ctx: PublicationContext): PublicationViolation[] {
  const { profile, now } = ctx;
  const a = profile.auction;
  const out: PublicationViolation[] = [];
  const add = (code: PublicationViolationCode, field: string, article: string, message: string, details: Record<string, unknown> = {}) =>
    out.push({ code, field, article, message, details });

  const announceAt = announcementTime(draft, now);
  const startOk = isPositiveFen(draft.startingPrice);
  if (!startOk) {
    add('START_PRICE_INVALID', 'startingPrice', 'OJA Art. 10 ¶1', 'the starting price (保留价) must be a positive amount', {
      startingPrice: draft.startingPrice,
    });
  }

  // Prices by round.
  const prev = ctx.previousRound ?? null;
  switch (draft.round) {
    case 'first': {
      if (!isPositiveFen(draft.referencePrice)) {
        add('REFERENCE_PRICE_MISSING', 'referencePrice', 'OJA Art. 10 ¶2; RPR Art. 30', 'a first round needs the reference price');
      } else if (startOk) {
        const minimum = startPriceFloor(draft.referencePrice, profile);
        if (draft.startingPrice < minimum) {
          add('START_PRICE_BELOW_FLOOR', 'startingPrice', 'OJA Art. 10 ¶2', 'the starting price is below 70 % of the reference price', {
            referencePrice: draft.referencePrice,
            minimum,
            ratioBp: a.startPriceMinRatioBp,
          });
        }
      }
      break;
    }
    case 'second': {
      if (prev === null || prev.round !== 'first') {
        add('PREVIOUS_ROUND_INVALID', 'previousRound', 'OJA Art. 26 ¶1', 'a second round follows a failed first round', {
          previousRound: prev?.round ?? null,
        });
        break;
      }
      const minimum = relistStartFloor(prev.startingPrice, profile);
      if (startOk && draft.startingPrice < minimum) {
        add('RELIST_REDUCTION_TOO_LARGE', 'startingPrice', 'OJA Art. 26 ¶1', 'the start may drop at most 20 % from the first round', {
          previousStartingPrice: prev.startingPrice,
          minimum,
          maxReductionBp: a.relistReductionMaxBp,
        });
      }
      if (announceAt - prev.endedAt > a.relistWithinMs) {
        add('RELIST_TOO_LATE', 'announceAt', 'OJA Art. 26 ¶1', 'the second round is relisted within 30 days of the failed first round', {
          previousEndedAt: prev.endedAt,
          latest: prev.endedAt + a.relistWithinMs,
          announceAt,
        });
      }
      break;
    }
    case 'sale_off': {
      if (prev === null || prev.round !== 'second') {
        add('PREVIOUS_ROUND_INVALID', 'previousRound', 'OJA Art. 26 ¶2', 'a sale-off (变卖) follows a failed second round', {
          previousRound: prev?.round ?? null,
        });
        break;
      }
      if (startOk && draft.startingPrice !== prev.startingPrice) {
        add('SALE_OFF_PRICE_MISMATCH', 'startingPrice', SALE_OFF_PRACTICE, 'the sale-off price is the failed second round’s start', {
          expected: prev.startingPrice,
        });
      }
      if (announceAt - prev.endedAt > profile.saleOff.announceWithinMs) {
        add('SALE_OFF_TOO_LATE', 'announceAt', SALE_OFF_PRACTICE, 'the sale-off is announced within 15 days of the failed second round', {
          previousEndedAt: prev.endedAt,
          latest: prev.endedAt + profile.saleOff.announceWithinMs,
          announceAt,
        });
      }
      break;
    }
    default:
      assertNever(draft.round, 'round');
  }

  // OJA Art. 17 ¶1: deposit 5 %–20 % of the start.
  if (!isFen(draft.deposit)) {
    add('DEPOSIT_OUT_OF_RANGE', 'deposit', 'OJA Art. 17 ¶1', 'the deposit must be an amount of fen', { deposit: draft.deposit });
  } else if (startOk) {
    const { min, max } = depositRange(draft.startingPrice, profile);
    if (draft.deposit < min || draft.deposit > max) {
      add('DEPOSIT_OUT_OF_RANGE', 'deposit', 'OJA Art. 17 ¶1', 'the deposit is 5 %–20 % of the starting price', { min, max });
    }
  }

  // OJA Art. 20 ¶1, Art. 27: the increment is set by the court, in whole fen.
  if (!isPositiveFen(draft.increment)) {
    add('INCREMENT_INVALID', 'increment', 'OJA Art. 20 ¶1', 'the increment must be a positive amount', { increment: draft.increment });
  }

  // OJA Art. 20: the bidding window lasts at least 24 hours.
  if (!(draft.endsAt > draft.startsAt)) {
    add('ENDS_BEFORE_START', 'endsAt', 'OJA Art. 20', 'the end must be after the start', { startsAt: draft.startsAt, endsAt: draft.endsAt });
  } else if (draft.endsAt - draft.startsAt < a.minBiddingMs) {
    add('BIDDING_TOO_SHORT', 'endsAt', 'OJA Art. 20', 'bidding lasts at least 24 hours', {
      durationMs: draft.endsAt - draft.startsAt,
      minimumMs: a.minBiddingMs,
      earliestEnd: draft.startsAt + a.minBiddingMs,
    });
  }

  // OJA Arts. 12 and 26: announcement lead.
  const lead = announceLeadMs(draft.propertyType, draft.round, profile);
  if (draft.startsAt - announceAt < lead) {
    add(
      'ANNOUNCEMENT_TOO_SHORT',
      'startsAt',
      draft.round === 'first' ? 'OJA Art. 12 ¶1' : 'OJA Art. 26 ¶1',
      'the announcement is not published early enough before the start',
      { announceAt, leadMs: lead, earliestStart: announceAt + lead },
    );
  }

  // OJA Art. 16 ¶1: parties and known priority holders notified 3 days before the announcement.
  if (draft.notices.length === 0) {
    add('PARTIES_NOT_NOTIFIED', 'notices', 'OJA Art. 16 ¶1', 'no notice to the parties is recorded');
  }
  draft.notices.forEach((n, i) => {
    const field = `notices[${i}]`;
    const base = { party: n.party, role: n.role, kind: n.kind };
    switch (n.kind) {
      case 'notified':
        if (announceAt - n.at < a.notifyPartiesBeforeAnnouncementMs) {
          add('PARTIES_NOT_NOTIFIED', field, 'OJA Art. 16 ¶1', 'notified less than 3 days before the announcement', {
            ...base,
            latestNotice: announceAt - a.notifyPartiesBeforeAnnouncementMs,
          });
        }
        break;
      case 'waived':
        if (n.role !== 'priority_holder') {
          add('PARTIES_NOT_NOTIFIED', field, 'OJA Art. 16 ¶1', 'only a priority holder can waive the notice, in writing', base);
        }
        break;
      case 'unreachable':
        if (announceAt - n.publishedAt < a.unreachablePublicationMs) {
          add('PARTIES_NOT_NOTIFIED', field, 'OJA Art. 16 ¶1', 'the platform publication has not run 5 days before the announcement', {
            ...base,
            latestPublication: announceAt - a.unreachablePublicationMs,
          });
        }
        break;
      default:
        assertNever(n, 'notice');
    }
  });

  // OJA Art. 13: disclosures on the day of the announcement.
  for (const f of DISCLOSURE_FIELDS) {
    if (!hasText(draft.disclosures[f])) {
      add('DISCLOSURE_MISSING', `disclosures.${f}`, DISCLOSURE_ITEMS[f], `the disclosure "${f}" is missing`, { disclosure: f });
    }
  }
  return out;
}
