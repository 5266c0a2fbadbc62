/**
 * WCAG 2.2 AA checks with axe-core injected into the real pages (catalogue, lot page, bid panel, bidder
 * area, court console with its valuation procedures, appraiser portal), and screenshots of the main pages at phone (390×844) and desktop (1366×900)
 * widths in test/artifacts/screenshots/ (git-ignored).
 */
import { jest } from '@jest/globals';
import type { Page } from 'playwright-core';
import { createAgency, createStaff, registerBidder } from '../support/actors.js';
import { openContext, screenshots, seriousA11yViolations, type OpenContext } from './support/browser.js';
import { loginInBrowser, publishedLot, startCourt, type Court } from './support/scenario.js';

jest.setTimeout(180_000);

let court: Court;
let browser: OpenContext;
let liveLot: string;

beforeAll(async () => {
  court = await startCourt();
  // Reduced motion: the app then switches antd's animations off, so axe never measures a half-faded dialog.
  browser = await openContext(undefined, { reducedMotion: 'reduce' });
  const { t } = court;
  // A lot that stays live through the test, with bids on record.
  liveLot = await publishedLot(court, { startInMs: 5000, durationMs: 170_000, title: '朝阳区某小区住宅一套' });
  await publishedLot(court, { startInMs: 60_000, durationMs: 60_000, title: '奔驰E300L轿车一辆' });
  const other = await registerBidder(t);
  await t.http.post(`/api/lots/${liveLot}/enrolments`).set(other.auth).send({ paymentMethod: 'pm_card_visa' }).expect(201);
  while (((await t.http.get(`/api/lots/${liveLot}`)).body as { status: string }).status !== 'live') await new Promise((r) => setTimeout(r, 250));
  await t.http.post(`/api/lots/${liveLot}/bids`).set(other.auth).set('Idempotency-Key', 'a11y-bid-1').send({ amount: 700_000 }).expect(201);
});
afterAll(async () => {
  await browser?.close();
  await court?.t.stop();
});

async function expectAccessible(page: Page, name: string): Promise<void> {
  const violations = await seriousA11yViolations(page);
  if (violations.length > 0) console.error(`${name}:\n${JSON.stringify(violations, null, 2)}`);
  expect(violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
}

it('catalogue, lot page, bid panel, bidder area, court console (with valuation procedures) and appraiser portal have no serious or critical axe violation', async () => {
  const { t, clerk } = court;
  const page = browser.page;

  await page.goto(`${t.url}/`);
  await page.getByTestId('lot-card').first().waitFor();
  await expectAccessible(page, 'catalogue');
  await screenshots(page, 'catalogue');

  await page.goto(`${t.url}/lots/${liveLot}`);
  await page.getByTestId('bid-record').waitFor();
  await expectAccessible(page, 'lot page');
  await screenshots(page, 'lot');

  // The bid panel of an enrolled bidder.
  const bidder = await registerBidder(t);
  await t.http.post(`/api/lots/${liveLot}/enrolments`).set(bidder.auth).send({ paymentMethod: 'pm_card_visa' }).expect(201);
  await loginInBrowser(page, t.url, bidder.email, 'bidder-password-1', `/lots/${liveLot}`);
  await page.getByTestId('bid-panel').waitFor();
  await expectAccessible(page, 'bid panel');
  await screenshots(page, 'lot-bid-panel');

  // A jump bid asks for confirmation in a dialog: that state must be accessible too.
  await page.getByTestId('bid-amount-input').fill('9000');
  await page.getByTestId('bid-submit').click();
  await page.getByRole('dialog').waitFor();
  await page.waitForTimeout(400);
  await expectAccessible(page, 'jump confirmation');
  await page.getByRole('button', { name: /取\s*消/ }).click();

  await page.goto(`${t.url}/account`);
  await page.getByTestId('my-lots').waitFor();
  await expectAccessible(page, 'bidder area');
  await screenshots(page, 'account');

  await page.getByRole('button', { name: /退\s*出/ }).click();
  await page.getByRole('link', { name: '登录' }).waitFor();
  await loginInBrowser(page, t.url, clerk.email, 'staff-password-1');
  await page.getByTestId('court-lots').waitFor();
  await expectAccessible(page, 'court console');
  await screenshots(page, 'court-lots');

  await page.getByTestId('new-lot').click();
  await page.getByLabel('标的物名称').fill('无参考价的拍品');
  await page.getByLabel('所属案件').click();
  await page.locator('.ant-select-item-option').first().click();
  await page.getByTestId('draft-publish').click();
  await page.getByTestId('violations').waitFor();
  await expectAccessible(page, 'lot draft with refusals');
  await screenshots(page, 'court-lot-draft-refused');

  await page.goto(`${t.url}/court/monitor`);
  await page.getByTestId('monitor').waitFor();
  await expectAccessible(page, 'live monitor');
  await screenshots(page, 'court-monitor');

  // The valuation procedures: the list with the start form, and a procedure in the appraisal lottery
  // (steps, the published commitment, the draw form, the running deadlines and the timeline).
  const agencyId = await createAgency(t, court.admin, 'appraisal_agency');
  const property = { description: '朝阳区某小区住宅一套（评估）', title: '被执行人乙所有', encumbrances: ['抵押：某银行'], occupancy: '空置', unpaidTaxes: 0, defects: [], hasGovernmentPrice: false, needsOnSiteSurvey: true, appraisalRequiredByLaw: true };
  const valuation = (await t.http.post('/api/valuations').set(clerk.auth).send({ caseId: court.caseId, property }).expect(201)).body as { id: string };
  await t.http.post(`/api/valuations/${valuation.id}/appraisal`).set(clerk.auth).send({ bothPartiesAskLottery: true }).expect(201);
  await t.http.post(`/api/valuations/${valuation.id}/appraisal/lottery/commit`).set(clerk.auth).send({}).expect(201);
  await page.goto(`${t.url}/court/valuations`);
  await page.getByTestId('valuation-list').getByText(property.description).waitFor();
  await expectAccessible(page, 'valuation procedures');
  await screenshots(page, 'court-valuations-list');
  await page.getByTestId('valuation-list').getByRole('link', { name: property.description }).click();
  await page.getByTestId('lottery-draw').waitFor();
  await page.getByTestId('valuation-timeline').locator('li[data-type="lottery_committed"]').waitFor();
  await expectAccessible(page, 'valuation procedure (appraisal lottery)');
  await screenshots(page, 'court-valuation-lottery');

  // The appraiser portal (its queue).
  const appraiser = await createStaff(t, court.admin, 'appraiser', { agencyId });
  await page.getByRole('button', { name: /退\s*出/ }).click();
  await page.getByRole('link', { name: '登录' }).waitFor();
  await loginInBrowser(page, t.url, appraiser.email, 'staff-password-1');
  await page.getByRole('heading', { name: '待办评估任务' }).waitFor();
  await expectAccessible(page, 'appraiser portal');
  await screenshots(page, 'appraiser');
});
