import { timerAnnouncement } from './announce';

describe('countdown announcements (polite live region rate)', () => {
  it('announces minute boundaries only', () => {
    expect(timerAnnouncement(300_500, 300_000)).toEqual({ kind: 'minutes', minutes: 5 });
    expect(timerAnnouncement(299_900, 299_000)).toBeNull();
    expect(timerAnnouncement(61_000, 60_000)).toEqual({ kind: 'minutes', minutes: 1 });
  });

  it('announces 10, 5, 3, 2, 1 seconds, then the end', () => {
    const said: string[] = [];
    for (let ms = 12_000; ms >= 0; ms -= 250) {
      const a = timerAnnouncement(ms + 250, ms);
      if (a) said.push(a.kind === 'seconds' ? `${a.seconds}s` : a.kind);
    }
    expect(said).toEqual(['10s', '5s', '3s', '2s', '1s', 'ended']);
  });

  it('says nothing when time is added (an extension is announced separately)', () => {
    expect(timerAnnouncement(2_000, 5_000)).toBeNull();
  });

  it('still announces when a throttled tab skipped the mark', () => {
    expect(timerAnnouncement(12_000, 8_000)).toEqual({ kind: 'seconds', seconds: 8 });
  });
});
