/**
 * The public lot page: live price, countdown and bid record from the socket, enrolment and the bid panel
 * for a bidder, every disclosure, the round history and, after the end, the result.
 */
import { Alert, Button, Spin } from 'antd';
import { Link, useParams } from 'react-router-dom';
import type { LotView } from '@fapai/contracts';
import { ApiError } from '../api/client';
import { useRules } from '../api/queries';
import { useAuth } from '../auth/auth';
import { formatYuan, yuanOrDash } from '../format/money';
import { describeDuration, formatDateTime } from '../format/time';
import { useI18n } from '../i18n/i18n';
import { errorText } from '../i18n/refusal';
import { useServerNow } from '../live/clock';
import { useLiveLot } from '../live/useLiveLot';
import { LotStatusBadge, RoundBadge } from '../lot/badges';
import { BidPanel } from '../lot/BidPanel';
import { BidRecord } from '../lot/BidRecord';
import { ConnectionIndicator } from '../lot/ConnectionIndicator';
import { Countdown } from '../lot/Countdown';
import { Disclosures } from '../lot/Disclosures';
import { EnrolmentPanel } from '../lot/EnrolmentPanel';
import { useMyEnrolment } from '../lot/enrolment';
import { LotResult } from '../lot/LotResult';
import { lotPhase, priceBoardLabels } from '../lot/phase';
import { RoundHistory } from '../lot/RoundHistory';
import { useBidderNotices } from '../lot/useBidderNotices';

export default function LotPage() {
  const { id = '' } = useParams();
  return <LiveLotPage key={id} lotId={id} />;
}

function LiveLotPage({ lotId }: { lotId: string }) {
  const { t } = useI18n();
  const live = useLiveLot(lotId);
  if (!live.lot) {
    if (live.loading) return <Spin className="page-spin" aria-label={t('lot.loading')} />;
    const notFound = live.error instanceof ApiError && (live.error.status === 404 || live.error.status === 400);
    return (
      <>
        <h1 className="page-title">{notFound ? t('lot.notFound') : t('common.error', { message: errorText(t, live.error) })}</h1>
        <Link to="/">{t('lot.back')}</Link>
      </>
    );
  }
  return <LotDetail live={live} lot={live.lot} />;
}

function LotDetail({ live, lot }: { live: ReturnType<typeof useLiveLot>; lot: LotView }) {
  const { t, lang } = useI18n();
  const { hasRole } = useAuth();
  const now = useServerNow(500);
  const phase = lotPhase(lot, now);
  const rules = useRules().data;
  const enrolment = useMyEnrolment(lot.id, hasRole('bidder')).data;
  const myCode = enrolment?.status === 'active' ? enrolment.bidderCode : null;
  const { outbidPrice, dismissOutbid } = useBidderNotices(lot, myCode, live.lastExtension);
  const leaderIsPriority = live.bids[0]?.seq === lot.seq ? live.bids[0].priority : false;
  const ended = phase === 'ended' || phase === 'closing';
  const labels = priceBoardLabels(lot, phase);
  const beijing = t('time.beijingSuffix');

  return (
    <article aria-labelledby="lot-title">
      <p>
        <Link to="/">← {t('lot.back')}</Link>
      </p>
      <div className="badges" style={{ marginBottom: 4 }}>
        <LotStatusBadge lot={lot} phase={phase} />
        <RoundBadge round={lot.round} />
        <span className="badge badge-round">{t(`propertyType.${lot.propertyType}`)}</span>
        <ConnectionIndicator resyncing={live.resyncing} />
      </div>
      <h1 id="lot-title" className="page-title">
        {lot.title}
      </h1>
      {lot.statusReason && (phase === 'paused' || phase === 'withdrawn') && <Alert type="warning" showIcon title={t('lot.statusReason', { reason: lot.statusReason })} style={{ marginBottom: 16 }} />}

      <div className="lot-layout">
        <div className="lot-live">
          <section className="panel" aria-labelledby="price-title" data-testid="price-board">
            <h2 id="price-title" className="visually-hidden">
              {t(labels.price)}
            </h2>
            <p style={{ margin: 0 }} className="muted" data-testid="price-label">
              {t(labels.price)}
            </p>
            <p className="price price-big" style={{ margin: '0 0 4px' }} data-testid="current-price">
              {yuanOrDash(lot.currentPrice ?? lot.startingPrice)}
            </p>
            <p style={{ margin: '0 0 8px' }}>
              {t(labels.leader)}{t('common.colon')}<strong data-testid="leader-code">{lot.leaderCode ?? '—'}</strong>
              {/* Once the lot is over the result panel says who won; "you lead" would say it is still running. */}
              {myCode && lot.leaderCode === myCode && !labels.over && (
                <span className="badge badge-live" style={{ marginLeft: 8 }} data-testid="you-lead">
                  ★ {t('lot.youLead')}
                </span>
              )}
            </p>
            <Countdown lot={lot} announce />
            <dl className="facts" style={{ marginTop: 12 }}>
              <dt>{t('lot.bidCount')}</dt>
              <dd data-testid="bid-count">{lot.bidCount}</dd>
              <dt>{t('lot.enrolledCount')}</dt>
              <dd>{lot.enrolledCount}</dd>
              <dt>{t('lot.extensionCount')}</dt>
              <dd data-testid="extension-count">{lot.extensionCount}</dd>
              <dt>
                {t('lot.endsAt')}
                {beijing}
              </dt>
              <dd data-testid="ends-at">{formatDateTime(lot.endsAt, lang, true)}</dd>
            </dl>
            {live.lastExtension && !ended && (
              <Alert type="warning" showIcon title={t('lot.extended', { time: formatDateTime(live.lastExtension.endsAt, lang, true) })} style={{ marginTop: 12 }} data-testid="extended" />
            )}
          </section>

          {outbidPrice !== null && !ended && (
            <Alert
              type="error"
              showIcon
              title={t('lot.outbid', { price: formatYuan(outbidPrice) })}
              action={
                <Button size="small" onClick={dismissOutbid}>
                  {t('common.close')}
                </Button>
              }
              style={{ marginBottom: 16 }}
              data-testid="outbid"
            />
          )}
          {ended && <LotResult lotId={lot.id} closed={live.closed} myCode={myCode} />}
          {!ended && <EnrolmentPanel lot={lot} enrolment={enrolment} canEnrol={phase === 'upcoming' || phase === 'live'} onEnrolled={() => void live.resync()} />}
          {enrolment?.status === 'active' && !ended && (
            <BidPanel
              lot={lot}
              enrolment={enrolment}
              leaderIsPriority={leaderIsPriority}
              jumpConfirmIncrements={rules?.auction.jumpConfirmIncrements ?? 10}
              open={phase === 'live'}
              onAccepted={live.applyOwnBid}
            />
          )}
          <BidRecord lotId={lot.id} total={lot.seq} bids={live.bids} myCode={myCode} />
        </div>

        <div className="lot-details">
          <section className="panel" aria-labelledby="photos-title">
            <h2 id="photos-title">{t('lot.photos')}</h2>
            {lot.photos.length === 0 ? (
              <p className="muted">{t('lot.noPhotos')}</p>
            ) : (
              <div className="photos">
                {lot.photos.map((p, i) => (
                  <a key={p.id} href={p.url} target="_blank" rel="noreferrer">
                    <img src={p.url} alt={t('lot.photoAlt', { title: lot.title, n: i + 1 })} loading="lazy" />
                  </a>
                ))}
              </div>
            )}
          </section>
          <section className="panel" aria-labelledby="terms-title">
            <h2 id="terms-title">{t('lot.announcement')}</h2>
            <dl className="facts" data-testid="lot-terms">
              <dt>{t('lot.startingPrice')}</dt>
              <dd className="mono">{yuanOrDash(lot.startingPrice)}</dd>
              <dt>{t('lot.referencePrice')}</dt>
              <dd className="mono">{yuanOrDash(lot.referencePrice)}</dd>
              <dt>{t('lot.referencePriceBasis')}</dt>
              <dd>{lot.referencePriceBasis || t('lot.notDisclosed')}</dd>
              <dt>{t('lot.increment')}</dt>
              <dd className="mono">{yuanOrDash(lot.increment)}</dd>
              <dt>{t('lot.deposit')}</dt>
              <dd className="mono">{yuanOrDash(lot.deposit)}</dd>
              <dt>{t('lot.extensionRule')}</dt>
              <dd>
                {rules
                  ? t('lot.extensionRuleText', { window: describeDuration(rules.auction.extensionWindowMs, lang), extension: describeDuration(rules.auction.extensionMs, lang) })
                  : '—'}
              </dd>
              <dt>
                {t('lot.startsAt')}
                {beijing}
              </dt>
              <dd>{formatDateTime(lot.startsAt, lang, true)}</dd>
              <dt>
                {t('lot.endsAt')}
                {beijing}
              </dt>
              <dd>{formatDateTime(lot.endsAt, lang, true)}</dd>
              <dt>{t('lot.court')}</dt>
              <dd>{lot.courtName ?? '—'}</dd>
              <dt>{t('lot.caseNumber')}</dt>
              <dd>{lot.caseNumber ?? '—'}</dd>
              <dt>{t('lot.location')}</dt>
              <dd>{[lot.province, lot.city, lot.address].filter(Boolean).join(' ') || '—'}</dd>
              <dt>{t('lot.balanceDue')}</dt>
              <dd>{t('lot.balanceDueDays', { days: lot.balanceDueDays })}</dd>
            </dl>
          </section>
          <Disclosures lot={lot} />
          <RoundHistory lot={lot} />
        </div>
      </div>
    </article>
  );
}
