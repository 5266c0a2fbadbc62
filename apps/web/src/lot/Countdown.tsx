/**
 * The countdown, on the server clock (`useServerNow`). The visible timer is not a live region (it would
 * speak every second); the polite announcer gets minute marks and the last seconds (`timerAnnouncement`).
 */
import { useEffect, useRef } from 'react';
import { formatCountdown, timeLeftMs } from '@fapai/domain';
import type { LotView } from '@fapai/contracts';
import { useAnnounce } from '../app/Announcer';
import { useI18n } from '../i18n/i18n';
import { useServerNow } from '../live/clock';
import { timerAnnouncement } from '../live/announce';
import { countdownTarget, lotPhase } from './phase';

type Timing = Pick<LotView, 'status' | 'startsAt' | 'endsAt' | 'pausedRemainingMs'>;

/** The domain's "N天 HH:MM:SS", with the day unit in the reader's language. */
export function countdownText(ms: number, lang: 'zh' | 'en'): string {
  const text = formatCountdown(ms);
  return lang === 'zh' ? text : text.replace(/^(\d+)天 /, '$1 d ');
}

export function Countdown({ lot, announce = false, compact = false }: { lot: Timing; announce?: boolean; compact?: boolean }) {
  const { t, lang } = useI18n();
  const now = useServerNow();
  const phase = lotPhase(lot, now);
  const target = countdownTarget(lot, phase);
  const msLeft = target === null ? 0 : target.kind === 'paused' ? target.remainingMs : timeLeftMs(target.at, now);
  // At the end the phase turns to "closing" (no target): keep feeding 0 so the end is announced. The close
  // may also arrive before this clock reaches the end (live → ended directly): feeding 0 then too announces
  // the end, instead of leaving "1 second left" in the live region after the lot has closed.
  const over = phase === 'closing' || phase === 'ended';
  useTimerAnnouncements(!announce ? null : target?.kind === 'endsIn' ? msLeft : over ? 0 : null);

  if (target === null) {
    if (phase === 'withdrawn' || phase === 'draft') return null;
    return <span className={compact ? 'mono' : 'countdown'}>{t('countdown.ended')}</span>;
  }
  const label = target.kind === 'startsIn' ? t('countdown.startsIn') : target.kind === 'endsIn' ? t('countdown.endsIn') : t('countdown.paused');
  const urgent = target.kind === 'endsIn' && msLeft <= 60_000;
  return (
    <span className="countdown-wrap">
      <span className="muted">{label} </span>
      <span role="timer" aria-live="off" className={`${compact ? 'mono' : 'countdown'}${urgent ? ' countdown-urgent' : ''}`} data-testid="countdown">
        {countdownText(msLeft, lang)}
      </span>
    </span>
  );
}

function useTimerAnnouncements(msLeft: number | null) {
  const { t } = useI18n();
  const announce = useAnnounce();
  const prev = useRef<number | null>(null);
  useEffect(() => {
    if (msLeft === null) {
      prev.current = null;
      return;
    }
    if (prev.current !== null) {
      const a = timerAnnouncement(prev.current, msLeft);
      if (a?.kind === 'minutes') announce(t('countdown.minutesLeft', { minutes: a.minutes }));
      else if (a?.kind === 'seconds') announce(t('countdown.secondsLeft', { seconds: a.seconds }));
      else if (a?.kind === 'ended') announce(t('countdown.ends'));
    }
    prev.current = msLeft;
  }, [msLeft, announce, t]);
}
