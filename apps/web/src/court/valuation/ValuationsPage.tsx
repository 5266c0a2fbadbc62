/**
 * The court's reference-price procedures (确定财产处置参考价程序, RPR 2018), optionally of one case, and the form
 * that starts one with the facts the court established (RPR Art. 3). A lazy chunk of the court console.
 */
import { useQuery } from '@tanstack/react-query';
import { Alert, Spin } from 'antd';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import type { ValuationView } from '@fapai/contracts';
import { endpoints } from '../../api/endpoints';
import { yuanOrDash } from '../../format/money';
import { formatDateTime } from '../../format/time';
import { useI18n } from '../../i18n/i18n';
import { errorText } from '../../i18n/refusal';
import { ActForm, useInvalidateValuation } from './ActForm';
import { toCreateValuationBody } from './forms';
import { useVt } from './text';

export default function ValuationsPage() {
  const { t, lang } = useI18n();
  const { vt, vknown } = useVt();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const caseId = params.get('caseId') ?? '';
  const cases = useQuery({ queryKey: ['cases'], queryFn: endpoints.cases });
  const list = useQuery({ queryKey: ['valuations', caseId], queryFn: () => endpoints.valuations(caseId || undefined), refetchInterval: 10_000 });
  const invalidate = useInvalidateValuation('');
  const caseNumber = (id: string) => cases.data?.find((c) => c.id === id)?.caseNumber ?? id.slice(0, 8);

  return (
    <>
      <section className="panel" aria-labelledby="valuations-title" data-testid="valuations">
        <h2 id="valuations-title">{vt('list.title')}</h2>
        <label htmlFor="valuation-case-filter">{vt('list.filterCase')}</label>{' '}
        <select id="valuation-case-filter" className="native-select" style={{ maxWidth: 360 }} value={caseId} onChange={(e) => setParams(e.target.value ? { caseId: e.target.value } : {})}>
          <option value="">{vt('list.allCases')}</option>
          {cases.data?.map((c) => (
            <option key={c.id} value={c.id}>
              {c.caseNumber} {c.title}
            </option>
          ))}
        </select>
        {list.isLoading && <Spin />}
        {list.error && <Alert type="error" title={errorText(t, list.error)} />}
        {list.data?.length === 0 && <p className="muted">{vt('list.empty')}</p>}
        {list.data && list.data.length > 0 && (
          <div style={{ overflowX: 'auto' }}>
            <table className="bid-record" data-testid="valuation-list">
              <thead>
                <tr>
                  <th scope="col">{vt('list.property')}</th>
                  <th scope="col">{vt('list.case')}</th>
                  <th scope="col">{vt('list.status')}</th>
                  <th scope="col">{vt('list.method')}</th>
                  <th scope="col">{vt('list.referencePrice')}</th>
                  <th scope="col">{vt('list.nextDeadline')}</th>
                </tr>
              </thead>
              <tbody>
                {list.data.map((v) => (
                  <tr key={v.id}>
                    <td>
                      <Link to={`/court/valuations/${v.id}`}>{v.property.description}</Link>
                    </td>
                    <td>{caseNumber(v.caseId)}</td>
                    <td>{vknown('status.', v.status)}</td>
                    <td>{vknown('method.', v.method)}</td>
                    <td className="mono">{yuanOrDash(v.referencePrice)}</td>
                    <td>{formatDateTime(v.nextDeadlineAt, lang)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="panel" aria-labelledby="valuation-create-title">
        <h2 id="valuation-create-title">{vt('create.title')}</h2>
        <ActForm
          title={vt('create.title')}
          testId="valuation-create"
          submitLabel={vt('create.submit')}
          fields={[
            { name: 'caseId', label: vt('create.case'), kind: 'select', required: true, options: (cases.data ?? []).map((c) => ({ value: c.id, label: `${c.caseNumber} ${c.title}` })) },
            { name: 'description', label: vt('create.description'), kind: 'text', required: true },
            { name: 'title', label: vt('create.ownership'), kind: 'text', required: true },
            { name: 'encumbrances', label: vt('create.encumbrances'), kind: 'textarea' },
            { name: 'occupancy', label: vt('create.occupancy'), kind: 'text' },
            { name: 'unpaidTaxes', label: vt('create.unpaidTaxes'), kind: 'yuan' },
            { name: 'defects', label: vt('create.defects'), kind: 'textarea' },
            { name: 'hasGovernmentPrice', label: vt('create.hasGovernmentPrice'), kind: 'checkbox' },
            { name: 'needsOnSiteSurvey', label: vt('create.needsOnSiteSurvey'), kind: 'checkbox' },
            { name: 'appraisalRequiredByLaw', label: vt('create.appraisalRequiredByLaw'), kind: 'checkbox' },
            { name: 'seizedAt', label: vt('create.seizedAt'), kind: 'datetime' },
          ]}
          toBody={toCreateValuationBody}
          send={(body) => endpoints.createValuation(body)}
          onDone={(out) => {
            invalidate();
            void navigate(`/court/valuations/${(out as ValuationView).id}`);
          }}
        />
      </section>
    </>
  );
}
