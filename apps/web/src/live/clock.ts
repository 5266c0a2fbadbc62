/**
 * The server clock as seen from this tab. The countdown and the "is bidding open" checks run on it, never
 * on the device clock alone (a phone set five minutes fast must not show an auction as ended). Each probe
 * (`lot.watch` / `time.sync` ack, or GET /api/time) is a sample; `serverOffset` from @fapai/domain picks
 * the one with the shortest round trip.
 */
import { useEffect, useState } from 'react';
import { serverNow, serverOffset, type ClockSample } from '@fapai/domain';

const MAX_SAMPLES = 8;

export class ServerClock {
  private samples: ClockSample[] = [];
  private offset: number | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly localNow: () => number = () => Date.now()) {}

  /** Records one probe: local send time, the server's reported time, local receive time. */
  addSample(sample: ClockSample): void {
    this.samples = [...this.samples, sample].slice(-MAX_SAMPLES);
    this.offset = serverOffset(this.samples);
    for (const l of this.listeners) l();
  }

  /** Starts a probe now; call the returned function with the server time when the answer arrives. */
  probe(): (serverTimeIso: string) => void {
    const sentAt = this.localNow();
    return (serverTimeIso) => {
      const serverTime = Date.parse(serverTimeIso);
      if (Number.isFinite(serverTime)) this.addSample({ sentAt, serverTime, receivedAt: this.localNow() });
    };
  }

  /** Estimated `server − local` in ms; null before the first sample. */
  get offsetMs(): number | null {
    return this.offset;
  }

  get synced(): boolean {
    return this.offset !== null;
  }

  now(): number {
    return serverNow(this.localNow(), this.offset);
  }

  /** Old samples describe an old network path: after a reconnect, start over. */
  reset(): void {
    this.samples = [];
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export const serverClock = new ServerClock();

/**
 * The server time, re-rendering every `tickMs`. Components derive whole seconds from it, so React skips
 * renders where nothing visible changed.
 */
export function useServerNow(tickMs = 250, clock: ServerClock = serverClock): number {
  const [now, setNow] = useState(() => clock.now());
  useEffect(() => {
    const update = () => setNow(clock.now());
    const timer = setInterval(update, tickMs);
    const unsubscribe = clock.subscribe(update);
    return () => {
      clearInterval(timer);
      unsubscribe();
    };
  }, [tickMs, clock]);
  return now;
}
