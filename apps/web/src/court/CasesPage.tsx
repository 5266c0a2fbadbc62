/** Enforcement cases (执行案件) of the court and their parties; a form to open a new one. */
import { useCallback, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Checkbox, Form, Input, Select, Spin } from 'antd';
import { endpoints, type CaseInput } from '../api/endpoints';
import { formatYuan, yuanToFen } from '../format/money';
import { useFieldErrorsInLanguage, RuleErrorsInLanguage } from '../i18n/field-errors';
import type { FieldRules } from '../i18n/field-rules';
import { useI18n } from '../i18n/i18n';
import { translate, type Lang } from '../i18n/messages';
import { refusalText, type Refusal } from '../i18n/refusal';
import { rulesByPath } from './violations';

const ROLES = ['applicant', 'respondent', 'interested'] as const;
/** Fields in fen (the form takes yuan): the API's figures for them are shown in yuan. */
const MONEY_FIELDS = new Set(['applicantClaim']);

interface CaseValues {
  caseNumber: string;
  title: string;
  enforcementBasis?: string;
  applicantClaim?: string;
  parties: { role: string; name: string; contact?: string; reachable?: boolean }[];
}

export default function CasesPage() {
  const { t } = useI18n();
  const qc = useQueryClient();
  const cases = useQuery({ queryKey: ['cases'], queryFn: endpoints.cases });
  const [form] = Form.useForm();
  // What was refused, worded at render: a language switch re-words it.
  const [error, setError] = useState<Refusal | null>(null);
  // The API's refusals at fields, kept as data and worded in the reader's language (re-worded on a switch).
  const [fieldRefusals, setFieldRefusals] = useState<FieldRules[]>([]);
  const fieldErrorsIn = useCallback(
    (lang: Lang) => rulesByPath((key, vars) => translate(lang, key, vars), fieldRefusals, MONEY_FIELDS),
    [fieldRefusals],
  );
  useFieldErrorsInLanguage(form, fieldRefusals.length > 0 ? fieldErrorsIn : null);
  const [pending, setPending] = useState(false);

  const submit = async (v: CaseValues) => {
    setPending(true);
    setError(null);
    setFieldRefusals([]);
    const claim = v.applicantClaim ? yuanToFen(v.applicantClaim) : null;
    const body: CaseInput = {
      caseNumber: v.caseNumber.trim(),
      title: v.title.trim(),
      enforcementBasis: v.enforcementBasis?.trim() || undefined,
      ...(claim !== null ? { applicantClaim: claim } : {}),
      parties: v.parties.map((p) => ({ role: p.role, name: p.name.trim(), contact: p.contact?.trim() || undefined, reachable: p.reachable ?? true })),
    };
    try {
      await endpoints.createCase(body);
      form.resetFields();
      void qc.invalidateQueries({ queryKey: ['cases'] });
    } catch (e) {
      const fields = e instanceof Error && 'details' in e ? (e as { details?: { fields?: FieldRules[] } }).details?.fields : undefined;
      if (fields) {
        setFieldRefusals(fields);
        form.setFields(rulesByPath(t, fields, MONEY_FIELDS));
      }
      setError({ error: e });
    } finally {
      setPending(false);
    }
  };

  return (
    <>
      <section aria-labelledby="cases-title" className="panel">
        <h2 id="cases-title">{t('court.cases')}</h2>
        {cases.isLoading && <Spin />}
        {cases.data?.length === 0 && <p className="muted">{t('court.noCases')}</p>}
        {cases.data && cases.data.length > 0 && (
          <div style={{ overflowX: 'auto' }}>
            <table className="bid-record">
              <thead>
                <tr>
                  <th scope="col">{t('court.caseNumber')}</th>
                  <th scope="col">{t('court.caseTitle')}</th>
                  <th scope="col">{t('court.parties')}</th>
                  <th scope="col">{t('court.applicantClaim')}</th>
                </tr>
              </thead>
              <tbody>
                {cases.data.map((c) => (
                  <tr key={c.id}>
                    <td>{c.caseNumber}</td>
                    <td>{c.title}</td>
                    <td>
                      {c.parties.map((p) => (
                        <div key={p.id}>
                          {t(`court.party.${p.role as (typeof ROLES)[number]}`)}{t('common.colon')}{p.name}
                          {p.reachable ? '' : ` (${t('court.notice.kind.unreachable')})`}
                        </div>
                      ))}
                    </td>
                    <td className="mono">{c.applicantClaim === null ? '—' : formatYuan(c.applicantClaim)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section aria-labelledby="new-case-title" className="panel">
        <h2 id="new-case-title">{t('court.newCase')}</h2>
        {error && <Alert type="error" showIcon title={refusalText(t, error)} role="alert" style={{ marginBottom: 12 }} data-testid="case-error" />}
        <Form
          form={form}
          layout="vertical"
          requiredMark={false}
          onFinish={(v: CaseValues) => void submit(v)}
          initialValues={{ parties: [{ role: 'applicant', name: '', reachable: true }, { role: 'respondent', name: '', reachable: true }] }}
        >
          <RuleErrorsInLanguage />
          <div className="form-grid">
            <Form.Item label={t('court.caseNumber')} name="caseNumber" rules={[{ required: true, min: 4, message: t('auth.required') }]}>
              <Input placeholder="(2026)京0105执1234号" />
            </Form.Item>
            <Form.Item label={t('court.caseTitle')} name="title" rules={[{ required: true, message: t('auth.required') }]}>
              <Input />
            </Form.Item>
            <Form.Item label={t('court.enforcementBasis')} name="enforcementBasis">
              <Input />
            </Form.Item>
            <Form.Item label={t('court.applicantClaim')} name="applicantClaim" rules={[{ validator: (_, v: string | undefined) => (!v || yuanToFen(v) !== null ? Promise.resolve() : Promise.reject(new Error(t('court.moneyInvalid')))) }]}>
              <Input inputMode="decimal" prefix="¥" />
            </Form.Item>
          </div>
          <h3>{t('court.parties')}</h3>
          <Form.List name="parties">
            {(fields, { add, remove }) => (
              <>
                {fields.map((field) => (
                  <div key={field.key} className="form-grid">
                    <Form.Item label={t('court.party.role')} name={[field.name, 'role']}>
                      <Select options={ROLES.map((r) => ({ value: r, label: t(`court.party.${r}`) }))} />
                    </Form.Item>
                    <Form.Item label={t('court.party.name')} name={[field.name, 'name']} rules={[{ required: true, message: t('auth.required') }]}>
                      <Input />
                    </Form.Item>
                    <Form.Item label={t('court.party.contact')} name={[field.name, 'contact']}>
                      <Input />
                    </Form.Item>
                    <Form.Item name={[field.name, 'reachable']} valuePropName="checked" label=" ">
                      <Checkbox>{t('court.party.reachable')}</Checkbox>
                    </Form.Item>
                    {fields.length > 2 && (
                      <Button onClick={() => remove(field.name)} style={{ alignSelf: 'center' }}>
                        {t('court.remove')}
                      </Button>
                    )}
                  </div>
                ))}
                <Button onClick={() => add({ role: 'interested', name: '', reachable: true })}>{t('court.addParty')}</Button>
              </>
            )}
          </Form.List>
          <Button type="primary" htmlType="submit" loading={pending} style={{ marginTop: 16 }} data-testid="case-submit">
            {t('court.create')}
          </Button>
        </Form>
      </section>
    </>
  );
}
