/**
 * A lot (拍品/标的物) and its lifecycle as pure functions.
 *
 * Times are epoch milliseconds from the injected clock (the database clock on the server). The stored
 * status is materialised only by explicit events, but two changes need no actor and are derived
 * identically by every read: an announced lot is live from `startsAt` (`effectiveStatus`), and bidding is
 * open only while `now < endsAt` (`isBiddingOpen`). Closing is explicit (the closer job), so a lot past its
 * end stays `live` until it is closed; no bid is ever accepted in that interval.
 */
import { assertNever, refusal, type LotTransitionCode, type Refusal } from './errors.js';
import type { RulesProfile } from './rules-profile.js';

/** OJA Art. 12: movables (动产) 15/7 days' notice; real estate (不动产) and other property rights 30/15. */
export const PROPERTY_TYPES = ['movable', 'real_estate', 'other_right'] as const;
export type PropertyType = (typeof PROPERTY_TYPES)[number];

/** 一拍 / 二拍 (OJA Art. 26 ¶1) / 变卖 (OJA Art. 26 ¶2; procedure is PRACTICE, rulebook §6.3). */
export const ROUNDS = ['first', 'second', 'sale_off'] as const;
export type Round = (typeof ROUNDS)[number];

/**
 * draft 草稿, announced 即将开始, live 正在进行, suspended 中止, postponed 暂缓, withdrawn 撤回, sold 已成交,
 * unsold 流拍, defaulted 悔拍, transferred 已交付/过户, set_aside 撤销 (rulebook §9.1).
 */
export const LOT_STATUSES = [
  'draft',
  'announced',
  'live',
  'suspended',
  'postponed',
  'withdrawn',
  'sold',
  'unsold',
  'defaulted',
  'transferred',
  'set_aside',
] as const;
export type LotStatus = (typeof LOT_STATUSES)[number];

/** OJA Art. 31 ¶1 (1)–(6): the grounds on which a court shall set a finished auction aside (撤销). */
export const SET_ASIDE_GROUNDS = [
  'false_description', // (1) seriously false description, video, photos or defect statement
  'system_failure', // (2) system failure, virus, hacking or data error produced a wrong result
  'collusion', // (3) bidders colluded with each other or with the platform
  'buyer_unqualified', // (4) the buyer lacked a legally required qualification
  'unlawful_restriction', // (5) bidders unlawfully restricted or set unequal conditions
  'serious_procedural_breach', // (6) another serious breach harming parties or bidders
] as const;
export type SetAsideGround = (typeof SET_ASIDE_GROUNDS)[number];

export const isPropertyType = (v: unknown): v is PropertyType => PROPERTY_TYPES.includes(v as PropertyType);
export const isRound = (v: unknown): v is Round => ROUNDS.includes(v as Round);
export const isLotStatus = (v: unknown): v is LotStatus => LOT_STATUSES.includes(v as LotStatus);
export const isSetAsideGround = (v: unknown): v is SetAsideGround => SET_ASIDE_GROUNDS.includes(v as SetAsideGround);

/** The part of a lot the lifecycle needs. */
export interface LotState {
  status: LotStatus;
  startsAt: number;
  endsAt: number;
  /** Accepted bids so far; a close with at least one is a sale (OJA Art. 11: one bidder suffices). */
  bidCount: number;
  /** While suspended/postponed: the status the lot had when paused. */
  pausedFrom: 'announced' | 'live' | null;
  /** While paused from live: the bidding time that was left, frozen (OJA Art. 28). */
  pausedRemainingMs: number | null;
  /** The published reason of the current suspension, postponement or withdrawal (OJA Art. 28 ¶3). */
  statusReason: string | null;
  setAsideGround: SetAsideGround | null;
}

export type LotEvent =
  | { type: 'publish' }
  | { type: 'suspend'; reason: string }
  | { type: 'postpone'; reason: string }
  /**
   * `schedule` is required when the lot was paused before it went live and its start has passed. `reason`
   * (why the pause ended, e.g. an objection dismissed) is published with the change; the lot keeps none.
   */
  | { type: 'resume'; schedule?: { startsAt: number; endsAt: number }; reason?: string }
  | { type: 'withdraw'; reason: string }
  | { type: 'close' }
  | { type: 'default' }
  | { type: 'transfer' }
  | { type: 'setAside'; ground: SetAsideGround; reason?: string };

export type LotEventType = LotEvent['type'];

export type LotTransitionResult =
  | { ok: true; lot: LotState; from: LotStatus; to: LotStatus }
  | Refusal<LotTransitionCode>;

/** A draft lot with its schedule; the rest of the state starts empty. */
export function newLotState(startsAt: number, endsAt: number): LotState {
  return {
    status: 'draft',
    startsAt,
    endsAt,
    bidCount: 0,
    pausedFrom: null,
    pausedRemainingMs: null,
    statusReason: null,
    setAsideGround: null,
  };
}

/**
 * The status every reader must show: an announced lot is live from `startsAt` on (即将开始 → 正在进行 needs
 * no actor). Everything else is the stored status.
 */
export function effectiveStatus(lot: Pick<LotState, 'status' | 'startsAt'>, now: number): LotStatus {
  return lot.status === 'announced' && now >= lot.startsAt ? 'live' : lot.status;
}

/** Bids can be placed: live, started, and strictly before the end (a bid at `endsAt` is too late). */
export function isBiddingOpen(lot: Pick<LotState, 'status' | 'startsAt' | 'endsAt'>, now: number): boolean {
  return effectiveStatus(lot, now) === 'live' && lot.startsAt <= now && now < lot.endsAt;
}

/** OJA Art. 28 ¶4: the court resumes within 5 days after the cause of the pause ends. */
export function resumeDeadline(causeEndedAt: number, profile: RulesProfile): number {
  return causeEndedAt + profile.auction.resumeAfterPauseMs;
}

const refuse = refusal<LotTransitionCode>;

/** OJA Art. 20 ¶2: once the time is up the last bid is the sale price; only close (and set aside) remain. */
function biddingEnded(lot: LotState): Refusal<LotTransitionCode> {
  return refuse('LOT_BIDDING_ENDED', 'bidding has ended: close the lot, then set it aside if needed', 'OJA Art. 20 ¶2', {
    endsAt: lot.endsAt,
  });
}

function notAllowed(event: LotEventType, status: LotStatus, article?: string): Refusal<LotTransitionCode> {
  return refuse('LOT_TRANSITION_NOT_ALLOWED', `cannot ${event} a lot that is ${status}`, article, { event, status });
}

const hasText = (s: unknown): s is string => typeof s === 'string' && s.trim() !== '';

/**
 * Applies one lifecycle event at `now`. Rule refusals are returned, never thrown. The `from` status is the
 * effective one, so an announced lot past its start is handled as live.
 *
 * Choices where the texts are silent (documented for the court console):
 * - suspend, postpone and withdraw are refused (LOT_BIDDING_ENDED) once the bidding time has run out but
 *   before the close: by OJA Art. 20 ¶2 the last bid is then already the sale price, so the remedy is to
 *   close and, if needed, set aside (Art. 31).
 * - resuming a lot paused before it went live keeps its schedule if the start is still ahead; otherwise a
 *   new schedule is required so that the lot still gets its full bidding time (Art. 20: ≥ 24 h).
 */
export function applyLotEvent(lot: LotState, event: LotEvent, now: number, profile: RulesProfile): LotTransitionResult {
  const from = effectiveStatus(lot, now);
  const to = (status: LotStatus, patch: Partial<LotState> = {}): LotTransitionResult => ({
    ok: true,
    lot: { ...lot, ...patch, status },
    from,
    to: status,
  });

  switch (event.type) {
    case 'publish':
      // The statutory checks (checkPublication) run before this event; here only the transition.
      if (from !== 'draft') return notAllowed(event.type, from, 'OJA Art. 12');
      return to('announced');

    case 'suspend':
    case 'postpone': {
      const article = 'OJA Art. 28';
      if (from !== 'announced' && from !== 'live') return notAllowed(event.type, from, article);
      if (!hasText(event.reason)) {
        return refuse('REASON_REQUIRED', 'the reason is published with the pause', 'OJA Art. 28 ¶3');
      }
      if (from === 'live' && now >= lot.endsAt) return biddingEnded(lot);
      return to(event.type === 'suspend' ? 'suspended' : 'postponed', {
        pausedFrom: from,
        // The countdown freezes: what was left is given back on resume.
        pausedRemainingMs: from === 'live' ? lot.endsAt - now : null,
        statusReason: event.reason.trim(),
      });
    }

    case 'resume': {
      const article = 'OJA Art. 28 ¶4';
      if (from !== 'suspended' && from !== 'postponed') return notAllowed(event.type, from, article);
      const cleared = { pausedFrom: null, pausedRemainingMs: null, statusReason: null };
      if (lot.pausedFrom === 'live') {
        // Bidders get back what was left, and never less than one extension window to react.
        const remaining = Math.max(lot.pausedRemainingMs ?? 0, profile.auction.extensionWindowMs);
        return to('live', { ...cleared, endsAt: now + remaining });
      }
      const schedule = event.schedule ?? (lot.startsAt > now ? { startsAt: lot.startsAt, endsAt: lot.endsAt } : null);
      if (!schedule) {
        return refuse('SCHEDULE_REQUIRED', 'the start has passed while paused: give a new start and end', article, {
          startsAt: lot.startsAt,
        });
      }
      if (!(schedule.startsAt > now) || schedule.endsAt - schedule.startsAt < profile.auction.minBiddingMs) {
        return refuse('SCHEDULE_INVALID', 'the new start must be ahead and bidding must last the minimum', 'OJA Art. 20', {
          ...schedule,
          minBiddingMs: profile.auction.minBiddingMs,
        });
      }
      return to('announced', { ...cleared, startsAt: schedule.startsAt, endsAt: schedule.endsAt });
    }

    case 'withdraw': {
      const article = 'ASR Art. 17 (via OJA Art. 37 ¶3)';
      if (from !== 'draft' && from !== 'announced' && from !== 'live' && from !== 'suspended' && from !== 'postponed') {
        return notAllowed(event.type, from, article);
      }
      if (!hasText(event.reason)) return refuse('REASON_REQUIRED', 'a withdrawal states its reason', article);
      if (from === 'live' && now >= lot.endsAt) return biddingEnded(lot);
      return to('withdrawn', { pausedFrom: null, pausedRemainingMs: null, statusReason: event.reason.trim() });
    }

    case 'close': {
      const article = 'OJA Art. 20 ¶2';
      if (from !== 'live') return notAllowed(event.type, from, article);
      if (now < lot.endsAt) return refuse('LOT_NOT_ENDED', 'bidding is still open', article, { endsAt: lot.endsAt });
      // OJA Art. 11: a single valid bid at or above the start makes a sale.
      return to(lot.bidCount > 0 ? 'sold' : 'unsold');
    }

    case 'default':
      if (from !== 'sold') return notAllowed(event.type, from, 'OJA Art. 24');
      return to('defaulted');

    case 'transfer':
      if (from !== 'sold') return notAllowed(event.type, from, 'OJA Art. 22 ¶2');
      return to('transferred');

    case 'setAside': {
      const article = 'OJA Art. 31';
      if (from !== 'sold' && from !== 'transferred') return notAllowed(event.type, from, article);
      if (!isSetAsideGround(event.ground)) {
        return refuse('SET_ASIDE_GROUND_INVALID', 'the ground must be one of OJA Art. 31 (1)–(6)', article, {
          ground: event.ground,
          allowed: SET_ASIDE_GROUNDS,
        });
      }
      const statusReason = hasText(event.reason) ? event.reason.trim() : null;
      return to('set_aside', { setAsideGround: event.ground, statusReason });
    }

    default:
      return assertNever(event, 'lot event');
  }
}
