import { SANDBOX, STATUTORY } from '@fapai/domain';
import type { ValuationEventView } from '@fapai/contracts';
import { ApiError } from '../../api/client';
import { refusalField, valuationRefusalText } from './ActForm';
import { durationMs, toAgreementBody, toCreateValuationBody, toExtensionBody } from './forms';
import { vtranslate, vzh, ven } from './text';
import { buildTimeline, statutoryPeriod } from './timeline';

const DAY = 86_400_000;

describe('valuation timeline', () => {
  it('gives the statutory period of each deadline kind from the rules profile in force (RPR Arts. 4, 11, 19, 22)', () => {
    expect(statutoryPeriod('online_report', STATUTORY)).toEqual({ ms: 3 * DAY, courtSet: false });
    expect(statutoryPeriod('appraisal_report', STATUTORY)).toEqual({ ms: 30 * DAY, courtSet: false });
    expect(statutoryPeriod('objection_window', STATUTORY)).toEqual({ ms: 5 * DAY, courtSet: false });
    expect(statutoryPeriod('negotiation', STATUTORY)).toEqual({ ms: STATUTORY.valuation.defaultNegotiationMs, courtSet: true });
    expect(statutoryPeriod('reissue', STATUTORY, 'appraisal')).toEqual({ ms: 15 * DAY, courtSet: false });
    expect(statutoryPeriod('online_report', SANDBOX)).toEqual({ ms: 3000, courtSet: false });
    expect(statutoryPeriod('nonsense', STATUTORY)).toBeNull();
  });

  it('merges the events and the running deadlines, oldest first, and folds the facts into the creation', () => {
    const ev = (seq: number, type: string, at: string, payload: Record<string, unknown> = {}): ValuationEventView => ({ seq, type, at, actorId: null, payload: { type, ...payload } });
    const events = [
      ev(0, 'procedure_created', '2026-11-27T02:00:00.000Z'),
      ev(1, 'facts_recorded', '2026-11-27T02:00:00.000Z'),
      ev(3, 'online_report_submitted', '2026-11-27T02:10:00.000Z', { platformId: 'p1', priceFen: 105_000_000 }),
      ev(2, 'online_inquiry_opened', '2026-11-27T02:05:00.000Z', { platformIds: ['p1', 'p2'] }),
    ];
    const deadlines = [{ kind: 'online_report', dueAt: '2026-11-30T02:05:00.000Z', stepId: 'step-1', ref: 'step-1', article: 'RPR Art. 11' }];
    const entries = buildTimeline({ deadlines }, events);
    expect(entries.map((e) => (e.kind === 'event' ? e.type : `due:${e.deadline.kind}`))).toEqual(['procedure_created', 'online_inquiry_opened', 'online_report_submitted', 'due:online_report']);
    const report = entries[2];
    expect(report.kind === 'event' && report.detail).toEqual({ priceFen: 105_000_000, orgIds: ['p1'] });
  });
});

describe('valuation forms', () => {
  it('maps the facts of RPR Art. 3: yuan to fen, one encumbrance per line, Beijing time to UTC', () => {
    const m = toCreateValuationBody({
      caseId: 'c1',
      description: '北京市朝阳区某路1号房产',
      title: '被执行人所有',
      encumbrances: '抵押：某银行\n\n查封：某法院 ',
      unpaidTaxes: '1,234.5',
      defects: '',
      needsOnSiteSurvey: true,
      seizedAt: '2026-11-01T08:00',
    });
    expect(m).toEqual({
      ok: true,
      body: {
        caseId: 'c1',
        property: {
          description: '北京市朝阳区某路1号房产',
          title: '被执行人所有',
          encumbrances: ['抵押：某银行', '查封：某法院'],
          occupancy: '',
          unpaidTaxes: 123_450,
          defects: [],
          hasGovernmentPrice: false,
          needsOnSiteSurvey: true,
          appraisalRequiredByLaw: false,
        },
        seizedAt: '2026-11-01T00:00:00.000Z',
      },
    });
    expect(toCreateValuationBody({ description: 'x', unpaidTaxes: 'abc' })).toEqual({ ok: false, errors: { caseId: 'required', description: 'invalid', title: 'required', unpaidTaxes: 'invalid' } });
  });

  it('turns an extension into ms and refuses blanks and repeats among the agreed agencies', () => {
    expect(durationMs('15', 'day')).toBe(15 * DAY);
    expect(durationMs('5', 'second')).toBe(5000);
    expect(durationMs('0', 'day')).toBeNull();
    expect(durationMs('1.5', 'day')).toBeNull();
    expect(toExtensionBody({ extendBy: '2', unit: 'hour' }, 'a1')).toEqual({ ok: true, body: { agencyId: 'a1', extendByMs: 7_200_000 } });
    expect(toExtensionBody({ extendBy: '', unit: 'hour' }, 'a1')).toEqual({ ok: false, errors: { extendBy: 'required' } });
    expect(toAgreementBody({ agency1: 'a', agency2: 'b', agency3: 'c' }, 3)).toEqual({ ok: true, body: { agencyIds: ['a', 'b', 'c'] } });
    expect(toAgreementBody({ agency1: 'a', agency2: 'a' }, 3)).toEqual({ ok: false, errors: { agency2: 'invalid', agency3: 'required' } });
  });

  it('places a refusal at the field the API names and says it in plain words with the article and condition', () => {
    const refusal = new ApiError({ statusCode: 409, code: 'METHOD_OUT_OF_ORDER', message: 'x', details: { article: 'RPR Arts. 4, 7', condition: 'negotiation_impossible_or_failed' } });
    const t = (k: string) => (k === 'common.comma' ? '，' : k);
    const vt = (k: keyof typeof vzh, vars?: Record<string, string | number>) => vtranslate('zh', k, vars);
    expect(valuationRefusalText(vt, t as never, refusal)).toBe('不符合法定的方式顺序，依据：RPR Arts. 4, 7，未满足的条件：negotiation impossible or failed');
    expect(refusalField(refusal, ['deadline'])).toBeNull();
    const party = new ApiError({ statusCode: 422, code: 'PARTY_ROLE_REQUIRED', message: 'x', details: { field: 'party' } });
    expect(refusalField(party, ['party', 'price'])).toBe('party');
    const validity = new ApiError({ statusCode: 409, code: 'VALIDITY_TOO_LONG', message: 'x', details: { article: 'RPR Art. 27 ¶1' } });
    expect(refusalField(validity, ['price', 'validUntil'])).toBe('validUntil');
  });

  it('has every valuation word in English too', () => {
    expect(Object.keys(ven).sort()).toEqual(Object.keys(vzh).sort());
    for (const [k, v] of Object.entries(ven)) expect([k, v.trim().length > 0]).toEqual([k, true]);
  });
});
