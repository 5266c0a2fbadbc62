/**
 * After the end of a lot and the appraiser's work, in a real browser against the real API (sandbox rules):
 * a clerk records the sale ruling of a sold and paid lot through the court console, and an appraiser of an
 * inquiry platform submits an online inquiry report through the appraiser portal.
 */
import { jest } from '@jest/globals';
import { createAgency, createCase, createCourt, createStaff, enrol, login, loginAdmin, registerBidder, uniqueEmail, validLotBody, waitFor, type Actor } from '../support/actors.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { openContext, requireBrowserPrerequisites, screenshots, seriousA11yViolations, WEB_DIST, type OpenContext } from './support/browser.js';
import type { Page } from 'playwright-core';
import { loginInBrowser, startCourt, type Court } from './support/scenario.js';

jest.setTimeout(150_000);

let court: Court;
let browser: OpenContext;
let statutory: TestPlatform | undefined;

beforeAll(async () => {
  court = await startCourt();
  browser = await openContext(undefined, { reducedMotion: 'reduce' });
});
afterAll(async () => {
  await browser?.close();
  await court?.t.stop();
  await statutory?.stop();
});

async function expectAccessible(page: Page, name: string): Promise<void> {
  const violations = await seriousA11yViolations(page);
  if (violations.length > 0) console.error(`${name}:\n${JSON.stringify(violations, null, 2)}`);
  expect(violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
}

async function logout(): Promise<void> {
  const page = browser.page;
  const button = page.getByRole('button', { name: /退\s*出/ });
  if (await button.count()) {
    await button.click();
    await page.getByRole('link', { name: '登录' }).waitFor();
  }
}

it('a clerk records the ruling of a sold and paid lot through the console', async () => {
  const { t, clerk, caseId } = court;
  const page = browser.page;
  // The sale, through the API (as test/api/settlement.e2e-spec.ts does); 60 balance days are 5 min in the sandbox.
  const created = await t.http.post('/api/lots').set(clerk.auth).send({ ...validLotBody(caseId, { startInMs: 3000, durationMs: 8000 }), title: '浏览器测试：成交裁定', balanceDueDays: 60 });
  expect(created.status).toBe(201);
  const lot = (created.body as { id: string }).id;
  expect((await t.http.post(`/api/lots/${lot}/publish`).set(clerk.auth)).status).toBe(201);
  const buyer = await registerBidder(t, { realName: '欧阳明' });
  expect((await enrol(t, buyer, lot)).status).toBe(201);
  await waitFor('live', async () => ((await t.http.get(`/api/lots/${lot}`)).body as { status: string }).status === 'live', 20_000);
  await t.http.post(`/api/lots/${lot}/bids`).set(buyer.auth).send({ amount: 700_000 }).expect(201);
  await waitFor('sold', async () => {
    const r = await t.http.get(`/api/lots/${lot}/result`);
    return r.status === 200 && (r.body as { outcome: string }).outcome === 'sold';
  }, 30_000);
  await waitFor('settlement', async () => (await t.http.get(`/api/lots/${lot}/settlement`).set(clerk.auth)).status === 200);
  await t.http.post(`/api/lots/${lot}/balance`).set(buyer.auth).send({ paymentMethod: 'pm_card_visa' }).expect(200);

  await loginInBrowser(page, t.url, clerk.email, 'staff-password-1', `/court/lots/${lot}`);
  await page.getByTestId('court-settlement').waitFor();
  await expect(page.getByTestId('settlement-status').textContent()).resolves.toBe('尾款已缴清');
  // After the end, the court sees who was behind the code.
  await page.getByTestId('lot-bidders').getByText('欧阳明').waitFor();
  await expectAccessible(page, 'court lot after the end');
  await page.getByLabel('成交裁定日期').fill('2026-12-01');
  await page.getByTestId('ruling-submit').click();
  await page.getByTestId('ruling-date').getByText('2026-12-01').waitFor();
  await expect(page.getByTestId('settlement-status').textContent()).resolves.toBe('已作出成交裁定');
  await expect(page.getByTestId('settlement-steps').locator('li').count()).resolves.toBe(4);
  await screenshots(page, 'court-lot-ruled');

  const settlement = (await t.http.get(`/api/lots/${lot}/settlement`).set(clerk.auth).expect(200)).body as { status: string; rulingDate: string };
  expect(settlement).toMatchObject({ status: 'ruled', rulingDate: '2026-12-01' });
  await logout();
});

it('an appraiser of an inquiry platform submits an online inquiry report through the portal', async () => {
  requireBrowserPrerequisites();
  // The sandbox gives a platform 3 s to report, too short for a person at a browser: this platform runs the
  // valuation deadlines of the statutory profile (3 days), with the same API and web app.
  const t = await startTestPlatform({ WEB_DIST, RULES_PROFILE: 'statutory' });
  statutory = t;
  const admin = await loginAdmin(t);
  const clerk = await createStaff(t, admin, 'court_clerk', { courtId: await createCourt(t, admin) });
  const caseId = await createCase(t, clerk);
  const page = browser.page;
  // Three active inquiry platforms; the online inquiry goes to all of them (as test/api/valuation.e2e-spec.ts does).
  const platforms: { id: string; appraiser: Actor }[] = [];
  for (let i = 0; i < 3; i++) {
    const id = await createAgency(t, admin, 'inquiry_platform');
    platforms.push({ id, appraiser: await createStaff(t, admin, 'appraiser', { agencyId: id }) });
  }
  const kase = (await t.http.get(`/api/cases/${caseId}`).set(clerk.auth).expect(200)).body as { parties: { id: string; role: string }[] };
  for (const p of kase.parties) {
    const email = uniqueEmail(p.role);
    await t.http.post(`/api/cases/${caseId}/parties/${p.id}/account`).set(clerk.auth).send({ email, password: 'party-password-1' }).expect(201);
    await login(t, email, 'party-password-1');
  }
  const property = {
    description: '北京市朝阳区浏览器测试路1号房产',
    title: '被执行人乙所有，京(2020)朝阳区不动产权第0000001号',
    encumbrances: ['抵押：某银行'],
    occupancy: '被执行人自住',
    unpaidTaxes: 0,
    defects: [],
    hasGovernmentPrice: false,
    needsOnSiteSurvey: false,
    appraisalRequiredByLaw: false,
  };
  const v = (await t.http.post('/api/valuations').set(clerk.auth).send({ caseId, property }).expect(201)).body as { id: string };
  await t.http.post(`/api/valuations/${v.id}/joint-request`).set(clerk.auth).send({ method: 'online_inquiry' }).expect(201);
  await t.http.post(`/api/valuations/${v.id}/online-inquiry`).set(clerk.auth).send({}).expect(201);

  const me = platforms[0].appraiser;
  await loginInBrowser(page, t.url, me.email, 'staff-password-1', '/appraiser');
  await page.getByTestId('work-queue').getByText(property.description).waitFor();
  await page.getByTestId('work-open').first().click();
  const panel = page.getByTestId('work-panel');
  await panel.getByText('提交网络询价报告').first().waitFor();
  await expectAccessible(page, 'appraiser work panel');
  await panel.getByLabel('询价或评估结果（元）').fill('1,050,000');
  await panel.getByLabel('计算方法').fill('市场比较法');
  await panel.getByLabel('样本 1 说明').fill('同小区近期成交');
  await panel.getByLabel('样本 1 价格（元）').fill('1,040,000');
  // Validity in Beijing time, 180 days ahead (at most one year).
  const until = new Date(Date.now() + 180 * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 16);
  await panel.getByLabel('有效期至（北京时间）').fill(until);
  await page.getByTestId('report-submit').click();
  await page.getByTestId('work-done').waitFor();
  await page.getByTestId('my-report').first().getByText('¥1,050,000.00').waitFor();
  // A file on the report (checked by content on the server).
  await page.getByTestId('my-report').first().getByLabel('上传附件（PDF、JPEG、PNG、WebP）').setInputFiles({ name: 'report.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% report\n') });
  await page.getByTestId('my-report').first().getByRole('link', { name: 'report.pdf' }).waitFor();
  await screenshots(page, 'appraiser-report-submitted');

  const view = (await t.http.get(`/api/valuations/${v.id}`).set(clerk.auth).expect(200)).body as { reports: { agencyId: string; kind: string; price: number; method: string; files: { name: string }[] }[] };
  expect(view.reports).toEqual(expect.arrayContaining([expect.objectContaining({ agencyId: platforms[0].id, price: 105_000_000, method: '市场比较法', files: [expect.objectContaining({ name: 'report.pdf' })] })]));
});
