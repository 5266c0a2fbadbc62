/**
 * The public bid record (竞价记录): bidder codes only, newest first; the top row is the leader. The live
 * window holds the newest bids; "show more" loads older pages on request.
 */
import { useState } from 'react';
import { Button } from 'antd';
import type { BidView } from '@fapai/contracts';
import { endpoints } from '../api/endpoints';
import { formatYuan } from '../format/money';
import { formatClock } from '../format/time';
import { useI18n } from '../i18n/i18n';
import { olderPage, OLDER_PAGE_SIZE, unionBids } from './bid-record';
import { refusalText, type Refusal } from '../i18n/refusal';

export function BidRecord({ lotId, total, bids, myCode }: { lotId: string; total: number; bids: BidView[]; myCode: string | null }) {
  const { t, lang } = useI18n();
  const [older, setOlder] = useState<BidView[]>([]);
  const [loading, setLoading] = useState(false);
  // The error itself, not its text, so it re-renders in the reader's language after a switch.
  const [error, setError] = useState<Refusal | null>(null);
  const shown = older.length === 0 ? bids : unionBids(bids, older);
  const page = olderPage(total, shown.at(-1)?.seq ?? null);

  async function loadMore(p: number) {
    setLoading(true);
    setError(null);
    try {
      const res = await endpoints.bids(lotId, { page: p, pageSize: OLDER_PAGE_SIZE });
      // Keep what is shown now as well: the live window drops its oldest bids as new ones arrive.
      setOlder((prev) => unionBids(prev, shown, res.items));
    } catch (e) {
      setError({ error: e });
    } finally {
      setLoading(false);
    }
  }

  return (
    <section className="panel" aria-labelledby="bid-record-title">
      <h2 id="bid-record-title">{t('lot.bidRecord')}</h2>
      {shown.length === 0 ? (
        <p className="muted">{t('lot.noBids')}</p>
      ) : (
        <div style={{ maxHeight: 360, overflow: 'auto' }} tabIndex={0} role="region" aria-labelledby="bid-record-title">
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
              {shown.map((bid, i) => (
                <tr key={bid.seq} className={i === 0 ? 'leading' : undefined}>
                  <td className="nowrap">
                    {bid.bidderCode}
                    {bid.bidderCode === myCode ? ' ★' : ''}
                  </td>
                  <td className="nowrap">{formatYuan(bid.amount)}</td>
                  <td className="nowrap">{formatClock(bid.placedAt, lang)}</td>
                  <td className="nowrap">
                    {i === 0 ? t('lot.bidRecord.leading') : t('lot.bidRecord.outbid')}
                    {bid.priority ? ` · ${t('lot.bidRecord.priority')}` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {error && (
        <p className="field-error" role="alert">
          {refusalText(t, error)}
        </p>
      )}
      {page !== null && (
        <Button block loading={loading} onClick={() => void loadMore(page)} style={{ marginTop: 8 }} data-testid="bid-record-more">
          {t('lot.bidRecord.more', { shown: shown.length, total })}
        </Button>
      )}
    </section>
  );
}
