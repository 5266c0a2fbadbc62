/**
 * The winner's next steps (OJA Arts. 22, 25): the balance (price − deposit) and its deadline, paying it, and
 * the sale confirmation PDF. The settlement is created right after the close, so the first reads may find
 * none yet: the query retries.
 *
 * Paying, as for the deposit: when `GET /api/payments/config` names a Stripe publishable key, the balance is
 * paid with Stripe Elements (the lazy StripeBalance chunk, mounted on the client secret the settlement
 * carries once the buyer starts paying); without one (offline and test mode) the buyer picks a Stripe test
 * card, which the server confirms at once, and js.stripe.com is never requested.
 */
import { lazy, Suspense, useState, type ComponentType } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Spin } from 'antd';
import type { SettlementView } from '@fapai/contracts';
import { ApiError } from '../api/client';
import { endpoints } from '../api/endpoints';
import { formatYuan } from '../format/money';
import { formatDateTime } from '../format/time';
import { useI18n } from '../i18n/i18n';
import { depositMode, usePaymentsConfig } from './enrolment';
import { errorText } from '../i18n/refusal';
import { TestCardChoice } from './TestCardChoice';
import type { StripeBalanceProps } from './StripeBalance';

const LazyStripeBalance = lazy(() => import('./StripeBalance'));

/** The client secret of a card that needs 3-D Secure (402 BALANCE_NEEDS_ACTION), to finish in the browser. */
function needsActionSecret(error: unknown): string | null {
  if (!(error instanceof ApiError) || error.code !== 'BALANCE_NEEDS_ACTION') return null;
  const secret = (error.details as { clientSecret?: unknown } | undefined)?.clientSecret;
  return typeof secret === 'string' ? secret : null;
}

export function WinnerSettlement({
  lotId,
  StripeForm = LazyStripeBalance,
}: {
  lotId: string;
  /** The Stripe Elements form (the lazy chunk); replaceable in component tests. */
  StripeForm?: ComponentType<StripeBalanceProps>;
}) {
  const { t, lang } = useI18n();
  const qc = useQueryClient();
  const [card, setCard] = useState('pm_card_visa');
  // Once Stripe.js confirmed the payment, the webhook marks the sale paid: look again every second until then.
  const [confirmed, setConfirmed] = useState(false);
  const settlement = useQuery({
    queryKey: ['settlement', lotId],
    queryFn: () => endpoints.settlement(lotId),
    retry: 10,
    retryDelay: 1000,
    refetchInterval: (q) => (confirmed && q.state.data?.status === 'awaiting_balance' ? 1000 : false),
  });
  const config = usePaymentsConfig();
  const mode = depositMode(config.data, config.isError);
  const pay = useMutation({
    mutationFn: (paymentMethod: string | undefined) => endpoints.payBalance(lotId, paymentMethod),
    onSuccess: (s: SettlementView) => qc.setQueryData(['settlement', lotId], s),
  });
  const s = settlement.data;
  if (!s) return <p className="muted">{t('settlement.pending')}</p>;

  const payment = (() => {
    if (s.status !== 'awaiting_balance') return null;
    if (mode === 'loading') return <Spin />;
    if (mode === 'stripe' && config.data?.publishableKey) {
      const actionSecret = needsActionSecret(pay.error);
      const secret = actionSecret ?? s.balancePayment?.clientSecret ?? null;
      return (
        <div data-testid="balance-stripe" style={{ marginTop: 12 }}>
          {pay.error && !actionSecret && <Alert type="error" showIcon title={errorText(t, pay.error)} role="alert" style={{ marginBottom: 8 }} />}
          {secret ? (
            <Suspense fallback={<Spin />}>
              <StripeForm publishableKey={config.data.publishableKey} clientSecret={secret} amount={s.balanceDue} nextAction={actionSecret !== null} onConfirmed={() => setConfirmed(true)} />
            </Suspense>
          ) : (
            <Button type="primary" loading={pay.isPending} data-testid="pay-balance" onClick={() => pay.mutate(undefined)}>
              {t('settlement.start')} {formatYuan(s.balanceDue)}
            </Button>
          )}
        </div>
      );
    }
    return (
      <form
        data-testid="balance-test-cards"
        onSubmit={(e) => {
          e.preventDefault();
          pay.mutate(card);
        }}
        style={{ marginTop: 12 }}
      >
        <TestCardChoice value={card} onChange={setCard} />
        {pay.error && <Alert type="error" showIcon title={errorText(t, pay.error)} role="alert" style={{ marginBottom: 8 }} />}
        <Button type="primary" htmlType="submit" loading={pay.isPending} data-testid="pay-balance">
          {t('settlement.pay')} {formatYuan(s.balanceDue)}
        </Button>
      </form>
    );
  })();

  return (
    <section aria-labelledby="settlement-title" data-testid="settlement" style={{ marginTop: 12 }}>
      <h3 id="settlement-title">
        {t('settlement.title')} · {t(`settlement.status.${s.status}`)}
      </h3>
      <dl className="facts">
        <dt>{t('settlement.confirmationNo')}</dt>
        <dd>{s.confirmationNo}</dd>
        <dt>{t('settlement.price')}</dt>
        <dd className="mono">{formatYuan(s.price)}</dd>
        <dt>{t('settlement.depositApplied')}</dt>
        <dd className="mono">{formatYuan(s.depositApplied)}</dd>
        <dt>{t('settlement.balanceDue')}</dt>
        <dd className="mono">{formatYuan(s.balanceDue)}</dd>
        <dt>
          {t('settlement.deadline')}
          {t('time.beijingSuffix')}
        </dt>
        <dd>{formatDateTime(s.balanceDeadline, lang, true)}</dd>
      </dl>
      {payment}
      {s.paidAt && <p data-testid="balance-paid">{t('settlement.paid', { time: formatDateTime(s.paidAt, lang, true) })}</p>}
      <p>
        <a href={endpoints.confirmationPdfUrl(lotId)} target="_blank" rel="noreferrer" data-testid="confirmation-pdf">
          {t('settlement.pdf')}
        </a>
      </p>
    </section>
  );
}
