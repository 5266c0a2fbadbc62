/**
 * The balance (尾款) paid with Stripe Elements: a lazy chunk, like the deposit's, only loaded when the API names
 * a publishable key, so offline pages never request js.stripe.com. Two uses:
 * - the open PaymentIntent of the settlement (`balancePayment.clientSecret`): the PaymentElement collects the
 *   card and `confirmPayment` confirms it (3-D Secure included);
 * - a card the server tried already that needs 3-D Secure (`BALANCE_NEEDS_ACTION`): `handleNextAction` on
 *   that intent's client secret finishes the bank's verification.
 * Either way the server learns the outcome from Stripe's webhook; the caller then waits for the settlement
 * to turn `paid`.
 */
import { useMemo, useState } from 'react';
import { Alert, Button } from 'antd';
import { loadStripe } from '@stripe/stripe-js/pure';
import type { Stripe } from '@stripe/stripe-js';
import { Elements, PaymentElement, useElements, useStripe } from '@stripe/react-stripe-js';
import { formatYuan } from '../format/money';
import { useI18n } from '../i18n/i18n';
import { stripeErrorText, type StripeErrorData } from '../i18n/refusal';

export interface StripeBalanceProps {
  publishableKey: string;
  clientSecret: string;
  amount: number;
  /** The intent already has a card and waits for 3-D Secure: finish it instead of asking for a card. */
  nextAction?: boolean;
  onConfirmed: () => void;
}

export default function StripeBalance({ publishableKey, clientSecret, amount, nextAction = false, onConfirmed }: StripeBalanceProps) {
  const { lang } = useI18n();
  const stripe = useMemo(() => loadStripe(publishableKey), [publishableKey]);
  return (
    <div data-testid="stripe-balance">
      {nextAction ? (
        <NextAction stripe={stripe} clientSecret={clientSecret} onConfirmed={onConfirmed} />
      ) : (
        <Elements stripe={stripe} options={{ clientSecret, locale: lang === 'zh' ? 'zh' : 'en' }} key={clientSecret}>
          <PayForm amount={amount} onConfirmed={onConfirmed} />
        </Elements>
      )}
    </div>
  );
}

/** Shared by both forms: one submit in flight, its error in words, and "waiting for confirmation" once done. */
function useSubmit(onConfirmed: () => void, run: () => Promise<{ error?: StripeErrorData } | null>) {
  // Stripe's error as data, worded at render (see `stripeErrorText`).
  const [error, setError] = useState<StripeErrorData | null>(null);
  const [pending, setPending] = useState(false);
  const [done, setDone] = useState(false);
  const submit = async () => {
    setError(null);
    setPending(true);
    try {
      const result = await run();
      if (!result) return;
      if (result.error) setError(result.error);
      else {
        setDone(true);
        onConfirmed();
      }
    } finally {
      setPending(false);
    }
  };
  return { error, pending, done, submit };
}

function Outcome({ error, done }: { error: StripeErrorData | null; done: boolean }) {
  const { t } = useI18n();
  return (
    <>
      {error !== null && <Alert type="error" showIcon role="alert" title={stripeErrorText(t, error, { declined: 'refusal.BALANCE_DECLINED', fallback: 'refusal.BALANCE_DECLINED' })} style={{ marginTop: 12 }} data-testid="stripe-error" />}
      {done && <Alert type="info" showIcon role="status" title={t('settlement.confirming')} style={{ marginTop: 12 }} />}
    </>
  );
}

function PayForm({ amount, onConfirmed }: { amount: number; onConfirmed: () => void }) {
  const { t } = useI18n();
  const stripe = useStripe();
  const elements = useElements();
  const { error, pending, done, submit } = useSubmit(onConfirmed, async () =>
    stripe && elements ? stripe.confirmPayment({ elements, redirect: 'if_required', confirmParams: { return_url: window.location.href } }) : null,
  );
  return (
    <form onSubmit={(e) => (e.preventDefault(), void submit())}>
      <PaymentElement />
      <Outcome error={error} done={done} />
      <Button type="primary" htmlType="submit" block loading={pending} disabled={!stripe || !elements || done} style={{ marginTop: 12 }} data-testid="stripe-pay">
        {t('settlement.pay')} {formatYuan(amount)}
      </Button>
    </form>
  );
}

function NextAction({ stripe, clientSecret, onConfirmed }: { stripe: Promise<Stripe | null>; clientSecret: string; onConfirmed: () => void }) {
  const { t } = useI18n();
  const { error, pending, done, submit } = useSubmit(onConfirmed, async () => {
    const s = await stripe;
    return s ? s.handleNextAction({ clientSecret }) : null;
  });
  return (
    <form onSubmit={(e) => (e.preventDefault(), void submit())}>
      <p>{t('settlement.needsAction')}</p>
      <Outcome error={error} done={done} />
      <Button type="primary" htmlType="submit" block loading={pending} disabled={done} style={{ marginTop: 12 }} data-testid="stripe-next-action">
        {t('settlement.finishAction')}
      </Button>
    </form>
  );
}
