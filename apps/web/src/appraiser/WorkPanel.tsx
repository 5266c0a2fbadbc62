/**
 * One work item of the appraiser's queue (GET /api/appraiser/queue): the report form (price in yuan →
 * fen, method, reference samples, standards, validity in Beijing time), files on the organisation's
 * reports, an extension request, a correction or written explanation ordered by the court, and the
 * written explanation of a forwarded objection. Refusals are shown in plain words next to the field
 * they concern, with the article and the failed condition.
 */
import { useState, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Form, Input, Space } from 'antd';
import type { AppraiserWorkItem, ValuationReportView } from '@fapai/contracts';
import { endpoints } from '../api/endpoints';
import { formatDateTime } from '../format/time';
import { yuanOrDash } from '../format/money';
import { useI18n, type Translate } from '../i18n/i18n';
import { knownText } from '../i18n/known';
import { refusalText, type Refusal } from '../i18n/refusal';
import { placeRefusal, toCorrectionBody, toReportBody, type CorrectionField, type ReportField, type ReportValues } from './report-form';
import { RuleErrorsInLanguage } from '../i18n/field-errors';

const REPORT_FIELDS: readonly ReportField[] = ['price', 'method', 'standards', 'validUntil', 'samples'];
const CORRECTION_FIELDS: readonly CorrectionField[] = ['price', 'validUntil', 'note'];

/** A refusal in plain words, with its article and condition when the API names them (call it while rendering). */
export function refusalLine(t: Translate, refusal: Refusal): string {
  return refusalText(t, refusal, { grounds: true });
}

function workLabel(t: Translate, kind: string): string {
  return knownText(t, 'appraiser.work.', kind);
}

/** A refusal kept as data with the field it concerns (null: the whole form); worded at render. */
interface FormErrorState<F extends string> {
  field: F | null;
  refusal: Refusal;
}

export function WorkPanel({ item }: { item: AppraiserWorkItem }) {
  const { t, lang } = useI18n();
  const id = item.valuationId;
  const detail = useQuery({ queryKey: ['valuation', id], queryFn: () => endpoints.valuation(id) });
  const kinds = new Set(item.work.map((w) => w.kind));
  const wantsReport = kinds.has('online_report') || kinds.has('appraisal_report') || kinds.has('reissue');
  const canExtend = kinds.has('online_report') || kinds.has('appraisal_report');
  const wantsCorrection = kinds.has('online_correction') || kinds.has('appraisal_correction');
  const explanations = item.work.filter((w) => w.kind === 'objection_explanation' && w.ref);
  const reports = detail.data?.reports ?? [];
  return (
    <section className="panel" aria-labelledby={`work-${id}`} data-testid="work-panel">
      <h2 id={`work-${id}`}>{item.property.description}</h2>
      {item.work.length === 0 && (
        <p role="status" data-testid="work-done">
          {t('appraiser.workDone')}
        </p>
      )}
      <ul data-testid="work-list">
        {item.work.map((w) => (
          <li key={`${w.kind}-${w.ref ?? w.stepId}`}>
            {workLabel(t, w.kind)}
            {t('common.comma')}
            {t('appraiser.dueAt', { at: formatDateTime(w.dueAt, lang) })}
          </li>
        ))}
      </ul>
      {wantsReport && <ReportForm valuationId={id} />}
      {canExtend && <ExtensionRequest valuationId={id} />}
      {wantsCorrection && <CorrectionForm valuationId={id} />}
      {explanations.map((w) => (
        <ExplanationForm key={w.ref} valuationId={id} objectionId={w.ref!} />
      ))}
      {reports.length > 0 && (
        <>
          <h3>{t('appraiser.reports')}</h3>
          <ul data-testid="my-reports">
            {reports.map((r) => (
              <ReportItem key={r.id} valuationId={id} report={r} />
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function useInvalidate(valuationId: string) {
  const qc = useQueryClient();
  return () => {
    void qc.invalidateQueries({ queryKey: ['valuation', valuationId] });
    void qc.invalidateQueries({ queryKey: ['appraiser-queue'] });
    void qc.invalidateQueries({ queryKey: ['valuations'] });
  };
}

function fieldProps<F extends string>(field: F, local: Partial<Record<F, 'required' | 'invalid'>>, refusal: FormErrorState<F> | null, t: Translate) {
  const localError = local[field];
  const text = localError ? t(localError === 'required' ? 'appraiser.fieldRequired' : 'appraiser.fieldInvalid') : refusal?.field === field ? refusalLine(t, refusal.refusal) : null;
  return text ? { validateStatus: 'error' as const, help: <span role="alert">{text}</span> } : {};
}

function FormRefusal({ refusal, testId }: { refusal: Refusal; testId: string }): ReactNode {
  const { t } = useI18n();
  return <Alert type="error" showIcon role="alert" title={refusalLine(t, refusal)} data-testid={testId} style={{ marginBottom: 12 }} />;
}

const emptyReport: ReportValues = { price: '', method: '', standards: '', validUntil: '', samples: [{ description: '', price: '', source: '' }] };

function ReportForm({ valuationId }: { valuationId: string }) {
  const { t } = useI18n();
  const invalidate = useInvalidate(valuationId);
  const [values, setValues] = useState<ReportValues>(emptyReport);
  const [local, setLocal] = useState<Partial<Record<ReportField, 'required' | 'invalid'>>>({});
  const [refusal, setRefusal] = useState<FormErrorState<ReportField> | null>(null);
  const [pending, setPending] = useState(false);
  const [done, setDone] = useState(false);
  const set = (patch: Partial<ReportValues>) => setValues((v) => ({ ...v, ...patch }));
  const setSample = (i: number, patch: Partial<ReportValues['samples'][number]>) => setValues((v) => ({ ...v, samples: v.samples.map((s, j) => (j === i ? { ...s, ...patch } : s)) }));
  const submit = async () => {
    setRefusal(null);
    setDone(false);
    const mapped = toReportBody(values);
    if (!mapped.ok) {
      setLocal(mapped.errors);
      return;
    }
    setLocal({});
    setPending(true);
    try {
      await endpoints.submitReport(valuationId, mapped.body);
      setDone(true);
      setValues(emptyReport);
      invalidate();
    } catch (error) {
      setRefusal({ field: placeRefusal(error, REPORT_FIELDS)?.field ?? null, refusal: { error } });
    } finally {
      setPending(false);
    }
  };
  const p = (f: ReportField) => fieldProps(f, local, refusal, t);
  return (
    <Form layout="vertical" onFinish={() => void submit()} data-testid="report-form" aria-labelledby={`report-title-${valuationId}`}>
      <RuleErrorsInLanguage />
      <h3 id={`report-title-${valuationId}`}>{t('appraiser.submitReport')}</h3>
      {refusal && refusal.field === null && <FormRefusal refusal={refusal.refusal} testId="report-refusal" />}
      {done && <Alert type="success" showIcon role="status" title={t('appraiser.reportSubmitted')} data-testid="report-submitted" style={{ marginBottom: 12 }} />}
      <Form.Item label={t('appraiser.reportPrice')} htmlFor={`rp-${valuationId}`} required {...p('price')}>
        <Input id={`rp-${valuationId}`} inputMode="decimal" value={values.price} onChange={(e) => set({ price: e.target.value })} suffix={t('common.yuanSuffix')} />
      </Form.Item>
      <Form.Item label={t('appraiser.reportMethod')} htmlFor={`rm-${valuationId}`} required {...p('method')}>
        <Input.TextArea id={`rm-${valuationId}`} rows={2} value={values.method} onChange={(e) => set({ method: e.target.value })} />
      </Form.Item>
      <fieldset className="fieldset">
        <legend>{t('appraiser.samples')}</legend>
        {values.samples.map((s, i) => (
          <Space key={i} wrap align="start">
            <Form.Item label={t('appraiser.sampleDescription', { n: i + 1 })} htmlFor={`sd-${valuationId}-${i}`} {...(i === 0 ? p('samples') : {})}>
              <Input id={`sd-${valuationId}-${i}`} value={s.description} onChange={(e) => setSample(i, { description: e.target.value })} />
            </Form.Item>
            <Form.Item label={t('appraiser.samplePrice', { n: i + 1 })} htmlFor={`sp-${valuationId}-${i}`}>
              <Input id={`sp-${valuationId}-${i}`} inputMode="decimal" value={s.price} onChange={(e) => setSample(i, { price: e.target.value })} suffix={t('common.yuanSuffix')} />
            </Form.Item>
            <Form.Item label={t('appraiser.sampleSource', { n: i + 1 })} htmlFor={`ss-${valuationId}-${i}`}>
              <Input id={`ss-${valuationId}-${i}`} value={s.source} onChange={(e) => setSample(i, { source: e.target.value })} />
            </Form.Item>
            {values.samples.length > 1 && (
              <Button onClick={() => setValues((v) => ({ ...v, samples: v.samples.filter((_, j) => j !== i) }))} aria-label={t('appraiser.removeSample', { n: i + 1 })}>
                {t('court.remove')}
              </Button>
            )}
          </Space>
        ))}
        <div>
          <Button onClick={() => setValues((v) => ({ ...v, samples: [...v.samples, { description: '', price: '', source: '' }] }))}>{t('appraiser.addSample')}</Button>
        </div>
      </fieldset>
      <Form.Item label={t('appraiser.standards')} htmlFor={`rs-${valuationId}`} {...p('standards')}>
        <Input.TextArea id={`rs-${valuationId}`} rows={2} value={values.standards} onChange={(e) => set({ standards: e.target.value })} />
      </Form.Item>
      <Form.Item label={t('appraiser.reportValidUntil')} htmlFor={`rv-${valuationId}`} required {...p('validUntil')}>
        <Input id={`rv-${valuationId}`} type="datetime-local" value={values.validUntil} onChange={(e) => set({ validUntil: e.target.value })} />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={pending} data-testid="report-submit">
        {t('appraiser.submitReport')}
      </Button>
    </Form>
  );
}

function ExtensionRequest({ valuationId }: { valuationId: string }) {
  const { t } = useI18n();
  const invalidate = useInvalidate(valuationId);
  // The outcome as data (a refusal is worded at render, so a language switch re-words it).
  const [outcome, setOutcome] = useState<{ ok: true } | { ok: false; refusal: Refusal } | null>(null);
  const [pending, setPending] = useState(false);
  const run = async () => {
    setPending(true);
    setOutcome(null);
    try {
      await endpoints.requestExtension(valuationId);
      setOutcome({ ok: true });
      invalidate();
    } catch (error) {
      setOutcome({ ok: false, refusal: { error } });
    } finally {
      setPending(false);
    }
  };
  return (
    <div className="panel-row">
      <h3>{t('appraiser.extension')}</h3>
      {outcome && (
        <Alert
          type={outcome.ok ? 'success' : 'error'}
          showIcon
          role={outcome.ok ? 'status' : 'alert'}
          title={outcome.ok ? t('appraiser.extensionRequested') : refusalLine(t, outcome.refusal)}
          data-testid="extension-result"
          style={{ marginBottom: 12 }}
        />
      )}
      <Button onClick={() => void run()} loading={pending} data-testid="extension-request">
        {t('appraiser.requestExtension')}
      </Button>
    </div>
  );
}

function CorrectionForm({ valuationId }: { valuationId: string }) {
  const { t } = useI18n();
  const invalidate = useInvalidate(valuationId);
  const [values, setValues] = useState({ price: '', validUntil: '', note: '' });
  const [local, setLocal] = useState<Partial<Record<CorrectionField, 'required' | 'invalid'>>>({});
  const [refusal, setRefusal] = useState<FormErrorState<CorrectionField> | null>(null);
  const [done, setDone] = useState(false);
  const [pending, setPending] = useState(false);
  const submit = async () => {
    setRefusal(null);
    setDone(false);
    const mapped = toCorrectionBody(values);
    if (!mapped.ok) {
      setLocal(mapped.errors);
      return;
    }
    setLocal({});
    setPending(true);
    try {
      await endpoints.submitCorrection(valuationId, mapped.body);
      setDone(true);
      invalidate();
    } catch (error) {
      setRefusal({ field: placeRefusal(error, CORRECTION_FIELDS)?.field ?? null, refusal: { error } });
    } finally {
      setPending(false);
    }
  };
  const p = (f: CorrectionField) => fieldProps(f, local, refusal, t);
  return (
    <Form layout="vertical" onFinish={() => void submit()} data-testid="correction-form" aria-labelledby={`corr-title-${valuationId}`}>
      <RuleErrorsInLanguage />
      <h3 id={`corr-title-${valuationId}`}>{t('appraiser.correction')}</h3>
      {refusal && refusal.field === null && <FormRefusal refusal={refusal.refusal} testId="correction-refusal" />}
      {done && <Alert type="success" showIcon role="status" title={t('appraiser.correctionSubmitted')} style={{ marginBottom: 12 }} />}
      <Form.Item label={t('appraiser.correctedPrice')} htmlFor={`cp-${valuationId}`} {...p('price')}>
        <Input id={`cp-${valuationId}`} inputMode="decimal" value={values.price} onChange={(e) => setValues({ ...values, price: e.target.value })} suffix={t('common.yuanSuffix')} />
      </Form.Item>
      <Form.Item label={t('appraiser.reportValidUntil')} htmlFor={`cv-${valuationId}`} {...p('validUntil')}>
        <Input id={`cv-${valuationId}`} type="datetime-local" value={values.validUntil} onChange={(e) => setValues({ ...values, validUntil: e.target.value })} />
      </Form.Item>
      <Form.Item label={t('appraiser.note')} htmlFor={`cn-${valuationId}`} {...p('note')}>
        <Input.TextArea id={`cn-${valuationId}`} rows={3} value={values.note} onChange={(e) => setValues({ ...values, note: e.target.value })} />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={pending}>
        {t('appraiser.submitCorrection')}
      </Button>
    </Form>
  );
}

function ExplanationForm({ valuationId, objectionId }: { valuationId: string; objectionId: string }) {
  const { t } = useI18n();
  const invalidate = useInvalidate(valuationId);
  const [note, setNote] = useState('');
  const [error, setError] = useState<Refusal | null>(null);
  const [done, setDone] = useState(false);
  const [pending, setPending] = useState(false);
  const submit = async () => {
    setError(null);
    if (note.trim().length < 2) {
      setError({ key: 'appraiser.fieldRequired' });
      return;
    }
    setPending(true);
    try {
      await endpoints.submitExplanation(valuationId, objectionId, note.trim());
      setDone(true);
      invalidate();
    } catch (e) {
      setError({ error: e });
    } finally {
      setPending(false);
    }
  };
  return (
    <Form layout="vertical" onFinish={() => void submit()} aria-labelledby={`expl-${objectionId}`}>
      <RuleErrorsInLanguage />
      <h3 id={`expl-${objectionId}`}>{t('appraiser.explanation')}</h3>
      {done && <Alert type="success" showIcon role="status" title={t('appraiser.explanationSubmitted')} style={{ marginBottom: 12 }} />}
      <Form.Item label={t('appraiser.note')} htmlFor={`en-${objectionId}`} required {...(error ? { validateStatus: 'error' as const, help: <span role="alert">{refusalLine(t, error)}</span> } : {})}>
        <Input.TextArea id={`en-${objectionId}`} rows={3} value={note} onChange={(e) => setNote(e.target.value)} />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={pending}>
        {t('appraiser.submitExplanation')}
      </Button>
    </Form>
  );
}

function ReportItem({ valuationId, report }: { valuationId: string; report: ValuationReportView }) {
  const { t, lang } = useI18n();
  const invalidate = useInvalidate(valuationId);
  const [error, setError] = useState<Refusal | null>(null);
  const [pending, setPending] = useState(false);
  const inputId = `file-${report.id}`;
  const upload = async (file: File | undefined) => {
    if (!file) return;
    setError(null);
    setPending(true);
    try {
      await endpoints.uploadReportFile(valuationId, report.id, file);
      invalidate();
    } catch (e) {
      setError({ error: e });
    } finally {
      setPending(false);
    }
  };
  return (
    <li data-testid="my-report">
      {t('appraiser.reportKind', { kind: knownText(t, 'appraiser.kind.', report.kind) })} · {yuanOrDash(report.price)} · {formatDateTime(report.submittedAt, lang)}
      {report.files.length > 0 && (
        <ul>
          {report.files.map((f) => (
            <li key={f.id}>
              <a href={f.url}>{f.name}</a>
            </li>
          ))}
        </ul>
      )}
      <div>
        <label htmlFor={inputId}>{t('appraiser.attachFile')}</label>{' '}
        <input id={inputId} type="file" accept="application/pdf,image/jpeg,image/png,image/webp" disabled={pending} onChange={(e) => void upload(e.target.files?.[0])} />
        {error && (
          <p role="alert" className="field-error">
            {refusalLine(t, error)}
          </p>
        )}
      </div>
    </li>
  );
}
