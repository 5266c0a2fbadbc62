import { STATUTORY, SANDBOX, rulesProfile } from './rules-profile.js';

describe('rules profile', () => {
  it('statutory holds the numbers of the law (OJA Arts. 10, 12, 17, 20, 23, 26)', () => {
    expect(STATUTORY.auction.startPriceMinRatioBp).toBe(7000);
    expect(STATUTORY.auction.minBiddingMs).toBe(24 * 3600_000);
    expect(STATUTORY.auction.extensionWindowMs).toBe(5 * 60_000);
    expect(STATUTORY.auction.extensionMs).toBe(5 * 60_000);
    expect([STATUTORY.auction.depositMinBp, STATUTORY.auction.depositMaxBp]).toEqual([500, 2000]);
    expect(STATUTORY.auction.relistReductionMaxBp).toBe(2000);
    expect(STATUTORY.auction.depositReleaseMs).toBe(24 * 3600_000);
    expect(STATUTORY.auction.announceLeadMs.real_estate).toBe(30 * 86400_000);
    expect(STATUTORY.auction.relistAnnounceLeadMs.movable).toBe(7 * 86400_000);
  });
  it('sandbox keeps the ratios and shrinks durations so a lot runs in seconds', () => {
    expect(SANDBOX.auction.startPriceMinRatioBp).toBe(STATUTORY.auction.startPriceMinRatioBp);
    expect(SANDBOX.auction.announceLeadMs.movable).toBeLessThanOrEqual(2000);
    expect(SANDBOX.auction.minBiddingMs).toBeLessThanOrEqual(10_000);
    expect(rulesProfile('sandbox')).toBe(SANDBOX);
  });
});
