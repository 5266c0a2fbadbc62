/**
 * The bid record beyond its first page, in a real browser against the real API: a lot with more bids than
 * the lot page loads (50) shows the newest page; a bid arriving live adds itself on top; "load more"
 * brings the older bids — the page it asks for overlaps what is shown by the live bid — and no bid is
 * shown twice. Bids are placed through the public HTTP API by two bidders taking turns (a leader may not
 * outbid themselves), one increment each, so every row has its own amount.
 */
import { jest } from '@jest/globals';
import type { Page } from 'playwright-core';
import { registerBidder, type Actor } from '../support/actors.js';
import { openContext, type OpenContext } from './support/browser.js';
import { publishedLot, startCourt, type Court } from './support/scenario.js';

jest.setTimeout(120_000);

const FIRST_PAGE = 50;
const BIDS_BEFORE = 60;
const START = 700_000;
const INCREMENT = 1000;

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

/** "¥7,590.00" for 759_000 fen, as the record prints it. */
const yuan = (fen: number) => `¥${(fen / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const amountOf = (i: number) => START + i * INCREMENT;

async function recordAmounts(page: Page): Promise<string[]> {
  return page.getByTestId('bid-record').locator('tbody tr td:nth-child(2)').allTextContents();
}

async function waitForRows(page: Page, n: number): Promise<void> {
  await page.waitForFunction((count) => document.querySelectorAll('[data-testid="bid-record"] tbody tr').length === count, n, { timeout: 20_000 });
}

it('shows the newest page, then the older bids on "load more", each bid once', async () => {
  const { t } = court;
  const lotId = await publishedLot(court, { startInMs: 4000, durationMs: 110_000, title: '竞价记录分页测试拍品' });
  const [x, y] = await Promise.all([registerBidder(t), registerBidder(t)]);
  for (const b of [x, y]) await t.http.post(`/api/lots/${lotId}/enrolments`).set(b.auth).send({ paymentMethod: 'pm_card_visa' }).expect(201);
  while (((await t.http.get(`/api/lots/${lotId}`)).body as { status: string }).status !== 'live') await new Promise((r) => setTimeout(r, 250));

  const bid = (by: Actor, i: number) => t.http.post(`/api/lots/${lotId}/bids`).set(by.auth).set('Idempotency-Key', `record-${i}`).send({ amount: amountOf(i) }).expect(201);
  for (let i = 0; i < BIDS_BEFORE; i++) await bid(i % 2 === 0 ? x : y, i);

  const page = watcher.page;
  await page.goto(`${t.url}/lots/${lotId}`);
  await page.locator('[data-testid="connection"][data-state="online"]').waitFor();
  // The first page: the 50 newest bids, newest first.
  await waitForRows(page, FIRST_PAGE);
  const first = await recordAmounts(page);
  expect(first).toEqual(Array.from({ length: FIRST_PAGE }, (_, k) => yuan(amountOf(BIDS_BEFORE - 1 - k))));
  await page.getByTestId('bid-record-more').filter({ hasText: `已显示 ${FIRST_PAGE} / ${BIDS_BEFORE} 条` }).waitFor();

  // A bid arrives live: it goes on top, and the older page asked for next now overlaps the shown rows.
  await bid(x, BIDS_BEFORE);
  await waitForRows(page, FIRST_PAGE + 1);
  expect((await recordAmounts(page))[0]).toBe(yuan(amountOf(BIDS_BEFORE)));

  await page.getByTestId('bid-record-more').click();
  await waitForRows(page, BIDS_BEFORE + 1);
  const all = await recordAmounts(page);
  expect(all).toEqual(Array.from({ length: BIDS_BEFORE + 1 }, (_, k) => yuan(amountOf(BIDS_BEFORE - k))));
  expect(new Set(all).size).toBe(all.length);
  // Nothing older is left: the button is gone, and the record matches the API's count.
  expect(await page.getByTestId('bid-record-more').count()).toBe(0);
  expect(((await t.http.get(`/api/lots/${lotId}/bids`)).body as { total: number }).total).toBe(BIDS_BEFORE + 1);
});
