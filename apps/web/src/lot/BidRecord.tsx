/** The public bid record (竞价记录): bidder codes only, newest first; the top row is the leader. */
import type { BidView } from '@fapai/contracts';
import { formatYuan } from '../format/money';
import { formatClock } from '../format/time';
import { useI18n } from '../i18n/i18n';

export function BidRecord({ bids, myCode }: { bids: BidView[]; myCode: string | null }) {
  const { t, lang } = useI18n();
  return (
    <section className="panel" aria-labelledby="bid-record-title">
      <h2 id="bid-record-title">{t('lot.bidRecord')}</h2>
      {bids.length === 0 ? (
        <p className="muted">{t('lot.noBids')}</p>
      ) : (
        <div style={{ maxHeight: 360, overflowY: 'auto' }} tabIndex={0} role="region" aria-labelledby="bid-record-title">
          <table className="bid-record" data-testid="bid-record">
            <thead>
              <tr>
                <th scope="col">{t('lot.bidRecord.code')}</th>
                <th scope="col">{t('lot.bidRecord.amount')}</th>
                <th scope="col">{t('lot.bidRecord.time')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('catalogue.status')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {bids.map((bid, i) => (
                <tr key={bid.seq} className={i === 0 ? 'leading' : undefined}>
                  <td>
                    {bid.bidderCode}
                    {bid.bidderCode === myCode ? ' ★' : ''}
                  </td>
                  <td>{formatYuan(bid.amount)}</td>
                  <td>{formatClock(bid.placedAt, lang)}</td>
                  <td>
                    {i === 0 ? t('lot.bidRecord.leading') : t('lot.bidRecord.outbid')}
                    {bid.priority ? ` · ${t('lot.bidRecord.priority')}` : ''}
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
