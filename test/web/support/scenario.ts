/** Platform set-up shared by the browser tests: a real API + PostgreSQL serving the built web app. */
import type { Page } from 'playwright-core';
import { startTestPlatform, type TestPlatform } from '../../support/platform.js';
import { createCase, createCourt, createStaff, loginAdmin, validLotBody, type Actor } from '../../support/actors.js';
import { requireBrowserPrerequisites, WEB_DIST } from './browser.js';

export interface Court {
  t: TestPlatform;
  admin: Actor;
  clerk: Actor;
  caseId: string;
}

export async function startCourt(env: Record<string, string> = {}): Promise<Court> {
  requireBrowserPrerequisites();
  const t = await startTestPlatform({ WEB_DIST, ...env });
  const admin = await loginAdmin(t);
  const courtId = await createCourt(t, admin);
  const clerk = await createStaff(t, admin, 'court_clerk', { courtId });
  const caseId = await createCase(t, clerk);
  return { t, admin, clerk, caseId };
}

/** A published lot (sandbox: live after `startInMs`, bidding for `durationMs`). */
export async function publishedLot(c: Court, options: { startInMs?: number; durationMs?: number; title?: string } = {}): Promise<string> {
  const body = { ...validLotBody(c.caseId, options), ...(options.title ? { title: options.title } : {}) };
  const created = await c.t.http.post('/api/lots').set(c.clerk.auth).send(body);
  if (created.status !== 201) throw new Error(`lot: ${created.status} ${JSON.stringify(created.body)}`);
  const id = (created.body as { id: string }).id;
  const published = await c.t.http.post(`/api/lots/${id}/publish`).set(c.clerk.auth);
  if (published.status !== 201 && published.status !== 200) throw new Error(`publish: ${published.status} ${JSON.stringify(published.body)}`);
  return id;
}

/** Logs in through the login page. */
export async function loginInBrowser(page: Page, baseUrl: string, email: string, password: string, next?: string): Promise<void> {
  await page.goto(`${baseUrl}/login${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  await page.getByLabel('电子邮箱').fill(email);
  await page.getByLabel('密码').fill(password);
  await page.getByTestId('login-submit').click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}

export async function serverNow(t: TestPlatform): Promise<number> {
  const res = await t.http.get('/api/time');
  return Date.parse((res.body as { now: string }).now);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
