/**
 * What happens at and after the end of a lot, in a real browser against the real API and PostgreSQL
 * (sandbox rules): a late bid extends the lot and an open lot page shows the extension and the new end
 * time without a reload; the court console declares a default and relists the lot as a new draft; the
 * console sets a paid sale aside (OJA Art. 31) and the buyer sees the deposit returned. Every test checks
 * the page and the API's state.
 */
import { jest } from '@jest/globals';
import type { EnrolmentView, LotView, PlaceBidResponse, SettlementView } from '@fapai/contracts';
import type { Page } from 'playwright-core';
import { enrol, expectLedgerBalanced, registerBidder, validLotBody, waitFor, type Actor } from '../support/actors.js';
import { openContext, screenshots, seriousA11yViolations, type OpenContext } from './support/browser.js';
import { loginInBrowser, publishedLot, serverNow, sleep, startCourt, type Court } from './support/scenario.js';

jest.setTimeout(150_000);

let court: Court;
let clerkBrowser: OpenContext;
let otherBrowser: OpenContext;

beforeAll(async () => {
  court = await startCourt();
  clerkBrowser = await openContext(undefined, { reducedMotion: 'reduce' });
  otherBrowser = await openContext(undefined, { reducedMotion: 'reduce' });
  await loginInBrowser(clerkBrowser.page, court.t.url, court.clerk.email, 'staff-password-1');
});
afterAll(async () => {
  await clerkBrowser?.close();
  await otherBrowser?.close();
  await court?.t.stop();
});

/** An instant as the app shows it: Beijing time, zh, with seconds. */
const beijing = (iso: string) =>
  new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(Date.parse(iso));

async function text(page: Page, testId: string): Promise<string> {
  return ((await page.getByTestId(testId).textContent()) ?? '').trim();
}

async function expectAccessible(page: Page, name: string): Promise<void> {
  const violations = await seriousA11yViolations(page);
  if (violations.length > 0) console.error(`${name}:\n${JSON.stringify(violations, null, 2)}`);
  expect(violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
}

const lotView = async (id: string) => (await court.t.http.get(`/api/lots/${id}`).expect(200)).body as LotView;
const settlement = async (id: string) => (await court.t.http.get(`/api/lots/${id}/settlement`).set(court.clerk.auth).expect(200)).body as SettlementView & { defaultReason?: string };

/** A lot sold to `buyer` at the starting price (¥7,000.00, deposit ¥700.00), its settlement open. */
async function soldLot(title: string, buyer: Actor, balanceDueDays = 60): Promise<string> {
  const { t, clerk, caseId } = court;
  const created = await t.http.post('/api/lots').set(clerk.auth).send({ ...validLotBody(caseId, { startInMs: 3000, durationMs: 8000 }), title, balanceDueDays });
  expect(created.status).toBe(201);
  const lot = (created.body as { id: string }).id;
  expect((await t.http.post(`/api/lots/${lot}/publish`).set(clerk.auth)).status).toBe(201);
  expect((await enrol(t, buyer, lot)).status).toBe(201);
  await waitFor('live', async () => (await lotView(lot)).status === 'live', 20_000);
  await t.http.post(`/api/lots/${lot}/bids`).set(buyer.auth).send({ amount: 700_000 }).expect(201);
  await waitFor('sold', async () => {
    const r = await t.http.get(`/api/lots/${lot}/result`);
    return r.status === 200 && (r.body as { outcome: string }).outcome === 'sold';
  }, 30_000);
  await waitFor('settlement', async () => (await t.http.get(`/api/lots/${lot}/settlement`).set(clerk.auth)).status === 200);
  return lot;
}

it('a late bid extends the lot: an open lot page shows the extension and the new end time without a reload', async () => {
  const { t } = court;
  const lot = await publishedLot(court, { startInMs: 3000, durationMs: 10_000, title: '浏览器测试：延时' });
  const bidder = await registerBidder(t);
  expect((await enrol(t, bidder, lot)).status).toBe(201);
  const rules = (await t.http.get('/api/rules').expect(200)).body as { auction: { extensionWindowMs: number; extensionMs: number } };

  // A visitor (no account) watches the lot page.
  const page = otherBrowser.page;
  await page.goto(`${t.url}/lots/${lot}`);
  await page.getByTestId('ends-at').waitFor();
  await page.evaluate(() => ((window as unknown as { __noReload?: boolean }).__noReload = true));
  const before = await lotView(lot);
  await page.getByTestId('ends-at').filter({ hasText: beijing(before.endsAt!) }).waitFor();
  await expect(text(page, 'extension-count')).resolves.toBe('0');

  // The bid lands inside the extension window (the last 3 s of the sandbox).
  await waitFor('live', async () => (await lotView(lot)).status === 'live', 20_000);
  await sleep(Date.parse(before.endsAt!) - (await serverNow(t)) - rules.auction.extensionWindowMs / 2);
  const res = await t.http.post(`/api/lots/${lot}/bids`).set(bidder.auth).set('Idempotency-Key', 'late-bid-1').send({ amount: 700_000 });
  expect(res.status).toBe(201);
  const placed = res.body as PlaceBidResponse;
  expect(placed.lot.extensionCount).toBe(1);
  expect(Date.parse(placed.lot.endsAt)).toBe(Date.parse(placed.bid.placedAt) + rules.auction.extensionMs);
  expect(Date.parse(placed.lot.endsAt)).toBeGreaterThan(Date.parse(before.endsAt!));

  // The page: the extension notice with the new end, the end time itself, the count and the price — no reload.
  const newEnd = beijing(placed.lot.endsAt);
  await page.getByTestId('extended').filter({ hasText: newEnd }).waitFor({ timeout: 5000 });
  await page.getByTestId('ends-at').filter({ hasText: newEnd }).waitFor({ timeout: 5000 });
  await expect(text(page, 'ends-at')).resolves.toBe(newEnd);
  await expect(text(page, 'extension-count')).resolves.toBe('1');
  await page.getByTestId('current-price').filter({ hasText: '¥7,000.00' }).waitFor();
  expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
  await screenshots(page, 'lot-extended');

  const after = await lotView(lot);
  expect(after).toMatchObject({ endsAt: placed.lot.endsAt, extensionCount: 1, currentPrice: 700_000 });
});

it('the court console declares a default and relists the lot as a new draft of the same round', async () => {
  const { t } = court;
  const buyer = await registerBidder(t, { realName: '司马悔' });
  const lot = await soldLot('浏览器测试：悔拍与再次拍卖', buyer);
  const page = clerkBrowser.page;
  await page.goto(`${t.url}/court/lots/${lot}`);
  await page.getByTestId('court-settlement').waitFor();
  await expect(text(page, 'settlement-status')).resolves.toBe('待缴尾款');

  // A reason is required: refused in place first.
  await page.getByRole('button', { name: '认定悔拍', exact: true }).click();
  await page.getByTestId('after-end-error').filter({ hasText: '此项必填' }).waitFor();
  await page.getByLabel('悔拍原因').fill('买受人书面表示放弃购买');
  await page.getByLabel('拍卖产生的费用损失（元，可不填）').fill('100');
  await page.getByRole('button', { name: '认定悔拍', exact: true }).click();
  await page.getByTestId('settlement-status').filter({ hasText: '买受人悔拍' }).waitFor();
  await page.getByTestId('settlement-steps').getByText('悔拍').waitFor();
  await expectAccessible(page, 'court lot after a default');
  await screenshots(page, 'court-lot-defaulted');

  const s = await settlement(lot);
  expect(s).toMatchObject({ status: 'defaulted', defaultReason: '买受人书面表示放弃购买' });
  expect(await lotView(lot)).toMatchObject({ status: 'defaulted' });
  // The defaulter's deposit is forfeited (OJA Art. 24).
  await waitFor('deposit forfeited', async () => {
    const mine = (await t.http.get(`/api/lots/${lot}/enrolments/me`).set(buyer.auth).expect(200)).body as EnrolmentView;
    return mine.deposit?.status === 'forfeited';
  });

  // Relist: a new draft of the same round (a re-auction), opened in the console.
  await page.getByTestId('relist').click();
  await page.waitForURL((url) => /\/court\/lots\/[0-9a-f-]{36}$/.test(url.pathname) && !url.pathname.endsWith(lot));
  const next = page.url().split('/').pop()!;
  await page.getByLabel('标的物名称').waitFor();
  await waitFor('draft loaded', async () => (await page.getByLabel('标的物名称').inputValue()) === '浏览器测试：悔拍与再次拍卖');
  const draft = (await t.http.get(`/api/court/lots/${next}`).set(court.clerk.auth).expect(200)).body as LotView;
  expect(draft).toMatchObject({ status: 'draft', round: 'first', previousLotId: lot, startingPrice: 700_000 });
  // Only once.
  const again = await t.http.post(`/api/lots/${lot}/relist`).set(court.clerk.auth);
  expect(again.status).toBe(422);
  await expectLedgerBalanced(t, court.admin);
});

it('the court console sets a paid sale aside (OJA Art. 31) and the buyer sees the deposit returned', async () => {
  const { t } = court;
  const buyer = await registerBidder(t, { realName: '上官退' });
  const lot = await soldLot('浏览器测试：撤销拍卖', buyer);
  await t.http.post(`/api/lots/${lot}/balance`).set(buyer.auth).send({ paymentMethod: 'pm_card_visa' }).expect(200);
  // The winner's deposit is applied to the price by the deposit-release job after the close (applying →
  // applied at Stripe), not by the balance payment: on a loaded machine it may still be on its way.
  const depositOf = async () => ((await t.http.get(`/api/lots/${lot}/enrolments/me`).set(buyer.auth).expect(200)).body as EnrolmentView).deposit?.status;
  await waitFor('the deposit applied to the price', async () => (await depositOf()) === 'applied', 15_000);
  expect(await depositOf()).toBe('applied');

  const page = clerkBrowser.page;
  await page.goto(`${t.url}/court/lots/${lot}`);
  await page.getByTestId('settlement-status').filter({ hasText: '尾款已缴清' }).waitFor();
  await page.locator('#set-aside-ground').selectOption('false_description');
  await page.locator('#set-aside-reason').fill('拍品照片与实物严重不符');
  await page.getByRole('button', { name: '撤销拍卖', exact: true }).click();
  await page.getByTestId('settlement-status').filter({ hasText: '拍卖已撤销' }).waitFor();
  await screenshots(page, 'court-lot-set-aside');
  expect(await settlement(lot)).toMatchObject({ status: 'set_aside' });
  expect(await lotView(lot)).toMatchObject({ status: 'set_aside' });

  // The money goes back: the deposit is released to the buyer, shown in the buyer's own area.
  const released = await waitFor('deposit returned', async () => {
    const mine = (await t.http.get(`/api/lots/${lot}/enrolments/me`).set(buyer.auth).expect(200)).body as EnrolmentView;
    return mine.deposit?.status === 'released' ? mine : undefined;
  });
  expect(released.deposit!.history).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'release', amount: 70_000, status: 'done' })]));
  const buyerPage = otherBrowser.page;
  await loginInBrowser(buyerPage, t.url, buyer.email, 'bidder-password-1', '/account');
  const row = buyerPage.getByTestId('my-lots').locator('tr').filter({ hasText: '浏览器测试：撤销拍卖' });
  await row.waitFor();
  await row.getByText('¥700.00 · 已退还').waitFor();
  await row.getByText(/退还 ¥700\.00 · 已完成/).waitFor();
  await screenshots(buyerPage, 'account-deposit-returned');
  await expectLedgerBalanced(t, court.admin);
});
