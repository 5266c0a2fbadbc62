/**
 * The offline mode's card choice (no Stripe publishable key): the local Stripe-compatible server's test
 * cards, one that pays and one that is declined. Used by the deposit and the balance forms alike.
 */
import { Radio } from 'antd';
import { useI18n } from '../i18n/i18n';

const TEST_CARDS = [
  { value: 'pm_card_visa', label: 'enrol.card.visa' },
  { value: 'pm_card_chargeDeclined', label: 'enrol.card.declined' },
] as const;

export function TestCardChoice({ value, onChange }: { value: string; onChange: (card: string) => void }) {
  const { t } = useI18n();
  return (
    <fieldset style={{ border: 0, padding: 0, margin: '0 0 12px' }}>
      <legend style={{ fontSize: 14, marginBottom: 6 }}>{t('enrol.method')}</legend>
      <Radio.Group value={value} onChange={(e) => onChange(String(e.target.value))} style={{ display: 'flex', flexDirection: 'column', gap: 6 }}>
        {TEST_CARDS.map((c) => (
          <Radio key={c.value} value={c.value}>
            {t(c.label)}
          </Radio>
        ))}
      </Radio.Group>
    </fieldset>
  );
}
