/** Suspend (中止), postpone (暂缓), resume and withdraw (撤回), each with its published reason (OJA Art. 28). */
import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Input, Modal, Space } from 'antd';
import type { LotView } from '@fapai/contracts';
import { endpoints } from '../api/endpoints';
import { beijingInputToIso } from '../format/time';
import { useI18n } from '../i18n/i18n';
import { refusalText, type Refusal } from '../i18n/refusal';

type Action = 'suspend' | 'postpone' | 'resume' | 'withdraw';

export function availableActions(status: LotView['status']): Action[] {
  switch (status) {
    case 'announced':
    case 'live':
      return ['suspend', 'postpone', 'withdraw'];
    case 'suspended':
    case 'postponed':
      return ['resume', 'withdraw'];
    case 'draft':
      return ['withdraw'];
    default:
      return [];
  }
}

export function LotActions({ lot }: { lot: Pick<LotView, 'id' | 'status' | 'title'> }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const [action, setAction] = useState<Action | null>(null);
  const [reason, setReason] = useState('');
  const [startsAt, setStartsAt] = useState('');
  const [endsAt, setEndsAt] = useState('');
  // What was refused, worded at render: a language switch re-words it.
  const [error, setError] = useState<Refusal | null>(null);
  const [pending, setPending] = useState(false);
  const actions = availableActions(lot.status);
  if (actions.length === 0) return null;

  const run = async () => {
    if (!action) return;
    setPending(true);
    setError(null);
    try {
      const body =
        action === 'resume'
          ? { ...(beijingInputToIso(startsAt) ? { startsAt: beijingInputToIso(startsAt)! } : {}), ...(beijingInputToIso(endsAt) ? { endsAt: beijingInputToIso(endsAt)! } : {}) }
          : { reason: reason.trim() };
      const updated = await endpoints.changeLotStatus(lot.id, action, body);
      qc.setQueryData(['court-lot', lot.id], updated);
      void qc.invalidateQueries({ queryKey: ['court-lots'] });
      setAction(null);
      setReason('');
    } catch (e) {
      setError({ error: e });
    } finally {
      setPending(false);
    }
  };

  return (
    <>
      <Space wrap>
        {actions.map((a) => (
          <Button
            key={a}
            danger={a === 'withdraw'}
            onClick={() => {
              // A refusal of an earlier attempt does not concern the act chosen now.
              setError(null);
              setAction(a);
            }}
          >
            {t(`court.${a}`)}
            {/* The lot's name completes the button's accessible name in a table of several lots. */}
            <span className="visually-hidden">{t('common.colon')}{lot.title}</span>
          </Button>
        ))}
      </Space>
      <Modal
        open={action !== null}
        title={action ? `${t(`court.${action}`)}${t('common.colon')}${lot.title}` : ''}
        okText={t('court.confirm')}
        cancelText={t('bid.cancel')}
        confirmLoading={pending}
        okButtonProps={{ disabled: action !== 'resume' && reason.trim().length < 2 }}
        onOk={() => void run()}
        onCancel={() => setAction(null)}
      >
        {action === 'resume' ? (
          <>
            <label htmlFor="resume-starts">{t('court.field.startsAt')}</label>
            <Input id="resume-starts" type="datetime-local" step={1} value={startsAt} onChange={(e) => setStartsAt(e.target.value)} />
            <label htmlFor="resume-ends">{t('court.field.endsAt')}</label>
            <Input id="resume-ends" type="datetime-local" step={1} value={endsAt} onChange={(e) => setEndsAt(e.target.value)} />
          </>
        ) : (
          <>
            <label htmlFor="action-reason">{t('court.reason')}</label>
            <Input.TextArea id="action-reason" value={reason} onChange={(e) => setReason(e.target.value)} autoSize={{ minRows: 3 }} />
          </>
        )}
        {error && <Alert type="error" showIcon title={refusalText(t, error)} style={{ marginTop: 12 }} role="alert" data-testid="lot-action-error" />}
      </Modal>
    </>
  );
}
