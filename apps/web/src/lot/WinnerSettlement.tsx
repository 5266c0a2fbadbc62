/**
 * The winner's next steps (OJA Arts. 22, 25): the balance (price − deposit) and its deadline, paying it
 * (a Stripe test card offline), and the sale confirmation PDF. The settlement is created right after the
 * close, so the first reads may find none yet: the query retries.
 */
import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Radio } from 'antd';
import { endpoints } from '../api/endpoints';
import { formatYuan } from '../format/money';
import { formatDateTime } from '../format/time';
import { useI18n } from '../i18n/i18n';
import { errorText } from './refusals';

export function WinnerSettlement({ lotId }: { lotId: string }) {
  const { t, lang } = useI18n();
  const qc = useQueryClient();
  const [card, setCard] = useState('pm_card_visa');
  const settlement = useQuery({ queryKey: ['settlement', lotId], queryFn: () => endpoints.settlement(lotId), retry: 10, retryDelay: 1000 });
  const pay = useMutation({ mutationFn: () => endpoints.payBalance(lotId, card), onSuccess: (s) => qc.setQueryData(['settlement', lotId], s) });
  const s = settlement.data;
  if (!s) return <p className="muted">{t('settlement.pending')}</p>;
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
        <dt>{t('settlement.deadline')}</dt>
        <dd>{formatDateTime(s.balanceDeadline, lang, true)}</dd>
      </dl>
      {s.status === 'awaiting_balance' && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            pay.mutate();
          }}
          style={{ marginTop: 12 }}
        >
          <fieldset style={{ border: 0, padding: 0, margin: '0 0 8px' }}>
            <legend style={{ fontSize: 14 }}>{t('enrol.method')}</legend>
            <Radio.Group value={card} onChange={(e) => setCard(String(e.target.value))}>
              <Radio value="pm_card_visa">{t('enrol.card.visa')}</Radio>
              <Radio value="pm_card_chargeDeclined">{t('enrol.card.declined')}</Radio>
            </Radio.Group>
          </fieldset>
          {pay.error && <Alert type="error" showIcon title={errorText(t, pay.error)} role="alert" style={{ marginBottom: 8 }} />}
          <Button type="primary" htmlType="submit" loading={pay.isPending} data-testid="pay-balance">
            {t('settlement.pay')} {formatYuan(s.balanceDue)}
          </Button>
        </form>
      )}
      {s.paidAt && <p data-testid="balance-paid">{t('settlement.paid', { time: formatDateTime(s.paidAt, lang, true) })}</p>}
      <p>
        <a href={endpoints.confirmationPdfUrl(lotId)} target="_blank" rel="noreferrer" data-testid="confirmation-pdf">
          {t('settlement.pdf')}
        </a>
      </p>
    </section>
  );
}
