import { isoTimes } from './iso-times.js';

describe('isoTimes', () => {
  const at = Date.UTC(2026, 10, 28, 4, 0, 0);
  it('answers the domain’s epoch-ms instants as ISO 8601 UTC, at any depth', () => {
    expect(isoTimes({ endsAt: at, earliestStart: at, latestEnd: at, latest: at, latestNotice: at, validUntil: at, nested: [{ placedAt: at }] })).toEqual({
      endsAt: '2026-11-28T04:00:00.000Z',
      earliestStart: '2026-11-28T04:00:00.000Z',
      latestEnd: '2026-11-28T04:00:00.000Z',
      latest: '2026-11-28T04:00:00.000Z',
      latestNotice: '2026-11-28T04:00:00.000Z',
      validUntil: '2026-11-28T04:00:00.000Z',
      nested: [{ placedAt: '2026-11-28T04:00:00.000Z' }],
    });
  });
  it('leaves durations, amounts, non-finite numbers and other values alone', () => {
    const details = { durationMs: 5, minimumMs: 7, currentPrice: 100, latestPriceFen: 3, startsAt: Number.NaN, endsAt: null, reason: 'x' };
    expect(isoTimes(details)).toEqual(details);
  });
});
