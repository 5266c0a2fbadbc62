/** The result once the lot is closed (GET /api/lots/:id/result), and the notice for this bidder. */
import { useQuery } from '@tanstack/react-query';
import { Alert } from 'antd';
import type { LotClosedEvent } from '@fapai/contracts';
import { endpoints } from '../api/endpoints';
import { formatYuan } from '../format/money';
import { useI18n } from '../i18n/i18n';
import { WinnerSettlement } from './WinnerSettlement';

export function LotResult({ lotId, closed, myCode }: { lotId: string; closed: LotClosedEvent | null; myCode: string | null }) {
  const { t } = useI18n();
  const { data } = useQuery({ queryKey: ['lot', lotId, 'result'], queryFn: () => endpoints.result(lotId), retry: 3, retryDelay: 1000 });
  const result = data ?? closed;
  if (!result) return <Alert type="info" showIcon title={t('lot.result.pending')} />;
  const sold = result.outcome === 'sold' && result.price !== null;
  return (
    <section className="panel" aria-labelledby="result-title" data-testid="lot-result">
      <h2 id="result-title">{t('lot.result')}</h2>
      <p>{sold ? t('lot.result.sold', { code: result.bidderCode ?? '—', price: formatYuan(result.price!) }) : t('lot.result.unsold')}</p>
      {myCode && sold && result.bidderCode === myCode && (
        <>
          <Alert type="success" showIcon title={t('lot.won', { price: formatYuan(result.price!) })} data-testid="won" />
          <WinnerSettlement lotId={lotId} />
        </>
      )}
      {myCode && (!sold || result.bidderCode !== myCode) && <Alert type="info" showIcon title={t('lot.lost')} />}
    </section>
  );
}
