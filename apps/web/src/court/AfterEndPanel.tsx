/**
 * The clerk's lot page after the end: the settlement (status, balance due and deadline, steps with their
 * times), who was behind each bidder code (only after the end, OJA Art. 18 ¶2), and the acts that follow:
 * the sale ruling, default, setting aside (OJA Art. 31), the next round, the disposition after a failed
 * last round. Before bidding starts: the priority-purchase claims, confirmed with their rank.
 */
import { useState, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Input, Space, Spin } from 'antd';
import { useNavigate } from 'react-router-dom';
import { SET_ASIDE_GROUNDS } from '@fapai/domain';
import { ApiError } from '../api/client';
import { endpoints, type CourtLotView } from '../api/endpoints';
import { formatYuan } from '../format/money';
import { formatDateTime } from '../format/time';
import { useI18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/messages';
import { knownText } from '../i18n/known';
import { errorText, refusalText, type Message, type Refusal } from '../i18n/refusal';
import { availableAfterEnd, DISPOSITION_PATHS, toDefaultBody, toDispositionBody, toPriorityBody, toRulingBody, toSetAsideBody } from './after-end';

const ENDED = ['sold', 'unsold', 'defaulted', 'transferred', 'set_aside'];
const BEFORE_BIDDING = ['draft', 'announced'];

/** An act's refusal, worded at render (with the article and the failed condition the API names). */
function Err({ refusal, id }: { refusal: Refusal | null; id: string }): ReactNode {
  const { t } = useI18n();
  return refusal ? (
    <p id={id} role="alert" className="field-error" data-testid="after-end-error">
      {refusalText(t, refusal, { grounds: true })}
    </p>
  ) : null;
}

export function AfterEndPanel({ lot }: { lot: CourtLotView }) {
  if (BEFORE_BIDDING.includes(lot.status)) return <PriorityClaims lotId={lot.id} />;
  if (!ENDED.includes(lot.status)) return null;
  return <Ended lot={lot} />;
}

function Ended({ lot }: { lot: CourtLotView }) {
  const { t, lang } = useI18n();
  const settlement = useQuery({
    queryKey: ['settlement', lot.id],
    queryFn: () => endpoints.settlement(lot.id),
    retry: (n, e) => !(e instanceof ApiError && e.status === 404) && n < 2,
  });
  const bidders = useQuery({ queryKey: ['lot-bidders', lot.id], queryFn: () => endpoints.lotBidders(lot.id) });
  const s = settlement.data ?? null;
  const acts = availableAfterEnd(lot, s);
  return (
    <>
      <section className="panel" aria-labelledby="settlement-title" data-testid="court-settlement">
        <h3 id="settlement-title">{t('court.settlement')}</h3>
        {settlement.isLoading && <Spin />}
        {settlement.error && !(settlement.error instanceof ApiError && settlement.error.status === 404) && <Alert type="error" title={errorText(t, settlement.error)} />}
        {settlement.error instanceof ApiError && settlement.error.status === 404 && <p className="muted">{t('court.noSettlement')}</p>}
        {s && (
          <dl className="facts">
            <dt>{t('court.settlementStatus')}</dt>
            <dd data-testid="settlement-status">{t(`court.settlement.${s.status}` as MessageKey)}</dd>
            <dt>{t('court.buyer')}</dt>
            <dd>
              {s.buyerName} ({s.bidderCode})
            </dd>
            <dt>{t('court.salePrice')}</dt>
            <dd className="mono">{formatYuan(s.price)}</dd>
            <dt>{t('court.balanceDue')}</dt>
            <dd className="mono">{formatYuan(s.balanceDue)}</dd>
            <dt>{t('court.balanceDeadline')}</dt>
            <dd>{formatDateTime(s.balanceDeadline, lang)}</dd>
            {s.rulingDate && (
              <>
                <dt>{t('court.rulingDate')}</dt>
                <dd data-testid="ruling-date">{s.rulingDate}</dd>
              </>
            )}
          </dl>
        )}
        {s && s.steps.length > 0 && (
          <ol data-testid="settlement-steps">
            {s.steps.map((step) => (
              <li key={`${step.step}-${step.at}`}>
                {knownText(t, 'court.step.', step.step)} · {formatDateTime(step.at, lang, true)}
              </li>
            ))}
          </ol>
        )}
      </section>
      <section className="panel" aria-labelledby="bidders-title">
        <h3 id="bidders-title">{t('court.bidders')}</h3>
        {bidders.error && <Alert type="error" title={errorText(t, bidders.error)} />}
        {bidders.data?.length === 0 && <p className="muted">{t('court.noBidders')}</p>}
        {bidders.data && bidders.data.length > 0 && (
          <table className="bid-record" data-testid="lot-bidders">
            <thead>
              <tr>
                <th scope="col">{t('court.bidderCode')}</th>
                <th scope="col">{t('court.realName')}</th>
                <th scope="col">{t('court.idNumber')}</th>
                <th scope="col">{t('court.enrolmentStatus')}</th>
              </tr>
            </thead>
            <tbody>
              {bidders.data.map((b, i) => (
                <tr key={`${b.bidderCode ?? 'none'}-${i}`}>
                  <td className="mono">{b.bidderCode ?? '—'}</td>
                  <td>{b.realName ?? '—'}</td>
                  <td className="mono">{b.idNumberMasked ?? '—'}</td>
                  <td>{knownText(t, 'enrol.status.', b.status)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {acts.length > 0 && (
        <section className="panel" aria-labelledby="after-end-title" data-testid="after-end-actions">
          <h3 id="after-end-title">{t('court.afterEnd')}</h3>
          {acts.includes('ruling') && <RulingForm lotId={lot.id} />}
          {acts.includes('default') && <DefaultForm lotId={lot.id} />}
          {acts.includes('setAside') && <SetAsideForm lotId={lot.id} />}
          {acts.includes('relist') && <Relist lotId={lot.id} />}
          {acts.includes('disposition') && <DispositionForm lotId={lot.id} />}
        </section>
      )}
    </>
  );
}

function useAct(lotId: string) {
  const qc = useQueryClient();
  // What was refused, as data: `Err` words it at render, so a language switch re-words it.
  const [error, setError] = useState<Refusal | null>(null);
  const [pending, setPending] = useState(false);
  const run = async (fn: () => Promise<unknown>) => {
    setError(null);
    setPending(true);
    try {
      const out = await fn();
      void qc.invalidateQueries({ queryKey: ['settlement', lotId] });
      void qc.invalidateQueries({ queryKey: ['court-lot', lotId] });
      void qc.invalidateQueries({ queryKey: ['court-lots'] });
      return out;
    } catch (e) {
      setError({ error: e });
      return undefined;
    } finally {
      setPending(false);
    }
  };
  return { error, setError, pending, run };
}

function localError(error: 'required' | 'invalid'): Message {
  return { key: error === 'required' ? 'appraiser.fieldRequired' : 'appraiser.fieldInvalid' };
}

function RulingForm({ lotId }: { lotId: string }) {
  const { t } = useI18n();
  const [date, setDate] = useState('');
  const act = useAct(lotId);
  const submit = () => {
    const m = toRulingBody(date);
    if (!m.ok) return act.setError(localError(m.error));
    void act.run(() => endpoints.recordRuling(lotId, m.body.rulingDate));
  };
  return (
    <form className="panel-row" onSubmit={(e) => (e.preventDefault(), submit())} data-testid="ruling-form">
      <h4>{t('court.recordRuling')}</h4>
      <label htmlFor="ruling-date">{t('court.rulingDate')}</label>
      <Space wrap>
        <Input id="ruling-date" type="date" value={date} onChange={(e) => setDate(e.target.value)} aria-describedby="ruling-error" aria-invalid={act.error ? true : undefined} />
        <Button type="primary" htmlType="submit" loading={act.pending} data-testid="ruling-submit">
          {t('court.recordRuling')}
        </Button>
      </Space>
      <Err refusal={act.error} id="ruling-error" />
    </form>
  );
}

function DefaultForm({ lotId }: { lotId: string }) {
  const { t } = useI18n();
  const [reason, setReason] = useState('');
  const [costs, setCosts] = useState('');
  const act = useAct(lotId);
  const submit = () => {
    const m = toDefaultBody(reason, costs);
    if (!m.ok) return act.setError(localError(m.error));
    void act.run(() => endpoints.declareDefault(lotId, m.body));
  };
  return (
    <form className="panel-row" onSubmit={(e) => (e.preventDefault(), submit())}>
      <h4>{t('court.declareDefault')}</h4>
      <label htmlFor="default-reason">{t('court.defaultReason')}</label>
      <Input.TextArea id="default-reason" rows={2} value={reason} onChange={(e) => setReason(e.target.value)} aria-describedby="default-error" />
      <label htmlFor="default-costs">{t('court.auctionCosts')}</label>
      <Input id="default-costs" inputMode="decimal" value={costs} onChange={(e) => setCosts(e.target.value)} suffix={t('common.yuanSuffix')} />
      <Button danger htmlType="submit" loading={act.pending}>
        {t('court.declareDefault')}
      </Button>
      <Err refusal={act.error} id="default-error" />
    </form>
  );
}

function SetAsideForm({ lotId }: { lotId: string }) {
  const { t } = useI18n();
  const [ground, setGround] = useState('');
  const [reason, setReason] = useState('');
  const act = useAct(lotId);
  const submit = () => {
    const m = toSetAsideBody(ground, reason);
    if (!m.ok) return act.setError(localError(m.error));
    void act.run(() => endpoints.setAside(lotId, m.body));
  };
  return (
    <form className="panel-row" onSubmit={(e) => (e.preventDefault(), submit())}>
      <h4>{t('court.setAside')}</h4>
      <label htmlFor="set-aside-ground">{t('court.setAsideGround')}</label>
      <select id="set-aside-ground" className="native-select" value={ground} onChange={(e) => setGround(e.target.value)}>
        <option value="">{t('court.choose')}</option>
        {SET_ASIDE_GROUNDS.map((g) => (
          <option key={g} value={g}>
            {t(`court.ground.${g}` as MessageKey)}
          </option>
        ))}
      </select>
      <label htmlFor="set-aside-reason">{t('court.reason')}</label>
      <Input.TextArea id="set-aside-reason" rows={2} value={reason} onChange={(e) => setReason(e.target.value)} aria-describedby="set-aside-error" />
      <Button danger htmlType="submit" loading={act.pending}>
        {t('court.setAside')}
      </Button>
      <Err refusal={act.error} id="set-aside-error" />
    </form>
  );
}

function Relist({ lotId }: { lotId: string }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const act = useAct(lotId);
  const go = async () => {
    const out = (await act.run(() => endpoints.relistLot(lotId))) as { id: string } | undefined;
    if (out?.id) void navigate(`/court/lots/${out.id}`);
  };
  return (
    <div className="panel-row">
      <h4>{t('court.relist')}</h4>
      <Button onClick={() => void go()} loading={act.pending} data-testid="relist">
        {t('court.relist')}
      </Button>
      <Err refusal={act.error} id="relist-error" />
    </div>
  );
}

function DispositionForm({ lotId }: { lotId: string }) {
  const { t } = useI18n();
  const [path, setPath] = useState('');
  const [note, setNote] = useState('');
  const [done, setDone] = useState(false);
  const act = useAct(lotId);
  const submit = async () => {
    const m = toDispositionBody(path, note);
    if (!m.ok) return act.setError(localError(m.error));
    const out = await act.run(() => endpoints.disposeLot(lotId, m.body));
    if (out !== undefined) setDone(true);
  };
  return (
    <form className="panel-row" onSubmit={(e) => (e.preventDefault(), void submit())}>
      <h4>{t('court.disposition')}</h4>
      <label htmlFor="disposition-path">{t('court.dispositionPath')}</label>
      <select id="disposition-path" className="native-select" value={path} onChange={(e) => setPath(e.target.value)}>
        <option value="">{t('court.choose')}</option>
        {DISPOSITION_PATHS.map((p) => (
          <option key={p} value={p}>
            {t(`court.disposition.${p}`)}
          </option>
        ))}
      </select>
      <label htmlFor="disposition-note">{t('court.dispositionNote')}</label>
      <Input.TextArea id="disposition-note" rows={2} value={note} onChange={(e) => setNote(e.target.value)} aria-describedby="disposition-error" />
      <Button htmlType="submit" loading={act.pending}>
        {t('court.disposition')}
      </Button>
      {done && <p role="status">{t('court.dispositionDone')}</p>}
      <Err refusal={act.error} id="disposition-error" />
    </form>
  );
}

function PriorityClaims({ lotId }: { lotId: string }) {
  const { t } = useI18n();
  const claims = useQuery({ queryKey: ['priority-claims', lotId], queryFn: () => endpoints.priorityClaims(lotId) });
  if (claims.isLoading) return <Spin />;
  if (claims.error) return <Alert type="error" title={errorText(t, claims.error)} />;
  if (!claims.data || claims.data.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="priority-title" data-testid="priority-claims">
      <h3 id="priority-title">{t('court.priorityClaims')}</h3>
      <ul>
        {claims.data.map((c) => (
          <PriorityClaimRow key={c.enrolmentId} lotId={lotId} claim={c} />
        ))}
      </ul>
    </section>
  );
}

function PriorityClaimRow({ lotId, claim }: { lotId: string; claim: { enrolmentId: string; priorityClaim: string; priorityRank: number | null; status: string } }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const [rank, setRank] = useState(claim.priorityRank ? String(claim.priorityRank) : '1');
  const act = useAct(lotId);
  const inputId = `rank-${claim.enrolmentId}`;
  const submit = async () => {
    const m = toPriorityBody(claim.enrolmentId, rank);
    if (!m.ok) return act.setError(localError(m.error));
    await act.run(() => endpoints.confirmPriority(lotId, m.body));
    void qc.invalidateQueries({ queryKey: ['priority-claims', lotId] });
  };
  return (
    <li>
      <form onSubmit={(e) => (e.preventDefault(), void submit())}>
        <span>{claim.priorityClaim}</span>
        {' · '}
        <span>{claim.priorityRank ? t('court.priorityConfirmed', { rank: claim.priorityRank }) : t('court.priorityUnconfirmed')}</span>{' '}
        <label htmlFor={inputId}>{t('court.priorityRank')}</label>{' '}
        <Input id={inputId} style={{ width: 80 }} inputMode="numeric" value={rank} onChange={(e) => setRank(e.target.value)} aria-describedby={`${inputId}-error`} />{' '}
        <Button htmlType="submit" loading={act.pending}>
          {t('court.confirmPriority')}
        </Button>
        <Err refusal={act.error} id={`${inputId}-error`} />
      </form>
    </li>
  );
}
