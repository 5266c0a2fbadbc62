/**
 * One reference-price procedure in the court console: its overview and reference price, the deadlines now
 * running with their statutory period and article (from the domain's rules via the API), the timeline of
 * everything applied (times in Beijing time), each method's progress, the reports, and the clerk's acts
 * the API offers in the current state. Refreshes itself, so reports and deadline effects appear unasked.
 */
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Spin } from 'antd';
import { Link, useParams } from 'react-router-dom';
import type { ValuationStepView, ValuationView } from '@fapai/contracts';
import { endpoints, type AgencyView, type CaseView } from '../../api/endpoints';
import { yuanOrDash } from '../../format/money';
import { describeDuration, formatDateTime } from '../../format/time';
import { useI18n } from '../../i18n/i18n';
import { errorText } from '../../i18n/refusal';
import { buildTimeline, statutoryPeriod, type EventDetail } from './timeline';
import { useVt, type VKey } from './text';
import { ValuationActions } from './ValuationActions';

const REFRESH_MS = 4000;

export default function ValuationPage() {
  const { id = '' } = useParams();
  const { t } = useI18n();
  const { vt } = useVt();
  const view = useQuery({ queryKey: ['valuation', id], queryFn: () => endpoints.valuation(id), refetchInterval: REFRESH_MS });
  const events = useQuery({ queryKey: ['valuation-events', id], queryFn: () => endpoints.valuationEvents(id), refetchInterval: REFRESH_MS });
  const rules = useQuery({ queryKey: ['rules'], queryFn: endpoints.rules, staleTime: Infinity });
  const agencies = useQuery({ queryKey: ['agencies'], queryFn: () => endpoints.agencies(), staleTime: 60_000 });
  const kase = useQuery({ queryKey: ['case', view.data?.caseId], queryFn: () => endpoints.caseDetail(view.data!.caseId), enabled: !!view.data });
  const v = view.data;
  if (view.isLoading) return <Spin />;
  if (view.error || !v) return <Alert type="error" title={errorText(t, view.error)} />;
  const agencyName = (aid: string) => agencies.data?.find((a) => a.id === aid)?.name ?? aid.slice(0, 8);
  const partyName = (pid: string) => kase.data?.parties.find((p) => p.id === pid)?.name ?? pid.slice(0, 8);
  return (
    <div data-testid="valuation-page">
      <p>
        <Link to={`/court/valuations?caseId=${v.caseId}`}>{vt('detail.back')}</Link>
      </p>
      <Summary v={v} onRefresh={() => void Promise.all([view.refetch(), events.refetch()])} />
      <Deadlines v={v} rules={rules.data} />
      <section className="panel" aria-labelledby="valuation-timeline-title">
        <h2 id="valuation-timeline-title">{vt('timeline.title')}</h2>
        {events.error && <Alert type="error" title={errorText(t, events.error)} />}
        <Timeline v={v} events={events.data ?? []} agencyName={agencyName} partyName={partyName} rules={rules.data} />
      </section>
      <ValuationActions v={v} parties={kase.data?.parties ?? []} agencies={agencies.data ?? []} />
      <Steps v={v} agencyName={agencyName} partyName={partyName} />
      <Reports v={v} agencyName={agencyName} />
      <Facts v={v} />
    </div>
  );
}

function Summary({ v, onRefresh }: { v: ValuationView; onRefresh: () => void }) {
  const { lang } = useI18n();
  const { vt, vknown } = useVt();
  return (
    <section className="panel" aria-labelledby="valuation-summary-title" data-testid="valuation-summary">
      <h2 id="valuation-summary-title">{v.property.description}</h2>
      <dl className="facts">
        <dt>{vt('detail.status')}</dt>
        <dd data-testid="valuation-status">{vknown('status.', v.status)}</dd>
        <dt>{vt('detail.method')}</dt>
        <dd data-testid="valuation-method">{vknown('method.', v.method)}</dd>
        <dt>{vt('detail.referencePrice')}</dt>
        <dd className="mono" data-testid="valuation-reference-price">
          {yuanOrDash(v.referencePrice)}
        </dd>
        <dt>{vt('detail.validUntil')}</dt>
        <dd>{formatDateTime(v.validUntil, lang)}</dd>
        {v.result && (
          <>
            <dt>{vt('detail.basis')}</dt>
            <dd>
              {v.result.basis} · {formatDateTime(v.result.decidedAt, lang, true)}
            </dd>
          </>
        )}
      </dl>
      {v.postponedAt && <Alert type="warning" showIcon title={vt('detail.postponed')} />}
      {v.withdrawal && <Alert type="info" showIcon title={vt('detail.withdrawn', { reason: vknown('withdrawReason.', v.withdrawal.reason) })} />}
      <Button onClick={onRefresh} style={{ marginTop: 8 }}>
        {vt('detail.refresh')}
      </Button>
    </section>
  );
}

function periodText(kind: string, rules: Parameters<typeof statutoryPeriod>[1] | undefined, v: ValuationView, lang: 'zh' | 'en', vt: ReturnType<typeof useVt>['vt']): string {
  if (!rules) return '—';
  const p = statutoryPeriod(kind, rules, v.reissue?.method);
  if (!p) return '—';
  const d = describeDuration(p.ms, lang);
  return p.courtSet ? vt('deadlines.courtSet', { duration: d }) : d;
}

function Deadlines({ v, rules }: { v: ValuationView; rules: Parameters<typeof statutoryPeriod>[1] | undefined }) {
  const { lang } = useI18n();
  const { vt, vknown } = useVt();
  const deadlines = v.deadlines ?? [];
  return (
    <section className="panel" aria-labelledby="valuation-deadlines-title">
      <h2 id="valuation-deadlines-title">{vt('deadlines.title')}</h2>
      {deadlines.length === 0 ? (
        <p className="muted">{vt('deadlines.empty')}</p>
      ) : (
        <div style={{ overflowX: 'auto' }}>
          <table className="bid-record" data-testid="valuation-deadlines">
            <thead>
              <tr>
                <th scope="col">{vt('deadlines.what')}</th>
                <th scope="col">{vt('deadlines.dueAt')}</th>
                <th scope="col">{vt('deadlines.statutory')}</th>
                <th scope="col">{vt('deadlines.article')}</th>
              </tr>
            </thead>
            <tbody>
              {deadlines.map((d) => (
                <tr key={`${d.kind}-${d.ref}`} data-kind={d.kind}>
                  <td>{vknown('deadline.', d.kind)}</td>
                  <td>{formatDateTime(d.dueAt, lang, true)}</td>
                  <td>{periodText(d.kind, rules, v, lang, vt)}</td>
                  <td>{d.article}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function detailText(d: EventDetail, ctx: { agencyName: (id: string) => string; vknown: ReturnType<typeof useVt>['vknown']; vt: ReturnType<typeof useVt>['vt'] }): string {
  const parts: string[] = [];
  if (d.party) parts.push(ctx.vknown('party.', d.party));
  if (d.orgIds?.length) parts.push(d.orgIds.map(ctx.agencyName).join('、'));
  if (d.priceFen !== undefined) parts.push(yuanOrDash(d.priceFen));
  if (d.method) parts.push(ctx.vknown('method.', d.method));
  if (d.upheld !== undefined) parts.push(ctx.vt(d.upheld ? 'actions.uphold' : 'actions.reject'));
  if (d.satisfied !== undefined) parts.push(ctx.vt(d.satisfied ? 'actions.objectorSatisfied' : 'actions.objectorNotSatisfied'));
  if (d.reportStands !== undefined) parts.push(ctx.vt(d.reportStands ? 'actions.reportStands' : 'actions.reportFails'));
  if (d.reason) parts.push(ctx.vknown('postponeReason.', ctx.vknown('withdrawReason.', d.reason)));
  return parts.join(' · ');
}

function Timeline({
  v,
  events,
  agencyName,
  rules,
}: {
  v: ValuationView;
  events: Parameters<typeof buildTimeline>[1];
  agencyName: (id: string) => string;
  partyName: (id: string) => string;
  rules: Parameters<typeof statutoryPeriod>[1] | undefined;
}) {
  const { lang } = useI18n();
  const { vt, vknown } = useVt();
  const entries = buildTimeline(v, events);
  if (entries.length === 0) return <p className="muted">{vt('timeline.empty')}</p>;
  return (
    <ol className="timeline" data-testid="valuation-timeline">
      {entries.map((e) =>
        e.kind === 'event' ? (
          <li key={`e-${e.seq}`} data-type={e.type}>
            <time dateTime={e.at}>{formatDateTime(e.at, lang, true)}</time> · <strong>{vknown('event.', e.type)}</strong>
            {detailText(e.detail, { agencyName, vknown, vt }) && <> · {detailText(e.detail, { agencyName, vknown, vt })}</>}
          </li>
        ) : (
          <li key={`d-${e.deadline.kind}-${e.deadline.ref}`} data-type={`deadline:${e.deadline.kind}`} className="timeline-due">
            <time dateTime={e.at}>{formatDateTime(e.at, lang, true)}</time> · {vt('timeline.due')}: <strong>{vknown('deadline.', e.deadline.kind)}</strong> · {periodText(e.deadline.kind, rules, v, lang, vt)} · {e.deadline.article} ·{' '}
            {Date.parse(e.at) > Date.now() ? vt('timeline.pending') : vt('timeline.done')}
          </li>
        ),
      )}
    </ol>
  );
}

function Steps({ v, agencyName, partyName }: { v: ValuationView; agencyName: (id: string) => string; partyName: (id: string) => string }) {
  const { vt } = useVt();
  if (v.steps.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="valuation-steps-title" data-testid="valuation-steps">
      <h2 id="valuation-steps-title">{vt('steps.title')}</h2>
      {v.steps.map((s) => (
        <Step key={s.id} step={s} agencyName={agencyName} partyName={partyName} />
      ))}
    </section>
  );
}

function Step({ step: s, agencyName, partyName }: { step: ValuationStepView; agencyName: (id: string) => string; partyName: (id: string) => string }) {
  const { lang } = useI18n();
  const { vt, vknown } = useVt();
  const objections = s.method === 'online_inquiry' ? s.objections : s.method === 'appraisal' ? s.commissions.flatMap((c) => c.objections) : [];
  return (
    <article className="valuation-step" data-testid={`step-${s.method}`} aria-labelledby={`step-${s.id}`}>
      <h3 id={`step-${s.id}`}>
        {vknown('method.', s.method)} · {vknown('stepStatus.', s.status)}
        {'phase' in s && s.status === 'active' ? ` · ${vknown('phase.', s.phase)}` : ''}
      </h3>
      <dl className="facts">
        <dt>{vt('steps.opened')}</dt>
        <dd>{formatDateTime(s.openedAt, lang, true)}</dd>
        <dt>{vt('steps.deadline')}</dt>
        <dd>{formatDateTime(s.deadline, lang, true)}</dd>
        {s.closedAt && (
          <>
            <dt>{vt('steps.closed')}</dt>
            <dd>{formatDateTime(s.closedAt, lang, true)}</dd>
          </>
        )}
        {s.outcome && (
          <>
            <dt>{vt('steps.outcome')}</dt>
            <dd className="mono">{yuanOrDash(s.outcome.priceFen)}</dd>
          </>
        )}
        {s.failure && (
          <>
            <dt>{vt('steps.failure')}</dt>
            <dd>
              {s.failure.reason.replace(/_/g, ' ')} ({s.failure.article})
            </dd>
          </>
        )}
        {s.method === 'directed_inquiry' && (
          <>
            <dt>{vt('steps.body')}</dt>
            <dd>{s.body}</dd>
          </>
        )}
        {s.method === 'negotiation' &&
          (['applicant', 'respondent'] as const).map((side) => {
            const sub = s.submissions[side];
            const value = !sub.submitted ? vt('steps.notSubmitted') : sub.priceFen !== undefined ? yuanOrDash(sub.priceFen) : vt('steps.submitted');
            return (
              <div key={side} style={{ display: 'contents' }}>
                <dt>{vknown('party.', side)}</dt>
                <dd className="mono">{value}</dd>
              </div>
            );
          })}
        {s.method === 'appraisal' && s.selection.lottery && (
          <>
            <dt>{vt('steps.lotteryCommitment')}</dt>
            <dd className="mono" style={{ wordBreak: 'break-all' }}>
              {s.selection.lottery.commitment}
            </dd>
            {s.selection.lottery.result && (
              <>
                <dt>{vt('steps.lotteryResult')}</dt>
                <dd>{s.selection.lottery.result.map(agencyName).join(' → ')}</dd>
              </>
            )}
          </>
        )}
      </dl>
      {s.method === 'online_inquiry' && (
        <Entries
          head={vt('steps.platform')}
          rows={s.platforms.map((p) => ({ key: p.platformId, name: agencyName(p.platformId), status: vknown('entry.', p.status), deadline: p.deadline, price: p.report && 'priceFen' in p.report ? p.report.priceFen : null }))}
        />
      )}
      {s.method === 'appraisal' && s.commissions.length > 0 && (
        <Entries
          head={vt('steps.agency')}
          rows={s.commissions.map((c) => ({ key: c.agencyId, name: `${c.rank}. ${agencyName(c.agencyId)}`, status: vknown('entry.', c.status), deadline: c.deadline, price: c.report?.priceFen ?? null }))}
        />
      )}
      {'service' in s && s.service && <p>{vt('steps.service', { at: formatDateTime(s.service.servedAt, lang, true), until: formatDateTime(s.service.windowClosesAt, lang, true) })}</p>}
      {s.method === 'appraisal' &&
        s.commissions
          .filter((c) => c.service)
          .map((c) => <p key={c.agencyId}>{vt('steps.service', { at: formatDateTime(c.service!.servedAt, lang, true), until: formatDateTime(c.service!.windowClosesAt, lang, true) })}</p>)}
      {objections.length > 0 && (
        <>
          <h4>{vt('objections.title')}</h4>
          <ul data-testid="valuation-objections">
            {objections.map((o) => (
              <li key={o.id}>
                {partyName(o.objector)} · {o.grounds.map((g) => vknown('ground.', g)).join('、')} · {vknown('objection.', o.status)} · {vt('objections.filedAt')} {formatDateTime(o.filedAt, lang, true)}
              </li>
            ))}
          </ul>
        </>
      )}
    </article>
  );
}

function Entries({ head, rows }: { head: string; rows: { key: string; name: string; status: string; deadline: string; price: number | null }[] }) {
  const { lang } = useI18n();
  const { vt } = useVt();
  return (
    <div style={{ overflowX: 'auto' }}>
      <table className="bid-record">
        <thead>
          <tr>
            <th scope="col">{head}</th>
            <th scope="col">{vt('steps.entryStatus')}</th>
            <th scope="col">{vt('steps.deadline')}</th>
            <th scope="col">{vt('steps.report')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              <td>{r.name}</td>
              <td>{r.status}</td>
              <td>{formatDateTime(r.deadline, lang, true)}</td>
              <td className="mono">{yuanOrDash(r.price)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Reports({ v, agencyName }: { v: ValuationView; agencyName: (id: string) => string }) {
  const { lang } = useI18n();
  const { vt, vknown } = useVt();
  return (
    <section className="panel" aria-labelledby="valuation-reports-title">
      <h2 id="valuation-reports-title">{vt('reports.title')}</h2>
      {v.reports.length === 0 ? (
        <p className="muted">{vt('reports.empty')}</p>
      ) : (
        <div style={{ overflowX: 'auto' }}>
          <table className="bid-record" data-testid="valuation-reports">
            <thead>
              <tr>
                <th scope="col">{vt('reports.by')}</th>
                <th scope="col">{vt('reports.kind')}</th>
                <th scope="col">{vt('reports.price')}</th>
                <th scope="col">{vt('detail.validUntil')}</th>
                <th scope="col">{vt('reports.submittedAt')}</th>
                <th scope="col">{vt('reports.files')}</th>
              </tr>
            </thead>
            <tbody>
              {v.reports.map((r) => (
                <tr key={r.id}>
                  <td>{r.agencyId ? agencyName(r.agencyId) : '—'}</td>
                  <td>{vknown('reportKind.', r.kind)}</td>
                  <td className="mono">{yuanOrDash(r.price)}</td>
                  <td>{formatDateTime(r.validUntil, lang)}</td>
                  <td>{formatDateTime(r.submittedAt, lang, true)}</td>
                  <td>
                    {r.files.map((f) => (
                      <a key={f.id} href={f.url} target="_blank" rel="noreferrer" style={{ marginRight: 8 }}>
                        {f.name}
                      </a>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function Facts({ v }: { v: ValuationView }) {
  const { vt, vknown } = useVt();
  const f = v.facts;
  if (!f) return null;
  const yn = (b: boolean) => vt(b ? 'detail.yes' : 'detail.no');
  const stance = (side: 'applicant' | 'respondent') => {
    const s = v.stances?.[side];
    if (!s) return '—';
    const flags = [s.refusesNegotiation && vt('actions.refusesNegotiation'), s.cannotBeFound && vt('actions.cannotBeFound')].filter(Boolean);
    return flags.length ? flags.join('、') : vt('detail.none');
  };
  const flagKeys: VKey[] = ['create.hasGovernmentPrice', 'create.needsOnSiteSurvey', 'create.appraisalRequiredByLaw'];
  const flagValues = [f.hasGovernmentPrice, f.needsOnSiteSurvey, f.appraisalRequiredByLaw];
  return (
    <section className="panel" aria-labelledby="valuation-facts-title">
      <h2 id="valuation-facts-title">{vt('detail.facts')}</h2>
      <dl className="facts" data-testid="valuation-facts">
        <dt>{vt('detail.ownership')}</dt>
        <dd>{f.title}</dd>
        <dt>{vt('detail.encumbrances')}</dt>
        <dd>{f.encumbrances.join('；') || vt('detail.none')}</dd>
        <dt>{vt('detail.occupancy')}</dt>
        <dd>{f.occupancy || '—'}</dd>
        <dt>{vt('detail.unpaidTaxes')}</dt>
        <dd className="mono">{yuanOrDash(f.unpaidTaxesFen)}</dd>
        <dt>{vt('detail.defects')}</dt>
        <dd>{f.defects.join('；') || vt('detail.none')}</dd>
        {flagKeys.map((k, i) => (
          <div key={k} style={{ display: 'contents' }}>
            <dt>{vt(k)}</dt>
            <dd>{yn(flagValues[i])}</dd>
          </div>
        ))}
        <dt>{vknown('party.', 'applicant')}</dt>
        <dd data-testid="stance-applicant">{stance('applicant')}</dd>
        <dt>{vknown('party.', 'respondent')}</dt>
        <dd data-testid="stance-respondent">{stance('respondent')}</dd>
        <dt>{vt('actions.jointRequest')}</dt>
        <dd>{vknown('method.', v.stances?.jointRequest ?? null)}</dd>
      </dl>
    </section>
  );
}

export type { AgencyView, CaseView };
