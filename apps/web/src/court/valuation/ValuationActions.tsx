/**
 * The clerk's acts on a reference-price procedure, offered by state as the valuation API exposes them
 * (apps/api/src/valuation/valuation.controller.ts): start a method (the four of RPR Art. 2, each marked
 * allowed or not by the statutory order the API computes), parties' stances and joint requests, a
 * negotiated price, the directed inquiry's answer, the online reports' review, the appraisal's agreement or
 * lottery (commit, draw), extensions, the report's review, service, objections (forward, the objector's
 * answer, technical review, ruling), materials returned, postponement, resumption, withdrawal, re-issue.
 * The API decides: a refused act shows why next to the field or the button.
 */
import type { ReactNode } from 'react';
import { ART22_GROUNDS, ART23_GROUNDS } from '@fapai/domain';
import type { ValuationMethodName, ValuationObjectionView, ValuationView } from '@fapai/contracts';
import { endpoints, type AgencyView, type CaseView } from '../../api/endpoints';
import { ActForm, useInvalidateValuation } from './ActForm';
import { bool, build, list, str, toAgreementBody, toExtensionBody, type Mapped, type Values } from './forms';
import { useVt } from './text';

const POSTPONE_REASONS = ['enforcement_postponed_or_suspended', 'materials_inconsistent', 'other'] as const;
const WITHDRAW_REASONS = ['application_withdrawn', 'obligations_performed', 'title_revoked', 'parties_agreed_price', 'parties_agreed_not_to_sell', 'other'] as const;
const FINDINGS = ['facts_wrong', 'scope', 'wrong_agency', 'licence_mismatch', 'other'] as const;
const SIDES = ['applicant', 'respondent'] as const;
const METHODS: readonly ValuationMethodName[] = ['negotiation', 'directed_inquiry', 'online_inquiry', 'appraisal'];

const nothing = (): Mapped<Record<string, unknown>> => ({ ok: true, body: {} });

export function ValuationActions({ v, parties, agencies }: { v: ValuationView; parties: CaseView['parties']; agencies: AgencyView[] }) {
  const { vt } = useVt();
  const closed = v.status === 'determined' || v.status === 'withdrawn';
  const active = v.steps.find((s) => s.id === v.activeStepId) ?? null;
  const postponed = v.postponedAt !== null;
  const blocks: ReactNode[] = [];

  if (!closed && !active && !postponed) {
    blocks.push(<StartMethods key="start" v={v} agencies={agencies} />);
    blocks.push(<Stances key="stances" v={v} />);
  }
  if (active && !postponed) blocks.push(<ActiveStep key="active" v={v} agencies={agencies} parties={parties} />);
  if (!postponed) {
    for (const o of v.objections) {
      const form = <ObjectionAct key={o.id} v={v} objection={o} partyName={parties.find((p) => p.id === o.objector)?.name ?? o.objector} />;
      if (['awaiting_forwarding', 'awaiting_objector', 'technical_review', 'awaiting_ruling'].includes(o.status)) blocks.push(form);
    }
  }
  for (const s of v.steps) {
    if (s.method !== 'appraisal') continue;
    for (const c of s.commissions) {
      if (c.materialsReturnDueAt && !c.materialsReturnedAt) blocks.push(<Simple key={`m-${c.agencyId}`} v={v} title={`${vt('actions.materialsReturned')}：${agencies.find((a) => a.id === c.agencyId)?.name ?? c.agencyId}`} testId="materials-returned" label={vt('actions.recordReturned')} path="appraisal/materials-returned" body={{ agencyId: c.agencyId }} />);
    }
  }
  if (!closed && active && !postponed) blocks.push(<ReasonAct key="postpone" v={v} kind="postpone" />);
  if (!closed && postponed) blocks.push(<Simple key="resume" v={v} title={vt('actions.resume')} testId="resume" label={vt('actions.resume')} path="resume" />);
  if (!closed) blocks.push(<ReasonAct key="withdraw" v={v} kind="withdraw" />);
  if (v.status === 'determined' && v.reissue?.status !== 'pending') blocks.push(<Simple key="reissue" v={v} title={vt('actions.reissue')} testId="reissue" label={vt('actions.reissueSubmit')} path="reissue" />);

  return (
    <section className="panel" aria-labelledby="valuation-actions-title" data-testid="valuation-actions">
      <h2 id="valuation-actions-title">{vt('actions.title')}</h2>
      {blocks.length === 0 ? <p className="muted">{vt('actions.none')}</p> : blocks}
    </section>
  );
}

function useAct(v: ValuationView) {
  const invalidate = useInvalidateValuation(v.id);
  return { onDone: invalidate };
}

function Simple({ v, title, testId, label, path, body = {}, hint }: { v: ValuationView; title: string; testId: string; label: string; path: Parameters<typeof endpoints.valuationAct>[1]; body?: Record<string, unknown>; hint?: string }) {
  const act = useAct(v);
  return <ActForm title={title} testId={testId} submitLabel={label} hint={hint} toBody={nothing} send={() => endpoints.valuationAct(v.id, path, body)} onDone={act.onDone} />;
}

function StartMethods({ v, agencies }: { v: ValuationView; agencies: AgencyView[] }) {
  const { vt, vknown } = useVt();
  const act = useAct(v);
  const allowed = new Set(v.allowedMethods ?? []);
  const note = (m: ValuationMethodName) => (allowed.has(m) ? vt('actions.allowedNow') : vt('actions.notAllowedNow'));
  const title = (m: ValuationMethodName) => `${vknown('method.', m)}（${note(m)}）`;
  return (
    <div data-testid="start-methods">
      <h3>{vt('actions.start')}</h3>
      {METHODS.map((m) => {
        const common = { testId: `start-${m}`, title: title(m), onDone: act.onDone };
        switch (m) {
          case 'negotiation':
            return (
              <ActForm
                key={m}
                {...common}
                submitLabel={vt('actions.startNegotiation')}
                fields={[{ name: 'deadline', label: vt('actions.deadline'), kind: 'datetime' }]}
                toBody={(x) => build(x).instant('deadline', { required: false }).done()}
                send={(body) => endpoints.valuationAct(v.id, 'negotiation', body)}
              />
            );
          case 'directed_inquiry':
            return (
              <ActForm
                key={m}
                {...common}
                submitLabel={vt('actions.startDirected')}
                fields={[
                  { name: 'body', label: vt('actions.directedBody'), kind: 'text', required: true },
                  { name: 'agencyId', label: vt('actions.directedAgency'), kind: 'select', options: agencies.map((a) => ({ value: a.id, label: a.name })) },
                  { name: 'deadline', label: vt('actions.deadline'), kind: 'datetime' },
                ]}
                toBody={(x) => build(x).text('body', { min: 2 }).text('agencyId', { required: false }).instant('deadline', { required: false }).done()}
                send={(body) => endpoints.valuationAct(v.id, 'directed-inquiry', body)}
              />
            );
          case 'online_inquiry':
            return <ActForm key={m} {...common} submitLabel={vt('actions.startOnline')} hint={vt('actions.onlineHint')} toBody={nothing} send={() => endpoints.valuationAct(v.id, 'online-inquiry')} />;
          case 'appraisal':
            return (
              <ActForm
                key={m}
                {...common}
                submitLabel={vt('actions.startAppraisal')}
                fields={[
                  { name: 'agreementDeadline', label: vt('actions.agreementDeadline'), kind: 'datetime' },
                  { name: 'bothPartiesAskLottery', label: vt('actions.bothAskLottery'), kind: 'checkbox' },
                ]}
                toBody={(x) => build(x).instant('agreementDeadline', { required: false }).set('bothPartiesAskLottery', bool(x, 'bothPartiesAskLottery')).done()}
                send={(body) => endpoints.valuationAct(v.id, 'appraisal', body)}
              />
            );
        }
      })}
    </div>
  );
}

function Stances({ v }: { v: ValuationView }) {
  const { vt, vknown } = useVt();
  const act = useAct(v);
  const sides = SIDES.map((s) => ({ value: s, label: vknown('party.', s) }));
  return (
    <>
      <ActForm
        title={vt('actions.stance')}
        testId="stance"
        submitLabel={vt('actions.saveStance')}
        fields={[
          { name: 'party', label: vt('actions.party'), kind: 'select', required: true, options: sides },
          { name: 'refusesNegotiation', label: vt('actions.refusesNegotiation'), kind: 'checkbox' },
          { name: 'cannotBeFound', label: vt('actions.cannotBeFound'), kind: 'checkbox' },
        ]}
        toBody={(x) => build(x).choice('party', SIDES).set('refusesNegotiation', bool(x, 'refusesNegotiation')).set('cannotBeFound', bool(x, 'cannotBeFound')).done()}
        send={(body) => endpoints.valuationAct(v.id, 'stances', body)}
        onDone={act.onDone}
      />
      <ActForm
        title={vt('actions.jointRequest')}
        testId="joint-request"
        submitLabel={vt('actions.saveJoint')}
        fields={[
          {
            name: 'method',
            label: vt('actions.jointRequest'),
            kind: 'select',
            placeholder: vt('actions.jointNone'),
            options: (['directed_inquiry', 'online_inquiry', 'appraisal'] as const).map((m) => ({ value: m, label: vknown('method.', m) })),
          },
        ]}
        toBody={(x) => ({ ok: true, body: { method: str(x, 'method') || null } })}
        send={(body) => endpoints.valuationAct(v.id, 'joint-request', body)}
        onDone={act.onDone}
      />
    </>
  );
}

function ActiveStep({ v, agencies, parties }: { v: ValuationView; agencies: AgencyView[]; parties: CaseView['parties'] }) {
  const { vt, vknown } = useVt();
  const act = useAct(v);
  const step = v.steps.find((s) => s.id === v.activeStepId)!;
  const name = (id: string) => agencies.find((a) => a.id === id)?.name ?? id;
  const priceFields = [
    { name: 'price', label: vt('actions.price'), kind: 'yuan' as const, required: true },
    { name: 'validUntil', label: vt('actions.validUntil'), kind: 'datetime' as const, required: true },
  ];
  const priceBody = (x: Values) => build(x).fen('price').instant('validUntil').done();
  const reasonForm = (testId: string, title: string, path: 'negotiation/fail' | 'directed-inquiry/decline') => (
    <ActForm
      key={testId}
      title={title}
      testId={testId}
      danger
      submitLabel={vt('actions.declare')}
      fields={[{ name: 'reason', label: vt('actions.reason'), kind: 'textarea', required: true }]}
      toBody={(x) => build(x).text('reason', { min: 2 }).done()}
      send={(body) => endpoints.valuationAct(v.id, path, body)}
      onDone={act.onDone}
    />
  );
  const serve = <Simple key="serve" v={v} title={vt('actions.serve')} hint={vt('actions.serveHint')} testId="serve" label={vt('actions.serveSubmit')} path="service" />;
  const out: ReactNode[] = [];
  switch (step.method) {
    case 'negotiation':
      out.push(
        <ActForm
          key="price"
          title={vt('actions.negotiationPrice')}
          testId="negotiation-price"
          submitLabel={vt('actions.recordPrice')}
          fields={[{ name: 'party', label: vt('actions.party'), kind: 'select', required: true, options: SIDES.map((s) => ({ value: s, label: vknown('party.', s) })) }, ...priceFields]}
          toBody={(x) => build(x).choice('party', SIDES).fen('price').instant('validUntil').done()}
          send={(body) => endpoints.valuationAct(v.id, 'negotiation/prices', body)}
          onDone={act.onDone}
        />,
        reasonForm('negotiation-fail', vt('actions.failNegotiation'), 'negotiation/fail'),
      );
      break;
    case 'directed_inquiry':
      out.push(
        <ActForm key="result" title={vt('actions.directedResult')} testId="directed-result" submitLabel={vt('actions.recordResult')} fields={priceFields} toBody={priceBody} send={(body) => endpoints.valuationAct(v.id, 'directed-inquiry/result', body)} onDone={act.onDone} />,
        reasonForm('directed-decline', vt('actions.directedDecline'), 'directed-inquiry/decline'),
      );
      break;
    case 'online_inquiry':
      if (step.phase === 'review')
        out.push(
          <ActForm
            key="review"
            title={vt('actions.reviewOnline')}
            testId="online-review"
            submitLabel={vt('actions.review')}
            fields={[{ name: 'faultyPlatformIds', label: vt('actions.faultyPlatforms'), kind: 'checkboxes', options: step.platforms.filter((p) => p.report).map((p) => ({ value: p.platformId, label: name(p.platformId) })) }]}
            toBody={(x) => ({ ok: true, body: { faultyPlatformIds: list(x, 'faultyPlatformIds') } })}
            send={(body) => endpoints.valuationAct(v.id, 'online-inquiry/review', body)}
            onDone={act.onDone}
          />,
        );
      if (step.phase === 'service') out.push(serve);
      break;
    case 'appraisal': {
      const current = step.commissions[step.commissions.length - 1];
      if (step.phase === 'selection') {
        const slots = 3;
        out.push(
          <ActForm
            key="agreement"
            title={vt('actions.agreedAgencies')}
            testId="agreement"
            submitLabel={vt('actions.recordAgreement')}
            fields={Array.from({ length: slots }, (_, i) => ({ name: `agency${i + 1}`, label: vt('actions.agencyN', { n: i + 1 }), kind: 'select' as const, required: true, options: agencies.filter((a) => a.kind === 'appraisal_agency').map((a) => ({ value: a.id, label: a.name })) }))}
            toBody={(x) => toAgreementBody(x, slots)}
            send={(body) => endpoints.valuationAct(v.id, 'appraisal/agreement', body)}
            onDone={act.onDone}
          />,
        );
      }
      if ((step.phase === 'selection' || step.phase === 'lottery') && !step.selection.lottery) {
        out.push(
          <ActForm
            key="commit"
            title={vt('actions.lotteryCommit')}
            testId="lottery-commit"
            submitLabel={vt('actions.commit')}
            fields={[
              { name: 'field', label: vt('actions.lotteryField'), kind: 'text' },
              { name: 'province', label: vt('actions.lotteryProvince'), kind: 'text' },
              { name: 'city', label: vt('actions.lotteryCity'), kind: 'text' },
            ]}
            toBody={(x) => build(x).text('field', { required: false }).text('province', { required: false }).text('city', { required: false }).done()}
            send={(body) => endpoints.valuationAct(v.id, 'appraisal/lottery/commit', body)}
            onDone={act.onDone}
          />,
        );
      }
      if (step.selection.lottery && step.selection.lottery.seed === null) {
        out.push(
          <ActForm
            key="draw"
            title={vt('actions.lotteryDraw')}
            testId="lottery-draw"
            submitLabel={vt('actions.draw')}
            fields={[{ name: 'publicEntropy', label: vt('actions.publicEntropy'), kind: 'text' }]}
            toBody={(x) => build(x).text('publicEntropy', { required: false }).done()}
            send={(body) => endpoints.valuationAct(v.id, 'appraisal/lottery/draw', body)}
            onDone={act.onDone}
          />,
        );
      }
      if (step.phase === 'commissioned' && current) {
        out.push(
          <ActForm
            key="extension"
            title={`${vt('actions.grantExtension')}：${name(current.agencyId)}`}
            testId="grant-extension"
            submitLabel={vt('actions.grant')}
            fields={[
              { name: 'extendBy', label: vt('actions.extendBy'), kind: 'text', required: true },
              { name: 'unit', label: vt('actions.unit'), kind: 'select', options: (['day', 'hour', 'second'] as const).map((u) => ({ value: u, label: vt(`actions.unit.${u}`) })) },
              { name: 'requestedAt', label: vt('actions.requestedAt'), kind: 'datetime' },
            ]}
            toBody={(x) => toExtensionBody(x, current.agencyId)}
            send={(body) => endpoints.valuationAct(v.id, 'appraisal/extensions', body)}
            onDone={act.onDone}
          />,
        );
      }
      if (step.phase === 'review') {
        out.push(
          <ActForm
            key="review"
            title={vt('actions.reviewAppraisal')}
            testId="appraisal-review"
            submitLabel={vt('actions.review')}
            fields={[{ name: 'findings', label: vt('actions.findings'), kind: 'checkboxes', options: FINDINGS.map((f) => ({ value: f, label: vknown('finding.', f) })) }]}
            toBody={(x) => ({ ok: true, body: { findings: list(x, 'findings') } })}
            send={(body) => endpoints.valuationAct(v.id, 'appraisal/review', body)}
            onDone={act.onDone}
          />,
        );
      }
      if (step.phase === 'service') out.push(serve);
      break;
    }
  }
  // A written objection recorded for a party while the reports' objection period runs.
  const service = step.method === 'online_inquiry' ? step.service : step.method === 'appraisal' ? (step.commissions[step.commissions.length - 1]?.service ?? null) : null;
  if (service && !service.windowClosed) {
    const grounds = step.method === 'appraisal' ? [...ART22_GROUNDS, ...ART23_GROUNDS] : [...ART22_GROUNDS];
    out.push(
      <ActForm
        key="objection"
        title={vt('actions.fileObjection')}
        testId="file-objection"
        submitLabel={vt('actions.file')}
        fields={[
          { name: 'partyId', label: vt('actions.objector'), kind: 'select', required: true, options: parties.map((p) => ({ value: p.id, label: p.name })) },
          { name: 'grounds', label: vt('actions.grounds'), kind: 'checkboxes', options: grounds.map((g) => ({ value: g, label: vknown('ground.', g) })) },
          { name: 'statement', label: vt('actions.statement'), kind: 'textarea' },
        ]}
        toBody={(x) => {
          const b = build(x).text('partyId').text('statement', { required: false });
          const g = list(x, 'grounds');
          if (g.length === 0) b.fail('grounds', 'required');
          else b.set('grounds', g);
          return b.done();
        }}
        send={(body) => endpoints.valuationAct(v.id, 'objections', body)}
        onDone={act.onDone}
      />,
    );
  }
  return <>{out}</>;
}

function ObjectionAct({ v, objection: o, partyName }: { v: ValuationView; objection: ValuationObjectionView; partyName: string }) {
  const { vt, vknown } = useVt();
  const act = useAct(v);
  const title = `${vt('objections.title')}：${partyName} · ${o.grounds.map((g) => vknown('ground.', g)).join('、')} · ${vknown('objection.', o.status)}`;
  const base = `objections/${o.id}` as const;
  if (o.status === 'awaiting_forwarding') return <Simple v={v} title={title} testId="objection-forward" label={vt('actions.forward')} path={`${base}/forward`} />;
  const choice = (field: string, yes: string, no: string, path: `objections/${string}/${'response' | 'technical-review' | 'ruling'}`, testId: string) => (
    <ActForm
      title={title}
      testId={testId}
      submitLabel={vt('actions.declare')}
      fields={[{ name: field, label: vt('actions.declare'), kind: 'select', required: true, options: [{ value: 'yes', label: yes }, { value: 'no', label: no }] }]}
      toBody={(x) => {
        const c = str(x, field);
        return c ? { ok: true, body: { [field]: c === 'yes' } } : { ok: false, errors: { [field]: 'required' } };
      }}
      send={(body) => endpoints.valuationAct(v.id, path, body)}
      onDone={act.onDone}
    />
  );
  if (o.status === 'awaiting_objector') return choice('satisfied', vt('actions.objectorSatisfied'), vt('actions.objectorNotSatisfied'), `${base}/response`, 'objection-response');
  if (o.status === 'technical_review') return choice('reportStands', vt('actions.reportStands'), vt('actions.reportFails'), `${base}/technical-review`, 'objection-technical-review');
  return choice('upheld', vt('actions.uphold'), vt('actions.reject'), `${base}/ruling`, 'objection-ruling');
}

function ReasonAct({ v, kind }: { v: ValuationView; kind: 'postpone' | 'withdraw' }) {
  const { vt, vknown } = useVt();
  const act = useAct(v);
  const reasons = kind === 'postpone' ? POSTPONE_REASONS : WITHDRAW_REASONS;
  const prefix = kind === 'postpone' ? 'postponeReason.' : 'withdrawReason.';
  return (
    <ActForm
      title={vt(kind === 'postpone' ? 'actions.postpone' : 'actions.withdraw')}
      testId={`valuation-${kind}`}
      danger
      submitLabel={vt(kind === 'postpone' ? 'actions.postpone' : 'actions.withdraw')}
      fields={[{ name: 'reason', label: vt('actions.reason'), kind: 'select', required: true, options: reasons.map((r) => ({ value: r, label: vknown(prefix, r) })) }]}
      toBody={(x) => build(x).choice('reason', reasons).done()}
      send={(body) => endpoints.valuationAct(v.id, kind, body)}
      onDone={act.onDone}
    />
  );
}
