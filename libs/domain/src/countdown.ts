/**
 * The countdown (倒计时) shown on a lot page. The bid time that counts is the server's (OJA Art. 20 ¶2), so
 * the client estimates the server clock from `GET /api/time` (or the `serverTime` of a socket ack) and
 * counts down against it, never against its own clock alone.
 */

/** Milliseconds left until `endsAt` on the server clock, never negative. */
export function timeLeftMs(endsAt: number, serverNowMs: number): number {
  return Math.max(0, endsAt - serverNowMs);
}

/** One clock probe: local time when sent and received, and the server time in the answer. */
export interface ClockSample {
  sentAt: number;
  serverTime: number;
  receivedAt: number;
}

/**
 * Estimated `serverClock − localClock` in ms (NTP's rule, Cristian's algorithm): for each sample the server
 * read its clock about halfway through the round trip, so `offset = serverTime − (sentAt + receivedAt) / 2`;
 * the sample with the smallest round trip bounds the error best (± rtt / 2), so it is the one used.
 * Samples with a negative round trip are ignored; null when no sample is usable.
 */
export function serverOffset(samples: readonly ClockSample[]): number | null {
  let best: ClockSample | null = null;
  for (const s of samples) {
    const rtt = s.receivedAt - s.sentAt;
    if (!(rtt >= 0)) continue;
    if (best === null || rtt < best.receivedAt - best.sentAt) best = s;
  }
  return best === null ? null : best.serverTime - (best.sentAt + best.receivedAt) / 2;
}

/** The server clock estimated from a local reading and an offset from `serverOffset`. */
export function serverNow(localNowMs: number, offsetMs: number | null): number {
  return localNowMs + (offsetMs ?? 0);
}

export interface CountdownParts {
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

/**
 * Whole days, hours, minutes and seconds, rounding partial seconds up: the display reaches 00:00:00 exactly
 * when the time is up, never while a bid can still be placed.
 */
export function countdownParts(ms: number): CountdownParts {
  const total = Number.isFinite(ms) && ms > 0 ? Math.ceil(ms / 1000) : 0;
  return {
    days: Math.floor(total / 86_400),
    hours: Math.floor(total / 3600) % 24,
    minutes: Math.floor(total / 60) % 60,
    seconds: total % 60,
  };
}

/** "HH:MM:SS", with a "N天 " prefix from one day up: 93784000 ms → "1天 02:03:04". */
export function formatCountdown(ms: number): string {
  const { days, hours, minutes, seconds } = countdownParts(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  const hms = `${pad(hours)}:${pad(minutes)}:${pad(seconds)}`;
  return days > 0 ? `${days}天 ${hms}` : hms;
}
