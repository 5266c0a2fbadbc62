/**
 * Reconnect and resync: a watcher loses its connection, bids happen meanwhile, and when the connection
 * comes back the page catches up (GET /api/lots/:id and the bid record) without a reload, and says so;
 * a suspension and its resumption by the court reach the page live.
 */
import { jest } from '@jest/globals';
import { registerBidder } from '../support/actors.js';
import { openContext, type OpenContext } from './support/browser.js';
import { publishedLot, startCourt, type Court } from './support/scenario.js';

jest.setTimeout(120_000);

let court: Court;
let watcher: OpenContext;

beforeAll(async () => {
  court = await startCourt();
  watcher = await openContext();
});
afterAll(async () => {
  await watcher?.close();
  await court?.t.stop();
});

it('catches up after a lost connection: price, leader and record, without reloading', async () => {
  const { t } = court;
  const lotId = await publishedLot(court, { startInMs: 5000, durationMs: 90_000, title: '重连测试拍品' });
  const [x, y] = await Promise.all([registerBidder(t), registerBidder(t)]);
  for (const b of [x, y]) await t.http.post(`/api/lots/${lotId}/enrolments`).set(b.auth).send({ paymentMethod: 'pm_card_visa' }).expect(201);
  while (((await t.http.get(`/api/lots/${lotId}`)).body as { status: string }).status !== 'live') await new Promise((r) => setTimeout(r, 250));

  const page = watcher.page;
  await page.goto(`${t.url}/lots/${lotId}`);
  await page.locator('[data-testid="connection"][data-state="online"]').waitFor();
  await t.http.post(`/api/lots/${lotId}/bids`).set(x.auth).set('Idempotency-Key', 'resync-1').send({ amount: 700_000 }).expect(201);
  await page.getByTestId('current-price').filter({ hasText: '¥7,000.00' }).waitFor();
  await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));

  await watcher.context.setOffline(true);
  await page.locator('[data-testid="connection"][data-state="offline"]').waitFor({ timeout: 60_000 });
  // Two bids while the watcher is away: their events never reach it.
  await t.http.post(`/api/lots/${lotId}/bids`).set(y.auth).set('Idempotency-Key', 'resync-2').send({ amount: 701_000 }).expect(201);
  await t.http.post(`/api/lots/${lotId}/bids`).set(x.auth).set('Idempotency-Key', 'resync-3').send({ amount: 702_000 }).expect(201);

  await watcher.context.setOffline(false);
  await page.locator('[data-testid="connection"][data-state="online"]').waitFor({ timeout: 30_000 });
  await page.getByTestId('current-price').filter({ hasText: '¥7,020.00' }).waitFor();
  await page.getByTestId('bid-count').filter({ hasText: '3' }).waitFor();
  await page.getByTestId('bid-record').locator('tbody tr').nth(2).waitFor();
  expect(await page.getByTestId('bid-record').locator('tbody tr').count()).toBe(3);
  expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);

  // The court suspends the lot: the watcher sees the pause and its published reason, then the resumption.
  await t.http.post(`/api/lots/${lotId}/suspend`).set(court.clerk.auth).send({ reason: '案外人提出异议' }).expect(201);
  await page.getByTestId('lot-status').filter({ hasText: '中止' }).waitFor();
  await page.getByText('原因：案外人提出异议').waitFor();
  await t.http.post(`/api/lots/${lotId}/resume`).set(court.clerk.auth).send({}).expect(201);
  await page.getByTestId('lot-status').filter({ hasText: '正在进行' }).waitFor();
  expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
});
