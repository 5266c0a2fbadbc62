/**
 * The court console's forms keep a refusal as data and word it at render: switching the language re-words a
 * refusal already on screen (the alert, and the refusals placed next to fields).
 */
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { ApiError } from '../api/client';
import { mockRoutes, renderWithApp } from '../test/render';
import CasesPage from './CasesPage';
import { LotActions } from './LotActions';
import LotDraftPage from './LotDraftPage';
import { AfterEndPanel } from './AfterEndPanel';
import type { CourtLotView } from '../api/endpoints';
import { ActForm } from './valuation/ActForm';

const LOT_ID = 'lot-1';

/** Fills the new case form (in Chinese) with a valid case and submits it. */
function submitNewCase(): void {
  fireEvent.change(screen.getByLabelText('案号'), { target: { value: '(2026)京0105执1234号' } });
  fireEvent.change(screen.getByLabelText('案件名称'), { target: { value: '张三与李四借款纠纷' } });
  const [applicant, respondent] = screen.getAllByLabelText('名称');
  fireEvent.change(applicant, { target: { value: '张三' } });
  fireEvent.change(respondent, { target: { value: '李四' } });
  fireEvent.click(screen.getByTestId('case-submit'));
}

describe('court forms re-word a refusal shown when the language changes', () => {
  it('the new case form', async () => {
    mockRoutes({
      'GET /api/cases': { status: 200, body: [] },
      'POST /api/cases': { status: 409, body: { statusCode: 409, code: 'CASE_NUMBER_TAKEN', message: 'case number taken' } },
    });
    const view = renderWithApp(<CasesPage />);
    submitNewCase();
    expect(await screen.findByTestId('case-error')).toHaveTextContent('本院已有该案号。');
    view.setLang('en');
    expect(screen.getByTestId('case-error')).toHaveTextContent('This case number already exists in the court.');
    expect(screen.getByTestId('case-error')).not.toHaveTextContent('本院');
  });

  it('the new case form: the API’s broken rules at their fields, in Chinese, re-worded on a switch', async () => {
    mockRoutes({
      'GET /api/cases': { status: 200, body: [] },
      'POST /api/cases': {
        status: 400,
        body: {
          statusCode: 400,
          code: 'VALIDATION_FAILED',
          message: 'validation failed',
          details: { fields: [{ field: 'caseNumber', rules: { maxLength: 'caseNumber must be shorter than or equal to 64 characters' }, limits: { maxLength: 64 } }] },
        },
      },
    });
    const view = renderWithApp(<CasesPage />);
    submitNewCase();
    expect(await screen.findByText('最多 64 个字符。')).toBeInTheDocument();
    expect(screen.queryByText(/shorter than or equal/)).toBeNull();
    view.setLang('en');
    expect(await screen.findByText('At most 64 characters.')).toBeInTheDocument();
    expect(screen.queryByText('最多 64 个字符。')).toBeNull();
  });

  it('suspending a lot', async () => {
    const calls = mockRoutes({ [`POST /api/lots/${LOT_ID}/suspend`]: { status: 409, body: { statusCode: 409, code: 'LOT_TRANSITION_REFUSED', message: 'refused' } } });
    const view = renderWithApp(<LotActions lot={{ id: LOT_ID, status: 'live', title: '测试拍品' }} />);
    fireEvent.click(screen.getByRole('button', { name: /中止/ }));
    fireEvent.change(await screen.findByLabelText('原因（将公开）'), { target: { value: '案外人提出异议' } });
    fireEvent.click(screen.getByRole('button', { name: /^确\s*定$/ }));
    expect(await screen.findByTestId('lot-action-error')).toHaveTextContent('拍品当前状态下不能进行该操作。');
    expect(JSON.parse(String(calls[0].init?.body))).toEqual({ reason: '案外人提出异议' });
    view.setLang('en');
    expect(screen.getByTestId('lot-action-error')).toHaveTextContent('The lot cannot make this change in its current state.');
  });

  it('a priority rank: its own check and the refusal of the API, with the article', async () => {
    mockRoutes({
      [`GET /api/lots/${LOT_ID}/priority-claims`]: { status: 200, body: [{ enrolmentId: 'e1', priorityClaim: '承租人王五', priorityRank: null, status: 'pending' }] },
      [`POST /api/lots/${LOT_ID}/priority-purchasers`]: { status: 422, body: { statusCode: 422, code: 'PRIORITY_RANK_INVALID', message: 'rank', details: { article: 'OJA Art. 19' } } },
    });
    const view = renderWithApp(<AfterEndPanel lot={{ id: LOT_ID, status: 'announced' } as CourtLotView} />);
    const rank = await screen.findByLabelText('顺位');
    fireEvent.change(rank, { target: { value: '0' } });
    fireEvent.click(screen.getByRole('button', { name: '确认优先购买权' }));
    expect(await screen.findByTestId('after-end-error')).toHaveTextContent('格式不正确');
    view.setLang('en');
    expect(screen.getByTestId('after-end-error')).toHaveTextContent('Not valid');

    fireEvent.change(rank, { target: { value: '1' } });
    fireEvent.click(screen.getByRole('button', { name: 'Confirm priority' }));
    await waitFor(() => expect(screen.getByTestId('after-end-error')).toHaveTextContent('The priority rank is not valid; contact the court., Rule: OJA Art. 19'));
    view.setLang('zh');
    expect(screen.getByTestId('after-end-error')).toHaveTextContent('优先购买权顺位无效，请联系法院。，依据：OJA Art. 19');
  });

  it('a refused publication: the notice and the violation at its field', async () => {
    mockRoutes({
      'GET /api/cases': { status: 200, body: [{ id: 'case-1', caseNumber: '(2026)京0105执1234号', title: '借款纠纷', parties: [], applicantClaim: null }] },
      'POST /api/lots': { status: 201, body: { id: LOT_ID, status: 'draft' } },
      [`POST /api/lots/${LOT_ID}/publish`]: {
        status: 409,
        body: {
          statusCode: 409,
          code: 'PUBLICATION_REFUSED',
          message: 'refused',
          details: { violations: [{ code: 'START_PRICE_BELOW_FLOOR', field: 'startingPrice', article: 'OJA Art. 12', message: 'starting price below floor', details: { minimum: 700_000 } }] },
        },
      },
    });
    const view = renderWithApp(<LotDraftPage />);
    // The case is an antd Select: open it and pick the case.
    fireEvent.mouseDown(screen.getByLabelText('所属案件'));
    fireEvent.click(await screen.findByText('(2026)京0105执1234号 借款纠纷'));
    fireEvent.change(screen.getByLabelText('标的物名称'), { target: { value: '宝马轿车一辆' } });
    fireEvent.click(screen.getByTestId('draft-publish'));
    expect(await screen.findByTestId('draft-notice')).toHaveTextContent('不能发布：以下 1 项不符合法定要求');
    const fieldOf = (label: string) => screen.getByLabelText(label).closest('.ant-form-item') as HTMLElement;
    await waitFor(() => expect(fieldOf('起拍价（元）')).toHaveTextContent('起拍价不得低于参考价的 70%（最低 ¥7,000.00） — OJA Art. 12'));

    view.setLang('en');
    expect(screen.getByTestId('draft-notice')).toHaveTextContent('Cannot publish: 1 statutory requirements are not met');
    await waitFor(() => expect(fieldOf('Starting price (¥)')).toHaveTextContent('The starting price may not be below 70 % of the reference price'));
    expect(fieldOf('Starting price (¥)')).not.toHaveTextContent('起拍价');
    // The whole draft form renders slowly in jsdom.
  }, 30_000);
});

describe('a valuation act re-words its refusal when the language changes', () => {
  const refused = (code: string) => () => Promise.reject(new ApiError({ statusCode: 422, code, message: 'refused', details: { article: 'RPR Art. 4' } }));
  const form = (send: () => Promise<unknown>) => (
    <ActForm title="定向询价结果" testId="act" fields={[{ name: 'price', label: '价格', kind: 'yuan' }]} submitLabel="提交" toBody={(v) => ({ ok: true, body: v })} send={send} />
  );

  it('at the field it concerns', async () => {
    const view = renderWithApp(form(refused('PRICE_INVALID')));
    fireEvent.click(screen.getByTestId('act-submit'));
    const item = () => screen.getByLabelText('价格').closest('.ant-form-item') as HTMLElement;
    await waitFor(() => expect(item()).toHaveTextContent('价格不正确，依据：RPR Art. 4'));
    view.setLang('en');
    await waitFor(() => expect(item()).toHaveTextContent('The price is not valid, Rule: RPR Art. 4'));
  });

  it('for the whole act', async () => {
    const view = renderWithApp(form(refused('METHOD_OUT_OF_ORDER')));
    fireEvent.click(screen.getByTestId('act-submit'));
    expect(await screen.findByTestId('valuation-refusal')).toHaveTextContent('不符合法定的方式顺序，依据：RPR Art. 4');
    view.setLang('en');
    expect(screen.getByTestId('valuation-refusal')).toHaveTextContent('Not allowed by the statutory order of methods, Rule: RPR Art. 4');
  });
});
