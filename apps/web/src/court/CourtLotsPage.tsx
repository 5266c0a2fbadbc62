import { useQuery } from '@tanstack/react-query';
import { Alert, Spin } from 'antd';
import { Link } from 'react-router-dom';
import { endpoints } from '../api/endpoints';
import { yuanOrDash } from '../format/money';
import { formatDateTime } from '../format/time';
import { useI18n } from '../i18n/i18n';
import { useServerNow } from '../live/clock';
import { LotStatusBadge, RoundBadge } from '../lot/badges';
import { lotPhase } from '../lot/phase';
import { errorText } from '../i18n/refusal';
import { LotActions } from './LotActions';

/** The court's lots, drafts included. */
export default function CourtLotsPage() {
  const { t, lang } = useI18n();
  const now = useServerNow(1000);
  const lots = useQuery({ queryKey: ['court-lots'], queryFn: endpoints.courtLots, refetchInterval: 10_000 });
  if (lots.isLoading) return <Spin className="page-spin" />;
  if (lots.error) return <Alert type="error" title={errorText(t, lots.error)} />;
  return (
    <section aria-labelledby="court-lots-title">
      <h2 id="court-lots-title">{t('court.lots')}</h2>
      <p>
        <Link to="/court/lots/new" data-testid="new-lot">
          + {t('court.newLot')}
        </Link>
      </p>
      {(lots.data ?? []).length === 0 ? (
        <p className="muted">{t('court.noLots')}</p>
      ) : (
        <div style={{ overflowX: 'auto' }}>
          <table className="bid-record" data-testid="court-lots">
            <thead>
              <tr>
                <th scope="col">{t('court.field.title')}</th>
                <th scope="col">{t('catalogue.status')}</th>
                <th scope="col">{t('lot.currentPrice')}</th>
                <th scope="col">
                  {t('lot.endsAt')}
                  {t('time.beijingSuffix')}
                </th>
                <th scope="col">{t('court.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {(lots.data ?? []).map((lot) => (
                <tr key={lot.id}>
                  <td>
                    <Link to={`/court/lots/${lot.id}`}>{lot.title}</Link>
                    <div className="muted">{lot.caseNumber}</div>
                  </td>
                  <td>
                    <div className="badges">
                      <LotStatusBadge lot={lot} phase={lotPhase(lot, now)} />
                      <RoundBadge round={lot.round} />
                    </div>
                  </td>
                  <td className="mono">{yuanOrDash(lot.currentPrice ?? lot.startingPrice)}</td>
                  <td className="nowrap">{formatDateTime(lot.endsAt, lang)}</td>
                  <td>
                    <LotActions lot={lot} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
