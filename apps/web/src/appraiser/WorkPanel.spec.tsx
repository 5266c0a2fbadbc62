import type { AppraiserWorkItem } from '@fapai/contracts';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { mockFetch, renderWithApp } from '../test/render';
import { WorkPanel } from './WorkPanel';

const item: AppraiserWorkItem = {
  valuationId: '11111111-1111-4111-8111-111111111111',
  caseId: 'c1',
  property: { description: '北京市朝阳区测试路1号房产' },
  facts: null,
  status: 'online_inquiry',
  method: 'online_inquiry',
  work: [{ kind: 'online_report', stepId: 's1', dueAt: '2026-12-01T04:00:00.000Z' }],
};

describe('the work panel', () => {
  it('posts the report in fen and shows a refusal next to the field it concerns', async () => {
    const calls = mockFetch(
      { status: 200, body: { id: item.valuationId, reports: [], steps: [] } },
      { status: 422, body: { statusCode: 422, code: 'VALIDITY_TOO_LONG', message: 'too long', details: { article: 'RPR Art. 27 ¶1', condition: 'at_most_one_year' } } },
    );
    const view = renderWithApp(<WorkPanel item={item} />);
    expect(screen.getByText(/提交网络询价报告/)).toBeTruthy();
    fireEvent.change(screen.getByLabelText('询价或评估结果（元）'), { target: { value: '1,000,000' } });
    fireEvent.change(screen.getByLabelText('计算方法'), { target: { value: '市场比较法' } });
    fireEvent.change(screen.getByLabelText('样本 1 说明'), { target: { value: '同小区近期成交' } });
    fireEvent.change(screen.getByLabelText('样本 1 价格（元）'), { target: { value: '990000' } });
    fireEvent.change(screen.getByLabelText('有效期至（北京时间）'), { target: { value: '2028-01-01T08:00' } });
    fireEvent.click(screen.getByTestId('report-submit'));
    await waitFor(() => expect(calls).toHaveLength(2));
    expect(calls[1].url).toBe(`/api/valuations/${item.valuationId}/reports`);
    expect(JSON.parse(String(calls[1].init?.body))).toEqual({
      price: 100_000_000,
      method: '市场比较法',
      samples: [{ description: '同小区近期成交', price: 99_000_000 }],
      validUntil: '2028-01-01T00:00:00.000Z',
    });
    const alert = await screen.findByText(/有效期不得超过一年/);
    expect(alert.textContent).toContain('RPR Art. 27 ¶1');
    expect(alert.textContent).toContain('at most one year');
    // Shown at the validity field, not only in a summary.
    expect(alert.closest('.ant-form-item')?.textContent).toContain('有效期至');
    // Kept as data: a language switch re-words the refusal in place.
    view.setLang('en');
    const english = screen.getByText(/Validity may not exceed one year/);
    expect(english.textContent).toContain('Rule: RPR Art. 27 ¶1');
    expect(english.closest('.ant-form-item')?.textContent).not.toContain('有效期不得超过一年');
  });

  it('checks the form before sending anything', async () => {
    const calls = mockFetch({ status: 200, body: { id: item.valuationId, reports: [], steps: [] } });
    renderWithApp(<WorkPanel item={item} />);
    fireEvent.click(screen.getByTestId('report-submit'));
    expect((await screen.findAllByText('此项必填')).length).toBeGreaterThanOrEqual(3);
    expect(calls.filter((c) => c.init?.method === 'POST')).toHaveLength(0);
  });
});
