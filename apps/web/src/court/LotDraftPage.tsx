/**
 * A lot draft with every field of CreateLotDto, uploads, and publication. A refused publication shows
 * each statutory violation next to its field (and in a summary with links to the fields), so the clerk
 * sees what the law requires where it has to be fixed.
 */
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Form, Input, Select, Space, Spin } from 'antd';
import { useLocation, useNavigate, useParams } from 'react-router-dom';
import type { PublicationViolationView } from '@fapai/contracts';
import { ApiError } from '../api/client';
import { endpoints, type CourtLotView } from '../api/endpoints';
import { formatYuan, yuanToFen } from '../format/money';
import { useI18n, type Translate } from '../i18n/i18n';
import { translate, zh, type Lang, type MessageKey } from '../i18n/messages';
import { useFieldErrorsInLanguage, RuleErrorsInLanguage } from '../i18n/field-errors';
import type { FieldRules } from '../i18n/field-rules';
import { errorText, refusalText, type Message, type Refusal } from '../i18n/refusal';
import { DISCLOSURE_KEYS, fromLot, toDraftInput, type DraftValues } from './draft-form';
import { LotActions } from './LotActions';
import { AfterEndPanel } from './AfterEndPanel';
import { errorsByPath, parseFieldName, placeViolations, rulesByPath, type PlacedViolation } from './violations';

const PROPERTY_TYPES = ['movable', 'real_estate', 'other_right'] as const;
/** Fields in fen (the form takes yuan): the API's figures for them are shown in yuan. */
const MONEY_FIELDS = new Set(['referencePrice', 'startingPrice', 'increment', 'deposit']);

/** The form label of a violation's field, so the summary names what the clerk sees, not the API's name. */
function fieldLabel(t: Translate, field: string): string {
  const path = parseFieldName(field);
  const [head, second] = path;
  if (head === 'disclosures' && typeof second === 'string' && `disclosure.${second}` in zh) return t(`disclosure.${second}` as MessageKey);
  if (head === 'notices') return typeof second === 'number' ? `${t('court.section.notices')} · ${t('court.violationAt', { n: second + 1 })}` : t('court.section.notices');
  if (head === 'priorityHolders') return t('court.section.priority');
  if (typeof head === 'string' && `court.field.${head}` in zh) return t(`court.field.${head}` as MessageKey);
  return field;
}

export function describeViolation(t: Translate, v: PublicationViolationView): string {
  const key = `violation.${v.code}`;
  let text = key in zh ? t(key as MessageKey) : v.message;
  const d = v.details ?? {};
  if (typeof d.minimum === 'number') text += `（${t('violation.minimum', { price: formatYuan(d.minimum) })}）`;
  if (typeof d.min === 'number' && typeof d.max === 'number') text += `（${t('violation.range', { min: formatYuan(d.min), max: formatYuan(d.max) })}）`;
  return `${text} — ${v.article}`;
}

/** The form's notice, as data: worded at render, so a language switch re-words it. */
type Notice = { type: 'success'; message: Message } | { type: 'error'; refusal: Refusal };

export default function LotDraftPage() {
  const { t } = useI18n();
  const { id } = useParams();
  // A new draft keeps its form (and any refusals shown) when its URL becomes /court/lots/:id after the first save.
  const draftKey = (useLocation().state as { draftKey?: string } | null)?.draftKey;
  const lot = useQuery({ queryKey: ['court-lot', id], queryFn: () => endpoints.courtLot(id!), enabled: id !== undefined });
  if (id && lot.isLoading) return <Spin className="page-spin" />;
  if (id && lot.error) return <Alert type="error" title={errorText(t, lot.error)} />;
  return <DraftForm key={draftKey ?? id ?? 'new'} lot={lot.data ?? null} />;
}

function DraftForm({ lot }: { lot: CourtLotView | null }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [form] = Form.useForm();
  const cases = useQuery({ queryKey: ['cases'], queryFn: endpoints.cases });
  const [saving, setSaving] = useState<'save' | 'publish' | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [refused, setRefused] = useState<PlacedViolation[]>([]);
  // A 400's broken rules at their fields (a publication refusal has violations instead).
  const [fieldRefusals, setFieldRefusals] = useState<FieldRules[]>([]);
  // What is shown at the fields, re-worded there when the language changes.
  const fieldErrorsIn = useCallback(
    (lang: Lang) => {
      const tr: Translate = (key, vars) => translate(lang, key, vars);
      return [...errorsByPath(refused, (v) => describeViolation(tr, v)), ...rulesByPath(tr, fieldRefusals, MONEY_FIELDS)];
    },
    [refused, fieldRefusals],
  );
  useFieldErrorsInLanguage(form, refused.length + fieldRefusals.length > 0 ? fieldErrorsIn : null);
  const editable = lot === null || lot.status === 'draft';
  const summaryId = useId();

  // Fill the form once, when it mounts. Later saves keep what the clerk typed (and the refusals shown next
  // to the fields: setting a field's value would clear its error).
  const filled = useRef(false);
  useEffect(() => {
    if (filled.current) return;
    filled.current = true;
    if (lot) form.setFieldsValue(fromLot(lot));
    else form.setFieldsValue({ propertyType: 'movable', balanceDueDays: 10, notices: [], priorityHolders: [] });
  }, [lot, form]);

  const clearErrors = () => {
    const fields = form.getFieldsError().filter((f) => f.errors.length > 0);
    form.setFields(fields.map((f) => ({ name: f.name, errors: [] })));
    setRefused([]);
    setFieldRefusals([]);
  };

  const save = async (): Promise<CourtLotView | null> => {
    const values = form.getFieldsValue(true) as DraftValues;
    try {
      const saved = lot ? await endpoints.updateLot(lot.id, toDraftInput(values, false)) : await endpoints.createLot(toDraftInput(values, true));
      qc.setQueryData(['court-lot', saved.id], saved);
      void qc.invalidateQueries({ queryKey: ['court-lots'] });
      // From now on this form edits the saved draft (PATCH), even if publication is refused next.
      if (!lot) void navigate(`/court/lots/${saved.id}`, { replace: true, state: { draftKey: 'new' } });
      return saved;
    } catch (e) {
      showApiError(e);
      return null;
    }
  };

  const showApiError = (e: unknown) => {
    if (e instanceof ApiError && e.code === 'PUBLICATION_REFUSED' && e.details?.violations) {
      const placed = placeViolations(e.details.violations);
      setRefused(placed);
      form.setFields(errorsByPath(placed, (v) => describeViolation(t, v)));
      setNotice({ type: 'error', refusal: { key: 'court.publishRefused', vars: { n: placed.length } } });
      setTimeout(() => document.getElementById(summaryId)?.focus(), 0);
      return;
    }
    if (e instanceof ApiError && e.details?.fields) {
      const fields = e.details.fields as FieldRules[];
      setFieldRefusals(fields);
      form.setFields(rulesByPath(t, fields, MONEY_FIELDS));
    }
    setNotice({ type: 'error', refusal: { error: e } });
  };

  const onSave = async () => {
    clearErrors();
    try {
      await form.validateFields();
    } catch {
      return;
    }
    setSaving('save');
    const saved = await save();
    setSaving(null);
    if (saved) setNotice({ type: 'success', message: { key: 'court.saved' } });
  };

  const onPublish = async () => {
    clearErrors();
    try {
      await form.validateFields();
    } catch {
      return;
    }
    setSaving('publish');
    const saved = await save();
    if (saved) {
      try {
        const published = await endpoints.publishLot(saved.id);
        qc.setQueryData(['court-lot', published.id], published);
        void qc.invalidateQueries({ queryKey: ['court-lots'] });
        setNotice({ type: 'success', message: { key: 'court.published' } });
      } catch (e) {
        showApiError(e);
      }
    }
    setSaving(null);
  };

  const moneyRule = { validator: (_: unknown, v: string | undefined) => (!v || yuanToFen(v) !== null ? Promise.resolve() : Promise.reject(new Error(t('court.moneyInvalid')))) };
  const dt = (name: string | (string | number)[], label: MessageKey) => (
    <Form.Item label={t(label)} name={name}>
      <Input type="datetime-local" step={1} disabled={!editable} />
    </Form.Item>
  );
  const yuan = (name: string, label: MessageKey) => (
    <Form.Item label={t(label)} name={name} rules={[moneyRule]}>
      <Input inputMode="decimal" prefix="¥" disabled={!editable} />
    </Form.Item>
  );
  const area = (name: string | (string | number)[], label: MessageKey) => (
    <Form.Item label={t(label)} name={name}>
      <Input.TextArea autoSize={{ minRows: 2, maxRows: 8 }} disabled={!editable} />
    </Form.Item>
  );

  return (
    <>
      <h2>{lot ? lot.title : t('court.newLot')}</h2>
      {lot && (
        <p className="badges">
          <span className="badge badge-round">{t(`status.${lot.status}`)}</span>
          {lot.status !== 'draft' && <a href={`/lots/${lot.id}`}>{t('nav.catalogue')} ↗</a>}
        </p>
      )}
      {lot && lot.status !== 'draft' && <LotActions lot={lot} />}
      {lot && <AfterEndPanel lot={lot} />}
      {notice && (
        <Alert
          type={notice.type}
          showIcon
          title={notice.type === 'error' ? refusalText(t, notice.refusal) : t(notice.message.key, notice.message.vars)}
          style={{ marginBottom: 12 }}
          role={notice.type === 'error' ? 'alert' : 'status'}
          data-testid="draft-notice"
        />
      )}
      {refused.length > 0 && (
        <section className="panel" tabIndex={-1} id={summaryId} aria-label={t('court.publishRefused', { n: refused.length })} data-testid="violations">
          <ol>
            {refused.map(({ violation, path }, i) => (
              <li key={`${violation.code}-${violation.field}-${i}`}>
                {path ? (
                  <a
                    href={`#${path.join('_')}`}
                    onClick={(e) => {
                      e.preventDefault();
                      form.scrollToField(path, { focus: true });
                    }}
                  >
                    {fieldLabel(t, violation.field)}
                  </a>
                ) : (
                  <strong>{fieldLabel(t, violation.field)}</strong>
                )}
                {t('common.colon')}{describeViolation(t, violation)}
              </li>
            ))}
          </ol>
        </section>
      )}
      <Form form={form} layout="vertical" requiredMark={false} disabled={!editable} scrollToFirstError={{ focus: true }}>
        <RuleErrorsInLanguage />
        <section className="panel">
          <h3>{t('court.section.basic')}</h3>
          <div className="form-grid">
            <Form.Item label={t('court.field.case')} name="caseId" rules={[{ required: true, message: t('auth.required') }]}>
              <Select disabled={lot !== null} options={(cases.data ?? []).map((c) => ({ value: c.id, label: `${c.caseNumber} ${c.title}` }))} />
            </Form.Item>
            <Form.Item label={t('court.field.title')} name="title" rules={[{ required: true, min: 2, message: t('auth.required') }]}>
              <Input />
            </Form.Item>
            <Form.Item label={t('court.field.propertyType')} name="propertyType" rules={[{ required: true }]}>
              <Select options={PROPERTY_TYPES.map((p) => ({ value: p, label: t(`propertyType.${p}`) }))} />
            </Form.Item>
            <Form.Item label={t('court.field.province')} name="province">
              <Input />
            </Form.Item>
            <Form.Item label={t('court.field.city')} name="city">
              <Input />
            </Form.Item>
            <Form.Item label={t('court.field.address')} name="address">
              <Input />
            </Form.Item>
          </div>
          {area('description', 'court.field.description')}
          <div className="form-grid">
            {area('knownDefects', 'court.field.knownDefects')}
            {area('encumbrances', 'court.field.encumbrances')}
            {area('occupancy', 'court.field.occupancy')}
            {area('taxBurden', 'court.field.taxBurden')}
          </div>
        </section>
        <section className="panel">
          <h3>{t('court.section.prices')}</h3>
          <div className="form-grid">
            {yuan('referencePrice', 'court.field.referencePrice')}
            <Form.Item label={t('court.field.referencePriceBasis')} name="referencePriceBasis">
              <Input />
            </Form.Item>
            {yuan('startingPrice', 'court.field.startingPrice')}
            {yuan('increment', 'court.field.increment')}
            <Form.Item label={t('court.field.deposit')} name="deposit" rules={[moneyRule]} extra={t('court.deposit.range')}>
              <Input inputMode="decimal" prefix="¥" />
            </Form.Item>
            <Form.Item label={t('court.field.balanceDueDays')} name="balanceDueDays">
              <Input type="number" min={1} max={90} />
            </Form.Item>
          </div>
        </section>
        <section className="panel">
          <h3>{t('court.section.schedule')}</h3>
          <div className="form-grid">
            {dt('announceAt', 'court.field.announceAt')}
            {dt('startsAt', 'court.field.startsAt')}
            {dt('endsAt', 'court.field.endsAt')}
          </div>
        </section>
        <section className="panel">
          <h3>{t('court.section.disclosures')}</h3>
          <div className="form-grid">{DISCLOSURE_KEYS.map((k) => <div key={k}>{area(['disclosures', k], `disclosure.${k}`)}</div>)}</div>
        </section>
        <section className="panel">
          <h3>{t('court.section.notices')}</h3>
          <Form.List name="notices">
            {(fields, { add, remove }) => (
              <>
                {fields.map((field) => (
                  <fieldset key={field.key} className="form-grid" style={{ border: '1px solid #eee', padding: 8, marginBottom: 8 }}>
                    <legend className="visually-hidden">{t('court.violationAt', { n: field.name + 1 })}</legend>
                    <Form.Item label={t('court.notice.party')} name={[field.name, 'party']} rules={[{ required: true, message: t('auth.required') }]}>
                      <Input />
                    </Form.Item>
                    <Form.Item label={t('court.notice.role')} name={[field.name, 'role']} initialValue="party">
                      <Select options={(['party', 'priority_holder'] as const).map((r) => ({ value: r, label: t(`court.notice.role.${r}`) }))} />
                    </Form.Item>
                    <Form.Item label={t('court.notice.kind')} name={[field.name, 'kind']} initialValue="notified">
                      <Select options={(['notified', 'waived', 'unreachable'] as const).map((k) => ({ value: k, label: t(`court.notice.kind.${k}`) }))} />
                    </Form.Item>
                    {dt([field.name, 'at'], 'court.notice.at')}
                    <Button onClick={() => remove(field.name)} style={{ alignSelf: 'center' }}>
                      {t('court.remove')}
                    </Button>
                  </fieldset>
                ))}
                <Button onClick={() => add({ role: 'party', kind: 'notified' })}>{t('court.addNotice')}</Button>
              </>
            )}
          </Form.List>
        </section>
        <section className="panel">
          <h3>{t('court.section.priority')}</h3>
          <Form.List name="priorityHolders">
            {(fields, { add, remove }) => (
              <>
                {fields.map((field) => (
                  <div key={field.key} className="form-grid">
                    <Form.Item label={t('court.holder.name')} name={[field.name, 'name']} rules={[{ required: true, message: t('auth.required') }]}>
                      <Input />
                    </Form.Item>
                    <Form.Item label={t('court.holder.nature')} name={[field.name, 'nature']} rules={[{ required: true, message: t('auth.required') }]}>
                      <Input />
                    </Form.Item>
                    <Form.Item label={t('court.holder.rank')} name={[field.name, 'rank']} initialValue={1}>
                      <Input type="number" min={1} max={99} />
                    </Form.Item>
                    <Button onClick={() => remove(field.name)} style={{ alignSelf: 'center' }}>
                      {t('court.remove')}
                    </Button>
                  </div>
                ))}
                <Button onClick={() => add({ rank: fields.length + 1 })}>{t('court.addHolder')}</Button>
              </>
            )}
          </Form.List>
        </section>
      </Form>
      <LotFiles lot={lot} editable={editable} />
      {editable && (
        <Space style={{ marginTop: 8 }} wrap>
          <Button onClick={() => void onSave()} loading={saving === 'save'} data-testid="draft-save">
            {t('court.save')}
          </Button>
          <Button type="primary" onClick={() => void onPublish()} loading={saving === 'publish'} data-testid="draft-publish">
            {t('court.publish')}
          </Button>
        </Space>
      )}
    </>
  );
}

function LotFiles({ lot, editable }: { lot: CourtLotView | null; editable: boolean }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  // The outcome of the last upload as data, worded at render.
  const [upload, setUpload] = useState<{ done: string } | { refused: Refusal } | null>(null);
  const id = useId();
  if (!lot) {
    return (
      <section className="panel">
        <h3>{t('court.section.files')}</h3>
        <p className="muted">{t('court.upload.saveFirst')}</p>
      </section>
    );
  }
  const send = async (kind: 'photo' | 'document', files: FileList | null) => {
    const file = files?.[0];
    if (!file) return;
    try {
      const saved = await endpoints.uploadLotFile(lot.id, kind, file);
      qc.setQueryData(['court-lot', lot.id], saved);
      setUpload({ done: file.name });
    } catch (e) {
      setUpload({ refused: { error: e } });
    }
  };
  return (
    <section className="panel">
      <h3>{t('court.section.files')}</h3>
      <div className="photos">
        {lot.photos.map((p) => (
          <img key={p.id} src={p.url} alt={p.name} />
        ))}
      </div>
      <ul>
        {lot.documents.map((d) => (
          <li key={d.id}>
            <a href={d.url}>{d.name}</a>
          </li>
        ))}
      </ul>
      {editable && (
        <div className="form-grid">
          <div>
            <label htmlFor={`${id}-photo`}>{t('court.upload.photo')}</label>
            <input id={`${id}-photo`} type="file" accept="image/jpeg,image/png,image/webp" onChange={(e) => void send('photo', e.target.files)} />
          </div>
          <div>
            <label htmlFor={`${id}-doc`}>{t('court.upload.document')}</label>
            <input id={`${id}-doc`} type="file" accept="application/pdf,image/*" onChange={(e) => void send('document', e.target.files)} />
          </div>
        </div>
      )}
      {upload && <p role="status">{'done' in upload ? t('court.upload.done', { name: upload.done }) : refusalText(t, upload.refused)}</p>}
    </section>
  );
}
