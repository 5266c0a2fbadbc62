import { Link } from 'react-router-dom';
import type { LotView } from '@fapai/contracts';
import { yuanOrDash } from '../format/money';
import { useI18n } from '../i18n/i18n';
import { useServerNow } from '../live/clock';
import { LotStatusBadge, RoundBadge } from './badges';
import { Countdown } from './Countdown';
import { lotPhase } from './phase';

/** A catalogue card: round, status, current or starting price, time left. The whole card is the link. */
export function LotCard({ lot }: { lot: LotView }) {
  const { t } = useI18n();
  const now = useServerNow(1000);
  const phase = lotPhase(lot, now);
  const photo = lot.photos[0];
  return (
    <article className="lot-card" data-testid="lot-card">
      <div className="lot-card-photo">{photo ? <img src={photo.url} alt="" loading="lazy" /> : <span aria-hidden="true">{t(`propertyType.${lot.propertyType}`)}</span>}</div>
      <div className="lot-card-body">
        <div className="badges">
          <LotStatusBadge lot={lot} phase={phase} />
          <RoundBadge round={lot.round} />
        </div>
        <h2 className="lot-card-title">
          <Link to={`/lots/${lot.id}`}>{lot.title}</Link>
        </h2>
        <div className="lot-card-row">
          <span className="muted">{lot.currentPrice === null ? t('catalogue.startingPrice') : t('catalogue.currentPrice')}</span>
          <span className="price">{yuanOrDash(lot.currentPrice ?? lot.startingPrice)}</span>
        </div>
        <div className="lot-card-row">
          <Countdown lot={lot} compact />
        </div>
        <div className="muted" style={{ fontSize: 13 }}>
          {[lot.province, lot.city].filter(Boolean).join(' ')} · {lot.courtName ?? ''}
        </div>
      </div>
    </article>
  );
}
