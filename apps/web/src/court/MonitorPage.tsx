/** The live monitor: every announced or live lot of the court, with price, leader and countdown pushed by the socket. */
import { useQuery } from '@tanstack/react-query';
import { Spin } from 'antd';
import { Link } from 'react-router-dom';
import { endpoints } from '../api/endpoints';
import { yuanOrDash } from '../format/money';
import { useI18n } from '../i18n/i18n';
import { useServerNow } from '../live/clock';
import { useLiveLot } from '../live/useLiveLot';
import { LotStatusBadge } from '../lot/badges';
import { ConnectionIndicator } from '../lot/ConnectionIndicator';
import { Countdown } from '../lot/Countdown';
import { lotPhase } from '../lot/phase';
import { LotActions } from './LotActions';

const WATCHED = new Set(['announced', 'live', 'suspended', 'postponed']);

export default function MonitorPage() {
  const { t } = useI18n();
  const lots = useQuery({ queryKey: ['court-lots'], queryFn: endpoints.courtLots, refetchInterval: 15_000 });
  if (lots.isLoading) return <Spin className="page-spin" />;
  const watched = (lots.data ?? []).filter((l) => WATCHED.has(l.status));
  return (
    <section aria-labelledby="monitor-title">
      <h2 id="monitor-title">
        {t('court.monitor')} <ConnectionIndicator resyncing={false} />
      </h2>
      {watched.length === 0 ? (
        <p className="muted">{t('court.monitor.empty')}</p>
      ) : (
        <div style={{ overflowX: 'auto' }}>
          <table className="bid-record" data-testid="monitor">
            <thead>
              <tr>
                <th scope="col">{t('court.field.title')}</th>
                <th scope="col">{t('catalogue.status')}</th>
                <th scope="col">{t('lot.currentPrice')}</th>
                <th scope="col">{t('lot.leader')}</th>
                <th scope="col">{t('lot.bidCount')}</th>
                <th scope="col">{t('catalogue.endsIn')}</th>
                <th scope="col">{t('court.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {watched.map((lot) => (
                <MonitorRow key={lot.id} lotId={lot.id} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function MonitorRow({ lotId }: { lotId: string }) {
  const live = useLiveLot(lotId);
  const now = useServerNow(1000);
  const lot = live.lot;
  if (!lot) return null;
  return (
    <tr>
      <td>
        <Link to={`/court/lots/${lot.id}`}>{lot.title}</Link>
      </td>
      <td>
        <LotStatusBadge lot={lot} phase={lotPhase(lot, now)} />
      </td>
      <td className="price">{yuanOrDash(lot.currentPrice ?? lot.startingPrice)}</td>
      <td>{lot.leaderCode ?? '—'}</td>
      <td>{lot.bidCount}</td>
      <td>
        <Countdown lot={lot} compact />
      </td>
      <td>
        <LotActions lot={lot} />
      </td>
    </tr>
  );
}
