/**
 * The court console's reference-price procedures in a real browser against the real API and PostgreSQL: a
 * clerk starts a procedure with the facts of RPR Art. 3, is refused online inquiry out of the statutory
 * order (the refusal with its article next to the act), records that the respondent refuses to negotiate,
 * sends the online inquiry, and sees the timeline and the running deadline with its statutory period and
 * article; an inquiry platform's report then appears in the timeline and the reports without a reload.
 *
 * The sandbox gives a platform 3 s to report, too short for a person at a browser: this file runs the
 * statutory profile (3 days), with the same API and web app (as post-end.web-spec.ts does).
 */
import { jest } from '@jest/globals';
import type { ValuationView } from '@fapai/contracts';
import type { Page } from 'playwright-core';
import { createAgency, createCase, createCourt, createStaff, loginAdmin, type Actor } from '../support/actors.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { openContext, requireBrowserPrerequisites, screenshots, seriousA11yViolations, WEB_DIST, type OpenContext } from './support/browser.js';
import { loginInBrowser } from './support/scenario.js';

jest.setTimeout(150_000);

let t: TestPlatform;
let browser: OpenContext;

beforeAll(async () => {
  requireBrowserPrerequisites();
  t = await startTestPlatform({ WEB_DIST, RULES_PROFILE: 'statutory' });
  browser = await openContext(undefined, { reducedMotion: 'reduce' });
});
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

async function expectAccessible(page: Page, name: string): Promise<void> {
  const violations = await seriousA11yViolations(page);
  if (violations.length > 0) console.error(`${name}:\n${JSON.stringify(violations, null, 2)}`);
  expect(violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
}

/** What the page shows for an instant: Beijing time, as the app formats it (zh, with seconds). */
function beijing(iso: string): string {
  return new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(Date.parse(iso));
}

it('a clerk starts a procedure, is refused out of order, sends the online inquiry and sees the timeline; a platform report appears in it', async () => {
  const admin = await loginAdmin(t);
  const clerk = await createStaff(t, admin, 'court_clerk', { courtId: await createCourt(t, admin) });
  const caseId = await createCase(t, clerk);
  const platforms: { id: string; name: string; appraiser: Actor }[] = [];
  for (let i = 0; i < 3; i++) {
    const id = await createAgency(t, admin, 'inquiry_platform');
    const name = ((await t.http.get('/api/agencies?kind=inquiry_platform').expect(200)).body as { id: string; name: string }[]).find((a) => a.id === id)!.name;
    platforms.push({ id, name, appraiser: await createStaff(t, admin, 'appraiser', { agencyId: id }) });
  }
  const page = browser.page;
  const description = '北京市朝阳区时间线测试路8号房产';

  // 1. Start the procedure with the facts of RPR Art. 3.
  await loginInBrowser(page, t.url, clerk.email, 'staff-password-1', '/court/valuations');
  await page.getByTestId('valuations').waitFor();
  const create = page.getByTestId('valuation-create');
  await create.getByLabel('所属案件').selectOption(caseId);
  await create.getByLabel('财产（名称与坐落）').fill(description);
  await create.getByLabel('权属').fill('被执行人乙所有，京(2020)朝阳区不动产权第0000008号');
  await create.getByLabel('权利负担（每行一项）').fill('抵押：某银行\n查封：本院');
  await create.getByLabel('占有使用情况').fill('空置');
  await create.getByLabel('欠缴税费（元）').fill('12,000');
  await expectAccessible(page, 'valuation list and form');
  await screenshots(page, 'court-valuations');
  await page.getByTestId('valuation-create-submit').click();
  await page.waitForURL(/\/court\/valuations\/[0-9a-f-]{36}$/);
  const valuationId = page.url().split('/').pop()!;
  await page.getByTestId('valuation-summary').getByRole('heading', { name: description }).waitFor();
  await expect(page.getByTestId('valuation-status').textContent()).resolves.toBe('待选择方式');
  await page.getByTestId('valuation-timeline').getByText('启动程序').waitFor();
  await expect(page.getByTestId('valuation-facts').textContent()).resolves.toContain('¥12,000.00');

  // 2. Online inquiry before negotiation is impossible or failed: refused next to the act, with the article and condition.
  const online = page.getByTestId('start-online_inquiry');
  await expect(online.textContent()).resolves.toContain('按法定顺序暂不可用');
  await page.getByTestId('start-online_inquiry-submit').click();
  const refusal = online.getByTestId('valuation-refusal');
  await refusal.waitFor();
  await expect(refusal.textContent()).resolves.toMatch(/不符合法定的方式顺序.*RPR Arts\. 4, 7.*negotiation impossible or failed/);
  await expectAccessible(page, 'valuation refusal');
  await screenshots(page, 'court-valuation-refused');
  expect(((await t.http.get(`/api/valuations/${valuationId}`).set(clerk.auth).expect(200)).body as ValuationView).steps).toEqual([]);

  // 3. The respondent refuses to negotiate (RPR Art. 4): online inquiry becomes the method allowed.
  const stance = page.getByTestId('stance');
  await stance.getByLabel('当事人').selectOption('respondent');
  await stance.getByText('拒绝议价').click();
  await page.getByTestId('stance-submit').click();
  await page.getByTestId('stance-respondent').getByText('拒绝议价').waitFor();
  await page.getByTestId('start-online_inquiry').getByText('按法定顺序现可采用').waitFor();

  // 4. Send the online inquiry: status, step, the running deadline with its statutory period and article, the timeline.
  await page.getByTestId('start-online_inquiry-submit').click();
  await page.getByTestId('valuation-status').getByText('网络询价中').waitFor();
  const api = (await t.http.get(`/api/valuations/${valuationId}`).set(clerk.auth).expect(200)).body as ValuationView;
  expect(api).toMatchObject({ status: 'online_inquiry', method: 'online_inquiry', property: { description } });
  const step = api.steps[0];
  expect(step.method).toBe('online_inquiry');
  const due = api.deadlines!.find((d) => d.kind === 'online_report')!;
  expect(Date.parse(due.dueAt) - Date.parse(step.openedAt)).toBe(3 * 86_400_000);
  const row = page.getByTestId('valuation-deadlines').locator('tr[data-kind="online_report"]');
  await row.waitFor();
  await expect(row.textContent()).resolves.toBe(`网络询价报告期限${beijing(due.dueAt)}3 天RPR Art. 11`);
  const timeline = page.getByTestId('valuation-timeline');
  await expect(timeline.locator('li[data-type="online_inquiry_opened"]').textContent()).resolves.toContain(beijing(step.openedAt));
  await expect(timeline.locator('li[data-type="party_stance_recorded"]').textContent()).resolves.toContain('被执行人');
  await expect(timeline.locator('li[data-type="deadline:online_report"]').textContent()).resolves.toContain('待届满');
  for (const p of platforms) await page.getByTestId('step-online_inquiry').getByText(p.name).waitFor();
  await expectAccessible(page, 'valuation procedure with its timeline');

  // 5. A platform reports through its own API; the console shows it without a reload.
  const until = new Date(Date.now() + 180 * 86_400_000).toISOString();
  const reported = await t.http
    .post(`/api/valuations/${valuationId}/reports`)
    .set(platforms[0].appraiser.auth)
    .send({ price: 105_000_000, method: '市场比较法', samples: [{ description: '同小区近期成交', price: 104_000_000 }], validUntil: until });
  expect(reported.status).toBe(201);
  const entry = timeline.locator('li[data-type="online_report_submitted"]');
  await entry.waitFor({ timeout: 15_000 });
  await expect(entry.textContent()).resolves.toMatch(new RegExp(`收到网络询价报告 · ${platforms[0].name} · ¥1,050,000\\.00`));
  await page.getByTestId('valuation-reports').getByText('¥1,050,000.00').waitFor();
  await expect(page.getByTestId('step-online_inquiry').textContent()).resolves.toContain('已按期报告');
  await screenshots(page, 'court-valuation-timeline');

  const after = (await t.http.get(`/api/valuations/${valuationId}`).set(clerk.auth).expect(200)).body as ValuationView;
  expect(after.reports).toEqual([expect.objectContaining({ agencyId: platforms[0].id, kind: 'online_report', price: 105_000_000 })]);
  const s = after.steps[0];
  expect(s.method === 'online_inquiry' && s.platforms.find((p) => p.platformId === platforms[0].id)?.status).toBe('delivered');
  const events = (await t.http.get(`/api/valuations/${valuationId}/events`).set(clerk.auth).expect(200)).body as { type: string }[];
  expect(events.map((e) => e.type)).toEqual(['procedure_created', 'facts_recorded', 'party_stance_recorded', 'online_inquiry_opened', 'online_report_submitted']);
});
