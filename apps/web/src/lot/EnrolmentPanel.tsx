/**
 * Enrolment (报名) with the deposit (保证金). When `GET /api/payments/config` names a Stripe publishable key,
 * the deposit is paid with Stripe Elements (a lazy chunk mounted on the client secret of the enrolment's
 * PaymentIntent); without one (offline and test mode) the bidder picks a Stripe test card, which the
 * server confirms at once, and js.stripe.com is never requested.
 */
import { lazy, Suspense, useState, type ComponentType } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Spin } from 'antd';
import { Link, useLocation } from 'react-router-dom';
import type { EnrolmentView, LotView } from '@fapai/contracts';
import { ApiError } from '../api/client';
import { useAuth } from '../auth/auth';
import { formatYuan } from '../format/money';
import { useI18n } from '../i18n/i18n';
import { depositMode, enrolmentKey, useEnrol, usePaymentsConfig } from './enrolment';
import type { StripeDepositProps } from './StripeDeposit';

const LazyStripeDeposit = lazy(() => import('./StripeDeposit'));
import { errorText } from '../i18n/refusal';
import { TestCardChoice } from './TestCardChoice';

export function EnrolmentPanel({
  lot,
  enrolment,
  canEnrol,
  onEnrolled,
  StripeForm = LazyStripeDeposit,
}: {
  lot: LotView;
  enrolment: EnrolmentView | null | undefined;
  canEnrol: boolean;
  onEnrolled?: () => void;
  /** The Stripe Elements form (the lazy chunk); replaceable in component tests. */
  StripeForm?: ComponentType<StripeDepositProps>;
}) {
  const { t } = useI18n();
  const { session, me, hasRole } = useAuth();
  const location = useLocation();
  const qc = useQueryClient();
  const enrol = useEnrol(lot.id);
  const config = usePaymentsConfig();
  const mode = depositMode(config.data, config.isError);
  const [card, setCard] = useState<string>('pm_card_visa');

  const body = (() => {
    if (!session) {
      // Inviting a visitor to log in "to enrol and bid" on a lot that takes no enrolment would mislead.
      if (!canEnrol) return <p className="muted">{t('enrol.closed')}</p>;
      return (
        <p>
          <Link to={`/login?next=${encodeURIComponent(location.pathname)}`} data-testid="login-to-bid">
            {t('bid.loginFirst')}
          </Link>
        </p>
      );
    }
    if (!hasRole('bidder')) return null;
    if (enrolment?.status === 'active') {
      return (
        <>
          <Alert type="success" showIcon title={t('enrol.done', { code: enrolment.bidderCode ?? '—' })} data-testid="enrolled" />
          {enrolment.deposit && (
            <p style={{ marginTop: 8 }}>
              {t('lot.deposit')}{t('common.colon')}{formatYuan(enrolment.deposit.amount)} · {t(`deposit.status.${enrolment.deposit.status}`)}
            </p>
          )}
        </>
      );
    }
    if (!canEnrol) return <p className="muted">{t('enrol.closed')}</p>;
    if (me && !me.identityVerified) {
      return (
        <p>
          {t('enrol.verifyFirst')} <Link to="/account#identity">{t('enrol.verifyLink')}</Link>
        </p>
      );
    }
    const declined = enrol.error instanceof ApiError && enrol.error.code === 'DEPOSIT_DECLINED';
    const failed = declined || enrolment?.deposit?.status === 'failed';
    const waiting = enrolment?.deposit?.status === 'awaiting_payment' && !enrol.isPending;
    const due = <p>{t('enrol.deposit', { amount: formatYuan(enrolment?.depositDue ?? lot.deposit ?? 0) })}</p>;
    if (mode === 'loading') return <Spin />;
    if (mode === 'stripe') {
      const secret = enrolment?.deposit?.status === 'awaiting_payment' ? enrolment.deposit.clientSecret : null;
      return (
        <div data-testid="deposit-stripe">
          {due}
          {failed && <Alert type="error" showIcon title={t('enrol.failed')} style={{ marginBottom: 12 }} role="alert" data-testid="deposit-failed" />}
          {enrol.error && <Alert type="error" showIcon title={errorText(t, enrol.error)} style={{ marginBottom: 12 }} />}
          {secret && config.data?.publishableKey ? (
            <Suspense fallback={<Spin />}>
              <StripeForm publishableKey={config.data.publishableKey} clientSecret={secret} onConfirmed={() => void qc.invalidateQueries({ queryKey: enrolmentKey(lot.id) })} />
            </Suspense>
          ) : (
            <Button type="primary" loading={enrol.isPending} block data-testid="enrol-submit" onClick={() => enrol.mutate(undefined, { onSuccess: () => onEnrolled?.() })}>
              {failed ? t('enrol.retry') : t('enrol.start')}
            </Button>
          )}
        </div>
      );
    }
    return (
      <form
        data-testid="deposit-test-cards"
        onSubmit={(e) => {
          e.preventDefault();
          // The enrolment count on the page changes: reload the lot.
          enrol.mutate(card, { onSuccess: () => onEnrolled?.() });
        }}
      >
        {due}
        <TestCardChoice value={card} onChange={setCard} />
        {failed && <Alert type="error" showIcon title={declined ? errorText(t, enrol.error) : t('enrol.failed')} style={{ marginBottom: 12 }} role="alert" data-testid="deposit-failed" />}
        {waiting && <Alert type="info" showIcon title={t('deposit.status.awaiting_payment')} style={{ marginBottom: 12 }} />}
        {enrol.error && !declined && <Alert type="error" showIcon title={errorText(t, enrol.error)} style={{ marginBottom: 12 }} />}
        <Button type="primary" htmlType="submit" loading={enrol.isPending} block data-testid="enrol-submit">
          {failed ? t('enrol.retry') : t('enrol.submit')}
        </Button>
      </form>
    );
  })();
  if (body === null) return null;
  return (
    <section className="panel" aria-labelledby="enrol-title" data-testid="enrolment-panel">
      <h2 id="enrol-title">{t('enrol.title')}</h2>
      {body}
    </section>
  );
}
