/**
 * The deposit paid with Stripe Elements (a lazy chunk: only loaded when the API names a publishable key,
 * so offline pages never request js.stripe.com). The PaymentElement is mounted on the PaymentIntent the
 * enrolment answer carries (`deposit.clientSecret`); `confirmPayment` confirms it in the browser (3-D
 * Secure included, without leaving the page when possible). The server learns the outcome from Stripe's
 * webhook, so the panel then waits for the enrolment to turn active.
 */
import { useMemo, useState } from 'react';
import { Alert, Button } from 'antd';
import { loadStripe } from '@stripe/stripe-js/pure';
import { Elements, PaymentElement, useElements, useStripe } from '@stripe/react-stripe-js';
import { useI18n } from '../i18n/i18n';
import { stripeErrorText, type StripeErrorData } from '../i18n/refusal';

export interface StripeDepositProps {
  publishableKey: string;
  clientSecret: string;
  onConfirmed: () => void;
}

export default function StripeDeposit({ publishableKey, clientSecret, onConfirmed }: StripeDepositProps) {
  const { lang } = useI18n();
  const stripe = useMemo(() => loadStripe(publishableKey), [publishableKey]);
  return (
    <div data-testid="stripe-deposit">
      <Elements stripe={stripe} options={{ clientSecret, locale: lang === 'zh' ? 'zh' : 'en' }} key={clientSecret}>
        <PayForm onConfirmed={onConfirmed} />
      </Elements>
    </div>
  );
}

function PayForm({ onConfirmed }: { onConfirmed: () => void }) {
  const { t } = useI18n();
  const stripe = useStripe();
  const elements = useElements();
  // Stripe's error as data, worded at render (see `stripeErrorText`).
  const [error, setError] = useState<StripeErrorData | null>(null);
  const [pending, setPending] = useState(false);
  const [done, setDone] = useState(false);
  const submit = async () => {
    if (!stripe || !elements) return;
    setError(null);
    setPending(true);
    try {
      const result = await stripe.confirmPayment({ elements, redirect: 'if_required', confirmParams: { return_url: window.location.href } });
      if (result.error) setError(result.error);
      else {
        setDone(true);
        onConfirmed();
      }
    } finally {
      setPending(false);
    }
  };
  return (
    <form onSubmit={(e) => (e.preventDefault(), void submit())}>
      <PaymentElement />
      {error && <Alert type="error" showIcon role="alert" title={stripeErrorText(t, error, { declined: 'refusal.DEPOSIT_DECLINED', fallback: 'enrol.failed' })} style={{ marginTop: 12 }} data-testid="stripe-error" />}
      {done && <Alert type="info" showIcon role="status" title={t('deposit.status.awaiting_payment')} style={{ marginTop: 12 }} />}
      <Button type="primary" htmlType="submit" block loading={pending} disabled={!stripe || !elements || done} style={{ marginTop: 12 }} data-testid="stripe-pay">
        {t('enrol.pay')}
      </Button>
    </form>
  );
}
