/**
 * The court console against the real API: a clerk drafts a lot in the browser, publication is refused
 * with each statutory violation shown next to its field (deposit out of range, a missing Art. 13
 * disclosure), the clerk uploads a photo, fixes both and publishes; the lot appears in the public catalogue.
 */
import { jest } from '@jest/globals';
import type { Page } from 'playwright-core';
import { openContext, type OpenContext } from './support/browser.js';
import { loginInBrowser, startCourt, type Court } from './support/scenario.js';

jest.setTimeout(120_000);

let court: Court;
let clerkBrowser: OpenContext;

beforeAll(async () => {
  court = await startCourt();
  clerkBrowser = await openContext();
});
afterAll(async () => {
  await clerkBrowser?.close();
  await court?.t.stop();
});

/** datetime-local value in Beijing time (UTC+8). */
const beijing = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 19);

/** The antd form item that holds the control labelled `label`. */
const formItem = (page: Page, label: string) => page.locator('.ant-form-item').filter({ has: page.getByLabel(label, { exact: true }) });

const DISCLOSURES: [string, string][] = [
  ['拍卖公告', '本院将公开拍卖下列财产。'],
  ['执行依据', '(2025)京0105民初1号民事判决书'],
  ['评估报告或定价依据', '参考价由当事人议价确定。'],
  ['竞价规则', '出价在结束前 3 秒内的，延时 3 秒。'],
  ['权属、占有使用及附随义务', '产权清晰，无人居住。'],
  ['优先购买权情况', '无'],
  ['通知当事人情况', '已依法通知当事人。'],
  ['保证金缴纳方式', '在线缴纳保证金。'],
  ['法院名称及联系、监督方式', '测试法院执行局 010-1234567'],
  ['特别提示', '以实物现状为准。'],
];

it('shows each statutory refusal next to its field, then publishes once fixed', async () => {
  const { t, clerk } = court;
  const page = clerkBrowser.page;
  await loginInBrowser(page, t.url, clerk.email, 'staff-password-1');
  await page.waitForURL(`${t.url}/court`);
  await page.getByTestId('new-lot').click();

  const caseList = (await t.http.get('/api/cases').set(clerk.auth)).body as { caseNumber: string }[];
  await page.getByLabel('所属案件').click();
  await page.locator('.ant-select-item-option').filter({ hasText: caseList[0].caseNumber }).click();
  await page.getByLabel('标的物名称').fill('法院测试拍品：办公设备一批');
  await page.getByLabel('省份').fill('北京市');
  await page.getByLabel('城市').fill('北京市');
  await page.getByLabel('参考价（元）').fill('10000');
  await page.getByLabel('参考价依据').fill('当事人议价');
  await page.getByLabel('起拍价（元）').fill('7000');
  await page.getByLabel('加价幅度（元）').fill('10');
  await page.getByLabel('保证金（元）').fill('10'); // 0.14 % of the start: OJA Art. 17 wants 5 %–20 %
  const start = Date.now() + 60_000;
  await page.getByLabel('开始时间（北京时间）').fill(beijing(start));
  await page.getByLabel('结束时间（北京时间）').fill(beijing(start + 20_000));
  for (const [label, text] of DISCLOSURES) await page.getByLabel(label, { exact: true }).fill(text);
  // 交易税费及承担方式 (Art. 13(9)) left empty on purpose.
  await page.getByRole('button', { name: '添加通知记录' }).click();
  await page.getByLabel('被通知人').fill('申请执行人甲');
  await page.getByLabel('通知（或公告）时间').fill(beijing(Date.now() - 3600_000));

  await page.getByTestId('draft-publish').click();
  const summary = page.getByTestId('violations');
  await summary.waitFor();
  await summary.filter({ hasText: '保证金（元）' }).waitFor();
  await summary.filter({ hasText: '交易税费及承担方式' }).waitFor();
  // Next to the fields themselves:
  await formItem(page, '保证金（元）').filter({ hasText: '保证金须为起拍价的 5% 至 20%' }).waitFor();
  await formItem(page, '交易税费及承担方式').filter({ hasText: '缺少法定披露事项' }).waitFor();
  await page.getByTestId('draft-notice').filter({ hasText: '不能发布' }).waitFor();

  // The summary links move focus to the field.
  await summary.getByRole('link', { name: '保证金（元）' }).click();
  expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.value)).toBe('10');

  // The refused attempt saved the draft: photos can be uploaded now.
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
  await page.getByLabel('上传照片').setInputFiles({ name: 'front.png', mimeType: 'image/png', buffer: png });
  await page.getByRole('status').filter({ hasText: '已上传 front.png' }).waitFor();

  await page.getByLabel('保证金（元）').fill('700');
  await page.getByLabel('交易税费及承担方式', { exact: true }).fill('各自承担。');
  await page.getByTestId('draft-publish').click();
  await page.getByTestId('draft-notice').filter({ hasText: '已发布' }).waitFor();
  expect(await page.getByTestId('violations').count()).toBe(0);

  // One draft only: the refused first attempt saved it, the second published that same draft.
  const own = (await t.http.get('/api/court/lots').set(clerk.auth)).body as { title: string; status: string }[];
  expect(own.filter((l) => l.title === '法院测试拍品：办公设备一批').map((l) => l.status)).toEqual(['announced']);
  await page.waitForURL(/\/court\/lots\/[0-9a-f-]{36}$/);

  const found = (await t.http.get('/api/lots').query({ q: '办公设备' })).body as { items: { status: string; deposit: number; photos: { name: string }[] }[] };
  expect(found.items).toHaveLength(1);
  expect(found.items[0]).toMatchObject({ status: 'announced', deposit: 70_000, photos: [{ name: 'front.png' }] });
});
