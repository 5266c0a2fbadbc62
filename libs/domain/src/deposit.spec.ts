import fc from 'fast-check';
import {
  DEFAULT_HOLD_MARGIN_MS,
  depositDue,
  depositRange,
  depositReleaseDeadline,
  depositStrategy,
  holdNeedsConversion,
  winnerDepositTransferDeadline,
} from './deposit.js';
import { SANDBOX, STATUTORY } from './rules-profile.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 5, 1);
const WEEK = 7 * DAY;

describe('depositRange (OJA Art. 17 ¶1)', () => {
  it('OJA Art. 17 ¶1: 5 %–20 % of the start, e.g. ¥3,309,250 → [¥165,462.50, ¥661,850]', () => {
    expect(depositRange(3_309_250_00, STATUTORY)).toEqual({ min: 165_462_50, max: 661_850_00 });
  });
  it('OJA Art. 17 ¶1: bounds round inwards so every deposit in range is within the law', () => {
    expect(depositRange(999, STATUTORY)).toEqual({ min: 50, max: 199 }); // 49.95 ↑, 199.8 ↓
  });
});

describe('depositDue (OJA Art. 17 ¶2)', () => {
  it('OJA Art. 17 ¶2: an ordinary bidder pays the full deposit', () => {
    expect(depositDue(100_000_00, null)).toBe(100_000_00);
  });
  it('OJA Art. 17 ¶2: the applicant creditor pays only what the deposit exceeds its claim by', () => {
    expect(depositDue(100_000_00, 30_000_00)).toBe(70_000_00);
    expect(depositDue(100_000_00, 100_000_00)).toBe(0);
    expect(depositDue(100_000_00, 500_000_00)).toBe(0);
    expect(depositDue(100_000_00, 0)).toBe(100_000_00);
  });
  it('refuses amounts that are not fen (programming error)', () => {
    expect(() => depositDue(-1, null)).toThrow(/deposit/);
    expect(() => depositDue(100, 1.5)).toThrow(/applicantClaim/);
  });
  it('never exceeds the deposit and never goes negative (property)', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), fc.option(fc.maxSafeNat(), { nil: null }), (deposit, claim) => {
        const due = depositDue(deposit, claim);
        expect(due).toBeGreaterThanOrEqual(0);
        expect(due).toBeLessThanOrEqual(deposit);
      }),
    );
  });
});

describe('depositStrategy / holdNeedsConversion (OJA Arts. 23, 25)', () => {
  const release = STATUTORY.auction.depositReleaseMs;
  it('a lot ending in 2 days: a 7-day hold outlives the 24 h release → hold', () => {
    expect(depositStrategy({ now: NOW, lotEndsAt: NOW + 2 * DAY, releaseWindowMs: release, holdLifetimeMs: WEEK })).toBe('hold');
  });
  it('a lot ending in 30 days: a hold would expire first → charge (capture now, refund later)', () => {
    expect(depositStrategy({ now: NOW, lotEndsAt: NOW + 30 * DAY, releaseWindowMs: release, holdLifetimeMs: WEEK })).toBe('charge');
  });
  it('the boundary: the hold must outlive end + release + margin strictly', () => {
    const lotEndsAt = NOW + WEEK - release - DEFAULT_HOLD_MARGIN_MS;
    expect(depositStrategy({ now: NOW, lotEndsAt, releaseWindowMs: release, holdLifetimeMs: WEEK })).toBe('charge');
    expect(depositStrategy({ now: NOW, lotEndsAt: lotEndsAt - 1, releaseWindowMs: release, holdLifetimeMs: WEEK })).toBe('hold');
    expect(depositStrategy({ now: NOW, lotEndsAt: lotEndsAt - 1, releaseWindowMs: release, holdLifetimeMs: WEEK, marginMs: 1 })).toBe(
      'hold',
    );
    expect(depositStrategy({ now: NOW, lotEndsAt, releaseWindowMs: release, holdLifetimeMs: WEEK, marginMs: 0 })).toBe('hold');
  });
  it('the sandbox lot (ends in seconds) always holds', () => {
    expect(
      depositStrategy({ now: NOW, lotEndsAt: NOW + 10_000, releaseWindowMs: SANDBOX.auction.depositReleaseMs, holdLifetimeMs: WEEK }),
    ).toBe('hold');
  });
  it('a hold needs conversion once extensions or a resumed pause move the end past its safe range', () => {
    const holdExpiresAt = NOW + WEEK;
    const base = { holdExpiresAt, releaseWindowMs: release };
    expect(holdNeedsConversion({ ...base, lotEndsAt: NOW + 2 * DAY })).toBe(false);
    expect(holdNeedsConversion({ ...base, lotEndsAt: NOW + 6 * DAY })).toBe(true);
  });
  it('a hold chosen by depositStrategy does not need conversion while the end stays put (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 * DAY }), fc.integer({ min: 0, max: 10 * DAY }), (endIn, lifetime) => {
        const t = { now: NOW, lotEndsAt: NOW + endIn, releaseWindowMs: release, holdLifetimeMs: lifetime };
        const strategy = depositStrategy(t);
        expect(holdNeedsConversion({ ...t, holdExpiresAt: NOW + lifetime })).toBe(strategy === 'charge');
      }),
    );
  });
});

describe('deposit deadlines', () => {
  it('OJA Art. 23: losers are released within 24 h of the end', () => {
    expect(depositReleaseDeadline(NOW, STATUTORY)).toBe(NOW + DAY);
  });
  it('OJA Art. 25: the winner’s deposit reaches the court within 24 h', () => {
    expect(winnerDepositTransferDeadline(NOW, STATUTORY)).toBe(NOW + DAY);
  });
});
