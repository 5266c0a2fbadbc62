import fc from 'fast-check';
import { countdownParts, formatCountdown, serverNow, serverOffset, timeLeftMs } from './countdown.js';

describe('timeLeftMs (OJA Art. 20 ¶2: the server clock counts)', () => {
  it('is endsAt − server now, and 0 at or after the end', () => {
    expect(timeLeftMs(10_000, 4_000)).toBe(6_000);
    expect(timeLeftMs(10_000, 10_000)).toBe(0);
    expect(timeLeftMs(10_000, 12_000)).toBe(0);
  });
});

describe('serverOffset', () => {
  it('uses the midpoint of the round trip: offset = serverTime − (sent + received) / 2', () => {
    expect(serverOffset([{ sentAt: 1000, serverTime: 5100, receivedAt: 1200 }])).toBe(4000);
  });
  it('takes the sample with the smallest round trip', () => {
    const samples = [
      { sentAt: 0, serverTime: 9000, receivedAt: 800 }, // rtt 800 → 8600
      { sentAt: 1000, serverTime: 6020, receivedAt: 1040 }, // rtt 40 → 5000
      { sentAt: 2000, serverTime: 7500, receivedAt: 2300 }, // rtt 300 → 5350
    ];
    expect(serverOffset(samples)).toBe(5000);
  });
  it('ignores samples with a negative round trip and returns null without a usable sample', () => {
    expect(serverOffset([])).toBeNull();
    expect(serverOffset([{ sentAt: 10, serverTime: 0, receivedAt: 5 }])).toBeNull();
    expect(serverOffset([{ sentAt: 10, serverTime: 0, receivedAt: 5 }, { sentAt: 0, serverTime: 100, receivedAt: 0 }])).toBe(100);
  });
  it('recovers a true offset within half the best round trip (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e9, max: 1e9 }),
        fc.array(fc.record({ sentAt: fc.nat(1e6), up: fc.nat(500), down: fc.nat(500) }), { minLength: 1 }),
        (trueOffset, probes) => {
          const samples = probes.map((p) => ({
            sentAt: p.sentAt,
            serverTime: p.sentAt + p.up + trueOffset,
            receivedAt: p.sentAt + p.up + p.down,
          }));
          const bestRtt = Math.min(...probes.map((p) => p.up + p.down));
          const est = serverOffset(samples)!;
          expect(Math.abs(est - trueOffset)).toBeLessThanOrEqual(bestRtt / 2);
          expect(serverNow(0, est)).toBe(est);
        },
      ),
    );
  });
  it('serverNow without an offset is the local clock', () => {
    expect(serverNow(123, null)).toBe(123);
  });
});

describe('formatCountdown', () => {
  it.each([
    [0, '00:00:00'],
    [-5, '00:00:00'],
    [Number.NaN, '00:00:00'],
    [1, '00:00:01'], // partial seconds round up: 00:00:00 only when the time is up
    [999, '00:00:01'],
    [1000, '00:00:01'],
    [1001, '00:00:02'],
    [5 * 60_000, '00:05:00'],
    [3600_000 - 1, '01:00:00'],
    [86_400_000 - 1000, '23:59:59'],
    [86_400_000, '1天 00:00:00'],
    [93_784_000, '1天 02:03:04'],
    [30 * 86_400_000, '30天 00:00:00'],
  ])('%p ms → %p', (ms, text) => {
    expect(formatCountdown(ms)).toBe(text);
  });
  it('countdownParts splits into days, hours, minutes, seconds', () => {
    expect(countdownParts(93_784_000)).toEqual({ days: 1, hours: 2, minutes: 3, seconds: 4 });
  });
});
