/**
 * Status and round badges. Each carries its text and a shape symbol, so the state never depends on
 * colour alone (WCAG 1.4.1).
 */
import type { LotView } from '@fapai/contracts';
import { useI18n } from '../i18n/i18n';
import { statusLabelKey, type LotPhase } from './phase';

const STYLE: Record<LotPhase, { className: string; symbol: string }> = {
  live: { className: 'badge-live', symbol: '●' },
  closing: { className: 'badge-live', symbol: '◐' },
  upcoming: { className: 'badge-announced', symbol: '○' },
  paused: { className: 'badge-paused', symbol: '❚❚' },
  withdrawn: { className: 'badge-ended', symbol: '✕' },
  ended: { className: 'badge-ended', symbol: '■' },
  draft: { className: 'badge-ended', symbol: '✎' },
};

export function LotStatusBadge({ lot, phase }: { lot: Pick<LotView, 'status'>; phase: LotPhase }) {
  const { t } = useI18n();
  const { className, symbol } = STYLE[phase];
  return (
    <span className={`badge ${className}`} data-testid="lot-status">
      <span aria-hidden="true">{symbol}</span>
      {t(statusLabelKey(lot, phase))}
    </span>
  );
}

export function RoundBadge({ round }: { round: LotView['round'] }) {
  const { t } = useI18n();
  return <span className="badge badge-round">{t(`round.${round}`)}</span>;
}
