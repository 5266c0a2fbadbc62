/**
 * One clerk's act on a valuation as a small form: fields described as data, the typed values mapped to the
 * request body by a pure function, and a refusal shown next to the field it concerns (by the validation's
 * field name, `details.field`, or the article's condition), or next to the button when it concerns the
 * whole act — in plain words with the article and the failed condition, like the lot draft form.
 */
import { useCallback, useId, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Checkbox, Form, Input } from 'antd';
import { ApiError } from '../../api/client';
import { useI18n, type Translate } from '../../i18n/i18n';
import { useFieldErrorsInLanguage, RuleErrorsInLanguage } from '../../i18n/field-errors';
import { translate, type Lang } from '../../i18n/messages';
import { errorText } from '../../i18n/refusal';
import { placeRefusal } from '../../appraiser/report-form';
import type { Mapped, Values } from './forms';
import { useVt, vtranslate, vzh, type VKey, type VTranslate } from './text';

export type FieldSpec =
  | { name: string; label: string; kind: 'text' | 'textarea' | 'yuan' | 'datetime'; required?: boolean; hint?: string }
  | { name: string; label: string; kind: 'select'; options: { value: string; label: string }[]; required?: boolean; placeholder?: string }
  | { name: string; label: string; kind: 'checkbox' }
  | { name: string; label: string; kind: 'checkboxes'; options: { value: string; label: string }[] };

/** The refusal in plain words: the valuation words for its code, else the app's, else the server's message; then article and condition. */
export function valuationRefusalText(vt: VTranslate, t: Translate, error: unknown): string {
  const parts: string[] = [];
  if (error instanceof ApiError && `refusal.${error.code}` in vzh) parts.push(vt(`refusal.${error.code}` as VKey));
  else parts.push(errorText(t, error));
  if (error instanceof ApiError && error.details) {
    const d = error.details as Record<string, unknown>;
    if (typeof d.article === 'string') parts.push(vt('actions.refusalArticle', { article: d.article }));
    if (typeof d.condition === 'string') parts.push(vt('actions.refusalCondition', { condition: d.condition.replace(/_/g, ' ') }));
  }
  return parts.join(t('common.comma'));
}

/** The field a refusal concerns: `details.field` (the API names it), else by validation field or condition. */
export function refusalField(error: unknown, fields: readonly string[]): string | null {
  if (error instanceof ApiError) {
    const f = (error.details as Record<string, unknown> | undefined)?.field;
    if (typeof f === 'string') {
      const head = f.split(/[.[]/)[0];
      const alias: Record<string, string> = { price: 'price', party: 'party', partyId: 'partyId', agencyId: 'agencyId', agencyIds: 'agency1', requestedAt: 'requestedAt', deadline: 'deadline' };
      const name = alias[head] ?? head;
      if (fields.includes(name)) return name;
    }
  }
  return placeRefusal(error, fields)?.field ?? null;
}

/** What the form shows at its fields, as data: its own checks, or the refusal of the API at one field. */
type Placed = { checks: Record<string, 'required' | 'invalid'> } | { field: string; error: unknown };

function placedErrors(lang: Lang, placed: Placed): { name: string; errors: string[] }[] {
  const vt: VTranslate = (key, vars) => vtranslate(lang, key, vars);
  if ('checks' in placed) return Object.entries(placed.checks).map(([name, e]) => ({ name, errors: [vt(e === 'required' ? 'actions.required' : 'actions.invalid')] }));
  return [{ name: placed.field, errors: [valuationRefusalText(vt, (key, vars) => translate(lang, key, vars), placed.error)] }];
}

export function useInvalidateValuation(valuationId: string) {
  const qc = useQueryClient();
  return () => {
    void qc.invalidateQueries({ queryKey: ['valuation', valuationId] });
    void qc.invalidateQueries({ queryKey: ['valuation-events', valuationId] });
    void qc.invalidateQueries({ queryKey: ['valuations'] });
  };
}

export function ActForm<T>({
  title,
  testId,
  fields = [],
  submitLabel,
  toBody,
  send,
  onDone,
  danger,
  hint,
  children,
}: {
  title: string;
  testId: string;
  fields?: FieldSpec[];
  submitLabel: string;
  toBody: (v: Values) => Mapped<T>;
  send: (body: T) => Promise<unknown>;
  onDone?: (result: unknown) => void;
  danger?: boolean;
  hint?: ReactNode;
  children?: ReactNode;
}) {
  const { t, lang } = useI18n();
  const { vt } = useVt();
  const [form] = Form.useForm<Values>();
  const uid = useId().replace(/[^a-zA-Z0-9_-]/g, '');
  // The refusal of the whole act as data, worded at render: a language switch re-words it.
  const [refusal, setRefusal] = useState<{ error: unknown } | null>(null);
  // What is shown at the fields, re-worded there when the language changes.
  const [placed, setPlaced] = useState<Placed | null>(null);
  const placedIn = useCallback((l: Lang) => (placed ? placedErrors(l, placed) : []), [placed]);
  useFieldErrorsInLanguage(form, placed ? placedIn : null);
  const [pending, setPending] = useState(false);
  const [done, setDone] = useState(false);
  const names = fields.map((f) => f.name);

  const submit = async () => {
    setRefusal(null);
    setPlaced(null);
    setDone(false);
    const values = form.getFieldsValue(true);
    form.setFields(names.map((name) => ({ name, errors: [] })));
    const mapped = toBody(values);
    if (!mapped.ok) {
      const checks: Placed = { checks: mapped.errors };
      setPlaced(checks);
      form.setFields(placedErrors(lang, checks));
      return;
    }
    setPending(true);
    try {
      const out = await send(mapped.body);
      setDone(true);
      form.resetFields();
      onDone?.(out);
    } catch (error) {
      const field = refusalField(error, names);
      if (field) {
        const at: Placed = { field, error };
        setPlaced(at);
        form.setFields(placedErrors(lang, at));
      } else setRefusal({ error });
    } finally {
      setPending(false);
    }
  };

  return (
    <Form form={form} name={`${testId}-${uid}`} layout="vertical" className="panel-row" onFinish={() => void submit()} data-testid={testId} aria-labelledby={`${uid}-title`}>
      <RuleErrorsInLanguage />
      <h4 id={`${uid}-title`}>{title}</h4>
      {hint && <p className="muted">{hint}</p>}
      {children}
      {fields.map((f) => (
        <Field key={f.name} spec={f} />
      ))}
      <Button type={danger ? 'default' : 'primary'} danger={danger} htmlType="submit" loading={pending} data-testid={`${testId}-submit`}>
        {submitLabel}
      </Button>
      {refusal && <Alert type="error" showIcon role="alert" title={valuationRefusalText(vt, t, refusal.error)} data-testid="valuation-refusal" />}
      {done && (
        <p role="status" className="muted" data-testid={`${testId}-done`}>
          {vt('actions.done')}
        </p>
      )}
    </Form>
  );
}

function Field({ spec }: { spec: FieldSpec }) {
  const { t } = useI18n();
  switch (spec.kind) {
    case 'checkbox':
      return (
        <Form.Item name={spec.name} valuePropName="checked" style={{ marginBottom: 0 }}>
          <Checkbox>{spec.label}</Checkbox>
        </Form.Item>
      );
    case 'checkboxes':
      return (
        <Form.Item name={spec.name} label={spec.label} style={{ marginBottom: 0 }}>
          <Checkbox.Group options={spec.options} />
        </Form.Item>
      );
    case 'select':
      return (
        <Form.Item name={spec.name} label={spec.label} required={spec.required} style={{ marginBottom: 0 }}>
          <select className="native-select">
            <option value="">{spec.placeholder ?? t('court.choose')}</option>
            {spec.options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </Form.Item>
      );
    case 'textarea':
      return (
        <Form.Item name={spec.name} label={spec.label} required={spec.required} extra={spec.hint} style={{ marginBottom: 0 }}>
          <Input.TextArea rows={2} />
        </Form.Item>
      );
    case 'datetime':
      return (
        <Form.Item name={spec.name} label={spec.label} required={spec.required} extra={spec.hint} style={{ marginBottom: 0 }}>
          <Input type="datetime-local" step={1} />
        </Form.Item>
      );
    case 'yuan':
      return (
        <Form.Item name={spec.name} label={spec.label} required={spec.required} extra={spec.hint} style={{ marginBottom: 0 }}>
          <Input inputMode="decimal" suffix={t('common.yuanSuffix')} />
        </Form.Item>
      );
    default:
      return (
        <Form.Item name={spec.name} label={spec.label} required={spec.required} extra={spec.hint} style={{ marginBottom: 0 }}>
          <Input />
        </Form.Item>
      );
  }
}
