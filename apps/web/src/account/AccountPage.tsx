/**
 * The bidder area: real-name verification (实名认证) and "my lots" with each deposit's state and its
 * movements (secured, released, applied, forfeited).
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Form, Input } from 'antd';
import { useState } from 'react';
import { Link, Navigate } from 'react-router-dom';
import type { EnrolmentView, LotView } from '@fapai/contracts';
import { ApiError } from '../api/client';
import { endpoints } from '../api/endpoints';
import { useAuth } from '../auth/auth';
import { formatYuan } from '../format/money';
import { formatDateTime } from '../format/time';
import { useI18n } from '../i18n/i18n';
import { errorText, refusalText, type Refusal } from '../i18n/refusal';
import { RuleErrorsInLanguage } from '../i18n/field-errors';

export default function AccountPage() {
  const { t } = useI18n();
  const { session, me, hasRole } = useAuth();
  if (!session) return <Navigate to="/login?next=/account" replace />;
  return (
    <>
      <h1 className="page-title">{t('account.title')}</h1>
      <IdentitySection />
      {me && hasRole('bidder') && <MyLots />}
    </>
  );
}

interface IdentityValues {
  realName: string;
  idNumber: string;
  phone: string;
}

function IdentitySection() {
  const { t } = useI18n();
  const { me } = useAuth();
  const qc = useQueryClient();
  // What was refused, worded at render: a language switch re-words it.
  const [error, setError] = useState<Refusal | null>(null);
  const [pending, setPending] = useState(false);
  if (!me) return null;
  const submit = async (v: IdentityValues) => {
    setPending(true);
    setError(null);
    try {
      const updated = await endpoints.verifyIdentity({ realName: v.realName.trim(), idNumber: v.idNumber.trim().toUpperCase(), phone: v.phone.trim() });
      qc.setQueryData(['me', updated.id], updated);
    } catch (e) {
      setError(e instanceof ApiError && e.code === 'RESIDENT_ID_INVALID' ? { key: 'identity.badIdNumber' } : { error: e });
    } finally {
      setPending(false);
    }
  };
  return (
    <section className="panel" id="identity" aria-labelledby="identity-title">
      <h2 id="identity-title">{t('identity.title')}</h2>
      {me.identityVerified ? (
        <p data-testid="identity-verified">
          <span aria-hidden="true">✔ </span>
          {t('identity.verified', { name: me.realName ?? '', id: me.idNumberMasked ?? '' })}
        </p>
      ) : (
        <>
          <p>{t('identity.notVerified')}</p>
          {error && <Alert type="error" showIcon title={refusalText(t, error)} style={{ marginBottom: 12 }} role="alert" data-testid="identity-error" />}
          <Form layout="vertical" onFinish={(v: IdentityValues) => void submit(v)} style={{ maxWidth: 420 }} requiredMark={false}>
            <RuleErrorsInLanguage />
            <Form.Item label={t('identity.realName')} name="realName" rules={[{ required: true, min: 2, message: t('auth.required') }]}>
              <Input autoComplete="name" />
            </Form.Item>
            <Form.Item
              label={t('identity.idNumber')}
              name="idNumber"
              extra={t('identity.idNumberHint')}
              rules={[{ required: true, pattern: /^\d{17}[\dXx]$/, message: t('identity.badIdNumber') }]}
            >
              <Input inputMode="text" autoComplete="off" />
            </Form.Item>
            <Form.Item label={t('identity.phone')} name="phone" rules={[{ required: true, pattern: /^1\d{10}$/, message: t('identity.badPhone') }]}>
              <Input inputMode="tel" autoComplete="tel-national" />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={pending} data-testid="identity-submit">
              {t('identity.submit')}
            </Button>
          </Form>
        </>
      )}
    </section>
  );
}

function MyLots() {
  const { t, lang } = useI18n();
  const enrolments = useQuery({ queryKey: ['my-enrolments'], queryFn: endpoints.myEnrolments });
  const lots = useQuery({
    queryKey: ['my-enrolments', 'lots', enrolments.data?.map((e) => e.lotId).join(',')],
    enabled: (enrolments.data?.length ?? 0) > 0,
    queryFn: async () => {
      const list = await Promise.all((enrolments.data ?? []).map((e) => endpoints.lot(e.lotId).catch(() => null)));
      return new Map(list.filter((l): l is LotView => l !== null).map((l) => [l.id, l]));
    },
  });
  return (
    <section className="panel" aria-labelledby="my-lots-title">
      <h2 id="my-lots-title">{t('account.myLots')}</h2>
      {enrolments.error && <Alert type="error" showIcon title={enrolments.error instanceof ApiError && enrolments.error.status === 404 ? t('account.myLotsUnavailable') : errorText(t, enrolments.error)} />}
      {enrolments.data?.length === 0 && <p className="muted">{t('account.myLotsEmpty')}</p>}
      {enrolments.data && enrolments.data.length > 0 && (
        <div style={{ overflowX: 'auto' }}>
          <table className="bid-record" data-testid="my-lots">
            <thead>
              <tr>
                <th scope="col">{t('account.lot')}</th>
                <th scope="col">{t('account.enrolment')}</th>
                <th scope="col">{t('account.bidderCode')}</th>
                <th scope="col">{t('account.depositStatus')}</th>
                <th scope="col">{t('account.depositHistory')}</th>
              </tr>
            </thead>
            <tbody>
              {enrolments.data.map((e) => (
                <EnrolmentRow key={e.id} enrolment={e} lot={lots.data?.get(e.lotId)} lang={lang} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function EnrolmentRow({ enrolment: e, lot, lang }: { enrolment: EnrolmentView; lot: LotView | undefined; lang: 'zh' | 'en' }) {
  const { t } = useI18n();
  return (
    <tr>
      <td>
        <Link to={`/lots/${e.lotId}`}>{lot?.title ?? e.lotId.slice(0, 8)}</Link>
        {lot && <div className="muted">{t(`status.${lot.status}`)}</div>}
      </td>
      <td>{t(`enrol.status.${e.status}`)}</td>
      <td>{e.bidderCode ?? '—'}</td>
      <td>{e.deposit ? `${formatYuan(e.deposit.amount)} · ${t(`deposit.status.${e.deposit.status}`)}` : formatYuan(e.depositDue)}</td>
      <td>
        {e.deposit && e.deposit.history.length > 0 ? (
          <ul style={{ margin: 0, paddingLeft: 16 }}>
            {e.deposit.history.map((h) => (
              <li key={`${h.kind}-${h.at}`}>
                {t(`deposit.move.${h.kind}`)} {formatYuan(h.amount)} · {h.status === 'pending' || h.status === 'done' || h.status === 'failed' ? t(`deposit.moveStatus.${h.status}`) : h.status} · {formatDateTime(h.doneAt ?? h.at, lang)}
              </li>
            ))}
          </ul>
        ) : (
          '—'
        )}
      </td>
    </tr>
  );
}
