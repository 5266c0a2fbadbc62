/**
 * The appraiser portal (评估机构工作台), a lazy chunk: the valuations entrusted to this agency or inquiry
 * platform (GET /api/valuations) with their status, method, next deadline and reference price, and each
 * one's steps and reports (GET /api/valuations/:id); above it the organisation's open work (GET
 * /api/appraiser/queue), each item opening its work panel (report, files, extension, correction, explanation).
 */
import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Spin } from 'antd';
import { Navigate } from 'react-router-dom';
import type { ValuationListItem } from '@fapai/contracts';
import type { AppraiserWorkItem } from '@fapai/contracts';
import { WorkPanel } from './WorkPanel';
import { ApiError } from '../api/client';
import { endpoints } from '../api/endpoints';
import { useAuth } from '../auth/auth';
import { yuanOrDash } from '../format/money';
import { formatDateTime } from '../format/time';
import { useI18n } from '../i18n/i18n';
import { knownText } from '../i18n/known';
import { errorText } from '../i18n/refusal';

/** The agency's queue; `available` is false when the API has no valuation routes (404). */
export function useValuationQueue(enabled: boolean) {
  const q = useQuery({ queryKey: ['valuations'], queryFn: () => endpoints.valuations(), enabled, refetchInterval: 15_000 });
  const available = !(q.error instanceof ApiError && q.error.status === 404);
  return { ...q, available };
}

function workKindText(t: ReturnType<typeof useI18n>['t'], kind: string): string {
  return knownText(t, 'appraiser.work.', kind);
}

export default function AppraiserPortal() {
  const { t, lang } = useI18n();
  const { session, me, loadingMe, hasRole } = useAuth();
  const queue = useValuationQueue(hasRole('appraiser'));
  const [open, setOpen] = useState<string | null>(null);
  const work = useQuery({ queryKey: ['appraiser-queue'], queryFn: endpoints.appraiserQueue, enabled: hasRole('appraiser'), refetchInterval: 15_000 });
  // The opened item stays open when its work is done (it leaves the queue): its reports can still get files.
  const [workOpen, setWorkOpen] = useState<AppraiserWorkItem | null>(null);
  const openItem: AppraiserWorkItem | null = workOpen ? (work.data?.find((w) => w.valuationId === workOpen.valuationId) ?? { ...workOpen, work: [] }) : null;
  if (!session) return <Navigate to="/login?next=/appraiser" replace />;
  if (loadingMe || !me) return <Spin className="page-spin" />;
  if (!hasRole('appraiser')) return <p>{t('appraiser.notAppraiser')}</p>;
  return (
    <>
      <h1 className="page-title">{t('appraiser.title')}</h1>
      <section className="panel" aria-labelledby="work-title">
        <h2 id="work-title">{t('appraiser.queue')}</h2>
        {work.error && <Alert type="error" title={errorText(t, work.error)} />}
        {work.isLoading && <Spin />}
        {work.data?.length === 0 && <p className="muted">{t('appraiser.empty')}</p>}
        {work.data && work.data.length > 0 && (
          <div style={{ overflowX: 'auto' }}>
            <table className="bid-record" data-testid="work-queue">
              <thead>
                <tr>
                  <th scope="col">{t('appraiser.property')}</th>
                  <th scope="col">{t('appraiser.workToDo')}</th>
                  <th scope="col">{t('appraiser.deadline')}</th>
                  <th scope="col">{t('appraiser.open')}</th>
                </tr>
              </thead>
              <tbody>
                {work.data.map((w) => (
                  <tr key={w.valuationId}>
                    <td>{w.property.description}</td>
                    <td>{w.work.map((x) => x.kind).map((k) => workKindText(t, k)).join(t('common.comma'))}</td>
                    <td>{formatDateTime(w.work[0]?.dueAt ?? null, lang)}</td>
                    <td>
                      <Button size="small" onClick={() => setWorkOpen(workOpen?.valuationId === w.valuationId ? null : w)} aria-expanded={workOpen?.valuationId === w.valuationId} data-testid="work-open">
                        {t('appraiser.open')}
                      </Button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {openItem && <WorkPanel key={openItem.valuationId} item={openItem} />}
      <section className="panel" aria-labelledby="queue-title">
        <h2 id="queue-title">{t('appraiser.allValuations')}</h2>
        {!queue.available && <p data-testid="valuation-unavailable">{t('appraiser.notYet')}</p>}
        {queue.available && queue.error && <Alert type="error" title={errorText(t, queue.error)} />}
        {queue.isLoading && <Spin />}
        {queue.data?.length === 0 && <p className="muted">{t('appraiser.empty')}</p>}
        {queue.data && queue.data.length > 0 && (
          <div style={{ overflowX: 'auto' }}>
            <table className="bid-record" data-testid="valuation-queue">
              <thead>
                <tr>
                  <th scope="col">{t('appraiser.property')}</th>
                  <th scope="col">{t('appraiser.status')}</th>
                  <th scope="col">{t('appraiser.method')}</th>
                  <th scope="col">{t('appraiser.deadline')}</th>
                  <th scope="col">{t('appraiser.referencePrice')}</th>
                  <th scope="col">{t('appraiser.detail')}</th>
                </tr>
              </thead>
              <tbody>
                {queue.data.map((v) => (
                  <ValuationRow key={v.id} v={v} open={open === v.id} onToggle={() => setOpen(open === v.id ? null : v.id)} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}

function ValuationRow({ v, open, onToggle }: { v: ValuationListItem; open: boolean; onToggle(): void }) {
  const { t, lang } = useI18n();
  return (
    <>
      <tr>
        <td>{v.property.description}</td>
        <td>{knownText(t, 'appraiser.vstatus.', v.status)}</td>
        <td>{knownText(t, 'appraiser.vstatus.', v.method)}</td>
        <td>{formatDateTime(v.nextDeadlineAt, lang)}</td>
        <td className="mono">{yuanOrDash(v.referencePrice)}</td>
        <td>
          <Button size="small" onClick={onToggle} aria-expanded={open}>
            {t('appraiser.detail')}
          </Button>
        </td>
      </tr>
      {open && (
        <tr>
          <td colSpan={6}>
            <ValuationDetail id={v.id} />
          </td>
        </tr>
      )}
    </>
  );
}

interface StepSummary {
  id: string;
  method: string;
  status?: string;
}

function ValuationDetail({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const q = useQuery({ queryKey: ['valuation', id], queryFn: () => endpoints.valuation(id) });
  if (q.isLoading) return <Spin />;
  if (q.error) return <Alert type="error" title={errorText(t, q.error)} />;
  const v = q.data!;
  const steps = (Array.isArray(v.steps) ? v.steps : []) as StepSummary[];
  const reports = (Array.isArray(v.reports) ? v.reports : []) as { id: string; kind?: string; url?: string }[];
  return (
    <div>
      <p>
        {t('appraiser.validUntil')}
        {t('common.colon')}
        {formatDateTime(v.validUntil, lang)}
      </p>
      <h3>{t('appraiser.steps')}</h3>
      <ol>
        {steps.map((s) => (
          <li key={s.id}>
            {s.method}
            {s.status ? ` · ${s.status}` : ''}
          </li>
        ))}
      </ol>
      <h3>{t('appraiser.reports')}</h3>
      <ul>
        {reports.map((r) => (
          <li key={r.id}>{r.url ? <a href={r.url}>{r.kind ?? r.id}</a> : (r.kind ?? r.id)}</li>
        ))}
      </ul>
    </div>
  );
}
